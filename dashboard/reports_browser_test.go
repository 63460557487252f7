package dashboard

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"taskledger/reportsheet"
)

// A county logs in, downloads its template from its own page, uploads it
// filled and sees the reports in its obligations; a bad file shows each
// bad cell in Chinese.
func TestBrowserBulkReport(t *testing.T) {
	bctx := browser(t)
	e := newReportEnv(t)
	dir := shots(t)
	tb := newTab(t, bctx, e.http.URL, dir)
	tb.login(e.tokens["county"])
	tb.open("mine", "mine")
	if s := tb.text("#bulk-report"); !strings.Contains(s, "下载报送模板") || !strings.Contains(s, "上传并报送") {
		t.Fatalf("bulk panel: %q", s)
	}
	get(tb, "catch downloads", chromedp.Evaluate[bool](`(() => {
		const click = HTMLAnchorElement.prototype.click;
		HTMLAnchorElement.prototype.click = function () {
			if (this.hasAttribute('download')) { window.savedAs = this.getAttribute('download'); return; }
			return click.apply(this, arguments);
		};
		return true;
	})()`))
	tb.run("download the template", chromedp.Click(chromedp.CSS(`button[data-bulk="template"]`)))
	if name := get(tb, "the saved template", chromedp.Poll[string](`window.savedAs`)); !strings.HasPrefix(name, "宁城县-任务进展报送表-") || !strings.HasSuffix(name, ".xlsx") {
		t.Errorf("template saved as %q", name)
	}

	// Fill the template the server gives this county (the same file).
	resp, body := e.do(t, "county", http.MethodGet, "/export/template.xlsx", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("template: %d", resp.StatusCode)
	}
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	r := reportsheet.FirstDataRow
	ref, _ := x.GetCellValue(reportsheet.SheetName, "K"+strconv.Itoa(r))
	x.SetCellValue(reportsheet.SheetName, "H"+strconv.Itoa(r), 64)
	x.SetCellValue(reportsheet.SheetName, "I"+strconv.Itoa(r), "浏览器批量报送")
	good := filepath.Join(t.TempDir(), "filled.xlsx")
	if err := x.SaveAs(good); err != nil {
		t.Fatal(err)
	}
	tb.run("upload the filled file",
		chromedp.SetUploadFiles(chromedp.CSS(`#bulk-report input[type=file]`), []string{good}),
		chromedp.Click(chromedp.CSS(`button[data-bulk="upload"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#bulk-done`)))
	if s := tb.text("#bulk-done"); !strings.Contains(s, "记录 1 行") {
		t.Errorf("upload result: %q", s)
	}
	row := fmt.Sprintf(`tr.obligation[data-obligation=%q]`, ref)
	if s := tb.text(row + " .pct"); s != "64%" {
		t.Errorf("progress after the upload: %q", s)
	}
	tb.shot("20-county-bulk-uploaded")

	x.SetCellValue(reportsheet.SheetName, "H"+strconv.Itoa(r+1), 120)
	bad := filepath.Join(t.TempDir(), "bad.xlsx")
	if err := x.SaveAs(bad); err != nil {
		t.Fatal(err)
	}
	tb.run("upload a bad file",
		chromedp.SetUploadFiles(chromedp.CSS(`#bulk-report input[type=file]`), []string{bad}),
		chromedp.Click(chromedp.CSS(`button[data-bulk="upload"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#bulk-report .error ul.problems li`)))
	if s := tb.text("#bulk-report .error"); !strings.Contains(s, "第 5 行「进展百分比」：应为 0 到 100 的整数") || !strings.Contains(s, "未记录任何内容") {
		t.Errorf("refusal: %q", s)
	}
	tb.shot("21-county-bulk-refused")
	_ = os.Remove(bad)
}
