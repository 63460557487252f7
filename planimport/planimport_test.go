package planimport_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/planimport"
	"taskledger/planparse"
	"taskledger/projections"
)

var now = time.Date(2024, 3, 1, 9, 0, 0, 0, domain.Shanghai())

func load(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("../examples/chifeng-air-quality-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func importText(t *testing.T, s eventstore.Store, src []byte) planimport.Report {
	t.Helper()
	ctx := context.Background()
	plan, err := planparse.ParseBytes(src, planparse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := domain.DefaultRegistry()
	v, err := projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := planimport.Import(ctx, command.NewHandler(s, reg), v, plan, src, planimport.Options{Plan: "chifeng-air", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func views(t *testing.T, s eventstore.Store) *projections.Views {
	t.Helper()
	v, err := projections.BuildAt(context.Background(), s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestImportRecordsThePlanOnceAndOnlyOnce(t *testing.T) {
	s := memory.New()
	src := load(t)
	first := importText(t, s, src)
	counts := first.Counts()
	if counts["PlanRegistered"] != 1 || counts["TaskRegistered"] != 28 {
		t.Fatalf("first import: %v", counts)
	}
	v := views(t, s)
	if n := len(v.Catalog.Tasks("chifeng-air")); n != 28 {
		t.Fatalf("%d tasks in the catalog", n)
	}
	// Task (十): transport bureau, development and reform, ecology share the
	// lead (JOINT); every county implements; the railway line milestone is
	// due at the end of 2024.
	ob, ok := v.Obligations.Get(domain.ObligationStream("chifeng-air", 10, "bureau.transport", domain.RoleJoint))
	if !ok {
		t.Fatal("task 10 has no JOINT obligation of the transport bureau")
	}
	var has2024 bool
	for _, m := range ob.Milestones {
		if m.Due == domain.MustDate(2024, time.December, 31) && m.What == "投入运行" {
			has2024 = true
		}
	}
	if !has2024 {
		t.Fatalf("task 10 milestones %+v lack 投入运行 by 2024-12-31", ob.Milestones)
	}
	if _, ok := v.Obligations.Get(domain.ObligationStream("chifeng-air", 10, "county.ningcheng", domain.RoleImplementing)); !ok {
		t.Fatal("宁城县 does not implement task 10")
	}
	// Task (三) names no date: it is due at the plan's horizon.
	t3, _ := v.Obligations.Get(domain.ObligationStream("chifeng-air", 3, "bureau.development-reform", domain.RoleJoint))
	if len(t3.Milestones) != 1 || t3.Milestones[0].Due != domain.MustDate(2025, time.December, 31) {
		t.Fatalf("task 3 milestones %+v", t3.Milestones)
	}
	p, _ := v.Catalog.Plan("chifeng-air")
	var pm25City bool
	for _, tg := range p.Targets {
		if tg.Metric == "pm25" && tg.Unit == "" && tg.Comparator == domain.AtMost && tg.Value == 25 {
			pm25City = true
		}
	}
	if !pm25City {
		t.Fatalf("plan targets %+v lack PM2.5 ≤ 25", p.Targets)
	}

	head, _ := s.Head(context.Background())
	again := importText(t, s, src)
	if len(again.Changes) != 0 {
		t.Fatalf("re-import recorded %d events: %v", len(again.Changes), again.Counts())
	}
	if after, _ := s.Head(context.Background()); after != head {
		t.Fatalf("head moved from %d to %d on re-import", head, after)
	}
}

func TestImportOfAnAmendedTextRecordsOnlyTheDifferences(t *testing.T) {
	s := memory.New()
	src := load(t)
	importText(t, s, src)
	amended := string(src)
	// (二十): drop the agriculture bureau from the bracket.
	amended = strings.Replace(amended, "（赤峰市生态环境局、农牧局牵头负责）", "（赤峰市生态环境局牵头负责）", 1)
	// (二十五): the emission inventory is due a year later.
	amended = strings.Replace(amended, "2025年底前，完成排放清单编制", "2026年底前，完成排放清单编制", 1)
	// (二十六): new wording of the title.
	amended = strings.Replace(amended, "积极落实国家、自治区法规和标准要求。", "全面落实国家、自治区法规和标准要求。", 1)
	// (二十一): the meteorological bureau now supports.
	amended = strings.Replace(amended, "（赤峰市生态环境局牵头负责）\n（二十二）", "（赤峰市生态环境局牵头，气象局配合）\n（二十二）", 1)
	if amended == string(src) {
		t.Fatal("the amendments did not apply to the text")
	}
	rep := importText(t, s, []byte(amended))
	counts := rep.Counts()
	// Four task texts changed (20, 21 and 25 in their brackets or dates, 26
	// in its title); one duty is withdrawn, one assigned with its milestone.
	want := map[string]int{"ResponsibilityWithdrawn": 1, "TaskAmended": 4, "ResponsibilityAssigned": 1, "MilestoneScheduled": 1}
	// The moved deadline keeps its milestone id (derived from what is due),
	// so it is rescheduled on every obligation of task 25 it concerns.
	v := views(t, s)
	var rescheduled int
	for _, c := range rep.Changes {
		if c.Type == "MilestoneRescheduled" {
			rescheduled++
			if !strings.Contains(c.Stream, "-25-") {
				t.Errorf("rescheduled on %s, which is not task 25", c.Stream)
			}
		}
	}
	if rescheduled == 0 {
		t.Fatalf("no milestone rescheduled: %v", counts)
	}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%s: %d recorded, want %d (all changes: %v)", typ, counts[typ], n, counts)
		}
	}
	ag, _ := v.Obligations.Get(domain.ObligationStream("chifeng-air", 20, "bureau.agriculture-animal-husbandry", domain.RoleLead))
	if ag.Status != domain.StatusWithdrawn {
		t.Fatalf("agriculture bureau on task 20 is %q, want withdrawn", ag.Status)
	}
	task26, _ := v.Catalog.Task("chifeng-air", 26)
	if !strings.HasPrefix(task26.Title, "全面落实") {
		t.Fatalf("task 26 title %q", task26.Title)
	}
	if again := importText(t, s, []byte(amended)); len(again.Changes) != 0 {
		t.Fatalf("re-importing the amended text recorded %v", again.Counts())
	}
}
