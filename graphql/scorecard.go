package graphql

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	gql "github.com/graph-gophers/graphql-go"

	"taskledger/domain"
	"taskledger/internal/msg"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// scheme is a scoring scheme and whether the plan adopted it.
type scheme struct {
	s       scoring.Scheme
	adopted bool
}

// schemeFor picks a scorecard's scheme as the CLI does
// (projections.Views.SchemeFor): the adopted id and version asked for (the
// latest version when only the id is given), else the latest scheme adopted
// for the year, else the built-in default.
func schemeFor(v *projections.Views, plan domain.PlanID, year int, id *string, version *int32) (scheme, error) {
	sid, ver := deref(id), 0
	if version != nil {
		ver = int(*version)
		if ver < 1 {
			return scheme{}, refuse(msg.ScoreVersionInvalid, nil)
		}
	}
	if ver != 0 && sid == "" {
		return scheme{}, refuse(msg.ScoreVersionInvalid, nil)
	}
	sc, err := v.SchemeFor(plan, year, sid, ver)
	if err != nil {
		return scheme{}, err
	}
	for _, a := range v.Catalog.Schemes(plan) {
		if a.Scheme == sc.ID && a.Version == sc.Version {
			return scheme{s: sc, adopted: true}, nil
		}
	}
	return scheme{s: sc}, nil
}

// compute scores a plan's year from read models cut at asOf.
func compute(v *projections.Views, plan domain.PlanID, year int, kind scoring.Kind, sc scheme, asOf time.Time) (scoring.Result, error) {
	if err := kind.Validate(); err != nil {
		return scoring.Result{}, refuse(msg.ScoreKindInvalid, msg.Args{"Reason": err.Error()})
	}
	in, err := v.ScoringInput(plan, year, asOf)
	if err != nil {
		return scoring.Result{}, err
	}
	res, err := scoring.Compute(in, sc.s, kind)
	if err != nil {
		return scoring.Result{}, refuse(msg.ScoreComputeRefused, msg.Args{"Reason": err.Error()})
	}
	return res, nil
}

// computed is a scorecard result with the scheme it used.
type computed struct {
	res scoring.Result
	sc  scheme
}

// computeAt computes scorecards exactly as of a log position and instant,
// from read models rebuilt from the log up to both: how a publication is
// made and later verified. Results are cached; the read models come
// through s.past (shared cache, per-principal gate).
func (s *Server) computeAt(ctx context.Context, plan domain.PlanID, year int, kind scoring.Kind, schemeID string, version int, pos uint64, asOf time.Time) (computed, error) {
	key := scoreKey{plan: string(plan), year: year, kind: kind, scheme: schemeID, version: version, at: asOf.UnixNano(), pos: pos}
	return s.caches.published.get(key, func() (computed, error) {
		v, err := s.past.views(ctx, historicalKey{at: asOf.UnixNano(), pos: pos}, projections.Cut{Position: pos, Time: asOf})
		if err != nil {
			return computed{}, err
		}
		ver := int32(version)
		sc, err := schemeFor(v, plan, year, &schemeID, &ver)
		if err != nil {
			return computed{}, err
		}
		res, err := compute(v, plan, year, kind, sc, asOf)
		return computed{res: res, sc: sc}, err
	})
}

// Scorecard resolves scorecard.
func (r *root) Scorecard(ctx context.Context, args struct {
	Year          int32
	Kind          string
	Scheme        *string
	SchemeVersion *int32
	AsOf          *gql.Time
	Plan          *gql.ID
}) (*scorecardResolver, error) {
	if _, err := authorize(ctx, actReadScorecard); err != nil {
		return nil, err
	}
	plan, err := r.s.plan((*string)(args.Plan))
	if err != nil {
		return nil, err
	}
	kind := scoring.Kind(strings.ToLower(args.Kind))
	views, at, err := r.s.viewsAt(ctx, args.AsOf)
	if err != nil {
		return nil, err
	}
	sc, err := schemeFor(views, plan, int(args.Year), args.Scheme, args.SchemeVersion)
	if err != nil {
		return nil, err
	}
	pos := views.Position()
	key := scoreKey{plan: string(plan), year: int(args.Year), kind: kind, scheme: sc.s.ID, version: sc.s.Version, adopted: sc.adopted, at: at.UnixNano(), pos: pos, models: views.Version()}
	if args.AsOf == nil {
		// "Now": one computation serves every request in the same minute
		// while the log is unchanged (any new event changes pos). Its asOf
		// is the first request's instant.
		key.at = at.Truncate(time.Minute).UnixNano()
	}
	got, err := r.s.caches.scores.get(key, func() (scored, error) {
		var res scoring.Result
		run := func() (err error) {
			res, err = compute(views, plan, int(args.Year), kind, sc, at)
			return err
		}
		if args.AsOf != nil {
			// A chosen instant is a computation of its own: it waits
			// its turn as rebuilds do.
			err = r.s.past.run(ctx, run)
		} else {
			err = run()
		}
		if err != nil {
			return scored{}, err
		}
		return scored{res: res, digest: res.Digest()}, nil
	})
	if err != nil {
		return nil, err
	}
	published := false
	if p, ok := views.Catalog.Plan(plan); ok {
		for _, pub := range p.Scorecards {
			if pub.Digest == got.digest {
				published = true
			}
		}
	}
	return &scorecardResolver{s: r.s, catalog: views.Catalog, plan: plan, res: got.res, digest: got.digest, adopted: sc.adopted, pos: pos, published: published}, nil
}

// scored is a computed result with its digest.
type scored struct {
	res    scoring.Result
	digest domain.Hash
}

type scorecardResolver struct {
	s *Server
	// catalog is the catalog of the read models the result was computed
	// from (only it: a response holding many past results must not keep
	// every rebuilt model alive).
	catalog   *projections.Catalog
	plan      domain.PlanID
	res       scoring.Result
	digest    domain.Hash
	adopted   bool
	pos       uint64
	published bool
}

func (r *scorecardResolver) Plan() gql.ID           { return gql.ID(r.plan) }
func (r *scorecardResolver) Year() int32            { return int32(r.res.Year) }
func (r *scorecardResolver) Kind() string           { return strings.ToUpper(string(r.res.Kind)) }
func (r *scorecardResolver) Scheme() string         { return r.res.Scheme }
func (r *scorecardResolver) SchemeVersion() int32   { return int32(r.res.SchemeVersion) }
func (r *scorecardResolver) SchemeAdopted() bool    { return r.adopted }
func (r *scorecardResolver) AsOf() gql.Time         { return gql.Time{Time: r.res.AsOf} }
func (r *scorecardResolver) Position() Position     { return Position(r.pos) }
func (r *scorecardResolver) Digest() string         { return r.digest.String() }
func (r *scorecardResolver) Published() bool        { return r.published }
func (r *scorecardResolver) JSON() string           { return string(r.res.JSON()) }
func (r *scorecardResolver) Cards() []*cardResolver { return cards(r.s, r.plan, r.res) }

// MatchesPublication reports whether the latest publication of the year's
// scorecards of this kind (as recorded by the result's read models) ranks
// as this result does (scoring.SameRanking), recomputing the publication
// at its cut. A publication that records no as-of time, or does not
// recompute to its digest, matches nothing.
func (r *scorecardResolver) MatchesPublication(ctx context.Context) (bool, error) {
	pubs := r.catalog.Published(r.plan)
	for i := len(pubs) - 1; i >= 0; i-- {
		p := pubs[i]
		if p.Year != r.res.Year || !strings.EqualFold(p.Kind, string(r.res.Kind)) {
			continue
		}
		if p.AsOf.IsZero() {
			return false, nil
		}
		c, err := r.s.computeAt(ctx, r.plan, p.Year, r.res.Kind, p.Scheme, p.SchemeVersion, p.AsOfPosition, p.AsOf)
		if err != nil {
			return false, err
		}
		return c.res.Digest() == p.Digest && scoring.SameRanking(c.res, r.res), nil
	}
	return false, nil
}

func cards(s *Server, plan domain.PlanID, res scoring.Result) []*cardResolver {
	lines := &lineEvents{s: s, plan: plan, streams: map[string]map[uuid.UUID]domain.Event{}}
	out := make([]*cardResolver, len(res.Cards))
	for i, c := range res.Cards {
		out[i] = &cardResolver{c: c, lines: lines}
	}
	return out
}

type cardResolver struct {
	c     scoring.Card
	lines *lineEvents
}

func (r *cardResolver) Unit() gql.ID      { return gql.ID(r.c.Unit) }
func (r *cardResolver) Name() string      { return r.c.Name }
func (r *cardResolver) Total() float64    { return r.c.Total.Float() }
func (r *cardResolver) TotalText() string { return r.c.Total.String() }
func (r *cardResolver) Grade() string     { return r.c.Grade }
func (r *cardResolver) GradeEn() *string  { return strOrNil(r.c.GradeEN) }
func (r *cardResolver) GradeCapped() bool { return r.c.GradeCapped }
func (r *cardResolver) Rank() int32       { return int32(r.c.Rank) }
func (r *cardResolver) Slips() int32      { return int32(r.c.Slips) }
func (r *cardResolver) Lines() []*lineResolver {
	out := make([]*lineResolver, len(r.c.Lines))
	for i, l := range r.c.Lines {
		out[i] = &lineResolver{l: l, unit: r.c.Unit, events: r.lines}
	}
	return out
}

type lineResolver struct {
	l      scoring.Line
	unit   domain.UnitID
	events *lineEvents
}

func (r *lineResolver) Rule() string        { return r.l.Rule }
func (r *lineResolver) Points() float64     { return r.l.Points.Float() }
func (r *lineResolver) PointsText() string  { return r.l.Points.String() }
func (r *lineResolver) Obligation() *string { return strOrNil(r.l.Obligation) }
func (r *lineResolver) ZH() string          { return r.l.ZH }
func (r *lineResolver) EN() string          { return r.l.EN }
func (r *lineResolver) Metric() *string {
	if r.l.Metric == "" {
		return nil
	}
	m := strings.ToUpper(string(r.l.Metric))
	return &m
}
func (r *lineResolver) EventIDs() []gql.ID {
	out := make([]gql.ID, len(r.l.Events))
	for i, id := range r.l.Events {
		out[i] = gql.ID(id.String())
	}
	return out
}

// Events resolves the events behind a line from the stream it concerns:
// the obligation's, or the unit's for air-quality lines.
func (r *lineResolver) Events(ctx context.Context) ([]*eventResolver, error) {
	if _, err := authorize(ctx, actReadLineEvents); err != nil {
		return nil, err
	}
	if len(r.l.Events) == 0 {
		return []*eventResolver{}, nil
	}
	stream := domain.UnitStream(r.unit)
	if r.l.Obligation != "" {
		k, err := domain.ParseObligationPath(r.l.Obligation)
		if err != nil {
			return nil, err
		}
		stream = k.Stream()
	}
	byID, err := r.events.stream(ctx, stream)
	if err != nil {
		return nil, err
	}
	out := []*eventResolver{}
	for _, id := range r.l.Events {
		if e, ok := byID[id]; ok {
			out = append(out, r.events.s.event(e))
		}
	}
	return out, nil
}

// lineEvents reads each stream a scorecard's lines cite once per request.
type lineEvents struct {
	s       *Server
	plan    domain.PlanID
	mu      sync.Mutex
	streams map[string]map[uuid.UUID]domain.Event
}

func (l *lineEvents) stream(ctx context.Context, name string) (map[uuid.UUID]domain.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m, ok := l.streams[name]; ok {
		return m, nil
	}
	events, err := l.s.readStream(ctx, name)
	if err != nil {
		return nil, err
	}
	m := make(map[uuid.UUID]domain.Event, len(events))
	for _, e := range events {
		m[e.ID] = e
	}
	l.streams[name] = m
	return m, nil
}

// PublishedScorecards resolves publishedScorecards.
func (r *root) PublishedScorecards(ctx context.Context, args struct {
	Plan *gql.ID
	Year *int32
	Kind *string
	pageArgs
}) (*connection[*publishedResolver], error) {
	if _, err := authorize(ctx, actReadPublished); err != nil {
		return nil, err
	}
	plan, err := r.s.plan((*string)(args.Plan))
	if err != nil {
		if ae, ok := err.(*apiError); ok && ae.code == CodeNotFound {
			return page(r.s, []*publishedResolver{}, publishedLister, args.pageArgs)
		}
		return nil, err
	}
	events, err := r.s.readStream(ctx, domain.PlanStream(plan))
	if err != nil {
		return nil, err
	}
	out := []*publishedResolver{}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Type != "ScorecardPublished" {
			continue
		}
		var d domain.ScorecardPublished
		if err := json.Unmarshal(e.Payload, &d); err != nil {
			return nil, fmt.Errorf("decode %s at position %d: %w", e.Type, e.Position, err)
		}
		if args.Year != nil && int(*args.Year) != d.Year {
			continue
		}
		if args.Kind != nil && !strings.EqualFold(*args.Kind, d.Kind) {
			continue
		}
		out = append(out, &publishedResolver{s: r.s, d: d, e: e})
	}
	return page(r.s, out, publishedLister, args.pageArgs)
}

type publishedResolver struct {
	s *Server
	d domain.ScorecardPublished
	e domain.Event

	once sync.Once
	res  scoring.Result
	err  error
}

func (r *publishedResolver) Plan() gql.ID           { return gql.ID(r.d.Plan) }
func (r *publishedResolver) Year() int32            { return int32(r.d.Year) }
func (r *publishedResolver) Kind() string           { return strings.ToUpper(r.d.Kind) }
func (r *publishedResolver) Scheme() string         { return r.d.Scheme }
func (r *publishedResolver) SchemeVersion() int32   { return int32(r.d.SchemeVersion) }
func (r *publishedResolver) AsOfPosition() Position { return Position(r.d.AsOfPosition) }
func (r *publishedResolver) Digest() string         { return r.d.Digest.String() }
func (r *publishedResolver) PublishedAt() gql.Time  { return gql.Time{Time: r.e.RecordedAt} }
func (r *publishedResolver) AsOf() *gql.Time {
	if r.d.AsOf.IsZero() {
		return nil
	}
	return &gql.Time{Time: r.d.AsOf}
}

// recompute rebuilds the published result from the log, once.
func (r *publishedResolver) recompute(ctx context.Context) (scoring.Result, error) {
	r.once.Do(func() {
		if r.d.AsOf.IsZero() {
			r.err = refuse(msg.ScorePublicationNoAt, nil)
			return
		}
		c, err := r.s.computeAt(ctx, r.d.Plan, r.d.Year, scoring.Kind(r.d.Kind), r.d.Scheme, r.d.SchemeVersion, r.d.AsOfPosition, r.d.AsOf)
		r.res, r.err = c.res, err
	})
	return r.res, r.err
}

// Verified reports whether the recomputation gives the published digest.
func (r *publishedResolver) Verified(ctx context.Context) (bool, error) {
	res, err := r.recompute(ctx)
	if err != nil {
		return false, err
	}
	return res.Digest() == r.d.Digest, nil
}

// Cards resolves the published ranking.
func (r *publishedResolver) Cards(ctx context.Context) ([]*cardResolver, error) {
	res, err := r.recompute(ctx)
	if err != nil {
		return nil, err
	}
	if res.Digest() != r.d.Digest {
		return nil, refuse(msg.ScorePublicationDiffs, msg.Args{"Digest": res.Digest(), "Published": r.d.Digest})
	}
	return cards(r.s, r.d.Plan, res), nil
}

// publishedLister pages publications, newest first, by the position of
// the event that recorded each.
var publishedLister = lister[*publishedResolver]{key: func(p *publishedResolver) string { return fmt.Sprint(p.e.Position) }, def: defaultPage}
