package projections

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/projections/airquality"
	"taskledger/projections/scoring"
)

// schemeCache keeps parsed schemes: parsing a scheme document costs more
// than computing a small scorecard from warm read models.
type schemeCache struct {
	mu      sync.Mutex
	def     *scoring.Scheme
	adopted map[uuid.UUID]scoring.Scheme // by SchemeAdopted event ID
}

// SchemeFor returns the scoring scheme to use for a plan's year: the one
// named (id and version; version 0 means its latest), else the latest scheme
// the plan adopted for that year (or for every year), else the default
// scheme that ships with taskledger.
func (v *Views) SchemeFor(plan domain.PlanID, year int, id string, version int) (scoring.Scheme, error) {
	v.schemes.mu.Lock()
	defer v.schemes.mu.Unlock()
	adopted := v.Catalog.Schemes(plan)
	for i := len(adopted) - 1; i >= 0; i-- {
		a := adopted[i]
		switch {
		case id != "" && (a.Scheme != id || (version != 0 && a.Version != version)):
			continue
		case id == "" && a.Year != 0 && a.Year != year:
			continue
		}
		if s, ok := v.schemes.adopted[a.EventID]; ok {
			return s, nil
		}
		s, err := scoring.Parse(a.Document)
		if err != nil {
			return scoring.Scheme{}, fmt.Errorf("scheme %s v%d adopted by event %s: %w", a.Scheme, a.Version, a.EventID, err)
		}
		if v.schemes.adopted == nil {
			v.schemes.adopted = map[uuid.UUID]scoring.Scheme{}
		}
		v.schemes.adopted[a.EventID] = s
		return s, nil
	}
	if v.schemes.def == nil {
		def := scoring.Default()
		v.schemes.def = &def
	}
	def := *v.schemes.def
	if id != "" && (id != def.ID || (version != 0 && version != def.Version)) {
		return scoring.Scheme{}, fmt.Errorf("scheme %s version %d was never adopted by plan %s: %w", id, version, plan, domain.ErrUnknownScheme)
	}
	return def, nil
}

// ScoringInput gathers from the read models what a year's scorecards are
// computed from, judged at asOf. History follows the unit: the duties of a
// unit merged or split away count on the card of its successor (the heir
// of a split), and the unit has no card of its own. The read models must already be cut at
// asOf (see BuildAt) when asOf is in the past.
func (v *Views) ScoringInput(plan domain.PlanID, year int, asOf time.Time) (scoring.Input, error) {
	p, ok := v.Catalog.Plan(plan)
	if !ok {
		return scoring.Input{}, fmt.Errorf("plan %q: %w", plan, domain.ErrNotFound)
	}
	in := scoring.Input{Year: year, AsOf: asOf, Targets: p.Targets}
	predecessors := map[domain.UnitID][]domain.UnitID{}
	units := v.Catalog.Units()
	for _, u := range units {
		if u.MergedInto != "" {
			succ := v.Catalog.Successor(u.ID)
			predecessors[succ] = append(predecessors[succ], u.ID)
		}
	}
	for _, u := range units {
		if u.MergedInto != "" {
			continue // merged or split away: its record counts on its successor's card
		}
		in.Units = append(in.Units, scoring.Unit{ID: u.ID, Name: u.Name, Kind: u.Kind, Predecessors: predecessors[u.ID]})
	}
	in.Obligations, in.Reports = v.Obligations.Plan(plan)
	for _, m := range v.Indicators.Year("", year) {
		in.Indicators = append(in.Indicators, scoring.IndicatorValue{Unit: m.Unit, Metric: m.Metric, Period: m.Period, Day: m.Day, Value: m.Value,
			ValidDays: m.ValidDays, GoodDays: m.GoodDays, EventID: m.EventID, Position: m.Position})
	}
	in.Baselines = v.baselines(p.Targets)
	return in, nil
}

// baselines derives, for each county target measured against a baseline
// year, the county's value in that year: the mean of the monthly values
// the ledger holds for it (the rule of scheme documents before HJ 663
// scoring), with the year's readings, from which a scheme scoring by
// HJ 663 takes the figure over valid days instead.
func (v *Views) baselines(targets []domain.PlanTarget) []scoring.Baseline {
	var out []scoring.Baseline
	seen := map[string]bool{}
	for _, t := range targets {
		if t.Comparator != domain.ReduceByPercent || t.Unit == "" {
			continue
		}
		key := fmt.Sprint(t.Unit, t.Metric, t.BaselineYear)
		if seen[key] {
			continue
		}
		seen[key] = true
		var sum float64
		var n int
		var last Measurement
		var readings []airquality.Reading
		for _, m := range v.Indicators.Year(t.Unit, t.BaselineYear) {
			if string(m.Metric) != t.Metric {
				continue
			}
			readings = append(readings, m.Reading())
			if m.Position > last.Position {
				last = m
			}
			if m.Day.IsZero() {
				sum += m.Value
				n++
			}
		}
		if len(readings) == 0 {
			continue
		}
		kind := "monthly"
		if n == 0 { // daily values only
			for _, r := range readings {
				sum += r.Value
			}
			n, kind = len(readings), "daily"
		}
		out = append(out, scoring.Baseline{
			Unit: t.Unit, Metric: domain.Metric(t.Metric), Year: t.BaselineYear,
			Value:    float64(int64(sum/float64(n)*100+0.5)) / 100,
			Source:   fmt.Sprintf("mean of %d %s values of %d in the ledger", n, kind, t.BaselineYear),
			EventID:  last.EventID,
			Readings: readings,
		})
	}
	return out
}

// Scorecards computes a year's scorecards of one kind from the read models,
// judged at asOf, under the scheme SchemeFor picks.
func (v *Views) Scorecards(plan domain.PlanID, year int, kind scoring.Kind, schemeID string, schemeVersion int, asOf time.Time) (scoring.Result, error) {
	s, err := v.SchemeFor(plan, year, schemeID, schemeVersion)
	if err != nil {
		return scoring.Result{}, err
	}
	in, err := v.ScoringInput(plan, year, asOf)
	if err != nil {
		return scoring.Result{}, err
	}
	res, err := scoring.Compute(in, s, kind)
	if err != nil {
		return scoring.Result{}, fmt.Errorf("scorecards %d (%s): %w", year, kind, err)
	}
	return res, nil
}

// ScorecardsAt computes a year's scorecards as the ledger stood at a log
// position, judged at asOf: the read models are built from the events at or
// before position that were recorded by asOf. The same position, asOf and
// scheme always give byte-identical results, which is what makes a
// published scorecard checkable later.
func ScorecardsAt(ctx context.Context, s eventstore.Store, reg *domain.Registry, cfg Config, plan domain.PlanID, year int, kind scoring.Kind, schemeID string, schemeVersion int, position uint64, asOf time.Time) (scoring.Result, error) {
	v, err := BuildAsOf(ctx, s, reg, cfg, Cut{Position: position, Time: asOf})
	if err != nil {
		return scoring.Result{}, err
	}
	return v.Scorecards(plan, year, kind, schemeID, schemeVersion, asOf)
}

// Reproduce recomputes a published scorecard at the cut it was published
// at, and reports whether its digest still matches.
func Reproduce(ctx context.Context, s eventstore.Store, reg *domain.Registry, cfg Config, p PublishedScorecard) (scoring.Result, bool, error) {
	res, err := ScorecardsAt(ctx, s, reg, cfg, p.Plan, p.Year, scoring.Kind(p.Kind), p.Scheme, p.SchemeVersion, p.AsOfPosition, p.AsOf)
	if err != nil {
		return scoring.Result{}, false, err
	}
	return res, res.Digest() == p.Digest, nil
}
