package projections_test

import (
	"context"
	"slices"
	"testing"

	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/projections"
	"taskledger/replay"
)

// The audit index lists, for every plan, task and unit, exactly the
// positions of the events domain.RefOf and domain.UnitsOf say concern it,
// in log order, and says the same after a snapshot round trip.
func TestAuditIndexFollowsTheDomain(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	scenario(t, s)
	reg := domain.DefaultRegistry()
	byPlan := map[domain.PlanID][]uint64{}
	byTask := map[projections.TaskKey][]uint64{}
	byUnit := map[domain.UnitID][]uint64{}
	reports := 0
	_, err := replay.Run(ctx, s, reg, replay.Options{}, func(e *domain.Event, data domain.EventData) error {
		if _, ok := data.(domain.ProgressReported); ok {
			reports++
		}
		ref := domain.RefOf(data)
		if ref.Plan != "" {
			byPlan[ref.Plan] = append(byPlan[ref.Plan], e.Position)
		}
		if ref.Task != 0 {
			k := projections.TaskKey{Plan: ref.Plan, Task: ref.Task}
			byTask[k] = append(byTask[k], e.Position)
		}
		for _, u := range domain.UnitsOf(data) {
			byUnit[u] = append(byUnit[u], e.Position)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if reports == 0 || len(byPlan) == 0 || len(byTask) == 0 || len(byUnit) < 2 {
		t.Fatalf("the scenario is too small to tell: %d reports, %d plans, %d tasks, %d units", reports, len(byPlan), len(byTask), len(byUnit))
	}
	built, err := projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := projections.SaveSnapshot(ctx, dir, s, built.Audit); err != nil {
		t.Fatal(err)
	}
	restored := projections.NewViews(projections.Config{})
	if err := projections.LoadSnapshot(ctx, dir, s, restored.Audit); err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]*projections.Audit{"built": built.Audit, "restored": restored.Audit} {
		for p, want := range byPlan {
			if got := a.PlanPositions(p); !slices.Equal(got, want) {
				t.Errorf("%s: plan %s: %v, want %v", name, p, got, want)
			}
		}
		for k, want := range byTask {
			if got := a.TaskPositions(k.Plan, k.Task); !slices.Equal(got, want) {
				t.Errorf("%s: task %v: %v, want %v", name, k, got, want)
			}
		}
		for u, want := range byUnit {
			if got := a.UnitPositions(u); !slices.Equal(got, want) {
				t.Errorf("%s: unit %s: %v, want %v", name, u, got, want)
			}
		}
		if got := a.UnitPositions("no.such.unit"); len(got) != 0 {
			t.Errorf("%s: an unknown unit has positions %v", name, got)
		}
	}
}
