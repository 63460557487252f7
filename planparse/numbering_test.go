package planparse

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Measures numbered （1） under chapters are the tasks when no （一） or 1.
// numbering exists; the numbering restarts in each chapter and each task
// keeps its own place.
func TestParenNumbersAsTasks(t *testing.T) {
	text := "某市优化营商环境若干措施\n一、提升政务服务\n（1）推行一网通办。2024年6月底前实现全覆盖。（牵头单位：市政务服务局）\n" +
		"(2)压缩审批时限。（市发展改革委负责）\n二、强化要素保障\n（1）保障用地。（市自然资源局负责）\n"
	p := mustParse(t, text, Options{Registry: EmptyRegistry()})
	if p.Layout != LayoutParenNumbers || p.Title != "某市优化营商环境若干措施" {
		t.Fatalf("layout %s, title %q", p.Layout, p.Title)
	}
	got := taskHeads(p)
	want := []string{"1 一、提升政务服务 推行一网通办", "2 一、提升政务服务 压缩审批时限", "1 二、强化要素保障 保障用地"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tasks %q, want %q", got, want)
	}
	if d := p.Tasks[0].Deadlines; len(d) != 1 || d[0].Due != "2024-06-30" {
		t.Errorf("task 1 deadlines %+v", d)
	}
}

// A short notice whose measures are its chapters 一、二、三、 has those
// chapters as its tasks.
func TestChaptersAsTasks(t *testing.T) {
	text := "某县关于支持企业发展的若干措施\n一、加大财政支持。对新建项目给予补助。（责任单位：县财政局、县发改局）\n" +
		"二、强化金融服务。引导银行增加信贷。（责任单位：县金融办）\n三、优化审批服务。2024年底前完成改革。（责任单位：县行政审批局）\n"
	p := mustParse(t, text, Options{Registry: EmptyRegistry()})
	if p.Layout != LayoutChapters || len(p.Tasks) != 3 {
		t.Fatalf("layout %s, %d tasks", p.Layout, len(p.Tasks))
	}
	if got := resps(p.Tasks[0]); !reflect.DeepEqual(got, []resp{{"县财政局", RoleJoint, 1}, {"县发改局", RoleJoint, 1}}) {
		t.Errorf("task 1: %v", got)
	}
	if d := p.Tasks[2].Deadlines; len(d) != 1 || d[0].Due != "2024-12-31" {
		t.Errorf("task 3 deadlines %+v", d)
	}
}

// Under an item "1." the measures （1）（2） belong to the item: they are not
// tasks of their own.
func TestParenNumbersUnderAnItemStayInIt(t *testing.T) {
	text := "某市应急体系建设任务分解\n一、重点任务\n1.完善预案体系\n（1）加强预案管理。\n（2）推进预案演练。\n（责任单位：市应急管理局）\n2.建设物资储备。（市发展改革委负责）\n"
	p := mustParse(t, text, Options{Registry: EmptyRegistry()})
	if p.Layout != LayoutItems || len(p.Tasks) != 2 || !strings.Contains(p.Tasks[0].Text, "推进预案演练") {
		t.Fatalf("layout %s, tasks %+v", p.Layout, p.Tasks)
	}
}

// A line without any numbering is still no plan.
func TestNoNumberingIsNoPlan(t *testing.T) {
	if _, err := Parse(strings.NewReader("某方案\n加强领导。（市政府办公室负责）\n"), Options{Registry: EmptyRegistry()}); err == nil {
		t.Fatal("an unnumbered text parsed as a plan")
	}
}

// taskHeads writes each task as "number chapter title".
func taskHeads(p *Plan) []string {
	var out []string
	for _, t := range p.Tasks {
		out = append(out, strings.Join([]string{strconv.Itoa(t.Number), t.Chapter, t.Title}, " "))
	}
	return out
}

// A title line may end with a short bracket, kept ("（2018—2020年）"), or
// with a note, dropped ("（…，http://…）"); a title in 《》 counts too.
func TestTitleWithClosingBracket(t *testing.T) {
	for text, want := range map[string]string{
		"静安区加快建设国际静安三年行动计划（2018—2020年）\n一、重点任务\n（一）建设平台。（区发改委负责）\n":              "静安区加快建设国际静安三年行动计划（2018—2020年）",
		"淮安市《具体实施细则》（淮政发〔2022〕7号，http://example.org）\n一、重点任务\n1.建设平台。（市工信局负责）\n": "淮安市《具体实施细则》",
		"某省重点任务清单\n一、重点任务\n1.建设平台。（省发展改革委负责）\n":                                  "某省重点任务清单",
	} {
		if p := mustParse(t, text, Options{Registry: EmptyRegistry()}); p.Title != want {
			t.Errorf("title %q, want %q", p.Title, want)
		}
	}
}
