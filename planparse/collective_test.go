package planparse

import (
	"strings"
	"testing"
)

// collectiveText is a city plan whose brackets name collectives of local
// governments and of departments.
const collectiveText = "广州市某某实施方案\n一、重点任务\n" +
	"（一）甲任务。（牵头单位：市商务局，配合单位：市财政局，各区、县级市）\n" +
	"（二）乙任务。（市商务局牵头，各区人民政府落实）\n" +
	"（三）丙任务。（市商务局牵头，各有关部门配合）\n" +
	"（四）丁任务。（各区、县级市负责）\n"

func TestCollectivesStayWhole(t *testing.T) {
	p := mustParse(t, collectiveText, Options{})
	for _, u := range p.Units {
		if u.Name == "县级市" || u.Name == "各区" {
			t.Errorf("a fragment became the unit %+v", u)
		}
	}
	holder := func(task Task, phrase string) (Responsibility, bool) {
		for _, r := range task.Responsibilities {
			if r.Collective && r.Unit == phrase {
				return r, true
			}
		}
		return Responsibility{}, false
	}
	r1, ok1 := holder(p.Tasks[0], "各区、县级市")
	r4, ok4 := holder(p.Tasks[3], "各区、县级市")
	if !ok1 || !ok4 || r1.Role != RoleSupport || r4.Role != RoleJoint || r1.UnitID != r4.UnitID || r1.Known {
		t.Errorf("task 1 holder %+v (%v), task 4 %+v (%v)", r1, ok1, r4, ok4)
	}
	if r, ok := holder(p.Tasks[1], "各区人民政府"); !ok || r.Role != RoleImplementing {
		t.Errorf("task 2: %+v", p.Tasks[1].Responsibilities)
	}
	// 各有关部门 names no level: a collective, not a duty-holder.
	if _, ok := holder(p.Tasks[2], "各有关部门"); ok || len(p.Tasks[2].Collectives) != 1 {
		t.Errorf("task 3: %+v %+v", p.Tasks[2].Responsibilities, p.Tasks[2].Collectives)
	}
	kinds := map[string]string{}
	for _, u := range p.Units {
		kinds[u.Name] = u.Kind
	}
	if kinds["各区、县级市"] != KindCollective || kinds["市商务局"] != KindBureau {
		t.Errorf("unit kinds %v", kinds)
	}
	// One grouped warning per phrase.
	n := 0
	for _, w := range p.Warnings {
		if w.Code == WarnCollective && strings.Contains(w.Message, "各区、县级市") {
			n++
			if !strings.Contains(w.Message, "2 tasks (1, 4)") {
				t.Errorf("warning %q does not group the tasks", w.Message)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d warnings about 各区、县级市, want 1", n)
	}
}

// With a registry that lists the local governments, the collectives expand
// to them, with the role the bracket gives.
func TestCollectivesExpandToRegistryKind(t *testing.T) {
	reg, err := LoadRegistry(strings.NewReader(`{"jurisdiction": "广州市", "units": [
		{"id": "gz.commerce", "name": "商务局", "kind": "bureau", "aliases": ["市商务局"]},
		{"id": "gz.tianhe", "name": "天河区", "kind": "county"},
		{"id": "gz.conghua", "name": "从化区", "kind": "county"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	p := mustParse(t, collectiveText, Options{Registry: reg})
	got := map[string]Role{}
	for _, r := range p.Tasks[0].Responsibilities {
		if r.Collective {
			t.Errorf("collective holder %+v despite the registry's counties", r)
		}
		got[r.UnitID] = r.Role
	}
	if got["gz.tianhe"] != RoleSupport || got["gz.conghua"] != RoleSupport || got["gz.commerce"] != RoleLead {
		t.Errorf("task 1 roles %v", got)
	}
	for _, r := range p.Tasks[1].Responsibilities {
		if r.UnitID == "gz.tianhe" && r.Role != RoleImplementing {
			t.Errorf("task 2: %+v", r)
		}
	}
	if len(p.Tasks[1].Responsibilities) != 3 {
		t.Errorf("task 2: %+v", p.Tasks[1].Responsibilities)
	}
	// Chifeng's standing 各旗县区人民政府 still expands to its twelve counties.
	cf := parseFile(t, chifengFile, Options{})
	n := 0
	for _, r := range taskByNumber(t, cf, 28).Responsibilities {
		if r.Role == RoleImplementing && strings.HasPrefix(r.UnitID, "county.") {
			n++
		}
	}
	if n != 12 {
		t.Errorf("Chifeng task 28: %d implementing counties, want 12", n)
	}
}

// No plan under testdata (held-out excerpts aside) yields a unit named by a
// fragment of a collective, and every collective duty-holder is named by a
// whole collective phrase.
func TestNoFragmentUnitsInTestdata(t *testing.T) {
	files := []string{chifengFile, "testdata/anhui_rcep_2022.txt", "testdata/baotou_szzf_kaoping_2022.txt",
		"testdata/guowuyuan_nongji_2018.txt", "testdata/unseen/sichuan_liutong_2022_excerpt.txt",
		"testdata/unseen/anshan_lishan_2023_excerpt.txt"}
	for _, f := range files {
		p := parseFile(t, f, Options{})
		for _, u := range p.Units {
			if levelRE.MatchString(u.Name) {
				t.Errorf("%s: unit %q is a fragment of a collective", f, u.Name)
			}
		}
		for _, task := range p.Tasks {
			for _, r := range task.Responsibilities {
				if r.Collective && !collectiveRE.MatchString(r.Unit) {
					t.Errorf("%s task %d: collective holder %q is not a collective phrase", f, task.Number, r.Unit)
				}
			}
		}
	}
}

// A standing directive naming local governments that no registry lists
// makes them an implementing collective duty-holder of each task it covers.
func TestStandingCollectiveHolder(t *testing.T) {
	p := parseFile(t, "testdata/unseen/sichuan_liutong_2022_excerpt.txt", Options{})
	for _, task := range p.Tasks {
		held := false
		for _, r := range task.Responsibilities {
			held = held || r.Collective && r.Unit == "相关市（州）人民政府" && r.Role == RoleImplementing && r.Bracket == 0
		}
		if !held {
			t.Errorf("task %d: %+v", task.Number, task.Responsibilities)
		}
	}
	// 试点城市政府 names no level: a collective only.
	pilot := mustParse(t, "某省试点方案\n一、重点任务\n（一）甲任务。（以下均需试点城市政府落实，不再列出）\n（二）乙任务。（省农业农村厅负责）\n", Options{})
	for _, r := range pilot.Tasks[1].Responsibilities {
		if r.Collective {
			t.Errorf("试点城市政府 became a duty-holder: %+v", r)
		}
	}
	if len(pilot.Tasks[1].Collectives) != 1 {
		t.Errorf("collectives %+v", pilot.Tasks[1].Collectives)
	}
}
