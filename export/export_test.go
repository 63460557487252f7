package export

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"taskledger/domain"
)

func sample() Scorecard {
	return Scorecard{
		Plan: "chifeng-air", Year: 2025, Kind: "county", Scheme: "default", SchemeVersion: 1,
		AsOf: time.Date(2026, 1, 31, 23, 59, 59, 0, domain.Shanghai()), Digest: "abc", Notice: "【模拟数据】仅供演示。 [SIMULATED]",
		Cards: []Card{
			{Rank: 1, Unit: "county.ningcheng", Name: "宁城县", Total: 91.5, Grade: "优秀", GradeEN: "excellent", Slips: 1,
				Lines: []Line{{Rule: "county.delivery.base", Points: 60, ZH: "任务落实满分60分", EN: "delivery base"},
					{Rule: "county.delivery.slip.implementing", Points: -3, Obligation: "chifeng-air/10/county.ningcheng/IMPLEMENTING", ZH: "第10项任务未按期完成", EN: "slip", Events: []string{"e1", "e2"}}}},
			{Rank: 2, Unit: "county.aohan", Name: "敖汉旗", Total: 45.07, Grade: "不合格", GradeEN: "failed", GradeCapped: true, Slips: 8},
		},
	}
}

// openXLSX writes a workbook with write and opens it again, checking its
// sheet names and the first sheet's header row.
func openXLSX(t *testing.T, write func(io.Writer) error, sheets string, headers []string) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	got := f.GetSheetList()
	if strings.Join(got, ",") != sheets {
		t.Fatalf("sheets %v, want %s", got, sheets)
	}
	for i, h := range headers {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		if v, _ := f.GetCellValue(got[0], ref); v != h {
			t.Errorf("header %s = %q, want %q", ref, v, h)
		}
	}
	return f
}

func TestScorecardXLSXCells(t *testing.T) {
	f := openXLSX(t, func(w io.Writer) error { return ScorecardXLSX(w, sample()) }, "排名,扣分明细,说明", ScorecardHeaders)
	want := map[string]string{"A2": "1", "B2": "宁城县", "C2": "county.ningcheng", "D2": "91.50", "E2": "优秀", "G2": "1",
		"A3": "2", "B3": "敖汉旗", "D3": "45.07", "E3": "不合格", "H3": "是"}
	for ref, w := range want {
		if v, _ := f.GetCellValue(SheetRanking, ref); v != w {
			t.Errorf("%s = %q, want %q", ref, v, w)
		}
	}
	// Numbers are stored as numbers, with the two-decimal format.
	for _, ref := range []string{"A2", "D2", "D3", "G3"} {
		typ, err := f.GetCellType(SheetRanking, ref)
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s has type %v, want a number", ref, typ)
		}
		raw, _ := f.GetCellValue(SheetRanking, ref, excelize.Options{RawCellValue: true})
		if strings.ContainsAny(raw, "优县") || raw == "" {
			t.Errorf("%s raw value %q is not numeric", ref, raw)
		}
	}
	if raw, _ := f.GetCellValue(SheetRanking, "D2", excelize.Options{RawCellValue: true}); raw != "91.5" {
		t.Errorf("D2 raw = %q, want 91.5", raw)
	}
	style, _ := f.GetCellStyle(SheetRanking, "D2")
	st, err := f.GetStyle(style)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil || *st.CustomNumFmt != NumFmtPoints {
		t.Errorf("D2 number format = %v, want %q", st.CustomNumFmt, NumFmtPoints)
	}
	// Widths follow the widest cell, Chinese characters counting two.
	wantW := map[string]float64{"A": ColumnWidth(4), "B": ColumnWidth(6), "C": ColumnWidth(len("county.ningcheng")), "D": ColumnWidth(5)}
	for col, w := range wantW {
		if got, _ := f.GetColWidth(SheetRanking, col); got != w {
			t.Errorf("column %s width %v, want %v", col, got, w)
		}
	}
	// The line items, with their events.
	if v, _ := f.GetCellValue(SheetLines, "C3"); v != "county.delivery.slip.implementing" {
		t.Errorf("lines C3 = %q", v)
	}
	if v, _ := f.GetCellValue(SheetLines, "D3"); v != "-3.00" {
		t.Errorf("lines D3 = %q, want -3.00", v)
	}
	if v, _ := f.GetCellValue(SheetLines, "H3"); v != "e1\ne2" {
		t.Errorf("lines H3 = %q", v)
	}
	if v, _ := f.GetCellValue(SheetLines, "E3"); v != "第10项任务未按期完成" {
		t.Errorf("lines E3 = %q", v)
	}
	rows, _ := f.GetRows(SheetAbout)
	var notice, scheme bool
	for _, r := range rows {
		if len(r) == 2 && r[0] == "数据说明" && strings.Contains(r[1], "模拟") {
			notice = true
		}
		// The scheme in words, not by its internal name.
		if len(r) == 2 && r[0] == "评分办法" && strings.HasPrefix(r[1], "标准评分办法（第") {
			scheme = true
		}
	}
	if !notice || !scheme {
		t.Errorf("说明 sheet lacks the simulated-data notice or names the scheme by id: %v", rows)
	}
}

// readCSV writes a CSV with write and reads its rows back, checking the
// UTF-8 byte-order mark spreadsheet programs need to read it as UTF-8.
func readCSV(t *testing.T, write func(io.Writer) error) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no UTF-8 BOM: % x", b[:min(3, len(b))])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestScorecardCSV(t *testing.T) {
	rows := readCSV(t, func(w io.Writer) error { return ScorecardCSV(w, sample()) })
	if len(rows) != 3 || rows[0][0] != "名次" || rows[1][1] != "宁城县" || rows[1][3] != "91.50" || rows[2][3] != "45.07" {
		t.Fatalf("rows %q", rows)
	}
}

func TestObligations(t *testing.T) {
	o := Obligations{Plan: "赤峰市空气质量持续改善行动实施方案", Unit: "宁城县", AsOf: time.Date(2025, 6, 30, 0, 0, 0, 0, domain.Shanghai()), Items: []Obligation{
		{Plan: "chifeng-air", Task: 10, TaskLabel: "（十）", TaskTitle: "持续优化调整货物运输结构", Unit: "county.ningcheng", UnitName: "宁城县", Role: "IMPLEMENTING", Status: "OVERDUE",
			Light: "RED", Progress: 60, Reports: 5, NextDue: "2025-12-31", Milestones: "完成 2025-12-31", Note: "已完成六成", ID: "chifeng-air/10/county.ningcheng/IMPLEMENTING"},
		{Plan: "chifeng-air", Task: 3, TaskLabel: "（三）", TaskTitle: "遏制两高", Unit: "county.ningcheng", UnitName: "宁城县", Role: "IMPLEMENTING", Status: "VERIFIED", Light: "GREEN", Progress: 100},
		{Plan: "chifeng-air", Task: 3, TaskLabel: "（三）", TaskTitle: "遏制两高", Unit: "county.ningcheng", UnitName: "宁城县", Role: "SUPPORT", Status: "OPEN", Light: "YELLOW", NextDue: "2025-07-15"},
	}}
	var x bytes.Buffer
	if err := ObligationsXLSX(&x, o); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, h := range LedgerHeaders {
		ref, _ := excelize.CoordinatesToCellName(i+1, LedgerHeaderRow)
		if v, _ := f.GetCellValue(SheetObligations, ref); v != h {
			t.Errorf("header %s = %q, want %q", ref, v, h)
		}
	}
	// Title rows, 序号, the plan's order (task 3 before 10; within a task
	// the next due first, nothing owed last), 进展情况.
	want := map[string]string{
		"A1": "赤峰市空气质量持续改善行动实施方案 任务落实台账", "A2": "单位：宁城县\u3000\u3000截至：2025年6月30日",
		"A4": "1", "B4": "（三） 遏制两高", "D4": "配合", "F4": "2025-07-15", "G4": "推进中", "H4": "黄灯",
		"A5": "2", "G5": "已核验完成", "F5": "",
		"A6": "3", "B6": "（十） 持续优化调整货物运输结构", "C6": "宁城县", "D6": "落实", "G6": "逾期", "H6": "红灯", "I6": "60", "J6": "已完成六成",
	}
	for ref, w := range want {
		if v, _ := f.GetCellValue(SheetObligations, ref); v != w {
			t.Errorf("%s = %q, want %q", ref, v, w)
		}
	}
	if typ, _ := f.GetCellType(SheetObligations, "I6"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("progress is not a number: %v", typ)
	}
	merged, _ := f.GetMergeCells(SheetObligations)
	if len(merged) != 2 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "N1" {
		t.Errorf("title merges: %v", merged)
	}
	// Status cells are filled by light: amber, green, red.
	for ref, colour := range map[string]string{"G4": FillAmber, "H4": FillAmber, "G5": FillGreen, "G6": FillRed, "H6": FillRed} {
		id, _ := f.GetCellStyle(SheetObligations, ref)
		st, err := f.GetStyle(id)
		if err != nil || len(st.Fill.Color) == 0 || !strings.EqualFold(st.Fill.Color[0], colour) {
			t.Errorf("%s fill %+v, want %s", ref, st.Fill, colour)
		}
	}
	// Frozen below the header, printed landscape A4 one page wide with
	// rows 1–3 repeated.
	panes, _ := f.GetPanes(SheetObligations)
	if !panes.Freeze || panes.YSplit != LedgerHeaderRow || panes.TopLeftCell != "A4" {
		t.Errorf("panes %+v", panes)
	}
	pl, _ := f.GetPageLayout(SheetObligations)
	if pl.Orientation == nil || *pl.Orientation != "landscape" || pl.Size == nil || *pl.Size != 9 || pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
		t.Errorf("page layout %+v", pl)
	}
	props, _ := f.GetSheetProps(SheetObligations)
	if props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("fit to page is off: %+v", props)
	}
	titles := false
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == SheetObligations && strings.HasSuffix(dn.RefersTo, "!$1:$3") {
			titles = true
		}
	}
	if !titles {
		t.Errorf("no repeated header rows: %+v", f.GetDefinedName())
	}
	// Column widths fit Chinese: 任务 is wider than 序号.
	wTask, _ := f.GetColWidth(SheetObligations, "B")
	wNo, _ := f.GetColWidth(SheetObligations, "A")
	if wTask < float64(displayWidth("（十） 持续优化调整货物运输结构")) || wNo > wTask {
		t.Errorf("widths 序号 %.0f, 任务 %.0f", wNo, wTask)
	}
	var c bytes.Buffer
	if err := ObligationsCSV(&c, o); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.String(), "\ufeff任务,任务名称") || !strings.Contains(c.String(), "宁城县,county.ningcheng,落实,逾期,红灯,60") {
		t.Fatalf("csv:\n%s", c.String())
	}
}

func TestDisplayWidth(t *testing.T) {
	for s, w := range map[string]int{"abc": 3, "宁城县": 6, "（十）": 6, "a\n宁城": 4, "": 0} {
		if got := displayWidth(s); got != w {
			t.Errorf("displayWidth(%q) = %d, want %d", s, got, w)
		}
	}
}

// Free text that a spreadsheet program would run as a formula is written as
// text; numbers, negative ones included, are left alone.
func TestCSVNeutralisesFormulas(t *testing.T) {
	s := sample()
	s.Cards[0].Name = `=HYPERLINK("http://example.invalid","点此")`
	rows := readCSV(t, func(w io.Writer) error { return ScorecardCSV(w, s) })
	if got := rows[1][1]; got != `'=HYPERLINK("http://example.invalid","点此")` {
		t.Errorf("a name starting with = is written as %q", got)
	}
	o := Obligations{Items: []Obligation{{Task: 10, TaskTitle: "+1 任务", UnitName: "@单位", PendingExtension: "-延期理由", Progress: 50}}}
	rows = readCSV(t, func(w io.Writer) error { return ObligationsCSV(w, o) })
	for i, want := range map[int]string{1: "'+1 任务", 2: "'@单位", 11: "'-延期理由", 7: "50"} {
		if rows[1][i] != want {
			t.Errorf("column %s: %q, want %q", ObligationHeaders[i], rows[1][i], want)
		}
	}
	for _, c := range []string{"=1", "+1", "-1", "@a", "\tx", "\rx"} {
		if text(c) != "'"+c {
			t.Errorf("text(%q) = %q", c, text(c))
		}
	}
	for _, c := range []string{"", "宁城县", "2025-06-30", "1-2"} {
		if text(c) != c {
			t.Errorf("text(%q) = %q", c, text(c))
		}
	}
}
