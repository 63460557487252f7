package projections

import (
	"slices"
	"testing"
	"time"

	"taskledger/domain"
)

// Two plans may number their tasks alike: the audit index keeps their
// lists apart however their events interleave.
func TestAuditKeepsPlansWithTheSameTaskNumbersApart(t *testing.T) {
	a := newAudit(time.Hour)
	report := func(plan domain.PlanID) domain.ProgressReported {
		return domain.ProgressReported{ObligationKey: domain.ObligationKey{Plan: plan, Task: 1, Unit: "county.a", Role: domain.RoleLead}}
	}
	for pos, plan := range []domain.PlanID{"a", "b", "b", "a", "a", "b"} {
		e := &domain.Event{Position: uint64(pos + 1), Type: "ProgressReported"}
		if err := a.Apply(e, report(plan)); err != nil {
			t.Fatal(err)
		}
	}
	for plan, want := range map[domain.PlanID][]uint64{"a": {1, 4, 5}, "b": {2, 3, 6}} {
		if got := a.TaskPositions(plan, 1); !slices.Equal(got, want) {
			t.Errorf("plan %s, task 1: %v, want %v", plan, got, want)
		}
		if got := a.PlanPositions(plan); !slices.Equal(got, want) {
			t.Errorf("plan %s: %v, want %v", plan, got, want)
		}
	}
	if got, want := a.UnitPositions("county.a"), []uint64{1, 2, 3, 4, 5, 6}; !slices.Equal(got, want) {
		t.Errorf("unit: %v, want %v", got, want)
	}
}

// A compact list gives back what was added, across one-byte and longer
// gaps, and one restored from a list that goes back is refused.
func TestPositionsRoundTrip(t *testing.T) {
	want := []uint64{1, 2, 130, 131, 1 << 20, 1<<20 + 1, 1 << 40}
	p := &positions{}
	for _, pos := range want {
		p.add(pos)
	}
	if got := p.list(); !slices.Equal(got, want) {
		t.Fatalf("list %v, want %v", got, want)
	}
	q, err := positionsOf(want)
	if err != nil || !slices.Equal(q.list(), want) {
		t.Fatalf("positionsOf: %v, %v", q.list(), err)
	}
	if _, err := positionsOf([]uint64{5, 3}); err == nil {
		t.Fatal("a list going back was accepted")
	}
	if got := (*positions)(nil).list(); got != nil {
		t.Fatalf("no list gives %v", got)
	}
}
