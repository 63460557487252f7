package app

import (
	"context"
	"fmt"

	"taskledger/auth"
	"taskledger/internal/msg"
)

// ledgerSimulated reports whether the ledger was created by a simulation
// (its first event was recorded by a simulated principal) and whether it
// holds any event at all. Once known it never changes, so it is kept.
func (s *Service) ledgerSimulated(ctx context.Context) (simulated, empty bool, err error) {
	if m := s.mode.Load(); m != nil {
		return *m, false, nil
	}
	first, err := s.store.ReadAll(ctx, 0, 1)
	if err != nil {
		return false, false, fmt.Errorf("read the ledger's first event: %w", err)
	}
	if len(first) == 0 {
		return false, true, nil
	}
	sim := first[0].Simulated()
	s.mode.Store(&sim)
	return sim, false, nil
}

// LedgerSimulated reports whether a simulation created the ledger; an
// empty ledger is not simulated.
func (s *Service) LedgerSimulated(ctx context.Context) (bool, error) {
	sim, _, err := s.ledgerSimulated(ctx)
	return sim, err
}

// checkSimulation keeps simulation and reality apart. A ledger is
// simulated when a simulation recorded its first event. A simulated
// principal or a simulated clock acts only on a simulated ledger, or on an
// empty one that a simulated principal on a simulated clock then creates
// as simulated. Real principals may act on a simulated ledger (visitors of
// a demo), and their events are theirs.
func (s *Service) checkSimulation(ctx context.Context, p auth.Principal) error {
	if !p.Simulated && !s.clock.Simulated() {
		return nil
	}
	simulated, empty, err := s.ledgerSimulated(ctx)
	if err != nil {
		return err
	}
	switch {
	case simulated:
		return nil
	case empty && p.Simulated && s.clock.Simulated():
		return nil
	case empty:
		return fail(msg.SimNeedsSimClock, nil)
	}
	return fail(msg.SimRealLedger, nil)
}
