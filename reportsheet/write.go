package reportsheet

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"taskledger/domain"
	"taskledger/export"
)

// Template is a unit's report template: what the title block says and one
// row per duty.
type Template struct {
	// Plan is the plan's title, or 全部方案 for every plan.
	Plan string
	// Unit is the unit's name.
	Unit string
	// AsOf is when the rows were read from the ledger.
	AsOf time.Time
	Rows []Row
}

// Row is one duty of a template.
type Row struct {
	// Ref names the duty for the ledger; it goes in the hidden 编号 column.
	Ref string
	// Plan is the plan's title.
	Plan string
	// Task is the task as the plan prints it: its number and short text.
	Task string
	// Milestone is what is due next, and Due when (zero: nothing dated).
	Milestone string
	Due       domain.Date
	// Status is the duty's status in Chinese.
	Status string
	// LastPercent is the latest reported percent; nil when none.
	LastPercent *int
}

// Title is the title line of a template.
func (t Template) Title() string { return t.Unit + " 任务进展报送表" }

// FirstDataRow is the spreadsheet row of a template's first duty: below
// the title, the subtitle and the header.
const FirstDataRow = 4

// headerRow is the spreadsheet row of the column headers.
const headerRow = FirstDataRow - 1

// Excel serial dates bounding the 报告期 validation: 2000-01-01 and 2099-12-31.
const (
	serial2000 = 36526
	serial2099 = 73415
)

// WriteXLSX writes the template as an XLSX workbook.
func WriteXLSX(w io.Writer, t Template) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("template styles: %w", err)
	}
	steps := []func() error{
		func() error { return titleBlock(f, st, t) },
		func() error { return headerLine(f, st) },
		func() error { return dataRows(f, st, t.Rows) },
		func() error { return validations(f, len(t.Rows)) },
		func() error { return layout(f, t) },
		func() error {
			return f.ProtectSheet(SheetName, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("template: %w", err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

// styles are the template's cell styles.
type styles struct{ title, subtitle, header, text, number, date, fill, fillNumber, fillMonth int }

func newStyles(f *excelize.File) (styles, error) {
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	font := &excelize.Font{Family: "等线", Size: 11}
	top := &excelize.Alignment{Vertical: "top", WrapText: true}
	locked := &excelize.Protection{Locked: true}
	open := &excelize.Protection{Locked: false}
	yellow := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}
	month := "yyyy-mm"
	date := "yyyy-mm-dd"
	var s styles
	defs := []struct {
		dst *int
		st  *excelize.Style
	}{
		{&s.title, &excelize.Style{Font: &excelize.Font{Family: "等线", Size: 16, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}, Protection: locked}},
		{&s.subtitle, &excelize.Style{Font: font, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}, Protection: locked}},
		{&s.header, &excelize.Style{Font: &excelize.Font{Family: "等线", Size: 11, Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E2F3"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}, Protection: locked}},
		{&s.text, &excelize.Style{Font: font, Border: border, Alignment: top, Protection: locked}},
		{&s.number, &excelize.Style{Font: font, Border: border, NumFmt: 1, Alignment: top, Protection: locked}},
		{&s.date, &excelize.Style{Font: font, Border: border, CustomNumFmt: &date, Alignment: top, Protection: locked}},
		{&s.fill, &excelize.Style{Font: font, Border: border, Fill: yellow, Alignment: top, Protection: open}},
		{&s.fillNumber, &excelize.Style{Font: font, Border: border, Fill: yellow, NumFmt: 1, Alignment: top, Protection: open}},
		{&s.fillMonth, &excelize.Style{Font: font, Border: border, Fill: yellow, CustomNumFmt: &month, Alignment: top, Protection: open}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(d.st)
		if err != nil {
			return styles{}, err
		}
		*d.dst = id
	}
	return s, nil
}

// lastCol is the letter of the template's last column.
var lastCol, _ = excelize.ColumnNumberToName(len(Headers))

// titleBlock writes the title (row 1) and the plan, unit and as-of line
// (row 2), each merged across the visible columns.
func titleBlock(f *excelize.File, st styles, t Template) error {
	visible, _ := excelize.ColumnNumberToName(len(Headers) - 1)
	sub := fmt.Sprintf("方案：%s　　单位：%s　　截至：%s　　请在黄色单元格中填写；进展百分比填 0 到 100 的整数，报告期填月份（如 2025-06）", t.Plan, t.Unit, asOfText(t.AsOf))
	for _, line := range []struct {
		row   int
		text  string
		style int
		high  float64
	}{{1, t.Title(), st.title, 28}, {2, sub, st.subtitle, 20}} {
		a, b := "A"+strconv.Itoa(line.row), visible+strconv.Itoa(line.row)
		if err := f.MergeCell(SheetName, a, b); err != nil {
			return err
		}
		if err := f.SetCellValue(SheetName, a, line.text); err != nil {
			return err
		}
		if err := f.SetCellStyle(SheetName, a, b, line.style); err != nil {
			return err
		}
		if err := f.SetRowHeight(SheetName, line.row, line.high); err != nil {
			return err
		}
	}
	return nil
}

func asOfText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.Shanghai()).Format("2006-01-02 15:04")
}

// headerLine writes the column headers.
func headerLine(f *excelize.File, st styles) error {
	for i, h := range Headers {
		ref, _ := excelize.CoordinatesToCellName(i+1, headerRow)
		if err := f.SetCellValue(SheetName, ref, h); err != nil {
			return err
		}
	}
	return f.SetCellStyle(SheetName, "A"+strconv.Itoa(headerRow), lastCol+strconv.Itoa(headerRow), st.header)
}

// dataRows writes one row per duty: the facts locked, the fill-in cells
// open and shaded.
func dataRows(f *excelize.File, st styles, rows []Row) error {
	for i, r := range rows {
		n := FirstDataRow + i
		var due, last any = "", ""
		if !r.Due.IsZero() {
			due = time.Date(r.Due.Year(), r.Due.Month(), r.Due.Day(), 0, 0, 0, 0, time.UTC)
		}
		if r.LastPercent != nil {
			last = *r.LastPercent
		}
		cells := []struct {
			v     any
			style int
		}{{i + 1, st.number}, {r.Plan, st.text}, {r.Task, st.text}, {r.Milestone, st.text}, {due, st.date}, {r.Status, st.text},
			{last, st.number}, {nil, st.fillNumber}, {nil, st.fill}, {nil, st.fillMonth}, {r.Ref, st.text}}
		for c, cell := range cells {
			ref, _ := excelize.CoordinatesToCellName(c+1, n)
			if cell.v != nil {
				if err := f.SetCellValue(SheetName, ref, cell.v); err != nil {
					return err
				}
			}
			if err := f.SetCellStyle(SheetName, ref, ref, cell.style); err != nil {
				return err
			}
		}
	}
	return nil
}

// validations limits 进展百分比 to whole numbers 0–100 and 报告期 to dates.
func validations(f *excelize.File, n int) error {
	if n == 0 {
		return nil
	}
	last := strconv.Itoa(FirstDataRow + n - 1)
	first := strconv.Itoa(FirstDataRow)
	pct := excelize.NewDataValidation(true)
	pct.Sqref = colOf(HeaderPercent) + first + ":" + colOf(HeaderPercent) + last
	if err := pct.SetRange(0, 100, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
		return err
	}
	pct.SetError(excelize.DataValidationErrorStyleStop, "进展百分比", "应为 0 到 100 的整数")
	pct.SetInput("进展百分比", "填 0 到 100 的整数")
	month := excelize.NewDataValidation(true)
	month.Sqref = colOf(HeaderPeriod) + first + ":" + colOf(HeaderPeriod) + last
	if err := month.SetRange(serial2000, serial2099, excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
		return err
	}
	month.SetError(excelize.DataValidationErrorStyleStop, "报告期", "应为日期或月份，如 2025-06")
	month.SetInput("报告期", "填本次报告所属的月份，如 2025-06")
	for _, dv := range []*excelize.DataValidation{pct, month} {
		if err := f.AddDataValidation(SheetName, dv); err != nil {
			return err
		}
	}
	return nil
}

// colOf is the column letter of a header.
func colOf(header string) string {
	for i, h := range Headers {
		if h == header {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name
		}
	}
	return ""
}

// widths are the template's column widths, in character cells, fitted to
// Chinese text (two cells a character).
var widths = map[string]float64{HeaderNo: 6, HeaderPlan: 24, HeaderTask: 40, HeaderMilestone: 28, HeaderDue: 12, HeaderStatus: 12,
	HeaderLast: 12, HeaderPercent: 12, HeaderNote: 40, HeaderPeriod: 10, HeaderRef: 10}

// layout sets column widths, hides 编号, freezes the rows above the data
// and sets up printing: landscape A4, one page wide, headers repeated.
func layout(f *excelize.File, t Template) error {
	for _, h := range Headers {
		c := colOf(h)
		if err := f.SetColWidth(SheetName, c, c, widths[h]); err != nil {
			return err
		}
	}
	if err := f.SetColVisible(SheetName, colOf(HeaderRef), false); err != nil {
		return err
	}
	top := "A" + strconv.Itoa(FirstDataRow)
	if err := f.SetPanes(SheetName, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return export.PrintSetup(f, SheetName, t.Title(), headerRow)
}
