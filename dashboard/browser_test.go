package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium binary: $TASKLEDGER_CHROMIUM when set (and
// nothing when that is not an executable), else the usual names on PATH
// and /usr/bin/chromium.
func chromium() string {
	if p := os.Getenv("TASKLEDGER_CHROMIUM"); p != "" {
		if p, err := exec.LookPath(p); err == nil {
			return p
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts headless Chromium with a fresh profile and returns the
// browser context; each chromedp.NewContext of it is a new tab (its own
// sessionStorage, so its own login).
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium()
	if exe == "" && os.Getenv("CI") == "true" {
		t.Fatal("chromium not installed, and under CI=true the dashboard's browser tests must run: .ci/run installs Debian's chromium package")
	}
	if exe == "" {
		t.Skip("chromium not installed: install Debian's chromium package (or set TASKLEDGER_CHROMIUM) to run the dashboard's browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// A Chinese browser: the dashboard follows Accept-Language until
		// the language switch is used.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	return bctx
}

// shots is where screenshots go: $TASKLEDGER_SCREENSHOTS or a new
// temporary directory that outlives the test, so that they can be looked at.
func shots(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TASKLEDGER_SCREENSHOTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "taskledger-dashboard-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// tab is one browser tab logged in (or not) as a role.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

func newTab(t *testing.T, bctx context.Context, base, dir string) *tab {
	ctx, cancel := chromedp.NewContext(bctx)
	t.Cleanup(cancel)
	// Open the tab with its own context: a tab opened by a Run whose
	// context has a timeout would close when that context ends.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return &tab{t: t, ctx: ctx, base: base, dir: dir}
}

func (tb *tab) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.fail(what, err)
	}
}

// fail ends the test with the page's main element for context.
func (tb *tab) fail(what string, err error) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
	tb.t.Fatalf("%s: %v\nmain: %.2000s", what, err, html)
}

// get runs one action that returns a value.
func get[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.fail(what, err)
	}
	return v
}

// open goes to a dashboard route and waits until the page has rendered.
func (tb *tab) open(route, page string) {
	tb.t.Helper()
	tb.run("open "+route, chromedp.Navigate(tb.base+"/#/"+route), chromedp.WaitVisible(chromedp.CSS(`#page-`+page+`[data-ready="true"]`)))
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return get(tb, "text of "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

func (tb *tab) shot(name string) {
	tb.t.Helper()
	png := get(tb, "screenshot "+name, chromedp.CaptureScreenshot())
	p := filepath.Join(tb.dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot %s", p)
}

func (tb *tab) login(token string) {
	tb.t.Helper()
	tb.open("login", "login")
	tb.run("log in", chromedp.SetValue(chromedp.CSS(`#token`), token), chromedp.Click(chromedp.CSS(`#login-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#who`)))
}

func TestBrowser(t *testing.T) {
	bctx := browser(t)
	e := demoServer(t)
	dir := shots(t)
	started := time.Now()

	t.Run("public", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.open("public?year=2025", "public")
		if b := tb.text("#demo-banner"); !strings.Contains(b, "模拟") || !strings.Contains(b, "SIMULATED") {
			t.Errorf("demo banner: %q", b)
		}
		if s := tb.text(`section.published[data-kind="BUREAU"]`); !strings.Contains(s, "生态环境局") || !strings.Contains(s, "已复核") {
			t.Errorf("published bureau ranking: %.300q", s)
		}
		tb.shot("01-public")
		tb.run("switch to English", chromedp.Click(chromedp.CSS(`#lang`)), chromedp.WaitVisible(chromedp.CSS(`#page-public[data-ready="true"]`)))
		if s := tb.text("#nav"); !strings.Contains(s, "Public rankings") {
			t.Errorf("English nav: %q", s)
		}
		tb.shot("02-public-en")
		tb.run("back to Chinese", chromedp.Click(chromedp.CSS(`#lang`)))
		tb.open("tasks", "login") // a page that needs a token asks for one
	})

	t.Run("county", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.login(e.tokens["county"])
		if who := tb.text("#who"); !strings.Contains(who, "宁城县") {
			t.Errorf("who: %q", who)
		}
		tb.open("mine", "mine")
		tb.shot("03-county-mine")
		// File a progress report for the first obligation and see it appear.
		oid := get(tb, "pick obligation", chromedp.Value(chromedp.CSS(`#obligation`)))
		tb.run("report progress",
			chromedp.SetValue(chromedp.CSS(`#percent`), "77"),
			chromedp.SetValue(chromedp.CSS(`#note`), "浏览器测试：完成进度77%"),
			chromedp.Click(chromedp.CSS(`#form-progress button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
		row := fmt.Sprintf(`tr.obligation[data-obligation=%q]`, oid)
		if s := tb.text(row + " .pct"); s != "77%" {
			t.Errorf("progress after the report: %q", s)
		}
		if s := tb.text(row + " .last-report"); !strings.Contains(s, "浏览器测试") {
			t.Errorf("last report: %q", s)
		}
		tb.shot("04-county-reported")
		// A refused report shows the server's message and code.
		tb.run("refused report",
			chromedp.SetValue(chromedp.CSS(`#percent`), "150"),
			chromedp.Click(chromedp.CSS(`#form-progress button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#action-msg .error`)))
		if s := tb.text("#action-msg .error"); !strings.Contains(s, "150") || !strings.Contains(s, "INVALID_ARGUMENT") {
			t.Errorf("refusal: %q", s)
		}
		tb.shot("05-county-refused")
		tb.open("tasks", "tasks")
		if s := tb.text("#light-counts"); !strings.Contains(s, "红灯") {
			t.Errorf("light counts: %q", s)
		}
		tb.shot("06-county-tasks")
		// Air quality: the whole city's own figures first, then the
		// counties, with valid days and the good-day ratio; no internal id
		// on the screen.
		tb.open("air?year=2025", "air")
		if s := tb.text("#air-table tbody tr.city"); !strings.HasPrefix(s, "全市") || strings.Contains(s, "city.") || !strings.Contains(s, "应减") {
			t.Errorf("city row: %q", s)
		}
		if s := tb.text("#air-table thead"); !strings.Contains(s, "有效天数") || !strings.Contains(s, "优良天数比例") || !strings.Contains(s, "氮氧化物减排量") {
			t.Errorf("air table head: %q", s)
		}
		if s := tb.text("#air-table tbody"); !strings.Contains(s, "宁城县") || !strings.Contains(s, "全年") || !strings.Contains(s, "%（") {
			t.Errorf("air table: %q", s)
		}
		tb.shot("06b-county-air")
		tb.open("audit", "audit")
		if s := tb.text("#intact"); !strings.Contains(s, "哈希链完整") {
			t.Errorf("chain status: %q", s)
		}
		if s := tb.text("#page-audit .export"); !strings.Contains(s, "导出审计轨迹 XLSX") || !strings.Contains(s, "导出审计轨迹 CSV") {
			t.Errorf("the county's audit page offers no downloads: %q", s)
		}
		// Scorecards are the committee's: the refusal is shown plainly.
		tb.open("scorecards?year=2025", "scorecards")
		if s := tb.text(".error"); !strings.Contains(s, "FORBIDDEN") {
			t.Errorf("county scorecards: %q", s)
		}
	})

	t.Run("committee", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.login(e.tokens["committee"])
		tb.open("scorecards?year=2025&kind=COUNTY", "scorecards")
		n := get(tb, "count cards", chromedp.Evaluate[int](`document.querySelectorAll('tr.card-row').length`))
		if n != 12 {
			t.Errorf("%d county cards, want 12", n)
		}
		tb.shot("07-committee-counties")
		tb.run("open a unit", chromedp.Click(chromedp.CSS(`tr.card-row a.unit-link`)), chromedp.WaitVisible(chromedp.CSS(`#page-unit[data-ready="true"] table.lines`)))
		links := get(tb, "count event links", chromedp.Evaluate[int](`document.querySelectorAll('a.event-link').length`))
		if links == 0 {
			t.Error("no line links to its events")
		}
		tb.shot("08-committee-unit")
		// The print layout: no navigation, no buttons, the demo notice kept.
		if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		if vis := get(tb, "nav in print", chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('header.top')).display !== 'none'`)); vis {
			t.Error("the navigation shows in print")
		}
		tb.shot("09-committee-unit-print")
		if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
			t.Fatal(err)
		}
		tb.open("scorecards?year=2025&kind=BUREAU", "scorecards")
		if s := tb.text(".summary"); !strings.Contains(s, "标准评分办法（第3版）") || strings.Contains(s, "default") {
			t.Errorf("bureau scorecards' scheme: %q", s)
		}
	})

	t.Run("inspector", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.login(e.tokens["inspector"])
		tb.open("audit?task=10&asOf=2025-06-30", "audit")
		if s := tb.text("#intact"); !strings.Contains(s, "哈希链完整") {
			t.Errorf("chain status: %q", s)
		}
		rows := get(tb, "count events", chromedp.Evaluate[int](`document.querySelectorAll('table.audit tr.event').length`))
		if rows == 0 {
			t.Error("no events in task 10's trail as of 2025-06-30")
		}
		// Each event says what it records, in Chinese.
		if s := tb.text("table.audit tr.event td.what"); !strings.Contains(s, "登记任务第10项") || strings.Contains(s, "TaskRegistered") {
			t.Errorf("the trail's first event reads %q", s)
		}
		// Milestones go by the plan's words, including the one the import
		// gives a task without a deadline of its own.
		whats := get(tb, "summaries", chromedp.Evaluate[string](`[...document.querySelectorAll('table.audit td.what')].map((td) => td.textContent).join('\n')`))
		if !strings.Contains(whats, "节点「") || strings.Contains(whats, "plan-horizon") || strings.Contains(whats, "节点ms-") {
			t.Errorf("the trail names milestones by id:\n%.600s", whats)
		}
		// Its flags are words, as in the exports: the simulated year's
		// events say 模拟, not the API's code.
		flags := get(tb, "flags", chromedp.Evaluate[[]string](`[...new Set([...document.querySelectorAll('table.audit .flag')].map((f) => f.dataset.flag + '=' + f.textContent))]`))
		if !slices.Contains(flags, "simulated=模拟") || slices.ContainsFunc(flags, func(f string) bool { a, b, _ := strings.Cut(f, "="); return a == b }) {
			t.Errorf("the trail's flags read %q", flags)
		}
		tb.shot("10-inspector-audit")
		// The download buttons fetch the export of the trail shown, with the
		// token in the header; the file is not saved (the test catches it).
		if s := tb.text("#page-audit .export"); !strings.Contains(s, "导出审计轨迹 XLSX") || !strings.Contains(s, "导出审计轨迹 CSV") {
			t.Errorf("the inspector's audit page offers no downloads: %q", s)
		}
		catch := `(() => {
			window.exportsSeen = [];
			const orig = window.fetch;
			window.fetch = async function (url, opts) {
				const res = await orig.apply(this, arguments);
				if (String(url).startsWith('/export/')) window.exportsSeen.push({ url: String(url), status: res.status, auth: !!(opts && opts.headers && opts.headers.Authorization) });
				return res;
			};
			const click = HTMLAnchorElement.prototype.click;
			HTMLAnchorElement.prototype.click = function () {
				if (this.hasAttribute('download')) { window.savedAs = this.getAttribute('download'); return; }
				return click.apply(this, arguments);
			};
			return true;
		})()`
		get(tb, "catch downloads", chromedp.Evaluate[bool](catch))
		tb.run("download the trail as CSV", chromedp.Click(chromedp.CSS(`#page-audit .export button[data-export="csv"]`)))
		if name := get(tb, "the saved file", chromedp.Poll[string](`window.savedAs`)); name != "审计轨迹-第10项任务-20250630.csv" {
			t.Errorf("saved as %q", name)
		}
		seen := get(tb, "the export request", chromedp.Evaluate[string](`JSON.stringify(window.exportsSeen)`))
		if !strings.Contains(seen, `"url":"/export/audit.csv?task=10&asOf=2025-06-30T23%3A59%3A59%2B08%3A00"`) || !strings.Contains(seen, `"status":200`) || !strings.Contains(seen, `"auth":true`) {
			t.Errorf("export requests: %s", seen)
		}
		// From a score line to the events behind it, highlighted in the trail.
		tb.open("scorecards?year=2025&kind=COUNTY", "scorecards")
		tb.run("open a unit", chromedp.Click(chromedp.CSS(`tr.card-row a.unit-link`)), chromedp.WaitVisible(chromedp.CSS(`#page-unit[data-ready="true"] table.lines`)))
		id := get(tb, "first event link", chromedp.Evaluate[string](`document.querySelector('a.event-link').dataset.event`))
		tb.run("follow an event link", chromedp.Click(chromedp.CSS(`a.event-link`)),
			chromedp.WaitVisible(chromedp.CSS(`#page-audit[data-ready="true"] tr.hl[data-id="`+id+`"]`)))
		tb.shot("11-inspector-event")
	})

	t.Run("bureau-coordinator", func(t *testing.T) {
		for _, role := range []string{"bureau", "coordinator"} {
			tb := newTab(t, bctx, e.http.URL, dir)
			tb.login(e.tokens[role])
			tb.open("tasks", "tasks")
			tb.open("mine", "mine")
			tb.shot("12-" + role + "-mine")
		}
	})
	t.Logf("browser tests took %s", time.Since(started).Round(time.Millisecond))
}

// pendingItem is an extension request or a completion claim the actions
// test files as the county before the plan office and the inspector decide.
type pendingItem struct {
	task       int
	obligation string // the obligation's id, as rows carry it in data-obligation
	milestone  string
	due        string // the milestone's due date before anything is decided
	requested  string // extension requests: the requested due date
}

// countyObligations is the county token's own obligations.
type countyObligations struct {
	Obligations struct {
		Nodes []struct {
			ID               string
			Task             int
			Status           string
			Light            string
			PendingExtension *struct{ Milestone, RequestedDue string }
			Milestones       []struct{ ID, Due, Completion, Light string }
		}
	}
}

func decode(t *testing.T, data map[string]any, v any) {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func (e *demoEnv) must(t *testing.T, role, query string, v any) {
	t.Helper()
	data, err := e.gql(role, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if v != nil {
		decode(t, data, v)
	}
}

const countyObligationsQuery = `{ obligations(first: 100) { nodes { id task status light pendingExtension { milestone requestedDue } milestones { id due completion light } } } }`

// fileWork has 宁城县 (the county token) request two extensions and claim
// two milestones complete, on milestones the simulated year left open.
func fileWork(t *testing.T, e *demoEnv) (grant, refuse, verify, reject pendingItem) {
	t.Helper()
	var got countyObligations
	e.must(t, "county", countyObligationsQuery, &got)
	var exts, claims []pendingItem
	for _, o := range got.Obligations.Nodes {
		if o.Status == "VERIFIED" || o.Status == "WITHDRAWN" || o.Status == "REASSIGNED" {
			continue
		}
		var open []pendingItem
		for _, m := range o.Milestones {
			if m.Completion == "NONE" {
				open = append(open, pendingItem{task: o.Task, obligation: o.ID, milestone: m.ID, due: m.Due})
			}
		}
		if len(open) == 0 {
			continue
		}
		// One extension request per obligation, on its last open milestone;
		// a claim on its first, where that is another milestone or the
		// obligation has no request yet.
		if len(exts) < 2 && o.PendingExtension == nil {
			x := open[len(open)-1]
			d, err := time.Parse(time.DateOnly, x.due)
			if err != nil {
				t.Fatal(err)
			}
			x.requested = d.AddDate(0, 6, 0).Format(time.DateOnly)
			exts = append(exts, x)
			open = open[:len(open)-1]
		}
		if len(claims) < 2 && len(open) > 0 {
			claims = append(claims, open[0])
		}
	}
	if len(exts) < 2 || len(claims) < 2 {
		t.Fatalf("the demo leaves 宁城县 too little open work: %d extension candidates, %d claim candidates", len(exts), len(claims))
	}
	for i, x := range exts {
		e.must(t, "county", fmt.Sprintf(`mutation { requestExtension(input: {obligation: {task: %d, role: IMPLEMENTING}, milestone: %q, due: %q,
			reason: "浏览器测试：设备招标延期", idempotencyKey: "test-ext-%d", wait: true}) { userErrors { code field message messageEn } position } }`, x.task, x.milestone, x.requested, i), nil)
	}
	for i, c := range claims {
		e.must(t, "county", fmt.Sprintf(`mutation { claimCompletion(input: {obligation: {task: %d, role: IMPLEMENTING}, milestone: %q,
			evidence: "浏览器测试：验收报告", idempotencyKey: "test-claim-%d", wait: true}) { userErrors { code field message messageEn } position } }`, c.task, c.milestone, i), nil)
	}
	return exts[0], exts[1], claims[0], claims[1]
}

// item is the CSS selector of a queue item: an obligation's request or claim.
func item(queue string, p pendingItem) string {
	return fmt.Sprintf(`#%s article.queue-item[data-obligation=%q][data-milestone=%q]`, queue, p.obligation, p.milestone)
}

// TestBrowserActions drives the decisions of the roles that do not own
// obligations — the plan office decides extension requests, an inspector
// verifies and rejects claims and records a finding, the committee
// publishes a ranking — over a ledger of its own, so that what they record
// does not reach the other tests.
func TestBrowserActions(t *testing.T) {
	bctx := browser(t)
	e, stop, err := buildDemo()
	if err != nil {
		t.Fatalf("demo ledger: %v", err)
	}
	t.Cleanup(stop)
	dir := shots(t)
	started := time.Now()
	grant, refuse, verify, reject := fileWork(t, e)
	ms := func(p pendingItem) string {
		return fmt.Sprintf(`#just-done tr[data-obligation=%q] .ms[data-milestone=%q]`, p.obligation, p.milestone)
	}
	attr := func(tb *tab, sel, name string) string {
		tb.t.Helper()
		return get(tb, name+" of "+sel, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).getAttribute(%q) || ''`, sel, name)))
	}
	count := func(tb *tab, sel string) int {
		tb.t.Helper()
		return get(tb, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	}

	t.Run("coordinator", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.login(e.tokens["coordinator"])
		tb.open("tasks", "tasks")
		if s := tb.text("#queue-link"); !strings.Contains(s, "2") || !strings.Contains(s, "延期申请待审批") {
			t.Errorf("task board: %q", s)
		}
		tb.shot("13-coordinator-tasks")
		tb.run("follow the queue link", chromedp.Click(chromedp.CSS(`#queue-link a`)), chromedp.WaitVisible(chromedp.CSS(`#page-mine[data-ready="true"] #decisions`)))
		if n := count(tb, "#decisions article.queue-item"); n != 2 {
			t.Errorf("%d pending requests, want 2", n)
		}
		if n := count(tb, "#claims, #findings, #form-progress"); n != 0 {
			t.Errorf("the plan office sees %d actions of other roles", n)
		}
		// The grant date defaults to the requested one.
		if v := get(tb, "grant date", chromedp.Value(chromedp.CSS(item("decisions", grant)+` form.grant input[name=due]`))); v != grant.requested {
			t.Errorf("grant date %q, want the requested %s", v, grant.requested)
		}
		tb.shot("13-coordinator-decisions")
		tb.run("switch to English", chromedp.Click(chromedp.CSS(`#lang`)), chromedp.WaitVisible(chromedp.CSS(`#page-mine[data-ready="true"] #decisions`)))
		if s := tb.text("#decisions"); !strings.Contains(s, "Extension requests awaiting a decision") || !strings.Contains(s, "Refuse") {
			t.Errorf("English queue: %.200q", s)
		}
		tb.shot("13-coordinator-decisions-en")
		tb.run("back to Chinese", chromedp.Click(chromedp.CSS(`#lang`)), chromedp.WaitVisible(chromedp.CSS(`#page-mine[data-ready="true"] #decisions`)))
		// A date that is not later than the current one: the server refuses
		// and the item shows its message and code.
		tb.run("grant an earlier date",
			chromedp.SetValue(chromedp.CSS(item("decisions", grant)+` form.grant input[name=due]`), grant.due),
			chromedp.Click(chromedp.CSS(item("decisions", grant)+` form.grant button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(item("decisions", grant)+` .item-msg .error`)))
		if s := tb.text(item("decisions", grant) + " .item-msg .error"); !strings.Contains(s, "not later") || attr(tb, item("decisions", grant)+" .item-msg .error", "data-code") == "" {
			t.Errorf("refused grant: %q", s)
		}
		tb.shot("13-coordinator-grant-refused")
		tb.run("grant the requested date",
			chromedp.SetValue(chromedp.CSS(item("decisions", grant)+` form.grant input[name=due]`), grant.requested),
			chromedp.SetValue(chromedp.CSS(item("decisions", grant)+` form.grant textarea[name=note]`), "浏览器测试：同意延期"),
			chromedp.Click(chromedp.CSS(item("decisions", grant)+` form.grant button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
		if s := tb.text(ms(grant)); !strings.Contains(s, grant.requested) || !strings.Contains(s, "("+grant.due+" →)") {
			t.Errorf("granted milestone: %q, want due %s (from %s)", s, grant.requested, grant.due)
		}
		if n := count(tb, item("decisions", grant)); n != 0 {
			t.Error("the granted request is still listed")
		}
		tb.shot("14-coordinator-granted")
		// Refusing needs a reason: an empty one is refused in the browser.
		refuseForm := item("decisions", refuse) + ` form.refuse`
		tb.run("refuse without a reason", chromedp.Click(chromedp.CSS(refuseForm+` button[type=submit]`)))
		if ok := get(tb, "refusal form validity", chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).checkValidity()`, refuseForm))); ok {
			t.Error("a refusal without a reason passes the form's check")
		}
		tb.run("refuse with spaces only", chromedp.SetValue(chromedp.CSS(refuseForm+` textarea[name=reason]`), "   "), chromedp.Click(chromedp.CSS(refuseForm+` button[type=submit]`)))
		if count(tb, item("decisions", refuse)) != 1 || count(tb, item("decisions", refuse)+" .error") != 0 {
			t.Error("a blank refusal reached the server")
		}
		tb.run("refuse with a reason",
			chromedp.SetValue(chromedp.CSS(refuseForm+` textarea[name=reason]`), "浏览器测试：资金来源未落实，不予延期"),
			chromedp.Click(chromedp.CSS(refuseForm+` button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#just-done tr[data-obligation="`+refuse.obligation+`"]`)))
		if s := tb.text("#action-msg .success"); !strings.Contains(s, "ExtensionRefused") {
			t.Errorf("refusal: %q", s)
		}
		if s := tb.text(ms(refuse)); !strings.HasPrefix(s, refuse.due) || strings.Contains(s, refuse.requested) {
			t.Errorf("refused milestone: %q, want still due %s", s, refuse.due)
		}
		if n := count(tb, `#just-done .pending`); n != 0 {
			t.Error("the refused request still shows as pending")
		}
		if s := tb.text("#decisions"); !strings.Contains(s, "暂无待审批的延期申请") {
			t.Errorf("decisions after both: %q", s)
		}
		tb.shot("15-coordinator-refused")
	})

	t.Run("inspector", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.login(e.tokens["inspector"])
		// The ledger shows a page at a time: o= opens the page holding that obligation.
		tb.open("mine?o="+url.QueryEscape(verify.obligation), "mine")
		if n := count(tb, "#claims article.queue-item"); n != 2 {
			t.Errorf("%d pending claims, want 2", n)
		}
		if n := count(tb, "#decisions, #form-progress"); n != 0 {
			t.Errorf("the inspector sees %d actions of other roles", n)
		}
		ledgerMS := fmt.Sprintf(`table.obligations tr[data-obligation=%q] .ms[data-milestone=%q]`, verify.obligation, verify.milestone)
		light := attr(tb, ledgerMS, "data-light")
		// A claim does not count until verified, and the ledger says so.
		if s := tb.text(ledgerMS); !strings.Contains(s, "待核验") {
			t.Errorf("a claimed milestone before verification: %q", s)
		}
		tb.shot("16-inspector-claims")
		tb.run("verify a claim",
			chromedp.Click(chromedp.CSS(item("claims", verify)+` form.verify button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
		// A verified milestone is done: its light turns (or stays) green.
		if c, l := attr(tb, ms(verify), "data-completion"), attr(tb, ms(verify), "data-light"); c != "VERIFIED" || l != "GREEN" {
			t.Errorf("verified milestone: completion %s, light %s (was %s)", c, l, light)
		}
		t.Logf("verified milestone's light: %s → GREEN", light)
		if s := tb.text(ms(verify)); !strings.Contains(s, "已核验") || strings.Contains(s, "待核验") {
			t.Errorf("verified milestone: %q", s)
		}
		tb.shot("17-inspector-verified")
		// Rejecting needs a reason: refused in the browser, nothing sent.
		rejectForm := item("claims", reject) + ` form.reject`
		tb.run("reject without a reason", chromedp.Click(chromedp.CSS(rejectForm+` button[type=submit]`)))
		if msg := get(tb, "rejection validity", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).validationMessage`, rejectForm+` textarea[name=reason]`))); msg == "" {
			t.Error("a rejection without a reason passes the form's check")
		}
		if count(tb, item("claims", reject)) != 1 || count(tb, item("claims", reject)+" .error") != 0 {
			t.Error("a rejection without a reason reached the server")
		}
		tb.run("reject with a reason",
			chromedp.SetValue(chromedp.CSS(rejectForm+` textarea[name=reason]`), "浏览器测试：佐证材料不全"),
			chromedp.Click(chromedp.CSS(rejectForm+` button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#just-done tr[data-obligation="`+reject.obligation+`"]`)))
		if c := attr(tb, ms(reject), "data-completion"); c != "REJECTED" {
			t.Errorf("rejected milestone: completion %s", c)
		}
		if s := tb.text("#claims"); !strings.Contains(s, "暂无待核验的完成申报") {
			t.Errorf("claims after both: %q", s)
		}
		// A finding on the rejected obligation.
		tb.run("record a finding",
			chromedp.SetValue(chromedp.CSS(`#finding-obligation`), reject.obligation),
			chromedp.SetValue(chromedp.CSS(`#finding-severity`), "MAJOR"),
			chromedp.SetValue(chromedp.CSS(`#finding-summary`), "浏览器测试：现场核查台账不全"),
			chromedp.Click(chromedp.CSS(`#form-finding button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
		if s := tb.text(`#just-done tr[data-obligation="` + reject.obligation + `"] .findings`); !strings.Contains(s, "督查发现") {
			t.Errorf("findings after recording one: %q", s)
		}
		tb.shot("18-inspector-finding")
		// Inspectors read rankings but do not publish them.
		tb.open("scorecards?year=2025&kind=COUNTY", "scorecards")
		if n := count(tb, "#publish, #publish-panel"); n != 0 {
			t.Error("an inspector is offered to publish")
		}
	})

	t.Run("committee", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.login(e.tokens["committee"])
		// The bureau ranking was published when the ledger was made.
		tb.open("scorecards?year=2025&kind=BUREAU", "scorecards")
		if p := attr(tb, "#publish-state", "data-published"); p != "true" || count(tb, "#publish") != 0 {
			t.Errorf("bureau ranking: published %q, %d publish buttons", p, count(tb, "#publish"))
		}
		tb.open("scorecards?year=2025&kind=COUNTY", "scorecards")
		if s := tb.text("#publish-state"); !strings.Contains(s, "未发布") {
			t.Errorf("county ranking before: %q", s)
		}
		tb.run("ask to publish", chromedp.Click(chromedp.CSS(`#publish`)), chromedp.WaitVisible(chromedp.CSS(`#publish-confirm-box`)))
		if s := tb.text("#publish-confirm-box"); !strings.Contains(s, "永久") || !strings.Contains(s, "公开排名页面") || !strings.Contains(s, "标准评分办法（第3版）") {
			t.Errorf("confirmation: %q", s)
		}
		tb.shot("19-committee-confirm")
		tb.run("cancel", chromedp.Click(chromedp.CSS(`#publish-cancel`)), chromedp.WaitVisible(chromedp.CSS(`#publish`)), chromedp.WaitNotVisible(chromedp.CSS(`#publish-confirm-box`)))
		// The first answer is lost on the way back: recorded, but the page
		// sees a network failure. Pressing again sends the same key.
		lose := `(() => {
			const orig = window.fetch;
			let lost = false;
			window.fetch = async function (url, opts) {
				const res = await orig.apply(this, arguments);
				if (!lost && opts && String(opts.body).includes('publishScorecard')) {
					lost = true;
					window.disabledInFlight = document.querySelector('#publish-confirm').disabled;
					await res.text();
					throw new TypeError('test: the answer was lost');
				}
				return res;
			};
			return true;
		})()`
		get(tb, "lose the next answer", chromedp.Evaluate[bool](lose))
		tb.run("publish, losing the answer",
			chromedp.Click(chromedp.CSS(`#publish`)),
			chromedp.Click(chromedp.CSS(`#publish-confirm`)),
			chromedp.WaitVisible(chromedp.CSS(`#action-msg .error[data-code="NETWORK"]`)))
		if !get(tb, "disabled in flight", chromedp.Evaluate[bool](`window.disabledInFlight === true`)) {
			t.Error("the confirm button was enabled while the request was in flight")
		}
		tb.shot("20-committee-answer-lost")
		tb.run("publish again", chromedp.Click(chromedp.CSS(`#publish-confirm`)), chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
		if d := attr(tb, "#action-msg .success", "data-duplicate"); d != "true" {
			t.Errorf("the retry recorded anew (duplicate %q)", d)
		}
		if p := attr(tb, "#publish-state", "data-published"); p != "true" {
			t.Errorf("after publishing, the page says published=%q", p)
		}
		if v := attr(tb, "#publication", "data-verified"); v != "true" {
			t.Errorf("publication verified=%q", v)
		}
		if n := count(tb, "#publish"); n != 0 {
			t.Error("the publish button is still offered")
		}
		tb.shot("21-committee-published")
		var pubs struct {
			PublishedScorecards struct{ Nodes []struct{ Digest string } }
		}
		e.must(t, "", `{ publishedScorecards(year: 2025, kind: COUNTY) { nodes { digest } } }`, &pubs)
		if len(pubs.PublishedScorecards.Nodes) != 1 {
			t.Errorf("%d county publications on record, want 1", len(pubs.PublishedScorecards.Nodes))
		}
		// The committee reads the obligations ledger without acting on it.
		tb.open("mine", "mine")
		if n := count(tb, "main form"); n != 0 {
			t.Errorf("the committee sees %d forms on the obligations ledger", n)
		}
	})

	t.Run("public", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.open("public?year=2025&kind=COUNTY", "public")
		if s := tb.text(`section.published[data-kind="COUNTY"]`); !strings.Contains(s, "宁城县") || !strings.Contains(s, "已复核") {
			t.Errorf("published county ranking: %.300q", s)
		}
		tb.shot("22-public-counties")
	})

	t.Run("county", func(t *testing.T) {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.login(e.tokens["county"])
		tb.open("mine", "mine")
		const others = "#decisions, #claims, #findings, #publish, #publish-panel, form.grant, form.refuse, form.verify, form.reject"
		if n := count(tb, others); n != 0 {
			t.Errorf("a county token sees %d actions of other roles", n)
		}
		if n := count(tb, "#form-progress"); n != 1 {
			t.Error("the county's own forms are missing")
		}
		tb.open("tasks", "tasks")
		if n := count(tb, "#queue-link"); n != 0 {
			t.Error("a county token sees the decision queue link")
		}
	})
	t.Logf("action tests took %s", time.Since(started).Round(time.Millisecond))
}
