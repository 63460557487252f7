package dashboard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// Checks every main page must pass (issue 19): width, internal ids, axe.

// viewport sets the tab's window to a phone's or a desk's width.
func (tb *tab) viewport(w, h int64) {
	tb.t.Helper()
	tb.run("viewport", chromedp.EmulateViewport(w, h))
}

// overflow is how many CSS pixels the page is wider than the window: more
// than zero means the person must scroll sideways.
func (tb *tab) overflow() int {
	tb.t.Helper()
	return get(tb, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
}

// internalID matches what must never reach a person's screen: milestone
// ids (ms-…), unit ids (county.ningcheng), rule ids (county.delivery.slip),
// the scheme's name and version (default v3) and obligation ids
// (chifeng-air/10/county.ningcheng/IMPLEMENTING).
var internalID = regexp.MustCompile(`\bms-[0-9a-z]+|\b(?:bureau|county|city)\.[a-z][a-z-]*|\bdefault v\d+|\b[a-z]+\.[a-z_]+\.[a-z_]+\b|/(?:LEAD|JOINT|SUPPORT|IMPLEMENTING)\b|\b(?:GREEN|YELLOW|RED|GREY|OPEN|OVERDUE|VERIFIED|capped)\b`)

// internalIDs returns the internal ids in the page's visible text, its
// tooltips and its labels for screen readers.
func (tb *tab) internalIDs() []string {
	tb.t.Helper()
	text := get(tb, "page text", chromedp.Evaluate[string](`(() => {
		const parts = [document.body.innerText];
		for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
			if (el.closest('[hidden]')) continue;
			parts.push(el.getAttribute('title') || '', el.getAttribute('aria-label') || '', el.getAttribute('placeholder') || '');
		}
		return parts.join('\n');
	})()`))
	return internalID.FindAllString(text, 10)
}

// axeSource is axe-core's minified build, as `make dashboard-deps`
// installs it (npm ci in dashboard/web).
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core is not installed (%v), and under CI=true the accessibility check must run: make dashboard-deps", err)
		}
		t.Skipf("axe-core is not installed (%v): run make dashboard-deps (npm ci in dashboard/web) for the accessibility check", err)
	}
	return string(b)
}

// axeViolation is one rule axe-core found broken, with where.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axe runs axe-core on the page against WCAG 2.1 A and AA and returns the
// serious and critical violations.
func (tb *tab) axe(src string) []axeViolation {
	tb.t.Helper()
	get(tb, "inject axe-core", chromedp.Evaluate[bool](src+"\n;true"))
	out := get(tb, "run axe-core", chromedp.Evaluate[string](`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
		.then((r) => JSON.stringify(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')))`, chromedp.EvalAwaitPromise))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		tb.t.Fatalf("axe-core's answer: %v", err)
	}
	return vs
}

// checkPage asserts what every main page owes at the tab's current width:
// no sideways scroll on a phone, no internal id, no serious or critical
// accessibility violation.
func (tb *tab) checkPage(name string, phone bool, axeSrc string) {
	tb.t.Helper()
	if phone {
		if w := tb.overflow(); w > 0 {
			tb.t.Errorf("%s: the page is %d px wider than a 390 px phone", name, w)
		}
	}
	if ids := tb.internalIDs(); len(ids) > 0 {
		tb.t.Errorf("%s: internal ids on the Chinese page: %q", name, ids)
	}
	for _, v := range tb.axe(axeSrc) {
		where := ""
		if len(v.Nodes) > 0 {
			where = v.Nodes[0].HTML
		}
		tb.t.Errorf("%s: axe %s (%s, %d elements): %s; first: %.200s", name, v.ID, v.Impact, len(v.Nodes), v.Help, where)
	}
}
