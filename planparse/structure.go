package planparse

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

type lineKind int

const (
	lkBody    lineKind = iota
	lkChapter          // 一、… (or "10、" when it continues the chapter sequence)
	lkArabic           // N、 — a chapter if it continues the sequence, else an item
	lkParen            // （一）…
	lkItem             // 1. / 1． / 1、…
)

var (
	chapterCNRE = regexp.MustCompile(`^([一二三四五六七八九十百零〇两]{1,6})、(.*)$`)
	parenRE     = regexp.MustCompile(`^[（(]([一二三四五六七八九十百零〇两]{1,6})[）)](.*)$`)
	arabicRE    = regexp.MustCompile(`^(\d{1,3})、(.*)$`)
	itemRE      = regexp.MustCompile(`^(\d{1,3})\.(.*)$`)
	scoreRE     = regexp.MustCompile(`[（(](\d+(?:\.\d+)?)分[）)]$`)
	dateLineRE  = regexp.MustCompile(`^\d{4}年\d{1,2}月\d{1,2}日$`)
	annexRE     = regexp.MustCompile(`^附件\d*[：:]?$`)
	docNoRE     = regexp.MustCompile(`〔\d{4}〕|\[\d{4}\]`)
	titleEndRE  = regexp.MustCompile(`(方案|意见|办法|计划|规划|要点|措施|细则|纲要|决定|规定|行动|指南|条例|通知|清单|分解|表)$`)
	// preambleHeadingRE marks a chapter whose numbered items are not tasks.
	preambleHeadingRE = regexp.MustCompile(`总体要求|指导思想|基本原则|主要目标|发展目标|工作目标|总体目标|总体思路|目标任务`)
	// preambleTitleRE marks a numbered item that is not a task wherever it
	// stands.
	preambleTitleRE = regexp.MustCompile(`^(指导思想|基本原则|工作原则|主要目标|发展目标|工作目标|总体目标|总体思路|目标任务|总体要求)$`)
)

// classified is a normalised line with its kind and number.
type classified struct {
	srcLine
	kind lineKind
	num  int
	rest string // the text after the number
}

func classify(l srcLine) classified {
	c := classified{srcLine: l, kind: lkBody, rest: l.text}
	if m := chapterCNRE.FindStringSubmatch(l.text); m != nil {
		if n, ok := parseCN(m[1]); ok {
			c.kind, c.num, c.rest = lkChapter, n, m[2]
			return c
		}
	}
	if m := parenRE.FindStringSubmatch(l.text); m != nil {
		if n, ok := parseCN(m[1]); ok {
			c.kind, c.num, c.rest = lkParen, n, m[2]
			return c
		}
	}
	if m := arabicRE.FindStringSubmatch(l.text); m != nil && m[2] != "" && !isDigit(firstRune(m[2])) {
		n, _ := strconv.Atoi(m[1])
		c.kind, c.num, c.rest = lkArabic, n, m[2]
		return c
	}
	if m := itemRE.FindStringSubmatch(l.text); m != nil && m[2] != "" && !isDigit(firstRune(m[2])) {
		n, _ := strconv.Atoi(m[1])
		c.kind, c.num, c.rest = lkItem, n, m[2]
		return c
	}
	return c
}

// itemDigitRE is an item whose text starts with a digit: "11.121人才梯队项目"
// (or a decimal number, "1.5亿元…").
var itemDigitRE = regexp.MustCompile(`^(\d{1,3})\.(\d.*)$`)

// promoteDigitItems reads a line "N.<digit>…" as item N when N follows the
// number of the item before it ("10." then "11.121人才梯队项目"); anywhere
// else such a line reads as a decimal number and stays body text.
func promoteDigitItems(cls []classified) {
	last := 0
	for i := range cls {
		c := &cls[i]
		switch c.kind {
		case lkItem:
			last = c.num
		case lkChapter, lkParen, lkArabic:
			continue
		case lkBody:
			m := itemDigitRE.FindStringSubmatch(c.text)
			if m == nil {
				continue
			}
			if n, _ := strconv.Atoi(m[1]); last > 0 && n == last+1 {
				c.kind, c.num, c.rest, last = lkItem, n, m[2], n
			}
		}
	}
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// rawTask is a task (or preamble item) as the structure pass finds it.
type rawTask struct {
	num      int
	line     int
	chapter  string
	part     string
	paras    []string
	lines    []int // the source line of each paragraph
	preamble bool
	targets  bool // a preamble item whose text holds the overall targets
}

// targetSource is text that holds overall targets.
type targetSource struct {
	text string
	line int
}

// structure is the outcome of the structure pass.
type structure struct {
	layout     Layout
	chapters   []Chapter
	tasks      []*rawTask
	preamble   []*rawTask
	sources    []targetSource
	titleLines []srcLine
	warnings   []Warning
}

// splitScore removes a trailing score "（3分）" from a heading.
func splitScore(title string) (string, float64) {
	if m := scoreRE.FindStringSubmatchIndex(title); m != nil {
		v, err := strconv.ParseFloat(title[m[2]:m[3]], 64)
		if err == nil {
			return strings.TrimSpace(title[:m[0]]), v
		}
	}
	return title, 0
}

// headingLike reports whether the text after a （一） number is a heading
// rather than a paragraph: short, with no sentence break before its end.
func headingLike(rest string) bool {
	t, _ := splitScore(strings.TrimRight(rest, "。"))
	if runeLen(t) > 40 {
		return false
	}
	return !strings.ContainsAny(t, "。！？")
}

// isPunctuated reports whether a line holds clause or sentence punctuation.
func isPunctuated(s string) bool {
	return strings.ContainsAny(s, "，。；：、,;:！？")
}

// wholeBracket reports whether s is a single bracket group.
func wholeBracket(s string) (string, bool) {
	bs := topBrackets(s)
	if len(bs) == 1 && bs[0].start == 0 && bs[0].end == len(s) {
		return bs[0].inner, true
	}
	return "", false
}

var roleWordRE = regexp.MustCompile(`牵头|负责|配合|落实|单位`)

// trailerLike reports whether a body line ends the current task: a date
// line, "附件", a lone bracket that attributes nothing ("（此件公开发布）"), or
// a short unpunctuated line (a signature such as "国务院") that is not
// followed by an ordinary paragraph.
func trailerLike(lines []classified, i int) bool {
	t := lines[i].text
	if dateLineRE.MatchString(t) || annexRE.MatchString(t) {
		return true
	}
	if inner, ok := wholeBracket(t); ok {
		return !roleWordRE.MatchString(inner)
	}
	if runeLen(t) > 25 || isPunctuated(t) {
		return false
	}
	if i+1 >= len(lines) {
		return true
	}
	next := lines[i+1]
	if next.kind != lkBody {
		return true
	}
	if dateLineRE.MatchString(next.text) || annexRE.MatchString(next.text) {
		return true
	}
	if _, ok := wholeBracket(next.text); ok {
		return true
	}
	return runeLen(next.text) <= 25 && !isPunctuated(next.text)
}

// buildStructure walks the classified lines under one layout.
func buildStructure(lines []classified, layout Layout) *structure {
	st := &structure{layout: layout}
	var (
		cur             *rawTask
		trailer         bool
		seenHeading     bool
		lastChapter     int
		chapterStr      string
		chapterPre      bool // current chapter is a preamble chapter
		chapterTargets  bool // … whose title mentions 目标
		section         string
		sectionPre      bool
		sectionTargets  bool
		chapterIdx      = -1
		pendingRestarts []Warning
		unread          = &unreadTracker{withTasks: map[int]bool{}}
	)
	closeCur := func() {
		if cur == nil {
			return
		}
		if cur.preamble && len(cur.paras) > 0 && !preambleTitleRE.MatchString(firstSentence(cur.paras[0])) && assignsUnits(cur.paras[1:]) {
			// An item under a target heading that a 责任单位： line
			// assigns ("发展目标" rows of a task table) is work to track.
			cur.preamble, cur.targets = false, false
		}
		if cur.preamble {
			st.preamble = append(st.preamble, cur)
		} else {
			st.tasks = append(st.tasks, cur)
			unread.withTasks[chapterIdx] = true
		}
		cur = nil
	}
	body := func(i int, text string, line int, checkTrailer bool) {
		if !seenHeading {
			st.titleLines = append(st.titleLines, srcLine{no: line, text: text})
			return
		}
		if checkTrailer && trailerLike(lines, i) {
			closeCur()
			trailer = true
			return
		}
		if trailer {
			unread.drop(lines[i], text, chapterIdx)
			return
		}
		switch {
		case cur != nil:
			cur.paras = append(cur.paras, text)
			cur.lines = append(cur.lines, line)
		case layout == LayoutItems && sectionTargets && section != "":
			st.sources = append(st.sources, targetSource{text, line})
		case chapterTargets && section == "":
			st.sources = append(st.sources, targetSource{text, line})
		default:
			unread.drop(lines[i], text, chapterIdx)
		}
	}
	for i, c := range lines {
		kind := c.kind
		if kind == lkArabic {
			kind = lkItem
			if lastChapter >= 1 && c.num == lastChapter+1 && headingLike(c.rest) {
				kind = lkChapter
				st.warnings = append(st.warnings, Warning{Code: WarnArabicHeading, Line: c.no,
					Message:   fmt.Sprintf("chapter heading numbered %q read as chapter %s、 (%d)", fmt.Sprint(c.num)+"、", formatCN(c.num), c.num),
					MessageZH: fmt.Sprintf("章节标题编号“%d、”已按“%s、”读取", c.num, formatCN(c.num))})
			}
		}
		switch kind {
		case lkChapter:
			closeCur()
			trailer, seenHeading = false, true
			title := firstSentence(c.rest)
			rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(c.rest, title), "。"))
			title, points := splitScore(title)
			if c.num <= lastChapter {
				pendingRestarts = append(pendingRestarts, Warning{Code: WarnChapterRestart, Line: c.no,
					Message:   fmt.Sprintf("chapter numbering starts again (an annex?) at %s、%s", formatCN(c.num), title),
					MessageZH: fmt.Sprintf("章节编号从%s起重新开始（可能是附件）", quoteZH(formatCN(c.num)+"、"+title))})
			}
			lastChapter = c.num
			st.chapters = append(st.chapters, Chapter{Number: c.num, Title: title, Points: points, Line: c.no})
			chapterIdx = len(st.chapters) - 1
			chapterStr = formatCN(c.num) + "、" + title
			chapterPre = preambleHeadingRE.MatchString(title)
			chapterTargets = chapterPre && strings.Contains(title, "目标")
			section, sectionPre, sectionTargets = "", false, false
			if rest != "" {
				body(i, rest, c.no, false)
			}
		case lkParen:
			if layout == LayoutItems {
				if !headingLike(c.rest) {
					body(i, c.text, c.no, true)
					continue
				}
				closeCur()
				trailer, seenHeading = false, true
				title, points := splitScore(strings.TrimRight(c.rest, "。"))
				section = "（" + formatCN(c.num) + "）" + title
				sectionPre = preambleTitleRE.MatchString(title) || preambleHeadingRE.MatchString(title)
				sectionTargets = sectionPre && strings.Contains(title, "目标")
				if chapterIdx >= 0 {
					ch := &st.chapters[chapterIdx]
					ch.Sections = append(ch.Sections, Section{Number: c.num, Title: title, Points: points, Line: c.no})
				}
				continue
			}
			closeCur()
			trailer, seenHeading = false, true
			title := firstSentence(c.rest)
			pre := chapterPre || preambleTitleRE.MatchString(title)
			cur = &rawTask{num: c.num, line: c.no, chapter: chapterStr, paras: []string{c.rest}, lines: []int{c.no},
				preamble: pre, targets: pre && strings.Contains(title, "目标")}
		case lkItem:
			if layout != LayoutItems {
				body(i, c.text, c.no, true)
				continue
			}
			closeCur()
			trailer, seenHeading = false, true
			title := firstSentence(c.rest)
			pre := chapterPre || sectionPre || preambleTitleRE.MatchString(title)
			t := &rawTask{num: c.num, line: c.no, chapter: chapterStr, paras: []string{c.rest}, lines: []int{c.no},
				preamble: pre, targets: pre && strings.Contains(title, "目标")}
			if section != "" {
				t.chapter, t.part = section, chapterStr
			}
			cur = t
		default:
			body(i, c.text, c.no, true)
		}
	}
	closeCur()
	st.warnings = append(st.warnings, pendingRestarts...)
	st.warnings = append(st.warnings, unread.warnings()...)
	return st
}

// numberedRE matches a line that opens with an item number of any common
// form: （一） (1) 1. 1、 1) — "﹒" and "．" are "." by now.
var numberedRE = regexp.MustCompile(`^(?:[（(](?:\d{1,3}|[一二三四五六七八九十]{1,3})[）)]|\d{1,3}[.、)）])\S`)

// unreadTracker collects the numbered lines the structure pass drops, to
// report those that lie in a chapter holding tasks.
type unreadTracker struct {
	dropped   []droppedLine
	withTasks map[int]bool // chapter indexes that hold tasks
}

type droppedLine struct {
	chapter int
	line    int
	text    string
}

// drop notes a dropped line if it is a whole numbered line.
func (u *unreadTracker) drop(c classified, text string, chapter int) {
	if text == c.text && numberedRE.MatchString(text) {
		u.dropped = append(u.dropped, droppedLine{chapter, c.no, text})
	}
}

// warnings reports the dropped numbered lines of chapters that hold tasks.
func (u *unreadTracker) warnings() []Warning {
	var out []Warning
	for _, d := range u.dropped {
		if u.withTasks[d.chapter] {
			out = append(out, Warning{Code: WarnUnreadItem, Line: d.line, Text: clip(d.text, 40),
				Message:   fmt.Sprintf("numbered item not read as part of any task: %q", clip(d.text, 40)),
				MessageZH: fmt.Sprintf("编号条目未归入任何任务：%s", quoteZH(clip(d.text, 40)))})
		}
	}
	return out
}

// findTitle picks the document's own title from the lines before the first
// heading: the last unpunctuated line ending like a title (…方案, …意见,
// …办法, but not …通知), joined with the line before it when that line is
// the first half of a title broken in two.
// titleForms returns what a line gives as a title and the text to judge it
// by. A closing bracket is not judged: a short one stays in the title
// ("…三年行动计划（2018—2020年）", "（试行）"), a note is dropped from it
// ("…实施细则》（淮政发〔2022〕7号，http://…）"); a closing 》 is not judged
// either ("淮安市《…实施细则》").
func titleForms(t string) (title, test string) {
	title, test = t, t
	for range 2 { // "…责任分解(2023年)（丽水市政府，http://…）"
		bs := topBrackets(test)
		if len(bs) == 0 {
			break
		}
		last := bs[len(bs)-1]
		if last.end != len(test) || last.start == 0 {
			break
		}
		if isPunctuated(last.inner) || strings.Contains(last.inner, "http") {
			title = strings.TrimSpace(test[:last.start])
		}
		test = strings.TrimSpace(test[:last.start])
	}
	return title, strings.TrimSuffix(test, "》")
}

func findTitle(lines []srcLine) string {
	candidate := func(t string) bool {
		switch {
		case t == "", isPunctuated(t), strings.HasPrefix(t, "【"), strings.Contains(t, "http"),
			strings.HasPrefix(t, "原文链接"), docNoRE.MatchString(t), dateLineRE.MatchString(t),
			annexRE.MatchString(t):
			return false
		}
		if _, ok := wholeBracket(t); ok {
			return false
		}
		return true
	}
	titled := func(t string) bool { return titleEndRE.MatchString(t) && !strings.HasSuffix(t, "通知") }
	best, bestTitle := -1, ""
	for i, l := range lines {
		if title, test := titleForms(l.text); candidate(test) && titled(test) {
			best, bestTitle = i, title
		} else if first := firstSentence(l.text); first != l.text && candidate(first) && titled(first) {
			// A title run together with the text after it: "…十条意见。为落实…".
			best, bestTitle = i, first
		}
	}
	if best >= 0 {
		t := bestTitle
		if best > 0 {
			prev := lines[best-1]
			if prev.no == lines[best].no-1 && candidate(prev.text) && !titleEndRE.MatchString(prev.text) {
				t = prev.text + t
			}
		}
		return t
	}
	for _, l := range lines {
		if candidate(l.text) && !strings.HasSuffix(l.text, "通知") {
			return l.text
		}
	}
	return ""
}

// assignsUnits reports whether one of an item's paragraphs is a role label
// line: "牵头单位：…", "责任单位：…".
func assignsUnits(paras []string) bool {
	for _, para := range paras {
		if m := prefixRoleRE.FindStringSubmatch(para); m != nil {
			if _, ok := labelKind(m[1]); ok {
				return true
			}
		}
	}
	return false
}
