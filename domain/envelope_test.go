package domain

import (
	"slices"
	"testing"
	"time"
)

func TestEffectiveTime(t *testing.T) {
	recorded := cst(2025, 7, 10, 9, 0)
	effective := cst(2025, 6, 30, 18, 0)
	tests := []struct {
		name                string
		effective, recorded time.Time
		want                time.Time
	}{
		{"effective given", effective, recorded, effective},
		{"no effective time: recorded", time.Time{}, recorded, recorded},
		{"effective after recorded is kept", recorded.Add(time.Hour), recorded, recorded.Add(time.Hour)},
		{"both zero", time.Time{}, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EffectiveTime(tt.effective, tt.recorded); !got.Equal(tt.want) {
				t.Errorf("EffectiveTime = %s, want %s", got, tt.want)
			}
			e := &Event{EffectiveAt: tt.effective, RecordedAt: tt.recorded}
			if got := e.Effective(); !got.Equal(tt.want) {
				t.Errorf("Event.Effective = %s, want %s", got, tt.want)
			}
			m := Meta{EffectiveAt: tt.effective, Now: tt.recorded}
			if got := m.Effective(); !got.Equal(tt.want) {
				t.Errorf("Meta.Effective = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestEventBackdated(t *testing.T) {
	recorded := cst(2025, 7, 10, 9, 0)
	const week = 7 * 24 * time.Hour
	tests := []struct {
		name      string
		effective time.Time
		grace     time.Duration
		want      bool
	}{
		{"no effective time", time.Time{}, week, false},
		{"same moment", recorded, week, false},
		{"within the grace", recorded.Add(-week + time.Second), week, false},
		{"exactly the grace", recorded.Add(-week), week, false},
		{"beyond the grace", recorded.Add(-week - time.Nanosecond), week, true},
		{"effective after recorded", recorded.Add(time.Hour), week, false},
		{"zero grace, a nanosecond earlier", recorded.Add(-time.Nanosecond), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Event{RecordedAt: recorded, EffectiveAt: tt.effective}
			if got := e.Backdated(tt.grace); got != tt.want {
				t.Errorf("Backdated(%s) = %v, want %v", tt.grace, got, tt.want)
			}
		})
	}
}

func TestSimulatedActor(t *testing.T) {
	tests := []struct {
		actor string
		want  bool
	}{
		{"demo:county.hongshan", true},
		{"demo:system", true},
		{"demo:", true},
		{"system", false},
		{"county.hongshan", false},
		{"Demo:office", false},
		{" demo:office", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.actor, func(t *testing.T) {
			if got := SimulatedActor(tt.actor); got != tt.want {
				t.Errorf("SimulatedActor(%q) = %v, want %v", tt.actor, got, tt.want)
			}
			if got := (&Event{Actor: tt.actor}).Simulated(); got != tt.want {
				t.Errorf("Event{Actor: %q}.Simulated() = %v, want %v", tt.actor, got, tt.want)
			}
		})
	}
}

// unknownEvent is a payload no switch in the package knows.
type unknownEvent struct{}

func (unknownEvent) EventType() string { return "Unknown" }

func TestRefOfAndUnitsOf(t *testing.T) {
	tests := []struct {
		name  string
		data  EventData
		ref   StreamRef
		units []UnitID
	}{
		{"plan", PlanRegistered{Plan: "chifeng-air"}, StreamRef{Kind: StreamPlan, Plan: "chifeng-air"}, nil},
		{"scheme", SchemeAdopted{Plan: "chifeng-air"}, StreamRef{Kind: StreamPlan, Plan: "chifeng-air"}, nil},
		{"scorecard", ScorecardPublished{Plan: "chifeng-air"}, StreamRef{Kind: StreamPlan, Plan: "chifeng-air"}, nil},
		{"task", TaskRegistered{Plan: "chifeng-air", Task: 10}, StreamRef{Kind: StreamTask, Plan: "chifeng-air", Task: 10}, nil},
		{"task amended", TaskAmended{Plan: "chifeng-air", Task: 10}, StreamRef{Kind: StreamTask, Plan: "chifeng-air", Task: 10}, nil},
		{"unit", UnitRegistered{Unit: "bureau.x"}, StreamRef{Kind: StreamUnit, Unit: "bureau.x"}, []UnitID{"bureau.x"}},
		{"unit renamed", UnitRenamed{Unit: "bureau.x"}, StreamRef{Kind: StreamUnit, Unit: "bureau.x"}, []UnitID{"bureau.x"}},
		{"unit merged", UnitMerged{Unit: "bureau.x", Into: "bureau.y"}, StreamRef{Kind: StreamUnit, Unit: "bureau.x"}, []UnitID{"bureau.x", "bureau.y"}},
		{"unit merged into itself", UnitMerged{Unit: "bureau.x", Into: "bureau.x"}, StreamRef{Kind: StreamUnit, Unit: "bureau.x"}, []UnitID{"bureau.x"}},
		{"indicator", IndicatorMeasured{Unit: "county.ningcheng"}, StreamRef{Kind: StreamUnit, Unit: "county.ningcheng"}, []UnitID{"county.ningcheng"}},
		{"obligation", ProgressReported{ObligationKey: kCounty}, StreamRef{Kind: StreamObligation, Plan: kCounty.Plan, Task: kCounty.Task, Unit: kCounty.Unit, Role: kCounty.Role}, []UnitID{kCounty.Unit}},
		{"reassigned to another unit", ResponsibilityReassigned{ObligationKey: kLead, ToUnit: "bureau.y", ToRole: RoleLead},
			StreamRef{Kind: StreamObligation, Plan: kLead.Plan, Task: kLead.Task, Unit: kLead.Unit, Role: kLead.Role}, []UnitID{kLead.Unit, "bureau.y"}},
		{"reassigned to another role", ResponsibilityReassigned{ObligationKey: kLead, ToUnit: kLead.Unit, ToRole: RoleSupport},
			StreamRef{Kind: StreamObligation, Plan: kLead.Plan, Task: kLead.Task, Unit: kLead.Unit, Role: kLead.Role}, []UnitID{kLead.Unit}},
		{"unknown", unknownEvent{}, StreamRef{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RefOf(tt.data); got != tt.ref {
				t.Errorf("RefOf = %+v, want %+v", got, tt.ref)
			}
			if got := UnitsOf(tt.data); !slices.Equal(got, tt.units) {
				t.Errorf("UnitsOf = %v, want %v", got, tt.units)
			}
			if got, want := StreamOf(tt.data), tt.ref.Stream(); got != want {
				t.Errorf("StreamOf = %q, want %q", got, want)
			}
		})
	}
	// Every registered payload type has an aggregate.
	for _, s := range samples() {
		if RefOf(s).Kind == "" {
			t.Errorf("%s: no aggregate", s.EventType())
		}
	}
}
