package app

import (
	"context"
	"time"

	"taskledger/auth"
	"taskledger/deadline"
	"taskledger/domain"
)

// TickResult says what one deadline check recorded.
type TickResult struct {
	// At is the moment deadlines were checked at: the layer's clock.
	At time.Time
	// Outcome lists the obligations checked and the slips recorded.
	Outcome deadline.Outcome
	// Reminders lists the reminders (催办, 逾期催办, 升级督办) recorded by
	// this tick.
	Reminders []Result
	// RectificationSlips lists the RectificationSlipped events recorded
	// by this tick, one per finding whose rectification date passed
	// unrectified.
	RectificationSlips []Result
}

// Tick records every deadline slip and every reminder due now, by the
// layer's clock, for milestones due on or after their plan's tracking
// start (those due before it are to be backfilled): a reminder N days
// before a due date, one when it is overdue, escalations to the task's
// lead unit after M days overdue and to the supervising office after M
// more (N and M from the scoring scheme of the due date's year), and a
// RectificationSlipped for every finding whose rectification date passed
// with no rectification reported by then. Slips
// and reminders already on record are not recorded again. There is no way to tick at
// another moment: recorded time is the ledger's, not the caller's.
func (s *Service) Tick(ctx context.Context, p auth.Principal) (TickResult, error) {
	if err := s.authorize(ctx, p, RecordSlips); err != nil {
		return TickResult{}, err
	}
	at := s.clock.Now()
	cat := s.current().Catalog
	since := func(plan domain.PlanID) domain.Date {
		pl, _ := cat.Plan(plan)
		return pl.TrackingStart()
	}
	out, err := deadline.New(s.commands, s.current().Obligations, s.logger).WithActor(p.Actor()).WithTrackingStart(since).Tick(ctx, at)
	res := TickResult{At: at, Outcome: out}
	if err != nil {
		return res, err
	}
	if res.Reminders, err = s.remind(ctx, p, at); err != nil {
		return res, err
	}
	res.RectificationSlips, err = s.slipRectifications(ctx, p, at)
	return res, err
}
