package dashboard

import (
	"fmt"
	"testing"
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
}

// Every main page, on a desk (1280 px) and on a phone (390 px): no
// sideways scroll on the phone, no internal id, axe-core finds nothing
// serious or critical.
func TestBrowserMainPages(t *testing.T) {
	bctx := browser(t)
	axeSrc := axeSource(t)
	e := demoServer(t)
	dir := shots(t)
	for _, width := range []int64{1280, 390} {
		tabs := map[string]*tab{}
		for i, p := range mainPages {
			tb := tabs[p.role]
			if tb == nil {
				tb = newTab(t, bctx, e.http.URL, dir)
				tb.viewport(width, 900)
				if p.role != "" {
					tb.login(e.tokens[p.role])
				}
				tabs[p.role] = tb
			}
			tb.open(p.route, p.page)
			tb.shot(fmt.Sprintf("main-%d-%02d-%s-%s", width, i, p.role, p.page))
			tb.checkPage(fmt.Sprintf("%d px %s #/%s", width, p.role, p.route), width < 500, axeSrc)
		}
	}
}
