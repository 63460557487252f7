package planparse

import (
	"sort"
	"strings"
)

// WarningKind describes one warning code for people: what it means, in
// Chinese first and in English.
type WarningKind struct {
	// Code is the warning code (Warning.Code).
	Code string
	// ZH says what the code means, in Chinese.
	ZH string
	// EN says the same in English.
	EN string
}

// warningKinds is the catalogue of warning codes, in the order a report
// lists them: what may leave a task unread or unowned first, cosmetics last.
var warningKinds = []WarningKind{
	{WarnUnreadItem, "编号条目未能读取，不属于任何任务", "numbered item not read as part of any task"},
	{WarnNoAttribution, "任务没有责任单位括注，或只列了统称", "task without an attribution bracket, or one naming only collectives"},
	{WarnNoRole, "单位未标明牵头、配合或负责", "unit named without a role"},
	{WarnNotAUnit, "括注中的名称不像单位", "name in an attribution that does not read as a unit"},
	{WarnDirective, "总括性要求未能适用", "standing directive that could not be applied"},
	{WarnRegistryJurisdiction, "单位名录属于其他行政区域，未使用", "unit registry of another jurisdiction, not used"},
	{WarnUnknownUnit, "名录中没有的单位，已作为新单位登记", "unit not in the registry, registered as new"},
	{WarnCollective, "括注列出统称（如各有关部门），未拆成单位", "collective phrase (such as 各有关部门) not turned into units"},
	{WarnUnattributed, "任务最后一个括注之后还有文字", "text after a task's last attribution bracket"},
	{WarnBadDate, "时限不是有效日期，或年份不明", "deadline that names no real date, or no known year"},
	{WarnNoPlanYear, "有只写月份的时限，但方案年份不明", "month-only deadlines without a known plan year"},
	{WarnTaskNumbering, "任务编号重复或跳号", "task numbers repeat or skip"},
	{WarnChapterRestart, "章节编号重新开始（附件）", "chapter numbering starts again (an annex)"},
	{WarnTargetMismatch, "目标的指标、范围与数值无法一一对应", "target whose metrics, scopes and values do not pair"},
	{WarnTableColumn, "任务表的进展或备注列未作为任务内容读取", "report column of a task table not read as task text"},
	{WarnNoTitle, "未找到方案标题", "no title line found"},
	{WarnArabicHeading, "“10、”式章节标题按第十章读取", "heading \"10、\" read as chapter 十、"},
	{WarnMarkup, "已删除文本中的排版残留", "stray markup removed"},
	{WarnTraditional, "原文为繁体字，已按简体字读取", "text in traditional characters, read in simplified form"},
}

// WarningKinds returns the catalogue of warning codes, each with its
// Chinese and English meaning, in report order.
func WarningKinds() []WarningKind { return append([]WarningKind(nil), warningKinds...) }

// KindOf returns the catalogue entry of a warning code; a code the
// catalogue does not hold is described by the code itself.
func KindOf(code string) WarningKind {
	for _, k := range warningKinds {
		if k.Code == code {
			return k
		}
	}
	return WarningKind{Code: code, ZH: code, EN: code}
}

// WarningGroup is the warnings of one code.
type WarningGroup struct {
	WarningKind
	// Warnings are the group's warnings in document order.
	Warnings []Warning
}

// GroupWarnings groups warnings by code, in catalogue order (codes the
// catalogue does not hold last, by code), each group in the order given.
func GroupWarnings(ws []Warning) []WarningGroup {
	rank := map[string]int{}
	for i, k := range warningKinds {
		rank[k.Code] = i
	}
	byCode := map[string]*WarningGroup{}
	var out []*WarningGroup
	for _, w := range ws {
		g, ok := byCode[w.Code]
		if !ok {
			g = &WarningGroup{WarningKind: KindOf(w.Code)}
			byCode[w.Code] = g
			out = append(out, g)
		}
		g.Warnings = append(g.Warnings, w)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, iok := rank[out[i].Code]
		rj, jok := rank[out[j].Code]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return out[i].Code < out[j].Code
	})
	groups := make([]WarningGroup, len(out))
	for i, g := range out {
		groups[i] = *g
	}
	return groups
}

// roleZH names a role for a Chinese warning: 牵头单位, 配合单位…; a role
// the package does not define is named by itself.
func roleZH(r Role) string {
	switch r {
	case RoleLead:
		return "牵头单位"
	case RoleJoint:
		return "共同负责单位"
	case RoleSupport:
		return "配合单位"
	case RoleImplementing:
		return "落实单位"
	}
	return string(r)
}

// quoteZH puts the document's words in Chinese quotation marks; quotation
// marks inside them become single ones, as Chinese writing nests quotes:
// 省推进“三地一区”建设 → “省推进‘三地一区’建设”.
func quoteZH(s string) string {
	return "“" + innerQuotes.Replace(s) + "”"
}

// innerQuotes turns double Chinese quotation marks into single ones.
var innerQuotes = strings.NewReplacer("“", "‘", "”", "’")

// quotedZH quotes each of the document's names, one after another:
// “说明”“备注”.
func quotedZH(names []string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(quoteZH(n))
	}
	return b.String()
}
