package app_test

import (
	"context"
	"testing"

	"taskledger/app"
	"taskledger/domain"
)

func TestAUnitSeesWhatItOwesAndItsProvisionalScore(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	v, err := f.svc.UnitOverview(ctx, ningcheng, app.UnitViewInput{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Unit.ID != "county.ningcheng" || len(v.Owes) == 0 {
		t.Fatalf("宁城县's view: unit %s, %d obligations", v.Unit.ID, len(v.Owes))
	}
	for _, ob := range v.Owes {
		if ob.Unit != "county.ningcheng" {
			t.Fatalf("宁城县's view lists %s's obligation", ob.Unit)
		}
	}
	if v.Score == nil || !v.Score.Provisional || v.Score.Card.Unit != "county.ningcheng" || len(v.Score.Card.Lines) == 0 {
		t.Fatalf("score: %+v; want 宁城县's provisional card with its lines", v.Score)
	}
	if _, err := f.svc.UnitOverview(ctx, ningcheng, app.UnitViewInput{Unit: "生态环境局"}); app.CodeOf(err) != app.Forbidden {
		t.Fatalf("a county read another unit's view: %v", err)
	}
	if _, err := f.svc.UnitOverview(ctx, committee, app.UnitViewInput{}); app.CodeOf(err) != app.InvalidArgument {
		t.Fatalf("the committee without a unit: %v", err)
	}
}

func TestALeadUnitSeesItsSupportersDuties(t *testing.T) {
	f := imported(t)
	v, err := f.svc.UnitOverview(context.Background(), bureau, app.UnitViewInput{})
	if err != nil {
		t.Fatal(err)
	}
	led := 0
	for _, ob := range v.Owes {
		if ob.Role == domain.RoleLead {
			led++
		}
	}
	if led == 0 || len(v.Leads) == 0 {
		t.Fatalf("the ecology bureau leads %d duties, its view lists %d led tasks", led, len(v.Leads))
	}
	supporters := 0
	for _, lt := range v.Leads {
		for _, s := range lt.Supporters {
			if s.Unit == bureau.Unit || s.Task != lt.Task || s.Plan != lt.Plan {
				t.Fatalf("task %d lists %s/%d among its supporters", lt.Task, s.Unit, s.Task)
			}
			supporters++
		}
	}
	if supporters == 0 {
		t.Fatal("no led task lists a supporter")
	}
}
