package planparse

import (
	"reflect"
	"strings"
	"testing"
)

// A document run together on one line: its title, its items 1. 2. 3. and
// the 责任单位 sentences that close them are read as if on lines of their
// own.
func TestInlineItemsAndLabels(t *testing.T) {
	text := "关于支持企业发展的三条意见。为支持企业发展，现提出以下意见。1.对新建项目给予补助。责任单位：市财政局、市发改委。" +
		"2.对企业投资2.5亿元以上的项目，给予奖励。责任单位：市商务局。3.优化审批。牵头单位：市审批局；配合单位：市司法局。\n"
	p := mustParse(t, text, Options{Registry: EmptyRegistry()})
	if p.Title != "关于支持企业发展的三条意见" || len(p.Tasks) != 3 {
		t.Fatalf("title %q, %d tasks: %+v", p.Title, len(p.Tasks), p.Tasks)
	}
	want := map[int][]resp{
		1: {{"市财政局", RoleJoint, 1}, {"市发改委", RoleJoint, 1}},
		2: {{"市商务局", RoleJoint, 1}},
		3: {{"市审批局", RoleLead, 1}, {"市司法局", RoleSupport, 1}},
	}
	for n, w := range want {
		if got := resps(taskByNumber(t, p, n)); !reflect.DeepEqual(got, w) {
			t.Errorf("task %d: %v, want %v", n, got, w)
		}
	}
	if !strings.Contains(p.Tasks[1].Text, "2.5亿元") {
		t.Errorf("2.5亿元 was cut: %q", p.Tasks[1].Text)
	}
}

// Numbers after a sentence end that do not run in sequence from 1 are text.
func TestInlineNumbersOutOfSequenceStayText(t *testing.T) {
	for _, s := range []string{
		"（三）推进改造。完成3.改造任务。（市住建局负责）",
		"（三）推进改造。增长10%。2.5亿元用于改造。（市住建局负责）",
	} {
		p := mustParse(t, "某市方案\n一、任务\n"+s+"\n", Options{Registry: EmptyRegistry()})
		if len(p.Tasks) != 1 || p.Layout != LayoutParen {
			t.Errorf("%s: layout %s, %d tasks", s, p.Layout, len(p.Tasks))
		}
	}
}
