package planparse

// Role is the part a unit plays in a task, as the plan's attribution
// brackets state it.
type Role string

// The four roles of the domain (see DESIGN.md, "Task").
const (
	// RoleLead is a unit named before 牵头 (or, under a "列第一位者为牵头单位"
	// directive, the first unit of a list).
	RoleLead Role = "LEAD"
	// RoleJoint is a unit named under 按职责分工负责 / 负责 / 按分工负责 in a
	// bracket that names no 牵头: all such units share the lead.
	RoleJoint Role = "JOINT"
	// RoleSupport is a unit named after a 牵头 (…配合, …按职责分工负责).
	RoleSupport Role = "SUPPORT"
	// RoleImplementing is a unit that carries the task out locally, such as
	// the county governments under "各旗县区人民政府落实".
	RoleImplementing Role = "IMPLEMENTING"
)

// Layout names how a document numbers its tasks.
type Layout string

const (
	// LayoutParen is the 实施方案 layout: chapters 一、二、…, tasks （三）（四）…
	// numbered across the whole document.
	LayoutParen Layout = "paren"
	// LayoutItems is the layout where （一） headings group numbered items
	// "1." / "1．" / "1、"; the items are the tasks.
	LayoutItems Layout = "items"
	// LayoutParenNumbers is the items layout with items numbered "（1）" /
	// "(1)", read when neither layout above finds a task.
	LayoutParenNumbers Layout = "paren-numbers"
	// LayoutChapters is the layout of a short notice whose measures are the
	// chapters "一、…" themselves, read when no other layout finds a task.
	LayoutChapters Layout = "chapters"
)

// Plan is the structured form of one plan document. Its JSON form is read
// by other tools: the fields title, chapters, overall_targets, tasks and
// warnings (and the fields of their elements documented as fixed) are never
// renamed or removed.
type Plan struct {
	// Title is the document's own title, e.g. "赤峰市空气质量持续改善行动实施方案".
	Title string `json:"title"`
	// Chapters lists the top-level headings 一、二、… (also "10、") in
	// document order.
	Chapters []Chapter `json:"chapters"`
	// OverallTargets are the quantitative targets of the plan's 主要目标 /
	// 发展目标 section.
	OverallTargets []Target `json:"overall_targets"`
	// Tasks are the plan's numbered tasks in document order.
	Tasks []Task `json:"tasks"`
	// Warnings report, plainly, everything the parser could not settle:
	// unknown units, collective phrases, tasks without attribution, …
	Warnings []Warning `json:"warnings"`

	// PlanYear is the year used for deadlines that name only a month
	// ("5月底") or only 年底前; 0 if none could be determined.
	PlanYear int `json:"plan_year,omitempty"`
	// Layout is the numbering layout the parser recognised.
	Layout Layout `json:"layout"`
	// Units lists every unit the tasks name, known to the registry or new,
	// in order of first appearance.
	Units []UnitRef `json:"units"`
	// Jurisdiction is the place the plan governs, e.g. "赤峰市", "包头市",
	// "安徽省" or "全国": Options.Jurisdiction, else read from the title
	// or the issuer's line; empty when neither names one.
	Jurisdiction string `json:"jurisdiction,omitempty"`
	// Preamble holds the numbered items that are not tasks, such as
	// （一）重点区域 and （二）主要目标 under 一、总体要求.
	Preamble []PreambleItem `json:"preamble,omitempty"`
}

// Chapter is a top-level heading such as "二、促进产业绿色转型升级".
type Chapter struct {
	// Number is the chapter's number (二 → 2, "10、" → 10).
	Number int `json:"number"`
	// Title is the heading text without its number.
	Title string `json:"title"`
	// Points is the score a heading such as "一、政务服务“一网通办”（25分）"
	// carries, if any.
	Points float64 `json:"points,omitempty"`
	// Sections are the （一）… headings under the chapter in the items
	// layout.
	Sections []Section `json:"sections,omitempty"`
	// Line is the 1-based source line of the heading.
	Line int `json:"line"`
}

// Section is a （一）… heading that groups numbered items in the items
// layout.
type Section struct {
	// Number is the section's number.
	Number int `json:"number"`
	// Title is the heading text without its number and score.
	Title string `json:"title"`
	// Points is the score in the heading ("（3分）"), if any.
	Points float64 `json:"points,omitempty"`
	// Line is the 1-based source line of the heading.
	Line int `json:"line"`
}

// PreambleItem is a numbered item that is not a task (see the package
// documentation).
type PreambleItem struct {
	// Number is the item's number.
	Number int `json:"number"`
	// Chapter is the heading the item stands under, e.g. "一、总体要求".
	Chapter string `json:"chapter"`
	// Title is the item's first sentence without its closing 。.
	Title string `json:"title"`
	// Text is the item's full text, paragraphs separated by "\n".
	Text string `json:"text"`
	// Line is the 1-based source line where the item starts.
	Line int `json:"line"`
}

// Task is one numbered task of the plan.
type Task struct {
	// Number is the task's number: （三） → 3, "12." → 12.
	Number int `json:"number"`
	// Chapter is the heading the task stands under, number included and
	// normalised: "二、促进产业绿色转型升级", or "（一）大力发展货物贸易" in
	// the items layout.
	Chapter string `json:"chapter"`
	// Title is the task's first sentence without its closing 。.
	Title string `json:"title"`
	// Text is the task's full text after its number, every paragraph that
	// belongs to it, attribution brackets included, paragraphs separated by
	// "\n".
	Text string `json:"text"`
	// Responsibilities are the units named by the task's attribution
	// brackets (one entry per unit and bracket) and by standing directives.
	Responsibilities []Responsibility `json:"responsibilities"`
	// Deadlines are the dated phrases of the task.
	Deadlines []Deadline `json:"deadlines"`
	// Targets are the quantitative targets of the task.
	Targets []Target `json:"targets"`

	// Part is the top-level chapter when Chapter names a section (items
	// layout), e.g. "二、重点任务".
	Part string `json:"part,omitempty"`
	// Points is the score a bracket such as "（0.5分）" gives the task.
	Points float64 `json:"points,omitempty"`
	// Collectives are the collective phrases (各有关部门, …成员单位) an
	// attribution names; they are not turned into units.
	Collectives []Collective `json:"collectives,omitempty"`
	// Notes are the parts of attribution brackets that name no unit, e.g.
	// "持续推进".
	Notes []string `json:"notes,omitempty"`
	// Line is the 1-based source line where the task starts.
	Line int `json:"line"`
}

// Responsibility is one unit's role in a task, as one attribution bracket
// (or a standing directive) states it.
type Responsibility struct {
	// Unit is the registry's display name of the unit.
	Unit string `json:"unit"`
	// Role is LEAD, JOINT, SUPPORT or IMPLEMENTING.
	Role Role `json:"role"`
	// Scope is the text the bracket covers: the sentences between the
	// previous attribution bracket of the task (or the task's start) and
	// this one. It is empty for a responsibility that comes from a standing
	// directive ("以下均需各旗县区人民政府落实"), which covers the whole task.
	Scope string `json:"scope"`

	// UnitID is the unit's stable id: the registry's, or "unit.<hex>" for a
	// unit the registry does not know.
	UnitID string `json:"unit_id"`
	// AsWritten is the unit's name as the document writes it.
	AsWritten string `json:"as_written,omitempty"`
	// Known is false for a unit the registry does not know.
	Known bool `json:"known"`
	// Bracket is the 1-based index of the attribution bracket within the
	// task, 0 for a standing directive.
	Bracket int `json:"bracket"`
	// Collective is true for a collective duty-holder: a phrase such as
	// 各区、县级市 that the registry could not expand into its units, kept
	// whole (UnitID names the phrase in the plan's jurisdiction).
	Collective bool `json:"collective,omitempty"`
	// Evidence is the plan's own words that gave the unit its role: the
	// clause of the bracket ("市发展改革委牵头", "配合单位：市财政局、市教育局")
	// or the standing directive ("以下均需各旗县区人民政府落实").
	Evidence string `json:"evidence,omitempty"`
	// Line is the 1-based source line of those words.
	Line int `json:"line,omitempty"`
}

// Collective is a collective phrase named in an attribution, such as
// 各有关部门; it names no particular unit.
type Collective struct {
	// Phrase is the phrase as written.
	Phrase string `json:"phrase"`
	// Role is the role the bracket gives it.
	Role Role `json:"role"`
	// Bracket is the 1-based index of the bracket within the task.
	Bracket int `json:"bracket"`
}

// Deadline is one dated phrase, normalised to a civil date in
// Asia/Shanghai ("YYYY-MM-DD").
type Deadline struct {
	// Phrase is the text the deadline came from: "2025年底前", "到2025年",
	// "从2026年1月1日起", "5月底".
	Phrase string `json:"phrase"`
	// Due is the last day of the period the phrase names; empty for a
	// phrase that starts an obligation (see Starts) or whose year is
	// unknown.
	Due string `json:"due,omitempty"`
	// What is the clause the phrase governs, trimmed.
	What string `json:"what"`

	// Starts is the first day of an obligation that starts then
	// ("从2026年1月1日起" → "2026-01-01").
	Starts string `json:"starts,omitempty"`
	// Milestone is what must be done by Due when the phrase is directly
	// followed by it, e.g. "2024年底前投入运行" → "投入运行".
	Milestone string `json:"milestone,omitempty"`
	// Line is the 1-based source line of the phrase.
	Line int `json:"line,omitempty"`
	// Places are the ids of the county units the clause names, in order
	// ("元宝山区、宁城县全部涉气工业企业…从2026年1月1日起…"): the milestone is
	// theirs alone among the implementing places. Empty: every place.
	Places []string `json:"places,omitempty"`
}

// Comparator says how a target's value binds its metric.
type Comparator string

// The comparators. Level comparators (le … approx) bind the metric's value;
// change comparators (decrease_by, increase_by) bind its change against the
// baseline year (or against today when none is named).
const (
	// CmpLE is "at most": 控制在…以下, 不超过, 下降至…以下.
	CmpLE Comparator = "le"
	// CmpLT is "below": 低于, 少于.
	CmpLT Comparator = "lt"
	// CmpGE is "at least": 达到, 达到…以上, 不低于, 提高至.
	CmpGE Comparator = "ge"
	// CmpGT is "above": 超过, 高于.
	CmpGT Comparator = "gt"
	// CmpEQ is "exactly": 稳定在/保持在 without 左右, and 不出现 (value 0).
	CmpEQ Comparator = "eq"
	// CmpApprox is "about": any level verb with 左右.
	CmpApprox Comparator = "approx"
	// CmpDecreaseBy is a fall by Value: 下降10%, 降低20个百分点.
	CmpDecreaseBy Comparator = "decrease_by"
	// CmpIncreaseBy is a rise by Value: 增长10%, 提高5个百分点, 新增.
	CmpIncreaseBy Comparator = "increase_by"
)

// Target is one quantitative target.
type Target struct {
	// Metric is what is measured, e.g. "细颗粒物（PM2.5）浓度".
	Metric string `json:"metric"`
	// Comparator is how Value binds Metric.
	Comparator Comparator `json:"comparator"`
	// Value is the number.
	Value float64 `json:"value"`
	// Unit is the value's unit: "μg/m3", "%", "百分点", "毫克/立方米", …
	Unit string `json:"unit"`
	// BaselineYear is the year a change is measured against (比2020年).
	BaselineYear int `json:"baseline_year,omitempty"`
	// Scope is "city" for the plan's whole jurisdiction, or the unit id of
	// a named county.
	Scope string `json:"scope"`
	// Phrase is the clause the target came from.
	Phrase string `json:"phrase"`

	// Bound qualifies a change comparator: "at_least" (下降10%以上),
	// "at_most" (以内) or "about" (左右).
	Bound string `json:"bound,omitempty"`
	// Aspirational is true for 力争 ("strive to").
	Aspirational bool `json:"aspirational,omitempty"`
	// Due is the date the target is set for, from the nearest preceding
	// deadline phrase of the same paragraph (到2025年 → "2025-12-31").
	Due string `json:"due,omitempty"`
}

// UnitRef is a unit a plan names.
type UnitRef struct {
	// ID is the unit's stable id.
	ID string `json:"id"`
	// Name is its display name.
	Name string `json:"name"`
	// Kind is bureau, county or body: the registry's for a known unit,
	// read from the name's ending for a new one (…局 → bureau, …区/县/旗
	// or …人民政府 → county, else body); "collective" for a collective
	// duty-holder.
	Kind string `json:"kind"`
	// Known is false for a unit the registry does not know.
	Known bool `json:"known"`
	// Aliases are the registry's other names of a known unit, for the
	// importer; they are not part of the JSON form.
	Aliases []string `json:"-"`
	// Jurisdiction is the place the unit belongs to when its registry entry
	// says it is not the plan's (see Unit.Jurisdiction); empty means the
	// plan's.
	Jurisdiction string `json:"jurisdiction,omitempty"`
}

// Warning is one thing the parser reports rather than decides.
type Warning struct {
	// Code classifies the warning (see the package documentation).
	Code string `json:"code"`
	// Task is the task number concerned, 0 if none.
	Task int `json:"task,omitempty"`
	// Line is the 1-based source line concerned, 0 if none.
	Line int `json:"line,omitempty"`
	// Message says what happened, in plain words, in English.
	Message string `json:"message"`
	// MessageZH says the same in Chinese, the language users read first.
	MessageZH string `json:"message_zh"`
	// Text is the document's own words the warning is about, where it
	// names some: the item an unread-item warning could not read.
	Text string `json:"text,omitempty"`
}

// Warning codes (Warning.Code).
const (
	// WarnMarkup: stray markup such as "[bookmark: _GoBack]" was removed.
	WarnMarkup = "markup-removed"
	// WarnArabicHeading: a heading "10、" was read as chapter 十、.
	WarnArabicHeading = "arabic-heading"
	// WarnChapterRestart: chapter numbering starts again (an annex).
	WarnChapterRestart = "chapter-restart"
	// WarnNoAttribution: a task has no attribution bracket, or its brackets
	// name only collectives.
	WarnNoAttribution = "no-attribution"
	// WarnUnattributed: text follows a task's last attribution bracket.
	WarnUnattributed = "unattributed-text"
	// WarnCollective: an attribution names a collective such as 各有关部门.
	WarnCollective = "collective-unit"
	// WarnUnknownUnit: a unit the registry does not know became a new unit.
	WarnUnknownUnit = "unknown-unit"
	// WarnNotAUnit: a name in an attribution does not read as a unit.
	WarnNotAUnit = "not-a-unit"
	// WarnNoRole: a unit is named in an attribution without a role.
	WarnNoRole = "no-role"
	// WarnNoPlanYear: month-only deadlines exist but no plan year is known.
	WarnNoPlanYear = "no-plan-year"
	// WarnBadDate: a deadline names no real date, or no year is known.
	WarnBadDate = "bad-date"
	// WarnTaskNumbering: task numbers repeat or skip.
	WarnTaskNumbering = "task-numbering"
	// WarnTargetMismatch: a target's metrics, scopes and values do not pair.
	WarnTargetMismatch = "target-mismatch"
	// WarnNoTitle: no title line was found.
	WarnNoTitle = "no-title"
	// WarnDirective: a standing directive could not be applied.
	WarnDirective = "directive"
	// WarnRegistryJurisdiction: the given registry describes another
	// jurisdiction than the plan's, so its units were not used.
	WarnRegistryJurisdiction = "registry-jurisdiction"
	// WarnUnreadItem: a numbered line was dropped (it lies after a trailer,
	// or outside any task) in a chapter that holds tasks.
	WarnUnreadItem = "unread-item"
	// WarnTableColumn: a task table's report column (进展情况, 备注) is not
	// read as part of the tasks.
	WarnTableColumn = "table-column"
)
