package domain

import (
	"errors"
	"testing"
)

func TestStreamNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		ref  StreamRef
	}{
		{"plan-chifeng-air", StreamRef{Kind: StreamPlan, Plan: "chifeng-air"}},
		{"task-chifeng-air-10", StreamRef{Kind: StreamTask, Plan: "chifeng-air", Task: 10}},
		{"task-p.2025-3", StreamRef{Kind: StreamTask, Plan: "p.2025", Task: 3}},
		{"unit-bureau.ecology-environment", StreamRef{Kind: StreamUnit, Unit: "bureau.ecology-environment"}},
		{"obligation-chifeng-air-10-bureau.transport-lead",
			StreamRef{Kind: StreamObligation, Plan: "chifeng-air", Task: 10, Unit: "bureau.transport", Role: RoleLead}},
		{"obligation-chifeng-air.2025-3-county.ar-horqin-implementing",
			StreamRef{Kind: StreamObligation, Plan: "chifeng-air.2025", Task: 3, Unit: "county.ar-horqin", Role: RoleImplementing}},
		// A unit whose parts are digits is fine: only the plan's may not be.
		{"obligation-p-7-unit-2024-x-support",
			StreamRef{Kind: StreamObligation, Plan: "p", Task: 7, Unit: "unit-2024-x", Role: RoleSupport}},
		{"obligation-p-12-9-joint", StreamRef{Kind: StreamObligation, Plan: "p", Task: 12, Unit: "9", Role: RoleJoint}},
	} {
		if got := tc.ref.Stream(); got != tc.name {
			t.Errorf("%+v.Stream() = %q, want %q", tc.ref, got, tc.name)
		}
		got, err := ParseStream(tc.name)
		if err != nil || got != tc.ref {
			t.Errorf("ParseStream(%q) = %+v, %v; want %+v", tc.name, got, err, tc.ref)
		}
	}
	if PlanStream("p") != "plan-p" || TaskStream("p", 3) != "task-p-3" || UnitStream("u") != "unit-u" ||
		ObligationStream("p", 3, "county.linxi", RoleImplementing) != "obligation-p-3-county.linxi-implementing" {
		t.Error("stream name functions")
	}
	k := ObligationKey{Plan: "p", Task: 3, Unit: "county.linxi", Role: RoleSupport}
	if k.Stream() != "obligation-p-3-county.linxi-support" || k.Path() != "p/3/county.linxi/SUPPORT" {
		t.Errorf("key: %s %s", k.Stream(), k.Path())
	}
}

func TestParseStreamRefuses(t *testing.T) {
	for _, name := range []string{
		"", "plan", "plan-", "plan-Chifeng", "plan-chifeng-2025", "task-p", "task-p-0", "task-p-03", "task-p-x",
		"unit-", "unit-a b", "ledger-x", "obligation-p-3-lead", "obligation-p-3-u-owner", "obligation-p-3-u-LEAD",
		"obligation-p-x-u-lead", "obligation-3-u-lead", "obligation-p-03-u-lead", "obligation-p-3--lead",
	} {
		if ref, err := ParseStream(name); !errors.Is(err, ErrInvalidID) {
			t.Errorf("ParseStream(%q) = %+v, %v; want ErrInvalidID", name, ref, err)
		}
	}
}
