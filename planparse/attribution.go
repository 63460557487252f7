package planparse

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

var (
	// standingRE is a directive that binds this task and every later one:
	// "以下均需各旗县区人民政府落实，不再列出".
	// "以下政策措施均需各县区人民政府、园区管委会落实" is one too.
	standingRE = regexp.MustCompile(`以下(?:各项)?(?:政策措施|政策|措施|任务|工作)?(?:均|都|皆)(?:需要|需|由|要|须)?(.+?)(?:负责)?落实`)
	// involveRE is a directive that every task involves a group the plan
	// does not divide further: "具体任务均涉及相关市（州）人民政府，不再做
	// 分工，下同". The group binds this task and every later one.
	involveRE = regexp.MustCompile(`(?:均|都)涉及(.+?)[，,]\s*不再(?:做|作|单独)?(?:分工|列出|列明)`)
	// firstLeadRE is a directive that makes the first unit of each list the
	// lead: "列第一位者为牵头单位，下同", "列第一位为牵头或汇总单位",
	// "排在首位的为牵头单位".
	firstLeadRE = regexp.MustCompile(`(?:列|排)?(?:在)?(?:第一位|首位)(?:者|的)?(?:单位)?(?:为|是)牵头(?:或汇总|或主责|或召集)?(?:单位|部门)`)
	// prefixRoleRE is an attribution of the form "牵头考核单位：市审批服务局".
	prefixRoleRE = regexp.MustCompile(`^(.{0,12}?)(?:单位|部门)[:：](.+)$`)
	// unitNameRE is how the name of a unit ends.
	unitNameRE = regexp.MustCompile(`(局|委|厅|部|署|办|院|会|所|中心|公司|集团|政府|海关|行|段|队|站|室|处|组|专班|单位|部门|管委会|办公室|[（(]公司[）)]|总局|支行|学校|大学|法院|检察院|团委|妇联|工商联|残联|侨联|文联|社科联|工会|科协|台|馆|社|旗|县|区|市|省|指挥部|机构|委员会|园)$`)
	// collectiveRE is a phrase that names a set of units, not a unit.
	// "县（市、区）政府" names every government of the level below.
	collectiveRE = regexp.MustCompile(`^(各|有关|相关)|^[省市州盟县区旗]{1,2}[（(][省市州盟县区旗、]+[）)](?:人民政府|政府)?$|(有关部门|相关部门|有关单位|相关单位|成员单位|牵头单位|各部门|各单位|有关方面|各专班|各工作专班|各街道|各乡镇)$|各级`)
	// bareDeptRE is a department name without a place: "审批服务局".
	bareDeptRE = regexp.MustCompile(`^[^省市县区旗州盟]{1,7}(局|委|厅|办)$`)
	// scoreBracketRE is a score bracket "（0.5分）".
	scoreBracketRE = regexp.MustCompile(`^(\d+(?:\.\d+)?)分$`)
)

// roleSuffix is a role phrase that ends an attribution clause.
type roleSuffix struct {
	text string
	kind roleKind
}

type roleKind int

const (
	rkLead roleKind = iota
	rkSupport
	rkImplementing
	rkResponsible // 负责: JOINT without a 牵头, SUPPORT after one
)

// roleSuffixes lists the clause endings that carry a role, longest first.
func roleSuffixes() []roleSuffix {
	return []roleSuffix{
		{"按职责分工配合", rkSupport}, {"按职责分工负责", rkResponsible}, {"按职责分工落实", rkImplementing},
		{"按职责配合", rkSupport}, {"按分工配合", rkSupport}, {"按职责负责", rkResponsible}, {"按分工负责", rkResponsible},
		{"按职责落实", rkImplementing}, {"牵头负责", rkLead}, {"牵头落实", rkLead}, {"牵头组织", rkLead},
		{"分工负责", rkResponsible}, {"共同负责", rkResponsible}, {"具体负责", rkResponsible},
		{"组织落实", rkImplementing}, {"负责落实", rkImplementing},
		{"牵头", rkLead}, {"配合", rkSupport}, {"协助", rkSupport}, {"参与", rkSupport}, {"协同", rkSupport},
		{"落实", rkImplementing}, {"负责", rkResponsible}, {"指导", rkResponsible},
	}
}

// attrUnit is one name an attribution gives a role.
type attrUnit struct {
	name      string
	role      Role
	listStart bool   // the first name of a clause's list
	clause    string // the words that name it and give its role
	generic   bool   // named by a generic label (责任单位：) that took its role from the lead
}

// attribution is what one bracket says.
type attribution struct {
	units    []attrUnit
	notes    []string
	standing string // the group of a 以下均需…落实 directive
	// standingWords are the directive's words as written.
	standingWords string
	firstLead     bool // 列第一位者为牵头单位 applies to this bracket
	stickyLead    bool // … and to every later one (下同)
	noRole        []string
}

// parseAttribution reads a bracket's inner text. ok is false when the
// bracket is not an attribution: it names no role, or no unit.
func (p *parser) parseAttribution(inner string) (attribution, bool) {
	var a attribution
	rest, directives := liftDirectives(inner)
	own := splitTop(rest, "。")
	sents := append(own, directives...)
	var unitSents []string
	for i, s := range sents {
		s = trimPunct(s)
		if s == "" {
			continue
		}
		if m := standingRE.FindStringSubmatch(s); m != nil {
			a.standing, a.standingWords = trimPunct(m[1]), m[0]
			continue
		}
		if m := involveRE.FindStringSubmatch(s); m != nil {
			a.standing, a.standingWords = trimPunct(m[1]), m[0]
			continue
		}
		if firstLeadRE.MatchString(s) {
			a.firstLead = true
			a.stickyLead = strings.Contains(s, "下同")
			// The directive may be a clause after the list it governs:
			// "责任单位：A、B，列第一位的为牵头单位". The list stays.
			if i >= len(own) {
				continue // a lifted directive bracket holds no units
			}
			if s = withoutDirectiveClauses(s); s == "" {
				continue
			}
		}
		unitSents = append(unitSents, s)
	}
	firstLead := a.firstLead || p.firstLead
	hasRole := a.standing != "" || a.firstLead
	// A 牵头单位 label anywhere in the bracket leads it: the units of a
	// 责任单位 label support, before it ("责任单位：A、B；牵头单位：A") or after.
	hasLead := hasLeadLabel(unitSents)
	for _, s := range unitSents {
		var (
			pending  []string
			label    roleKind // the role of the last labelled clause
			labelled bool     // the previous clause was "…单位：" or continues one
		)
		for _, cl := range splitTop(s, "，；,;") {
			cl = trimPunct(cl)
			if cl == "" {
				continue
			}
			if m := prefixRoleRE.FindStringSubmatch(cl); m != nil {
				if kind, ok := labelKind(m[1]); ok {
					a.notes = append(a.notes, pending...)
					pending, label, labelled = nil, kind, true
					list, own := p.cutRoleSuffix(m[2])
					if own.text != "" && kind == rkResponsible && own.kind != rkResponsible {
						// "责任单位：A、B分别牵头": the list's own role wins
						// over the generic label.
						kind = own.kind
					}
					a.assign(splitUnitList(list), kind, &hasLead, firstLead, cl)
					hasRole = true
					continue
				}
			}
			if labelled && looksLikeUnitList(p.reg, cl) {
				// "配合单位：A、B，各区、县级市": the list goes on after ，.
				a.assign(splitUnitList(cl), label, &hasLead, firstLead, cl)
				continue
			}
			if rs, ok := p.matchRoleSuffix(cl); ok {
				labelled = false
				names := strings.TrimSuffix(cl, rs.text)
				names = trimUnitListDecor(names)
				if names == "" && len(pending) == 0 {
					continue
				}
				list := pending
				pending = nil
				if names != "" {
					list = append(list, splitUnitList(names)...)
				}
				a.assign(list, rs.kind, &hasLead, firstLead, cl)
				hasRole = true
				continue
			}
			if looksLikeUnitList(p.reg, cl) {
				pending = append(pending, splitUnitList(cl)...)
				continue
			}
			a.notes = append(a.notes, cl)
		}
		if len(pending) > 0 {
			a.noRole = append(a.noRole, pending...)
		}
	}
	if !hasRole {
		return attribution{}, false
	}
	if a.standing == "" && !a.firstLead {
		// Without a directive, at least one name must read as a unit: "（由
		// 企业自行负责）" is no attribution.
		named := false
		for _, u := range a.units {
			named = named || looksLikeUnit(p.reg, u.name)
		}
		for _, n := range a.noRole {
			named = named || looksLikeUnit(p.reg, n)
		}
		if !named {
			return attribution{}, false
		}
	}
	for i, n := range a.noRole {
		a.units = append(a.units, attrUnit{name: n, role: RoleJoint, listStart: i == 0, clause: n})
	}
	a.units = dropLeadRepeats(a.units)
	return a, true
}

// hasLeadLabel reports whether a clause of the sentences is a 牵头单位 label.
func hasLeadLabel(sents []string) bool {
	for _, s := range sents {
		for _, cl := range splitTop(s, "，；,;") {
			if m := prefixRoleRE.FindStringSubmatch(trimPunct(cl)); m != nil {
				if kind, ok := labelKind(m[1]); ok && kind == rkLead {
					return true
				}
			}
		}
	}
	return false
}

// dropLeadRepeats drops a generic mention of a unit the bracket makes lead:
// a table whose 责任单位 column repeats its 牵头单位 names it once, as lead.
// A unit a document names as lead and, explicitly, as 配合 keeps both.
func dropLeadRepeats(units []attrUnit) []attrUnit {
	lead := map[string]bool{}
	for _, u := range units {
		if u.role == RoleLead {
			lead[u.name] = true
		}
	}
	var out []attrUnit
	start := false // a dropped name started its list: the next one does
	for _, u := range units {
		if lead[u.name] && u.role != RoleLead && u.generic {
			start = start || u.listStart
			continue
		}
		if start {
			u.listStart, start = true, false
		}
		out = append(out, u)
	}
	return out
}

// liftDirectives takes out of an attribution the brackets inside it that
// hold a directive, such as the one a 责任单位 line ends with: "责任单位：
// 市发改委、市经信局（除标注“分别牵头”外，列第一位为牵头或汇总单位，下同）".
// It returns the text without them and their inner texts.
func liftDirectives(inner string) (string, []string) {
	var (
		b    strings.Builder
		dirs []string
		prev int
	)
	for _, br := range topBrackets(inner) {
		if !isDirective(br.inner) {
			continue
		}
		b.WriteString(inner[prev:br.start])
		prev = br.end
		dirs = append(dirs, br.inner)
	}
	if dirs == nil {
		return inner, nil
	}
	b.WriteString(inner[prev:])
	return b.String(), dirs
}

// withoutDirectiveClauses drops the clauses of s that state a 列第一位…为牵头
// directive (or its 下同), keeping the others in order.
func withoutDirectiveClauses(s string) string {
	var kept []string
	for _, cl := range splitTop(s, "，；,;") {
		cl = trimPunct(cl)
		if cl == "" || cl == "下同" || firstLeadRE.MatchString(cl) {
			continue
		}
		kept = append(kept, cl)
	}
	return strings.Join(kept, "，")
}

// isDirective reports whether s states a directive rather than units.
func isDirective(s string) bool {
	return firstLeadRE.MatchString(s) || standingRE.MatchString(s) || involveRE.MatchString(s)
}

// labelKind reads the label of a clause "牵头单位：X" / "配合单位：A、B" /
// "责任单位：…" / "负责部门：…" / "参与单位：…": what precedes 单位 or 部门.
func labelKind(label string) (roleKind, bool) {
	switch {
	case strings.Contains(label, "牵头"):
		return rkLead, true
	case strings.Contains(label, "配合"), strings.Contains(label, "协助"), strings.Contains(label, "参与"), strings.Contains(label, "协办"), strings.Contains(label, "协同"):
		return rkSupport, true
	case strings.Contains(label, "落实"):
		return rkImplementing, true
	case strings.Contains(label, "负责"), strings.Contains(label, "责任"), strings.Contains(label, "主责"),
		strings.Contains(label, "实施"), strings.Contains(label, "承办"):
		return rkResponsible, true
	}
	return 0, false
}

// matchRoleSuffix finds the role phrase that ends a clause.
func (p *parser) matchRoleSuffix(cl string) (roleSuffix, bool) {
	for _, rs := range p.roles {
		if strings.HasSuffix(cl, rs.text) {
			return rs, true
		}
	}
	return roleSuffix{}, false
}

// cutRoleSuffix drops the role phrase that ends a labelled list and returns
// it: the label gives the role ("责任单位：A、B按职责分工负责" → "A、B"),
// unless the phrase is a more particular one ("A、B分别牵头").
func (p *parser) cutRoleSuffix(list string) (string, roleSuffix) {
	if rs, ok := p.matchRoleSuffix(list); ok {
		return strings.TrimSuffix(list, rs.text), rs
	}
	return list, roleSuffix{}
}

// assign gives the names of one clause their role.
func (a *attribution) assign(names []string, kind roleKind, hasLead *bool, firstLead bool, clause string) {
	for i, n := range names {
		var role Role
		switch kind {
		case rkLead:
			role = RoleLead
		case rkSupport:
			role = RoleSupport
		case rkImplementing:
			role = RoleImplementing
		default:
			switch {
			case *hasLead:
				role = RoleSupport
			case firstLead && i == 0:
				role = RoleLead
			case firstLead:
				role = RoleSupport
			default:
				role = RoleJoint
			}
		}
		a.units = append(a.units, attrUnit{name: n, role: role, listStart: i == 0, clause: clause, generic: kind == rkResponsible})
	}
	if kind == rkLead || kind == rkResponsible && firstLead && len(names) > 0 {
		*hasLead = true
	}
}

// trimUnitListDecor removes what surrounds a list of units in a clause:
// a leading 由, trailing 等 / 等部门 / 分别 / 共同.
func trimUnitListDecor(s string) string {
	s = trimPunct(s)
	s = strings.TrimPrefix(s, "由")
	for changed := true; changed; {
		changed = false
		for _, suf := range []string{"分别", "共同", "等部门", "等单位", "等"} {
			if r, ok := strings.CutSuffix(s, suf); ok {
				s, changed = r, true
			}
		}
	}
	return trimPunct(s)
}

// splitUnitList splits a list of unit names at 、 and ，, keeping a
// collective such as 各区、县级市 or 各县区人民政府、园区管委会 whole. A name
// with a collective tail, "市财政局等有关部门", gives the unit and the
// collective ("有关部门").
func splitUnitList(s string) []string {
	var out []string
	for _, n := range splitConjoinedCollectives(splitTop(s, "、，,")) {
		n, tail := cutCollectiveTail(n)
		n = trimUnitListDecor(n)
		if n == "" {
			continue
		}
		if k := len(out) - 1; k >= 0 && (levelRE.MatchString(n) || genericBodyRE.MatchString(n)) && strings.HasPrefix(out[k], "各") {
			out[k] += "、" + n
			continue
		}
		out = append(out, n)
		if tail != "" {
			out = append(out, tail)
		}
	}
	return out
}

// conjoinedRE is a conjunction before a collective: "市级各有关部门及各县市区
// 政府" names two collectives, not one unit.
var conjoinedRE = regexp.MustCompile(`(?:以及|及|和|与)(?:各|有关|相关)`)

// splitConjoinedCollectives splits each name at a conjunction that joins it
// to a collective phrase.
func splitConjoinedCollectives(names []string) []string {
	var out []string
	for _, n := range names {
		for {
			loc := conjoinedRE.FindStringIndex(n)
			if loc == nil || loc[0] == 0 {
				break
			}
			conj := n[loc[0]:loc[1]]
			cut := loc[0] + len(conj) - len(strings.TrimLeft(conj, "以及和与"))
			out = append(out, n[:loc[0]])
			n = n[cut:]
		}
		out = append(out, n)
	}
	return out
}

// collectiveTailRE is the 等 tail of a list: "…等有关部门", "…等相关单位".
var collectiveTailRE = regexp.MustCompile(`^(.+?)等((?:有关|相关|其他)(?:部门|单位)|(?:有关|相关)?成员单位)$`)

// cutCollectiveTail splits "市财政局等有关部门" into "市财政局" and "有关部门".
func cutCollectiveTail(n string) (string, string) {
	if m := collectiveTailRE.FindStringSubmatch(n); m != nil {
		return m[1], m[2]
	}
	return n, ""
}

// genericBodyRE is a kind of body without a proper name, which after a
// collective ("各县区人民政府、园区管委会") continues it rather than naming a
// unit: "丽水开发区管委会" names one, "园区管委会" does not.
var genericBodyRE = regexp.MustCompile(`^(?:园区|开发区|功能区|乡镇|街道|镇街|乡镇街道)(?:管委会|人民政府|政府|办事处)?$`)

// levelRE is a bare administrative level that continues a collective
// "各区、县级市" or "各旗、县、区人民政府" rather than naming a unit.
var levelRE = regexp.MustCompile(`^(县级市|[县区旗市盟州]{1,3})(人民政府|政府)?(?:[（(](?:管委会|管理委员会)[）)])?$`)

// looksLikeUnitList reports whether every item of a clause is a unit name,
// a registry group or a collective phrase.
func looksLikeUnitList(reg *Registry, s string) bool {
	items := splitUnitList(s)
	if len(items) == 0 {
		return false
	}
	for _, n := range items {
		if !looksLikeUnit(reg, n) {
			return false
		}
	}
	return true
}

func looksLikeUnit(reg *Registry, n string) bool {
	if _, ok := reg.Lookup(n); ok {
		return true
	}
	if _, ok := reg.LookupGroup(n); ok {
		return true
	}
	return unitNameRE.MatchString(n) || collectiveRE.MatchString(n)
}

// unknownID is the stable id of a unit the registry does not know, derived
// from the plan's jurisdiction and the unit's display name, so that 包头市's
// 市公安局 and 赤峰市's never share an id. Without a jurisdiction it is
// derived from the name alone (as ids were before plans had one).
func unknownID(jurisdiction, name string) string {
	key := name
	if jurisdiction != "" {
		key = jurisdiction + "\x00" + name
	}
	sum := sha1.Sum([]byte(key))
	return "unit." + hex.EncodeToString(sum[:6])
}

// resolvedUnit is a written name resolved against the registry.
type resolvedUnit struct {
	id, name, kind string
	known          bool
	aliases        []string
	jurisdiction   string // the registry unit's own, when it declares one
}

// knownUnit is a registry unit as resolved.
func knownUnit(u Unit) resolvedUnit {
	return resolvedUnit{id: u.ID, name: u.Name, kind: u.Kind, known: true, aliases: u.Aliases, jurisdiction: u.Jurisdiction}
}

// resolve resolves a written name. prefix is the prefix the list's first
// name carries ("市", "省", "赤峰市"), which later names of the list that
// the registry does not know inherit when they read as a bare department
// name — short and ending in 局, 委, 厅 or 办 ("市住建局、审批服务局" →
// 市审批服务局; "省商务厅、合肥海关" keeps 合肥海关).
func (p *parser) resolve(name, prefix string) resolvedUnit {
	if u, ok := p.reg.Lookup(name); ok {
		return knownUnit(u)
	}
	if prefix != "" && !hasPlacePrefix(name, prefix) && isBareDept(name) {
		if u, ok := p.reg.Lookup(prefix + name); ok {
			return knownUnit(u)
		}
		name = prefix + name
	}
	display := p.reg.stripPrefix(name)
	return resolvedUnit{id: unknownID(p.reg.Jurisdiction(), display), name: display, kind: kindOfName(display)}
}

// hasPlacePrefix reports whether name begins with the place prefix: the
// 市 of 市场监管局 is the word 市场 (market), not the city.
func hasPlacePrefix(name, prefix string) bool {
	return strings.HasPrefix(name, prefix) && !strings.HasPrefix(name, "市场")
}

// isBareDept reports whether name is a department name without a place:
// "审批服务局", "市场监管局".
func isBareDept(name string) bool {
	if rest, ok := strings.CutPrefix(name, "市场"); ok {
		name = "场" + rest
	}
	return bareDeptRE.MatchString(name)
}

var (
	// bodyNameRE is a name that ends like a body other than a bureau or a
	// government: a development zone, a company, a customs house.
	bodyNameRE = regexp.MustCompile(`(开发区|园区|高新区|新区|管委会|集团|公司|海关|银行|支行|中心|学校|大学|医院)$`)
	// countyNameRE is a name that ends like a local government.
	countyNameRE = regexp.MustCompile(`(人民政府|政府|[区县旗]|县级市)$`)
	// bureauNameRE is a name that ends like a government department.
	bureauNameRE = regexp.MustCompile(`(局|委|厅|办|办公室|部|署)$`)
)

// kindOfName reads a new unit's kind from how its name ends.
func kindOfName(name string) string {
	switch {
	case bodyNameRE.MatchString(name):
		return KindBody
	case countyNameRE.MatchString(name):
		return KindCounty
	case bureauNameRE.MatchString(name):
		return KindBureau
	}
	return KindBody
}

// listPrefix returns the place prefix of the first name of a list, if any:
// a registry prefix, or "市" / "省" followed by a bare department name
// ("市住建局", "省商务厅" — but not "市场监管总局", "市委网信办", "省政府办公厅").
func (p *parser) listPrefix(name string) string {
	for _, pre := range p.reg.prefixes {
		if strings.HasPrefix(name, pre) {
			return pre
		}
	}
	for _, pre := range []string{"省", "市"} {
		rest, ok := strings.CutPrefix(name, pre)
		if !ok || rest == "" || strings.ContainsRune("场委政直级属辖内长", firstRune(rest)) || !bareDeptRE.MatchString(rest) {
			continue
		}
		if _, known := p.reg.Lookup(name); known {
			return ""
		}
		return pre
	}
	return ""
}

// applyAttribution turns a bracket's attribution into the task's
// responsibilities and collectives.
func (p *parser) applyAttribution(t *Task, a attribution, bracket int, scope string, line int) {
	prefix := ""
	for _, au := range a.units {
		if au.listStart {
			prefix = p.listPrefix(au.name)
		}
		if members, ok := p.reg.LookupGroup(au.name); ok {
			p.assignMembers(t, members, au, bracket, scope, line)
			continue
		}
		if collectiveRE.MatchString(au.name) {
			p.applyCollective(t, au, bracket, scope, line)
			continue
		}
		if !looksLikeUnit(p.reg, au.name) {
			p.warn(Warning{Code: WarnNotAUnit, Task: t.Number, Line: t.Line,
				Message:   fmt.Sprintf("task %d: %q in an attribution does not read as a unit name; ignored", t.Number, au.name),
				MessageZH: fmt.Sprintf("第 %d 项任务：括注中的%s未能识别为单位名称，未予采用", t.Number, quoteZH(au.name))})
			continue
		}
		ru := p.resolve(au.name, prefix)
		p.addResp(t, Responsibility{Unit: ru.name, UnitID: ru.id, Role: au.role, Scope: scope,
			AsWritten: au.name, Known: ru.known, Bracket: bracket, Evidence: au.clause, Line: line})
		p.noteUnit(ru, t.Number, t.Line)
	}
	for _, n := range a.noRole {
		p.warn(Warning{Code: WarnNoRole, Task: t.Number, Line: t.Line,
			Message:   fmt.Sprintf("task %d: %q is named in an attribution without a role; taken as JOINT", t.Number, n),
			MessageZH: fmt.Sprintf("第 %d 项任务：括注中的%s未标明牵头、配合或负责，按共同负责处理", t.Number, quoteZH(n))})
	}
}

// respKey identifies a responsibility for de-duplication.
type respKey struct {
	unit    string
	role    Role
	bracket int
}

// addResp appends a responsibility unless the same bracket already gives
// the unit the same role; a standing one (bracket 0) is skipped when any
// bracket of the task already gives the unit that role.
func (p *parser) addResp(t *Task, r Responsibility) {
	k := respKey{r.UnitID, r.Role, r.Bracket}
	if p.respSeen[k] || r.Bracket == 0 && p.respSeen[respKey{r.UnitID, r.Role, -1}] {
		return
	}
	p.respSeen[k] = true
	p.respSeen[respKey{r.UnitID, r.Role, -1}] = true
	t.Responsibilities = append(t.Responsibilities, r)
}

// noteUnit records a unit in the plan's unit list and warns once about a
// unit the registry does not know.
func (p *parser) noteUnit(ru resolvedUnit, task, line int) {
	if _, seen := p.unitIndex[ru.id]; seen {
		return
	}
	p.unitIndex[ru.id] = len(p.units)
	p.units = append(p.units, UnitRef{ID: ru.id, Name: ru.name, Kind: ru.kind, Known: ru.known, Aliases: ru.aliases, Jurisdiction: ru.jurisdiction})
	if !ru.known && ru.kind != KindCollective {
		p.warn(Warning{Code: WarnUnknownUnit, Task: task, Line: line,
			Message:   fmt.Sprintf("unit %q is not in the registry; kept as a new unit%s (first named in task %d)", ru.name, p.ofJurisdiction(), task),
			MessageZH: fmt.Sprintf("单位%s不在单位名录中，已作为%s新单位登记（首见于第 %d 项任务）", quoteZH(ru.name), p.ofJurisdictionZH(), task)})
	}
}

// ofJurisdiction names the plan's jurisdiction for a message: " of 包头市",
// or "" when it is not known.
func (p *parser) ofJurisdiction() string {
	if j := p.reg.Jurisdiction(); j != "" {
		return " of " + j
	}
	return ""
}

// ofJurisdictionZH names the plan's jurisdiction for a Chinese message:
// "包头市的", or "" when it is not known.
func (p *parser) ofJurisdictionZH() string {
	if j := p.reg.Jurisdiction(); j != "" {
		return j + "的"
	}
	return ""
}
