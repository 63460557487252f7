package dashboard

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"taskledger/domain"
)

// mainPages are the pages each role lands on and reads most, by role.
var mainPages = []struct{ role, route, page string }{
	{"", "public?year=2025", "public"},
	{"committee", "scorecards?year=2025&kind=COUNTY", "scorecards"},
	{"committee", "unit?year=2025&kind=BUREAU&unit=bureau.public-security", "unit"},
	{"committee", "tasks", "tasks"},
	{"committee", "trends?year=2025", "trends"},
	{"committee", "mine", "mine"},
	{"inspector", "audit", "audit"},
	{"inspector", "audit?task=10", "audit"},
	{"county", "mine", "mine"},
	{"county", "myunit?year=2025", "myunit"},
	{"county", "air?year=2025", "air"},
	{"county", "appeals?year=2025", "appeals"},
	{"county", "bulletins", "bulletins"},
	{"bureau", "led", "led"},
	{"bureau", "audit", "audit"},
	{"coordinator", "mine", "mine"},
	{"coordinator", "changes", "changes"},
}

// Every main page, on a desk (1280 px) and on a phone (390 px): no
// sideways scroll on the phone, no internal id, axe-core finds nothing
// serious or critical; and no sideways scroll at 360 px either (the phone
// tab narrowed).
func TestBrowserMainPages(t *testing.T) {
	browser(t) // skips without Chromium
	axeSrc := axeSource(t)
	e := demoServer(t)
	dir := shots(t)
	for _, width := range []int64{1280, 390} {
		for _, role := range []string{"", "committee", "inspector", "county", "bureau", "coordinator"} {
			t.Run(fmt.Sprintf("%d-%s", width, role), func(t *testing.T) { checkMainPages(t, e, dir, width, role, axeSrc) })
		}
	}
}

// checkMainPages opens one role's main pages at one width, with a browser
// of its own (a browser lives 90 seconds).
func checkMainPages(t *testing.T, e *demoEnv, dir string, width int64, role, axeSrc string) {
	tb := newTab(t, browser(t), e.http.URL, dir)
	tb.viewport(width, 900)
	if role != "" {
		tb.login(e.tokens[role])
	}
	for i, p := range mainPages {
		if p.role != role {
			continue
		}
		tb.open(p.route, p.page)
		tb.shot(fmt.Sprintf("main-%d-%02d-%s-%s", width, i, p.role, p.page))
		name := fmt.Sprintf("%d px %s #/%s", width, p.role, p.route)
		tb.checkPage(name, width < 500, axeSrc)
		if width < 500 {
			// The narrowest phone the dashboard serves: the width alone.
			tb.viewport(360, 800)
			if w := tb.overflow(); w > 0 {
				t.Errorf("360 px %s #/%s: the page is %d px wider than the phone", p.role, p.route, w)
			}
			tb.viewport(width, 900)
		}
	}
}

// visible counts the elements a selector finds that are shown.
func (tb *tab) visible(sel string) int {
	tb.t.Helper()
	return get(tb, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`[...document.querySelectorAll(%q)].filter((el) => el.offsetParent !== null).length`, sel)))
}

// eval runs a script and returns its string answer.
func (tb *tab) eval(what, js string) string {
	tb.t.Helper()
	return get(tb, what, chromedp.Evaluate[string](js))
}

// choose picks an option of a select as a person would.
func (tb *tab) choose(sel, value string) {
	tb.t.Helper()
	get(tb, "choose "+value, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event('change')); return true; })()`, sel, value)))
}

var shownN = regexp.MustCompile(`\d+`)

// shown is the number of obligations the ledger's filters let through.
func (tb *tab) shown() int {
	tb.t.Helper()
	n, _ := strconv.Atoi(shownN.FindString(tb.text("#list-shown")))
	return n
}

// The obligations ledger on a desk and on a phone: a filter, a search, a
// page turn, each kept in the address so that the view can be shared, and
// the task board's counts leading to their lists.
func TestBrowserLedgerList(t *testing.T) {
	bctx := browser(t)
	e := demoServer(t)
	dir := shots(t)
	for _, width := range []int64{1280, 390} {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.viewport(width, 900)
		tb.login(e.tokens["committee"])
		tb.open("mine", "mine")
		all := tb.shown()
		if all < 100 {
			t.Fatalf("%d px: the committee's ledger shows %d obligations, want the whole ledger", width, all)
		}
		if n := tb.visible("table.obligations tr.obligation"); n != 50 {
			t.Errorf("%d px: %d rows on the first page, want 50", width, n)
		}
		if s := tb.text("#list-page"); s != fmt.Sprintf("第 1 / %d 页", (all+49)/50) {
			t.Errorf("%d px: pager reads %q", width, s)
		}
		first := tb.eval("first row", `document.querySelector('table.obligations tr.obligation:not([hidden])').dataset.obligation`)
		// A page turn shows the next 50 and says so in the address.
		tb.run("next page", chromedp.Click(chromedp.CSS(`#list-next`)))
		if s := tb.text("#list-page"); !strings.HasPrefix(s, "第 2 / ") {
			t.Errorf("%d px: after a page turn the pager reads %q", width, s)
		}
		second := tb.eval("first row", `document.querySelector('table.obligations tr.obligation:not([hidden])').dataset.obligation`)
		if second == first {
			t.Errorf("%d px: the second page starts with the first page's row", width)
		}
		if h := tb.eval("hash", `location.hash`); h != "#/mine?page=2" {
			t.Errorf("%d px: address after a page turn: %q", width, h)
		}
		tb.shot(fmt.Sprintf("list-%d-1-page2", width))
		// The same address opened again shows the same page.
		tb.open("mine?page=2", "mine")
		if again := tb.eval("first row", `document.querySelector('table.obligations tr.obligation:not([hidden])').dataset.obligation`); again != second {
			t.Errorf("%d px: the shared address opens on %s, not %s", width, again, second)
		}
		// A filter by light: only red rows, all of them, in the address.
		tb.choose("#list-light", "RED")
		red := tb.shown()
		if red == 0 || red >= all {
			t.Errorf("%d px: %d red of %d", width, red, all)
		}
		if n := tb.visible(`table.obligations tr.obligation:not([data-light="RED"])`); n != 0 {
			t.Errorf("%d px: %d rows of other lights under the red filter", width, n)
		}
		if n := tb.visible(`table.obligations tr.obligation`); n != min(red, 50) {
			t.Errorf("%d px: %d rows shown for %d red obligations", width, n, red)
		}
		if h := tb.eval("hash", `location.hash`); h != "#/mine?light=RED" {
			t.Errorf("%d px: address after the filter: %q", width, h)
		}
		// A search within the filter: one county's red duties.
		tb.run("search", chromedp.SendKeys(chromedp.CSS(`#list-q`), "宁城县"))
		if n := get(tb, "rows without 宁城县", chromedp.Evaluate[int](`[...document.querySelectorAll('table.obligations tr.obligation:not([hidden])')].filter((tr) => !tr.textContent.includes('宁城县') && tr.dataset.unitName !== '宁城县').length`)); n != 0 {
			t.Errorf("%d px: the search for 宁城县 shows %d rows that do not mention it", width, n)
		}
		if n := tb.visible(`table.obligations tr.obligation[data-unit-name="宁城县"]`); n == 0 {
			t.Errorf("%d px: the search for 宁城县 shows none of its red duties", width)
		}
		if h := tb.eval("hash", `decodeURIComponent(location.hash)`); h != "#/mine?q=宁城县&light=RED" {
			t.Errorf("%d px: address after the search: %q", width, h)
		}
		tb.shot(fmt.Sprintf("list-%d-2-red-ningcheng", width))
		if width < 500 {
			if w := tb.overflow(); w > 0 {
				t.Errorf("390 px: the filtered ledger is %d px too wide", w)
			}
		}
		// The task board's red count opens the ledger filtered to red.
		tb.open("tasks", "tasks")
		label := tb.text(`#light-counts a[data-count="RED"]`)
		tb.run("follow the red count", chromedp.Click(chromedp.CSS(`#light-counts a[data-count="RED"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#page-mine[data-ready="true"] #list-shown`)))
		if n := tb.shown(); label != fmt.Sprintf("红灯 %d", n) {
			t.Errorf("%d px: the board's %q opens a list of %d", width, label, n)
		}
		// The ledger's own counts link to their lists too.
		tb.run("follow the overdue count", chromedp.Click(chromedp.CSS(`#count-links a[data-count="OVERDUE"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#page-mine[data-ready="true"] #list-shown`)))
		if n := tb.visible(`table.obligations tr.obligation:not([data-status="OVERDUE"])`); n != 0 {
			t.Errorf("%d px: the overdue list shows %d rows that are not overdue", width, n)
		}
	}
}

// The trends page draws its four charts with ECharts, with the figures
// beside each, on a desk and on a phone.
func TestBrowserTrends(t *testing.T) {
	bctx := browser(t)
	e := demoServer(t)
	dir := shots(t)
	for _, width := range []int64{1280, 390} {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.viewport(width, 900)
		tb.login(e.tokens["inspector"])
		tb.open("trends?year=2025", "trends")
		for _, id := range []string{"chart-progress", "chart-slips", "chart-rank", "chart-map"} {
			tb.run("draw "+id, chromedp.WaitVisible(chromedp.CSS(`#`+id+`[data-rendered="true"] svg`)))
			if n := get(tb, "shapes of "+id, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll('#%s svg path, #%s svg rect').length`, id, id))); n < 5 {
				t.Errorf("%d px: %s draws %d shapes", width, id, n)
			}
		}
		// Twelve month ends, and the chart holds the table's figures.
		months := get(tb, "months", chromedp.Evaluate[int](`document.querySelectorAll('#chart-progress-table tbody tr').length`))
		if months != 12 {
			t.Errorf("%d px: %d months in 2025's progress table", width, months)
		}
		same := get(tb, "chart vs table", chromedp.Evaluate[bool](`(() => {
			const drawn = echarts.getInstanceByDom(document.getElementById('chart-progress')).getOption().series[0].data.map(Number);
			const table = [...document.querySelectorAll('#chart-progress-table tbody tr')].map((tr) => Number(tr.cells[1].textContent));
			return drawn.length === 12 && drawn.every((v, i) => v === table[i]) && drawn[11] > drawn[0];
		})()`))
		if !same {
			t.Errorf("%d px: the progress chart does not draw its table's rising figures", width)
		}
		// The map shades all twelve counties.
		if n := get(tb, "map tiles", chromedp.Evaluate[int](`echarts.getInstanceByDom(document.getElementById('chart-map')).getOption().series[0].data.length`)); n != 12 {
			t.Errorf("%d px: the map has %d counties", width, n)
		}
		tb.run("scroll to the map", chromedp.ScrollIntoView(chromedp.CSS(`#chart-map`)))
		tb.shot(fmt.Sprintf("trends-%d", width))
		if width < 500 {
			if w := tb.overflow(); w > 0 {
				t.Errorf("390 px: the trends page is %d px too wide", w)
			}
		}
	}
}

// An inspector lands on the audit page with a task picker and the latest
// reports, not an empty page; the picker filters and opens a trail.
func TestBrowserInspectorLanding(t *testing.T) {
	bctx := browser(t)
	e := demoServer(t)
	dir := shots(t)
	tb := newTab(t, bctx, e.http.URL, dir)
	tb.login(e.tokens["inspector"])
	tb.run("land", chromedp.WaitVisible(chromedp.CSS(`#page-audit[data-ready="true"] #task-picker`)))
	var tasks struct {
		Tasks struct{ Nodes []struct{ Number int } }
	}
	e.must(t, "inspector", `{ tasks(first: 500) { nodes { number } } }`, &tasks)
	if n := tb.visible("#task-picker li"); n != len(tasks.Tasks.Nodes) || n == 0 {
		t.Errorf("the picker offers %d tasks of %d", n, len(tasks.Tasks.Nodes))
	}
	if n := tb.visible("#recent ol.timeline li"); n == 0 {
		t.Error("no recent activity on the inspector's landing page")
	}
	tb.shot("inspector-landing")
	tb.run("filter", chromedp.SendKeys(chromedp.CSS(`#task-filter`), "货物运输"))
	if n := tb.visible("#task-picker li"); n != 1 {
		t.Errorf("filtering by 货物运输 leaves %d tasks", n)
	}
	tb.run("open the trail", chromedp.Click(chromedp.CSS(`#task-picker li:not([hidden]) a`)),
		chromedp.WaitVisible(chromedp.CSS(`#page-audit[data-ready="true"] table.audit tr.event`)))
	if s := tb.text("#page-title"); !strings.Contains(s, "任务 10") {
		t.Errorf("the picked trail is %q", s)
	}
	// A ranking's slip count leads to the card whose lines list the slips.
	tb.open("scorecards?year=2025&kind=BUREAU", "scorecards")
	n := tb.text(`a.slips-link`)
	tb.run("follow a slip count", chromedp.Click(chromedp.CSS(`a.slips-link`)), chromedp.WaitVisible(chromedp.CSS(`#page-unit[data-ready="true"] table.lines`)))
	if s := tb.text(".summary"); !strings.Contains(s, "延误: "+n) {
		t.Errorf("the slip count %s opens a card reading %q", n, s)
	}
}

// A grade lowered for a false report says so in plain Chinese on the
// ranking, with no English word.
func TestBrowserGradeCapExplained(t *testing.T) {
	bctx := browser(t)
	e, stop, err := buildDemo()
	if err != nil {
		t.Fatalf("demo ledger: %v", err)
	}
	t.Cleanup(stop)
	dir := shots(t)
	var sc struct {
		Scorecard struct {
			Cards []struct{ Unit, Name, Grade string }
		}
	}
	// A finding counts in the year it is recorded: this year's ranking.
	year := time.Now().In(domain.Shanghai()).Year()
	e.must(t, "committee", fmt.Sprintf(`{ scorecard(year: %d, kind: BUREAU) { cards { unit name grade } } }`, year), &sc)
	top := sc.Scorecard.Cards[0]
	var obs struct {
		Obligations struct {
			Nodes []struct {
				Task int
				Role string
			}
		}
	}
	e.must(t, "committee", fmt.Sprintf(`{ obligations(unit: %q, first: 1) { nodes { task role } } }`, top.Unit), &obs)
	if len(obs.Obligations.Nodes) == 0 {
		t.Fatalf("%s holds no duty", top.Name)
	}
	e.must(t, "inspector", fmt.Sprintf(`mutation { recordFinding(input: {obligation: {task: %d, unit: %q, role: %s}, kind: FALSE_REPORT, severity: MAJOR,
		summary: "浏览器测试：虚报进度", idempotencyKey: "cap-finding", wait: true}) { userErrors { code message } position } }`, obs.Obligations.Nodes[0].Task, top.Unit, obs.Obligations.Nodes[0].Role), nil)
	tb := newTab(t, bctx, e.http.URL, dir)
	tb.login(e.tokens["committee"])
	tb.open(fmt.Sprintf("scorecards?year=%d&kind=BUREAU", year), "scorecards")
	row := fmt.Sprintf(`tr.card-row[data-unit=%q]`, top.Unit)
	s := tb.text(row)
	if !strings.Contains(s, "弄虚作假") || !strings.Contains(s, "等次") || strings.Contains(strings.ToLower(s), "capped") {
		t.Errorf("the capped card reads %q", s)
	}
	if ids := tb.internalIDs(); len(ids) > 0 {
		t.Errorf("internal ids on the ranking: %q", ids)
	}
	if s := tb.text("#grade-legend"); !strings.Contains(s, "弄虚作假") {
		t.Errorf("the ranking's legend: %q", s)
	}
	tb.run("scroll to the card", chromedp.ScrollIntoView(chromedp.CSS(row)))
	tb.shot("capped-grade")
	tb.run("open the capped unit", chromedp.Click(chromedp.CSS(row+` a.unit-link`)), chromedp.WaitVisible(chromedp.CSS(`#page-unit[data-ready="true"] #cap-note`)))
	if s := tb.text("#cap-note"); !strings.Contains(s, "弄虚作假") || !strings.Contains(s, "等次最高") {
		t.Errorf("the unit page's explanation: %q", s)
	}
}

// Without a choice made with the switch, the page follows the browser's
// languages (Accept-Language): Chinese first, English for an English
// browser, Chinese when neither is asked for.
func TestBrowserLanguageChoice(t *testing.T) {
	bctx := browser(t)
	e := demoServer(t)
	tb := newTab(t, bctx, e.http.URL, t.TempDir())
	tb.open("public?year=2025", "public")
	got := tb.eval("languages", `(() => {
		const pick = (langs, stored) => { Object.defineProperty(navigator, 'languages', { value: langs, configurable: true }); return taskledgerUI.lang(stored); };
		return [pick(['zh-CN', 'en']), pick(['en-US', 'zh-CN']), pick(['fr-FR']), pick(['en-US'], 'zh'), pick(['zh-CN'], 'en')].join(',');
	})()`)
	if got != "zh,en,zh,zh,en" {
		t.Errorf("languages chosen: %s, want zh,en,zh,zh,en", got)
	}
	if s := tb.text("#nav"); !strings.Contains(s, "公开排名") {
		t.Errorf("a Chinese browser's navigation: %q", s)
	}
	// The English catalogue covers the new pages: no text key shows.
	tb.login(e.tokens["committee"])
	tb.run("switch to English", chromedp.Click(chromedp.CSS(`#lang`)), chromedp.WaitVisible(chromedp.CSS(`.page[data-ready="true"]`)))
	missing := regexp.MustCompile(`\bx[A-Z][A-Za-z]+\b|xEvent\.`)
	for _, p := range []struct{ route, page, want string }{
		{"mine?light=RED", "mine", "Per page"},
		{"trends?year=2025", "trends", "Average progress"},
		{"unit?year=2025&kind=BUREAU&unit=bureau.public-security", "unit", "Explanation"},
	} {
		tb.open(p.route, p.page)
		body := tb.text("main")
		if !strings.Contains(body, p.want) {
			t.Errorf("English #/%s lacks %q: %.600s", p.route, p.want, body)
		}
		if m := missing.FindAllString(body, 5); len(m) > 0 {
			t.Errorf("English #/%s shows text keys %q", p.route, m)
		}
	}
	if s := tb.text("#nav"); !strings.Contains(s, "Trends and map") {
		t.Errorf("English navigation: %q", s)
	}
}

// The public ranking on a phone keeps every unit's name on one line: the
// score bar, which the score and the grade repeat, gives way to it. On a
// desk the bar is drawn.
func TestBrowserRankingNamesOnAPhone(t *testing.T) {
	bctx := browser(t)
	e := demoServer(t)
	tb := newTab(t, bctx, e.http.URL, shots(t))
	for _, width := range []int64{1280, 390} {
		tb.viewport(width, 900)
		tb.open("public?year=2025", "public")
		tb.shot(fmt.Sprintf("ranking-names-%d", width))
		bars := tb.visible(`table.ranking td.score-bar`)
		rows := tb.visible(`table.ranking tr.card-row`)
		if rows == 0 {
			t.Fatalf("%d px: the public ranking shows no unit", width)
		}
		switch {
		case width > 700 && bars != rows:
			t.Errorf("%d px: %d score bars for %d units", width, bars, rows)
		case width <= 700 && bars != 0:
			t.Errorf("%d px: %d score bars shown on a phone", width, bars)
		}
		// A name on two lines is at least twice its line's height.
		wrapped := tb.eval("wrapped names", `[...document.querySelectorAll('table.ranking td.unit-name')]
			.filter((td) => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length > 1; })
			.map((td) => td.textContent).join(', ')`)
		if wrapped != "" {
			t.Errorf("%d px: unit names on more than one line: %s", width, wrapped)
		}
		if w := tb.overflow(); w > 0 {
			t.Errorf("%d px: the ranking page is %d px wider than the window", width, w)
		}
	}
}

// Tables too wide for a phone read there as cards of labelled cells: the
// air-quality figures (eight columns), a unit's score lines and the audit
// trail. No figure, time or hash is broken across lines (they were, in
// columns a character or two wide), and the page does not scroll sideways.
func TestBrowserWideTablesOnAPhone(t *testing.T) {
	bctx := browser(t)
	e := demoServer(t)
	dir := shots(t)
	for _, p := range []struct{ role, route, page, table, label string }{
		{"county", "air?year=2025", "air", "#air-table", "有效天数"},
		{"committee", "unit?year=2025&kind=BUREAU&unit=bureau.public-security", "unit", "table.lines", "依据事件"},
		{"inspector", "audit?task=10", "audit", "table.audit", "操作者"},
	} {
		tb := newTab(t, bctx, e.http.URL, dir)
		tb.login(e.tokens[p.role])
		tb.viewport(390, 900)
		tb.open(p.route, p.page)
		tb.shot("cards-390-" + p.page)
		if n := tb.visible(fmt.Sprintf(`%s td[data-label=%q]`, p.table, p.label)); n == 0 {
			t.Errorf("390 px #/%s: no card labels its %s", p.route, p.label)
		}
		broken := tb.eval("broken cells", fmt.Sprintf(`[...document.querySelectorAll('%s .num, %s .nowrap')]
			.filter((el) => { const r = document.createRange(); r.selectNodeContents(el); return r.getClientRects().length > 1; })
			.map((el) => el.textContent).join(', ')`, p.table, p.table))
		if broken != "" {
			t.Errorf("390 px #/%s: broken across lines: %s", p.route, broken)
		}
		if w := tb.overflow(); w > 0 {
			t.Errorf("390 px #/%s: the page is %d px wider than the window", p.route, w)
		}
	}
}
