package domain

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestObligationRecordsEventIDs checks that the fold keeps the IDs of the
// events behind slips, extensions, completions, reports, holdings and
// findings, which scorecards cite.
func TestObligationRecordsEventIDs(t *testing.T) {
	o := &Obligation{}
	n := 0
	ids := map[string]uuid.UUID{}
	// step decides c at now (effective at eff, when set), applies the
	// event with a fresh ID recorded at now, and names the ID.
	step := func(name string, now, eff time.Time, c Command) {
		t.Helper()
		m := metaAt(now)
		m.EffectiveAt = eff
		evs, err := Decide(o, c, m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, d := range evs {
			n++
			id := DeriveEventID("ids", n)
			ids[name] = id
			e := &Event{ID: id, Version: o.Version() + 1, RecordedAt: now, EffectiveAt: m.Effective(), Type: d.EventType()}
			if err := o.Apply(e, d); err != nil {
				t.Fatalf("%s: apply: %v", name, err)
			}
		}
	}
	k, me := kCounty, UnitID("county.ningcheng")
	jan, jun := cst(2025, 1, 10, 9, 0), cst(2025, 6, 1, 9, 0)
	step("assign", jan, time.Time{}, AssignResponsibility{ObligationKey: k, StartsOn: MustDate(2025, 2, 1)})
	step("m1", jan, time.Time{}, ScheduleMilestone{ObligationKey: k, Milestone: "a", Due: MustDate(2025, 3, 31)})
	step("m2", jan, time.Time{}, ScheduleMilestone{ObligationKey: k, Milestone: "b", Due: MustDate(2025, 4, 30)})
	step("report", cst(2025, 3, 2, 9, 0), time.Time{}, ReportProgress{ObligationKey: k, ActingUnit: me, Percent: 10, Period: YearMonth{2025, time.February}})
	step("request", cst(2025, 3, 20, 9, 0), time.Time{}, RequestExtension{ObligationKey: k, ActingUnit: me, Milestone: "b", Due: MustDate(2025, 6, 30), Reason: "资金"})
	// Entered on 4 May, speaking of a decision of 28 April.
	step("grant", cst(2025, 5, 4, 9, 0), cst(2025, 4, 28, 9, 0), GrantExtension{ObligationKey: k})
	step("slip", cst(2025, 4, 1, 0, 5), time.Time{}, RecordSlip{ObligationKey: k, Milestone: "a"})
	step("claim a", cst(2025, 4, 20, 9, 0), cst(2025, 4, 15, 9, 0), ClaimCompletion{ObligationKey: k, ActingUnit: me, Milestone: "a"})
	step("verify a", cst(2025, 4, 22, 9, 0), time.Time{}, VerifyCompletion{ObligationKey: k, Milestone: "a"})
	step("finding", cst(2025, 5, 1, 9, 0), time.Time{}, RecordFinding{ObligationKey: k, Kind: FindingFalseReport, Severity: SeveritySevere, Summary: "虚报", RectifyBy: MustDate(2025, 5, 31)})
	step("finding2", cst(2025, 5, 1, 9, 0), time.Time{}, RecordFinding{ObligationKey: k, Kind: FindingOther, Severity: SeverityMinor, Summary: "台账"})
	step("rectify due", cst(2025, 5, 2, 9, 0), time.Time{}, SetRectificationDue{ObligationKey: k, Finding: 2, Due: MustDate(2025, 6, 30)})
	step("rectified", cst(2025, 5, 20, 9, 0), time.Time{}, CompleteRectification{ObligationKey: k, ActingUnit: me, Finding: 1})
	step("claim b", jun, time.Time{}, ClaimCompletion{ObligationKey: k, ActingUnit: me, Milestone: "b"})
	step("verify b", jun.Add(time.Hour), time.Time{}, VerifyCompletion{ObligationKey: k, Milestone: "b"})

	if len(o.Slips) != 1 || o.Slips[0].EventID != ids["slip"] {
		t.Fatalf("slips %+v, want the slip event %s", o.Slips, ids["slip"])
	}
	b, _ := o.Milestone("b")
	want := ExtensionGrant{EventID: ids["grant"], PreviousDue: MustDate(2025, 4, 30), Due: MustDate(2025, 6, 30),
		GrantedAt: cst(2025, 4, 28, 9, 0), RecordedAt: cst(2025, 5, 4, 9, 0)}
	if len(b.Extensions) != 1 || utcGrant(b.Extensions[0]) != utcGrant(want) {
		t.Fatalf("extensions %+v, want %+v", b.Extensions, want)
	}
	a, _ := o.Milestone("a")
	if a.ClaimEventID != ids["claim a"] || a.VerifiedEventID != ids["verify a"] || !a.CompletedAt.Equal(cst(2025, 4, 15, 9, 0)) {
		t.Fatalf("milestone a: %+v", a)
	}
	// The obligation completes with its latest milestone, b.
	if o.ClaimEventID != ids["claim b"] || o.VerifiedEventID != ids["verify b"] {
		t.Fatalf("obligation claim %s verified %s", o.ClaimEventID, o.VerifiedEventID)
	}
	wantReport := PeriodReport{Period: YearMonth{2025, time.February}, Percent: 10, EventID: ids["report"],
		ReportedAt: InstantOf(cst(2025, 3, 2, 9, 0)), RecordedAt: InstantOf(cst(2025, 3, 2, 9, 0))}
	if o.PeriodReports.Len() != 1 || *o.PeriodReports.At(0) != wantReport {
		t.Fatalf("reports %+v", o.PeriodReports.Slice())
	}
	f1, _ := o.Finding(1)
	if f1.EventID != ids["finding"] || f1.RectifyByEventID != ids["finding"] || f1.RectifiedEventID != ids["rectified"] {
		t.Fatalf("finding 1: %+v", f1)
	}
	f2, _ := o.Finding(2)
	if f2.EventID != ids["finding2"] || f2.RectifyByEventID != ids["rectify due"] || f2.RectifiedEventID != (uuid.UUID{}) {
		t.Fatalf("finding 2: %+v", f2)
	}
	if len(o.Holdings) != 1 || utcHolding(o.Holdings[0]) != utcHolding(Holding{From: jan, StartsOn: MustDate(2025, 2, 1), AssignedEventID: ids["assign"]}) {
		t.Fatalf("holdings %+v", o.Holdings)
	}
}

func TestHoldingsFollowWithdrawalAndReopening(t *testing.T) {
	t1, t2, t3 := cst(2025, 1, 1, 9, 0), cst(2025, 4, 1, 9, 0), cst(2025, 7, 1, 9, 0)
	o := &Obligation{}
	for i, ev := range []timed{
		at(t1, assigned), at(t2, withdrawn), at(t3, ResponsibilityAssigned{ObligationKey: kCounty, Reopened: true}),
		at(t3.Add(time.Hour), ResponsibilityReassigned{ObligationKey: kCounty, ToUnit: "county.aohan", ToRole: RoleImplementing}),
	} {
		e := &Event{ID: DeriveEventID("h", i), Version: o.Version() + 1, RecordedAt: ev.at, EffectiveAt: ev.at, Type: ev.data.EventType()}
		if err := o.Apply(e, ev.data); err != nil {
			t.Fatal(err)
		}
	}
	want := []Holding{
		{From: t1, Until: t2, AssignedEventID: DeriveEventID("h", 0), EndedEventID: DeriveEventID("h", 1)},
		{From: t3, Until: t3.Add(time.Hour), AssignedEventID: DeriveEventID("h", 2), EndedEventID: DeriveEventID("h", 3)},
	}
	if len(o.Holdings) != 2 || utcHolding(o.Holdings[0]) != utcHolding(want[0]) || utcHolding(o.Holdings[1]) != utcHolding(want[1]) {
		t.Fatalf("holdings\n%+v\nwant\n%+v", o.Holdings, want)
	}
}

func TestWholeVerificationCarriesClaimIDToMilestones(t *testing.T) {
	o := &Obligation{}
	for i, d := range []EventData{assigned, m2024, m2025, claimAll, verifyAll} {
		e := &Event{ID: DeriveEventID("w", i), Version: o.Version() + 1, RecordedAt: base, EffectiveAt: base, Type: d.EventType()}
		if err := o.Apply(e, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, ms := range o.Milestones {
		if ms.ClaimEventID != DeriveEventID("w", 3) || ms.VerifiedEventID != DeriveEventID("w", 4) {
			t.Errorf("milestone %s: claim %s verified %s", ms.ID, ms.ClaimEventID, ms.VerifiedEventID)
		}
	}
	// A rejected claim forgets its event.
	o2 := &Obligation{}
	for i, d := range []EventData{assigned, m2025, CompletionClaimed{ObligationKey: kCounty, Milestone: "2025"}, CompletionRejected{ObligationKey: kCounty, Milestone: "2025", Reason: "r"}} {
		e := &Event{ID: DeriveEventID("r", i), Version: o2.Version() + 1, RecordedAt: base, EffectiveAt: base, Type: d.EventType()}
		if err := o2.Apply(e, d); err != nil {
			t.Fatal(err)
		}
	}
	if ms, _ := o2.Milestone("2025"); ms.ClaimEventID != (uuid.UUID{}) {
		t.Fatalf("rejected claim keeps its event %s", ms.ClaimEventID)
	}
}

// The utc helpers make values comparable with == whatever the location of
// their times.
func utcGrant(g ExtensionGrant) ExtensionGrant {
	g.GrantedAt, g.RecordedAt = g.GrantedAt.UTC(), g.RecordedAt.UTC()
	return g
}

func utcHolding(h Holding) Holding {
	h.From, h.Until = h.From.UTC(), h.Until.UTC()
	return h
}
