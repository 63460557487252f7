package dashboard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"taskledger/evidence/evidencetest"
)

// A county attaches a file to a progress report and to a claim from its
// own page; the obligation then lists the files as download links that
// save under their Chinese names; a program is refused and nothing is
// recorded.
func TestBrowserEvidence(t *testing.T) {
	bctx := browser(t)
	e, _ := newEvidenceEnv(t, 0)
	dir := shots(t)
	tb := newTab(t, bctx, e.http.URL, dir)
	tb.login(e.tokens["county"])
	tb.open("mine", "mine")
	files := t.TempDir()
	photo := filepath.Join(files, "现场照片.pdf")
	program := filepath.Join(files, "验收报告.pdf")
	if err := os.WriteFile(photo, evidencetest.PDF("浏览器"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(program, evidencetest.Exe(), 0o600); err != nil {
		t.Fatal(err)
	}
	oid := get(tb, "pick obligation", chromedp.Value(chromedp.CSS(`#obligation`)))
	row := fmt.Sprintf(`tr.obligation[data-obligation=%q]`, oid)

	tb.run("report with a program attached",
		chromedp.SetValue(chromedp.CSS(`#percent`), "35"),
		chromedp.SetUploadFiles(chromedp.CSS(`#report-files`), []string{program}),
		chromedp.Click(chromedp.CSS(`#form-progress button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-msg .error`)))
	if s := tb.text("#action-msg .error"); !strings.Contains(s, "验收报告.pdf") || !strings.Contains(s, "INVALID_ARGUMENT") {
		t.Errorf("refusal: %q", s)
	}
	tb.shot("30-county-evidence-refused")

	tb.run("report with a file attached",
		chromedp.SetValue(chromedp.CSS(`#percent`), "35"),
		chromedp.SetUploadFiles(chromedp.CSS(`#report-files`), []string{photo}),
		chromedp.Click(chromedp.CSS(`#form-progress button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-msg .success`)))
	if s := tb.text(row + " .evidence"); !strings.Contains(s, "现场照片.pdf") || !strings.Contains(s, "进展报告") {
		t.Fatalf("evidence after the report: %q", s)
	}
	// The report's success note stays until the claim's replaces it: wait
	// for the claim's own note.
	tb.run("claim with the same file",
		chromedp.SetUploadFiles(chromedp.CSS(`#claim-files`), []string{photo}),
		chromedp.Click(chromedp.CSS(`#form-claim button[type=submit]`)))
	if s := get(tb, "the claim recorded", chromedp.Poll[string](`(() => { const s = document.querySelector('#action-msg .success'); return s && s.textContent.includes('CompletionClaimed') ? s.textContent : null; })()`)); s == "" {
		t.Fatal("no note of the claim")
	}
	if n := get(tb, "evidence links", chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, row+" .evidence-link"))); n != 2 {
		t.Fatalf("%d evidence links after the claim, want 2", n)
	}
	get(tb, "scroll to the row", chromedp.Evaluate[bool](fmt.Sprintf(`(document.querySelector(%q).scrollIntoView({block: 'center'}), true)`, row)))
	tb.shot("31-county-evidence-listed")
	get(tb, "catch downloads", chromedp.Evaluate[bool](`(() => {
		const click = HTMLAnchorElement.prototype.click;
		HTMLAnchorElement.prototype.click = function () {
			if (this.hasAttribute('download')) { window.savedAs = this.getAttribute('download'); return; }
			return click.apply(this, arguments);
		};
		return true;
	})()`))
	tb.run("download the file", chromedp.Click(chromedp.CSS(row+" .evidence-link")))
	if name := get(tb, "the saved file", chromedp.Poll[string](`window.savedAs`)); name != "现场照片.pdf" {
		t.Errorf("evidence saved as %q", name)
	}
}
