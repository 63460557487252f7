package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/projections"
)

// reviewEnv is the API and the dashboard over the imported Chifeng plan,
// with tokens for the lead and a supporter of one task.
type reviewEnv struct {
	http   *httptest.Server
	tokens map[string]string // lead, supporter, inspector
	// task, supporter and supporterName name the supporting duty.
	task          int
	supporter     string
	supporterName string
	lead          string
}

func newReviewEnv(t *testing.T) *reviewEnv {
	t.Helper()
	// The pair is the plan's, so any import of it names the same duties.
	probe := memory.New()
	views, err := importChifeng(context.Background(), probe, domain.DefaultRegistry())
	_ = probe.Close()
	if err != nil {
		t.Fatal(err)
	}
	lead, sup := ledPair(t, views)
	e := &reviewEnv{task: int(sup.Task), supporter: string(sup.Unit), lead: string(lead.Unit)}
	if u, ok := views.Catalog.Unit(sup.Unit); ok {
		e.supporterName = u.Name
	}
	l := newLedger(t, ledgerSpec{tokens: map[string]auth.Spec{
		"lead":      {Role: unitRole(lead.Unit), Unit: lead.Unit},
		"supporter": {Role: unitRole(sup.Unit), Unit: sup.Unit},
		"inspector": {Role: auth.Inspector, Name: "测试督查"},
	}})
	e.http, e.tokens = l.http, l.tokens
	return e
}

// ledPair finds a task's LEAD duty and a SUPPORT duty of another unit.
func ledPair(t *testing.T, v *projections.Views) (lead, sup domain.ObligationKey) {
	t.Helper()
	leads := map[domain.TaskNo]domain.ObligationKey{}
	all := v.Obligations.All()
	for _, ob := range all {
		if ob.Key.Role == domain.RoleLead {
			leads[ob.Key.Task] = ob.Key
		}
	}
	for _, ob := range all {
		if l, ok := leads[ob.Key.Task]; ok && ob.Key.Role == domain.RoleSupport && ob.Key.Unit != l.Unit {
			return l, ob.Key
		}
	}
	t.Fatal("the plan has no task with a lead and a supporter")
	return
}

func unitRole(u domain.UnitID) auth.Role {
	if strings.HasPrefix(string(u), "county.") {
		return auth.County
	}
	return auth.Bureau
}

// mutate runs one mutation as the named role and fails on any error.
func (e *reviewEnv) mutate(t *testing.T, role, query string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
		t.Fatalf("%s: %d %s", query, resp.StatusCode, raw)
	}
}

// The lead of a task sees its supporter's part on 牵头任务, sends its report
// back with reasons (退回修改), comments, and signs it off once the
// supporter has reported again.
func TestBrowserReview(t *testing.T) {
	bctx := browser(t)
	e := newReviewEnv(t)
	dir := shots(t)
	report := func(key string, pct int) {
		e.mutate(t, "supporter", fmt.Sprintf(`mutation { reportProgress(input: {obligation: {task: %d, role: SUPPORT}, percent: %d, note: "配合推进", idempotencyKey: %q, wait: true}) { userErrors { code field message messageEn } position } }`, e.task, pct, key))
	}
	report("r1", 30)

	tb := newTab(t, bctx, e.http.URL, dir)
	tb.login(e.tokens["lead"])
	tb.open("led", "led")
	row := fmt.Sprintf(`#led-duties tr[data-obligation$=%q]`, fmt.Sprintf("-%d-%s-support", e.task, e.supporter))
	if s := tb.text(row); !strings.Contains(s, e.supporterName) || !strings.Contains(s, "待签收") {
		t.Fatalf("the supporter's row: %q", s)
	}
	tb.shot("30-lead-led-duties")

	tb.run("open the supporter's part", chromedp.Click(chromedp.CSS(row+` a.review-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#page-obligation[data-ready="true"] #form-sendback`)))
	tb.run("send the report back",
		chromedp.SetValue(chromedp.CSS(`#sendback-reasons`), "数据口径与台账不一致，请核实后重报"),
		chromedp.Click(chromedp.CSS(`#form-sendback button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#page-obligation[data-ready="true"] #sent-back`)))
	if s := tb.text(`#review-summary`); !strings.Contains(s, "退回修改") {
		t.Errorf("status after the send-back: %q", s)
	}
	if s := tb.text(`#review-reports tr[data-report="1"]`); !strings.Contains(s, "已退回修改") {
		t.Errorf("the returned report: %q", s)
	}
	tb.run("comment",
		chromedp.SetValue(chromedp.CSS(`#comment-text`), "请补充六月监测数据"),
		chromedp.Click(chromedp.CSS(`#form-comment button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#page-obligation[data-ready="true"] #review-thread li[data-comment="1"]`)))
	if s := tb.text(`#review-thread li[data-comment="1"]`); !strings.Contains(s, "请补充六月监测数据") {
		t.Errorf("the thread: %q", s)
	}
	tb.shot("31-lead-sent-back-and-commented")

	// The lead's own claim waits for the sign-off, said in Chinese first.
	tb.open("mine", "mine")
	own := fmt.Sprintf("obligation-chifeng-air-%d-%s-lead", e.task, e.lead)
	tb.run("choose the lead's duty", chromedp.SetValue(chromedp.CSS(`#obligation`), own))
	get(tb, "show its milestones", chromedp.Evaluate[bool](`document.querySelector('#obligation').dispatchEvent(new Event('change'))`))
	tb.run("claim it",
		chromedp.Click(chromedp.CSS(`#form-claim button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-msg .error[data-code="SIGNOFF_PENDING"]`)))
	if s := tb.text(`#action-msg .error`); !strings.Contains(s, "尚未签收") || !strings.Contains(s, e.supporterName) || !strings.Contains(s, "not signed off") {
		t.Errorf("the refused claim: %q", s)
	}

	report("r2", 45)
	tb.open("led", "led")
	tb.run("sign off", chromedp.Click(chromedp.CSS(row+` form.signoff button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#page-led[data-ready="true"] .success`)))
	if s := tb.text(row + ` td.signoff-state`); !strings.Contains(s, "已签收") {
		t.Errorf("after sign-off: %q", s)
	}

	// The supporter reads the thread on its own page, 390 px wide.
	st := newTab(t, bctx, e.http.URL, dir)
	st.login(e.tokens["supporter"])
	st.run("narrow", chromedp.EmulateViewport(390, 844))
	st.open("mine", "mine")
	st.run("open its part", chromedp.Click(chromedp.CSS(`tr.obligation[data-obligation$="-support"][data-task="`+fmt.Sprint(e.task)+`"] a.review-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#page-obligation[data-ready="true"] #review-thread`)))
	if s := st.text(`#review-sendbacks`); !strings.Contains(s, "已重新报送") {
		t.Errorf("the supporter's send-back history: %q", s)
	}
	st.shot("32-supporter-thread-390")
}
