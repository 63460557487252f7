package app_test

import (
	"context"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/eventstore"
)

var coordinator = auth.Principal{TokenID: "t-co", Role: auth.Coordinator, Name: "office"}

func mustDate(t *testing.T, s string) domain.Date {
	t.Helper()
	d, err := domain.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fixture) obligation(k domain.ObligationKey) domain.Obligation {
	f.t.Helper()
	f.sync()
	ob, ok := f.views.Views().Obligations.Get(domain.ObligationStream(k.Plan, k.Task, k.Unit, k.Role))
	if !ok {
		f.t.Fatalf("no obligation %s", k.Path())
	}
	return ob
}

func TestScheduleAndRescheduleMilestoneKeepTheReason(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	k := f.duty()
	res, err := f.svc.ScheduleMilestone(ctx, coordinator, app.ScheduleInput{Obligation: refOf(k), Milestone: "check", What: "自查报告", Due: mustDate(t, "2025-09-30"), IdempotencyKey: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Events) != 1 || res.Events[0].Type != "MilestoneScheduled" || res.Events[0].Actor != coordinator.Actor() {
		t.Fatalf("schedule recorded %+v", res.Events)
	}
	_, err = f.svc.RescheduleMilestone(ctx, coordinator, app.RescheduleInput{Obligation: refOf(k), Milestone: "check", Due: mustDate(t, "2025-10-31"), Reason: "国庆假期顺延", IdempotencyKey: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	ob := f.obligation(k)
	ms, ok := ob.Milestone("check")
	if !ok || ms.Due.String() != "2025-10-31" {
		t.Fatalf("milestone after reschedule: %+v", ms)
	}
	events, err := f.store.ReadStream(ctx, domain.ObligationStream(k.Plan, k.Task, k.Unit, k.Role), eventstore.Forwards, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	data, err := domain.DefaultRegistry().Decode(&last)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := data.(domain.MilestoneRescheduled); !ok || r.Reason != "国庆假期顺延" || r.PreviousDue.String() != "2025-09-30" {
		t.Fatalf("history holds %#v, want the reschedule with its reason and previous date", data)
	}
}

func TestPlanChangesAreRefused(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	k := f.duty()
	before := f.head()
	cases := []struct {
		name string
		code app.Code
		run  func() error
	}{
		{"a county may not reschedule", app.Forbidden, func() error {
			_, err := f.svc.RescheduleMilestone(ctx, ningcheng, app.RescheduleInput{Obligation: refOf(k), Milestone: "m1", Due: mustDate(t, "2026-01-31"), Reason: "x", IdempotencyKey: "a"})
			return err
		}},
		{"empty reason", app.InvalidArgument, func() error {
			_, err := f.svc.RescheduleMilestone(ctx, coordinator, app.RescheduleInput{Obligation: refOf(k), Milestone: "m1", Due: mustDate(t, "2026-01-31"), Reason: "  ", IdempotencyKey: "b"})
			return err
		}},
		{"impossible date", app.InvalidArgument, func() error {
			_, err := f.svc.ScheduleMilestone(ctx, coordinator, app.ScheduleInput{Obligation: refOf(k), Milestone: "far", Due: mustDate(t, "2999-01-01"), IdempotencyKey: "c"})
			return err
		}},
		{"no date", app.InvalidArgument, func() error {
			_, err := f.svc.ScheduleMilestone(ctx, coordinator, app.ScheduleInput{Obligation: refOf(k), Milestone: "none", IdempotencyKey: "d"})
			return err
		}},
		{"unknown unit to reassign to", app.NotFound, func() error {
			_, err := f.svc.ReassignResponsibility(ctx, coordinator, app.ReassignInput{Obligation: refOf(k), ToUnit: "不存在的单位", IdempotencyKey: "e"})
			return err
		}},
		{"reassign to the holder", app.InvalidArgument, func() error {
			_, err := f.svc.ReassignResponsibility(ctx, coordinator, app.ReassignInput{Obligation: refOf(k), ToUnit: string(k.Unit), IdempotencyKey: "f"})
			return err
		}},
		{"rename an unknown unit", app.NotFound, func() error {
			_, err := f.svc.RenameUnit(ctx, coordinator, app.RenameInput{Unit: "不存在的单位", Name: "新名称", IdempotencyKey: "g"})
			return err
		}},
		{"merge into itself", app.InvalidArgument, func() error {
			_, err := f.svc.MergeUnits(ctx, coordinator, app.MergeInput{Unit: "宁城县", Into: "county.ningcheng", IdempotencyKey: "h"})
			return err
		}},
		{"merge into an unknown unit", app.NotFound, func() error {
			_, err := f.svc.MergeUnits(ctx, coordinator, app.MergeInput{Unit: "宁城县", Into: "不存在的单位", IdempotencyKey: "i"})
			return err
		}},
		{"a committee may not merge", app.Forbidden, func() error {
			_, err := f.svc.MergeUnits(ctx, committee, app.MergeInput{Unit: "宁城县", Into: "敖汉旗", IdempotencyKey: "j"})
			return err
		}},
	}
	for _, c := range cases {
		if err := c.run(); app.CodeOf(err) != c.code {
			t.Errorf("%s: want %s, got %s: %v", c.name, c.code, app.CodeOf(err), err)
		}
	}
	if h := f.head(); h != before {
		t.Fatalf("refused changes recorded %d events", h-before)
	}
}

func TestReassignPassesTheDutyAndItsMilestones(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	k := f.duty()
	in := app.ReassignInput{Obligation: refOf(k), ToUnit: "敖汉旗", Reason: "属地调整", IdempotencyKey: "re1"}
	res, err := f.svc.ReassignResponsibility(ctx, coordinator, in)
	if err != nil {
		t.Fatal(err)
	}
	to := domain.ObligationKey{Plan: k.Plan, Task: k.Task, Unit: "county.aohan", Role: k.Role}
	old, succ := f.obligation(k), f.obligation(to)
	if old.Status != domain.StatusReassigned || !succ.Active() || len(succ.Milestones) != len(old.Milestones) {
		t.Fatalf("after reassignment: old %s, new active %v with %d of %d milestones", old.Status, succ.Active(), len(succ.Milestones), len(old.Milestones))
	}
	head := f.head()
	again, err := f.svc.ReassignResponsibility(ctx, coordinator, in)
	if err != nil || !again.Duplicate || f.head() != head || again.Position != res.Position {
		t.Fatalf("the same request again: %+v, %v; head %d → %d", again, err, head, f.head())
	}
	in.Reason = "另一理由"
	_, err = f.svc.ReassignResponsibility(ctx, coordinator, in)
	f.refused(err, app.IdempotencyConflict, head)
}

func TestRenameAndMergeHistoryFollowsTheUnit(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	if _, err := f.svc.RenameUnit(ctx, coordinator, app.RenameInput{Unit: "宁城县", Name: "宁城市", Reason: "撤县设市", IdempotencyKey: "n1"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	u, err := f.views.Views().Catalog.ResolveUnit("宁城县")
	if err != nil || u.ID != "county.ningcheng" || u.Name != "宁城市" {
		t.Fatalf("the former name finds %+v, %v", u, err)
	}
	open := 0
	for _, ob := range f.views.Views().Obligations.All() {
		if ob.Key.Unit == "county.ningcheng" && ob.Active() {
			open++
		}
	}
	f.now = f.now.Add(time.Hour)
	res, err := f.svc.MergeUnits(ctx, coordinator, app.MergeInput{Unit: "宁城市", Into: "敖汉旗", Reason: "区划调整", IdempotencyKey: "m1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Handed) != open || open == 0 {
		t.Fatalf("merger handed %d duties, the unit held %d open", len(res.Handed), open)
	}
	f.sync()
	v := f.views.Views()
	if v.Catalog.Successor("county.ningcheng") != "county.aohan" {
		t.Fatalf("successor of 宁城 is %s", v.Catalog.Successor("county.ningcheng"))
	}
	for _, ob := range v.Obligations.All() {
		if ob.Key.Unit == "county.ningcheng" && ob.Active() {
			t.Fatalf("%s is still open on the merged unit", ob.Key.Path())
		}
	}
	before := f.head()
	_, err = f.svc.RenameUnit(ctx, coordinator, app.RenameInput{Unit: "county.ningcheng", Name: "再改名", IdempotencyKey: "n2"})
	f.refused(err, app.Conflict, before)
}

func TestSplitUnitHandsDutiesToTheHeir(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	in := app.SplitInput{Unit: "宁城县", Into: []app.SplitPart{{Unit: "county.ningcheng-east", Name: "宁城东区"}, {Unit: "敖汉旗"}},
		Heir: "宁城东区", Reason: "区划调整", IdempotencyKey: "s1"}
	before := f.head()
	bad := in
	bad.Heir = "红山区"
	_, err := f.svc.SplitUnit(ctx, coordinator, bad)
	f.refused(err, app.InvalidArgument, before)
	bad = in
	bad.Into = []app.SplitPart{{Unit: "宁城县"}, {Unit: "敖汉旗"}}
	bad.Heir = "敖汉旗"
	_, err = f.svc.SplitUnit(ctx, coordinator, bad)
	if app.CodeOf(err) == "" || f.head() != before {
		t.Fatalf("split into itself: %v, head %d → %d", err, before, f.head())
	}
	res, err := f.svc.SplitUnit(ctx, coordinator, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Handed) == 0 {
		t.Fatal("the split handed over no duties")
	}
	f.sync()
	v := f.views.Views()
	if v.Catalog.Successor("county.ningcheng") != "county.ningcheng-east" {
		t.Fatalf("history follows %s", v.Catalog.Successor("county.ningcheng"))
	}
	if u, ok := v.Catalog.Unit("county.ningcheng-east"); !ok || u.Name != "宁城东区" || u.Kind != domain.KindCounty {
		t.Fatalf("the new unit: %+v", u)
	}
	for _, k := range res.Handed {
		to := k
		to.Unit = "county.ningcheng-east"
		if ob := f.obligation(to); !ob.Active() {
			t.Fatalf("%s did not pass to the heir", k.Path())
		}
	}
	head := f.head()
	again, err := f.svc.SplitUnit(ctx, coordinator, in)
	if err != nil || !again.Duplicate || f.head() != head {
		t.Fatalf("the same split again: %+v, %v", again, err)
	}
}

// The scorecard follows the unit: after a merger the absorbed county's
// slips count on its successor's card, and it has no card of its own.
func TestScorecardFollowsTheMergedUnit(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	k := f.duty()
	if _, err := f.svc.ScheduleMilestone(ctx, coordinator, app.ScheduleInput{Obligation: refOf(k), Milestone: "q1", What: "一季度自查", Due: mustDate(t, "2025-03-31"), IdempotencyKey: "q1"}); err != nil {
		t.Fatal(err)
	}
	f.now = time.Date(2025, 5, 1, 9, 0, 0, 0, shanghai)
	f.sync()
	if _, err := f.svc.Tick(ctx, operator); err != nil {
		t.Fatal(err)
	}
	f.sync()
	slips := func() map[domain.UnitID]int {
		res, err := f.views.Views().Scorecards("chifeng-air", 2025, "county", "", 0, f.now)
		if err != nil {
			t.Fatal(err)
		}
		out := map[domain.UnitID]int{}
		for _, c := range res.Cards {
			out[c.Unit] = c.Slips
		}
		return out
	}
	before := slips()
	if before["county.ningcheng"] == 0 {
		t.Fatalf("宁城县 has no slip to carry: %v", before)
	}
	if _, err := f.svc.MergeUnits(ctx, coordinator, app.MergeInput{Unit: "宁城县", Into: "敖汉旗", IdempotencyKey: "m"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	after := slips()
	if _, ok := after["county.ningcheng"]; ok {
		t.Fatal("the merged county still has a card")
	}
	if want := before["county.ningcheng"] + before["county.aohan"]; after["county.aohan"] != want {
		t.Fatalf("敖汉旗 carries %d slips, want %d", after["county.aohan"], want)
	}
}
