package planparse

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Errors Parse returns, wrapped with context; test with errors.Is.
var (
	// ErrNotUTF8 means the input is not valid UTF-8.
	ErrNotUTF8 = errors.New("plan text is not valid UTF-8")
	// ErrEmpty means the input holds no text.
	ErrEmpty = errors.New("plan text is empty")
	// ErrNoTasks means no numbered task was found.
	ErrNoTasks = errors.New("no numbered tasks found")
	// ErrTooLarge means the input exceeds Options.MaxBytes.
	ErrTooLarge = errors.New("plan text is too large")
)

// DefaultMaxBytes is the input size Parse accepts when Options.MaxBytes is
// zero.
const DefaultMaxBytes = 8 << 20

// Options tune Parse.
type Options struct {
	// Registry seeds the plan's unit registry. It is used only when its
	// jurisdiction is the plan's (or it has none); nil means the embedded
	// registry of the plan's jurisdiction if the package ships one
	// (Chifeng's), else none. Pass EmptyRegistry() to treat every unit as
	// new.
	Registry *Registry
	// Jurisdiction overrides the jurisdiction read from the document
	// ("赤峰市", "包头市", "安徽省").
	Jurisdiction string
	// PlanYear is the year of deadlines that name only a month ("5月底") or
	// only 年底前. Zero means: the earliest year any deadline phrase names;
	// failing that, the year in the title; failing that, the year of the
	// first dated line ("2022年4月14日").
	PlanYear int
	// MaxBytes bounds the input; zero means DefaultMaxBytes.
	MaxBytes int64
}

// parser holds the state of one Parse call.
type parser struct {
	reg        *Registry
	roles      []roleSuffix
	pats       []dlPattern
	tc         *targetCtx
	warnings   []Warning
	units      []UnitRef
	unitIndex  map[string]int
	standing   []Unit // units a 以下均需…落实 directive made IMPLEMENTING
	firstLead  bool   // a 列第一位者为牵头单位，下同 directive is in force
	standingOf string
	// standingColl is the group of a standing directive the registry cannot
	// expand ("试点城市政府"): kept as a collective of every later task.
	standingColl string
	respSeen     map[respKey]bool // responsibilities of the current task
	collectives  []*collectiveUse // collective phrases, for grouped warnings
	// standingWords and standingLine are the words and source line of the
	// standing directive in force, for Responsibility.Evidence.
	standingWords string
	standingLine  int
	counties      []nameID // the registry's county names, read once
	countyFirst   map[rune]bool
}

func (p *parser) warn(w Warning) { p.warnings = append(p.warnings, w) }

// Parse reads a plan document (UTF-8, LF or CRLF) and returns its
// structure. It never panics on any input; malformed input gives an error
// wrapping ErrNotUTF8, ErrEmpty, ErrTooLarge or ErrNoTasks.
func Parse(r io.Reader, opts Options) (*Plan, error) {
	if r == nil {
		return nil, fmt.Errorf("planparse: %w: nil reader", ErrEmpty)
	}
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	src, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("planparse: read plan text: %w", err)
	}
	if int64(len(src)) > limit {
		return nil, fmt.Errorf("planparse: %w: more than %d bytes", ErrTooLarge, limit)
	}
	return ParseBytes(src, opts)
}

// ParseBytes is Parse over a byte slice.
func ParseBytes(src []byte, opts Options) (*Plan, error) {
	if limit := opts.MaxBytes; limit > 0 && int64(len(src)) > limit || limit <= 0 && len(src) > DefaultMaxBytes {
		return nil, fmt.Errorf("planparse: %w: %d bytes", ErrTooLarge, len(src))
	}
	lines, warns, err := normalizeText(src)
	if err != nil {
		return nil, fmt.Errorf("planparse: %w", err)
	}
	lines, tableWarns := readTables(splitInline(lines))
	warns = append(warns, tableWarns...)
	if len(lines) == 0 {
		return nil, fmt.Errorf("planparse: %w", ErrEmpty)
	}
	p := &parser{roles: roleSuffixes(), pats: dlPatterns(), unitIndex: map[string]int{}, warnings: warns}

	st := chooseStructure(lines)
	if len(st.tasks) == 0 {
		return nil, fmt.Errorf("planparse: %w: no （一）-numbered or \"1.\"-numbered task outside the preamble (%d lines read)", ErrNoTasks, len(lines))
	}
	p.warnings = append(p.warnings, st.warnings...)
	title := findTitle(st.titleLines)
	reg, jur, regWarns := chooseRegistry(opts, documentJurisdiction(title, lines))
	p.reg, p.tc = reg, newTargetCtx(reg, p.warn)
	p.warnings = append(p.warnings, regWarns...)

	plan := &Plan{
		Title:          title,
		Jurisdiction:   jur,
		Chapters:       st.chapters,
		OverallTargets: []Target{},
		Tasks:          make([]Task, 0, len(st.tasks)),
		Layout:         st.layout,
	}
	if plan.Chapters == nil {
		plan.Chapters = []Chapter{}
	}
	if plan.Title == "" {
		p.warn(Warning{Code: WarnNoTitle,
			Message:   "no title line found before the first heading",
			MessageZH: "首个章节标题之前未找到方案标题"})
	}

	// Pass 1: attributions and deadline phrases.
	type pending struct {
		task      Task
		raw       *rawTask
		scopes    []scopeText
		deadlines [][]rawDeadline // per scope, from its text
		noteDLs   [][]rawDeadline // per scope, from its bracket's notes
	}
	work := make([]pending, 0, len(st.tasks))
	var all []rawDeadline
	for _, rt := range st.tasks {
		t, scopes := p.analyseTask(rt)
		pd := pending{task: t, raw: rt, scopes: scopes}
		for _, sc := range scopes {
			ds := describeDeadlines(sc.text, p.pats)
			var ns []rawDeadline
			for _, n := range sc.notes {
				for _, d := range describeDeadlines(n, p.pats) {
					// A deadline in the bracket governs the text the
					// bracket covers (What is its first sentence); the
					// note names the milestone ("完成").
					d.milestone = d.what
					d.what = firstSentence(sc.text)
					ns = append(ns, d)
				}
			}
			pd.deadlines = append(pd.deadlines, ds)
			pd.noteDLs = append(pd.noteDLs, ns)
			all = append(append(all, ds...), ns...)
		}
		work = append(work, pd)
	}
	var sourceDeadlines [][]rawDeadline
	for _, src := range st.sources {
		sourceDeadlines = append(sourceDeadlines, describeDeadlines(src.text, p.pats))
	}
	var preDeadlines [][]rawDeadline
	for _, pi := range st.preamble {
		if pi.targets {
			preDeadlines = append(preDeadlines, describeDeadlines(strings.Join(pi.paras, "\n"), p.pats))
		}
	}

	// The plan year.
	plan.PlanYear = opts.PlanYear
	if plan.PlanYear == 0 {
		plan.PlanYear = p.inferPlanYear(all, plan.Title, lines)
	}

	// Pass 2: dates and targets.
	for i := range work {
		w := &work[i]
		t := &w.task
		dlSeen := map[[2]string]bool{}
		p.tc.task, p.tc.line = t.Number, t.Line
		for si, sc := range w.scopes {
			for _, d := range w.deadlines[si] {
				p.addDeadline(t, d, plan.PlanYear, dlSeen, w.raw.lineOf(d.phrase))
			}
			for _, d := range w.noteDLs[si] {
				p.addDeadline(t, d, plan.PlanYear, dlSeen, w.raw.lineOf(d.phrase))
			}
			t.Targets = append(t.Targets, p.tc.extractTargets(sc.text, w.deadlines[si], p.pats, plan.PlanYear)...)
		}
		plan.Tasks = append(plan.Tasks, *t)
	}
	p.tc.task = 0
	for i, src := range st.sources {
		p.tc.line = src.line
		plan.OverallTargets = append(plan.OverallTargets, p.tc.extractTargets(src.text, sourceDeadlines[i], p.pats, plan.PlanYear)...)
	}
	k := 0
	for _, pi := range st.preamble {
		text := strings.Join(pi.paras, "\n")
		plan.Preamble = append(plan.Preamble, PreambleItem{Number: pi.num, Chapter: pi.chapter,
			Title: firstSentence(text), Text: text, Line: pi.line})
		if pi.targets {
			p.tc.line = pi.line
			body := text
			if title := firstSentence(text); strings.HasPrefix(body, title) {
				body = strings.TrimPrefix(strings.TrimPrefix(body, title), "。")
			}
			plan.OverallTargets = append(plan.OverallTargets, p.tc.extractTargets(body, shiftDeadlines(preDeadlines[k], len(text)-len(body)), p.pats, plan.PlanYear)...)
			k++
		}
	}
	p.checkNumbering(plan.Tasks)
	p.warnings = append(p.warnings, p.collectiveWarnings()...)
	plan.Units = p.units
	if plan.Units == nil {
		plan.Units = []UnitRef{}
	}
	plan.Warnings = p.warnings
	if plan.Warnings == nil {
		plan.Warnings = []Warning{}
	}
	return plan, nil
}

// chooseStructure reads the lines in each layout: the paren and the items
// layouts, the items layout taken when it finds at least as many tasks;
// when neither finds a task, items numbered "（1）", then chapters "一、" as
// the tasks.
func chooseStructure(lines []srcLine) *structure {
	cls := classifyAll(lines, nil)
	st := buildStructure(cls, LayoutParen)
	if items := buildStructure(cls, LayoutItems); len(items.tasks) > 0 && len(items.tasks) >= len(st.tasks) {
		st = items
	}
	if len(st.tasks) > 0 {
		return st
	}
	for _, alt := range []struct {
		layout Layout
		as     func(classified) classified
	}{{LayoutParenNumbers, parenNumbersAsItems}, {LayoutChapters, chaptersAsItems}} {
		if s := buildStructure(classifyAll(lines, alt.as), LayoutItems); len(s.tasks) > 0 {
			s.layout = alt.layout
			return s
		}
	}
	return st
}

// classifyAll classifies every line, then lets as (if any) read a line
// another way.
func classifyAll(lines []srcLine, as func(classified) classified) []classified {
	cls := make([]classified, len(lines))
	for i, l := range lines {
		cls[i] = classify(l)
		if as != nil {
			cls[i] = as(cls[i])
		}
	}
	promoteDigitItems(cls)
	return cls
}

// parenNumRE is an item numbered "（1）" or "(1)".
var parenNumRE = regexp.MustCompile(`^[（(](\d{1,3})[）)](.+)$`)

// parenNumbersAsItems reads "（1）…" as item 1.
func parenNumbersAsItems(c classified) classified {
	if c.kind != lkBody {
		return c
	}
	if m := parenNumRE.FindStringSubmatch(c.text); m != nil {
		n, _ := strconv.Atoi(m[1])
		c.kind, c.num, c.rest = lkItem, n, m[2]
	}
	return c
}

// chaptersAsItems reads a chapter "一、…" as item 1.
func chaptersAsItems(c classified) classified {
	if c.kind == lkChapter {
		c.kind = lkItem
	}
	return c
}

// shiftDeadlines moves deadline offsets back by n bytes, dropping those
// before the cut.
func shiftDeadlines(ds []rawDeadline, n int) []rawDeadline {
	var out []rawDeadline
	for _, d := range ds {
		if d.offset >= n {
			d.offset -= n
			out = append(out, d)
		}
	}
	return out
}

var yearRE = regexp.MustCompile(`((?:19|20)\d{2})年`)

// inferPlanYear picks the plan year (see Options.PlanYear).
func (p *parser) inferPlanYear(ds []rawDeadline, title string, lines []srcLine) int {
	best := 0
	for _, d := range ds {
		if y := d.m.year; y != 0 && (best == 0 || y < best) {
			best = y
		}
	}
	if best != 0 {
		return best
	}
	if m := yearRE.FindStringSubmatch(title); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	for _, l := range lines {
		if dateLineRE.MatchString(l.text) {
			if m := yearRE.FindStringSubmatch(l.text); m != nil {
				y, _ := strconv.Atoi(m[1])
				return y
			}
		}
	}
	needs := false
	for _, d := range ds {
		if d.m.year == 0 {
			needs = true
			break
		}
	}
	if needs {
		p.warn(Warning{Code: WarnNoPlanYear,
			Message:   "deadlines name a month or 年底 without a year and no plan year could be inferred; set Options.PlanYear",
			MessageZH: "有的时限只写月份或“年底”，未写年份，也无法推断方案年份；请指定方案年份"})
	}
	return 0
}

// addDeadline resolves a deadline and adds it to the task unless the same
// phrase and clause are already there.
func (p *parser) addDeadline(t *Task, d rawDeadline, planYear int, seen map[[2]string]bool, line int) {
	dl, err := d.resolve(planYear)
	dl.Line, dl.Places = line, p.placesIn(dl.What)
	if err != nil {
		p.warn(Warning{Code: WarnBadDate, Task: t.Number, Line: t.Line,
			Message:   fmt.Sprintf("task %d: %v", t.Number, err),
			MessageZH: fmt.Sprintf("第 %d 项任务：%s", t.Number, dateErrorZH(err))})
		if dl.Due == "" && dl.Starts == "" && d.m.year != 0 {
			return
		}
	}
	k := [2]string{dl.Phrase, dl.What}
	if seen[k] {
		return
	}
	seen[k] = true
	t.Deadlines = append(t.Deadlines, dl)
}

// scopeText is the text one attribution bracket covers, with the notes of
// the bracket (its parts that name no unit, e.g. "5月底完成").
type scopeText struct {
	text  string
	notes []string
}

// analyseTask reads a raw task's attributions. It returns the task (without
// deadlines and targets) and the texts each attribution covers, plus any
// text after the last one.
func (p *parser) analyseTask(rt *rawTask) (Task, []scopeText) {
	text := strings.Join(rt.paras, "\n")
	p.respSeen = map[respKey]bool{}
	t := Task{
		Number:           rt.num,
		Chapter:          rt.chapter,
		Part:             rt.part,
		Text:             text,
		Line:             rt.line,
		Responsibilities: []Responsibility{},
		Deadlines:        []Deadline{},
		Targets:          []Target{},
	}
	var (
		scopes   []scopeText
		prevEnd  int
		bracket  int
		firstAtt = -1
	)
	// cut removes score brackets from a scope's text.
	cut := func(s string) string {
		bs := topBrackets(s)
		for i := len(bs) - 1; i >= 0; i-- {
			if scoreBracketRE.MatchString(bs[i].inner) {
				s = s[:bs[i].start] + s[bs[i].end:]
			}
		}
		return strings.TrimSpace(s)
	}
	for _, b := range attributionSpans(text) {
		if m := scoreBracketRE.FindStringSubmatch(b.inner); m != nil {
			if v, err := strconv.ParseFloat(m[1], 64); err == nil {
				t.Points = v
			}
			continue
		}
		a, ok := p.parseAttribution(b.inner)
		if !ok {
			continue
		}
		bracket++
		if firstAtt < 0 {
			firstAtt = b.start
		}
		scope := cut(text[prevEnd:b.start])
		prevEnd = b.end
		scopes = append(scopes, scopeText{text: scope, notes: a.notes})
		t.Notes = append(t.Notes, a.notes...)
		line := rt.lineAt(b.start)
		p.applyAttribution(&t, a, bracket, scope, line)
		if a.stickyLead {
			p.firstLead = true
		}
		if a.standing != "" {
			p.setStanding(a.standing, t.Number, t.Line)
			p.standingWords, p.standingLine = a.standingWords, line
		}
	}
	tail := cut(text[prevEnd:])
	if tail != "" {
		scopes = append(scopes, scopeText{text: tail})
		if bracket > 0 && runeLen(trimPunct(tail)) > 1 {
			p.warn(Warning{Code: WarnUnattributed, Task: t.Number, Line: t.Line,
				Message:   fmt.Sprintf("task %d: text after its last attribution bracket is not attributed: %q", t.Number, clip(tail, 40)),
				MessageZH: fmt.Sprintf("第 %d 项任务最后一个责任单位括注之后的文字未明确责任单位：%s", t.Number, quoteZH(clip(tail, 40)))})
		}
	}
	if firstAtt >= 0 && strings.TrimSpace(text[:firstAtt]) != "" {
		t.Title = firstSentence(text[:firstAtt])
	} else {
		t.Title = firstSentence(text)
	}
	p.applyStanding(&t)
	if m := standingRE.FindStringSubmatch(outsideBrackets(text)); m != nil {
		// A directive between tasks binds the tasks after it.
		p.setStanding(trimPunct(m[1]), t.Number, t.Line)
		p.standingWords, p.standingLine = m[0], rt.lineOf(m[0])
	}
	if bracket == 0 {
		msg := fmt.Sprintf("task %d has no attribution bracket", t.Number)
		zh := fmt.Sprintf("第 %d 项任务没有责任单位括注", t.Number)
		if len(p.standing) > 0 {
			msg += fmt.Sprintf("; only the standing directive (%s落实) applies", p.standingOf)
			zh += fmt.Sprintf("，仅按总括性要求由%s落实", p.standingOf)
		}
		p.warn(Warning{Code: WarnNoAttribution, Task: t.Number, Line: t.Line, Message: msg, MessageZH: zh})
	} else if !hasAccountable(t.Responsibilities) {
		p.warn(Warning{Code: WarnNoAttribution, Task: t.Number, Line: t.Line,
			Message:   fmt.Sprintf("task %d: its attributions name no unit the ledger can hold to account (only collectives or directives)", t.Number),
			MessageZH: fmt.Sprintf("第 %d 项任务的括注中没有可以落实责任的具体单位（只有统称或总括性要求）", t.Number)})
	}
	return t, scopes
}

// placesIn returns the ids of the county units a clause names, each once,
// in the order the registry lists them.
func (p *parser) placesIn(clause string) []string {
	if p.counties == nil {
		p.counties = p.reg.countyNames()
		p.countyFirst = map[rune]bool{}
		for _, c := range p.counties {
			p.countyFirst[firstRune(c.name)] = true
		}
	}
	if !strings.ContainsFunc(clause, func(r rune) bool { return p.countyFirst[r] }) {
		return nil // the common case: no county name can start here
	}
	var out []string
	seen := map[string]bool{}
	for _, c := range p.counties {
		if !seen[c.id] && strings.Contains(clause, c.name) {
			seen[c.id] = true
			out = append(out, c.id)
		}
	}
	return out
}

// lineAt is the source line of byte offset off of the task's text (its
// paragraphs joined by "\n").
func (rt *rawTask) lineAt(off int) int {
	end := 0
	for i, para := range rt.paras {
		end += len(para)
		if off <= end && i < len(rt.lines) {
			return rt.lines[i]
		}
		end++ // the "\n" between paragraphs
	}
	return rt.line
}

// lineOf is the source line of the first paragraph of the task that holds
// words, or the task's first line.
func (rt *rawTask) lineOf(words string) int {
	for i, para := range rt.paras {
		if strings.Contains(para, words) && i < len(rt.lines) {
			return rt.lines[i]
		}
	}
	return rt.line
}

// hasAccountable reports whether any responsibility comes from a bracket.
func hasAccountable(rs []Responsibility) bool {
	for _, r := range rs {
		if r.Bracket > 0 {
			return true
		}
	}
	return false
}

// applyStanding gives a task the responsibilities (or the collective) of
// the standing directive in force.
func (p *parser) applyStanding(t *Task) {
	for _, u := range p.standing {
		p.addResp(t, Responsibility{Unit: u.Name, UnitID: u.ID, Role: RoleImplementing, Known: true,
			AsWritten: p.standingOf, Bracket: 0, Evidence: p.standingWords, Line: p.standingLine})
		p.noteUnit(knownUnit(u), t.Number, t.Line)
	}
	if p.standingColl != "" {
		t.Collectives = append(t.Collectives, Collective{Phrase: p.standingColl, Role: RoleImplementing})
		p.standingHolder(t, p.standingColl)
	}
}

// outsideBrackets is text without its top-level bracket groups.
func outsideBrackets(text string) string {
	var b strings.Builder
	prev := 0
	for _, br := range topBrackets(text) {
		b.WriteString(text[prev:br.start])
		prev = br.end
	}
	b.WriteString(text[prev:])
	return b.String()
}

// setStanding records a 以下均需…落实 directive. A group the registry
// cannot expand is kept as a collective of every later task.
func (p *parser) setStanding(group string, task, line int) {
	if members, ok := p.reg.LookupGroup(group); ok {
		p.standing, p.standingOf, p.standingColl = members, group, ""
		return
	}
	if u, ok := p.reg.Lookup(group); ok {
		p.standing, p.standingOf, p.standingColl = []Unit{u}, group, ""
		return
	}
	if members := p.reg.unitsOfKind(KindCounty); len(members) > 0 && localGovRE.MatchString(group) {
		p.standing, p.standingOf, p.standingColl = members, group, ""
		return
	}
	p.standing, p.standingOf, p.standingColl = nil, "", group
	p.warn(Warning{Code: WarnDirective, Task: task, Line: line,
		Message:   fmt.Sprintf("task %d: standing directive names %q, which the registry cannot expand into units; kept as an implementing collective of the tasks it covers", task, group),
		MessageZH: fmt.Sprintf("第 %d 项任务：总括性要求中的%s无法依照单位名录拆分为具体单位，已作为所涉各项任务的落实单位统称保留", task, quoteZH(group))})
}

// checkNumbering warns about repeated and missing task numbers.
func (p *parser) checkNumbering(tasks []Task) {
	seen := map[int]int{}
	nums := make([]int, 0, len(tasks))
	for _, t := range tasks {
		if prev, dup := seen[t.Number]; dup {
			p.warn(Warning{Code: WarnTaskNumbering, Task: t.Number, Line: t.Line,
				Message:   fmt.Sprintf("task number %d appears again (first at line %d)", t.Number, prev),
				MessageZH: fmt.Sprintf("任务编号 %d 重复出现（首次出现在第 %d 行）", t.Number, prev)})
			continue
		}
		seen[t.Number] = t.Line
		nums = append(nums, t.Number)
	}
	sort.Ints(nums)
	var missing []string
	for i := 1; i < len(nums); i++ {
		for n := nums[i-1] + 1; n < nums[i] && len(missing) < 20; n++ {
			missing = append(missing, strconv.Itoa(n))
		}
	}
	if len(missing) > 0 {
		p.warn(Warning{Code: WarnTaskNumbering,
			Message:   "task numbers missing from the sequence: " + strings.Join(missing, ", "),
			MessageZH: "任务编号不连续，缺少：" + strings.Join(missing, "、")})
	}
}

// clip shortens s to n runes.
func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}
