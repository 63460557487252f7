package scoring

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"taskledger/domain"
)

// Rule id suffixes. A full rule id is the kind's prefix ("bureau" or
// "county.delivery") joined with a suffix by '.', or one of the county
// air-quality ids; RuleIDs lists them all.
const (
	ruleBase        = "base"
	ruleSlip        = "slip" // + "." + lower-case role
	ruleSlipExcused = "slip.excused"
	ruleSlipCleared = "slip.cleared"
	ruleSlipLate    = "slip.late"
	ruleMissed      = "report.missed"
	ruleFalseReport = "false_report"
	ruleRectify     = "rectification.overdue"
	ruleFloor       = "floor"

	prefixBureau   = "bureau"
	prefixDelivery = "county.delivery"
	prefixAir      = "county.air"
)

// RuleIDs returns every rule id a scorecard of the kind can cite, in the
// order lines appear.
func RuleIDs(kind Kind) []string {
	prefix := prefixBureau
	if kind == KindCounty {
		prefix = prefixDelivery
	}
	ids := []string{prefix + "." + ruleBase}
	for _, r := range domain.Roles() {
		ids = append(ids, prefix+"."+ruleSlip+"."+strings.ToLower(string(r)))
	}
	ids = append(ids,
		prefix+"."+ruleSlipExcused, prefix+"."+ruleSlipCleared, prefix+"."+ruleSlipLate, prefix+"."+ruleMissed,
		prefix+"."+ruleFalseReport, prefix+"."+ruleRectify, prefix+"."+ruleFloor)
	if kind == KindCounty {
		for _, m := range metricOrder() {
			ids = append(ids, prefixAir+"."+string(m))
		}
	}
	return ids
}

// Compute scores every unit of the kind (bureaus or counties) for
// in.Year as of in.AsOf under scheme s, and ranks the cards. It is pure:
// the same input and scheme give the same result, whatever the order of
// the input's slices. docs/scoring.md states every rule.
func Compute(in Input, s Scheme, kind Kind) (Result, error) {
	if err := s.Validate(); err != nil {
		return Result{}, fmt.Errorf("compute scorecards: %w", err)
	}
	if err := kind.Validate(); err != nil {
		return Result{}, fmt.Errorf("compute scorecards: %w", err)
	}
	if s.Year != 0 && s.Year != in.Year {
		return Result{}, fmt.Errorf("compute scorecards: scheme %s v%d scores %d, not %d", s.ID, s.Version, s.Year, in.Year)
	}
	if err := in.validate(); err != nil {
		return Result{}, fmt.Errorf("compute scorecards: %w", err)
	}
	want := domain.KindBureau
	if kind == KindCounty {
		want = domain.KindCounty
	}
	byUnit := map[domain.UnitID][]*domain.Obligation{}
	owners := in.owners()
	for _, o := range in.Obligations {
		byUnit[owners[o.Key.Unit]] = append(byUnit[owners[o.Key.Unit]], o)
	}
	var air *airScorer
	if kind == KindCounty {
		var err error
		if air, err = newAirScorer(in, s); err != nil {
			return Result{}, fmt.Errorf("compute scorecards: %w", err)
		}
	}
	ev := evaluator{in: in, s: s}
	ev.yearPeriods = ev.periods()
	res := Result{Year: in.Year, Kind: kind, Scheme: s.ID, SchemeVersion: s.Version, AsOf: in.AsOf.In(domain.Shanghai()), Cards: []Card{}}
	var gradeIdx = map[domain.UnitID]int{}
	for _, u := range in.Units {
		if u.Kind != want {
			continue
		}
		obs := byUnit[u.ID]
		sortObligations(obs)
		card := Card{Unit: u.ID, Name: u.Name}
		capped := false
		if kind == KindBureau {
			card.Lines, card.Slips, capped = ev.bureauLines(obs)
		} else {
			card.Lines, card.Slips, capped = ev.deliveryLines(obs)
			aq, err := air.lines(u.ID)
			if err != nil {
				return Result{}, fmt.Errorf("compute scorecards: %w", err)
			}
			card.Lines = append(card.Lines, aq...)
		}
		for _, l := range card.Lines {
			card.Total += l.Points
		}
		g := s.gradeOf(card.Total)
		if capIdx := s.gradeIndex(s.Deductions.FalseReport.GradeCap); capped && capIdx >= 0 && g < capIdx {
			g, card.GradeCapped = capIdx, true
		}
		card.Grade, card.GradeEN = s.Grades[g].Name, s.Grades[g].NameEN
		gradeIdx[u.ID] = g
		res.Cards = append(res.Cards, card)
	}
	sort.Slice(res.Cards, func(i, j int) bool {
		a, b := res.Cards[i], res.Cards[j]
		if ga, gb := gradeIdx[a.Unit], gradeIdx[b.Unit]; ga != gb {
			return ga < gb
		}
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		if a.Slips != b.Slips {
			return a.Slips < b.Slips
		}
		return a.Unit < b.Unit
	})
	for i := range res.Cards {
		res.Cards[i].Rank = i + 1
	}
	return res, nil
}

// bureauLines builds a bureau card's lines: the base, the deductions over
// its obligations in the bureau roles, and the floor.
func (ev evaluator) bureauLines(obs []*domain.Obligation) (lines []Line, slips int, capped bool) {
	r := ev.s.Bureau
	base := r.Base
	lines = append(lines, Line{
		Rule: prefixBureau + "." + ruleBase, Points: base,
		ZH: fmt.Sprintf("基础分%s分", base), EN: fmt.Sprintf("base score %s", base),
	})
	total := base
	for _, o := range obs {
		if !hasRole(r.Roles, o.Key.Role) {
			continue
		}
		ds := ev.deductions(o)
		for _, d := range ds.items {
			l := d.line(prefixBureau)
			l.Points = -d.amount
			total += l.Points
			lines = append(lines, l)
		}
		slips += ds.slips
		capped = capped || ds.falseReports > 0
	}
	if total < r.Floor {
		lines = append(lines, Line{
			Rule: prefixBureau + "." + ruleFloor, Points: r.Floor - total,
			ZH: fmt.Sprintf("扣分后不低于%s分，补足%s分", r.Floor, r.Floor-total),
			EN: fmt.Sprintf("the score does not fall below %s: %s added back", r.Floor, r.Floor-total),
		})
	}
	return lines, slips, capped
}

// deliveryLines builds a county card's task-delivery lines: the delivery
// weight, each deduction over its obligations in the delivery roles scaled
// by weight/out_of, and the floor at 0.
func (ev evaluator) deliveryLines(obs []*domain.Obligation) (lines []Line, slips int, capped bool) {
	r := ev.s.County.Delivery
	lines = append(lines, Line{
		Rule: prefixDelivery + "." + ruleBase, Points: r.Weight,
		ZH: fmt.Sprintf("任务落实满分%s分（扣分按%s分制计算，再按%s/%s折算）", r.Weight, r.OutOf, r.Weight, r.OutOf),
		EN: fmt.Sprintf("task delivery: %s points (deductions counted out of %s, scaled by %s/%s)", r.Weight, r.OutOf, r.Weight, r.OutOf),
	})
	total := r.Weight
	for _, o := range obs {
		if !hasRole(r.Roles, o.Key.Role) {
			continue
		}
		ds := ev.deductions(o)
		for _, d := range ds.items {
			l := d.line(prefixDelivery)
			scaled := roundPoints(new(big.Rat).Mul(d.amount.rat(), ratio(r.Weight, r.OutOf)))
			l.Points = -scaled
			if d.amount != 0 {
				l.ZH += fmt.Sprintf("（按%s/%s折算为扣%s分）", r.Weight, r.OutOf, scaled)
				l.EN += fmt.Sprintf(" (scaled by %s/%s: -%s)", r.Weight, r.OutOf, scaled)
			}
			total += l.Points
			lines = append(lines, l)
		}
		slips += ds.slips
		capped = capped || ds.falseReports > 0
	}
	if total < 0 {
		lines = append(lines, Line{
			Rule: prefixDelivery + "." + ruleFloor, Points: -total,
			ZH: fmt.Sprintf("任务落实得分不低于0分，补足%s分", -total),
			EN: fmt.Sprintf("the task-delivery score does not fall below 0: %s added back", -total),
		})
	}
	return lines, slips, capped
}

func hasRole(roles []domain.Role, r domain.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// roleRank orders roles as domain.Roles lists them.
func roleRank(r domain.Role) int {
	for i, x := range domain.Roles() {
		if x == r {
			return i
		}
	}
	return len(domain.Roles())
}

// sortObligations orders obligations by plan, task, role and unit.
func sortObligations(obs []*domain.Obligation) {
	sort.Slice(obs, func(i, j int) bool {
		a, b := obs[i].Key, obs[j].Key
		switch {
		case a.Plan != b.Plan:
			return a.Plan < b.Plan
		case a.Task != b.Task:
			return a.Task < b.Task
		case a.Role != b.Role:
			return roleRank(a.Role) < roleRank(b.Role)
		}
		return a.Unit < b.Unit
	})
}

func sortUnitIDs(ids []domain.UnitID) {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
}
