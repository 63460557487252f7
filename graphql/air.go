package graphql

import (
	"context"
	"math/big"
	"strings"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/domain"
	"taskledger/internal/msg"
	"taskledger/projections"
	"taskledger/projections/airquality"
)

// AirQuality resolves airQuality: the year's HJ 663 figures of the plan's
// city unit and of every county, through the last month ended by the
// server's clock.
func (r *root) AirQuality(ctx context.Context, args struct {
	Plan *gql.ID
	Year int32
}) ([]*airRowResolver, error) {
	if _, err := authorize(ctx, actReadCatalog); err != nil {
		return nil, err
	}
	plan, err := r.s.app.Plan(idOr(args.Plan))
	if err != nil {
		return nil, err
	}
	if args.Year < 1990 || args.Year > 2100 {
		return nil, refuse(msg.APIYearRange, msg.Args{"Year": args.Year})
	}
	rows, err := r.s.views.AirQuality(plan, int(args.Year), endedThrough(int(args.Year), r.s.app.Now()))
	if err != nil {
		return nil, err
	}
	out := make([]*airRowResolver, len(rows))
	for i, row := range rows {
		out[i] = &airRowResolver{row: row}
	}
	return out, nil
}

// endedThrough returns the last month of year that has ended by now
// (Shanghai): December for a past year, 0 when none has.
func endedThrough(year int, now time.Time) time.Month {
	today := domain.DateOf(now)
	switch {
	case today.Year() > year:
		return time.December
	case today.Year() < year:
		return 0
	}
	return today.Month() - 1
}

type airRowResolver struct{ row projections.AirFigures }

func (r *airRowResolver) Unit() gql.ID { return gql.ID(r.row.Unit) }
func (r *airRowResolver) Name() string { return r.row.Name }
func (r *airRowResolver) Kind() string { return strings.ToUpper(string(r.row.Kind)) }
func (r *airRowResolver) City() bool   { return r.row.Kind == domain.KindCity }
func (r *airRowResolver) Figures() []*airFigureResolver {
	out := make([]*airFigureResolver, len(r.row.Figures))
	for i, f := range r.row.Figures {
		out[i] = &airFigureResolver{f: f}
	}
	return out
}
func (r *airRowResolver) Emissions() []*emissionResolver {
	out := make([]*emissionResolver, len(r.row.Emissions))
	for i, e := range r.row.Emissions {
		out[i] = &emissionResolver{e: e}
	}
	return out
}

type airFigureResolver struct{ f airquality.Figure }

func (r *airFigureResolver) Metric() string      { return strings.ToUpper(string(r.f.Metric)) }
func (r *airFigureResolver) Assessable() bool    { return r.f.Assessable }
func (r *airFigureResolver) Value() *float64     { return ratFloat(r.f.Value) }
func (r *airFigureResolver) ValidDays() int32    { return int32(r.f.ValidDays) }
func (r *airFigureResolver) GoodDays() *float64  { return ratFloat(r.f.GoodDays) }
func (r *airFigureResolver) ThroughMonth() int32 { return int32(r.f.Through) }
func (r *airFigureResolver) ShortMonths() []string {
	return nonNil(r.f.ShortMonths)
}
func (r *airFigureResolver) Reason() *string   { return strOrNil(r.f.ReasonZH) }
func (r *airFigureResolver) ReasonEn() *string { return strOrNil(r.f.ReasonEN) }
func (r *airFigureResolver) Display() *string {
	if r.f.Value == nil {
		return nil
	}
	decimals := 1
	if r.f.Metric == domain.MetricGoodDayRatio {
		decimals = 2
	}
	s := airquality.Format(r.f.Value, decimals)
	return &s
}

type emissionResolver struct{ e projections.EmissionProgress }

func (r *emissionResolver) Pollutant() string { return r.e.Pollutant }
func (r *emissionResolver) ReducedTonnes() *float64 {
	if !r.e.Reduced.Assessable {
		return nil
	}
	return ratFloat(r.e.Reduced.Value)
}
func (r *emissionResolver) EmittedTonnes() *float64 {
	if !r.e.Emitted.Assessable {
		return nil
	}
	return ratFloat(r.e.Emitted.Value)
}
func (r *emissionResolver) Target() *targetResolver {
	if r.e.Target == nil {
		return nil
	}
	return &targetResolver{t: *r.e.Target}
}
func (r *emissionResolver) BaselineTonnes() *float64       { return ratFloat(r.e.BaselineEmitted) }
func (r *emissionResolver) RequiredTonnes() *float64       { return ratFloat(r.e.Required) }
func (r *emissionResolver) ReducedSinceBaseline() *float64 { return ratFloat(r.e.ReducedSince) }
func (r *emissionResolver) Status() string                 { return strings.ToUpper(r.e.Status) }

// ratFloat is r as the nearest float64, nil for nil.
func ratFloat(r *big.Rat) *float64 {
	if r == nil {
		return nil
	}
	f, _ := r.Float64()
	return &f
}

// int32OrNil is n, or nil for 0.
func int32OrNil(n int) *int32 {
	if n == 0 {
		return nil
	}
	v := int32(n)
	return &v
}
