// Package projections computes what people read from the ledger — who owes
// what, task boards, audit indexes, county indicators and scorecards — as
// deterministic folds of the event log.
//
// Each read model (a Model) keeps the position of the last event it applied.
// A Runner is the one projector that feeds them all: it restores their
// snapshots and its checkpoint, catches up on the log in bulk with replay
// (decoding on every core), then follows new events live through one
// Watermill subscription to the store's log with a single handler. Either
// way each event is decoded once and handed to every model in order. The
// checkpoint is written after the snapshots, so it never claims more than
// they hold. The same models can be built as of any log position or
// recorded time with BuildAt; the result equals replaying the log up to that
// point, because that is what it does.
package projections

import (
	"encoding/gob"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"taskledger/domain"
	"taskledger/projections/scoring"
)

// Model is one read model folded from the log.
type Model interface {
	// Name identifies the model: its checkpoint and snapshot file.
	Name() string
	// Position is the log position of the last event the model applied.
	Position() uint64
	// Apply folds one event. It must not fail on events the model does not
	// care about; it fails only when the event contradicts the model's
	// state, which means the log is corrupt or the model has a bug. Events
	// come from one goroutine at a time, in log order; readers may call the
	// model's other methods meanwhile.
	Apply(e *domain.Event, data domain.EventData) error
	// encode and decode write and read the model's state with its position.
	encode(enc *gob.Encoder) error
	decode(dec *gob.Decoder) error
	// state returns a zero value of the type encode writes; its shape
	// (stateShape) is recorded with each snapshot.
	state() any
}

// Config holds the read side's tunable rules.
type Config struct {
	// BackdateGrace is how long after the period it speaks of an event may
	// be recorded before the audit index flags it as backdated. Zero means
	// 7 days.
	BackdateGrace time.Duration
	// YellowDays is how many days before a due date a traffic light turns
	// yellow. Zero means 30.
	YellowDays int
	// ReportDeadlineDays is how many days after the end of the month it
	// covers a progress report may be recorded before the views flag it
	// late. Zero means the default scoring scheme's
	// deductions.missed_report.deadline_days.
	ReportDeadlineDays int
}

func (c Config) withDefaults() Config {
	if c.BackdateGrace <= 0 {
		c.BackdateGrace = 7 * 24 * time.Hour
	}
	if c.YellowDays <= 0 {
		c.YellowDays = 30
	}
	if c.ReportDeadlineDays <= 0 {
		c.ReportDeadlineDays = max(0, scoring.Default().Deductions.MissedReport.Deadline())
	}
	return c
}

// Views is the set of read models the server and the CLI query.
type Views struct {
	Config      Config
	Catalog     *Catalog
	Obligations *Obligations
	// Audit is the index of the log by plan, task and unit that audit
	// trails page through. Read models built by BuildAsOf have none:
	// nothing asked of the past reads it.
	Audit      *Audit
	Indicators *Indicators

	schemes schemeCache
}

// NewViews returns empty read models.
func NewViews(cfg Config) *Views {
	v := newViewsWithoutAudit(cfg)
	v.Audit = newAudit(v.Config.BackdateGrace)
	return v
}

// newViewsWithoutAudit returns empty read models but the audit index (see
// Views.Audit).
func newViewsWithoutAudit(cfg Config) *Views {
	cfg = cfg.withDefaults()
	return &Views{
		Config:      cfg,
		Catalog:     newCatalog(),
		Obligations: newObligations(cfg.ReportDeadlineDays),
		Indicators:  newIndicators(),
	}
}

// Models lists the read models in a fixed order.
func (v *Views) Models() []Model {
	if v.Audit == nil {
		return []Model{v.Catalog, v.Obligations, v.Indicators}
	}
	return []Model{v.Catalog, v.Obligations, v.Audit, v.Indicators}
}

// Position is the lowest position every model has reached.
func (v *Views) Position() uint64 {
	var low uint64
	for i, m := range v.Models() {
		if p := m.Position(); i == 0 || p < low {
			low = p
		}
	}
	return low
}

// Version changes whenever any model applies an event: it is the sum of
// the models' positions, which only grow. Caches of what the models answer
// key on it, since Position (the lowest) stays put while a model that is
// ahead of the others moves on.
func (v *Views) Version() uint64 {
	var sum uint64
	for _, m := range v.Models() {
		sum += m.Position()
	}
	return sum
}

// Apply folds an event into every model that has not applied it yet.
func (v *Views) Apply(e *domain.Event, data domain.EventData) error {
	for _, m := range v.Models() {
		if e.Position <= m.Position() {
			continue
		}
		if err := m.Apply(e, data); err != nil {
			return fmt.Errorf("%s: %w", m.Name(), err)
		}
	}
	return nil
}

// cursor is the part every model shares: a lock and a position. The
// position is written under the write lock, once the event is applied, and
// read without the lock: the projector asks every model for it on every
// event. A reader that sees a position and then takes the read lock sees
// everything applied up to it.
type cursor struct {
	mu  sync.RWMutex
	pos atomic.Uint64
}

// Position implements Model.
func (c *cursor) Position() uint64 { return c.pos.Load() }

// check refuses an event that does not come after what was applied. The
// caller holds the write lock and sets pos once the event is applied.
func (c *cursor) check(e *domain.Event) error {
	if at := c.pos.Load(); e.Position <= at {
		return fmt.Errorf("event at position %d arrived after position %d", e.Position, at)
	}
	return nil
}

// pass records that the model applied e without its state changing (an
// event it does not read): only the position moves, and no lock is taken,
// since readers under the lock see the same state before and after.
func (c *cursor) pass(e *domain.Event) error {
	if err := c.check(e); err != nil {
		return err
	}
	c.pos.Store(e.Position)
	return nil
}
