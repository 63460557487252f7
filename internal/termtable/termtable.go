// Package termtable renders aligned text tables for terminals, counting
// Chinese, Japanese and Korean characters and full-width punctuation as two
// columns, as terminals draw them.
package termtable

import (
	"io"
	"strings"
	"unicode"
)

// Width returns the number of terminal columns s occupies.
func Width(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r == '\t':
			w += 4
		case unicode.Is(unicode.Mn, r) || r < 0x20:
		case wide(r):
			w += 2
		default:
			w++
		}
	}
	return w
}

// wide reports whether r is drawn two columns wide (East Asian Wide and
// Full-width ranges).
func wide(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115F,
		r >= 0x2E80 && r <= 0x303E,
		r >= 0x3041 && r <= 0x33FF,
		r >= 0x3400 && r <= 0x4DBF,
		r >= 0x4E00 && r <= 0x9FFF,
		r >= 0xA000 && r <= 0xA4CF,
		r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF,
		r >= 0xFE30 && r <= 0xFE4F,
		r >= 0xFF00 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x20000 && r <= 0x3FFFD:
		return true
	}
	return false
}

// Table collects rows and writes them with aligned columns.
type Table struct {
	header []string
	rows   [][]string
	right  map[int]bool
}

// New returns a table with a header row.
func New(header ...string) *Table { return &Table{header: header, right: map[int]bool{}} }

// AlignRight right-aligns a column (for numbers).
func (t *Table) AlignRight(col int) *Table {
	t.right[col] = true
	return t
}

// Row adds a row.
func (t *Table) Row(cells ...string) { t.rows = append(t.rows, cells) }

// Len returns the number of rows added.
func (t *Table) Len() int { return len(t.rows) }

// Write renders the table: header, a rule, then the rows, two spaces
// between columns.
func (t *Table) Write(w io.Writer) error {
	widths := make([]int, len(t.header))
	all := append([][]string{t.header}, t.rows...)
	for _, r := range all {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], Width(c))
		}
	}
	var b strings.Builder
	line := func(r []string) {
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-Width(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if t.right[i] {
				b.WriteString(pad + c)
			} else if i < len(r)-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
		}
		b.WriteString("\n")
	}
	line(t.header)
	rule := make([]string, len(t.header))
	for i := range rule {
		rule[i] = strings.Repeat("-", widths[i])
	}
	line(rule)
	for _, r := range t.rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
