package graphql

import (
	"context"
	"strings"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/app"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// MyUnit resolves myUnit through app.Service.UnitOverview.
func (r *root) MyUnit(ctx context.Context, args struct {
	Unit *gql.ID
	Plan *gql.ID
	Year *int32
}) (*unitViewResolver, error) {
	in := app.UnitViewInput{Unit: idOr(args.Unit), Plan: idOr(args.Plan)}
	if args.Year != nil {
		in.Year = int(*args.Year)
	}
	v, err := r.s.app.UnitOverview(ctx, principalOf(ctx), in)
	if err != nil {
		return nil, err
	}
	return &unitViewResolver{s: r.s, v: v}, nil
}

type unitViewResolver struct {
	s *Server
	v app.UnitView
}

func (r *unitViewResolver) Unit() *unitResolver { return &unitResolver{s: r.s, u: r.v.Unit} }
func (r *unitViewResolver) AsOf() gql.Time      { return gql.Time{Time: r.v.AsOf} }
func (r *unitViewResolver) Owes() []*obligationResolver {
	return obligationList(r.v.Catalog, r.v.Owes)
}

func (r *unitViewResolver) Leads() []*ledTaskResolver {
	out := make([]*ledTaskResolver, len(r.v.Leads))
	for i, t := range r.v.Leads {
		out[i] = &ledTaskResolver{cat: r.v.Catalog, t: t}
	}
	return out
}

func (r *unitViewResolver) Score() *unitScoreResolver {
	if r.v.Score == nil {
		return nil
	}
	return &unitScoreResolver{sc: *r.v.Score}
}

func obligationList(cat *projections.Catalog, obs []projections.ObligationView) []*obligationResolver {
	out := make([]*obligationResolver, len(obs))
	for i, o := range obs {
		out[i] = newObligationResolver(cat, o)
	}
	return out
}

type ledTaskResolver struct {
	cat *projections.Catalog
	t   app.LedTask
}

func (r *ledTaskResolver) Plan() gql.ID { return gql.ID(r.t.Plan) }
func (r *ledTaskResolver) Task() int32  { return int32(r.t.Task) }
func (r *ledTaskResolver) TaskTitle() string {
	if t, ok := r.cat.Task(r.t.Plan, r.t.Task); ok {
		return t.Title
	}
	return ""
}
func (r *ledTaskResolver) Supporters() []*obligationResolver {
	return obligationList(r.cat, r.t.Supporters)
}

type unitScoreResolver struct{ sc app.UnitScore }

func (r *unitScoreResolver) Plan() gql.ID         { return gql.ID(r.sc.Plan) }
func (r *unitScoreResolver) Year() int32          { return int32(r.sc.Year) }
func (r *unitScoreResolver) Kind() string         { return strings.ToUpper(string(r.sc.Kind)) }
func (r *unitScoreResolver) Scheme() string       { return r.sc.Scheme }
func (r *unitScoreResolver) SchemeVersion() int32 { return int32(r.sc.SchemeVersion) }
func (r *unitScoreResolver) AsOf() gql.Time       { return gql.Time{Time: r.sc.AsOf} }
func (r *unitScoreResolver) Provisional() bool    { return r.sc.Provisional }
func (r *unitScoreResolver) Total() float64       { return r.sc.Card.Total.Float() }
func (r *unitScoreResolver) TotalText() string    { return r.sc.Card.Total.String() }
func (r *unitScoreResolver) Grade() string        { return r.sc.Card.Grade }
func (r *unitScoreResolver) GradeEn() *string     { return strOrNil(r.sc.Card.GradeEN) }
func (r *unitScoreResolver) Lines() []*unitLineResolver {
	out := make([]*unitLineResolver, len(r.sc.Card.Lines))
	for i, l := range r.sc.Card.Lines {
		out[i] = &unitLineResolver{l: l}
	}
	return out
}

// Label is 暂定 while the score is provisional, 已公布 once published.
func (r *unitScoreResolver) Label() string {
	if r.sc.Provisional {
		return "暂定"
	}
	return "已公布"
}

type unitLineResolver struct{ l scoring.Line }

func (r *unitLineResolver) Rule() string        { return r.l.Rule }
func (r *unitLineResolver) Points() float64     { return r.l.Points.Float() }
func (r *unitLineResolver) PointsText() string  { return r.l.Points.String() }
func (r *unitLineResolver) Obligation() *string { return strOrNil(r.l.Obligation) }
func (r *unitLineResolver) ZH() string          { return r.l.ZH }
func (r *unitLineResolver) EN() string          { return r.l.EN }
func (r *unitLineResolver) EventIDs() []gql.ID {
	out := make([]gql.ID, len(r.l.Events))
	for i, id := range r.l.Events {
		out[i] = gql.ID(id.String())
	}
	return out
}
