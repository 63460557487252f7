package planparse

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// shanghai is the zone the plans' dates are civil dates in. China has kept
// UTC+8 without daylight saving since 1991, so a fixed zone is exact for
// every date a plan can name and needs no time-zone database.
func shanghai() *time.Location { return time.FixedZone("Asia/Shanghai", 8*60*60) }

// dlKind says how a deadline phrase binds.
type dlKind int

const (
	dkDue     dlKind = iota // 2025年底前, 5月底: by then; may name a milestone
	dkHorizon               // 到2025年, "2025年全市…": the horizon of a target
	dkStarts                // 从2026年1月1日起: an obligation that starts then
)

// dlPart is the part of a month a phrase names.
type dlPart int

const (
	partEnd dlPart = iota // month end (or year end when month is 0)
	partDay               // the given day
	partFirst
	partEarly // 上旬: the 10th
	partMid   // 中旬: the 20th
)

// dlMatch is one deadline phrase found in a text.
type dlMatch struct {
	start, end int
	kind       dlKind
	year       int // 0: the plan year
	month      int // 0: the whole year
	day        int
	part       dlPart
}

type dlPattern struct {
	re   *regexp.Regexp
	kind dlKind
	// need, when set, lists words one of which the text must hold for the
	// pattern to be tried (a cheap scan before the expression's).
	need []string
	// build turns submatches into a match; ok false rejects it.
	build func(s string, loc []int) (dlMatch, bool)
}

func atoiSub(s string, loc []int, i int) int {
	if loc[2*i] < 0 {
		return 0
	}
	n, _ := strconv.Atoi(s[loc[2*i]:loc[2*i+1]])
	return n
}

func subStr(s string, loc []int, i int) string {
	if loc[2*i] < 0 {
		return ""
	}
	return s[loc[2*i]:loc[2*i+1]]
}

// prevRune is the rune before byte offset i of s, or 0.
func prevRune(s string, i int) rune {
	if i <= 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// nextRune is the rune at byte offset i of s, or 0.
func nextRune(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

func validYear(y int) bool { return y >= 1990 && y <= 2100 }

func partOf(suffix string) dlPart {
	switch {
	case strings.HasPrefix(suffix, "上旬"):
		return partEarly
	case strings.HasPrefix(suffix, "中旬"):
		return partMid
	}
	return partEnd
}

// dlPatterns lists the recognised deadline phrases.
func dlPatterns() []dlPattern {
	full := func(kind dlKind, part dlPart) func(string, []int) (dlMatch, bool) {
		return func(s string, loc []int) (dlMatch, bool) {
			m := dlMatch{start: loc[0], end: loc[1], kind: kind, year: atoiSub(s, loc, 1),
				month: atoiSub(s, loc, 2), day: atoiSub(s, loc, 3), part: part}
			if part == partDay && m.day == 0 {
				m.part = partFirst
			}
			return m, validYear(m.year)
		}
	}
	return []dlPattern{
		{re: regexp.MustCompile(`(?:从|自)(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?(?:起|开始)`), kind: dkStarts,
			build: func(s string, loc []int) (dlMatch, bool) {
				m := dlMatch{start: loc[0], end: loc[1], kind: dkStarts, year: atoiSub(s, loc, 1),
					month: atoiSub(s, loc, 2), day: atoiSub(s, loc, 3), part: partFirst}
				if m.month == 0 {
					m.month = 1
				}
				if m.day > 0 {
					m.part = partDay
				}
				return m, validYear(m.year)
			}},
		{re: regexp.MustCompile(`(\d{4})年(\d{1,2})月(\d{1,2})日起`), kind: dkStarts, build: full(dkStarts, partDay)},
		{re: regexp.MustCompile(`(\d{4})年(\d{1,2})月(\d{1,2})日(?:之前|以前|前)`), kind: dkDue, build: full(dkDue, partDay)},
		{re: regexp.MustCompile(`(?:到|至|截至|截止到|截止)(\d{4})年(\d{1,2})月(底|末)?`), kind: dkHorizon,
			build: func(s string, loc []int) (dlMatch, bool) {
				m := dlMatch{start: loc[0], end: loc[1], kind: dkHorizon, year: atoiSub(s, loc, 1), month: atoiSub(s, loc, 2)}
				return m, validYear(m.year) && !isDigit(nextRune(s, loc[1])) && nextRune(s, loc[1]) != '日'
			}},
		{re: regexp.MustCompile(`(?:完成时限|完成时间|时间节点|时限)[:：](\d{4})年(\d{1,2})月(?:底|末)?(?:前|以前)?`), kind: dkDue,
			need: []string{"时限", "时间"},
			build: func(s string, loc []int) (dlMatch, bool) {
				// A deadline column's "2026年12月": by the month's end.
				m := dlMatch{start: loc[0], end: loc[1], kind: dkDue, year: atoiSub(s, loc, 1), month: atoiSub(s, loc, 2)}
				next := nextRune(s, loc[1])
				return m, validYear(m.year) && !isDigit(next) && next != '日' && next != '号'
			}},
		{re: regexp.MustCompile(`(\d{4})年(\d{1,2})月(上旬前|上旬|中旬前|中旬|下旬前|下旬|底前|底|末前|末|份前|份)`), kind: dkDue,
			build: func(s string, loc []int) (dlMatch, bool) {
				m := dlMatch{start: loc[0], end: loc[1], kind: dkDue, year: atoiSub(s, loc, 1), month: atoiSub(s, loc, 2),
					part: partOf(subStr(s, loc, 3))}
				return m, validYear(m.year)
			}},
		{re: regexp.MustCompile(`(\d{4})年(?:年底前|年底|年末|底前|底|末前|末)`), kind: dkDue,
			build: func(s string, loc []int) (dlMatch, bool) {
				m := dlMatch{start: loc[0], end: loc[1], kind: dkDue, year: atoiSub(s, loc, 1)}
				return m, validYear(m.year)
			}},
		{re: regexp.MustCompile(`(?:到|至|截至|截止到|截止)(\d{4})年(?:底|末)?`), kind: dkHorizon,
			build: func(s string, loc []int) (dlMatch, bool) {
				m := dlMatch{start: loc[0], end: loc[1], kind: dkHorizon, year: atoiSub(s, loc, 1)}
				return m, validYear(m.year) && !isDigit(nextRune(s, loc[1]))
			}},
		{re: regexp.MustCompile(`(\d{4})年`), kind: dkHorizon,
			build: func(s string, loc []int) (dlMatch, bool) {
				// A bare year counts only at the start of a clause and when a
				// statement follows: "2025年全市秸秆综合利用率达到90%".
				m := dlMatch{start: loc[0], end: loc[1], kind: dkHorizon, year: atoiSub(s, loc, 1)}
				if !validYear(m.year) {
					return m, false
				}
				switch prevRune(s, loc[0]) {
				case 0, '，', '。', '；', '：', '\n', ',', ';':
				default:
					return m, false
				}
				next := nextRune(s, loc[1])
				if !unicode.Is(unicode.Han, next) || strings.ContainsRune("度底末前第以起内月后初中来间的至到和、年", next) {
					return m, false
				}
				return m, true
			}},
		{re: regexp.MustCompile(`(\d{1,2})月(上旬前|上旬|中旬前|中旬|下旬前|下旬|底前|底|末前|末|份前|份)?`), kind: dkDue,
			build: func(s string, loc []int) (dlMatch, bool) {
				m := dlMatch{start: loc[0], end: loc[1], kind: dkDue, month: atoiSub(s, loc, 1), part: partOf(subStr(s, loc, 2))}
				if m.month < 1 || m.month > 12 {
					return m, false
				}
				if p := prevRune(s, loc[0]); isDigit(p) || p == '年' || p == '个' || p == '.' || p == '/' || p == '-' {
					return m, false
				}
				rest := s[loc[1]:]
				if strings.HasPrefix(rest, "日") || strings.HasPrefix(rest, "号") {
					return m, false
				}
				if subStr(s, loc, 2) == "" {
					ok := false
					for _, v := range []string{"完成", "取得", "上线", "建成", "实现", "启动", "出台", "见效", "完善"} {
						if strings.HasPrefix(rest, v) {
							ok = true
							break
						}
					}
					if !ok {
						return m, false
					}
				}
				return m, true
			}},
		{re: regexp.MustCompile(`(?:(\d{4})年)?(?:(上半年|下半年)|第?([一二三四1-4])季度)(?:末|底)?(?:前|以前|之前)?`), kind: dkDue,
			need: []string{"半年", "季度"}, build: periodEnd},
		{re: regexp.MustCompile(`(?:(\d{4})年内|本年内|年内)`), kind: dkDue, need: []string{"年内"},
			build: func(s string, loc []int) (dlMatch, bool) {
				// "2023年内", "年内完成": by the end of the year; "5年内",
				// "三年内" count years from an unnamed start and are no date.
				m := dlMatch{start: loc[0], end: loc[1], kind: dkDue, year: atoiSub(s, loc, 1)}
				if m.year != 0 {
					return m, validYear(m.year)
				}
				p := prevRune(s, loc[0])
				return m, !isDigit(p) && !strings.ContainsRune("一二两三四五六七八九十百几多每数近", p)
			}},
		{re: regexp.MustCompile(`年底前|年底|年末`), kind: dkDue,
			build: func(s string, loc []int) (dlMatch, bool) {
				m := dlMatch{start: loc[0], end: loc[1], kind: dkDue}
				p := prevRune(s, loc[0])
				return m, !isDigit(p) && !strings.ContainsRune("年每明去前后", p)
			}},
	}
}

// periodEnd builds the match of a half year or a quarter: "2019年上半年" →
// June 30, "第三季度" → September 30 of the plan year. A quarter must be
// named as one ("第三季度", "三季度末"), not counted ("每季度", "一个季度").
func periodEnd(s string, loc []int) (dlMatch, bool) {
	m := dlMatch{start: loc[0], end: loc[1], kind: dkDue, year: atoiSub(s, loc, 1), part: partEnd}
	if m.year != 0 && !validYear(m.year) {
		return m, false
	}
	switch half, q := subStr(s, loc, 2), subStr(s, loc, 3); {
	case half == "上半年":
		m.month = 6
	case half == "下半年":
		m.month = 12
	default:
		n := strings.Index("一二三四", q)/len("一") + 1
		if isDigit(firstRune(q)) {
			n = int(q[0] - '0')
		}
		if m.year == 0 && !strings.HasPrefix(s[loc[0]:], "第") && strings.ContainsRune("每个一前后", prevRune(s, loc[0])) {
			return m, false
		}
		m.month = 3 * n
	}
	if m.year == 0 && isDigit(prevRune(s, loc[0])) {
		return m, false
	}
	return m, true
}

// holdsAny reports whether s holds one of words; no words: true.
func holdsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return len(words) == 0
}

// findDeadlines returns the deadline phrases of s in order, without
// overlaps: at each position the longest phrase wins.
func findDeadlines(s string, pats []dlPattern) []dlMatch {
	if !strings.ContainsAny(s, "年月季") {
		return nil
	}
	var all []dlMatch
	for _, p := range pats {
		if !holdsAny(s, p.need) {
			continue
		}
		for _, loc := range p.re.FindAllStringSubmatchIndex(s, -1) {
			if m, ok := p.build(s, loc); ok {
				all = append(all, m)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].start != all[j].start {
			return all[i].start < all[j].start
		}
		return all[i].end > all[j].end
	})
	var out []dlMatch
	end := -1
	for _, m := range all {
		if m.start < end {
			continue
		}
		out = append(out, m)
		end = m.end
	}
	return out
}

// date resolves a match to a civil date; year 0 takes planYear. ok is false
// when no year is known or the date does not exist.
func (m dlMatch) date(planYear int) (string, bool) {
	y := m.year
	if y == 0 {
		y = planYear
	}
	if y == 0 || m.month < 0 || m.month > 12 {
		return "", false
	}
	loc := shanghai()
	var t time.Time
	switch {
	case m.month == 0:
		t = time.Date(y, 12, 31, 0, 0, 0, 0, loc)
		if m.kind == dkStarts {
			t = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		}
	case m.part == partDay:
		t = time.Date(y, time.Month(m.month), m.day, 0, 0, 0, 0, loc)
		if t.Day() != m.day || int(t.Month()) != m.month {
			return "", false
		}
	case m.part == partFirst:
		t = time.Date(y, time.Month(m.month), 1, 0, 0, 0, 0, loc)
	case m.part == partEarly:
		t = time.Date(y, time.Month(m.month), 10, 0, 0, 0, 0, loc)
	case m.part == partMid:
		t = time.Date(y, time.Month(m.month), 20, 0, 0, 0, 0, loc)
	default:
		t = time.Date(y, time.Month(m.month)+1, 0, 0, 0, 0, 0, loc)
	}
	return t.Format(time.DateOnly), true
}

// rawDeadline is a deadline before the plan year is known.
type rawDeadline struct {
	m         dlMatch
	phrase    string
	what      string
	milestone string
	offset    int // byte offset in its text, for targets
}

// describeDeadlines finds the deadline phrases of s and the clause each one
// governs. A phrase that ends its clause ("2025年底前，…") governs the rest
// of its sentence up to the next clause that holds another phrase; a phrase
// inside a clause ("2024年底前投入运行", "…企业从2026年1月1日起全部执行…")
// governs that clause, phrase removed, and — for a due date — names the
// milestone that follows it.
func describeDeadlines(s string, pats []dlPattern) []rawDeadline {
	ms := findDeadlines(s, pats)
	if len(ms) == 0 {
		return nil
	}
	sents := sentences(s)
	var (
		out    []rawDeadline
		si     int    // index of the sentence of the current match
		cls    []span // its clauses, computed once per sentence
		clsOf  = -1
		from   int // clauses before this index end before the current match
		inSpan = func(off int, sp span) bool { return off >= sp.start && off < sp.end }
	)
	// clauseAt finds the clause holding off, searching from index i on;
	// matches come in order, so no search goes back.
	clauseAt := func(off, i int) int {
		for ; i < len(cls) && cls[i].start <= off; i++ {
			if inSpan(off, cls[i]) {
				return i
			}
		}
		return -1
	}
	for mi, m := range ms {
		d := rawDeadline{m: m, phrase: s[m.start:m.end], offset: m.start}
		for si < len(sents) && sents[si].end <= m.start {
			si++
		}
		if si >= len(sents) || !inSpan(m.start, sents[si]) {
			out = append(out, d)
			continue
		}
		if clsOf != si {
			cls, clsOf, from = clauses(s, sents[si]), si, 0
		}
		for from < len(cls) && cls[from].end <= m.start {
			from++
		}
		ci := clauseAt(m.start, from)
		if ci < 0 {
			out = append(out, d)
			continue
		}
		c := cls[ci]
		end := max(c.end, m.end)
		before := trimPunct(s[c.start:m.start])
		after := trimPunct(s[m.end:end])
		if after == "" {
			// The phrase governs the following clauses of its sentence, up
			// to the clause that holds the next phrase.
			stop := len(cls) - 1
			if mi+1 < len(ms) && inSpan(ms[mi+1].start, sents[si]) {
				if nc := clauseAt(ms[mi+1].start, ci); nc >= 0 {
					stop = nc - 1
				}
			}
			if stop > ci {
				d.what = trimPunct(s[cls[ci+1].start:cls[stop].end])
			}
			if d.what == "" {
				d.what = before
			}
		} else {
			d.what = before + after
			if m.kind == dkDue {
				d.milestone = after
			}
		}
		out = append(out, d)
	}
	return out
}

// dateError is a deadline phrase that resolves to no date.
type dateError struct {
	phrase string
	// noYear is set when the phrase names no year and the plan year is
	// unknown; otherwise the phrase names no real date.
	noYear bool
}

// Error says what is wrong with the deadline, in English.
func (e *dateError) Error() string {
	if e.noYear {
		return fmt.Sprintf("deadline %q names no year and the plan year is unknown", e.phrase)
	}
	return fmt.Sprintf("deadline %q names no real date", e.phrase)
}

// zh says the same in Chinese.
func (e *dateError) zh() string {
	if e.noYear {
		return fmt.Sprintf("时限%s未写年份，方案年份也不明", quoteZH(e.phrase))
	}
	return fmt.Sprintf("时限%s不是有效日期", quoteZH(e.phrase))
}

// dateErrorZH says in Chinese why a deadline resolves to no date; an error
// of another kind keeps its own words after a Chinese lead-in.
func dateErrorZH(err error) string {
	var de *dateError
	if errors.As(err, &de) {
		return de.zh()
	}
	return "时限无法解读：" + err.Error()
}

// resolve turns a raw deadline into its public form.
func (d rawDeadline) resolve(planYear int) (Deadline, error) {
	out := Deadline{Phrase: d.phrase, What: d.what, Milestone: d.milestone}
	date, ok := d.m.date(planYear)
	if !ok {
		return out, &dateError{phrase: d.phrase, noYear: d.m.year == 0 && planYear == 0}
	}
	if d.m.kind == dkStarts {
		out.Starts = date
	} else {
		out.Due = date
	}
	return out, nil
}
