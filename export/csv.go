package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// bom is the UTF-8 byte-order mark: Excel needs it to read a CSV file as
// UTF-8 rather than the system's legacy code page.
const bom = "\ufeff"

// ScorecardHeaders are the columns of a scorecard ranking, in CSV and on the
// XLSX ranking sheet.
var ScorecardHeaders = []string{"名次", "单位", "单位代码", "得分", "等次", "等次（英文）", "延误次数", "等次封顶"}

// LineHeaders are the columns of the XLSX line-item sheet.
var LineHeaders = []string{"名次", "单位", "规则", "分值", "说明", "Explanation", "涉及义务", "依据事件"}

// ObligationHeaders are the columns of an obligations ledger (台账).
var ObligationHeaders = []string{"任务", "任务名称", "责任单位", "单位代码", "职责", "状态", "信号灯", "进度（%）", "报告次数", "下一期限", "里程碑", "待批延期", "延误次数", "核查问题", "义务编号"}

// ScorecardCSV writes the ranking as CSV (UTF-8 with BOM), one row per
// card, totals with two decimals.
func ScorecardCSV(w io.Writer, s Scorecard) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	rows := [][]string{ScorecardHeaders}
	for _, c := range s.Cards {
		rows = append(rows, []string{strconv.Itoa(c.Rank), text(c.Name), text(c.Unit), points2(c.Total), text(c.Grade), text(c.GradeEN), strconv.Itoa(c.Slips), yesNo(c.GradeCapped)})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// ObligationsCSV writes an obligations ledger as CSV (UTF-8 with BOM).
func ObligationsCSV(w io.Writer, o Obligations) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	rows := [][]string{ObligationHeaders}
	for _, it := range o.Items {
		row := obligationRow(it)
		for _, i := range []int{1, 2, 3, 9, 10, 11, 14} { // the text columns
			row[i] = text(row[i])
		}
		rows = append(rows, row)
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func obligationRow(it Obligation) []string {
	return []string{strconv.Itoa(it.Task), it.TaskTitle, it.UnitName, it.Unit, roleZH(it.Role), statusZH(it.Status), lightZH(it.Light),
		strconv.Itoa(it.Progress), strconv.Itoa(it.Reports), it.NextDue, it.Milestones, it.PendingExtension,
		strconv.Itoa(it.Slips), strconv.Itoa(it.Findings), it.ID}
}

// text makes a free-text cell safe to open in a spreadsheet program: a
// cell that begins with =, +, -, @ or a tab or carriage return would be
// read as a formula (a unit's note reading "=HYPERLINK(…)" becomes a link),
// so such a cell gets a leading apostrophe, which spreadsheet programs
// take as "this is text". Numbers are written without it.
func text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return ""
}

// displayWidth estimates how many character cells s takes in a spreadsheet
// column: East Asian wide characters count two. For a multi-line cell the
// widest line counts.
func displayWidth(s string) int {
	best := 0
	for _, line := range strings.Split(s, "\n") {
		n := 0
		for _, r := range line {
			if wide(r) {
				n += 2
			} else {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// wide reports whether r is drawn two cells wide (CJK, full-width forms).
func wide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
		(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6))
}
