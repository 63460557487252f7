package audit

import (
	"slices"
	"testing"
	"time"

	"taskledger/domain"
)

// A report or claim sent back for revision is flagged reversed in the
// trail; the resubmission is not.
func TestSentBackIsReversed(t *testing.T) {
	k := domain.ObligationKey{Plan: "p", Task: 1, Unit: "bureau.a", Role: domain.RoleSupport}
	at := time.Date(2025, time.March, 20, 9, 0, 0, 0, domain.Shanghai())
	march, _ := domain.NewYearMonth(2025, time.March)
	f := NewFlagger(0)
	apply := func(pos uint64, d domain.EventData) {
		f.Apply(&domain.Event{Position: pos, Stream: k.Stream(), RecordedAt: at, EffectiveAt: at}, d)
	}
	apply(1, domain.ProgressReported{ObligationKey: k, Percent: 30, Period: march})
	apply(2, domain.ProgressReported{ObligationKey: k, Percent: 40, Period: march})
	apply(3, domain.WorkSentBack{ObligationKey: k, Target: domain.SendBackReport, Report: 2, Reasons: "x"})
	apply(4, domain.CompletionClaimed{ObligationKey: k})
	apply(5, domain.WorkSentBack{ObligationKey: k, Target: domain.SendBackClaim, Reasons: "x"})
	apply(6, domain.CompletionClaimed{ObligationKey: k})
	for pos, want := range map[uint64]bool{1: false, 2: true, 4: true, 6: false} {
		if got := slices.Contains(f.Flags(pos), FlagReversed); got != want {
			t.Errorf("position %d: reversed %v, want %v (%v)", pos, got, want, f.Flags(pos))
		}
	}
}
