// Package demo fills a ledger that already holds an imported plan with a
// simulated, clearly labelled year of activity: monthly progress reports
// (from diligent, sloppy and late units), extension requests granted before
// or after the due date or refused, completion claims verified or rejected
// and claimed again, deadline slips, inspection findings — false reports
// among them — with their rectification, and monthly air-quality indicators
// for every county.
//
// # Labelling
//
// Simulated activity is recognisable in every trail. Every actor starts with
// "demo:": the acting unit ("demo:county.hongshan"), "demo:office" (extension
// decisions), "demo:inspector" (verifications and findings),
// "demo:monitoring" (indicators) or "demo:system" (deadline slips). Every
// note, reason, evidence text, finding summary and indicator source starts
// with "【模拟】".
//
// # Determinism
//
// Generate reads no clock and no global random source. A simulated clock
// walks through the year, and every random choice comes from a math/rand/v2
// PCG generator seeded from Options.Seed and the name of what it decides
// about (one generator per obligation, unit and county, so that a choice
// about one does not shift those about another). Work is ordered by
// simulated time and then by the order it was planned in, which follows
// sorted stream and unit names; no map iteration order reaches the sequence.
// Idempotency keys are "demo:<seed>:<n>", n counting the simulated commands,
// so event IDs follow from the seed. The same seed on the same imported
// ledger therefore records the same events — IDs, streams, versions, types,
// payload bytes, recorded and effective times — in the same log order.
// Running the same seed twice on one ledger stops at the first command that
// finds its events already stored (ErrAlreadyGenerated).
//
// # Time window
//
// Everything speaks of Options.Year. Reports and indicators cover months of
// the year (their Period), and everything a unit does — reports,
// extension requests, completion claims, rectifications — takes effect
// within the year. Late reporters record their reports weeks after the month
// they cover, backdated to a day in that month (EffectiveAt in the month,
// RecordedAt later). Recorded times therefore run from 1 January of the year
// to the end of January of the next one, the closing month, which holds the
// late reports for November and December, December's indicator bulletin, the
// year-end deadline check at 00:00 on 1 January (whose slips speak of the end
// of 31 December) and the office's and inspectors' decisions on matters
// still pending at year end (verifications, extension decisions after a
// year-end due date), which take effect when taken. Nothing is recorded on
// or after 1 February of the next year. The one exception to "effective
// within the year": a slip of a milestone that was already overdue before
// the year speaks, as the deadline watcher's slips do, of the end of its due
// date.
//
// Recorded times never decrease along the log: when several commands fall
// on the same simulated instant, each is recorded one second after the
// previous one.
//
// # Deadline slips
//
// At the end of every simulated month — 00:00 on the first of the next one,
// from 1 February to 1 January of the next year — the simulation checks the plan's obligations as the deadline watcher does —
// Obligation.DueSlips on up-to-date read models, one RecordSlip per
// milestone, effective at the end of the due date — but records the slips
// as "demo:system" with demo idempotency keys, because deadline.Watcher
// records as "system", which would make simulated slips look real.
//
// # A plausible year
//
// The year is meant to look like one an assessment committee might see,
// not like a catalogue of failures: on the bundled Chifeng plan with the
// default seed, most counties pass (合格 or better) as of mid-January of
// the next year and a few do better, the bureaus range from 优秀 to a few
// 不合格, and every kind of trouble above still occurs. How much goes wrong
// depends on the kind of unit (bureauProfile, countyProfile): a county
// government holds some 28 obligations and is scored on all of them. And
// nothing meant to be on time slips by accident: on-time claims are filed
// by the last claim day (20 December) even for a milestone due at the end
// of the year, a claim rejected before its due date is claimed again
// before it, reviews in the closing month verify, and a unit that
// completes an obligation files the reports it still owes before the
// obligation closes.
//
// # Scale
//
// Options.Scale multiplies the progress reports: at scale s each monthly
// report is filed as s itemised reports on the same occasion (the last one
// carrying the month's figure), so reports grow s-fold while the rest of the
// year stays as at scale 1. With the bundled plan (about 450 obligations),
// each unit of scale adds about 4,800 events, and scale 209 gives about a
// million.
//
// # Efficiency
//
// Generate keeps the caller's read models current incrementally instead of
// rebuilding them: it decides each command on the aggregate state the
// obligations and catalog read models already hold (they fold the domain's
// own aggregates), appends the events expecting that state's version, and
// applies the stored events to the read models. A burst of reports on one
// obligation is appended in one call. On a version conflict (another writer
// changed a stream) it catches the read models up from the log and decides
// again, as command.Execute does after reloading. No step rereads a stream or
// the log from its start.
package demo

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/projections"
)

// ActorPrefix starts the actor of every simulated event
// (domain.SimulatedActorPrefix, which domain.SimulatedActor checks).
const ActorPrefix = domain.SimulatedActorPrefix

// NotePrefix starts every simulated note, reason, evidence text, finding
// summary and indicator source.
const NotePrefix = "【模拟】"

// ErrAlreadyGenerated is returned when the ledger already holds the events
// of a command the simulation is about to record: the same seed ran before.
var ErrAlreadyGenerated = errors.New("demo: this seed's activity is already in the ledger")

// Options configure a simulated year.
type Options struct {
	// Seed selects the simulation; the same seed gives the same events.
	Seed int64
	// Year is the calendar year simulated, e.g. 2025.
	Year int
	// Scale multiplies the progress reports (1 when zero); see the package
	// documentation.
	Scale int
	// Plan is the imported plan whose obligations the simulation acts on.
	Plan domain.PlanID
}

func (o Options) validate() (Options, error) {
	if o.Scale == 0 {
		o.Scale = 1
	}
	if o.Scale < 0 {
		return o, fmt.Errorf("demo: scale %d is not positive", o.Scale)
	}
	if o.Year < 1990 || o.Year > 9000 {
		return o, fmt.Errorf("demo: year %d is out of range", o.Year)
	}
	if err := o.Plan.Validate(); err != nil {
		return o, fmt.Errorf("demo: plan: %w", err)
	}
	return o, nil
}

// Stats reports what Generate recorded.
type Stats struct {
	// Events counts the recorded events by event type.
	Events map[string]int
	// Total is the number of events recorded.
	Total int
	// First and Last are the recorded times of the first and the last
	// simulated event.
	First, Last time.Time
}

// Types returns the event types recorded, sorted.
func (s Stats) Types() []string {
	out := make([]string, 0, len(s.Events))
	for t := range s.Events {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// String lists the counts per type and the total, one per line.
func (s Stats) String() string {
	var b strings.Builder
	for _, t := range s.Types() {
		fmt.Fprintf(&b, "%-24s %9d\n", t, s.Events[t])
	}
	fmt.Fprintf(&b, "%-24s %9d\n", "total", s.Total)
	return b.String()
}

func (s *Stats) add(e *domain.Event) {
	if s.Events == nil {
		s.Events = map[string]int{}
	}
	s.Events[e.Type]++
	s.Total++
	if s.First.IsZero() {
		s.First = e.RecordedAt
	}
	s.Last = e.RecordedAt
}

// Ledger is where a simulation records. The application layer provides
// it (app.Service.Simulate): it appends only events whose actors are
// marked simulated, only to a ledger a simulation created, and keeps the
// simulated clock. The simulation decides with the domain's own rules on
// the read models it keeps current.
type Ledger interface {
	// Registry encodes and decodes events.
	Registry() *domain.Registry
	// Envelope wraps decided payloads into events ready to append.
	Envelope(meta domain.Meta, datas []domain.EventData) ([]domain.Event, error)
	// Append adds events to a stream at an expected version.
	Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error)
	// ReadAll reads the global log after a position.
	ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error)
}

// Generate records a simulated year of activity on opts.Plan through l. views
// must be the read models of l's store built from the whole log (for example
// projections.BuildAt with a zero Cut); Generate first catches them up with
// the store, takes the plan's units, tasks, obligations and milestones from
// them, and keeps them current, so on return they include the simulated
// year. Generate stops at the first error, leaving what it recorded so far.
//
// The simulated events are recorded at simulated times. For a timeline that
// reads forwards, import the plan at a time before the simulated year.
func Generate(ctx context.Context, l Ledger, views *projections.Views, opts Options) (Stats, error) {
	opts, err := opts.validate()
	if err != nil {
		return Stats{}, err
	}
	if l == nil || views == nil {
		return Stats{}, errors.New("demo: a ledger and read models are required")
	}
	r := newRunner(ctx, l, views, opts)
	if err := r.catchUp(); err != nil {
		return Stats{}, err
	}
	if err := r.plan(); err != nil {
		return Stats{}, err
	}
	if err := r.run(); err != nil {
		return r.stats, err
	}
	return r.stats, nil
}

// runner is one simulation: the store, the read models it keeps current,
// the simulated clock and the agenda of planned work.
type runner struct {
	ctx   context.Context
	l     Ledger
	reg   *domain.Registry
	views *projections.Views
	opts  Options
	loc   *time.Location

	yearStart, yearEnd, tailEnd time.Time
	lastUnitDay                 time.Time // latest instant a unit acts

	n      uint64    // simulated commands issued, for idempotency keys
	last   time.Time // recorded time of the last command
	agenda agenda
	stats  Stats
	text   texts
}

func newRunner(ctx context.Context, l Ledger, views *projections.Views, opts Options) *runner {
	loc := domain.Shanghai()
	r := &runner{
		ctx: ctx, l: l, reg: l.Registry(), views: views, opts: opts, loc: loc,
		yearStart: time.Date(opts.Year, time.January, 1, 0, 0, 0, 0, loc),
		yearEnd:   time.Date(opts.Year+1, time.January, 1, 0, 0, 0, 0, loc),
		tailEnd:   time.Date(opts.Year+1, time.February, 1, 0, 0, 0, 0, loc),
		text:      newTexts(),
	}
	r.lastUnitDay = time.Date(opts.Year, time.December, 31, 18, 0, 0, 0, loc)
	return r
}

// rng returns the generator for decisions about name.
func (r *runner) rng(name string) *rand.Rand {
	f := fnv.New64a()
	f.Write([]byte(name))
	return rand.New(rand.NewPCG(uint64(r.opts.Seed), f.Sum64()))
}

// now returns the recorded time of the next command planned for at: at
// itself, or one second after the previous command when that is later.
func (r *runner) now(at time.Time) time.Time {
	if !at.After(r.last) {
		at = r.last.Add(time.Second)
	}
	r.last = at
	return at
}

// meta returns the metadata of the next simulated command.
func (r *runner) meta(actor string, now, effective time.Time) domain.Meta {
	r.n++
	if effective.IsZero() || effective.After(now) {
		effective = now
	}
	return domain.Meta{
		Actor:          ActorPrefix + actor,
		Now:            now,
		EffectiveAt:    effective,
		IdempotencyKey: fmt.Sprintf("demo:%d:%d", r.opts.Seed, r.n),
	}
}

// step is one command with its metadata.
type step struct {
	cmd  domain.Command
	meta domain.Meta
}

// record decides steps, all on one stream, on the state the read models
// hold, appends their events in one call and applies them to the read
// models. On a version conflict it catches the read models up and decides
// again.
func (r *runner) record(stream string, steps ...step) error {
	for attempt := 0; attempt < command.DefaultMaxAttempts; attempt++ {
		agg, version, err := r.aggregate(stream, len(steps) > 1)
		if err != nil {
			return err
		}
		var events []domain.Event
		for i, s := range steps {
			datas, err := domain.Decide(agg, s.cmd, s.meta)
			if err != nil {
				return fmt.Errorf("demo: %T on %s at %s: %w", s.cmd, stream, s.meta.Now.Format(time.RFC3339), err)
			}
			evs, err := r.l.Envelope(s.meta, datas)
			if err != nil {
				return fmt.Errorf("demo: %T on %s: %w", s.cmd, stream, err)
			}
			if i < len(steps)-1 {
				for j := range evs {
					if err := agg.Apply(&evs[j], datas[j]); err != nil {
						return fmt.Errorf("demo: %T on %s: %w", s.cmd, stream, err)
					}
				}
			}
			events = append(events, evs...)
		}
		if len(events) == 0 {
			return nil
		}
		res, err := r.l.Append(r.ctx, stream, eventstore.Exact(version), events)
		if errors.Is(err, eventstore.ErrWrongExpectedVersion) {
			if err := r.catchUp(); err != nil {
				return err
			}
			continue
		}
		if errors.Is(err, eventstore.ErrDuplicateMismatch) {
			return fmt.Errorf("demo: seed %d, key %s on %s: %w: %w", r.opts.Seed, steps[0].meta.IdempotencyKey, stream, ErrAlreadyGenerated, err)
		}
		if err != nil {
			return fmt.Errorf("demo: append to %s: %w", stream, err)
		}
		if res.Duplicate {
			return fmt.Errorf("demo: seed %d, key %s on %s: %w", r.opts.Seed, steps[0].meta.IdempotencyKey, stream, ErrAlreadyGenerated)
		}
		return r.absorb(res.Events)
	}
	return fmt.Errorf("demo: %s after %d attempts: %w", stream, command.DefaultMaxAttempts, command.ErrContention)
}

// aggregate returns the current state of a stream's aggregate from the read
// models, with its version. A scratch copy may be folded into without
// touching the read models.
func (r *runner) aggregate(stream string, scratch bool) (domain.VersionedAggregate, uint64, error) {
	ref, err := domain.ParseStream(stream)
	if err != nil {
		return nil, 0, fmt.Errorf("demo: %w", err)
	}
	switch ref.Kind {
	case domain.StreamObligation:
		ob, ok := r.views.Obligations.Get(stream)
		if !ok {
			return &domain.Obligation{}, 0, nil
		}
		if scratch {
			return detach(ob), ob.Version(), nil
		}
		return &ob, ob.Version(), nil
	case domain.StreamUnit:
		if scratch {
			return nil, 0, fmt.Errorf("demo: several commands in one append on %s are not supported", stream)
		}
		u, ok := r.views.Catalog.Unit(ref.Unit)
		if !ok {
			return &domain.Unit{}, 0, nil
		}
		return &u, u.Version(), nil
	}
	return nil, 0, fmt.Errorf("demo: no read model holds stream %s", stream)
}

// detach returns a copy of ob that can be folded into without changing the
// read model's copy, whose slices it shares: slices the fold changes in
// place are cloned, slices it only appends to are clipped.
func detach(ob domain.Obligation) *domain.Obligation {
	ob.Milestones = slices.Clone(ob.Milestones)
	for i := range ob.Milestones {
		ob.Milestones[i].Slipped = slices.Clip(ob.Milestones[i].Slipped)
		ob.Milestones[i].Extensions = slices.Clip(ob.Milestones[i].Extensions)
	}
	ob.Holdings = slices.Clone(ob.Holdings)
	ob.Findings = slices.Clone(ob.Findings)
	for i := range ob.Findings {
		ob.Findings[i].RectificationSlips = slices.Clip(ob.Findings[i].RectificationSlips)
	}
	ob.Appeals = slices.Clone(ob.Appeals)
	ob.PeriodReports = ob.PeriodReports.Clip()
	ob.Slips = slices.Clip(ob.Slips)
	return &ob
}

// absorb counts the simulation's stored events and applies them to the read
// models. When the log holds events the read models have not seen before
// them (another writer, or a store whose positions are not dense), it
// catches up from the log instead.
func (r *runner) absorb(events []domain.Event) error {
	for i := range events {
		r.stats.add(&events[i])
	}
	for i := range events {
		e := &events[i]
		pos := r.views.Position()
		if e.Position <= pos {
			continue
		}
		if e.Position != pos+1 {
			return r.catchUp()
		}
		data, err := r.reg.Decode(e)
		if err != nil {
			return fmt.Errorf("demo: decode event at position %d: %w", e.Position, err)
		}
		if err := r.views.Apply(e, data); err != nil {
			return fmt.Errorf("demo: apply event at position %d: %w", e.Position, err)
		}
	}
	return nil
}

// catchUpBatch is how many events catchUp reads at a time.
const catchUpBatch = 4096

// catchUp applies to the read models every event of the log after their
// position.
func (r *runner) catchUp() error {
	for {
		after := r.views.Position()
		events, err := r.l.ReadAll(r.ctx, after, catchUpBatch)
		if err != nil {
			return fmt.Errorf("demo: read the log after position %d: %w", after, err)
		}
		if len(events) == 0 {
			return nil
		}
		for i := range events {
			e := &events[i]
			data, err := r.reg.Decode(e)
			if err != nil {
				return fmt.Errorf("demo: decode event at position %d: %w", e.Position, err)
			}
			if err := r.views.Apply(e, data); err != nil {
				return fmt.Errorf("demo: apply event at position %d: %w", e.Position, err)
			}
		}
	}
}

// run works through the agenda in simulated time.
func (r *runner) run() error {
	for r.agenda.Len() > 0 {
		if err := r.ctx.Err(); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		a := heap.Pop(&r.agenda).(*action)
		if err := a.run(a.at); err != nil {
			return err
		}
	}
	return nil
}

// schedule plans fn at simulated time at. Work after the closing month is
// dropped.
func (r *runner) schedule(at time.Time, fn func(at time.Time) error) {
	if !at.Before(r.tailEnd) {
		return
	}
	r.agenda.seq++
	heap.Push(&r.agenda, &action{at: at, seq: r.agenda.seq, run: fn})
}

// action is one piece of planned work.
type action struct {
	at  time.Time
	seq uint64
	run func(at time.Time) error
}

// agenda orders actions by time, then by the order they were planned in.
type agenda struct {
	items []*action
	seq   uint64
}

func (a *agenda) Len() int { return len(a.items) }
func (a *agenda) Less(i, j int) bool {
	if c := a.items[i].at.Compare(a.items[j].at); c != 0 {
		return c < 0
	}
	return a.items[i].seq < a.items[j].seq
}
func (a *agenda) Swap(i, j int) { a.items[i], a.items[j] = a.items[j], a.items[i] }
func (a *agenda) Push(x any)    { a.items = append(a.items, x.(*action)) }
func (a *agenda) Pop() any {
	n := len(a.items)
	x := a.items[n-1]
	a.items[n-1] = nil
	a.items = a.items[:n-1]
	return x
}
