package reportsheet

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"taskledger/domain"
)

func sample() Template {
	sixty := 60
	return Template{Plan: "赤峰市空气质量持续改善行动实施方案", Unit: "宁城县", AsOf: time.Date(2025, 6, 30, 9, 0, 0, 0, domain.Shanghai()),
		Rows: []Row{
			{Ref: "obligation-chifeng-air-3-county.ningcheng-implementing", Plan: "赤峰", Task: "（三）遏制两高", Milestone: "完成", Due: mustDate("2025-12-31"), Status: "推进中", LastPercent: &sixty},
			{Ref: "obligation-chifeng-air-10-county.ningcheng-implementing", Plan: "赤峰", Task: "（十）货运结构", Status: "逾期"},
		}}
}

func mustDate(s string) domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func open(t *testing.T, tpl Template) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, tpl); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// The template has its title block, its columns, the facts of each duty,
// the 编号 column hidden, validations on the fill-in columns, and a
// protected sheet where only the fill-in cells are unlocked.
func TestTemplateWorkbook(t *testing.T) {
	f := open(t, sample())
	want := map[string]string{
		"A1": "宁城县 任务进展报送表", "A3": HeaderNo, "H3": HeaderPercent, "I3": HeaderNote, "J3": HeaderPeriod, "K3": HeaderRef,
		"A4": "1", "C4": "（三）遏制两高", "E4": "2025-12-31", "F4": "推进中", "G4": "60", "K4": "obligation-chifeng-air-3-county.ningcheng-implementing",
		"A5": "2", "G5": "", "F5": "逾期",
	}
	for ref, w := range want {
		if v, _ := f.GetCellValue(SheetName, ref); v != w {
			t.Errorf("%s = %q, want %q", ref, v, w)
		}
	}
	if sub, _ := f.GetCellValue(SheetName, "A2"); !strings.Contains(sub, "方案：赤峰市空气质量持续改善行动实施方案") || !strings.Contains(sub, "单位：宁城县") || !strings.Contains(sub, "截至：2025-06-30 09:00") {
		t.Errorf("subtitle %q", sub)
	}
	if visible, _ := f.GetColVisible(SheetName, "K"); visible {
		t.Error("the 编号 column is visible")
	}
	for _, col := range []string{"A", "C", "H", "J"} {
		if visible, _ := f.GetColVisible(SheetName, col); !visible {
			t.Errorf("column %s is hidden", col)
		}
	}
	dvs, _ := f.GetDataValidations(SheetName)
	kinds := map[string]string{}
	for _, dv := range dvs {
		kinds[dv.Sqref] = dv.Type + " " + dv.Formula1 + "–" + dv.Formula2
	}
	if kinds["H4:H5"] != "whole 0–100" || !strings.HasPrefix(kinds["J4:J5"], "date ") {
		t.Errorf("validations %v", kinds)
	}
	for ref, locked := range map[string]bool{"A4": true, "C4": true, "G4": true, "K4": true, "H4": false, "I4": false, "J5": false} {
		id, _ := f.GetCellStyle(SheetName, ref)
		st, _ := f.GetStyle(id)
		got := st.Protection == nil || st.Protection.Locked
		if got != locked {
			t.Errorf("%s locked = %v, want %v", ref, got, locked)
		}
	}
	var sheet bytes.Buffer
	_ = f.Write(&sheet)
	// Protection: excelize reads it back only through the sheet's XML.
	if !bytes.Contains(unzipSheet(t, sheet.Bytes()), []byte("<sheetProtection")) {
		t.Error("the sheet is not protected")
	}
	panes, _ := f.GetPanes(SheetName)
	if !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("panes %+v", panes)
	}
}

// A downloaded template read straight back has one blank line per duty.
func TestReadBackTemplate(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	up, err := Read(buf.Bytes(), "")
	if err != nil {
		t.Fatal(err)
	}
	if up.Format != XLSX || len(up.Lines) != 2 || up.Lines[0].Row != 4 || up.Lines[1].Row != 5 || !up.Lines[0].Blank() ||
		up.Lines[1].Cells[HeaderRef] != "obligation-chifeng-air-10-county.ningcheng-implementing" {
		t.Fatalf("read back %+v", up)
	}
}

// Too many rows are refused whole.
func TestReadRowLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Join(Headers, ",") + "\n")
	for range MaxRows + 1 {
		b.WriteString("1,,,,,,,5,,,obligation-p-1-u-lead\n")
	}
	_, err := Read([]byte(b.String()), CSV)
	if fe, ok := err.(*FileError); !ok || !strings.Contains(fe.ZH, "5000 行") {
		t.Fatalf("got %v", err)
	}
}

func unzipSheet(t *testing.T, b []byte) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			r, _ := f.Open()
			defer r.Close()
			out, _ := io.ReadAll(r)
			return out
		}
	}
	t.Fatal("no sheet1.xml")
	return nil
}
