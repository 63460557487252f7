package export

import (
	"cmp"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"taskledger/domain"
)

// LedgerHeaders are the columns of the 台账 sheet of an obligations XLSX,
// below its two title rows.
var LedgerHeaders = []string{"序号", "任务", "责任单位", "职责", "里程碑", "下一期限", "状态", "信号灯", "进度（%）", "进展情况", "报告次数", "待批延期", "延误次数", "核查问题"}

// LedgerHeaderRow is the spreadsheet row of the 台账's column headers:
// below the title and the unit and as-of line.
const LedgerHeaderRow = 3

// Fill colours of the 台账's 状态 and 信号灯 cells.
const (
	FillGreen = "C6EFCE"
	FillAmber = "FFEB9C"
	FillRed   = "FFC7CE"
	FillGrey  = "EDEDED"
)

// ObligationsXLSX writes an obligations ledger workbook as an office keeps
// it: sheet 台账 with a title row (plan), a line naming the unit (or 全部单位)
// and the as-of date, numbered rows (序号) in the plan's order, the latest
// report's note (进展情况), status cells filled by traffic light, the header
// frozen and repeated on printed pages; and sheet 说明.
func ObligationsXLSX(w io.Writer, o Obligations) error {
	b, err := newBook()
	if err != nil {
		return err
	}
	if err := b.sheet(SheetObligations, true); err != nil {
		return err
	}
	lights, err := lightStyles(b.f)
	if err != nil {
		return err
	}
	items := LedgerOrder(o.Items)
	rows := make([][]cell, 0, len(items))
	for i, it := range items {
		light := lights[ledgerLight(it)]
		rows = append(rows, []cell{{i + 1, b.integer}, {taskText(it), b.text}, {it.UnitName, b.text}, {roleZH(it.Role), b.text},
			{it.Milestones, b.text}, {dateCell(it.NextDue), b.date}, {statusZH(it.Status), light}, {lightZH(it.Light), light},
			{it.Progress, b.integer}, {it.Note, b.text}, {it.Reports, b.integer}, {it.PendingExtension, b.text},
			{it.Slips, b.integer}, {it.Findings, b.integer}})
	}
	title := o.ledgerTitle()
	steps := []func() error{
		func() error { return b.titled(SheetObligations, title, o.subtitle(), LedgerHeaders, rows) },
		func() error { return b.printRows(SheetObligations, title, o.Notice, LedgerHeaderRow) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	pairs := [][2]string{{"标题", title}, {"单位", o.unitText()}, {"截至", asOfText(o.AsOf)}, {"条目数", strconv.Itoa(len(o.Items))},
		{"排列", "按方案任务顺序，同一任务内按下一期限"}, {"颜色", "绿色：按期推进；黄色：临近期限；红色：逾期"}}
	if o.Notice != "" {
		pairs = append(pairs, [2]string{"数据说明", o.Notice})
	}
	if err := b.about(pairs); err != nil {
		return err
	}
	return b.write(w)
}

// ledgerTitle is the 台账's title: the plan's, then 任务落实台账.
func (o Obligations) ledgerTitle() string {
	if o.Plan != "" {
		return o.Plan + " 任务落实台账"
	}
	return "任务落实台账"
}

func (o Obligations) unitText() string {
	if o.Unit == "" {
		return "全部单位"
	}
	return o.Unit
}

// subtitle is the line under the title: the unit and the as-of date.
func (o Obligations) subtitle() string {
	s := "单位：" + o.unitText()
	if !o.AsOf.IsZero() {
		s += "　　截至：" + o.AsOf.In(domain.Shanghai()).Format("2006年1月2日")
	}
	return s
}

// taskText is a task as the plan prints it: its label (or number) and title.
func taskText(it Obligation) string {
	label := it.TaskLabel
	if label == "" {
		label = "第" + strconv.Itoa(it.Task) + "项"
	}
	if it.TaskTitle == "" {
		return label
	}
	return label + " " + it.TaskTitle
}

// dateCell is a YYYY-MM-DD date as a spreadsheet date (a naive midnight),
// or empty.
func dateCell(s string) any {
	d, err := time.ParseInLocation("2006-01-02", s, domain.Shanghai())
	if err != nil {
		return ""
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// LedgerOrder returns the items in the plan's order: plan, task number,
// next due date (nothing owed last), unit name, role.
func LedgerOrder(items []Obligation) []Obligation {
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b Obligation) int {
		return cmp.Or(cmp.Compare(a.Plan, b.Plan), cmp.Compare(a.Task, b.Task), compareDue(a.NextDue, b.NextDue),
			cmp.Compare(a.UnitName, b.UnitName), cmp.Compare(a.Role, b.Role))
	})
	return out
}

// compareDue orders YYYY-MM-DD dates, the empty one last.
func compareDue(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return cmp.Compare(a, b)
}

// ledgerLight is the fill an item's status cells get: red when overdue or
// red, amber when yellow, grey when withdrawn, else green.
func ledgerLight(it Obligation) string {
	switch {
	case it.Status == "OVERDUE" || it.Light == "RED":
		return FillRed
	case it.Light == "YELLOW":
		return FillAmber
	case it.Light == "GREY":
		return FillGrey
	}
	return FillGreen
}

// lightStyles makes one centred, bordered style per fill colour.
func lightStyles(f *excelize.File) (map[string]int, error) {
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	out := map[string]int{}
	for _, c := range []string{FillGreen, FillAmber, FillRed, FillGrey} {
		id, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "等线", Size: 11}, Border: border,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
		if err != nil {
			return nil, err
		}
		out[c] = id
	}
	return out, nil
}

// titled writes a title row and a subtitle row merged across the columns,
// then the table from row LedgerHeaderRow: headers frozen, filter, widths.
func (b *book) titled(sheet, title, subtitle string, headers []string, rows [][]cell) error {
	if err := b.tableAt(sheet, LedgerHeaderRow, headers, rows); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(headers))
	ts, err := b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "等线", Size: 16, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	if err != nil {
		return err
	}
	ss, err := b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "等线", Size: 11}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}})
	if err != nil {
		return err
	}
	for _, line := range []struct {
		row    int
		text   string
		style  int
		height float64
	}{{1, title, ts, 30}, {2, subtitle, ss, 20}} {
		a, z := "A"+strconv.Itoa(line.row), last+strconv.Itoa(line.row)
		for _, err := range []error{b.f.MergeCell(sheet, a, z), b.f.SetCellValue(sheet, a, line.text),
			b.f.SetCellStyle(sheet, a, z, line.style), b.f.SetRowHeight(sheet, line.row, line.height)} {
			if err != nil {
				return err
			}
		}
	}
	return nil
}
