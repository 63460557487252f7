package planparse

import (
	"reflect"
	"testing"
)

// Layouts first met in the unseen excerpts (testdata/unseen).

func TestTortoiseShellBracketAndInvolveDirective(t *testing.T) {
	p := mustParse(t, plan(
		"甲任务。〔责任单位：省发展改革委、商务厅按职责分工负责。具体任务均涉及相关市（州）人民政府，不再做分工，下同。〕",
		"乙任务。〔责任单位：省市场监管局〕",
	), Options{Registry: EmptyRegistry()})
	want := []resp{{"省发展改革委", RoleJoint, 1}, {"省商务厅", RoleJoint, 1}}
	if got := resps(p.Tasks[0]); !reflect.DeepEqual(got, want) {
		t.Errorf("task 3: %v, want %v", got, want)
	}
	if got := resps(p.Tasks[1]); !reflect.DeepEqual(got, []resp{{"省市场监管局", RoleJoint, 1}}) {
		t.Errorf("task 4: %v", got)
	}
	for _, task := range p.Tasks {
		if c := task.Collectives; len(c) != 1 || c[0].Phrase != "相关市（州）人民政府" {
			t.Errorf("task %d collectives %+v", task.Number, c)
		}
	}
}

func TestLabelLinesAfterItem(t *testing.T) {
	p := mustParse(t, plan(
		"甲任务。\n牵头单位：区发改局\n责任单位：立山经济开发区，全区经济运行各专班",
		"乙任务。\n牵头单位：区商务局\n责任单位：各街道，区市场局",
		"丙任务。\n责任单位：区财政局、区税务局",
	), Options{Registry: EmptyRegistry()})
	want := [][]resp{
		{{"区发改局", RoleLead, 1}, {"立山经济开发区", RoleSupport, 1}},
		{{"区商务局", RoleLead, 1}, {"区市场局", RoleSupport, 1}},
		{{"区财政局", RoleJoint, 1}, {"区税务局", RoleJoint, 1}},
	}
	for i, w := range want {
		if got := resps(p.Tasks[i]); !reflect.DeepEqual(got, w) {
			t.Errorf("task %d: %v, want %v", p.Tasks[i].Number, got, w)
		}
	}
	coll := [][]string{{"全区经济运行各专班"}, {"各街道"}, nil}
	for i, w := range coll {
		var got []string
		for _, c := range p.Tasks[i].Collectives {
			got = append(got, c.Phrase)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("task %d collectives %v, want %v", p.Tasks[i].Number, got, w)
		}
	}
	if p.Tasks[0].Title != "甲任务" {
		t.Errorf("title %q", p.Tasks[0].Title)
	}
}
