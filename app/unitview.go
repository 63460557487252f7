package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/msg"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// UnitViewInput asks for one unit's own view.
type UnitViewInput struct {
	// Unit is an id, name or alias; empty means the principal's own unit
	// (required for roles that act for none).
	Unit string
	// Plan is the plan whose score is shown; empty means the default plan.
	Plan string
	// Year is the year scored; zero means the current year (Beijing time).
	Year int
}

// UnitView is what a unit owes, what its supporters owe on the tasks it
// leads, and its own score as it stands.
type UnitView struct {
	Unit domain.Unit
	// AsOf is when the view was judged: the layer's clock.
	AsOf time.Time
	// Owes are the unit's obligations across all plans, soonest due first.
	Owes []projections.ObligationView
	// Leads are the tasks the unit leads, in plan and task order, each
	// with the other units' duties on it.
	Leads []LedTask
	// Score is the unit's own scorecard; nil for a unit the plan does not
	// score (neither a bureau nor a county) or when no plan is scored.
	Score *UnitScore
	// Catalog names plans, tasks and units for the doors.
	Catalog *projections.Catalog
}

// LedTask is a task the unit leads, with its supporters' duties.
type LedTask struct {
	Plan domain.PlanID
	Task domain.TaskNo
	// Supporters are the other units' obligations on the task.
	Supporters []projections.ObligationView
}

// UnitScore is a unit's own scorecard computed now. It is provisional
// (暂定) until the committee publishes the year's scorecards of its kind;
// even then it is the live computation, and the publication is what
// counts.
type UnitScore struct {
	Plan          domain.PlanID
	Year          int
	Kind          scoring.Kind
	Scheme        string
	SchemeVersion int
	AsOf          time.Time
	// Provisional is true while nothing is published for the year and kind.
	Provisional bool
	Card        scoring.Card
}

// UnitOverview returns a unit's own view: a bureau or county principal
// sees its own unit's, others (the plan office, inspectors, the
// committee, the operator) any unit's they name.
func (s *Service) UnitOverview(ctx context.Context, p auth.Principal, in UnitViewInput) (UnitView, error) {
	if err := s.authorize(ctx, p, ReadUnitView); err != nil {
		return UnitView{}, err
	}
	if err := s.views.Sync(ctx, 0); err != nil {
		return UnitView{}, err
	}
	id, err := UnitRef(p, ReadUnitView, strings.TrimSpace(in.Unit), s.ResolveUnit)
	if err != nil {
		return UnitView{}, err
	}
	if id == "" {
		return UnitView{}, fail(msg.UnitViewRequired, nil)
	}
	v := s.current()
	u, ok := v.Catalog.Unit(id)
	if !ok {
		return UnitView{}, fail(msg.UnitNotRegistered, msg.Args{"Unit": id})
	}
	now := s.clock.Now()
	out := UnitView{Unit: u, AsOf: now, Catalog: v.Catalog}
	out.Owes = v.Obligations.Views(projections.Filter{Unit: id}, now, v.Config.YellowDays)
	out.Leads = ledTasks(v, id, out.Owes, now)
	if out.Score, err = s.unitScore(v, u, in, now); err != nil {
		return UnitView{}, err
	}
	return out, nil
}

// ledTasks returns the tasks the unit leads with the other units' duties.
func ledTasks(v *projections.Views, unit domain.UnitID, owes []projections.ObligationView, now time.Time) []LedTask {
	var out []LedTask
	seen := map[projections.TaskKey]bool{}
	for _, ob := range owes {
		k := projections.TaskKey{Plan: ob.Plan, Task: ob.Task}
		if ob.Role != domain.RoleLead || seen[k] {
			continue
		}
		seen[k] = true
		lt := LedTask{Plan: ob.Plan, Task: ob.Task}
		for _, o := range v.Obligations.Views(projections.Filter{Plan: ob.Plan, Task: ob.Task}, now, v.Config.YellowDays) {
			if o.Unit != unit {
				lt.Supporters = append(lt.Supporters, o)
			}
		}
		out = append(out, lt)
	}
	sortLed(out)
	return out
}

func sortLed(ts []LedTask) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && (ts[j].Plan < ts[j-1].Plan || ts[j].Plan == ts[j-1].Plan && ts[j].Task < ts[j-1].Task); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// unitScore computes the unit's own card for the year under the scheme
// the committee adopted (else the built-in default).
func (s *Service) unitScore(v *projections.Views, u domain.Unit, in UnitViewInput, now time.Time) (*UnitScore, error) {
	kind := scoring.KindBureau
	switch u.Kind {
	case domain.KindCounty:
		kind = scoring.KindCounty
	case domain.KindBureau:
	default:
		return nil, nil
	}
	plan, err := s.Plan(in.Plan)
	if err != nil {
		return nil, nil // no plan to score: the view shows duties only
	}
	year := in.Year
	if year == 0 {
		year = now.In(domain.Shanghai()).Year()
	}
	sc, err := v.SchemeFor(plan, year, "", 0)
	if err != nil {
		return nil, err
	}
	input, err := v.ScoringInput(plan, year, now)
	if err != nil {
		return nil, err
	}
	res, err := scoring.Compute(input, sc, kind)
	if err != nil {
		return nil, fmt.Errorf("score %s %d: %w", u.ID, year, err)
	}
	score := &UnitScore{Plan: plan, Year: year, Kind: kind, Scheme: sc.ID, SchemeVersion: sc.Version, AsOf: res.AsOf, Provisional: true}
	for _, pub := range v.Catalog.Published(plan) {
		if pub.Year == year && strings.EqualFold(pub.Kind, string(kind)) {
			score.Provisional = false
		}
	}
	for _, c := range res.Cards {
		if c.Unit == u.ID {
			score.Card = c
			return score, nil
		}
	}
	return nil, nil
}
