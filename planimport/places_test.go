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
// sharing the lead (JOINT): each duty's basis keeps the text of every
// bracket that gives it, not only the first one's.
func TestDutyBasisKeepsEveryBracketText(t *testing.T) {
	s := memory.New()
	importText(t, s, load(t))
	v := views(t, s)
	for role, texts := range map[domain.Role][]string{
		domain.RoleSupport: {"强化价格政策与产业和环保政策的协同", "严格落实清洁取暖“煤改电”"},
		domain.RoleJoint:   {"积极争取中央财政支持", "对传统产业及集群升级"},
	} {
		ob, ok := v.Obligations.Get(domain.ObligationStream("chifeng-air", 27, "bureau.ecology-environment", role))
		if !ok {
			t.Fatalf("task 27: no %s duty of 生态环境局", role)
		}
		for _, text := range texts {
			if !strings.Contains(ob.Basis, text) {
				t.Errorf("task 27 %s basis lacks %q: %q", role, text, ob.Basis)
			}
		}
	}
}
