// Package app is taskledger's application layer: one method per use case,
// shared by every door. The GraphQL API, the CLI, the dashboard and the
// demo translate their input into a typed input and the authenticated
// principal, call a method of Service, and translate the typed result back.
// None of them checks a rule of its own.
//
// Each method authorizes the principal, validates the input, resolves what
// it names (the default plan, a unit by id, name or alias, the principal's
// own unit), executes the domain command and returns what was recorded.
// Recorded time comes from the Service's clock and the actor from the
// principal: no input field sets either.
package app

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"taskledger/auth"
	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/evidence"
	"taskledger/internal/msg"
	"taskledger/projections"
)

// Clock is the application layer's time source: the only place recorded
// time comes from.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Simulated reports whether the clock runs a simulation rather than
	// real time. A simulated clock serves only simulated ledgers.
	Simulated() bool
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Simulated is false: this is real time.
func (SystemClock) Simulated() bool { return false }

// ClockFunc adapts a function to Clock as a real clock, for tests that
// need a fixed or stepped time that still counts as real.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// Simulated is false.
func (ClockFunc) Simulated() bool { return false }

// Views gives the read models the layer resolves names against: the live
// models a runner feeds, or models caught up for one command-line run.
type Views interface {
	// Views returns the models as they stand.
	Views() *projections.Views
	// Sync returns once the models hold the log up to position (for a
	// position of 0: up to the head as it stands).
	Sync(ctx context.Context, position uint64) error
}

// LiveViews are the models of a running projector: Sync waits for it.
type LiveViews struct {
	Runner *projections.Runner
	Store  eventstore.Store
}

// Views returns the runner's models.
func (l LiveViews) Views() *projections.Views { return l.Runner.Views() }

// Sync waits until the runner has applied position (the head, for 0).
func (l LiveViews) Sync(ctx context.Context, position uint64) error {
	if position == 0 {
		head, err := l.Store.Head(ctx)
		if err != nil {
			return err
		}
		position = head
	}
	return l.Runner.WaitFor(ctx, position)
}

// PulledViews are models a command-line run catches up itself: Sync reads
// the log to its head.
type PulledViews struct{ Runner *projections.Runner }

// Views returns the runner's models.
func (p PulledViews) Views() *projections.Views { return p.Runner.Views() }

// Sync catches the models up with the log.
func (p PulledViews) Sync(ctx context.Context, _ uint64) error {
	_, err := p.Runner.CatchUp(ctx)
	return err
}

// Config is what a Service needs.
type Config struct {
	// Store is the ledger.
	Store eventstore.Store
	// Registry encodes and decodes events; nil means domain.DefaultRegistry().
	Registry *domain.Registry
	// Views are the read models used to resolve names and find candidates
	// (deadline slips); the aggregates loaded from the store decide.
	Views Views
	// Clock is the source of recorded time; nil means SystemClock.
	Clock Clock
	// Tokens keeps API tokens; nil means the ledger keeps none (token use
	// cases are then refused).
	Tokens *auth.Tokens
	// DefaultPlan is the plan used when an input names none; empty means
	// the only plan the ledger holds.
	DefaultPlan domain.PlanID
	// Logger receives what the layer reports; nil means slog.Default().
	Logger *slog.Logger
	// Lookback is how far before a plan's start a report, claim or
	// measurement may speak of; zero means DefaultLookback.
	Lookback time.Duration
	// Evidence keeps the evidence files (佐证材料); nil means the ledger
	// keeps none (uploads are refused, and so are reports and claims that
	// attach files). EvidenceMaxSize bounds one file; zero or less means
	// evidence.DefaultMaxSize.
	Evidence        evidence.Store
	EvidenceMaxSize int64
	// Accounts keeps people's accounts and Sessions their dashboard
	// sessions; nil means the ledger keeps none (account use cases and
	// password login are then refused).
	Accounts *auth.Accounts
	Sessions *auth.Sessions
	// Lockout counts failed logins; nil means LockoutMax failures per
	// LockoutWindow on Clock.
	Lockout *auth.Lockout
}

// Service runs the use cases.
type Service struct {
	store    eventstore.Store
	reg      *domain.Registry
	commands *command.Handler
	views    Views
	clock    Clock
	tokens   *auth.Tokens
	plan     domain.PlanID
	logger   *slog.Logger
	// mode caches whether the ledger is simulated, once it holds an event.
	mode atomic.Pointer[bool]
	// lookback bounds how far back inputs may speak; starts caches each
	// plan's start (domain.PlanID → time.Time).
	lookback time.Duration
	starts   sync.Map
	// blobs keeps evidence files, up to maxEvidence bytes each.
	blobs       evidence.Store
	maxEvidence int64
	// accounts, sessions and lockout serve personal accounts.
	accounts *auth.Accounts
	sessions *auth.Sessions
	lockout  *auth.Lockout
}

// New returns a Service over cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Views == nil {
		return nil, errors.New("app: Store and Views are required")
	}
	if cfg.Registry == nil {
		cfg.Registry = domain.DefaultRegistry()
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Lookback <= 0 {
		cfg.Lookback = DefaultLookback
	}
	if cfg.Lockout == nil {
		cfg.Lockout = auth.NewLockout(LockoutMax, LockoutWindow, cfg.Clock.Now)
	}
	return &Service{lookback: cfg.Lookback, accounts: cfg.Accounts, sessions: cfg.Sessions, lockout: cfg.Lockout,
		store: cfg.Store, reg: cfg.Registry, commands: command.NewHandler(cfg.Store, cfg.Registry),
		views: cfg.Views, clock: cfg.Clock, tokens: cfg.Tokens, plan: cfg.DefaultPlan, logger: cfg.Logger,
		blobs: cfg.Evidence, maxEvidence: cmp.Or(max(cfg.EvidenceMaxSize, 0), evidence.DefaultMaxSize),
	}, nil
}

// Now returns the layer's current time: what reads are judged at when no
// as-of is given.
func (s *Service) Now() time.Time { return s.clock.Now() }

// Result is what a use case recorded.
type Result struct {
	// Events are the recorded events (or, for a repeated request, those
	// the first attempt recorded).
	Events []domain.Event
	// Positions are the log positions of recorded events when Events is
	// not filled (a plan import records many; read them on demand).
	Positions []uint64
	// Position is the log position of the last recorded event; 0 when
	// nothing was recorded.
	Position uint64
	// Duplicate is true when the request repeats an earlier one with the
	// same idempotency key.
	Duplicate bool
	// Summary says in a line what was recorded.
	Summary string
}

// correlationNamespace derives a request's correlation ID from its scoped
// idempotency key and a digest of the request, so a retried request writes
// identical envelopes and the same key with another request is told apart.
var correlationNamespace = uuid.MustParse("0b7f2f52-6c7e-4a53-9d1b-4c2f3e5a6d71")

// correlation is the correlation ID of a request: the scoped key and a
// digest of what was asked (its typed form and effective time).
func correlation(scopedKey string, request any, effective time.Time) (uuid.UUID, error) {
	b, err := json.Marshal(request)
	if err != nil {
		return uuid.Nil, fmt.Errorf("digest the request: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%T\x00%s\x00", request, effective.UTC().Format(time.RFC3339Nano))
	h.Write(b)
	return uuid.NewSHA1(correlationNamespace, append([]byte(scopedKey+"\x00"), h.Sum(nil)...)), nil
}

// dispatch validates and runs one domain command as the principal; the
// command itself is the request its key is bound to.
func (s *Service) dispatch(ctx context.Context, p auth.Principal, scopedKey string, effective time.Time, cmd domain.Command) (Result, error) {
	return s.dispatchFor(ctx, p, scopedKey, cmd, effective, cmd)
}

// dispatchFor runs cmd as the principal, binding the idempotency key to
// request: the same key with another request is IDEMPOTENCY_CONFLICT and
// records nothing. The actor is the principal, the recorded time the
// layer's clock.
func (s *Service) dispatchFor(ctx context.Context, p auth.Principal, scopedKey string, request any, effective time.Time, cmd domain.Command) (Result, error) {
	if err := cmd.Validate(); err != nil {
		return Result{}, err
	}
	meta, err := s.meta(p, scopedKey, request, effective)
	if err != nil {
		return Result{}, err
	}
	res, err := command.Dispatch(ctx, s.commands, cmd, meta)
	if errors.Is(err, command.ErrIdempotencyConflict) {
		return Result{}, errIdempotencyConflict()
	}
	if err != nil {
		return Result{}, err
	}
	return Result{Events: res.Events, Position: res.Position, Duplicate: res.Duplicate}, nil
}

// meta is the envelope of a command the principal records now: the actor,
// the layer's clock, the moment it speaks of, the scoped key and the
// correlation ID binding the key to request.
func (s *Service) meta(p auth.Principal, scopedKey string, request any, effective time.Time) (domain.Meta, error) {
	corr, err := correlation(scopedKey, request, effective)
	if err != nil {
		return domain.Meta{}, err
	}
	return domain.Meta{Actor: p.Actor(), Now: s.clock.Now(), EffectiveAt: effective, IdempotencyKey: scopedKey, CorrelationID: corr}, nil
}

func errIdempotencyConflict() *Error {
	return fail(msg.IdempotencyKeyReused, nil)
}

// current returns the read models as they stand.
func (s *Service) current() *projections.Views { return s.views.Views() }

// Plan resolves a plan reference: the id given, else the configured
// default, else the ledger's only plan.
func (s *Service) Plan(ref string) (domain.PlanID, error) {
	if ref != "" {
		p := domain.PlanID(ref)
		if err := p.Validate(); err != nil {
			return "", err
		}
		return p, nil
	}
	if s.plan != "" {
		return s.plan, nil
	}
	plans := s.current().Catalog.Plans()
	switch len(plans) {
	case 0:
		return "", fail(msg.PlanNoneYet, nil)
	case 1:
		return plans[0].ID, nil
	}
	return "", fail(msg.PlanAmbiguous, msg.Args{"Count": len(plans)})
}

// planRef resolves a plan reference as Plan does; a refusal of the id
// given, or of its absence where the ledger holds several plans, names
// the input's plan field. No plan at all concerns the ledger, not a field.
func (s *Service) planRef(ref string) (domain.PlanID, error) {
	id, err := s.Plan(ref)
	var ae *Error
	if err != nil && (ref != "" || errors.As(err, &ae) && ae.Key == msg.PlanAmbiguous) {
		return "", inField(err, "plan")
	}
	return id, err
}

// ResolveUnit finds a unit by id, name or alias.
func (s *Service) ResolveUnit(ref string) (domain.UnitID, error) {
	u, err := s.current().Catalog.ResolveUnit(ref)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}
