package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/export"
	"taskledger/internal/msg"
	"taskledger/projections"
	"taskledger/reportsheet"
)

// TemplateInput asks for a unit's report template (报送模板).
type TemplateInput struct {
	// Plan is a plan's id; empty means every plan the unit has duties in.
	Plan string
	// Unit is a unit's id, name or alias; empty means the principal's own.
	Unit string
}

// taskTextLen bounds the task text a template row shows, in characters.
const taskTextLen = 40

// ReportTemplate returns a unit's report template as of now: each duty it
// can still report on (not withdrawn, reassigned or verified complete),
// one row each in the plan's order, with what is due next, the status and
// the latest reported percent. A bureau or county gets its own; other
// readers name the unit.
func (s *Service) ReportTemplate(ctx context.Context, p auth.Principal, in TemplateInput) (reportsheet.Template, error) {
	if err := s.authorize(ctx, p, ReadObligations); err != nil {
		return reportsheet.Template{}, err
	}
	unit, err := UnitRef(p, ReadObligations, in.Unit, s.ResolveUnit)
	if err != nil {
		return reportsheet.Template{}, err
	}
	if unit == "" {
		return reportsheet.Template{}, fail(msg.TemplateUnitRequired, nil)
	}
	if err := s.views.Sync(ctx, 0); err != nil {
		return reportsheet.Template{}, fmt.Errorf("report template: %w", err)
	}
	v := s.current()
	f := projections.Filter{Unit: unit}
	t := reportsheet.Template{Plan: "全部方案", AsOf: s.clock.Now()}
	if in.Plan != "" {
		if f.Plan, err = s.knownPlan(v, in.Plan); err != nil {
			return reportsheet.Template{}, err
		}
		pl, _ := v.Catalog.Plan(f.Plan)
		t.Plan = pl.Title
	}
	t.Unit = string(unit)
	if u, ok := v.Catalog.Unit(unit); ok {
		t.Unit = u.Name
	}
	t.Rows = templateRows(v, v.Obligations.Views(f, t.AsOf, v.Config.YellowDays))
	return t, nil
}

// knownPlan resolves a plan the catalog holds.
func (s *Service) knownPlan(v *projections.Views, ref string) (domain.PlanID, error) {
	id, err := s.Plan(ref)
	if err != nil {
		return "", err
	}
	if _, ok := v.Catalog.Plan(id); !ok {
		return "", fail(msg.TemplateNoPlan, msg.Args{"Plan": id})
	}
	return id, nil
}

// reportable reports whether a unit can still report on a duty.
func reportable(ov projections.ObligationView) bool {
	switch domain.ObligationStatus(ov.Status) {
	case domain.StatusWithdrawn, domain.StatusReassigned, domain.StatusVerified:
		return false
	}
	return true
}

// templateRows makes the rows of the reportable duties, in the plan's
// order: plan, task number, next due date, role.
func templateRows(v *projections.Views, views []projections.ObligationView) []reportsheet.Row {
	views = slices.DeleteFunc(slices.Clone(views), func(ov projections.ObligationView) bool { return !reportable(ov) })
	slices.SortStableFunc(views, func(a, b projections.ObligationView) int {
		return cmp.Or(cmp.Compare(a.Plan, b.Plan), cmp.Compare(a.Task, b.Task), compareDates(a.NextDue, b.NextDue), cmp.Compare(a.Role, b.Role))
	})
	rows := make([]reportsheet.Row, 0, len(views))
	for _, ov := range views {
		r := reportsheet.Row{Ref: ov.Stream, Status: export.StatusZH(ov.Status), Task: fmt.Sprintf("第%d项", ov.Task)}
		if pl, ok := v.Catalog.Plan(ov.Plan); ok {
			r.Plan = pl.Title
		}
		if t, ok := v.Catalog.Task(ov.Plan, ov.Task); ok {
			r.Task = taskText(t)
		}
		r.Milestone, r.Due = nextMilestone(ov)
		if ov.Reports > 0 {
			pct := int(ov.Progress)
			r.LastPercent = &pct
		}
		rows = append(rows, r)
	}
	return rows
}

// compareDates orders dates, the zero date last.
func compareDates(a, b domain.Date) int {
	switch {
	case a == b:
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	case a.Before(b):
		return -1
	}
	return 1
}

// taskText is a task as its plan prints it: the label (or number) and a
// short title.
func taskText(t domain.Task) string {
	label := t.Label
	if label == "" {
		label = fmt.Sprintf("第%d项", t.No)
	}
	title := t.Title
	if utf8.RuneCountInString(title) > taskTextLen {
		title = string([]rune(title)[:taskTextLen]) + "…"
	}
	return label + title
}

// nextMilestone is what a duty owes next: the milestone due on its next
// due date (or, with nothing dated owed, the last milestone).
func nextMilestone(ov projections.ObligationView) (string, domain.Date) {
	for _, m := range ov.Milestones {
		if !ov.NextDue.IsZero() && m.Due == ov.NextDue && m.Completion != domain.ClaimVerified {
			return m.What, m.Due
		}
	}
	if n := len(ov.Milestones); n > 0 && ov.NextDue.IsZero() {
		return ov.Milestones[n-1].What, ov.Milestones[n-1].Due
	}
	return "", ov.NextDue
}
