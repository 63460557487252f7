// Package deadline is the process manager that watches due dates: when a
// milestone's due date has passed with no completion achieved in time and no
// extension that covers it, it records DeadlineSlipped on the obligation,
// acting as "system". It is idempotent: one slip per milestone per due date,
// however often it runs, because the obligation aggregate — loaded from the
// store, not from a read model that may lag — decides.
package deadline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"taskledger/command"
	"taskledger/domain"
)

// Actor is the actor of the events the watcher records, unless WithActor
// says otherwise.
const Actor = "system"

// Source lists the obligations to check. The obligations read model is one.
type Source interface {
	All() []domain.Obligation
}

// Watcher records deadline slips.
type Watcher struct {
	h      *command.Handler
	source Source
	logger *slog.Logger
	actor  string
	// since gives the day a plan's tracking starts; nil: every due date.
	since func(domain.PlanID) domain.Date
}

// WithTrackingStart makes the watcher skip milestones due before their
// plan's tracking start (since gives it; a zero day skips nothing): they
// passed before anyone could report in the ledger, and are to be
// backfilled, not slipped.
func (w *Watcher) WithTrackingStart(since func(domain.PlanID) domain.Date) *Watcher {
	w.since = since
	return w
}

// New returns a watcher that finds candidates in source and records slips
// through h.
func New(h *command.Handler, source Source, logger *slog.Logger) *Watcher {
	if logger == nil {
		logger = slog.Default()
	}
	return &Watcher{h: h, source: source, logger: logger, actor: Actor}
}

// WithActor makes the watcher record its slips as actor: a demo ledger's
// watcher records as "demo:system", so that even the slips the live clock
// finds in simulated activity are marked simulated.
func (w *Watcher) WithActor(actor string) *Watcher {
	w.actor = actor
	return w
}

// Outcome reports one tick.
type Outcome struct {
	// Checked is how many obligations were looked at.
	Checked int
	// Recorded lists the slips recorded by this tick.
	Recorded []command.Result
}

// Tick records every slip due at now. Slips already on record are not
// recorded again.
func (w *Watcher) Tick(ctx context.Context, now time.Time) (Outcome, error) {
	var out Outcome
	for _, ob := range w.source.All() {
		out.Checked++
		for _, ms := range ob.DueSlips(now) {
			m, _ := ob.Milestone(ms)
			if w.beforeTracking(ob.Key.Plan, m.Due) {
				continue
			}
			cmd := domain.RecordSlip{ObligationKey: ob.Key, Milestone: ms}
			meta := domain.Meta{
				Actor: w.actor,
				Now:   now,
				// The due date is part of the key: after an extension the
				// same milestone can slip again, at its new date.
				IdempotencyKey: fmt.Sprintf("deadline-slip:%s:%s:%s", ob.Key.Stream(), ms, m.Due),
				// The slip speaks of the end of the due date.
				EffectiveAt: m.Due.EndOf(),
			}
			if meta.EffectiveAt.After(now) {
				meta.EffectiveAt = now
			}
			res, err := command.Dispatch(ctx, w.h, cmd, meta)
			if err != nil {
				return out, fmt.Errorf("record slip of %s milestone %s: %w", ob.Key.Path(), ms, err)
			}
			if len(res.Events) > 0 && !res.Duplicate {
				out.Recorded = append(out.Recorded, res)
				w.logger.Info("deadline slipped", "obligation", ob.Key.Path(), "milestone", ms, "due", m.Due.String())
			}
		}
	}
	return out, nil
}

// beforeTracking reports whether due falls before the plan's tracking
// start.
func (w *Watcher) beforeTracking(plan domain.PlanID, due domain.Date) bool {
	if w.since == nil {
		return false
	}
	start := w.since(plan)
	return !start.IsZero() && due.Before(start)
}

// Run ticks at every interval until ctx ends, reading the time from now.
// A failed tick is logged and retried at the next interval.
func (w *Watcher) Run(ctx context.Context, interval time.Duration, now func() time.Time) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.Tick(ctx, now()); err != nil && ctx.Err() == nil {
			w.logger.Error("deadline watcher tick failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
