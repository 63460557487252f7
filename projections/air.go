package projections

import (
	"fmt"
	"math/big"
	"sort"
	"time"

	"taskledger/domain"
	"taskledger/projections/airquality"
)

// AirFigures are one unit's air-quality figures for a year (HJ 663) and
// its emission reductions against the plan's targets: the city's (全市)
// from the figures recorded on the city unit, a county's from its own.
type AirFigures struct {
	Unit domain.UnitID
	Name string
	Kind domain.UnitKind
	// Figures are PM2.5, the good-day ratio and heavy-pollution days, in
	// that order; one not assessable carries no value.
	Figures []airquality.Figure
	// Emissions are NOx then VOCs.
	Emissions []EmissionProgress
}

// Emission status values of EmissionProgress.Status.
const (
	// EmissionMet: the reductions since the baseline year reach the target.
	EmissionMet = "met"
	// EmissionNotMet: they fall short of it so far.
	EmissionNotMet = "not_met"
	// EmissionNoTarget: the plan sets no target for the pollutant.
	EmissionNoTarget = "no_target"
	// EmissionNoBaseline: the baseline year's emissions are not recorded,
	// so the target cannot be put in tonnes.
	EmissionNoBaseline = "no_baseline"
)

// EmissionProgress compares a unit's recorded reductions of one pollutant
// with the plan's "−pct% vs baseline year" target for its emissions.
type EmissionProgress struct {
	// Pollutant is "nox" or "vocs".
	Pollutant string
	// Reduced is the year's recorded reductions (tonnes); Emitted the
	// year's recorded emissions.
	Reduced, Emitted airquality.Figure
	// Target is the plan's target (the unit's own, else the plan-wide one),
	// nil when the plan sets none.
	Target *domain.PlanTarget
	// BaselineEmitted is the baseline year's recorded emissions (tonnes),
	// nil when none is recorded; Required = pct% of it, the reduction the
	// target asks for; ReducedSince the reductions recorded from the year
	// after the baseline year through this year.
	BaselineEmitted, Required, ReducedSince *big.Rat
	// Status is one of the Emission… values.
	Status string
}

// pollutants lists the emission metrics per pollutant: reduction,
// emissions (also the plan target's metric id).
var pollutants = []struct {
	name                 string
	reduction, emissions domain.Metric
}{
	{"nox", domain.MetricNOxReduction, domain.MetricNOxEmissions},
	{"vocs", domain.MetricVOCsReduction, domain.MetricVOCsEmissions},
}

// AirQuality returns the year's figures of the plan's city unit (first,
// if registered) and of every county, over January–through (December
// for a full year). Counties are ordered by id.
func (v *Views) AirQuality(plan domain.PlanID, year int, through time.Month) ([]AirFigures, error) {
	p, ok := v.Catalog.Plan(plan)
	if !ok {
		return nil, fmt.Errorf("plan %q: %w", plan, domain.ErrNotFound)
	}
	var units []domain.Unit
	if c, ok := v.Catalog.Unit(domain.CityUnit(plan)); ok {
		units = append(units, c)
	}
	var counties []domain.Unit
	for _, u := range v.Catalog.Units() {
		if u.Kind == domain.KindCounty && u.MergedInto == "" {
			counties = append(counties, u)
		}
	}
	sort.Slice(counties, func(i, j int) bool { return counties[i].ID < counties[j].ID })
	units = append(units, counties...)
	out := make([]AirFigures, 0, len(units))
	for _, u := range units {
		out = append(out, v.unitAir(u, p.Targets, year, through))
	}
	return out, nil
}

// unitAir computes one unit's figures.
func (v *Views) unitAir(u domain.Unit, targets []domain.PlanTarget, year int, through time.Month) AirFigures {
	a := AirFigures{Unit: u.ID, Name: u.Name, Kind: u.Kind}
	readings := v.readings(u.ID, year)
	for _, m := range []domain.Metric{domain.MetricPM25, domain.MetricGoodDayRatio, domain.MetricHeavyPollutionDays} {
		a.Figures = append(a.Figures, airquality.Annual(readings, m, year, through))
	}
	scope := u.ID
	if u.Kind == domain.KindCity {
		scope = ""
	}
	for _, pl := range pollutants {
		a.Emissions = append(a.Emissions, v.emission(u.ID, scope, pl.name, pl.reduction, pl.emissions, readings, targets, year, through))
	}
	return a
}

// emission compares one pollutant's reductions with its target.
func (v *Views) emission(unit, scope domain.UnitID, name string, reduction, emissions domain.Metric, readings []airquality.Reading, targets []domain.PlanTarget, year int, through time.Month) EmissionProgress {
	e := EmissionProgress{Pollutant: name, Status: EmissionNoTarget,
		Reduced: airquality.Annual(readings, reduction, year, through), Emitted: airquality.Annual(readings, emissions, year, through)}
	t, ok := emissionTarget(targets, scope, string(emissions))
	if !ok {
		return e
	}
	e.Target = &t
	e.ReducedSince = new(big.Rat)
	for y := t.BaselineYear + 1; y <= year; y++ {
		upTo := time.December
		if y == year {
			upTo = through
		}
		if f := airquality.Annual(v.readings(unit, y), reduction, y, upTo); f.Assessable {
			e.ReducedSince.Add(e.ReducedSince, f.Value)
		}
	}
	base := airquality.Annual(v.readings(unit, t.BaselineYear), emissions, t.BaselineYear, time.December)
	if !base.Assessable {
		e.Status = EmissionNoBaseline
		return e
	}
	e.BaselineEmitted = base.Value
	e.Required = new(big.Rat).Mul(base.Value, new(big.Rat).Quo(airquality.Rat(t.Value), big.NewRat(100, 1)))
	e.Status = EmissionNotMet
	if e.ReducedSince.Cmp(e.Required) >= 0 {
		e.Status = EmissionMet
	}
	return e
}

// emissionTarget picks the reduce-by-percent target of an emissions
// metric for a scope: its own if the plan sets one, else the plan-wide
// one (the first the plan lists).
func emissionTarget(targets []domain.PlanTarget, scope domain.UnitID, metric string) (domain.PlanTarget, bool) {
	for _, want := range []domain.UnitID{scope, ""} {
		for _, t := range targets {
			if t.Unit == want && t.Metric == metric && t.Comparator == domain.ReduceByPercent {
				return t, true
			}
		}
	}
	return domain.PlanTarget{}, false
}

// readings returns a unit's latest readings of a year.
func (v *Views) readings(unit domain.UnitID, year int) []airquality.Reading {
	ms := v.Indicators.Year(unit, year)
	out := make([]airquality.Reading, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Reading())
	}
	return out
}
