package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/projections"
	"taskledger/reportsheet"
)

// template downloads a unit's template as XLSX and opens it.
func (f *fixture) template(p auth.Principal) (reportsheet.Template, *excelize.File) {
	f.t.Helper()
	tpl, err := f.svc.ReportTemplate(context.Background(), p, app.TemplateInput{Plan: "chifeng-air"})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(tpl.Rows) < 3 {
		f.t.Fatalf("template has %d rows, want at least 3", len(tpl.Rows))
	}
	var buf bytes.Buffer
	if err := reportsheet.WriteXLSX(&buf, tpl); err != nil {
		f.t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { x.Close() })
	return tpl, x
}

// fill writes a row's fill-in cells (percent, note, period) by header.
func fill(t *testing.T, x *excelize.File, row int, cells map[string]any) {
	t.Helper()
	for i, h := range reportsheet.Headers {
		v, ok := cells[h]
		if !ok {
			continue
		}
		ref, _ := excelize.CoordinatesToCellName(i+1, row)
		if err := x.SetCellValue(reportsheet.SheetName, ref, v); err != nil {
			t.Fatal(err)
		}
	}
}

func saved(t *testing.T, x *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// progress returns a duty's current figure, note and report count from
// the read model.
func (f *fixture) progress(stream string) (int, string, int) {
	f.t.Helper()
	f.sync()
	ref, _ := domain.ParseStream(stream)
	for _, v := range f.views.Views().Obligations.Views(projections.Filter{Unit: ref.Unit}, f.now, 30) {
		if v.Stream != stream {
			continue
		}
		note := ""
		if v.LastReport != nil {
			note = v.LastReport.Note
		}
		return int(v.Progress), note, v.Reports
	}
	f.t.Fatalf("no obligation %s", stream)
	return 0, "", 0
}

// The XLSX round trip: download the template, fill two rows in
// excelize, upload: exactly those rows are recorded; the same file
// again records nothing.
func TestBulkReportXLSXRoundTrip(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	tpl, x := f.template(ningcheng)
	first := reportsheet.FirstDataRow
	fill(t, x, first, map[string]any{reportsheet.HeaderPercent: 40, reportsheet.HeaderNote: "已完成排查", reportsheet.HeaderPeriod: "2025-02"})
	fill(t, x, first+2, map[string]any{reportsheet.HeaderPercent: 15, reportsheet.HeaderNote: "启动"})
	file := saved(t, x)
	before := f.head()

	res, err := f.svc.BulkReport(ctx, ningcheng, app.BulkReportInput{File: file})
	if err != nil {
		t.Fatal(err)
	}
	if res.Recorded != 2 || res.Duplicates != 0 || res.Skipped != len(tpl.Rows)-2 {
		t.Fatalf("result %+v, want 2 recorded and %d skipped", res, len(tpl.Rows)-2)
	}
	if got := f.head() - before; got != 2 {
		t.Fatalf("recorded %d events, want 2", got)
	}
	if pct, note, n := f.progress(tpl.Rows[0].Ref); pct != 40 || note != "已完成排查" || n != 1 {
		t.Errorf("first row's duty: %d%% %q (%d reports)", pct, note, n)
	}
	if pct, note, _ := f.progress(tpl.Rows[2].Ref); pct != 15 || note != "启动" {
		t.Errorf("third row's duty: %d%% %q", pct, note)
	}
	if _, _, n := f.progress(tpl.Rows[1].Ref); n != 0 {
		t.Errorf("the blank row's duty got %d reports", n)
	}

	again, err := f.svc.BulkReport(ctx, ningcheng, app.BulkReportInput{File: file, Format: "xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Recorded != 0 || again.Duplicates != 2 || f.head()-before != 2 {
		t.Fatalf("second upload %+v moved the head by %d", again, f.head()-before)
	}
}

// problemsOf returns a refused upload's problems as the person reads them.
func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	var be *app.BulkReportError
	if !errors.As(err, &be) {
		t.Fatalf("want a BulkReportError, got %v", err)
	}
	if app.CodeOf(err) != app.InvalidArgument {
		t.Fatalf("code %s", app.CodeOf(err))
	}
	var out []string
	for _, p := range be.Problems {
		out = append(out, p.Chinese())
	}
	return out
}

func contains(list []string, want string) bool {
	for _, s := range list {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

// A malformed upload records nothing, not even its good rows, and names
// every bad cell by row number and column header.
func TestBulkReportRefusesMalformedFileWhole(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	_, x := f.template(ningcheng)
	other, _ := f.template(county("county.hongshan"))
	r := reportsheet.FirstDataRow
	fill(t, x, r, map[string]any{reportsheet.HeaderPercent: 30, reportsheet.HeaderNote: "正常的一行"})
	fill(t, x, r+1, map[string]any{reportsheet.HeaderPercent: "一半"})
	fill(t, x, r+2, map[string]any{reportsheet.HeaderPercent: 101})
	fill(t, x, r+3, map[string]any{reportsheet.HeaderPercent: 20, reportsheet.HeaderPeriod: "2025-13"})
	fill(t, x, r+4, map[string]any{reportsheet.HeaderPercent: 20, reportsheet.HeaderRef: "obligation-chifeng-air-999-county.ningcheng-implementing"})
	fill(t, x, r+5, map[string]any{reportsheet.HeaderPercent: 20, reportsheet.HeaderRef: other.Rows[0].Ref})
	fill(t, x, r+6, map[string]any{reportsheet.HeaderPercent: 20, reportsheet.HeaderRef: "随便写的"})
	fill(t, x, r+7, map[string]any{reportsheet.HeaderPercent: 20, reportsheet.HeaderPeriod: "2030-01"})
	before := f.head()
	_, err := f.svc.BulkReport(ctx, ningcheng, app.BulkReportInput{File: saved(t, x)})
	if f.head() != before {
		t.Fatalf("a refused file recorded %d events", f.head()-before)
	}
	got := problemsOf(t, err)
	for _, want := range []string{
		"第 5 行「进展百分比」：应为 0 到 100 的整数",
		"第 6 行「进展百分比」：应为 0 到 100 的整数",
		"第 7 行「报告期」：应为月份",
		"第 9 行：这一行是其他单位的任务责任",
		"第 10 行「编号」：编号无法识别",
		"第 8 行：账本中没有这项任务责任",
		"第 11 行「报告期」：报告期（2030-01）还没有到",
	} {
		if !contains(got, want) {
			t.Errorf("no problem %q among:\n%s", want, strings.Join(got, "\n"))
		}
	}
	if contains(got, "第 4 行") {
		t.Errorf("the good row is named: %q", got)
	}
	var ae *app.Error
	if !errors.As(err, &ae) || !strings.Contains(ae.MsgZH, "未记录任何内容") {
		t.Errorf("message %v", err)
	}

	// Alone, the same rule-breaking rows are named the same way.
	_, x = f.template(ningcheng)
	fill(t, x, r, map[string]any{reportsheet.HeaderPercent: 30})
	fill(t, x, r+1, map[string]any{reportsheet.HeaderPercent: 20, reportsheet.HeaderRef: "obligation-chifeng-air-999-county.ningcheng-implementing"})
	fill(t, x, r+2, map[string]any{reportsheet.HeaderPercent: 20, reportsheet.HeaderPeriod: "2030-01"})
	_, err = f.svc.BulkReport(ctx, ningcheng, app.BulkReportInput{File: saved(t, x)})
	got = problemsOf(t, err)
	if len(got) != 2 || !contains(got, "第 5 行") || !contains(got, "第 6 行「报告期」：报告期（2030-01）还没有到") {
		t.Errorf("problems:\n%s", strings.Join(got, "\n"))
	}
	if f.head() != before {
		t.Fatalf("a refused file recorded %d events", f.head()-before)
	}
}

// Files that are not a filled template are refused whole, with the reason.
func TestBulkReportRefusesWrongFiles(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	var notWorkbook bytes.Buffer
	zw := zip.NewWriter(&notWorkbook)
	w, _ := zw.Create("readme.txt")
	w.Write([]byte("hello"))
	zw.Close()
	before := f.head()
	for name, c := range map[string]struct {
		file   []byte
		format string
		want   string
	}{
		"empty":          {nil, "", "文件是空的"},
		"xls":            {[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, "", "旧版 Excel"},
		"binary":         {[]byte("\x89PNG\r\n\x1a\n\x00\x00"), "", "不是 XLSX 或 CSV"},
		"zip":            {notWorkbook.Bytes(), "", "不是 Excel 工作簿"},
		"declared wrong": {[]byte("a,b\n"), "xlsx", "与所选格式 XLSX 不符"},
		"no header":      {[]byte("姓名,年龄\n张三,3\n"), "csv", "找不到表头"},
		"latin1":         {[]byte("\xe9\xe8,\xff\n"), "csv", "无法识别 CSV 文件的编码"},
		"too big":        {bytes.Repeat([]byte("a"), reportsheet.MaxBytes+1), "", "上限"},
	} {
		_, err := f.svc.BulkReport(ctx, ningcheng, app.BulkReportInput{File: c.file, Format: c.format})
		var ae *app.Error
		if !errors.As(err, &ae) || ae.Code != app.InvalidArgument || !strings.Contains(ae.MsgZH, c.want) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
	}
	if _, err := f.svc.BulkReport(ctx, inspector, app.BulkReportInput{File: []byte("x")}); app.CodeOf(err) != app.Forbidden {
		t.Errorf("an inspector's upload: %v", err)
	}
	if f.head() != before {
		t.Fatalf("refused files recorded %d events", f.head()-before)
	}
}

// templateCSV writes a template's rows as the CSV a spreadsheet program
// saves: title lines, the header, the rows.
func templateCSV(t *testing.T, tpl reportsheet.Template, fills map[int][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{tpl.Title()})
	w.Write([]string{"方案：" + tpl.Plan})
	w.Write(reportsheet.Headers)
	for i, r := range tpl.Rows {
		row := []string{"1", r.Plan, r.Task, r.Milestone, r.Due.String(), r.Status, "", "", "", "", r.Ref}
		if v, ok := fills[i]; ok {
			copy(row[7:10], v)
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

// CSV with the same columns is read in UTF-8 (with or without BOM) and in
// GBK, as Excel saves it on a Chinese Windows.
func TestBulkReportCSV(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	tpl, _ := f.template(ningcheng)
	utf := templateCSV(t, tpl, map[int][]string{0: {"25", "第一次报送", "2025年2月"}})
	res, err := f.svc.BulkReport(ctx, ningcheng, app.BulkReportInput{File: append([]byte("\ufeff"), utf...), Format: "csv"})
	if err != nil || res.Recorded != 1 {
		t.Fatalf("utf-8 csv: %+v %v", res, err)
	}
	if pct, note, _ := f.progress(tpl.Rows[0].Ref); pct != 25 || note != "第一次报送" {
		t.Errorf("after utf-8 csv: %d%% %q", pct, note)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(templateCSV(t, tpl, map[int][]string{1: {"35", "按计划推进", "2025/02"}}))
	if err != nil {
		t.Fatal(err)
	}
	res, err = f.svc.BulkReport(ctx, ningcheng, app.BulkReportInput{File: gbk})
	if err != nil || res.Recorded != 1 {
		t.Fatalf("gbk csv: %+v %v", res, err)
	}
	if pct, note, _ := f.progress(tpl.Rows[1].Ref); pct != 35 || note != "按计划推进" {
		t.Errorf("after gbk csv: %d%% %q", pct, note)
	}
	bad := templateCSV(t, tpl, map[int][]string{2: {"-5", "", ""}})
	_, err = f.svc.BulkReport(ctx, ningcheng, app.BulkReportInput{File: bad})
	if got := problemsOf(t, err); len(got) != 1 || !strings.HasPrefix(got[0], "第 6 行「进展百分比」") {
		t.Errorf("csv problems %q", got)
	}
}

// The template lists a unit's own duties that it can report on, and a
// bureau or county cannot download another unit's.
func TestReportTemplate(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	tpl, err := f.svc.ReportTemplate(ctx, ningcheng, app.TemplateInput{})
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Unit != "宁城县" || tpl.Plan != "全部方案" {
		t.Errorf("title block: %q %q", tpl.Unit, tpl.Plan)
	}
	prev := 0
	for _, r := range tpl.Rows {
		ref, err := domain.ParseStream(r.Ref)
		if err != nil || ref.Unit != "county.ningcheng" {
			t.Fatalf("row %+v is not 宁城县's", r)
		}
		if int(ref.Task) < prev {
			t.Errorf("rows are not in the plan's task order: %d after %d", ref.Task, prev)
		}
		prev = int(ref.Task)
		if !strings.HasPrefix(r.Task, "（") || r.Status == "" || strings.Contains(r.Task, "county.") {
			t.Errorf("row %+v", r)
		}
	}
	if _, err := f.svc.ReportTemplate(ctx, ningcheng, app.TemplateInput{Unit: "county.hongshan"}); app.CodeOf(err) != app.Forbidden {
		t.Errorf("another unit's template: %v", err)
	}
	if _, err := f.svc.ReportTemplate(ctx, inspector, app.TemplateInput{}); app.CodeOf(err) != app.InvalidArgument {
		t.Errorf("an inspector naming no unit: %v", err)
	}
	if _, err := f.svc.ReportTemplate(ctx, inspector, app.TemplateInput{Unit: "宁城县", Plan: "no-such-plan"}); app.CodeOf(err) != app.NotFound {
		t.Errorf("an unknown plan: %v", err)
	}
}
