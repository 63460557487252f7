package planparse

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// verbRE finds a target verb directly followed by a number. Longer verbs
// come first so that 达到 wins over 达 and 不低于 over 低于.
var verbRE = regexp.MustCompile(`(控制在|稳定在|保持在|提高至|提高到|提升至|提升到|下降至|下降到|降低至|降低到|降至|降到|减少至|减少到|增加至|增加到|增长至|增长到|增至|达到|超过|不低于|不少于|不高于|不超过|不大于|不小于|低于|高于|少于|多于|下降|降低|减少|削减|增长|增加|提高|提升|新增|达)(约|近)?(\d+(?:\.\d+)?)`)

// baselineRE finds the baseline year of a change.
var baselineRE = regexp.MustCompile(`(?:比|较)(\d{4})年(?:相比)?|与(\d{4})年相比`)

// scopeCityRE marks a clause about the plan's whole jurisdiction.
var scopeCityRE = regexp.MustCompile(`^(全市|全省|全国|全区|全盟|全州|全县|全旗|全自治区)`)

// The word lists below are constants split at "|" when a parse starts, so
// that no package-level state can change.
const (
	// targetUnitList are the value units recognised after a number,
	// longest first.
	targetUnitList = "μg/m3|μg/m³|ug/m3|微克/立方米|mg/m3|mg/m³|毫克/立方米|蒸吨/小时|个百分点|百分点|%|‰|" +
		"万千瓦时|亿千瓦时|千瓦时|万千瓦|亿千瓦|千瓦|兆瓦|吉瓦|万亿元|亿元|万元|元|亿吨|万吨|吨|万公里|公里|千米|" +
		"万平方米|平方米|立方米|万亩|亩|公顷|小时|万辆|万人|万户|万个|天|个|座|户|家|项|种|场|台|辆|人|次|倍|条|所|套|处|块|批"
	// countUnitRunes count things; the counted object may follow the value
	// ("不少于100场群众文化艺术辅导培训课程").
	countUnitRunes = "个座户家项种场台辆人次条所套处块批"
	// metricHeadList are the endings a list of metrics shares
	// ("氮氧化物、挥发性有机物排放总量" → each with 排放总量).
	metricHeadList = "排放总量|排放量|使用比例|使用量|机械化率|综合利用率|利用率|覆盖率|合格率|清扫率|达标率|浓度|比率|比例|比重|占比|总量|规模|率|量"
	// targetLeadList are words dropped from the start of a target clause.
	targetLeadList = "其中|确保|力争|争取|使"
	// metricTailList are words dropped from the end of a metric; 分别, 均
	// and 力争 are remembered.
	metricTailList = "原则上|力争|争取|基本|总体|要|应|将|须|必须|确保|持续|进一步|逐步|分别|均|都"
)

// numRE reads a number at the start of a value list.
var numRE = regexp.MustCompile(`^(?:约|近)?(\d+(?:\.\d+)?)`)

// tvalue is one number of a target.
type tvalue struct {
	v    float64
	unit string
}

// targetState is what carries from clause to clause within a sentence.
type targetState struct {
	scopes   []string
	baseline int
	metric   string
}

// targetCtx holds what target extraction needs from the parse.
type targetCtx struct {
	counties []nameID // sorted longest name first
	units    []string
	heads    []string
	lead     []string
	tail     []string
	warn     func(Warning)
	task     int
	line     int
}

func newTargetCtx(reg *Registry, warn func(Warning)) *targetCtx {
	cs := reg.countyNames()
	sort.SliceStable(cs, func(i, j int) bool { return len(cs[i].name) > len(cs[j].name) })
	return &targetCtx{counties: cs, warn: warn,
		units: strings.Split(targetUnitList, "|"), heads: strings.Split(metricHeadList, "|"),
		lead: strings.Split(targetLeadList, "|"), tail: strings.Split(metricTailList, "|")}
}

// extractTargets finds the quantitative targets of text. deadlines are the
// text's deadline phrases (with offsets): a target is due at the nearest
// preceding one of its paragraph that has a due date.
func (tc *targetCtx) extractTargets(text string, deadlines []rawDeadline, pats []dlPattern, planYear int) []Target {
	var (
		out  []Target
		due  string // the date of the nearest preceding deadline
		next int    // the next deadline not yet passed
		para int    // offset where the current paragraph starts
		seen int    // text before this offset has been searched for breaks
	)
	for _, sent := range sentences(text) {
		st := targetState{scopes: []string{"city"}}
		for _, cl := range clauses(text, sent) {
			// Advance through the deadlines before this clause, forgetting
			// them at a paragraph break.
			if i := strings.LastIndexByte(text[seen:cl.start], '\n'); i >= 0 {
				para = seen + i + 1
				due = ""
			}
			seen = cl.start
			for next < len(deadlines) && deadlines[next].offset <= cl.start {
				d := deadlines[next]
				next++
				if d.offset < para || d.m.kind == dkStarts {
					continue
				}
				if date, ok := d.m.date(planYear); ok {
					due = date
				}
			}
			c := text[cl.start:cl.end]
			if !strings.ContainsAny(c, "0123456789") && !strings.Contains(c, "不出现") {
				continue
			}
			// Drop a leading deadline phrase.
			if r := firstRune(c); isDigit(r) || strings.ContainsRune("到至从自截", r) {
				for _, m := range findDeadlines(c, pats) {
					if m.start == 0 {
						c = trimPunct(c[m.end:])
					}
					break
				}
			}
			ts := tc.clauseTargets(c, &st)
			for i := range ts {
				ts[i].Due = due
			}
			out = append(out, ts...)
		}
	}
	return out
}

// clauseTargets reads the targets of one clause.
func (tc *targetCtx) clauseTargets(c string, st *targetState) []Target {
	phrase := c
	c, aspirational := tc.trimLead(c)
	c = tc.takeScope(c, st)
	if rest, ok := strings.CutPrefix(c, "不出现"); ok {
		return absenceTargets(rest, st.scopes, phrase)
	}
	loc := verbRE.FindStringSubmatchIndex(c)
	if loc == nil {
		return nil
	}
	verb, pre := c[loc[2]:loc[3]], c[:loc[0]]
	vals, qual, post, ok := parseValues(c[loc[6]:], tc.units)
	if !ok {
		return nil
	}
	pre = takeBaseline(pre, st)
	pre, head, respectively, strive := tc.trimAdverbs(pre)
	subject := withCountedObject(trimPunct(pre), post, vals)
	items := tc.metricItems(subject, head, len(vals), respectively, st.metric)
	if len(items) == 1 && items[0] == "" {
		return nil
	}
	st.metric = items[len(items)-1]
	cmp, bound := comparatorFor(verb, qual)
	proto := Target{Comparator: cmp, Phrase: phrase, Aspirational: aspirational || strive}
	if cmp == CmpDecreaseBy || cmp == CmpIncreaseBy {
		proto.BaselineYear, proto.Bound = st.baseline, bound
	}
	return tc.pairTargets(proto, items, vals, st.scopes)
}

// trimLead drops the lead words (其中, 确保, 力争…) from the start of a
// clause and reports whether one was 力争 or 争取 (an aspirational target).
func (tc *targetCtx) trimLead(c string) (string, bool) {
	aspirational := false
	for changed := true; changed; {
		changed = false
		for _, w := range tc.lead {
			if rest, ok := strings.CutPrefix(c, w); ok {
				if w == "力争" || w == "争取" {
					aspirational = true
				}
				c, changed = rest, true
			}
		}
	}
	return c, aspirational
}

// takeScope reads a leading scope — the whole jurisdiction (全市…) or
// named counties — into st.scopes and returns the rest of c. Without one
// the scopes carry over from the clause before.
func (tc *targetCtx) takeScope(c string, st *targetState) string {
	if m := scopeCityRE.FindString(c); m != "" {
		st.scopes = []string{"city"}
		return c[len(m):]
	}
	if ids, rest := tc.leadingCounties(c); len(ids) > 0 {
		st.scopes = ids
		return rest
	}
	return c
}

// absenceTargets reads "不出现<metric>" (e.g. 不出现重污染天气): the metric
// must be zero — days, for weather — in every scope.
func absenceTargets(rest string, scopes []string, phrase string) []Target {
	metric := trimPunct(rest)
	if metric == "" {
		return nil
	}
	unit := ""
	if strings.HasSuffix(metric, "天气") {
		unit = "天"
	}
	var out []Target
	for _, sc := range scopes {
		out = append(out, Target{Metric: metric, Comparator: CmpEQ, Value: 0, Unit: unit, Scope: sc, Phrase: phrase})
	}
	return out
}

// takeBaseline reads a baseline year (比2020年, 与2020年相比) from the text
// before the verb into st.baseline and returns the text without it.
func takeBaseline(pre string, st *targetState) string {
	m := baselineRE.FindStringSubmatchIndex(pre)
	if m == nil {
		return pre
	}
	y := atoiSub(pre, m, 1)
	if y == 0 {
		y = atoiSub(pre, m, 2)
	}
	st.baseline = y
	return pre[:m[0]] + pre[m[1]:]
}

// trimAdverbs drops the adverbs between metric and verb from the end of
// pre. 分别 may split subject and head ("货物贸易、对外投资和实际利用外资分别
// 占比达30%、20%和10%"): what follows it is returned as the shared head. It
// reports whether the values are meant respectively (分别, 均, 都) and
// whether the target is aspirational (力争, 争取).
func (tc *targetCtx) trimAdverbs(pre string) (rest, head string, respectively, aspirational bool) {
	if i := strings.LastIndex(pre, "分别"); i >= 0 {
		respectively = true
		head = strings.TrimSpace(pre[i+len("分别"):])
		pre = pre[:i]
	}
	for changed := true; changed; {
		changed = false
		for _, w := range tc.tail {
			if r, ok := strings.CutSuffix(pre, w); ok {
				switch w {
				case "分别", "均", "都":
					respectively = true
				case "力争", "争取":
					aspirational = true
				}
				pre, changed = r, true
			}
		}
	}
	return pre, head, respectively, aspirational
}

// withCountedObject appends to subject the object counted by the first
// value, which follows the values ("不少于100场群众文化艺术辅导培训课程").
func withCountedObject(subject, post string, vals []tvalue) string {
	if post == "" || !isCountUnit(vals[0].unit) {
		return subject
	}
	return subject + removeBrackets(post)
}

// metricItems returns the metrics of a subject: one per value when the
// values are meant respectively or several, each given the shared head
// and completed from the clause before's metric, prev.
func (tc *targetCtx) metricItems(subject, head string, nvals int, respectively bool, prev string) []string {
	items := []string{subject}
	if respectively || nvals > 1 {
		items = splitMetricItems(subject, nvals)
	}
	tc.shareHead(items, head)
	for i, it := range items {
		items[i] = tc.completeMetric(it, prev)
	}
	return items
}

// shareHead appends head to every item. Without one, the items that lack
// the last item's metric head (浓度, 排放总量…) get it
// ("氮氧化物、挥发性有机物排放总量").
func (tc *targetCtx) shareHead(items []string, head string) {
	if head != "" {
		for i := range items {
			items[i] += head
		}
		return
	}
	if len(items) < 2 {
		return
	}
	last := items[len(items)-1]
	for _, h := range tc.heads {
		if strings.HasSuffix(last, h) && last != h {
			for i := 0; i < len(items)-1; i++ {
				if !strings.HasSuffix(items[i], h) {
					items[i] += h
				}
			}
			return
		}
	}
}

// pairTargets pairs metrics, values and scopes into targets like proto:
// one value for every metric, a value per metric, or a value per scope;
// when they do not pair up, as far as they go, with a warning.
func (tc *targetCtx) pairTargets(proto Target, items []string, vals []tvalue, scopes []string) []Target {
	var out []Target
	add := func(metric string, v tvalue, scope string) {
		t := proto
		t.Metric, t.Value, t.Unit, t.Scope = metric, v.v, v.unit, scope
		out = append(out, t)
	}
	switch {
	case len(vals) == 1:
		for _, it := range items {
			for _, sc := range scopes {
				add(it, vals[0], sc)
			}
		}
	case len(items) == len(vals):
		for i, it := range items {
			for _, sc := range scopes {
				add(it, vals[i], sc)
			}
		}
	case len(items) == 1 && len(scopes) == len(vals):
		for i, sc := range scopes {
			add(items[0], vals[i], sc)
		}
	default:
		n := min(len(items), len(vals))
		for i := 0; i < n; i++ {
			for _, sc := range scopes {
				add(items[i], vals[i], sc)
			}
		}
		if tc.warn != nil {
			tc.warn(Warning{Code: WarnTargetMismatch, Task: tc.task, Line: tc.line,
				Message:   fmt.Sprintf("target %q: %d metric(s), %d scope(s) and %d value(s) do not pair up; paired the first %d", proto.Phrase, len(items), len(scopes), len(vals), n),
				MessageZH: fmt.Sprintf("目标%s中的 %d 项指标、%d 个范围和 %d 个数值无法一一对应，已按顺序将前 %d 项配对", quoteZH(proto.Phrase), len(items), len(scopes), len(vals), n)})
		}
	}
	return out
}

// completeMetric fills in a metric whose subject is only a place or empty
// from the previous metric of the sentence: "…中心城市建成区道路机械化清扫率达80%左右，
// 县城建成区达70%左右" → "县城建成区道路机械化清扫率".
func (tc *targetCtx) completeMetric(subject, prev string) string {
	if subject == "" {
		return prev
	}
	if prev == "" {
		return subject
	}
	last := lastRune(subject)
	if !strings.ContainsRune("区县市旗城镇乡村", last) {
		return subject
	}
	rs := []rune(subject)
	for k := min(len(rs), 8); k >= 2; k-- {
		suf := string(rs[len(rs)-k:])
		if i := strings.LastIndex(prev, suf); i >= 0 {
			return subject + prev[i+len(suf):]
		}
	}
	return subject + prev
}

// leadingCounties reads county names at the start of a clause
// ("宁城县、元宝山区细颗粒物…") and returns their ids and the rest.
func (tc *targetCtx) leadingCounties(c string) ([]string, string) {
	var ids []string
	rest := c
	for {
		matched := false
		for _, n := range tc.counties {
			if r, ok := strings.CutPrefix(rest, n.name); ok {
				ids = append(ids, n.id)
				rest = r
				matched = true
				break
			}
		}
		if !matched {
			break
		}
		if r, ok := strings.CutPrefix(rest, "、"); ok {
			rest = r
			continue
		}
		if r, ok := strings.CutPrefix(rest, "和"); ok {
			rest = r
			continue
		}
		break
	}
	if len(ids) == 0 {
		return nil, c
	}
	// A county name followed by another list separator was not a scope.
	return ids, rest
}

// parseValues reads "87.0%、91.9%以上" or "30%、20%和10%" at the start of s
// (s starts with a number). It returns the values, the qualifier (以上,
// 以下, 左右, 以内 …), the text after them, and false if s does not start
// with a well-formed value.
func parseValues(s string, units []string) ([]tvalue, string, string, bool) {
	var vals []tvalue
	rest := s
	for {
		m := numRE.FindStringSubmatch(rest)
		if m == nil {
			break
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return nil, "", "", false
		}
		rest = rest[len(m[0]):]
		unit := ""
		for _, u := range units {
			if r, ok := strings.CutPrefix(rest, u); ok {
				unit, rest = normaliseUnit(u), r
				break
			}
		}
		if unit == "" {
			if r := firstRune(rest); r != 0 && (r < 0x80 && unicode.IsLetter(r)) {
				return nil, "", "", false
			}
		}
		vals = append(vals, tvalue{v: v, unit: unit})
		sep := ""
		for _, x := range []string{"、", "和", "及", "与"} {
			if strings.HasPrefix(rest, x) && numRE.MatchString(strings.TrimPrefix(rest, x)) {
				sep = x
				break
			}
		}
		if sep == "" {
			break
		}
		rest = strings.TrimPrefix(rest, sep)
	}
	if len(vals) == 0 {
		return nil, "", "", false
	}
	for i := range vals {
		if vals[i].unit == "" {
			for j := i + 1; j < len(vals); j++ {
				if vals[j].unit != "" {
					vals[i].unit = vals[j].unit
					break
				}
			}
		}
	}
	qual := ""
	for _, q := range []string{"及以上", "及以下", "以上", "以下", "左右", "以内", "之内"} {
		if r, ok := strings.CutPrefix(rest, q); ok {
			qual, rest = q, r
			break
		}
	}
	return vals, qual, trimPunct(rest), true
}

// normaliseUnit maps unit spellings to one form.
func normaliseUnit(u string) string {
	switch u {
	case "个百分点":
		return "百分点"
	}
	return u
}

// isCountUnit reports whether u counts things (个, 座, 万户 …).
func isCountUnit(u string) bool {
	u = strings.TrimPrefix(u, "万")
	return runeLen(u) == 1 && strings.Contains(countUnitRunes, u)
}

// comparatorFor maps a verb and a qualifier to a comparator and, for a
// change, its bound.
func comparatorFor(verb, qual string) (Comparator, string) {
	level := func(def Comparator) Comparator {
		switch qual {
		case "左右":
			return CmpApprox
		case "以上", "及以上":
			return CmpGE
		case "以下", "及以下", "以内", "之内":
			return CmpLE
		}
		return def
	}
	bound := func() string {
		switch qual {
		case "以上", "及以上":
			return "at_least"
		case "以内", "之内", "以下", "及以下":
			return "at_most"
		case "左右":
			return "about"
		}
		return ""
	}
	switch verb {
	case "控制在", "降至", "降到", "下降至", "下降到", "降低至", "降低到", "减少至", "减少到":
		return level(CmpLE), ""
	case "稳定在", "保持在":
		return level(CmpEQ), ""
	case "达到", "达", "提高至", "提高到", "提升至", "提升到", "增加至", "增加到", "增长至", "增长到", "增至":
		return level(CmpGE), ""
	case "超过", "高于", "多于":
		return CmpGT, ""
	case "低于", "少于":
		return CmpLT, ""
	case "不低于", "不少于", "不小于":
		return CmpGE, ""
	case "不高于", "不超过", "不大于":
		return CmpLE, ""
	case "下降", "降低", "减少", "削减":
		return CmpDecreaseBy, bound()
	case "增长", "增加", "提高", "提升", "新增":
		return CmpIncreaseBy, bound()
	}
	return CmpEQ, ""
}

// splitMetricItems splits a subject that names several metrics at 、 and,
// when more values than items are given, also at the last 和/及.
func splitMetricItems(subject string, nvals int) []string {
	items := splitTop(subject, "、")
	if len(items) < nvals {
		last := items[len(items)-1]
		for _, sep := range []string{"和", "及"} {
			if i := strings.LastIndex(last, sep); i > 0 {
				items = append(items[:len(items)-1], last[:i], last[i+len(sep):])
				break
			}
		}
	}
	for i := range items {
		items[i] = trimPunct(items[i])
	}
	return items
}

// removeBrackets drops the top-level bracket groups of s.
func removeBrackets(s string) string {
	bs := topBrackets(s)
	for i := len(bs) - 1; i >= 0; i-- {
		s = s[:bs[i].start] + s[bs[i].end:]
	}
	return trimPunct(s)
}
