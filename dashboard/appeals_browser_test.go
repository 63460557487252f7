package dashboard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The rectification and appeal loop in the browser: an inspector records
// a finding on 宁城县; the county sees it on its own card and appeals it,
// and reports the rectification; the inspector sends the rectification
// back; the committee overturns the appeal and the county's line follows.
func TestBrowserRectificationAndAppeals(t *testing.T) {
	bctx := browser(t)
	e, stop, err := buildDemo()
	if err != nil {
		t.Fatalf("demo ledger: %v", err)
	}
	t.Cleanup(stop)
	dir := shots(t)
	var obs struct {
		Obligations struct{ Nodes []struct{ Task int } }
	}
	e.must(t, "county", `{ obligations(first: 1) { nodes { task } } }`, &obs)
	if len(obs.Obligations.Nodes) == 0 {
		t.Fatal("宁城县 holds no duty")
	}
	task := obs.Obligations.Nodes[0].Task
	rectifyBy := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	e.must(t, "inspector", fmt.Sprintf(`mutation { recordFinding(input: {obligation: {task: %d, unit: "county.ningcheng", role: IMPLEMENTING}, kind: FALSE_REPORT, severity: MAJOR,
		summary: "浏览器测试：虚报进度", rectifyBy: %q, idempotencyKey: "browser-finding", wait: true}) { userErrors { code field message messageEn } position } }`, task, rectifyBy), nil)
	count := func(tb *tab, sel string) int {
		tb.t.Helper()
		return get(tb, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	}
	line := `#own-card article.line[data-rule="county.delivery.false_report"]`

	county := newTab(t, bctx, e.http.URL, dir)
	county.login(e.tokens["county"])
	county.open("appeals", "appeals")
	if s := county.text("#own-card"); !strings.Contains(s, "浏览器测试：虚报进度") || !strings.Contains(s, "申诉") {
		t.Fatalf("own card: %.400q", s)
	}
	county.shot("30-county-own-card")
	county.run("appeal without reasons", chromedp.Click(chromedp.CSS(line+` form.file-appeal button[type=submit]`)))
	if count(county, line+" .error") != 0 || count(county, `#action-msg .success`) != 0 {
		t.Error("an appeal without reasons reached the server")
	}
	county.run("appeal the false report",
		chromedp.SetValue(chromedp.CSS(line+` textarea[name=reasons]`), "浏览器测试：数据口径不同，并非虚报"),
		chromedp.Click(chromedp.CSS(line+` form.file-appeal button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
	if s := county.text(line); !strings.Contains(s, "待裁决") || count(county, line+" form") != 0 {
		t.Errorf("appealed line: %q", s)
	}
	county.shot("31-county-appealed")

	rect := fmt.Sprintf(`#rectifications article.rect[data-task="%d"]`, task)
	county.open("mine", "mine")
	county.run("report the rectification",
		chromedp.SetValue(chromedp.CSS(rect+` form.report-rect textarea[name=note]`), "浏览器测试：已整改"),
		chromedp.Click(chromedp.CSS(rect+` form.report-rect button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
	if s := county.text(rect + " .rect-state"); s != "已报送，待核验" {
		t.Errorf("reported rectification: %q", s)
	}

	inspector := newTab(t, bctx, e.http.URL, dir)
	inspector.login(e.tokens["inspector"])
	inspector.open("mine", "mine")
	reported := rect + `[data-state="REPORTED"]`
	inspector.run("send it back",
		chromedp.SetValue(chromedp.CSS(reported+` form.reject-rect textarea[name=reason]`), "浏览器测试：佐证不足"),
		chromedp.Click(chromedp.CSS(reported+` form.reject-rect button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
	if s := inspector.text(rect + `[data-state="OPEN"]`); !strings.Contains(s, "待整改") || !strings.Contains(s, "佐证不足") {
		t.Errorf("sent back: %q", s)
	}
	inspector.shot("32-inspector-rectification")

	committee := newTab(t, bctx, e.http.URL, dir)
	committee.login(e.tokens["committee"])
	committee.open("appeals", "appeals")
	pending := `#rulings article.queue-item`
	if n := count(committee, pending); n != 1 {
		t.Fatalf("%d pending appeals, want 1", n)
	}
	committee.shot("33-committee-appeals")
	committee.run("overturn",
		chromedp.SetValue(chromedp.CSS(pending+` form.overturn textarea[name=reasons]`), "浏览器测试：经复核不构成虚报"),
		chromedp.Click(chromedp.CSS(pending+` form.overturn button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
	if s := committee.text("#ruled"); !strings.Contains(s, "撤销扣分") || !strings.Contains(s, "经复核不构成虚报") {
		t.Errorf("ruled: %q", s)
	}
	if s := committee.text("#rulings"); !strings.Contains(s, "暂无待裁决的申诉") {
		t.Errorf("pending after the ruling: %q", s)
	}
	committee.shot("34-committee-ruled-1280")
	committee.run("narrow", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#page-appeals[data-ready="true"]`)))
	committee.shot("34-committee-ruled-390")
	committee.run("wide", chromedp.EmulateReset())

	county.open("appeals", "appeals")
	if s := county.text(line); !strings.Contains(s, "撤销扣分") || !strings.HasPrefix(strings.TrimSpace(s), "0") {
		t.Errorf("the county's line after the overturn: %q", s)
	}
	county.run("narrow", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#page-appeals[data-ready="true"]`)))
	county.shot("35-county-overturned-390")
}
