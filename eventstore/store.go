// Package eventstore defines the port every event store adapter implements —
// the ledger's only source of truth — with its typed errors and a catch-up
// subscription built on any adapter's reads. Stores that can grant a named
// lease to one holder at a time across processes also implement the
// optional Leaser port.
//
// Adapters live in sub-packages named for what they adapt: eventstore/bolt
// (the embedded default), eventstore/postgres, eventstore/esdb,
// eventstore/memory (tests and benchmarks). Every
// adapter passes the contract suite in eventstore/storetest.
package eventstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"taskledger/domain"
	"taskledger/internal/packed"
)

// ExpectedVersion states what an append expects of its stream.
type ExpectedVersion struct {
	kind    expectKind
	version uint64
}

type expectKind uint8

const (
	expectAny expectKind = iota
	expectNoStream
	expectExact
)

// Any appends whatever the stream holds.
func Any() ExpectedVersion { return ExpectedVersion{kind: expectAny} }

// NoStream appends only if the stream has no events yet.
func NoStream() ExpectedVersion { return ExpectedVersion{kind: expectNoStream} }

// Exact appends only if the stream's last event has version v. Exact(0) is
// the same as NoStream.
func Exact(v uint64) ExpectedVersion {
	if v == 0 {
		return NoStream()
	}
	return ExpectedVersion{kind: expectExact, version: v}
}

// Matches reports whether a stream whose last version is current (0 for no
// stream) satisfies the expectation.
func (x ExpectedVersion) Matches(current uint64) bool {
	switch x.kind {
	case expectNoStream:
		return current == 0
	case expectExact:
		return current == x.version
	default:
		return true
	}
}

// IsAny reports whether the expectation accepts any stream state.
func (x ExpectedVersion) IsAny() bool { return x.kind == expectAny }

// Version returns the exact version expected, 0 for NoStream; meaningless for Any.
func (x ExpectedVersion) Version() uint64 { return x.version }

// String renders the expectation for error messages.
func (x ExpectedVersion) String() string {
	switch x.kind {
	case expectNoStream:
		return "no stream"
	case expectExact:
		return fmt.Sprintf("version %d", x.version)
	default:
		return "any"
	}
}

// ClampRecorded returns the recorded time an event gets when the previous
// event in the global log was recorded at prev: t itself, or prev when t is
// earlier. Adapters call it where they seal events, so that recorded times
// never decrease along the log. A zero prev (an empty log) leaves t as it is.
func ClampRecorded(t, prev time.Time) time.Time {
	if t.Before(prev) {
		return prev
	}
	return t
}

// Direction orders a stream read.
type Direction uint8

const (
	// Forwards reads from older to newer events.
	Forwards Direction = iota
	// Backwards reads from newer to older events.
	Backwards
)

// AppendResult describes a successful append.
type AppendResult struct {
	// Events are the events as stored: version, position and hashes set.
	// For an idempotent re-append they are the events stored the first time.
	Events []domain.Event
	// StreamVersion is the version of the stream's last appended event.
	StreamVersion uint64
	// Position is the global log position of the last appended event.
	Position uint64
	// Duplicate is true when every event was already stored and nothing was
	// appended.
	Duplicate bool
}

// Store is the event store port. Implementations are safe for concurrent use.
type Store interface {
	// Append adds events to the end of a stream if the stream matches
	// expected. The store seals each event (stream, version, prev hash, hash)
	// and assigns its global position; an append is atomic and durable when
	// Append returns. If every event ID is already stored in that stream, in
	// that order, Append returns the stored events with Duplicate set and
	// stores nothing. If only some are, it returns ErrDuplicateMismatch;
	// duplicates are recognised by event ID, stream and order alone, never
	// by content, so a retry whose recorded time differs from the stored
	// (clamped) one is still a duplicate.
	//
	// Recorded time is the ledger's and never decreases along the global
	// log: where the store assigns positions it sets each event's
	// RecordedAt to the later of its own and the previous event's in the
	// log (clamped forward, never refused: concurrent writers read their
	// clocks before they append). An event whose RecordedAt is the zero
	// time is refused with ErrNoRecordedTime and nothing is stored.
	Append(ctx context.Context, stream string, expected ExpectedVersion, events []domain.Event) (AppendResult, error)

	// ReadStream returns up to limit events of a stream starting at version
	// from (inclusive), in the given direction. Reading Backwards from
	// version 0 starts at the stream's last event. limit <= 0 means no limit.
	// A stream with no events gives ErrStreamNotFound.
	ReadStream(ctx context.Context, stream string, dir Direction, from uint64, limit int) ([]domain.Event, error)

	// ReadAll returns up to limit events of the global log whose position is
	// greater than after, in log order. limit <= 0 means no limit.
	ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error)

	// Head returns the position of the last event in the global log, 0 if
	// the log is empty.
	Head(ctx context.Context) (uint64, error)

	// WaitForAppend blocks until the log's head is beyond after, the context
	// ends or the store closes. It is what live subscriptions wait on.
	WaitForAppend(ctx context.Context, after uint64) error

	// Close releases the store. Later calls return ErrClosed.
	Close() error
}

// ErrStreamNotFound is returned when reading a stream that has no events.
var ErrStreamNotFound = errors.New("stream not found")

// ErrClosed is returned by every call on a closed store.
var ErrClosed = errors.New("event store is closed")

// ErrDuplicateMismatch is returned when an append repeats some, but not all,
// stored event IDs, or repeats them in another stream or order.
var ErrDuplicateMismatch = errors.New("append repeats stored event IDs that do not match the request")

// ErrDamaged matches the errors of an adapter that finds its storage damaged
// (an empty, truncated or foreign file, pages that do not hold together, a
// record that does not decode). The adapter refuses such storage, names it
// and leaves it as it was.
var ErrDamaged = errors.New("event store is damaged")

// ErrNoRecordedTime is returned by Append for an event whose RecordedAt is
// the zero time. The store never reads a zero time as "now": the writer's
// clock must set it, and the store only clamps it forward (see Store.Append).
var ErrNoRecordedTime = errors.New("event has no recorded time")

// ErrWrongExpectedVersion matches every *WrongExpectedVersionError with errors.Is.
var ErrWrongExpectedVersion = errors.New("wrong expected version")

// WrongExpectedVersionError reports an optimistic concurrency conflict and
// carries the stream's actual version.
type WrongExpectedVersionError struct {
	Stream   string
	Expected ExpectedVersion
	// Actual is the stream's last version, 0 when the stream does not exist.
	Actual uint64
}

func (e *WrongExpectedVersionError) Error() string {
	return fmt.Sprintf("append to %s: expected %s, stream is at version %d", e.Stream, e.Expected, e.Actual)
}

// Is makes errors.Is(err, ErrWrongExpectedVersion) true.
func (e *WrongExpectedVersionError) Is(target error) bool { return target == ErrWrongExpectedVersion }

// ValidateAppend checks the arguments every adapter rejects before touching
// storage: a stream name, at least one event, and for each event an ID, a
// type and a recorded time. Adapters call it first.
func ValidateAppend(stream string, events []domain.Event) error {
	if stream == "" {
		return errors.New("append: empty stream name")
	}
	if len(events) == 0 {
		return fmt.Errorf("append to %s: no events", stream)
	}
	seen := make(map[[16]byte]struct{}, len(events))
	for i := range events {
		e := &events[i]
		if e.ID == ([16]byte{}) {
			return fmt.Errorf("append to %s: event %d has no ID", stream, i)
		}
		if e.Type == "" {
			return fmt.Errorf("append to %s: event %d has no type", stream, i)
		}
		if e.RecordedAt.IsZero() {
			return fmt.Errorf("append to %s: event %d (%s, %s): %w; the writer's clock must set it", stream, i, e.ID, e.Type, ErrNoRecordedTime)
		}
		if _, dup := seen[e.ID]; dup {
			return fmt.Errorf("append to %s: event ID %s appears twice in one append", stream, e.ID)
		}
		seen[e.ID] = struct{}{}
	}
	return nil
}

// PayloadCoding says how a payload that a store hands out as it stores it
// decodes (see the embedded store's ScanCoded). The zero value is a
// payload stored as it is.
type PayloadCoding struct {
	// Decompress appends coded bytes, decoded, to dst. With Shape nil, the
	// payload is its JSON coded as a whole; nil means not coded.
	Decompress func(dst, src []byte) ([]byte, error)
	// Shape, when set, says the payload is packed: these are its values
	// (taskledger/internal/packed), strings coded with Decompress.
	Shape *packed.Shape
}
