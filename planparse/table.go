package planparse

import (
	"regexp"
	"strconv"
	"strings"
)

// Some plans are task tables (任务分工表) saved as text: one row a line,
// cells separated by tabs, a merged cell written only in its first row:
//
//	序号	重点领域	具体任务	牵头单位	配合单位	完成时限
//	1	推动芯片全链发展	聚力推动…。	省发展改革委	省经信厅、省科技厅	2026年12月
//	2		在产业链…。	省经信厅	省发展改革委	持续推进
//
// readTables rewrites such a table into the items layout the parser reads,
// keeping each row's line number: a heading cell opens a section
// "（一）推动芯片全链发展", the row becomes item "1.聚力推动…。" followed by
// "完成时限：2026年12月" and one label line per unit column ("牵头单位：…",
// "配合单位：…"; a cell 无 or — names nobody).

// tableCells splits a raw line with two or more tabs into its normalised
// cells, nil otherwise. Empty cells are kept (merged cells); empty cells at
// either end are dropped.
func tableCells(raw string) []string {
	if strings.Count(raw, "\t") < 2 {
		return nil
	}
	cells := strings.Split(raw, "\t")
	for i := range cells {
		cells[i] = normalizeLine(cells[i])
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	for len(cells) > 0 && cells[0] == "" {
		cells = cells[1:]
	}
	if len(cells) < 3 {
		return nil
	}
	return cells
}

// tableCols are the columns of a task table.
type tableCols struct {
	n               int // the number of columns
	num, task, time int
	heads           []int    // heading columns before the task column
	units           []int    // unit columns ("牵头单位", "配合单位", …)
	labels          []string // their headers
	skipped         []string // report columns not read (进展情况, 备注)
	people          []string // columns naming people (分管领导), not read as units
}

var (
	// timeHeaderRE is the header of a table's deadline column.
	timeHeaderRE = regexp.MustCompile(`时限|完成时间|时间节点|进度安排`)
	// taskHeaderRE is the header of a table's task column.
	taskHeaderRE = regexp.MustCompile(`任务|内容|举措|措施|事项|要求`)
	// reportHeaderRE is the header of a column that reports rather than
	// asks: 进展情况, 完成情况, 推进情况, 是否达序, 备注.
	reportHeaderRE = regexp.MustCompile(`进展|完成情况|落实情况|推进情况|进度情况|是否|备注|说明`)
	// personHeaderRE is the header of a column that names people, not
	// units: 分管领导, 牵头领导, 责任人.
	personHeaderRE = regexp.MustCompile(`领导|责任人|联系人`)
)

// readTableHeader reads a header row: a 序号 column, at least one unit
// column and a task column (the last one whose header names tasks, else the
// last other column); ok is false for any other row.
func readTableHeader(cells []string) (tableCols, bool) {
	c := tableCols{n: len(cells), num: -1, task: -1, time: -1}
	var rest []int
	for i, h := range cells {
		switch {
		case h == "序号" || h == "编号":
			c.num = i
		case personHeaderRE.MatchString(h):
			c.people = append(c.people, h)
		case isUnitHeader(h):
			c.units, c.labels = append(c.units, i), append(c.labels, h)
		case timeHeaderRE.MatchString(h):
			c.time = i
		case reportHeaderRE.MatchString(h):
			c.skipped = append(c.skipped, h)
		default:
			rest = append(rest, i)
		}
	}
	if c.num < 0 || len(c.units) == 0 || len(rest) == 0 {
		return c, false
	}
	c.task = rest[len(rest)-1]
	for _, i := range rest {
		if taskHeaderRE.MatchString(cells[i]) {
			c.task = i
		}
	}
	for _, i := range rest {
		if i < c.task {
			c.heads = append(c.heads, i)
		}
	}
	return c, true
}

// isUnitHeader reports whether a header names units by role: 牵头单位,
// 责任部门, 配合单位, ….
func isUnitHeader(h string) bool {
	label, ok := strings.CutSuffix(h, "单位")
	if !ok {
		label, ok = strings.CutSuffix(h, "部门")
	}
	if !ok {
		return false
	}
	_, known := labelKind(label)
	return known
}

// noUnitRE is a unit cell that names nobody.
var noUnitRE = regexp.MustCompile(`^(无|—+|-+|/|／|空)?$`)

// cellAt is one cell of a row with its source line.
type cellAt struct {
	text string
	no   int
}

// readTables rewrites every task table of lines (see above), tab-separated
// or one cell a line, and warns once per table about report columns it
// does not read.
func readTables(lines []srcLine) ([]srcLine, []Warning) {
	lines, warn := readForms(lines)
	lines = unpipeCells(lines)
	var (
		out  []srcLine
		secs int
	)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		cols, ok := readTableHeader(l.cells)
		vertical := false
		if !ok {
			cols, ok = readVerticalHeader(lines[i:])
			vertical = ok
		}
		if !ok {
			out = append(out, l)
			continue
		}
		if len(cols.skipped) > 0 {
			warn = append(warn, Warning{Code: WarnTableColumn, Line: l.no,
				Message:   "table columns " + strings.Join(cols.skipped, "、") + " report progress; they are not read as part of the tasks",
				MessageZH: "表格中的" + quotedZH(cols.skipped) + "列为进展填报内容，未作为任务内容读取"})
		}
		if len(cols.people) > 0 {
			warn = append(warn, Warning{Code: WarnTableColumn, Line: l.no,
				Message:   "table columns " + strings.Join(cols.people, "、") + " name people; they are not read as units",
				MessageZH: "表格中的" + quotedZH(cols.people) + "列填写的是人员，未作为单位读取"})
		}
		var rows [][]cellAt
		if vertical {
			rows, i = verticalRows(lines, i+cols.n, cols)
		} else {
			rows, i = tabRows(lines, i+1, cols)
		}
		i--
		for _, r := range rows {
			out = append(out, tableRow(r, cols, &secs)...)
		}
	}
	return out, warn
}

// unpipeCells reads a table copied one cell a line with each cell ending in
// "|" (as some web pages print theirs): from a line "序号|" on, while lines
// end in "|", the cell is the line without it, a line "|" alone ends a row
// and holds no cell, and "||" is an empty cell that ends its row.
func unpipeCells(lines []srcLine) []srcLine {
	var out []srcLine
	inTable := false
	for _, l := range lines {
		t := strings.TrimSpace(l.text)
		if t == "序号|" || t == "编号|" {
			inTable = true
		}
		if !inTable || !strings.HasSuffix(t, "|") {
			inTable = false
			out = append(out, l)
			continue
		}
		switch t {
		case "|":
			continue
		case "||":
			l.text = ""
		default:
			l.text = strings.TrimSpace(strings.TrimSuffix(t, "|"))
		}
		out = append(out, l)
	}
	return out
}

// tabRows collects the tab-separated rows from line i on; it returns them
// and the index of the first line after the table.
func tabRows(lines []srcLine, i int, c tableCols) ([][]cellAt, int) {
	var rows [][]cellAt
	for ; i < len(lines) && lines[i].cells != nil && isNumberCell(cell(lines[i].cells, c.num)); i++ {
		var r []cellAt
		for _, t := range lines[i].cells {
			r = append(r, cellAt{t, lines[i].no})
		}
		rows = append(rows, r)
	}
	return rows, i
}

// readVerticalHeader reads a header written one cell a line ("序号",
// "内容与要求", "责任单位" on lines of their own) at the start of lines. Up
// to two short heading columns ("分类") may come before 序号.
func readVerticalHeader(lines []srcLine) (tableCols, bool) {
	k := 0
	for k < len(lines) && k < 3 && lines[k].text != "序号" && lines[k].text != "编号" {
		if t := lines[k].text; t == "" || runeLen(t) > 6 || isPunctuated(t) || isNumberCell(t) {
			return tableCols{}, false
		}
		k++
	}
	if k == len(lines) || k == 3 {
		return tableCols{}, false
	}
	var cells []string
	for _, l := range lines {
		if len(cells) == 10 || isNumberCell(l.text) || runeLen(l.text) > 10 || isPunctuated(l.text) {
			break
		}
		cells = append(cells, l.text)
	}
	// With heading columns before 序号, the first row's heading cells come
	// before its number too: trailing cells no header word names are
	// those, not headers.
	for drop := 0; drop < k && len(cells) > k+2 && !isHeaderWord(cells[len(cells)-1]); drop++ {
		cells = cells[:len(cells)-1]
	}
	return readTableHeader(cells)
}

// isHeaderWord reports whether a cell reads as a column header: a number,
// unit, deadline, task or report column.
func isHeaderWord(h string) bool {
	return h == "序号" || h == "编号" || isUnitHeader(h) || timeHeaderRE.MatchString(h) ||
		taskHeaderRE.MatchString(h) || reportHeaderRE.MatchString(h)
}

// verticalRows collects rows written one cell a line from line i on: a row
// starts at its number and runs to the line before the next row's number;
// the last row takes one row's worth of lines. It returns the rows and the
// index of the first line after the table.
//
// Where heading columns come before 序号 (a category written once, in the
// first row of its group), a row's heading cells are the short lines just
// before its number.
func verticalRows(lines []srcLine, i int, c tableCols) ([][]cellAt, int) {
	var rows [][]cellAt
	own := c.n - c.num // the number and the cells after it
	var pre []cellAt
	for c.num > 0 && i < len(lines) && len(pre) < c.num && isHeadingCell(lines[i].text) {
		pre = append(pre, cellAt{lines[i].text, lines[i].no})
		i++
	}
	for i < len(lines) && isNumberCell(lines[i].text) {
		n := rowNumber(lines[i].text)
		r := []cellAt{{lines[i].text, lines[i].no}}
		j := i + 1
		for ; j < len(lines) && rowNumber(lines[j].text) != n+1; j++ {
			if len(r) >= own && !rowAhead(lines[j:], n+1, 2*c.n) {
				break
			}
			r = append(r, cellAt{lines[j].text, lines[j].no})
		}
		var next []cellAt
		if c.num > 0 && j < len(lines) && rowNumber(lines[j].text) == n+1 {
			for len(next) < c.num && len(r) > own && isHeadingCell(r[len(r)-1].text) {
				next = append([]cellAt{r[len(r)-1]}, next...)
				r = r[:len(r)-1]
			}
		}
		head := make([]cellAt, c.num-len(pre), c.num)
		rows = append(rows, alignRow(append(append(head, pre...), r...), c))
		pre = next
		i = j
	}
	return rows, i
}

// isHeadingCell reports whether a line can be a heading cell of a table
// written one cell a line: short, unpunctuated, not a number.
func isHeadingCell(s string) bool {
	return s != "" && runeLen(s) <= 20 && !isPunctuated(s) && !isNumberCell(s)
}

// rowNumber is the number a cell holds, 0 if none.
func rowNumber(s string) int {
	if !isNumberCell(s) {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(s, "."))
	return n
}

// rowAhead reports whether row n starts within the first k lines.
func rowAhead(lines []srcLine, n, k int) bool {
	for j := 0; j < len(lines) && j < k; j++ {
		if rowNumber(lines[j].text) == n {
			return true
		}
	}
	return false
}

// alignRow fits a row to the columns: missing cells are merged cells at the
// front (after the number); surplus lines belong to the task cell.
func alignRow(r []cellAt, c tableCols) []cellAt {
	at := max(c.num, 0) + 1 // just after the number
	switch {
	case len(r) < c.n:
		// The missing cells are merged cells after the number, or cells
		// left off at the row's end: of the ways to split them, the one
		// that puts the most unit names under unit columns (the most
		// after the number on a tie).
		d := c.n - len(r)
		var best []cellAt
		bestScore := -1
		for k := d; k >= 0; k-- {
			row := append(append(append([]cellAt{}, r[:at]...), make([]cellAt, k)...), r[at:]...)
			row = append(row, make([]cellAt, d-k)...)
			if sc := unitCellScore(row, c); sc > bestScore {
				best, bestScore = row, sc
			}
		}
		return best
	case len(r) > c.n && c.task > c.num:
		extra := len(r) - c.n
		task := r[c.task]
		for _, x := range r[c.task+1 : c.task+1+extra] {
			task.text += "\n" + x.text
		}
		return append(append(append([]cellAt{}, r[:c.task]...), task), r[c.task+1+extra:]...)
	}
	return r
}

// unitCellScore counts the unit columns of a row whose cell reads as a list
// of unit names.
func unitCellScore(r []cellAt, c tableCols) int {
	n := 0
	for _, col := range c.units {
		if col < len(r) && namesUnits(r[col].text) {
			n++
		}
	}
	return n
}

// namesUnits reports whether every item of a cell ends like a unit's name
// or is a collective phrase.
func namesUnits(s string) bool {
	items := splitUnitList(s)
	for _, n := range items {
		if !unitNameRE.MatchString(n) && !collectiveRE.MatchString(n) {
			return false
		}
	}
	return len(items) > 0
}

// tableRow turns one row into the lines of an item, each with the line of
// the cell it comes from.
func tableRow(r []cellAt, c tableCols, secs *int) []srcLine {
	var out []srcLine
	at := func(i int) cellAt {
		if i < 0 || i >= len(r) {
			return cellAt{}
		}
		return r[i]
	}
	add := func(text string, no int) {
		for _, line := range strings.Split(text, "\n") {
			out = append(out, srcLine{no: no, text: line})
		}
	}
	num := at(c.num)
	if len(c.heads) > 0 {
		if h := at(c.heads[len(c.heads)-1]); h.text != "" {
			*secs++
			add("（"+formatCN(*secs)+"）"+h.text, h.no)
		}
	}
	task := at(c.task)
	add(num.text+"."+task.text, max(task.no, num.no))
	if t := at(c.time); t.text != "" {
		add("完成时限："+t.text, t.no)
	}
	for i, col := range c.units {
		if v := at(col); !noUnitRE.MatchString(v.text) {
			add(c.labels[i]+"："+v.text, v.no)
		}
	}
	return out
}

// cell is cells[i], or "" when the row is shorter.
func cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return cells[i]
}

// isNumberCell reports whether a cell holds a row number.
func isNumberCell(s string) bool {
	n, err := strconv.Atoi(strings.TrimSuffix(s, "."))
	return err == nil && n > 0 && n < 1000
}
