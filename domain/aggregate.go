package domain

import (
	"time"

	"github.com/google/uuid"
)

// Aggregate is a consistency boundary rebuilt by folding its stream's events.
// Its decision methods take a command (and the time, passed in) and return the
// payloads of the events the command causes, or a typed error; they never
// change the aggregate themselves. Command handling appends the events and
// folds them back in with Apply.
type Aggregate interface {
	// Apply folds one recorded event, already decoded, into the state.
	Apply(e *Event, data EventData) error
}

// Meta is what every command carries besides its own fields: who asks, when,
// the period it speaks of, and the key that makes a retry harmless.
type Meta struct {
	// Actor is the subject of the caller's token, or "system".
	Actor string
	// Now is the current time, read from the caller's injected clock.
	Now time.Time
	// EffectiveAt is the moment the command speaks of; zero means Now.
	EffectiveAt time.Time
	// IdempotencyKey identifies the request; the same key records nothing twice.
	IdempotencyKey string
	// CorrelationID ties the command's events to the request that caused them.
	CorrelationID uuid.UUID
	// CausationID is the event or request that caused this command.
	CausationID uuid.UUID
}

// Effective returns EffectiveAt, or Now when EffectiveAt is zero.
func (m Meta) Effective() time.Time { return EffectiveTime(m.EffectiveAt, m.Now) }
