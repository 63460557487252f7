package planparse

import (
	"regexp"
	"strconv"
	"strings"
)

// Text copied from a web page or a PDF may lose its line breaks: a whole
// document on one line ("…现提出以下意见。1.对…资助。责任单位：市委组织部、
// 市科技局。2.对…"). splitInline puts such a line's items, and the label
// sentences that close them, back on lines of their own, each keeping the
// line's number:
//
//   - items "1." "2." … after a sentence end (。；) — only when they run in
//     sequence from 1, at least two of them, so that "增长10%。2.5亿元" or a
//     lone "。3." stays text;
//   - a sentence that starts with a role label ("。责任单位：…", "。牵头单位：…").

// inlineItemRE is a candidate inline item number after a sentence end.
var inlineItemRE = regexp.MustCompile(`[。；;](\d{1,3})[.、]`)

// inlineLabelRE is a candidate label sentence after a sentence end.
var inlineLabelRE = regexp.MustCompile(`。(\p{Han}{0,8}?)(?:单位|部门)[:：]`)

// splitInline rewrites lines (see above).
func splitInline(lines []srcLine) []srcLine {
	var out []srcLine
	for _, l := range lines {
		if l.cells != nil {
			out = append(out, l)
			continue
		}
		for _, part := range cutAt(l.text, inlineItemCuts(l.text)) {
			for _, p := range cutAt(part, inlineLabelCuts(part)) {
				out = append(out, srcLine{no: l.no, text: p})
			}
		}
	}
	return out
}

// inlineItemCuts returns the byte offsets where inline items 1, 2, … start:
// the run in sequence from 1 (the first may also open the line), at least
// two long; nil otherwise.
func inlineItemCuts(s string) []int {
	if !strings.Contains(s, "2.") && !strings.Contains(s, "2、") {
		return nil
	}
	var cuts []int
	next := 1
	if m := itemRE.FindStringSubmatch(s); m != nil && m[1] == "1" {
		next = 2 // the line opens with item 1
	}
	for _, loc := range inlineItemRE.FindAllStringSubmatchIndex(s, -1) {
		n, _ := strconv.Atoi(s[loc[2]:loc[3]])
		if n != next || loc[1] < len(s) && isDigit(nextRune(s, loc[1])) {
			continue
		}
		cuts = append(cuts, loc[2])
		next++
	}
	if next < 3 {
		return nil
	}
	return cuts
}

// inlineLabelCuts returns the byte offsets of the label sentences of s.
func inlineLabelCuts(s string) []int {
	var cuts []int
	for _, loc := range inlineLabelRE.FindAllStringSubmatchIndex(s, -1) {
		if _, ok := labelKind(s[loc[2]:loc[3]]); ok {
			cuts = append(cuts, loc[0]+len("。"))
		}
	}
	return cuts
}

// cutAt splits s before each offset.
func cutAt(s string, cuts []int) []string {
	if len(cuts) == 0 {
		return []string{s}
	}
	var out []string
	prev := 0
	for _, c := range cuts {
		if t := strings.TrimSpace(s[prev:c]); t != "" {
			out = append(out, t)
		}
		prev = c
	}
	if t := strings.TrimSpace(s[prev:]); t != "" {
		out = append(out, t)
	}
	return out
}
