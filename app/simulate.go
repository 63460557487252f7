package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"taskledger/auth"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/internal/msg"
	"taskledger/projections/scoring"
)

// SimulatedClock is the clock of a simulation: it shows the simulated
// moment, moves only when the simulation moves it, and never runs
// backwards. It serves only simulated ledgers.
type SimulatedClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewSimulatedClock returns a simulated clock standing at start.
func NewSimulatedClock(start time.Time) *SimulatedClock { return &SimulatedClock{t: start} }

// Now returns the simulated moment.
func (c *SimulatedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Simulated is true.
func (c *SimulatedClock) Simulated() bool { return true }

// Advance moves the clock to t, or leaves it where it is when t is not
// later.
func (c *SimulatedClock) Advance(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// SimulateInput asks for a simulated year of activity.
type SimulateInput struct {
	// Plan is the plan's id; PlanText its document, imported first when
	// the ledger does not hold the plan yet.
	Plan     string
	PlanText []byte
	// Seed selects the simulation; the same seed gives the same events.
	Seed int64
	// Year is the simulated calendar year.
	Year int
	// Scale multiplies the activity (1 when zero).
	Scale int
}

// SimulateResult says what a simulation recorded.
type SimulateResult struct {
	// Imported is set when the plan was imported first.
	Imported *ImportResult
	// Stats counts the simulated year's events.
	Stats demo.Stats
	// Published are the simulated committee's publications of the year's
	// bureau and county rankings.
	Published []PublishResult
}

// Simulate records a clearly labelled simulated year on an empty or
// simulated ledger: the plan imported by a simulated plan office on a
// simulated clock that starts before the year, a year of simulated
// reports, extensions, claims, inspections and indicators, and the
// simulated committee publishing the year's rankings as of the end of
// January. Every event's actor starts with auth.SimulatedPrefix. A ledger
// that holds real records is refused and left as it is.
func (s *Service) Simulate(ctx context.Context, p auth.Principal, in SimulateInput) (SimulateResult, error) {
	var out SimulateResult
	if err := s.authorize(ctx, p, Simulate); err != nil {
		return out, err
	}
	if in.Year < 2000 || in.Year > 2100 || in.Scale < 0 {
		return out, fail(msg.SimYearInvalid, nil)
	}
	clock := NewSimulatedClock(time.Date(in.Year-1, time.December, 1, 9, 0, 0, 0, domain.Shanghai()))
	sim := s.withClock(clock)
	if err := sim.checkSimulation(ctx, auth.SimulatedPrincipal(auth.Coordinator, "", "office")); err != nil {
		return out, err
	}
	if err := s.checkSimulatedStart(ctx, clock.Now()); err != nil {
		return out, err
	}
	var err error
	if out.Imported, err = sim.simulatedImport(ctx, in); err != nil {
		return out, err
	}
	out.Stats, err = demo.Generate(ctx, simulationLedger{s: sim, clock: clock}, s.current(), demo.Options{Seed: in.Seed, Year: in.Year, Scale: in.Scale, Plan: domain.PlanID(in.Plan)})
	if errors.Is(err, demo.ErrAlreadyGenerated) {
		return out, fail(msg.SimSeedUsed, msg.Args{"Seed": in.Seed})
	}
	if err != nil {
		return out, err
	}
	clock.Advance(time.Date(in.Year+1, time.February, 1, 9, 0, 0, 0, domain.Shanghai()))
	out.Published, err = sim.simulatedPublications(ctx, in)
	return out, err
}

// checkSimulatedStart refuses a simulation that would start before the
// last recorded event: recorded time never goes back along the log, so a
// second simulation on one ledger must simulate a later year.
func (s *Service) checkSimulatedStart(ctx context.Context, start time.Time) error {
	head, err := s.store.Head(ctx)
	if err != nil || head == 0 {
		return err
	}
	last, err := s.store.ReadAll(ctx, head-1, 1)
	if err != nil || len(last) == 0 {
		return err
	}
	if at := last[0].RecordedAt; start.Before(at) {
		sh := domain.Shanghai()
		return fail(msg.SimInThePast, msg.Args{"At": at.In(sh).Format(time.DateTime), "Start": start.In(sh).Format(time.DateTime)})
	}
	return nil
}

// withClock returns a Service like s on another clock.
func (s *Service) withClock(c Clock) *Service {
	return &Service{lookback: s.lookback, store: s.store, reg: s.reg, commands: s.commands, views: s.views, clock: c, tokens: s.tokens, plan: s.plan, logger: s.logger}
}

// simulatedImport imports the plan as the simulated plan office when the
// ledger does not hold it yet.
func (s *Service) simulatedImport(ctx context.Context, in SimulateInput) (*ImportResult, error) {
	if _, ok := s.current().Catalog.Plan(domain.PlanID(in.Plan)); ok {
		return nil, nil
	}
	res, err := s.ImportPlan(ctx, auth.SimulatedPrincipal(auth.Coordinator, "", "office"), ImportInput{Text: in.PlanText, Plan: in.Plan})
	if err != nil {
		return nil, err
	}
	return &res, s.views.Sync(ctx, res.Position)
}

// simulatedPublications has the simulated committee publish the year's
// bureau and county rankings as of the end of January.
func (s *Service) simulatedPublications(ctx context.Context, in SimulateInput) ([]PublishResult, error) {
	committee := auth.SimulatedPrincipal(auth.Committee, "", "committee")
	asOf := time.Date(in.Year+1, time.February, 1, 0, 0, 0, 0, domain.Shanghai()).Add(-time.Second)
	var out []PublishResult
	for _, k := range []scoring.Kind{scoring.KindBureau, scoring.KindCounty} {
		if err := s.views.Sync(ctx, 0); err != nil {
			return out, err
		}
		pub, err := s.PublishScorecard(ctx, committee, PublishInput{
			Plan: in.Plan, Year: in.Year, Kind: string(k), AsOf: &asOf,
			IdempotencyKey: fmt.Sprintf("demo-publish:%d:%d:%s", in.Seed, in.Year, k),
		})
		if err != nil {
			return out, fmt.Errorf("publish the simulated %d %s rankings: %w", in.Year, k, err)
		}
		out = append(out, pub)
	}
	return out, nil
}

// simulationLedger is what a simulation records through: it appends only
// events whose actors are marked simulated, only to a simulated ledger, and
// moves the simulated clock with them.
type simulationLedger struct {
	s     *Service
	clock *SimulatedClock
}

// Registry encodes and decodes events.
func (l simulationLedger) Registry() *domain.Registry { return l.s.reg }

// Envelope wraps decided payloads into events.
func (l simulationLedger) Envelope(meta domain.Meta, datas []domain.EventData) ([]domain.Event, error) {
	return l.s.commands.Envelope(meta, datas)
}

// ReadAll reads the log.
func (l simulationLedger) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error) {
	return l.s.store.ReadAll(ctx, after, limit)
}

// Append checks that every event is a simulation's and that the ledger is
// simulated, then appends them and moves the simulated clock to the last.
func (l simulationLedger) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	for i := range events {
		if !events[i].Simulated() {
			return eventstore.AppendResult{}, fail(msg.SimActorNotSim, msg.Args{"Type": events[i].Type, "Actor": events[i].Actor})
		}
	}
	if err := l.s.checkSimulation(ctx, auth.SimulatedPrincipal(auth.System, "", "system")); err != nil {
		return eventstore.AppendResult{}, err
	}
	res, err := l.s.store.Append(ctx, stream, expected, events)
	if err == nil && len(res.Events) > 0 {
		l.clock.Advance(res.Events[len(res.Events)-1].RecordedAt)
	}
	return res, err
}
