package planparse

import (
	"reflect"
	"strings"
	"testing"
)

// The other documents in testdata have other layouts. Their registry is
// empty: every unit they name is new. The samples below were read by hand
// against the text.

// resp is a responsibility reduced to what the samples check.
type resp struct {
	Unit    string
	Role    Role
	Bracket int
}

// resps lists a task's named units; collective duty-holders are checked
// through Task.Collectives (and in collective_test.go).
func resps(t Task) []resp {
	var out []resp
	for _, r := range t.Responsibilities {
		if r.Collective {
			continue
		}
		out = append(out, resp{r.Unit, r.Role, r.Bracket})
	}
	return out
}

func taskByNumber(t *testing.T, p *Plan, n int) Task {
	t.Helper()
	for _, task := range p.Tasks {
		if task.Number == n {
			return task
		}
	}
	t.Fatalf("no task %d", n)
	return Task{}
}

func TestDocumentTaskCounts(t *testing.T) {
	tests := []struct {
		file   string
		layout Layout
		first  int
		last   int
		tasks  int
	}{
		{"chifeng-air-quality-plan.txt", LayoutParen, 3, 30, 28},
		{"anhui_rcep_2022.txt", LayoutItems, 1, 24, 24},
		{"baotou_szzf_kaoping_2022.txt", LayoutItems, 1, 90, 90},
		{"guowuyuan_nongji_2018.txt", LayoutParen, 3, 20, 18},
	}
	for _, tt := range tests {
		p := parseFile(t, "testdata/"+tt.file, Options{Registry: EmptyRegistry()})
		if len(p.Tasks) != tt.tasks || p.Layout != tt.layout {
			t.Errorf("%s: %d tasks in layout %s, want %d in %s", tt.file, len(p.Tasks), p.Layout, tt.tasks, tt.layout)
			continue
		}
		for i, task := range p.Tasks {
			if task.Number != tt.first+i {
				t.Errorf("%s: task %d numbered %d", tt.file, i, task.Number)
			}
			if task.Title == "" {
				t.Errorf("%s: task %d has no title", tt.file, task.Number)
			}
		}
		if p.Tasks[len(p.Tasks)-1].Number != tt.last {
			t.Errorf("%s: last task %d, want %d", tt.file, p.Tasks[len(p.Tasks)-1].Number, tt.last)
		}
	}
}

func TestAnhui(t *testing.T) {
	p := parseFile(t, "testdata/anhui_rcep_2022.txt", Options{Registry: EmptyRegistry()})
	if want := "安徽省关于加快对接《区域全面经济伙伴关系协定》（RCEP）经贸新规则扎实推进高水平开放实施意见"; p.Title != want {
		t.Errorf("title %q", p.Title)
	}
	t1 := taskByNumber(t, p, 1)
	if t1.Chapter != "（一）大力发展货物贸易" || t1.Part != "二、重点任务" || t1.Title != "扩大优势产品出口" {
		t.Errorf("task 1: chapter %q part %q title %q", t1.Chapter, t1.Part, t1.Title)
	}
	// Three brackets, each with its own scope: （合肥海关负责）（省商务厅牵头，
	// 合肥海关配合）（省商务厅牵头，省农业农村厅配合）.
	want := []resp{{"合肥海关", RoleJoint, 1}, {"省商务厅", RoleLead, 2}, {"合肥海关", RoleSupport, 2}, {"省商务厅", RoleLead, 3}, {"省农业农村厅", RoleSupport, 3}}
	if got := resps(t1); !reflect.DeepEqual(got, want) {
		t.Errorf("task 1: %v", got)
	}
	if s := t1.Responsibilities[0].Scope; s != "扩大优势产品出口。建立RCEP国别商品税率对比清单，深化企业对RCEP重点国别关税减让的理解掌握。" {
		t.Errorf("task 1 bracket 1 scope %q", s)
	}
	// （合肥海关牵头，省贸促会、省商务厅按职责分工配合）
	if got, want := resps(taskByNumber(t, p, 3)), []resp{{"合肥海关", RoleLead, 1}, {"省贸促会", RoleSupport, 1}, {"省商务厅", RoleSupport, 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("task 3: %v", got)
	}
	// （省商务厅牵头，省十大新兴产业推进组工作专班牵头单位按职责分工负责）: the
	// second is a collective.
	t10 := taskByNumber(t, p, 10)
	if got, want := resps(t10), []resp{{"省商务厅", RoleLead, 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("task 10: %v", got)
	}
	if len(t10.Collectives) != 1 || t10.Collectives[0].Phrase != "省十大新兴产业推进组工作专班牵头单位" || t10.Collectives[0].Role != RoleSupport {
		t.Errorf("task 10 collectives %+v", t10.Collectives)
	}
	// （…牵头单位牵头，…成员单位按职责分工配合）: nothing to hold to account.
	if t15 := taskByNumber(t, p, 15); len(t15.Responsibilities) != 0 || len(t15.Collectives) != 2 {
		t.Errorf("task 15: %v, collectives %+v", resps(t15), t15.Collectives)
	}
	// （人行合肥中心支行负责）…（中国出口信用保险公司安徽分公司负责）
	if got, want := resps(taskByNumber(t, p, 20)), []resp{{"人行合肥中心支行", RoleJoint, 1}, {"中国出口信用保险公司安徽分公司", RoleJoint, 2}}; !reflect.DeepEqual(got, want) {
		t.Errorf("task 20: %v", got)
	}
	if t22 := taskByNumber(t, p, 22); t22.Chapter != "三、保障措施" || t22.Part != "" {
		t.Errorf("task 22 chapter %q part %q", t22.Chapter, t22.Part)
	}
	if len(p.OverallTargets) != 3 || p.OverallTargets[2].Value != 10 || p.OverallTargets[2].Due != "2024-12-31" {
		t.Errorf("overall targets %+v", p.OverallTargets)
	}
	for _, u := range p.Units {
		if u.Known {
			t.Errorf("unit %+v known to an empty registry", u)
		}
	}
	// With the Chifeng registry the Anhui units are still all new.
	p = parseFile(t, "testdata/anhui_rcep_2022.txt", Options{Registry: ChifengRegistry()})
	for _, u := range p.Units {
		if u.Known {
			t.Errorf("Anhui unit %+v known to the Chifeng registry", u)
		}
	}
	if !hasWarning(p, WarnUnknownUnit) || !hasWarning(p, WarnCollective) || !hasWarning(p, WarnNoAttribution) {
		t.Errorf("warnings %+v", p.Warnings)
	}
}

func TestBaotou(t *testing.T) {
	p := parseFile(t, "testdata/baotou_szzf_kaoping_2022.txt", Options{Registry: EmptyRegistry()})
	if p.Title != "包头市2022年数字政府建设考评办法" || p.PlanYear != 2022 {
		t.Errorf("title %q, plan year %d", p.Title, p.PlanYear)
	}
	t1 := taskByNumber(t, p, 1)
	if t1.Chapter != "（一）一体化政务服务平台建设" || t1.Part != "一、政务服务“一网通办”" {
		t.Errorf("task 1 chapter %q part %q", t1.Chapter, t1.Part)
	}
	// （6月底完成，牵头考核单位：市政府办公室、市公安局）
	t3 := taskByNumber(t, p, 3)
	if got, want := resps(t3), []resp{{"市政府办公室", RoleLead, 1}, {"市公安局", RoleLead, 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("task 3: %v", got)
	}
	if len(t3.Deadlines) != 1 || t3.Deadlines[0].Due != "2022-06-30" || t3.Deadlines[0].Milestone != "完成" || t3.Deadlines[0].What != "全面提升“12345”政务热线服务水平" {
		t.Errorf("task 3 deadlines %+v", t3.Deadlines)
	}
	// （持续优化，牵头考核单位：市住建局、审批服务局）
	t8 := taskByNumber(t, p, 8)
	if got, want := resps(t8), []resp{{"市住建局", RoleLead, 1}, {"市审批服务局", RoleLead, 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("task 8: %v", got)
	}
	if len(t8.Deadlines) != 0 || !reflect.DeepEqual(t8.Notes, []string{"持续优化"}) {
		t.Errorf("task 8 deadlines %+v notes %q", t8.Deadlines, t8.Notes)
	}
	// （0.5分）（5月底取得阶段性成效并持续推进，牵头考核单位：市审批服务局）
	t19 := taskByNumber(t, p, 19)
	if t19.Points != 0.5 || len(t19.Deadlines) != 1 || t19.Deadlines[0].Due != "2022-05-31" || t19.Deadlines[0].Milestone != "取得阶段性成效并持续推进" {
		t.Errorf("task 19 points %v deadlines %+v", t19.Points, t19.Deadlines)
	}
	if strings.Contains(t19.Responsibilities[0].Scope, "分）") {
		t.Errorf("task 19 scope keeps the score: %q", t19.Responsibilities[0].Scope)
	}
	// 7月底前完成项目前期手续…10月底完善平台各项功能.
	var dues []string
	for _, d := range taskByNumber(t, p, 53).Deadlines {
		dues = append(dues, d.Phrase+"="+d.Due)
	}
	if want := []string{"7月底前=2022-07-31", "10月底=2022-10-31"}; !reflect.DeepEqual(dues, want) {
		t.Errorf("task 53 deadlines %v", dues)
	}
	if d := taskByNumber(t, p, 60).Deadlines; len(d) != 1 || d[0].Phrase != "年底前" || d[0].Due != "2022-12-31" {
		t.Errorf("task 60 deadlines %+v", d)
	}
	if got, want := resps(taskByNumber(t, p, 90)), []resp{{"市委宣传部", RoleLead, 1}, {"市政府办公室", RoleLead, 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("task 90: %v", got)
	}
	if ch := p.Chapters[4]; ch.Title != "政务服务“一网通办”" || ch.Points != 25 || len(ch.Sections) != 9 || ch.Sections[0].Points != 3 {
		t.Errorf("annex chapter 一: %+v", ch)
	}
	if !hasWarning(p, WarnChapterRestart) {
		t.Errorf("no %s warning", WarnChapterRestart)
	}
}

func TestGuowuyuan(t *testing.T) {
	p := parseFile(t, "testdata/guowuyuan_nongji_2018.txt", Options{Registry: EmptyRegistry()})
	if p.Title != "国务院关于加快推进农业机械化和农机装备产业转型升级的指导意见" {
		t.Errorf("title %q", p.Title)
	}
	// （工业和信息化部、发展改革委、科技部、农业农村部等负责。列第一位者为牵头单位，下同）
	want := []resp{{"工业和信息化部", RoleLead, 1}, {"发展改革委", RoleSupport, 1}, {"科技部", RoleSupport, 1}, {"农业农村部", RoleSupport, 1}}
	if got := resps(taskByNumber(t, p, 3)); !reflect.DeepEqual(got, want) {
		t.Errorf("task 3: %v", got)
	}
	// …下同: （市场监管总局、工业和信息化部、发展改革委、农业农村部等负责）
	want = []resp{{"市场监管总局", RoleLead, 1}, {"工业和信息化部", RoleSupport, 1}, {"发展改革委", RoleSupport, 1}, {"农业农村部", RoleSupport, 1}}
	if got := resps(taskByNumber(t, p, 6)); !reflect.DeepEqual(got, want) {
		t.Errorf("task 6: %v", got)
	}
	// （农业农村部、工业和信息化部牵头负责）
	want = []resp{{"农业农村部", RoleLead, 1}, {"工业和信息化部", RoleLead, 1}}
	if got := resps(taskByNumber(t, p, 18)); !reflect.DeepEqual(got, want) {
		t.Errorf("task 18: %v", got)
	}
	// （各省级人民政府负责）: a collective, reported, kept whole as one
	// collective duty-holder (no registry lists the provinces).
	if t19 := taskByNumber(t, p, 19); len(t19.Responsibilities) != 1 || !t19.Responsibilities[0].Collective ||
		t19.Responsibilities[0].Unit != "各省级人民政府" || len(t19.Collectives) != 1 {
		t.Errorf("task 19: %+v %+v", t19.Responsibilities, t19.Collectives)
	}
	// The signature, date and （此件公开发布） are not part of the last task.
	if t20 := taskByNumber(t, p, 20); strings.Contains(t20.Text, "国务院\n") || strings.Contains(t20.Text, "2018年12月21日") || strings.Contains(t20.Text, "此件公开发布") {
		t.Errorf("task 20 text %q", t20.Text)
	}
	if len(p.Preamble) != 2 || p.Preamble[1].Title != "发展目标" {
		t.Errorf("preamble %+v", p.Preamble)
	}
	first := p.OverallTargets[0]
	if len(p.OverallTargets) != 16 || first.Metric != "农机总动力" || first.Comparator != CmpGT || first.Value != 10 || first.Unit != "亿千瓦" || first.Due != "2020-12-31" {
		t.Errorf("%d overall targets, first %+v", len(p.OverallTargets), first)
	}
}
