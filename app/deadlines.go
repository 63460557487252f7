package app

import (
	"context"
	"time"

	"taskledger/auth"
	"taskledger/deadline"
)

// TickResult says what one deadline check recorded.
type TickResult struct {
	// At is the moment deadlines were checked at: the layer's clock.
	At time.Time
	// Outcome lists the obligations checked and the slips recorded.
	Outcome deadline.Outcome
}

// Tick records every deadline slip due now, by the layer's clock. Slips
// already on record are not recorded again. There is no way to tick at
// another moment: recorded time is the ledger's, not the caller's.
func (s *Service) Tick(ctx context.Context, p auth.Principal) (TickResult, error) {
	if err := s.authorize(ctx, p, RecordSlips); err != nil {
		return TickResult{}, err
	}
	at := s.clock.Now()
	out, err := deadline.New(s.commands, s.current().Obligations, s.logger).WithActor(p.Actor()).Tick(ctx, at)
	return TickResult{At: at, Outcome: out}, err
}
