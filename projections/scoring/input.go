package scoring

import (
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/projections/airquality"
)

// Input is everything a year's scorecards are computed from. The caller
// folds the ledger up to the as-of cut-off: events recorded or effective
// after AsOf must already be left out (obligations folded only from
// earlier events, measurements recorded by then). Compute never reads a
// clock; lateness is measured up to AsOf.
type Input struct {
	// Year is the assessment year.
	Year int
	// AsOf is the evaluation instant: deadlines, owed reports and
	// rectifications are judged as of then.
	AsOf time.Time
	// Units are the units to score and name; obligations of units not
	// listed are an error.
	Units []Unit
	// Obligations are the folded obligation aggregates, in any order.
	Obligations []*domain.Obligation
	// Indicators are the counties' air-quality measurements (monthly or
	// daily, with their day counts), revisions included, in any order.
	Indicators []IndicatorValue
	// Targets are the plan's targets (from PlanRegistered).
	Targets []domain.PlanTarget
	// Baselines are the counties' baseline-year values that
	// reduce_by_pct targets are measured against.
	Baselines []Baseline
	// Reports optionally indexes obligations' progress reports by month
	// (see ReportIndex), so that Compute reads only the reports of the
	// periods it judges. An index must have been updated with its
	// obligation's PeriodReports; one that does not cover them all is
	// ignored, as is a missing one: the obligation's reports are then read
	// in full. The result is the same either way.
	Reports map[domain.ObligationKey]*ReportIndex
}

// Unit is a unit as scorecards name it.
type Unit struct {
	ID   domain.UnitID
	Name string
	// Kind decides which scorecards the unit gets: bureaus the bureau
	// cards, counties the county cards; bodies are not scored.
	Kind domain.UnitKind
	// Predecessors are the units merged or split into this one: their
	// obligations count on this unit's card (history follows the unit).
	Predecessors []domain.UnitID
}

// owners maps each listed unit, and each of its predecessors, to the unit
// whose card its obligations count on.
func (in Input) owners() map[domain.UnitID]domain.UnitID {
	out := make(map[domain.UnitID]domain.UnitID, len(in.Units))
	for _, u := range in.Units {
		for _, p := range u.Predecessors {
			out[p] = u.ID
		}
	}
	for _, u := range in.Units {
		out[u.ID] = u.ID
	}
	return out
}

// IndicatorValue is one IndicatorMeasured event.
type IndicatorValue struct {
	Unit   domain.UnitID
	Metric domain.Metric
	Period domain.YearMonth
	// Day is the day of a daily value, zero for a monthly one.
	Day   domain.Date
	Value float64
	// ValidDays and GoodDays are the event's day counts (0 valid days: a
	// value from before day counts, covering its whole month).
	ValidDays int
	GoodDays  int
	// EventID is the IndicatorMeasured event; Position its place in the
	// global log, which orders revisions: of several values for the same
	// unit, metric and month, the one with the highest Position wins.
	EventID  uuid.UUID
	Position uint64
}

// Baseline is a county's value of a metric in a baseline year (e.g. its
// 2020 PM2.5), for targets of the form "−26.8% vs 2020".
type Baseline struct {
	Unit   domain.UnitID
	Metric domain.Metric
	Year   int
	Value  float64
	// Source says where the figure comes from; EventID is the event that
	// recorded it, if the ledger holds one.
	Source  string
	EventID uuid.UUID
	// Readings are the baseline year's measurements the value was taken
	// from, if the ledger holds them; a scheme scoring by HJ 663 takes the
	// baseline from them (over valid days) rather than from Value.
	Readings []airquality.Reading
}

// validate checks the input's own consistency.
func (in Input) validate() error {
	if in.Year < 1990 || in.Year > 2100 {
		return fmt.Errorf("year %d is outside 1990–2100", in.Year)
	}
	if in.AsOf.IsZero() {
		return fmt.Errorf("as-of time is required")
	}
	units := make(map[domain.UnitID]Unit, len(in.Units))
	for _, u := range in.Units {
		if err := u.ID.Validate(); err != nil {
			return fmt.Errorf("unit %q: %w", u.ID, err)
		}
		if err := u.Kind.Validate(); err != nil {
			return fmt.Errorf("unit %s: %w", u.ID, err)
		}
		if _, dup := units[u.ID]; dup {
			return fmt.Errorf("unit %s is listed twice", u.ID)
		}
		units[u.ID] = u
	}
	owners := in.owners()
	seen := make(map[domain.ObligationKey]bool, len(in.Obligations))
	for i, o := range in.Obligations {
		if o == nil || !o.Assigned() {
			return fmt.Errorf("obligation %d is nil or was never assigned", i)
		}
		if _, ok := owners[o.Key.Unit]; !ok {
			return fmt.Errorf("obligation %s names unit %s, which is not among the input units", o.Key.Path(), o.Key.Unit)
		}
		if seen[o.Key] {
			return fmt.Errorf("obligation %s is listed twice", o.Key.Path())
		}
		seen[o.Key] = true
	}
	for _, v := range in.Indicators {
		if err := v.Metric.Validate(); err != nil {
			return fmt.Errorf("indicator of %s for %s: %w", v.Unit, v.Period, err)
		}
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
			return fmt.Errorf("indicator %s of %s for %s is not a finite number", v.Metric, v.Unit, v.Period)
		}
		if v.ValidDays < 0 || v.GoodDays < 0 || v.GoodDays > v.ValidDays {
			return fmt.Errorf("indicator %s of %s for %s: %d good of %d valid days", v.Metric, v.Unit, v.Period, v.GoodDays, v.ValidDays)
		}
	}
	for _, b := range in.Baselines {
		if math.IsNaN(b.Value) || math.IsInf(b.Value, 0) || b.Value <= 0 {
			return fmt.Errorf("baseline %s of %s for %d is not a positive number", b.Metric, b.Unit, b.Year)
		}
	}
	for i, t := range in.Targets {
		if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
			return fmt.Errorf("target %d (%s) is not a finite number", i+1, t.Metric)
		}
	}
	return nil
}
