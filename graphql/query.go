package graphql

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"taskledger/app"
	"taskledger/internal/msg"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/audit"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/projections"
)

// root resolves the Query, Mutation and Subscription root fields.
type root struct{ s *Server }

// Ledger resolves ledger.
func (r *root) Ledger() *ledgerResolver { return &ledgerResolver{s: r.s} }

// Me resolves me.
func (r *root) Me(ctx context.Context) *principalResolver {
	return &principalResolver{s: r.s, p: principalOf(ctx)}
}

// Plan resolves plan.
func (r *root) Plan(ctx context.Context, args struct{ ID *gql.ID }) (*planResolver, error) {
	if _, err := authorize(ctx, actReadCatalog); err != nil {
		return nil, err
	}
	id, err := r.s.plan((*string)(args.ID))
	if err != nil {
		if ae, ok := err.(*apiError); ok && ae.code == CodeNotFound {
			return nil, nil
		}
		return nil, err
	}
	p, ok := r.s.views.Catalog.Plan(id)
	if !ok {
		return nil, nil
	}
	return &planResolver{s: r.s, p: p}, nil
}

// Plans resolves plans.
func (r *root) Plans(ctx context.Context, args pageArgs) (*connection[*planResolver], error) {
	if _, err := authorize(ctx, actReadCatalog); err != nil {
		return nil, err
	}
	var out []*planResolver
	for _, p := range r.s.views.Catalog.Plans() {
		out = append(out, &planResolver{s: r.s, p: p})
	}
	return page(r.s, out, lister[*planResolver]{key: func(p *planResolver) string { return string(p.p.ID) }, def: defaultPage}, args)
}

type taskFilterInput struct {
	Plan   *gql.ID
	Unit   *gql.ID
	Search *string
}

// Tasks resolves tasks.
func (r *root) Tasks(ctx context.Context, args struct {
	Filter *taskFilterInput
	pageArgs
}) (*connection[*taskResolver], error) {
	if _, err := authorize(ctx, actReadCatalog); err != nil {
		return nil, err
	}
	f := args.Filter
	if f == nil {
		f = &taskFilterInput{}
	}
	plan, err := r.s.plan((*string)(f.Plan))
	if err != nil {
		return nil, err
	}
	var holds map[domain.TaskNo]bool
	if f.Unit != nil {
		u, err := r.s.resolveUnit(string(*f.Unit))
		if err != nil {
			return nil, err
		}
		holds = map[domain.TaskNo]bool{}
		for _, v := range r.s.views.Obligations.Views(projections.Filter{Unit: u, Plan: plan}, r.s.now(), r.s.views.Config.YellowDays) {
			holds[v.Task] = true
		}
	}
	var out []*taskResolver
	for _, t := range r.s.views.Catalog.Tasks(plan) {
		if holds != nil && !holds[t.No] {
			continue
		}
		if f.Search != nil && *f.Search != "" {
			q := *f.Search
			if !strings.Contains(t.Title, q) && !strings.Contains(t.Chapter, q) && !strings.Contains(t.Text, q) {
				continue
			}
		}
		out = append(out, &taskResolver{s: r.s, t: t})
	}
	return page(r.s, out, lister[*taskResolver]{key: func(t *taskResolver) string { return fmt.Sprintf("%s/%06d", t.t.Plan, t.t.No) }, def: defaultPage}, args.pageArgs)
}

// Task resolves task.
func (r *root) Task(ctx context.Context, args struct {
	Number int32
	Plan   *gql.ID
}) (*taskResolver, error) {
	if _, err := authorize(ctx, actReadCatalog); err != nil {
		return nil, err
	}
	plan, err := r.s.plan((*string)(args.Plan))
	if err != nil {
		return nil, err
	}
	t, ok := r.s.views.Catalog.Task(plan, domain.TaskNo(args.Number))
	if !ok {
		return nil, nil
	}
	return &taskResolver{s: r.s, t: t}, nil
}

// Units resolves units.
func (r *root) Units(ctx context.Context, args struct {
	Kind *string
	pageArgs
}) (*connection[*unitResolver], error) {
	if _, err := authorize(ctx, actReadCatalog); err != nil {
		return nil, err
	}
	var out []*unitResolver
	for _, u := range r.s.views.Catalog.Units() {
		if args.Kind != nil && !strings.EqualFold(string(u.Kind), *args.Kind) {
			continue
		}
		out = append(out, &unitResolver{s: r.s, u: u})
	}
	return page(r.s, out, lister[*unitResolver]{key: func(u *unitResolver) string { return string(u.u.ID) }, def: defaultPage}, args.pageArgs)
}

// Unit resolves unit.
func (r *root) Unit(ctx context.Context, args struct{ ID gql.ID }) (*unitResolver, error) {
	if _, err := authorize(ctx, actReadCatalog); err != nil {
		return nil, err
	}
	u, err := r.s.views.Catalog.ResolveUnit(string(args.ID))
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &unitResolver{s: r.s, u: u}, nil
}

// resolveUnit finds a unit by id, name or alias and returns its id.
func (s *Server) resolveUnit(ref string) (domain.UnitID, error) {
	return s.app.ResolveUnit(ref)
}

// pageSize checks a first argument.
func (s *Server) pageSize(first int32) (int, error) {
	n := int(first)
	if n < 1 || n > s.limits.MaxPage {
		return 0, refuse(msg.APIPageSize, msg.Args{"Max": s.limits.MaxPage, "N": n})
	}
	return n, nil
}

// viewsAt returns read models as recorded by asOf and the instant to
// evaluate them at: the live models and now when asOf is nil or not in the
// past, otherwise models built from the log up to asOf (shared through
// s.past's cache while the log head is unchanged, and built under its
// per-principal gate).
func (s *Server) viewsAt(ctx context.Context, asOf *gql.Time) (*projections.Views, time.Time, error) {
	now := s.now()
	if asOf == nil || asOf.Time.IsZero() {
		return s.views, now, nil
	}
	at := asOf.Time
	if !at.Before(now) {
		return s.views, at, nil
	}
	head, err := s.store.Head(ctx)
	if err != nil {
		return nil, at, err
	}
	v, err := s.past.views(ctx, historicalKey{at: at.UnixNano(), head: head}, projections.Cut{Time: at})
	return v, at, err
}

type obligationsArgs struct {
	Unit      *gql.ID
	Status    *string
	DueBefore *Date
	AsOf      *gql.Time
	Plan      *gql.ID
	Task      *int32
	pageArgs
}

// obligationConnection is a page of obligations and the instant they were
// evaluated at.
type obligationConnection struct {
	*connection[*obligationResolver]
	asOf time.Time
}

// AsOf resolves ObligationConnection.asOf.
func (c *obligationConnection) AsOf() gql.Time { return gql.Time{Time: c.asOf} }

// cursorKey orders obligation views as Obligations.Views sorts them: by next
// due date, nothing owed last, then stream.
func cursorKey(v projections.ObligationView) string {
	due := "9999-12-32"
	if !v.NextDue.IsZero() {
		due = v.NextDue.String()
	}
	return due + "|" + v.Stream
}

// Obligations resolves obligations.
func (r *root) Obligations(ctx context.Context, args obligationsArgs) (*obligationConnection, error) {
	p, err := authorize(ctx, actReadObligations)
	if err != nil {
		return nil, err
	}
	var f projections.Filter
	if f.Unit, err = app.UnitRef(p, actReadObligations, idOr(args.Unit), r.s.resolveUnit); err != nil {
		return nil, err
	}
	if args.Plan != nil {
		if f.Plan, err = r.s.plan((*string)(args.Plan)); err != nil {
			return nil, err
		}
	}
	if args.Task != nil {
		if f.Task = domain.TaskNo(*args.Task); f.Task <= 0 {
			return nil, refuse(msg.APITaskPositive, nil)
		}
		if f.Plan == "" {
			if f.Plan, err = r.s.plan(nil); err != nil {
				return nil, err
			}
		}
	}
	if args.Status != nil {
		f.Status = strings.ToLower(*args.Status)
	}
	if args.DueBefore != nil {
		f.DueBefore = args.DueBefore.Date
	}
	views, at, err := r.s.viewsAt(ctx, args.AsOf)
	if err != nil {
		return nil, err
	}
	all := views.Obligations.Views(f, at, views.Config.YellowDays)
	c, err := page(r.s, all, lister[projections.ObligationView]{key: cursorKey, sorted: true, def: 50}, args.pageArgs)
	if err != nil {
		return nil, err
	}
	return &obligationConnection{
		connection: mapConnection(c, func(v projections.ObligationView) *obligationResolver { return newObligationResolver(views.Catalog, v) }),
		asOf:       at,
	}, nil
}

type auditArgs struct {
	Task   *int32
	Unit   *gql.ID
	Stream *string
	Plan   *gql.ID
	From   *gql.Time
	To     *gql.Time
	AsOf   *gql.Time
	First  int32
	After  *Position
}

type auditTrail struct {
	events []*eventResolver
	next   *Position
	intact bool
	// total counts the trail's events across every page; before says
	// whether some come before this page.
	total  int
	before bool
}

// Edges, Nodes, PageInfo and TotalCount resolve AuditTrail as a Relay
// connection: each event's cursor is its log position.
func (a *auditTrail) Edges() []*edge[*eventResolver] { return eventEdges(a.events) }
func (a *auditTrail) Nodes() []*eventResolver        { return a.events }
func (a *auditTrail) PageInfo() *pageInfo {
	return eventPageInfo(a.events, a.before, a.next != nil, nil)
}
func (a *auditTrail) TotalCount() int32 { return int32(a.total) }

func (a *auditTrail) Events() []*eventResolver { return a.events }
func (a *auditTrail) NextCursor() *Position    { return a.next }
func (a *auditTrail) Intact() bool             { return a.intact }

// AuditTrail resolves auditTrail.
func (r *root) AuditTrail(ctx context.Context, args auditArgs) (*auditTrail, error) {
	p, err := authorize(ctx, actReadAudit)
	if err != nil {
		return nil, err
	}
	first, err := r.s.pageSize(args.First)
	if err != nil {
		return nil, err
	}
	given := 0
	for _, set := range []bool{args.Task != nil, args.Unit != nil, args.Stream != nil} {
		if set {
			given++
		}
	}
	if given != 1 {
		return nil, refuse(msg.APIOneOfTaskUnitStream, nil)
	}
	var after uint64
	if args.After != nil {
		after = uint64(*args.After)
	}
	var positions []uint64
	var streamEvents []domain.Event
	switch {
	case args.Task != nil:
		if err := app.WholeTask(p, actReadAudit); err != nil {
			return nil, err
		}
		plan, err := r.s.plan((*string)(args.Plan))
		if err != nil {
			return nil, err
		}
		positions = r.s.views.Audit.TaskPositions(plan, domain.TaskNo(*args.Task))
	case args.Unit != nil:
		u, err := app.UnitRef(p, actReadAudit, string(*args.Unit), r.s.resolveUnit)
		if err != nil {
			return nil, err
		}
		positions = r.s.views.Audit.UnitPositions(u)
	default:
		if _, err := domain.ParseStream(*args.Stream); err != nil {
			return nil, err
		}
		if err := app.OwnStream(p, actReadAudit, *args.Stream); err != nil {
			return nil, err
		}
		streamEvents, err = r.s.store.ReadStream(ctx, *args.Stream, eventstore.Forwards, 1, 0)
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			return nil, refuse(msg.APIStreamEmpty, msg.Args{"Stream": *args.Stream})
		}
		if err != nil {
			return nil, err
		}
	}
	// As of an instant is the prefix of the log recorded by then.
	cut := uint64(math.MaxUint64)
	if args.AsOf != nil {
		if cut, err = eventstore.PositionAt(ctx, r.s.store, args.AsOf.Time); err != nil {
			return nil, err
		}
	}
	// inTrail keeps what the trail holds on any page; keep, this page's.
	inTrail := func(e *domain.Event) bool {
		if e.Position > cut {
			return false
		}
		eff := e.Effective()
		return (args.From == nil || !eff.Before(args.From.Time)) && (args.To == nil || !eff.After(args.To.Time))
	}
	keep := func(e *domain.Event) bool {
		if e.Position <= after || e.Position > cut {
			return false
		}
		eff := e.Effective()
		if args.From != nil && eff.Before(args.From.Time) {
			return false
		}
		if args.To != nil && eff.After(args.To.Time) {
			return false
		}
		return true
	}
	// Every event of the trail's streams up to asOf goes through the
	// flagger, whose flags (late, reversed, superseded) depend on later
	// events too; only the page is returned.
	flagger := audit.NewFlagger(r.s.views.Config.BackdateGrace).WithReportDeadline(r.s.views.Config.ReportDeadlineDays)
	var got []domain.Event
	more, total, earlier := false, 0, false
	collect := func(e domain.Event) bool {
		if e.Position <= cut {
			if data, err := r.s.reg.Decode(&e); err == nil {
				flagger.Apply(&e, data)
			}
		}
		if inTrail(&e) {
			total++
			earlier = earlier || e.Position <= after
		}
		if !keep(&e) || more {
			return true
		}
		if len(got) == first {
			more = true
			return true
		}
		got = append(got, e)
		return true
	}
	if streamEvents != nil {
		for _, e := range streamEvents {
			collect(e)
		}
	} else if err := r.s.readPositions(ctx, positions, 0, collect); err != nil {
		return nil, err
	}
	trail := &auditTrail{events: r.s.eventList(got), intact: intact(got), total: total, before: earlier}
	for _, ev := range trail.events {
		for _, f := range flagger.Flags(ev.e.Position) {
			ev.extra = append(ev.extra, string(f))
		}
	}
	if more && len(got) > 0 {
		n := Position(got[len(got)-1].Position)
		trail.next = &n
	}
	return trail, nil
}

// readPositions reads the events at the given ascending positions beyond
// after, in runs of consecutive positions, until visit returns false.
func (s *Server) readPositions(ctx context.Context, positions []uint64, after uint64, visit func(domain.Event) bool) error {
	i := sort.Search(len(positions), func(i int) bool { return positions[i] > after })
	for i < len(positions) {
		j := i + 1
		for j < len(positions) && positions[j] == positions[j-1]+1 && j-i < 512 {
			j++
		}
		batch, err := s.store.ReadAll(ctx, positions[i]-1, j-i)
		if err != nil {
			return err
		}
		want := map[uint64]bool{}
		for _, p := range positions[i:j] {
			want[p] = true
		}
		for _, e := range batch {
			if want[e.Position] && !visit(e) {
				return nil
			}
		}
		i = j
	}
	return nil
}

// intact checks events' hashes and, for consecutive versions of a stream,
// their links (audit.ChainCheck).
func intact(events []domain.Event) bool {
	var c audit.ChainCheck
	for i := range events {
		c.Add(&events[i])
	}
	return c.Intact()
}

type eventPage struct {
	events []*eventResolver
	end    uint64
	more   bool
	// total is the log's size when no types narrow it, else nil;
	// before says whether events come before this page.
	total  *int32
	before bool
}

// Edges, Nodes, PageInfo and TotalCount resolve EventPage as a Relay
// connection: each event's cursor is its log position, and endCursor the
// position read up to (beyond the last event when types narrow the log).
func (p *eventPage) Edges() []*edge[*eventResolver] { return eventEdges(p.events) }
func (p *eventPage) Nodes() []*eventResolver        { return p.events }
func (p *eventPage) PageInfo() *pageInfo {
	end := fmt.Sprint(p.end)
	return eventPageInfo(p.events, p.before, p.more, &end)
}
func (p *eventPage) TotalCount() *int32 { return p.total }

// eventEdges gives each event its log position as the cursor.
func eventEdges(events []*eventResolver) []*edge[*eventResolver] {
	out := make([]*edge[*eventResolver], len(events))
	for i, e := range events {
		out[i] = &edge[*eventResolver]{cursor: fmt.Sprint(e.e.Position), node: e}
	}
	return out
}

// eventPageInfo is the pageInfo of a page of log events; end, when set,
// is the endCursor instead of the last event's position.
func eventPageInfo(events []*eventResolver, before, more bool, end *string) *pageInfo {
	info := &pageInfo{hasPrev: before, hasNext: more}
	if len(events) > 0 {
		start, last := fmt.Sprint(events[0].e.Position), fmt.Sprint(events[len(events)-1].e.Position)
		info.start, info.end = &start, &last
	}
	if end != nil {
		info.end = end
	}
	return info
}

func (p *eventPage) Events() []*eventResolver { return p.events }
func (p *eventPage) EndPosition() Position    { return Position(p.end) }
func (p *eventPage) HasMore() bool            { return p.more }

// Events resolves events.
func (r *root) Events(ctx context.Context, args struct {
	After *Position
	Types *[]string
	First int32
}) (*eventPage, error) {
	if _, err := authorize(ctx, actReadEvents); err != nil {
		return nil, err
	}
	first, err := r.s.pageSize(args.First)
	if err != nil {
		return nil, err
	}
	types := map[string]bool{}
	if args.Types != nil {
		for _, t := range *args.Types {
			if _, ok := r.s.reg.Version(t); !ok {
				return nil, refuse(msg.APIEventType, msg.Args{"Type": t})
			}
			types[t] = true
		}
	}
	var after uint64
	if args.After != nil {
		after = uint64(*args.After)
	}
	head, err := r.s.store.Head(ctx)
	if err != nil {
		return nil, err
	}
	page := &eventPage{end: after}
	var got []domain.Event
	scanned := 0
scan:
	for scanned < r.s.limits.MaxScanEvents && page.end < head {
		batch, err := r.s.store.ReadAll(ctx, page.end, min(1024, r.s.limits.MaxScanEvents-scanned))
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			break
		}
		for _, e := range batch {
			scanned++
			page.end = e.Position
			if len(types) == 0 || types[e.Type] {
				got = append(got, e)
				if len(got) == first {
					break scan
				}
			}
		}
	}
	page.events = r.s.eventList(got)
	page.more = page.end < head
	if len(types) == 0 || after > 0 {
		x, err := r.s.syncedMerkle(ctx)
		if err != nil {
			return nil, err
		}
		if len(types) == 0 {
			n := int32(x.Size())
			page.total = &n
		}
		page.before = after > 0 && x.LeavesUpTo(after) > 0
	}
	return page, nil
}

// describe summarises a recorded command result for MutationResult.summary.
func describe(events []domain.Event, duplicate bool) string {
	if len(events) == 0 {
		return "nothing recorded: the ledger already says this"
	}
	counts := map[string]int{}
	var order []string
	for _, e := range events {
		if counts[e.Type] == 0 {
			order = append(order, e.Type)
		}
		counts[e.Type]++
	}
	parts := make([]string, len(order))
	for i, t := range order {
		parts[i] = fmt.Sprintf("%s ×%d", t, counts[t])
		if counts[t] == 1 {
			parts[i] = t
		}
	}
	verb := "recorded"
	if duplicate {
		verb = "already recorded by the first attempt"
	}
	return verb + ": " + strings.Join(parts, ", ")
}
