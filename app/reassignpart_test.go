package app_test

import (
	"context"
	"testing"

	"taskledger/app"
	"taskledger/domain"
)

// Reassigning a later duty of a unit on a task (a later bracket's part)
// passes that duty, not the unit's first duty on the task.
func TestReassignALaterPartPassesThatPart(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	var later domain.ObligationKey
	for _, ob := range f.views.Views().Obligations.All() {
		if ob.Key.Part > 0 && ob.Active() {
			later = ob.Key
			break
		}
	}
	if later.Part == 0 {
		t.Fatal("the imported plan has no active later part")
	}
	first := later
	first.Part = 0
	ref := refOf(later)
	ref.Part = later.Part
	if _, err := f.svc.ReassignResponsibility(ctx, coordinator, app.ReassignInput{Obligation: ref, ToUnit: "敖汉旗", Reason: "属地调整", IdempotencyKey: "part-re"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	obs := f.views.Views().Obligations
	moved, ok := obs.Get(later.Stream())
	if !ok || moved.Status != domain.StatusReassigned {
		t.Fatalf("part %d: %+v (found %v), want reassigned", later.Part, moved.Status, ok)
	}
	if kept, ok := obs.Get(first.Stream()); ok && kept.Status == domain.StatusReassigned {
		t.Errorf("the unit's first duty %s was reassigned instead of part %d", first.Path(), later.Part)
	}
	// The new holder takes the same part: a later bracket's duty stays
	// that bracket's and is not merged into another duty of the unit.
	to := domain.ObligationKey{Plan: later.Plan, Task: later.Task, Unit: "county.aohan", Role: later.Role, Part: later.Part}
	if succ, ok := obs.Get(to.Stream()); !ok || !succ.Active() || len(succ.Milestones) == 0 {
		t.Errorf("the new holder's duty %s: found %v, %+v", to.Path(), ok, succ)
	}
	if moved.ReassignedTo == nil || *moved.ReassignedTo != to {
		t.Errorf("part %d records it went to %v, want %s", later.Part, moved.ReassignedTo, to.Path())
	}
}
