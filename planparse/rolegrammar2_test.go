package planparse

import (
	"reflect"
	"strings"
	"testing"
)

// phrasingText is a constructed plan in phrasings found in city and county
// plans: a first-listed-leads directive worded 排在首位, a conjunction
// joining two collectives, labels separated by an ASCII ";", parks named as
// units, a 〔…〕 bracket whose 负责落实 names the local governments, and a
// 责任单位 list that repeats the 牵头单位 after it.
const phrasingText = `某市优化营商环境实施方案
一、重点任务
1.减轻企业负担。（责任单位：市税务局、市财政局，排在首位的为牵头单位，下同）
2.推行清单管理。（市政府办公室牵头，市级各有关部门及各县市区政府按职责分工负责）
3.规划产业园区。(牵头单位:县园区服务中心;责任单位:电子信息产业园、现代物流园等)
4.严格准入。〔市生态环境局牵头，市发展和改革局、市场监管局参与，各县、区人民政府(管委会)负责落实〕
5.淘汰落后产能。(市经信局牵头,县(市、区)政府负责落实)
6.稳定外贸。（责任单位：区商务局、区开发区管委会；牵头单位：区商务局）
`

func TestRolePhrasings(t *testing.T) {
	p, err := Parse(strings.NewReader(phrasingText), Options{Registry: EmptyRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][]resp{
		1: {{"市税务局", RoleLead, 1}, {"市财政局", RoleSupport, 1}},
		2: {{"市政府办公室", RoleLead, 1}},
		3: {{"县园区服务中心", RoleLead, 1}, {"电子信息产业园", RoleSupport, 1}, {"现代物流园", RoleSupport, 1}},
		4: {{"市生态环境局", RoleLead, 1}, {"市发展和改革局", RoleSupport, 1}, {"市市场监管局", RoleSupport, 1}},
		5: {{"市经信局", RoleLead, 1}},
		6: {{"区开发区管委会", RoleSupport, 1}, {"区商务局", RoleLead, 1}},
	}
	for n, w := range want {
		if got := resps(taskByNumber(t, p, n)); !reflect.DeepEqual(got, w) {
			t.Errorf("task %d: %v, want %v", n, got, w)
		}
	}
	phrases := func(n int) []string {
		var out []string
		for _, c := range taskByNumber(t, p, n).Collectives {
			out = append(out, c.Phrase)
		}
		return out
	}
	if got := phrases(2); !reflect.DeepEqual(got, []string{"市级各有关部门", "各县市区政府"}) {
		t.Errorf("task 2 collectives %v", got)
	}
	if got := phrases(4); !reflect.DeepEqual(got, []string{"各县、区人民政府(管委会)"}) {
		t.Errorf("task 4 collectives %v", got)
	}
	if got := phrases(5); !reflect.DeepEqual(got, []string{"县(市、区)政府"}) {
		t.Errorf("task 5 collectives %v", got)
	}
	for _, u := range p.Units {
		if u.Kind != KindCollective && (strings.HasPrefix(u.Name, "各") || strings.Contains(u.Name, "(市、区)")) {
			t.Errorf("a collective became the unit %q", u.Name)
		}
	}
}
