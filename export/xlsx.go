package export

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"taskledger/projections/scoring"
)

// Sheet names of the XLSX files.
const (
	SheetRanking     = "排名"
	SheetLines       = "扣分明细"
	SheetAbout       = "说明"
	SheetObligations = "台账"
)

// Column width bounds, in character cells.
const (
	minWidth = 6
	maxWidth = 60
)

// NumFmtPoints is the number format of scores: always two decimals.
const NumFmtPoints = "0.00"

// NumFmtDate is the number format of dates.
const NumFmtDate = "yyyy-mm-dd"

// NumFmtDateTime is the number format of instants (Beijing time).
const NumFmtDateTime = "yyyy-mm-dd hh:mm:ss"

// book wraps an excelize file with the styles every sheet uses.
type book struct {
	f                                             *excelize.File
	header, points, integer, text, date, datetime int
	widths                                        map[string][]int // sheet → widest cell per column
}

func newBook() (*book, error) {
	f := excelize.NewFile()
	b := &book{f: f, widths: map[string][]int{}}
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	font := &excelize.Font{Family: "等线", Size: 11}
	var err error
	styles := []struct {
		dst *int
		st  *excelize.Style
	}{
		{&b.header, &excelize.Style{Font: &excelize.Font{Family: "等线", Size: 11, Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E2F3"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&b.points, &excelize.Style{Font: font, Border: border, CustomNumFmt: strPtr(NumFmtPoints), Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&b.integer, &excelize.Style{Font: font, Border: border, NumFmt: 1, Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&b.text, &excelize.Style{Font: font, Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&b.date, &excelize.Style{Font: font, Border: border, CustomNumFmt: strPtr(NumFmtDate), Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&b.datetime, &excelize.Style{Font: font, Border: border, CustomNumFmt: strPtr(NumFmtDateTime), Alignment: &excelize.Alignment{Vertical: "top"}}},
	}
	for _, s := range styles {
		if *s.dst, err = f.NewStyle(s.st); err != nil {
			return nil, fmt.Errorf("xlsx style: %w", err)
		}
	}
	return b, nil
}

func strPtr(s string) *string { return &s }

// cell is one value with the style it is written in.
type cell struct {
	v     any
	style int
}

func (b *book) sheet(name string, first bool) error {
	if first {
		return b.f.SetSheetName("Sheet1", name)
	}
	_, err := b.f.NewSheet(name)
	return err
}

// table writes headers in row 1 and rows below, freezes the header row,
// adds a filter and fits the column widths.
func (b *book) table(sheet string, headers []string, rows [][]cell) error {
	return b.tableAt(sheet, 1, headers, rows)
}

// tableAt writes headers in row top and rows below, freezes the rows down
// to the header, adds a filter and fits the column widths.
func (b *book) tableAt(sheet string, top int, headers []string, rows [][]cell) error {
	f := b.f
	for i, h := range headers {
		ref, _ := excelize.CoordinatesToCellName(i+1, top)
		if err := f.SetCellValue(sheet, ref, h); err != nil {
			return err
		}
		b.measure(sheet, i, h)
	}
	first, _ := excelize.CoordinatesToCellName(1, top)
	last, _ := excelize.CoordinatesToCellName(len(headers), top)
	if err := f.SetCellStyle(sheet, first, last, b.header); err != nil {
		return err
	}
	for r, row := range rows {
		for c, v := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+top+1)
			if err := f.SetCellValue(sheet, ref, v.v); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, ref, ref, v.style); err != nil {
				return err
			}
			text := shown(v.v)
			if _, ok := v.v.(time.Time); ok && v.style == b.datetime {
				text = "2006-01-02 15:04:05"
			}
			b.measure(sheet, c, text)
		}
	}
	for c, w := range b.widths[sheet] {
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(sheet, col, col, colWidth(w)); err != nil {
			return err
		}
	}
	below, _ := excelize.CoordinatesToCellName(1, top+1)
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: top, TopLeftCell: below, ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if len(rows) > 0 {
		end, _ := excelize.CoordinatesToCellName(len(headers), len(rows)+top)
		if err := f.AutoFilter(sheet, first+":"+end, nil); err != nil {
			return err
		}
	}
	return nil
}

// ColumnWidth is the width a column gets for its widest cell of n
// character cells: two cells of padding, between 6 and 60 (longer text
// wraps).
func ColumnWidth(n int) float64 { return colWidth(n) }

func colWidth(n int) float64 {
	return float64(min(max(n+2, minWidth), maxWidth))
}

func (b *book) measure(sheet string, col int, s string) {
	w := b.widths[sheet]
	for len(w) <= col {
		w = append(w, 0)
	}
	w[col] = max(w[col], displayWidth(s))
	b.widths[sheet] = w
}

// shown is roughly how a value is displayed, for width fitting.
func shown(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return points2(v)
	case int:
		return strconv.Itoa(v)
	case time.Time:
		return "2006-01-02"
	}
	return fmt.Sprint(v)
}

// about writes the 说明 sheet: key–value rows.
func (b *book) about(pairs [][2]string) error {
	if err := b.sheet(SheetAbout, false); err != nil {
		return err
	}
	rows := make([][]cell, 0, len(pairs))
	for _, p := range pairs {
		rows = append(rows, []cell{{p[0], b.text}, {p[1], b.text}})
	}
	return b.table(SheetAbout, []string{"项目", "内容"}, rows)
}

// print sets landscape A4 pages fitted to one page wide, the header row
// repeated, and the notice (if any) in every page's header.
func (b *book) print(sheet, title, notice string) error {
	return b.printRows(sheet, title, notice, 1)
}

// printRows is print with rows 1 to headerRows repeated on every page.
func (b *book) printRows(sheet, title, notice string, headerRows int) error {
	if err := PrintSetup(b.f, sheet, title, headerRows); err != nil {
		return err
	}
	if notice == "" {
		return nil
	}
	head := "&C&\"-,Bold\"" + escapeHF(title) + "\n" + escapeHF(firstSentence(notice))
	return b.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddHeader: head, OddFooter: "&C&P / &N"})
}

// PrintSetup sets a sheet up for printing as offices file it: landscape
// A4, fitted to one page wide, rows 1 to headerRows repeated on every page,
// the title in each page's header and the page number in its footer.
func PrintSetup(f *excelize.File, sheet, title string, headerRows int) error {
	orient, size, fitW, fitH := "landscape", 9, 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &orient, Size: &size, FitToWidth: &fitW, FitToHeight: &fitH}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	head := "&C&\"-,Bold\"" + escapeHF(title)
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddHeader: head, OddFooter: "&C&P / &N"}); err != nil {
		return err
	}
	rows := "$1:$" + strconv.Itoa(max(headerRows, 1))
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!" + rows, Scope: sheet})
}

// escapeHF escapes the & of header/footer codes.
func escapeHF(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// firstSentence is the notice's Chinese sentence (page headers are short).
func firstSentence(s string) string {
	if i := strings.Index(s, "。"); i > 0 {
		return s[:i+len("。")]
	}
	return s
}

func (b *book) write(w io.Writer) error {
	b.f.SetActiveSheet(0)
	if _, err := b.f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return b.f.Close()
}

// ScorecardXLSX writes a scorecard workbook: the ranking (sheet 排名), every
// line item with its rule and events (扣分明细) and what the figures are
// (说明).
func ScorecardXLSX(w io.Writer, s Scorecard) error {
	b, err := newBook()
	if err != nil {
		return err
	}
	if err := b.sheet(SheetRanking, true); err != nil {
		return err
	}
	var rank, lines [][]cell
	for _, c := range s.Cards {
		rank = append(rank, []cell{{c.Rank, b.integer}, {c.Name, b.text}, {c.Unit, b.text}, {c.Total, b.points},
			{c.Grade, b.text}, {c.GradeEN, b.text}, {c.Slips, b.integer}, {yesNo(c.GradeCapped), b.text}})
		for _, ln := range c.Lines {
			lines = append(lines, []cell{{c.Rank, b.integer}, {c.Name, b.text}, {ln.Rule, b.text}, {ln.Points, b.points},
				{ln.ZH, b.text}, {ln.EN, b.text}, {ln.Obligation, b.text}, {strings.Join(ln.Events, "\n"), b.text}})
		}
	}
	if err := b.table(SheetRanking, ScorecardHeaders, rank); err != nil {
		return err
	}
	if err := b.print(SheetRanking, s.title(), s.Notice); err != nil {
		return err
	}
	if err := b.sheet(SheetLines, false); err != nil {
		return err
	}
	if err := b.table(SheetLines, LineHeaders, lines); err != nil {
		return err
	}
	if err := b.print(SheetLines, s.title()+" 扣分明细", s.Notice); err != nil {
		return err
	}
	pairs := [][2]string{{"标题", s.title()}, {"方案", s.Plan}, {"年度", strconv.Itoa(s.Year)}, {"类别", scoring.Kind(s.Kind).Label()},
		{"评分办法", scoring.SchemeLabel(s.Scheme, s.SchemeVersion)}, {"计算时点", asOfText(s.AsOf)}, {"摘要（SHA-256）", s.Digest}}
	if s.Notice != "" {
		pairs = append(pairs, [2]string{"数据说明", s.Notice})
	}
	if err := b.about(pairs); err != nil {
		return err
	}
	return b.write(w)
}
