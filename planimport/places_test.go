package planimport_test

import (
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
