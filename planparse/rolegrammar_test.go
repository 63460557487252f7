package planparse

import (
	"reflect"
	"strings"
	"testing"
)

// pilotText is a constructed plan in the phrasings of provincial pilot
// plans: labelled brackets, 参与 and 指导, a bracket on its own line and a
// standing directive between tasks.
const pilotText = `某省农业机械化试点工作实施方案
一、总体要求
（一）工作目标。到2025年，试点取得成效。
二、重点任务
（一）建设示范基地。2025年底前建成示范基地10个。（牵头单位：市农业农村局，配合单位：市财政局、市发展改革委，各区、县级市）
（二）完善补贴政策。（责任单位：省财政厅、省农业农村厅，各市人民政府）
（三）推进信息化。（省农业农村厅牵头，省通信管理局参与）
（四）加强技术指导。（省农业农村厅指导）
以下均需试点城市政府落实，不再列出。
（五）培育服务组织。（省农业农村厅负责）
（六）强化人才支撑。2024年6月底前完成培训。
（负责部门：省人力资源社会保障厅；参与单位：省教育厅、省农业农村厅）
`

func TestRoleGrammar(t *testing.T) {
	p, err := Parse(strings.NewReader(pilotText), Options{Registry: EmptyRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][]resp{
		1: {{"市农业农村局", RoleLead, 1}, {"市财政局", RoleSupport, 1}, {"市发展改革委", RoleSupport, 1}},
		2: {{"省财政厅", RoleJoint, 1}, {"省农业农村厅", RoleJoint, 1}},
		3: {{"省农业农村厅", RoleLead, 1}, {"省通信管理局", RoleSupport, 1}},
		4: {{"省农业农村厅", RoleJoint, 1}},
		5: {{"省农业农村厅", RoleJoint, 1}},
		6: {{"省人力资源社会保障厅", RoleJoint, 1}, {"省教育厅", RoleSupport, 1}, {"省农业农村厅", RoleSupport, 1}},
	}
	for n, w := range want {
		if got := resps(taskByNumber(t, p, n)); !reflect.DeepEqual(got, w) {
			t.Errorf("task %d: %v, want %v", n, got, w)
		}
	}
	collectives := map[int][]Collective{
		1: {{"各区、县级市", RoleSupport, 1}},
		2: {{"各市人民政府", RoleJoint, 1}},
		4: nil,
		5: {{"试点城市政府", RoleImplementing, 0}},
		6: {{"试点城市政府", RoleImplementing, 0}},
	}
	for n, w := range collectives {
		if got := taskByNumber(t, p, n).Collectives; !reflect.DeepEqual(got, w) {
			t.Errorf("task %d collectives: %v, want %v", n, got, w)
		}
	}
	for _, u := range p.Units {
		if u.Name == "县级市" || u.Name == "各区" {
			t.Errorf("a collective became the unit %q", u.Name)
		}
	}
}

// Items numbered "1﹒" (U+FE52) and "2．" read as "1." and "2.".
func TestSmallFullStopNumbering(t *testing.T) {
	text := "某省行动方案\n一、重点任务\n（一）扩大开放\n1﹒扩大出口。（省商务厅负责）\n2．扩大进口。（省商务厅负责）\n3、优化服务。（省商务厅负责）\n"
	p, err := Parse(strings.NewReader(text), Options{Registry: EmptyRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tasks) != 3 || p.Layout != LayoutItems || p.Tasks[0].Title != "扩大出口" {
		t.Fatalf("%d tasks in layout %s: %+v", len(p.Tasks), p.Layout, p.Tasks)
	}
}
