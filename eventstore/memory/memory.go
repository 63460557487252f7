// Package memory is an in-process event store for tests and benchmarks. It
// keeps everything in memory and loses it when the process ends; it is never
// the store of a real ledger. It passes the same contract suite as the
// durable adapters.
package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Store is an in-memory eventstore.Store.
type Store struct {
	mu      sync.RWMutex
	log     []domain.Event       // log[i] has position i+1
	streams map[string][]uint64  // stream -> positions, index = version-1
	ids     map[uuid.UUID]uint64 // event ID -> position
	changed chan struct{}        // closed and replaced on every append
	closed  bool
}

// New returns an empty store.
func New() *Store {
	return &Store{
		streams: make(map[string][]uint64),
		ids:     make(map[uuid.UUID]uint64),
		changed: make(chan struct{}),
	}
}

var _ eventstore.Store = (*Store)(nil)

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	positions := s.streams[stream]
	if res, dup, err := s.duplicate(stream, positions, events); dup || err != nil {
		return res, err
	}
	current := uint64(len(positions))
	if !expected.Matches(current) {
		return eventstore.AppendResult{}, &eventstore.WrongExpectedVersionError{Stream: stream, Expected: expected, Actual: current}
	}
	var prev domain.Hash
	if current > 0 {
		prev = s.log[positions[current-1]-1].Hash
	}
	stored := make([]domain.Event, len(events))
	var lastRec time.Time // recorded time of the log's last event
	if n := len(s.log); n > 0 {
		lastRec = s.log[n-1].RecordedAt
	}
	for i, e := range events {
		e.Payload = append([]byte(nil), e.Payload...)
		// Recorded time never decreases along the log (see eventstore.Store).
		e.RecordedAt = eventstore.ClampRecorded(e.RecordedAt, lastRec)
		lastRec = e.RecordedAt
		e.Seal(stream, current+uint64(i)+1, prev)
		e.Position = uint64(len(s.log)) + 1
		prev = e.Hash
		s.log = append(s.log, e)
		positions = append(positions, e.Position)
		s.ids[e.ID] = e.Position
		stored[i] = e
	}
	s.streams[stream] = positions
	close(s.changed)
	s.changed = make(chan struct{})
	last := stored[len(stored)-1]
	return eventstore.AppendResult{Events: stored, StreamVersion: last.Version, Position: last.Position}, nil
}

// duplicate reports whether events were all stored before, contiguously in
// stream; it errors when only some were. The caller holds the lock.
func (s *Store) duplicate(stream string, positions []uint64, events []domain.Event) (eventstore.AppendResult, bool, error) {
	found := 0
	for _, e := range events {
		if _, ok := s.ids[e.ID]; ok {
			found++
		}
	}
	if found == 0 {
		return eventstore.AppendResult{}, false, nil
	}
	mismatch := fmt.Errorf("append to %s: %w", stream, eventstore.ErrDuplicateMismatch)
	if found != len(events) {
		return eventstore.AppendResult{}, false, mismatch
	}
	stored := make([]domain.Event, len(events))
	for i, e := range events {
		ev := s.log[s.ids[e.ID]-1]
		if ev.Stream != stream || (i > 0 && ev.Version != stored[i-1].Version+1) {
			return eventstore.AppendResult{}, false, mismatch
		}
		stored[i] = ev
	}
	last := stored[len(stored)-1]
	return eventstore.AppendResult{Events: stored, StreamVersion: last.Version, Position: last.Position, Duplicate: true}, true, nil
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, limit int) ([]domain.Event, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	positions := s.streams[stream]
	if len(positions) == 0 {
		return nil, fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	var out []domain.Event
	n := uint64(len(positions))
	if dir == eventstore.Forwards {
		if from == 0 {
			from = 1
		}
		for v := from; v <= n && (limit <= 0 || len(out) < limit); v++ {
			out = append(out, s.log[positions[v-1]-1])
		}
		return out, nil
	}
	if from == 0 || from > n {
		from = n
	}
	for v := from; v >= 1 && (limit <= 0 || len(out) < limit); v-- {
		out = append(out, s.log[positions[v-1]-1])
	}
	return out, nil
}

// ReadAll implements eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	if after >= uint64(len(s.log)) {
		return nil, nil
	}
	rest := s.log[after:]
	if limit > 0 && len(rest) > limit {
		rest = rest[:limit]
	}
	return append([]domain.Event(nil), rest...), nil
}

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, eventstore.ErrClosed
	}
	return uint64(len(s.log)), nil
}

// WaitForAppend implements eventstore.Store.
func (s *Store) WaitForAppend(ctx context.Context, after uint64) error {
	for {
		s.mu.RLock()
		closed, head, changed := s.closed, uint64(len(s.log)), s.changed
		s.mu.RUnlock()
		switch {
		case closed:
			return eventstore.ErrClosed
		case head > after:
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// Close implements eventstore.Store. It is safe to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.changed)
	}
	return nil
}
