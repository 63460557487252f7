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
