package planimport_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/planimport"
	"taskledger/planparse"
)

// importPlan parses src with an empty registry and imports it as plan id.
func importPlan(t *testing.T, s eventstore.Store, id domain.PlanID, src []byte, allowPartial bool) (*planparse.Plan, planimport.Report, error) {
	t.Helper()
	plan, err := planparse.ParseBytes(src, planparse.Options{Registry: planparse.EmptyRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := planimport.Import(context.Background(), command.NewHandler(s, domain.DefaultRegistry()), views(t, s), plan, src,
		planimport.Options{Plan: id, Now: now, AllowPartial: allowPartial})
	return plan, rep, err
}

// The ledger holds exactly the tasks the parse reports, for every plan in
// testdata.
func TestImportStoresEveryParsedTask(t *testing.T) {
	for _, f := range []string{"anhui_rcep_2022", "baotou_szzf_kaoping_2022", "guowuyuan_nongji_2018", "chifeng-air-quality-plan"} {
		src, err := os.ReadFile("../planparse/testdata/" + f + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		s := memory.New()
		plan, _, err := importPlan(t, s, "doc", src, false)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := len(views(t, s).Catalog.Tasks("doc")); got != len(plan.Tasks) {
			t.Errorf("%s: parsed %d tasks, the ledger holds %d", f, len(plan.Tasks), got)
		}
	}
}

// restartText numbers its tasks （一）（二） again in every chapter, as many
// national pilot plans do.
const restartText = `某市农业机械化试点工作实施方案
一、总体要求
（一）指导思想。坚持问题导向。
二、重点任务
（一）建设示范基地。2025年底前建成示范基地10个。（市农牧局牵头，市财政局配合）
（二）完善补贴政策。到2025年，补贴覆盖全部主要机型。（市财政局负责）
三、保障措施
（一）加强组织领导。建立协调机制。（市农牧局负责）
（二）强化资金保障。（市财政局负责）
`

func TestRepeatedNumbersGetOrdinals(t *testing.T) {
	s := memory.New()
	plan, _, err := importPlan(t, s, "pilot", []byte(restartText), false)
	if err != nil {
		t.Fatal(err)
	}
	tasks := views(t, s).Catalog.Tasks("pilot")
	if len(tasks) != len(plan.Tasks) || len(tasks) != 4 {
		t.Fatalf("parsed %d tasks, the ledger holds %d", len(plan.Tasks), len(tasks))
	}
	want := []struct{ label, title string }{{"二、（一）", "建设示范基地"}, {"二、（二）", "完善补贴政策"}, {"三、（一）", "加强组织领导"}, {"三、（二）", "强化资金保障"}}
	for i, task := range tasks {
		if task.No != domain.TaskNo(i+1) || task.Label != want[i].label || task.Title != want[i].title {
			t.Errorf("task %d: no %d label %q title %q, want %q %q", i, task.No, task.Label, task.Title, want[i].label, want[i].title)
		}
	}
	_, rep, err := importPlan(t, s, "pilot", []byte(restartText), false)
	if err != nil || len(rep.Changes) != 0 {
		t.Errorf("re-import: %d changes, %v", len(rep.Changes), err)
	}
}

// A numbered item after a trailer is named and refused unless partial
// imports are allowed.
func TestUnreadItemsRefused(t *testing.T) {
	text := restartText + "国务院\n2018年12月21日\n1.遗漏的任务。加强督查。（市农牧局负责）\n"
	s := memory.New()
	_, _, err := importPlan(t, s, "pilot", []byte(text), false)
	if !errors.Is(err, planimport.ErrPartial) || !strings.Contains(err.Error(), "遗漏的任务") {
		t.Fatalf("err %v, want ErrPartial naming the item", err)
	}
	if n := len(views(t, s).Catalog.Tasks("pilot")); n != 0 {
		t.Errorf("a refused import recorded %d tasks", n)
	}
	if _, _, err := importPlan(t, s, "pilot", []byte(text), true); err != nil {
		t.Fatalf("allow partial: %v", err)
	}
}
