package dashboard

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
		tb.open("audit", "audit")
		if s := tb.text("#intact"); !strings.Contains(s, "哈希链完整") {
			t.Errorf("chain status: %q", s)
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
		if s := tb.text(".summary"); !strings.Contains(s, "default v1") {
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
		tb.shot("10-inspector-audit")
		// From a score line to the events behind it, highlighted in the trail.
		tb.open("scorecards?year=2025&kind=COUNTY", "scorecards")
		tb.run("open a unit", chromedp.Click(chromedp.CSS(`tr.card-row a.unit-link`)), chromedp.WaitVisible(chromedp.CSS(`#page-unit[data-ready="true"] table.lines`)))
		id := get(tb, "first event link", chromedp.Evaluate[string](`document.querySelector('a.event-link').title`))
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
