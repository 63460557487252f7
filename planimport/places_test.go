package planimport_test

import (
	"strings"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore/memory"
)

// Task (十八) says 元宝山区、宁城县全部涉气工业企业…从2026年1月1日起…执行特别排放
// 限值: that milestone is due from those two counties only, not from the
// other ten that implement the task.
func TestMilestoneNamingPlacesGoesOnlyToThem(t *testing.T) {
	s := memory.New()
	importText(t, s, load(t))
	v := views(t, s)
	start := domain.MustDate(2026, time.January, 1)
	has := func(unit domain.UnitID) bool {
		ob, ok := v.Obligations.Get(domain.ObligationStream("chifeng-air", 18, unit, domain.RoleImplementing))
		if !ok {
			t.Fatalf("%s does not implement task 18", unit)
		}
		for _, m := range ob.Milestones {
			if m.Due == start {
				return true
			}
		}
		return false
	}
	for unit, want := range map[domain.UnitID]bool{
		"county.ningcheng": true, "county.yuanbaoshan": true, "county.hongshan": false, "county.aohan": false,
	} {
		if got := has(unit); got != want {
			t.Errorf("%s has the 2026-01-01 milestone of task 18: %v, want %v", unit, got, want)
		}
	}
}

// Task (二十七) names 生态环境局 in four brackets, twice as SUPPORT and twice
// sharing the lead (JOINT): each bracket gives a duty of its own (the later
// ones told apart by their bracket's number), whose basis is that bracket's
// text and no other's.
func TestEachBracketGivesItsOwnDuty(t *testing.T) {
	s := memory.New()
	importText(t, s, load(t))
	v := views(t, s)
	key := func(role domain.Role, part int) domain.ObligationKey {
		return domain.ObligationKey{Plan: "chifeng-air", Task: 27, Unit: "bureau.ecology-environment", Role: role, Part: part}
	}
	for _, tc := range []struct {
		key        domain.ObligationKey
		has, lacks string
	}{
		{key(domain.RoleSupport, 0), "强化价格政策与产业和环保政策的协同", "严格落实清洁取暖“煤改电”"},
		{key(domain.RoleSupport, 4), "严格落实清洁取暖“煤改电”", "强化价格政策与产业和环保政策的协同"},
		{key(domain.RoleJoint, 0), "积极争取中央财政支持", "对传统产业及集群升级"},
		{key(domain.RoleJoint, 6), "对传统产业及集群升级", "积极争取中央财政支持"},
	} {
		ob, ok := v.Obligations.Get(tc.key.Stream())
		if !ok {
			t.Errorf("task 27: no duty %s", tc.key.Path())
			continue
		}
		if ob.Key != tc.key {
			t.Errorf("%s: stored key %+v", tc.key.Path(), ob.Key)
		}
		if !strings.Contains(ob.Basis, tc.has) || strings.Contains(ob.Basis, tc.lacks) {
			t.Errorf("%s basis %q: want %q and not %q", tc.key.Path(), ob.Basis, tc.has, tc.lacks)
		}
	}
}
