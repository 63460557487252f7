package domain

import (
	"strings"
	"time"
)

// The rules of trust that read an event's envelope — when it speaks of,
// whether it was backdated, whether a simulation recorded it — live here
// once, for the domain, the read models, the audit trail and the API.

// EffectiveTime returns the moment something speaks of: effective, or
// recorded when effective is zero. An event or a command that names no
// effective time speaks of the moment it is recorded.
func EffectiveTime(effective, recorded time.Time) time.Time {
	if effective.IsZero() {
		return recorded
	}
	return effective
}

// Effective returns the moment the event speaks of: EffectiveAt, or
// RecordedAt when EffectiveAt is zero.
func (e *Event) Effective() time.Time { return EffectiveTime(e.EffectiveAt, e.RecordedAt) }

// Backdated reports whether the event was recorded more than grace after
// the moment it speaks of. An event without an effective time is never
// backdated.
func (e *Event) Backdated(grace time.Duration) bool {
	return !e.EffectiveAt.IsZero() && e.RecordedAt.Sub(e.EffectiveAt) > grace
}

// SimulatedActorPrefix starts the actor of every event a simulation
// (package demo) records, e.g. "demo:county.hongshan" or "demo:system".
const SimulatedActorPrefix = "demo:"

// SimulatedActor reports whether actor is a simulation's: it starts with
// SimulatedActorPrefix.
func SimulatedActor(actor string) bool { return strings.HasPrefix(actor, SimulatedActorPrefix) }

// Simulated reports whether a simulation recorded the event.
func (e *Event) Simulated() bool { return SimulatedActor(e.Actor) }
