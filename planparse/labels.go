package planparse

import (
	"regexp"
	"sort"
	"strings"
)

// Some plans attribute an item on lines of their own below it:
//
//	1.努力实现地区生产总值增长6.2%左右。
//	牵头单位：区发改局
//	责任单位：立山经济开发区，全区经济运行各专班
//
// Such a run of label lines is read as one attribution of the item, as if
// it were a bracket "（牵头单位：区发改局；责任单位：…）" at its place.

// labelLineRE is a line that starts with a label of Han characters
// ending in 单位 or 部门 and a colon: "牵头单位：", "责任部门:".
var labelLineRE = regexp.MustCompile(`^(\p{Han}{0,8}?)(?:单位|部门)[:：](.+)$`)

// isLabelLine reports whether a line (not the item's first) is a label
// line: a role label and a list. A bracket on its own line is not one.
func isLabelLine(line string) bool {
	m := labelLineRE.FindStringSubmatch(line)
	if m == nil || trimPunct(m[2]) == "" {
		return false
	}
	_, ok := labelKind(m[1])
	return ok
}

// labelBlocks finds the runs of label lines of a task's text, each as a
// span whose inner text joins its lines with ；.
func labelBlocks(text string) []bracketSpan {
	var (
		out   []bracketSpan
		cur   *bracketSpan
		lines []string
		off   int
	)
	flush := func() {
		if cur != nil {
			cur.inner = strings.Join(lines, "；")
			out = append(out, *cur)
			cur, lines = nil, nil
		}
	}
	for i, line := range strings.Split(text, "\n") {
		end := off + len(line)
		if i > 0 && isLabelLine(line) {
			if cur == nil {
				cur = &bracketSpan{start: off}
			}
			cur.end = end
			lines = append(lines, line)
		} else {
			flush()
		}
		off = end + 1
	}
	flush()
	return out
}

// attributionSpans returns the groups of a task's text that may attribute
// it, in order: its top-level brackets outside label lines, and its runs
// of label lines.
func attributionSpans(text string) []bracketSpan {
	blocks := labelBlocks(text)
	out := append([]bracketSpan(nil), blocks...)
	for _, b := range topBrackets(text) {
		if !insideAny(b, blocks) {
			out = append(out, b)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// insideAny reports whether b lies within one of the spans.
func insideAny(b bracketSpan, spans []bracketSpan) bool {
	for _, s := range spans {
		if b.start >= s.start && b.end <= s.end {
			return true
		}
	}
	return false
}
