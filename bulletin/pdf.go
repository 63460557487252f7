package bulletin

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"fmt"
	"strconv"

	"codeberg.org/go-pdf/fpdf"

	"taskledger/domain"
)

// cjkFont is Droid Sans Fallback (Apache License 2.0) for Chinese, and
// latinFont DejaVu Sans (Bitstream Vera licence) for Latin letters and
// digits, which the Droid font lacks; see fonts/NOTICE. Each PDF embeds the
// subsets it uses.
var (
	//go:embed fonts/DroidSansFallbackFull.ttf
	cjkFont []byte
	//go:embed fonts/DejaVuSans.ttf
	latinFont []byte
)

const (
	cjk     = "droid"
	latin   = "dejavu"
	pageW   = 210.0
	margin  = 15.0
	bodyW   = pageW - 2*margin
	rowH    = 6.5
	padding = 1.0
)

// PDF renders the bulletin as an A4 PDF with the Chinese font embedded as a
// subset. Every date the file holds is the bulletin's as-of instant and it
// carries no document ID, so the same bulletin gives the same bytes.
func PDF(b Bulletin) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.SetCatalogSort(true)
	f.SetCreationDate(b.AsOf)
	f.SetModificationDate(b.AsOf)
	f.SetProducer("taskledger", false)
	f.SetTitle(b.Title()+" "+b.NumberText(), true)
	f.SetLang("zh-CN")
	f.AddUTF8FontFromBytes(cjk, "", cjkFont)
	f.AddUTF8FontFromBytes(latin, "", latinFont)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin+5)
	w := &pdfWriter{f: f}
	f.SetFooterFunc(func() {
		f.SetY(-margin)
		w.size(8)
		w.cell(bodyW, 5, fmt.Sprintf("%s · 第 %d 页", b.NumberText(), f.PageNo()), "", 1, "C", false)
	})
	f.AddPage()
	w.heading(b)
	w.counts(b)
	w.items("一、逾期事项（Overdue）", "逾期天数", b.Overdue, func(it Item) string { return strconv.Itoa(it.Days) })
	w.units(b.Units)
	w.items(fmt.Sprintf("三、%d日内到期事项（Due within %d days）", SoonDays, SoonDays), "剩余天数", b.SoonDue, func(it Item) string { return strconv.Itoa(it.Days) })
	w.items("四、提前完成事项（Completed early）", "提前天数", b.Early, func(it Item) string { return strconv.Itoa(it.Days) })
	w.rankings(b.Rankings)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("render bulletin PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// Digest is the SHA-256 of a rendered PDF, as BulletinIssued records it.
func Digest(pdf []byte) domain.Hash { return sha256.Sum256(pdf) }

// pdfWriter lays out the bulletin's parts.
type pdfWriter struct {
	f *fpdf.Fpdf
	// pt is the current font size in points.
	pt float64
}

// run is a stretch of text set in one font.
type run struct{ font, text string }

// runs splits s into stretches of Latin (DejaVu) and Chinese (Droid) text.
func runs(s string) []run {
	var out []run
	for _, r := range s {
		font := latin
		if r >= 0x2E80 {
			font = cjk
		}
		if n := len(out); n > 0 && out[n-1].font == font {
			out[n-1].text += string(r)
			continue
		}
		out = append(out, run{font, string(r)})
	}
	return out
}

// size sets the font size for what follows.
func (w *pdfWriter) size(pt float64) { w.pt = pt }

// width is the width of s set in its fonts at the current size.
func (w *pdfWriter) width(s string) float64 {
	var total float64
	for _, r := range runs(s) {
		w.f.SetFont(r.font, "", w.pt)
		total += w.f.GetStringWidth(r.text)
	}
	return total
}

// cell draws a cell like fpdf's CellFormat (border, fill, alignment L, C
// or R; ln 1 moves to the next line) with its text set run by run.
func (w *pdfWriter) cell(width, h float64, s, border string, ln int, align string, fill bool) {
	f := w.f
	if width == 0 {
		width = bodyW
	}
	f.CellFormat(width, h, "", border, 0, "", fill, 0, "")
	x, y := f.GetX()-width, f.GetY()
	tw := w.width(s)
	tx := x + padding
	switch align {
	case "C":
		tx = x + (width-tw)/2
	case "R":
		tx = x + width - padding - tw
	}
	base := y + h/2 + 0.3*w.pt*25.4/72
	for _, r := range runs(s) {
		f.SetFont(r.font, "", w.pt)
		f.Text(tx, base, r.text)
		tx += f.GetStringWidth(r.text)
	}
	if ln == 1 {
		f.SetXY(margin, y+h)
	} else {
		f.SetXY(x+width, y)
	}
}

func (w *pdfWriter) heading(b Bulletin) {
	f := w.f
	w.size(20)
	f.SetTextColor(180, 0, 0)
	for _, line := range w.wrap(b.Title(), bodyW) {
		w.cell(bodyW, 10, line, "", 1, "C", false)
	}
	f.SetTextColor(0, 0, 0)
	w.size(12)
	w.cell(bodyW, 8, b.NumberText(), "", 1, "C", false)
	f.SetDrawColor(180, 0, 0)
	f.Line(margin, f.GetY()+1, pageW-margin, f.GetY()+1)
	f.SetDrawColor(120, 120, 120)
	f.Ln(4)
	w.size(10)
	w.cell(bodyW, 6, fmt.Sprintf("通报期间：%s（%s 至 %s）", b.Period.Chinese(), b.Period.First(), b.Period.Last()), "", 1, "L", false)
	w.cell(bodyW, 6, fmt.Sprintf("数据截至 %s，账本位置 %d，可据此复现。", asOfText(b.AsOf), b.AsOfPosition), "", 1, "L", false)
	f.Ln(2)
}

// wrap breaks s into lines no wider than width.
func (w *pdfWriter) wrap(s string, width float64) []string {
	var lines []string
	line := ""
	for _, r := range s {
		if line != "" && w.width(line+string(r)) > width {
			lines = append(lines, line)
			line = ""
		}
		line += string(r)
	}
	return append(lines, line)
}

func (w *pdfWriter) counts(b Bulletin) {
	c := b.Counts
	w.section("总体情况（Summary）")
	labels := []string{"责任事项", "已办结", "逾期", fmt.Sprintf("%d日内到期", SoonDays), "本期完成", "提前完成"}
	values := []int{c.Duties, c.Completed, c.Overdue, c.SoonDue, c.CompletedInPeriod, c.Early}
	cw := bodyW / float64(len(labels))
	w.size(9)
	w.f.SetFillColor(240, 240, 240)
	for _, l := range labels {
		w.cell(cw, rowH, l, "1", 0, "C", true)
	}
	w.f.Ln(-1)
	w.size(12)
	for _, v := range values {
		w.cell(cw, rowH+2, strconv.Itoa(v), "1", 0, "C", false)
	}
	w.f.Ln(-1)
}

func (w *pdfWriter) section(title string) {
	w.f.Ln(4)
	w.size(13)
	w.cell(bodyW, 8, title, "", 1, "L", false)
}

// items prints a list of milestones as a table.
func (w *pdfWriter) items(title, daysHead string, items []Item, days func(Item) string) {
	w.section(title)
	if len(items) == 0 {
		w.none()
		return
	}
	widths := []float64{10, 56, 40, 34, 22, 0}
	widths[5] = bodyW - (widths[0] + widths[1] + widths[2] + widths[3] + widths[4])
	w.header([]string{"序号", "任务", "责任单位", "事项", "期限", daysHead}, widths)
	for i, it := range items {
		w.row([]string{strconv.Itoa(i + 1), taskText(it), it.UnitName + "（" + RoleZH(it.Role) + "）", whatText(it), it.Due.String(), days(it)}, widths)
	}
}

func (w *pdfWriter) units(units []UnitCount) {
	w.section("二、逾期单位（Units with overdue duties）")
	if len(units) == 0 {
		w.none()
		return
	}
	widths := []float64{14, bodyW - 44, 30}
	w.header([]string{"序号", "单位", "逾期事项数"}, widths)
	for i, u := range units {
		w.row([]string{strconv.Itoa(i + 1), u.Name, strconv.Itoa(u.Overdue)}, widths)
	}
}

func (w *pdfWriter) rankings(rs []Ranking) {
	w.section("五、考核排名（Rankings）")
	for _, r := range rs {
		w.size(11)
		w.cell(bodyW, 7, r.Kind.Label(), "", 1, "L", false)
		if len(r.Rows) == 0 {
			w.none()
			continue
		}
		widths := []float64{14, bodyW - 74, 30, 30}
		w.header([]string{"名次", "单位", "得分", "等次"}, widths)
		for _, row := range r.Rows {
			w.row([]string{strconv.Itoa(row.Rank), row.Name, row.Total, row.Grade}, widths)
		}
	}
}

func (w *pdfWriter) none() {
	w.size(10)
	w.cell(bodyW, rowH, "无。", "", 1, "L", false)
}

func (w *pdfWriter) header(cols []string, widths []float64) {
	w.size(9)
	w.f.SetFillColor(240, 240, 240)
	for i, c := range cols {
		w.cell(widths[i], rowH, c, "1", 0, "C", true)
	}
	w.f.Ln(-1)
}

// row prints one table row, each cell cut to its width.
func (w *pdfWriter) row(cols []string, widths []float64) {
	w.size(9)
	for i, c := range cols {
		w.cell(widths[i], rowH, w.fit(c, widths[i]-2), "1", 0, "L", false)
	}
	w.f.Ln(-1)
}

// fit cuts s to width, marking a cut with "…".
func (w *pdfWriter) fit(s string, width float64) string {
	if w.width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && w.width(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func taskText(it Item) string {
	if it.TaskLabel != "" {
		return it.TaskLabel + it.TaskTitle
	}
	return fmt.Sprintf("（%d）%s", it.Task, it.TaskTitle)
}

func whatText(it Item) string {
	if it.What != "" {
		return it.What
	}
	return string(it.Milestone)
}
