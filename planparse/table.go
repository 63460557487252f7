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
	num, task, time int
	heads           []int    // heading columns before the task column
	units           []int    // unit columns ("牵头单位", "配合单位", …)
	labels          []string // their headers
}

// timeHeaderRE is the header of a table's deadline column.
var timeHeaderRE = regexp.MustCompile(`时限|完成时间|时间节点|进度安排`)

// readTableHeader reads a header row: a 序号 column, at least one unit
// column and a task column; ok is false for any other row.
func readTableHeader(cells []string) (tableCols, bool) {
	c := tableCols{num: -1, task: -1, time: -1}
	var rest []int
	for i, h := range cells {
		switch {
		case h == "序号" || h == "编号":
			c.num = i
		case isUnitHeader(h):
			c.units, c.labels = append(c.units, i), append(c.labels, h)
		case timeHeaderRE.MatchString(h):
			c.time = i
		default:
			rest = append(rest, i)
		}
	}
	if c.num < 0 || len(c.units) == 0 || len(rest) == 0 {
		return c, false
	}
	c.task, c.heads = rest[len(rest)-1], rest[:len(rest)-1]
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

// readTables rewrites every task table of lines (see above).
func readTables(lines []srcLine) []srcLine {
	var (
		out  []srcLine
		cols tableCols
		in   bool
		secs int
	)
	for _, l := range lines {
		if h, ok := readTableHeader(l.cells); ok {
			cols, in = h, true
			continue
		}
		if !in || l.cells == nil || !isNumberCell(cell(l.cells, cols.num)) {
			in = in && l.cells != nil
			out = append(out, l)
			continue
		}
		out = append(out, tableRow(l, cols, &secs)...)
	}
	return out
}

// tableRow turns one row into the lines of an item.
func tableRow(l srcLine, c tableCols, secs *int) []srcLine {
	var out []srcLine
	add := func(text string) { out = append(out, srcLine{no: l.no, text: text}) }
	if len(c.heads) > 0 {
		if h := cell(l.cells, c.heads[len(c.heads)-1]); h != "" {
			*secs++
			add("（" + formatCN(*secs) + "）" + h)
		}
	}
	add(cell(l.cells, c.num) + "." + cell(l.cells, c.task))
	if t := cell(l.cells, c.time); t != "" {
		add("完成时限：" + t)
	}
	for i, col := range c.units {
		if v := cell(l.cells, col); !noUnitRE.MatchString(v) {
			add(c.labels[i] + "：" + v)
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
