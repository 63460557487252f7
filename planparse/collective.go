package planparse

import (
	"fmt"
	"regexp"
	"strings"
)

// Collective phrases name a set of units: 各旗县区人民政府, 各区、县级市,
// 各市人民政府, 各县（市、区）, 各有关部门. They are never split into
// fragments (各区、县级市 is not a unit called 县级市). A phrase that names
// the governments of the level below the plan's jurisdiction expands to the
// registry's units of kind county (a registry group of that name is used
// first); where the registry has none, it stays one collective duty-holder,
// a unit of kind collective named by the whole phrase. A phrase that names
// no level (各有关部门, …成员单位) names no unit a registry can list: it is
// kept in Task.Collectives only, unless a registry group names it.

// localGovRE is a collective phrase that names the governments of the level
// below the plan's jurisdiction.
var localGovRE = regexp.MustCompile(`^(?:(?:各|相关|有关)(?:省级|县级市|地区|街道|乡镇|[省市州盟县区旗乡镇、（）()])+|[省市州盟县区旗]{1,2}[（(][省市州盟县区旗、]+[）)])(?:人民政府|政府)?(?:[（(](?:管委会|管理委员会)[）)])?$`)

// collectiveUse is how often a collective phrase is named, for one grouped
// warning per phrase.
type collectiveUse struct {
	phrase string
	tasks  []int
	line   int
	role   Role // the role of its first use
	holder bool // kept as a collective duty-holder
}

// assignMembers gives the units a collective expands to the role of the
// name that wrote it.
func (p *parser) assignMembers(t *Task, members []Unit, au attrUnit, bracket int, scope string, line int) {
	for _, u := range members {
		p.addResp(t, Responsibility{Unit: u.Name, UnitID: u.ID, Role: au.role, Scope: scope,
			AsWritten: au.name, Known: true, Bracket: bracket, Evidence: au.clause, Line: line})
		p.noteUnit(knownUnit(u), t.Number, t.Line)
	}
}

// applyCollective handles a collective phrase of an attribution: expanded
// to the registry's local governments, kept as one collective duty-holder,
// or (a phrase naming no level) kept in the task's collectives only.
func (p *parser) applyCollective(t *Task, au attrUnit, bracket int, scope string, line int) {
	if localGovRE.MatchString(au.name) {
		if members := p.reg.unitsOfKind(KindCounty); len(members) > 0 {
			p.assignMembers(t, members, au, bracket, scope, line)
			return
		}
		ru := resolvedUnit{id: unknownID(p.reg.Jurisdiction(), au.name), name: au.name, kind: KindCollective}
		p.addResp(t, Responsibility{Unit: au.name, UnitID: ru.id, Role: au.role, Scope: scope,
			AsWritten: au.name, Bracket: bracket, Collective: true, Evidence: au.clause, Line: line})
		p.noteUnit(ru, t.Number, t.Line)
		t.Collectives = append(t.Collectives, Collective{Phrase: au.name, Role: au.role, Bracket: bracket})
		p.noteCollective(au.name, au.role, t, true)
		return
	}
	t.Collectives = append(t.Collectives, Collective{Phrase: au.name, Role: au.role, Bracket: bracket})
	p.noteCollective(au.name, au.role, t, false)
}

// noteCollective counts a use of a collective phrase.
func (p *parser) noteCollective(phrase string, role Role, t *Task, holder bool) {
	for _, c := range p.collectives {
		if c.phrase == phrase {
			if n := len(c.tasks); n == 0 || c.tasks[n-1] != t.Number {
				c.tasks = append(c.tasks, t.Number)
			}
			return
		}
	}
	p.collectives = append(p.collectives, &collectiveUse{phrase: phrase, tasks: []int{t.Number}, line: t.Line, role: role, holder: holder})
}

// collectiveWarnings gives one warning per collective phrase, naming the
// tasks that use it.
func (p *parser) collectiveWarnings() []Warning {
	var out []Warning
	for _, c := range p.collectives {
		nums := make([]string, len(c.tasks))
		for i, n := range c.tasks {
			nums[i] = fmt.Sprint(n)
		}
		what := "it is not turned into units"
		whatZH := "该统称未拆分为具体单位"
		if c.holder {
			what = "the registry lists no units of that kind, so it is kept as one collective duty-holder"
			whatZH = "单位名录中没有这类单位，已将其作为一个统称责任主体保留"
		}
		msg := fmt.Sprintf("the collective %q is named in %d tasks (%s); %s", c.phrase, len(c.tasks), strings.Join(nums, ", "), what)
		zh := fmt.Sprintf("统称%s见于 %d 项任务（第 %s 项）；%s", quoteZH(c.phrase), len(c.tasks), strings.Join(nums, "、"), whatZH)
		if len(c.tasks) == 1 {
			msg = fmt.Sprintf("task %d names the collective %q as %s; %s", c.tasks[0], c.phrase, c.role, what)
			zh = fmt.Sprintf("第 %d 项任务将统称%s列为%s；%s", c.tasks[0], quoteZH(c.phrase), roleZH(c.role), whatZH)
		}
		out = append(out, Warning{Code: WarnCollective, Task: c.tasks[0], Line: c.line, Message: msg, MessageZH: zh})
	}
	return out
}

// standingHolder makes the group of a standing directive that no registry
// expands ("以下均需各县区人民政府落实", "均涉及相关市（州）人民政府，不再做分工")
// an implementing collective duty-holder of the task, when it names the
// governments of the level below; a group such as 试点城市政府 stays a
// collective only.
func (p *parser) standingHolder(t *Task, group string) {
	if !localGovRE.MatchString(group) {
		return
	}
	ru := resolvedUnit{id: unknownID(p.reg.Jurisdiction(), group), name: group, kind: KindCollective}
	p.addResp(t, Responsibility{Unit: group, UnitID: ru.id, Role: RoleImplementing, AsWritten: group, Collective: true})
	p.noteUnit(ru, t.Number, t.Line)
}
