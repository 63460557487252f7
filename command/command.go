// Package command runs domain decisions against the event store: it loads an
// aggregate from its stream, asks it to decide, appends the resulting events
// with the stream version it decided on, and on a concurrent write retries
// from a fresh load a bounded number of times.
//
// Event IDs come from the command's idempotency key, so a retried command —
// the same key again, after a timeout or a crash — appends nothing new and
// returns what the first attempt recorded.
package command

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
)

// DefaultMaxAttempts is how many times a command is tried when other writers
// keep changing its stream.
const DefaultMaxAttempts = 8

// ErrNoIdempotencyKey is returned for a command without an idempotency key.
var ErrNoIdempotencyKey = errors.New("command has no idempotency key")

// ErrIdempotencyConflict is returned when an idempotency key that already
// recorded events comes back with a different request (its correlation ID,
// which the caller derives from the key and the request, differs).
var ErrIdempotencyConflict = errors.New("idempotency key already used for a different request")

// ErrContention is returned when a stream kept changing under a command for
// every attempt.
var ErrContention = errors.New("stream changed concurrently on every attempt")

// Handler executes commands against one store.
type Handler struct {
	store       eventstore.Store
	registry    *domain.Registry
	maxAttempts int
}

// Option configures a Handler.
type Option func(*Handler)

// WithMaxAttempts sets how many times a command is tried on version conflicts.
func WithMaxAttempts(n int) Option {
	return func(h *Handler) {
		if n > 0 {
			h.maxAttempts = n
		}
	}
}

// NewHandler returns a handler over store that decodes events with registry.
func NewHandler(store eventstore.Store, registry *domain.Registry, opts ...Option) *Handler {
	h := &Handler{store: store, registry: registry, maxAttempts: DefaultMaxAttempts}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Store returns the handler's event store.
func (h *Handler) Store() eventstore.Store { return h.store }

// Registry returns the handler's event registry.
func (h *Handler) Registry() *domain.Registry { return h.registry }

// Result is what a command recorded.
type Result struct {
	// Stream is the stream the command wrote to.
	Stream string
	// Events are the recorded events, empty when the decision was to record
	// nothing (for example a deadline slip already on record).
	Events []domain.Event
	// StreamVersion is the stream's version after the command.
	StreamVersion uint64
	// Position is the global position of the last recorded event, 0 when
	// nothing was recorded. A caller can wait until projections reach it.
	Position uint64
	// Duplicate is true when the idempotency key had been used before and
	// the first attempt's events are returned.
	Duplicate bool
}

// Load folds a stream into agg and returns the stream's version and events.
// A stream with no events leaves agg untouched and gives version 0.
func (h *Handler) Load(ctx context.Context, stream string, agg domain.Aggregate) (uint64, []domain.Event, error) {
	events, err := h.store.ReadStream(ctx, stream, eventstore.Forwards, 0, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("load %s: %w", stream, err)
	}
	for i := range events {
		data, err := h.registry.Decode(&events[i])
		if err != nil {
			return 0, nil, fmt.Errorf("load %s: %w", stream, err)
		}
		if err := agg.Apply(&events[i], data); err != nil {
			return 0, nil, fmt.Errorf("load %s: apply version %d (%s): %w", stream, events[i].Version, events[i].Type, err)
		}
	}
	var version uint64
	if n := len(events); n > 0 {
		version = events[n-1].Version
	}
	return version, events, nil
}

// Execute loads the aggregate that newAgg makes from stream, lets decide
// choose the events, and appends them expecting the version it loaded. On a
// version conflict it reloads and decides again. decide must not keep state
// between calls: it may run more than once.
func Execute[A domain.Aggregate](ctx context.Context, h *Handler, stream string, meta domain.Meta, newAgg func() A, decide func(A) ([]domain.EventData, error)) (Result, error) {
	if strings.TrimSpace(meta.IdempotencyKey) == "" {
		return Result{}, fmt.Errorf("command on %s: %w", stream, ErrNoIdempotencyKey)
	}
	for attempt := 0; attempt < h.maxAttempts; attempt++ {
		agg := newAgg()
		version, history, err := h.Load(ctx, stream, agg)
		if err != nil {
			return Result{}, err
		}
		if prior := RecordedBy(history, meta.IdempotencyKey); len(prior) > 0 {
			if err := SameRequest(prior, meta); err != nil {
				return Result{}, fmt.Errorf("command on %s: %w", stream, err)
			}
			return Result{Stream: stream, Events: prior, StreamVersion: version, Position: prior[len(prior)-1].Position, Duplicate: true}, nil
		}
		datas, err := decide(agg)
		if err != nil {
			return Result{}, err
		}
		if len(datas) == 0 {
			return Result{Stream: stream, StreamVersion: version}, nil
		}
		events, err := h.Envelope(meta, datas)
		if err != nil {
			return Result{}, fmt.Errorf("command on %s: %w", stream, err)
		}
		res, err := h.store.Append(ctx, stream, eventstore.Exact(version), events)
		if errors.Is(err, eventstore.ErrWrongExpectedVersion) {
			continue
		}
		if err != nil {
			return Result{}, fmt.Errorf("command on %s: %w", stream, err)
		}
		return Result{Stream: stream, Events: res.Events, StreamVersion: res.StreamVersion, Position: res.Position, Duplicate: res.Duplicate}, nil
	}
	return Result{}, fmt.Errorf("command on %s after %d attempts: %w", stream, h.maxAttempts, ErrContention)
}

// Envelope wraps decided payloads into events ready to append, with IDs
// derived from the idempotency key and the envelope fields from meta.
func (h *Handler) Envelope(meta domain.Meta, datas []domain.EventData) ([]domain.Event, error) {
	events := make([]domain.Event, len(datas))
	for i, d := range datas {
		typ, version, payload, err := h.registry.Encode(d)
		if err != nil {
			return nil, err
		}
		events[i] = domain.Event{
			ID:            domain.DeriveEventID(meta.IdempotencyKey, i),
			Type:          typ,
			SchemaVersion: version,
			RecordedAt:    meta.Now,
			EffectiveAt:   meta.Effective(),
			Actor:         meta.Actor,
			CausationID:   meta.CausationID,
			CorrelationID: meta.CorrelationID,
			Payload:       payload,
		}
	}
	return events, nil
}

// SameRequest checks that a repeated idempotency key comes with the request
// that recorded prior: callers that derive the correlation ID from the key
// and a digest of the request get ErrIdempotencyConflict for another
// request. A zero correlation ID (callers whose keys already name the
// request, such as the plan import) is not compared.
func SameRequest(prior []domain.Event, meta domain.Meta) error {
	if meta.CorrelationID == uuid.Nil || len(prior) == 0 || prior[0].CorrelationID == meta.CorrelationID {
		return nil
	}
	return ErrIdempotencyConflict
}

// RecordedBy returns the events a command with this idempotency key already
// recorded in history, in order, or nil.
func RecordedBy(history []domain.Event, key string) []domain.Event {
	first := domain.DeriveEventID(key, 0)
	for i := range history {
		if history[i].ID != first {
			continue
		}
		n := 1
		for i+n < len(history) && history[i+n].ID == domain.DeriveEventID(key, n) {
			n++
		}
		return history[i : i+n]
	}
	return nil
}

// Dispatch executes any domain command on the aggregate its stream names,
// routing it with domain.Decide.
func Dispatch(ctx context.Context, h *Handler, cmd domain.Command, meta domain.Meta) (Result, error) {
	stream := cmd.Stream()
	if _, err := domain.NewAggregate(stream); err != nil {
		return Result{}, fmt.Errorf("command %T: %w", cmd, err)
	}
	return Execute(ctx, h, stream, meta,
		func() domain.VersionedAggregate {
			agg, _ := domain.NewAggregate(stream)
			return agg
		},
		func(agg domain.VersionedAggregate) ([]domain.EventData, error) { return domain.Decide(agg, cmd, meta) })
}
