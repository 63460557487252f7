package planparse

import (
	"reflect"
	"testing"
)

// A progress page that prints each work item as a form of "key: | value |"
// lines reads as items: the numbered work-item field is the item, unit
// fields are its units, quarterly targets its deadlines, and the progress
// field (and its value on the next line) is left out with a warning.
func TestWorkItemForms(t *testing.T) {
	text := "某市2024年重点工作推进情况\n" +
		"重点工作: | 12.推进老旧小区改造,全年改造小区80个。 |\n" +
		"牵头单位: | 市住房城乡建设局 |\n" +
		"配合单位: | 市财政局、各区政府 |\n" +
		"年度阶段性工作目标: | 第二季度:开工40个。 第四季度:全部完工。 |\n" +
		"进展情况: |\n" +
		"已开工52个,预计2024年11月底前完工。 |\n" +
		"重点工作: | 13.新建公办幼儿园5所。 |\n" +
		"牵头单位: | 市教育局 |\n" +
		"完成时限: | 2024年8月底前 |\n"
	p := mustParse(t, text, Options{Registry: EmptyRegistry(), PlanYear: 2024})
	if len(p.Tasks) != 2 {
		t.Fatalf("tasks %+v", p.Tasks)
	}
	want := map[int][]resp{
		12: {{"市住房城乡建设局", RoleLead, 1}, {"市财政局", RoleSupport, 1}},
		13: {{"市教育局", RoleLead, 1}},
	}
	dues := map[int][]string{12: {"2024-06-30", "2024-12-31"}, 13: {"2024-08-31"}}
	for n, w := range want {
		task := taskByNumber(t, p, n)
		if got := resps(task); !reflect.DeepEqual(got, w) {
			t.Errorf("task %d: %v, want %v", n, got, w)
		}
		var got []string
		for _, d := range task.Deadlines {
			got = append(got, d.Due)
		}
		if !reflect.DeepEqual(got, dues[n]) {
			t.Errorf("task %d deadlines %v, want %v", n, got, dues[n])
		}
	}
	if !hasWarning(p, WarnTableColumn) {
		t.Error("no warning about the progress field left out")
	}
}
