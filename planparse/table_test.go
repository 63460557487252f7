package planparse

import (
	"reflect"
	"strings"
	"testing"
)

// A task table saved as text (tab-separated rows, merged cells written in
// their first row only) reads as items: the heading cell opens a section,
// the unit columns give roles by their headers, 无 names nobody, and the
// deadline column gives the month's last day; every reading keeps the row's
// line.
func TestTaskTable(t *testing.T) {
	text := "某省重点任务分工表\n" +
		"序号\t重点领域\t具体任务\t牵头单位\t配合单位\t完成时限\n" +
		"1\t推动芯片发展\t建设中试平台。\t省发展改革委\t省经信厅、省科技厅\t2026年6月\n" +
		"2\t\t开放公共数据。\t省数据局\t无\t持续推进\n"
	p := mustParse(t, text, Options{Registry: EmptyRegistry()})
	if len(p.Tasks) != 2 || p.Tasks[0].Chapter != "（一）推动芯片发展" || p.Tasks[1].Chapter != "（一）推动芯片发展" {
		t.Fatalf("tasks %+v", p.Tasks)
	}
	want := map[int][]resp{
		1: {{"省发展改革委", RoleLead, 1}, {"省经信厅", RoleSupport, 1}, {"省科技厅", RoleSupport, 1}},
		2: {{"省数据局", RoleLead, 1}},
	}
	for n, w := range want {
		if got := resps(taskByNumber(t, p, n)); !reflect.DeepEqual(got, w) {
			t.Errorf("task %d: %v, want %v", n, got, w)
		}
	}
	d := p.Tasks[0].Deadlines
	if len(d) != 1 || d[0].Due != "2026-06-30" || d[0].Line != 3 {
		t.Errorf("task 1 deadlines %+v", d)
	}
	if len(p.Tasks[1].Deadlines) != 0 {
		t.Errorf("持续推进 became a deadline: %+v", p.Tasks[1].Deadlines)
	}
	if r := p.Tasks[0].Responsibilities[0]; r.Line != 3 || r.Evidence != "牵头单位：省发展改革委" {
		t.Errorf("evidence %q at line %d", r.Evidence, r.Line)
	}
	for _, w := range p.Warnings {
		if w.Code == WarnNotAUnit || w.Code == WarnUnattributed {
			t.Errorf("warning %+v", w)
		}
	}
}

// Lines with tabs that are no task table stay ordinary text.
func TestTabsWithoutATableHeader(t *testing.T) {
	text := "某市实施方案\n一、重点任务\n（一）建设平台。\t完成\t建设。（市发展改革委负责）\n"
	p := mustParse(t, text, Options{Registry: EmptyRegistry()})
	if len(p.Tasks) != 1 || !strings.Contains(p.Tasks[0].Text, "完成建设") {
		t.Fatalf("tasks %+v", p.Tasks)
	}
}

// A table written one cell a line (as copied from a web page) reads the
// same way: the header cells on lines of their own, then each row from its
// number; a report column (进展情况) is not read, and a warning says so.
func TestTaskTableOneCellALine(t *testing.T) {
	text := "某市重点工作进展情况表\n序号\n内容与要求\n进展情况\n责任单位\n" +
		"1\n确保地区生产总值增长7%左右。\n1-2月完成情况较好。\n市发改委\n" +
		"2\n持续推进重大项目攻坚。\n3月底前开工12个。\n市发改委、市经信局\n"
	p := mustParse(t, text, Options{Registry: EmptyRegistry(), PlanYear: 2020})
	if len(p.Tasks) != 2 || p.Title != "某市重点工作进展情况表" {
		t.Fatalf("title %q, tasks %+v", p.Title, p.Tasks)
	}
	want := map[int][]resp{
		1: {{"市发改委", RoleJoint, 1}},
		2: {{"市发改委", RoleJoint, 1}, {"市经信局", RoleJoint, 1}},
	}
	for n, w := range want {
		if got := resps(taskByNumber(t, p, n)); !reflect.DeepEqual(got, w) {
			t.Errorf("task %d: %v, want %v", n, got, w)
		}
	}
	if len(p.Tasks[1].Deadlines) != 0 || strings.Contains(p.Tasks[1].Text, "开工") {
		t.Errorf("the report column was read: %q %+v", p.Tasks[1].Text, p.Tasks[1].Deadlines)
	}
	if r := p.Tasks[1].Responsibilities[1]; r.Line != 13 {
		t.Errorf("市经信局 from line %d, want 13", r.Line)
	}
	warned := false
	for _, w := range p.Warnings {
		warned = warned || w.Code == WarnTableColumn
	}
	if !warned {
		t.Error("no warning about the unread 进展情况 column")
	}
}

// A table copied one cell a line may have a category column before 序号,
// written once in the first row of its group (a merged cell): the category
// line before a row's number opens a section, even one named like a target
// heading (发展目标), whose rows are tasks because units are assigned them;
// a 责任单位 column that repeats the 牵头单位 after it names the lead once.
func TestTaskTableCategoryBeforeNumber(t *testing.T) {
	text := "某县重点工作责任分解\n类别\n序号\n工作事项\n责任单位\n牵头单位\n" +
		"发展目标\n1\n地区生产总值增长6%。\n县发改局、县统计局\n县发改局\n" +
		"2\n财政收入增长5%。\n县财政局\n县财政局\n" +
		"改革攻坚\n3\n深化审批改革。\n县审批局、县司法局、各乡镇\n县审批局\n"
	p := mustParse(t, text, Options{Registry: EmptyRegistry(), PlanYear: 2023})
	if len(p.Tasks) != 3 || len(p.Preamble) != 0 {
		t.Fatalf("tasks %+v, preamble %+v", p.Tasks, p.Preamble)
	}
	want := map[int][]resp{
		1: {{"县统计局", RoleSupport, 1}, {"县发改局", RoleLead, 1}},
		2: {{"县财政局", RoleLead, 1}},
		3: {{"县司法局", RoleSupport, 1}, {"县审批局", RoleLead, 1}},
	}
	for n, w := range want {
		if got := resps(taskByNumber(t, p, n)); !reflect.DeepEqual(got, w) {
			t.Errorf("task %d: %v, want %v", n, got, w)
		}
	}
	if c1, c3 := taskByNumber(t, p, 1).Chapter, taskByNumber(t, p, 3).Chapter; c1 != "（一）发展目标" || c3 != "（二）改革攻坚" {
		t.Errorf("sections %q, %q", c1, c3)
	}
	if got := taskByNumber(t, p, 2).Title; got != "财政收入增长5%" {
		t.Errorf("task 2 title %q", got)
	}
}

// A table copied one cell a line with each cell ending in " |": a lone "|"
// ends a row, "||" is an empty cell. A person column (分管领导) names no
// unit and progress columns are not read; a row with fewer cells than the
// header is aligned so that its unit cells fall under the unit columns.
func TestTaskTablePipeCells(t *testing.T) {
	text := "某区民生实事推进情况\n序号 |\n项目名称 |\n年度任务 |\n分管 领导 |\n牵头 单位 |\n协同单位 |\n推进情况 |\n备注 |\n" +
		"1 |\n新建口袋公园5个。 |\n李明 |\n园林局 |\n住建局、各街道 |\n完成3个。 |\n||\n" +
		"2 |\n改造老旧小区12个。 |\n王强 |\n住建局 |\n财政局 |\n已开工。 |\n按计划推进。 |\n|\n" +
		"3 |\n增设充电桩200个。 |\n王强 |\n发改局 |\n供电公司、相关街道 |\n已完成150个。 |\n"
	p := mustParse(t, text, Options{Registry: EmptyRegistry(), PlanYear: 2023})
	if len(p.Tasks) != 3 {
		t.Fatalf("tasks %+v", p.Tasks)
	}
	want := map[int][]resp{
		1: {{"园林局", RoleLead, 1}, {"住建局", RoleSupport, 1}},
		2: {{"住建局", RoleLead, 1}, {"财政局", RoleSupport, 1}},
		3: {{"发改局", RoleLead, 1}, {"供电公司", RoleSupport, 1}},
	}
	for n, w := range want {
		if got := resps(taskByNumber(t, p, n)); !reflect.DeepEqual(got, w) {
			t.Errorf("task %d: %v, want %v", n, got, w)
		}
	}
	if got := taskByNumber(t, p, 3).Title; got != "增设充电桩200个" {
		t.Errorf("task 3 title %q", got)
	}
	for _, u := range p.Units {
		if u.Name == "李明" || u.Name == "王强" {
			t.Errorf("a person became the unit %q", u.Name)
		}
	}
}
