package dashboard

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/graphql"
)

// bulletinBrowserEnv serves a real ledger holding the Chifeng plan with
// bulletins and plan changes switched on; tokens: coordinator and county.
func bulletinBrowserEnv(t *testing.T) (string, map[string]string) {
	t.Helper()
	l := newLedger(t, ledgerSpec{
		tokens: map[string]auth.Spec{
			"coordinator": {Role: auth.Coordinator, Name: "测试计划办"},
			"county":      {Role: auth.County, Unit: "county.ningcheng"},
		},
		handler: func(c *Config, srv *graphql.Server) {
			c.Authenticate, c.Bulletins, c.Reports = srv.Authenticate, srv.App(), srv.App()
		},
	})
	return l.http.URL, l.tokens
}

// The office issues a bulletin and changes a plan from the dashboard; a
// county lists the bulletin.
func TestBrowserBulletinsAndPlanChanges(t *testing.T) {
	bctx := browser(t)
	base, tokens := bulletinBrowserEnv(t)
	dir := shots(t)
	period := time.Now().In(domain.Shanghai()).AddDate(0, -1, 0).Format("2006-01")

	office := newTab(t, bctx, base, dir)
	office.login(tokens["coordinator"])
	office.open("bulletins", "bulletins")
	if s := office.text("#no-bulletins"); !strings.Contains(s, "尚未印发") {
		t.Errorf("empty list: %q", s)
	}
	office.run("issue", chromedp.SetValue(chromedp.CSS(`#bulletin-period`), period), chromedp.Click(chromedp.CSS(`#bulletin-issue`)),
		chromedp.WaitVisible(chromedp.CSS(`#bulletin-done`)))
	if s := office.text("#bulletin-done"); !strings.Contains(s, "第1期") || !strings.Contains(s, "逾期") {
		t.Errorf("issued: %q", s)
	}
	if s := office.text("table.bulletins"); !strings.Contains(s, "第1期") {
		t.Errorf("list: %q", s)
	}
	office.shot("bulletins-1280")
	office.run("narrow", chromedp.EmulateViewport(390, 844))
	office.open("bulletins", "bulletins")
	office.shot("bulletins-390")
	office.run("wide", chromedp.EmulateViewport(1280, 900))

	office.open("changes", "changes")
	office.run("rename", chromedp.SetValue(chromedp.CSS(`#form-rename [name="unit"]`), "宁城县"), chromedp.SetValue(chromedp.CSS(`#form-rename [name="name"]`), "宁城市"),
		chromedp.Click(chromedp.CSS(`#form-rename button`)), chromedp.WaitVisible(chromedp.CSS(`.change-msg .success`)))
	if s := office.text(".change-msg .success"); !strings.Contains(s, "UnitRenamed") && !strings.Contains(s, "宁城") {
		t.Errorf("rename: %q", s)
	}
	office.run("empty reason", chromedp.SetValue(chromedp.CSS(`#form-reschedule [name="task"]`), "10"), chromedp.SetValue(chromedp.CSS(`#form-reschedule [name="unit"]`), "宁城市"),
		chromedp.SetValue(chromedp.CSS(`#form-reschedule [name="milestone"]`), "nope"), chromedp.SetValue(chromedp.CSS(`#form-reschedule [name="due"]`), "2026-12-31"),
		chromedp.Click(chromedp.CSS(`#form-reschedule button`)))
	office.shot("changes-1280")
	office.run("narrow", chromedp.EmulateViewport(390, 844))
	office.open("changes", "changes")
	office.shot("changes-390")

	county := newTab(t, bctx, base, dir)
	county.login(tokens["county"])
	county.open("bulletins", "bulletins")
	if s := county.text("table.bulletins"); !strings.Contains(s, "第1期") {
		t.Errorf("the county's list: %q", s)
	}
	if n := get(county, "issue form", chromedp.Evaluate[int](`document.querySelectorAll('#bulletin-form').length`)); n != 0 {
		t.Error("a county sees the issue form")
	}
}
