package planparse

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// plan wraps task texts into a minimal well-formed plan.
func plan(tasks ...string) string {
	var b strings.Builder
	b.WriteString("赤峰市某某行动实施方案\n一、总体要求\n（一）主要目标。到2025年，全市优良天数比率达到90%。\n二、重点任务\n")
	for i, t := range tasks {
		b.WriteString("（" + formatCN(i+3) + "）" + t + "\n")
	}
	return b.String()
}

func mustParse(t *testing.T, text string, opts Options) *Plan {
	t.Helper()
	p, err := Parse(strings.NewReader(text), opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

func TestDeadlinePhrases(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		year  int
		wants []Deadline
	}{
		{"year end", "甲任务。2025年底前，完成排放清单编制，并实现动态更新。（赤峰市生态环境局负责）", 0,
			[]Deadline{{Phrase: "2025年底前", Due: "2025-12-31", What: "完成排放清单编制，并实现动态更新"}}},
		{"year end with milestone", "甲任务。完成验收工作，2024年底前投入运行。（赤峰市交通运输局负责）", 0,
			[]Deadline{{Phrase: "2024年底前", Due: "2024-12-31", What: "投入运行", Milestone: "投入运行"}}},
		{"horizon", "甲任务。到2025年，全市铁路货运量比2020年增长10%左右。（赤峰市交通运输局负责）", 0,
			[]Deadline{{Phrase: "到2025年", Due: "2025-12-31", What: "全市铁路货运量比2020年增长10%左右"}}},
		{"bare year at clause start", "甲任务。提高离田效率，2025年全市秸秆综合利用率达到90%。（赤峰市农牧局负责）", 0,
			[]Deadline{{Phrase: "2025年", Due: "2025-12-31", What: "全市秸秆综合利用率达到90%"}}},
		{"baseline is no deadline", "甲任务。排放总量比2020年下降10%。（赤峰市生态环境局负责）", 0, nil},
		{"starts", "甲任务。全部企业从2026年1月1日起全部执行特别排放限值要求。（赤峰市生态环境局负责）", 0,
			[]Deadline{{Phrase: "从2026年1月1日起", Starts: "2026-01-01", What: "全部企业全部执行特别排放限值要求"}}},
		{"two phrases in one sentence", "甲任务。2025年底前，基本完成改造，重点企业从2026年1月1日起全部执行限值要求。（赤峰市生态环境局负责）", 0,
			[]Deadline{
				{Phrase: "2025年底前", Due: "2025-12-31", What: "基本完成改造"},
				{Phrase: "从2026年1月1日起", Starts: "2026-01-01", What: "重点企业全部执行限值要求"},
			}},
		{"month end uses plan year", "甲任务。7月底前完成项目前期手续。（赤峰市发展改革委负责）", 2024,
			[]Deadline{{Phrase: "7月底前", Due: "2024-07-31", What: "完成项目前期手续", Milestone: "完成项目前期手续"}}},
		{"month end in February", "甲任务。2024年2月底前完成。（赤峰市发展改革委负责）", 0,
			[]Deadline{{Phrase: "2024年2月底前", Due: "2024-02-29", What: "完成", Milestone: "完成"}}},
		{"explicit date", "甲任务。2025年6月30日前完成整改。（赤峰市发展改革委负责）", 0,
			[]Deadline{{Phrase: "2025年6月30日前", Due: "2025-06-30", What: "完成整改", Milestone: "完成整改"}}},
		{"year end without year", "甲任务。年底前完成全部改造任务。（赤峰市发展改革委负责）", 2023,
			[]Deadline{{Phrase: "年底前", Due: "2023-12-31", What: "完成全部改造任务", Milestone: "完成全部改造任务"}}},
		{"bracket note", "甲任务，全部开通全程网办。（5月底取得明显成效并持续推进，牵头考核单位：市审批服务局）", 2022,
			[]Deadline{{Phrase: "5月底", Due: "2022-05-31", What: "甲任务，全部开通全程网办", Milestone: "取得明显成效并持续推进"}}},
		{"每年 is recurring", "甲任务。每年年底前报送进展。（赤峰市发展改革委负责）", 2024, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, plan(tt.text), Options{PlanYear: tt.year})
			got := p.Tasks[0].Deadlines
			for i := range got {
				got[i].Line = 0 // lines are checked in TestExplainEvidence
			}
			if len(got) == 0 && len(tt.wants) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.wants) {
				t.Errorf("deadlines of %q\n got %+v\nwant %+v", tt.text, got, tt.wants)
			}
		})
	}
}

func TestPlanYearInference(t *testing.T) {
	// The earliest year a deadline names.
	p := mustParse(t, plan("甲任务。2026年底前完成。5月底前启动。（赤峰市发展改革委负责）", "乙任务。2024年底前完成。（赤峰市发展改革委负责）"), Options{})
	if p.PlanYear != 2024 {
		t.Errorf("plan year = %d, want 2024", p.PlanYear)
	}
	if got := p.Tasks[0].Deadlines[1].Due; got != "2024-05-31" {
		t.Errorf("5月底前 due %q, want 2024-05-31", got)
	}
	// No year anywhere: the month deadline has no date, and a warning says so.
	text := "某某考评办法\n一、重点任务\n1.甲任务。（5月底完成，牵头考核单位：市审批服务局）\n"
	p = mustParse(t, text, Options{Registry: EmptyRegistry()})
	if p.PlanYear != 0 || p.Tasks[0].Deadlines[0].Due != "" {
		t.Errorf("plan year %d, due %q; want none", p.PlanYear, p.Tasks[0].Deadlines[0].Due)
	}
	if !hasWarning(p, WarnNoPlanYear) {
		t.Errorf("no %s warning: %+v", WarnNoPlanYear, p.Warnings)
	}
	// The title's year.
	text = "某市2022年考评办法\n一、重点任务\n1.甲任务。（5月底完成，牵头考核单位：市审批服务局）\n"
	p = mustParse(t, text, Options{Registry: EmptyRegistry()})
	if p.PlanYear != 2022 || p.Tasks[0].Deadlines[0].Due != "2022-05-31" {
		t.Errorf("plan year %d, due %q; want 2022, 2022-05-31", p.PlanYear, p.Tasks[0].Deadlines[0].Due)
	}
}

func TestTargetPhrases(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		wants []Target
	}{
		{"PM2.5 at most", "全市细颗粒物（PM2.5）浓度控制在25μg/m3及以下",
			[]Target{{Metric: "细颗粒物（PM2.5）浓度", Comparator: CmpLE, Value: 25, Unit: "μg/m3", Scope: "city"}}},
		{"at least", "优良天数比率达到94.5%以上",
			[]Target{{Metric: "优良天数比率", Comparator: CmpGE, Value: 94.5, Unit: "%", Scope: "city"}}},
		{"two metrics share a value", "氮氧化物、挥发性有机物（VOCs）排放总量比2020年分别下降10%以上",
			[]Target{
				{Metric: "氮氧化物排放总量", Comparator: CmpDecreaseBy, Value: 10, Unit: "%", BaselineYear: 2020, Scope: "city", Bound: "at_least"},
				{Metric: "挥发性有机物（VOCs）排放总量", Comparator: CmpDecreaseBy, Value: 10, Unit: "%", BaselineYear: 2020, Scope: "city", Bound: "at_least"},
			}},
		{"counties", "宁城县、元宝山区细颗粒物（PM2.5）浓度比2020年下降26.8%",
			[]Target{
				{Metric: "细颗粒物（PM2.5）浓度", Comparator: CmpDecreaseBy, Value: 26.8, Unit: "%", BaselineYear: 2020, Scope: "county.ningcheng"},
				{Metric: "细颗粒物（PM2.5）浓度", Comparator: CmpDecreaseBy, Value: 26.8, Unit: "%", BaselineYear: 2020, Scope: "county.yuanbaoshan"},
			}},
		{"分别 pairs values with counties", "宁城县、元宝山区优良天数比率分别达到87.0%、91.9%以上",
			[]Target{
				{Metric: "优良天数比率", Comparator: CmpGE, Value: 87, Unit: "%", Scope: "county.ningcheng"},
				{Metric: "优良天数比率", Comparator: CmpGE, Value: 91.9, Unit: "%", Scope: "county.yuanbaoshan"},
			}},
		{"分别 pairs values with metrics", "溶剂型工业涂料、油墨使用比例比2020年分别降低20个百分点、10个百分点",
			[]Target{
				{Metric: "溶剂型工业涂料使用比例", Comparator: CmpDecreaseBy, Value: 20, Unit: "百分点", BaselineYear: 2020, Scope: "city"},
				{Metric: "油墨使用比例", Comparator: CmpDecreaseBy, Value: 10, Unit: "百分点", BaselineYear: 2020, Scope: "city"},
			}},
		{"reach", "装配式建筑占新建建筑面积的比例达到30%",
			[]Target{{Metric: "装配式建筑占新建建筑面积的比例", Comparator: CmpGE, Value: 30, Unit: "%", Scope: "city"}}},
		{"about", "电能在工业终端能源消费比重达到30%左右",
			[]Target{{Metric: "电能在工业终端能源消费比重", Comparator: CmpApprox, Value: 30, Unit: "%", Scope: "city"}}},
		{"80% 左右 and an implied metric", "中心城市建成区道路机械化清扫率达80%左右，县城建成区达70%左右",
			[]Target{
				{Metric: "中心城市建成区道路机械化清扫率", Comparator: CmpApprox, Value: 80, Unit: "%", Scope: "city"},
				{Metric: "县城建成区道路机械化清扫率", Comparator: CmpApprox, Value: 70, Unit: "%", Scope: "city"},
			}},
		{"mg/m3", "废气排放口氨逃逸浓度原则上控制在8毫克/立方米以下",
			[]Target{{Metric: "废气排放口氨逃逸浓度", Comparator: CmpLE, Value: 8, Unit: "毫克/立方米", Scope: "city"}}},
		{"falls to", "煤炭消费占全市能源消费总量比重下降至75%以下",
			[]Target{{Metric: "煤炭消费占全市能源消费总量比重", Comparator: CmpLE, Value: 75, Unit: "%", Scope: "city"}}},
		{"above", "柴油货车排放检测合格率超过90%",
			[]Target{{Metric: "柴油货车排放检测合格率", Comparator: CmpGT, Value: 90, Unit: "%", Scope: "city"}}},
		{"not below", "尾气排放年度抽检抽测比例不低于10%",
			[]Target{{Metric: "尾气排放年度抽检抽测比例", Comparator: CmpGE, Value: 10, Unit: "%", Scope: "city"}}},
		{"strive", "高速公路服务区快充站覆盖率力争达到60%",
			[]Target{{Metric: "高速公路服务区快充站覆盖率", Comparator: CmpGE, Value: 60, Unit: "%", Scope: "city", Aspirational: true}}},
		{"increase about", "全市铁路货运量比2020年增长10%左右",
			[]Target{{Metric: "铁路货运量", Comparator: CmpIncreaseBy, Value: 10, Unit: "%", BaselineYear: 2020, Scope: "city", Bound: "about"}}},
		{"none at all", "不出现重度及以上污染天气",
			[]Target{{Metric: "重度及以上污染天气", Comparator: CmpEQ, Value: 0, Unit: "天", Scope: "city"}}},
		{"three values", "全省货物贸易、对外投资和实际利用外资分别占比达30%、20%和10%",
			[]Target{
				{Metric: "货物贸易占比", Comparator: CmpGE, Value: 30, Unit: "%", Scope: "city"},
				{Metric: "对外投资占比", Comparator: CmpGE, Value: 20, Unit: "%", Scope: "city"},
				{Metric: "实际利用外资占比", Comparator: CmpGE, Value: 10, Unit: "%", Scope: "city"},
			}},
		{"no number, no target", "新能源装机规模超过火电装机规模", nil},
		{"a number without a verb is no target", "不再新建35蒸吨/小时及以下燃煤锅炉", nil},
		{"a count with its object", "组织发布不少于100场培训课程",
			[]Target{{Metric: "组织发布培训课程", Comparator: CmpGE, Value: 100, Unit: "场", Scope: "city"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, plan("甲任务。"+tt.text+"。（赤峰市生态环境局负责）"), Options{})
			got := p.Tasks[0].Targets
			for i := range got {
				got[i].Phrase = ""
			}
			if len(got) == 0 && len(tt.wants) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.wants) {
				t.Errorf("targets of %q\n got %+v\nwant %+v", tt.text, got, tt.wants)
			}
		})
	}
}

func TestTargetDue(t *testing.T) {
	p := mustParse(t, plan("甲任务。到2025年，全市秸秆综合利用率达到90%。（赤峰市农牧局负责）"), Options{})
	if got := p.Tasks[0].Targets[0].Due; got != "2025-12-31" {
		t.Errorf("due %q, want 2025-12-31", got)
	}
	if got := p.Tasks[0].Targets[0].Phrase; got != "全市秸秆综合利用率达到90%" {
		t.Errorf("phrase %q", got)
	}
}

func TestUnitNormalisation(t *testing.T) {
	reg := ChifengRegistry()
	tests := []struct {
		written string
		id      string
	}{
		{"赤峰市生态环境局", "bureau.ecology-environment"},
		{"生态环境局", "bureau.ecology-environment"},
		{"市生态环境局", "bureau.ecology-environment"},
		{"赤峰市市场监督管理局", "bureau.market-regulation"},
		{"市场监管局", "bureau.market-regulation"},
		{"赤峰市发展和改革委员会", "bureau.development-reform"},
		{"住建局", "bureau.housing-urban-rural"},
		{"红山区人民政府", "county.hongshan"},
		{"赤峰市宁城县", "county.ningcheng"},
		{"中国铁路沈阳局集团有限公司赤峰车务段(公司)", "body.railway-chifeng-station"},
		{"中国铁路沈阳局集团有限公司赤峰车务段（公司）", "body.railway-chifeng-station"},
		{"赤峰海关", "body.customs"},
	}
	for _, tt := range tests {
		u, ok := reg.Lookup(tt.written)
		if !ok || u.ID != tt.id {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.written, u.ID, ok, tt.id)
		}
	}
	for _, unknown := range []string{"教育局", "赤峰市教育局", "发展改革", ""} {
		if u, ok := reg.Lookup(unknown); ok {
			t.Errorf("Lookup(%q) = %q; want unknown", unknown, u.ID)
		}
	}
	if members, ok := reg.LookupGroup("各旗县区人民政府"); !ok || len(members) != 12 {
		t.Errorf("group 各旗县区人民政府: %d members, %v", len(members), ok)
	}
}

func TestUnknownUnitBecomesNewUnit(t *testing.T) {
	p := mustParse(t, plan("甲任务。（赤峰市教育局牵头，生态环境局、体育局配合）"), Options{})
	rs := p.Tasks[0].Responsibilities
	want := []struct {
		unit string
		role Role
		kn   bool
	}{{"教育局", RoleLead, false}, {"生态环境局", RoleSupport, true}, {"体育局", RoleSupport, false}}
	if len(rs) != len(want) {
		t.Fatalf("responsibilities %+v", rs)
	}
	for i, w := range want {
		if rs[i].Unit != w.unit || rs[i].Role != w.role || rs[i].Known != w.kn {
			t.Errorf("responsibility %d = %+v, want %+v", i, rs[i], w)
		}
	}
	if rs[0].UnitID != unknownID("赤峰市", "教育局") || !strings.HasPrefix(rs[0].UnitID, "unit.") || len(rs[0].UnitID) != len("unit.")+12 {
		t.Errorf("new unit id %q", rs[0].UnitID)
	}
	n := 0
	for _, w := range p.Warnings {
		if w.Code == WarnUnknownUnit {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d unknown-unit warnings, want 2: %+v", n, p.Warnings)
	}
	// Ids are stable across parses.
	p2 := mustParse(t, plan("乙任务。（赤峰市教育局负责）"), Options{})
	if p2.Tasks[0].Responsibilities[0].UnitID != rs[0].UnitID {
		t.Errorf("id not stable: %q vs %q", p2.Tasks[0].Responsibilities[0].UnitID, rs[0].UnitID)
	}
}

func TestPrefixInheritance(t *testing.T) {
	p := mustParse(t, "某某考评办法\n一、重点任务\n1.甲任务。（持续优化，牵头考核单位：市住建局、审批服务局）\n2.乙任务。（6月底完成，牵头考核单位：市审批服务局）\n", Options{Registry: EmptyRegistry()})
	a, b := p.Tasks[0].Responsibilities[1], p.Tasks[1].Responsibilities[0]
	if a.Unit != "市审批服务局" || a.UnitID != b.UnitID {
		t.Errorf("审批服务局 → %q (%s), 市审批服务局 → %s", a.Unit, a.UnitID, b.UnitID)
	}
	p = mustParse(t, "某某意见\n一、重点任务\n1.甲任务。（省商务厅、合肥海关负责）\n", Options{Registry: EmptyRegistry()})
	if got := p.Tasks[0].Responsibilities[1].Unit; got != "合肥海关" {
		t.Errorf("合肥海关 became %q", got)
	}
}

func TestRoles(t *testing.T) {
	type r struct {
		unit string
		role Role
	}
	tests := []struct {
		name    string
		bracket string
		want    []r
	}{
		{"lead and support", "（赤峰市生态环境局牵头，工业和信息化局等配合）", []r{{"生态环境局", RoleLead}, {"工业和信息化局", RoleSupport}}},
		{"lead then 按职责分工负责", "（赤峰市生态环境局、工业和信息化局牵头，住房和城乡建设局、公安局等按职责分工负责）",
			[]r{{"生态环境局", RoleLead}, {"工业和信息化局", RoleLead}, {"住房和城乡建设局", RoleSupport}, {"公安局", RoleSupport}}},
		{"no lead: joint", "（赤峰市能源局、公安局，赤峰海关等按分工负责）", []r{{"能源局", RoleJoint}, {"公安局", RoleJoint}, {"赤峰海关", RoleJoint}}},
		{"牵头负责", "（住房和城乡建设局、赤峰市生态环境局牵头负责）", []r{{"住房和城乡建设局", RoleLead}, {"生态环境局", RoleLead}}},
		{"single 负责", "（赤峰市住房和城乡建设局负责）", []r{{"住房和城乡建设局", RoleJoint}}},
		{"comma inside the support list", "（赤峰市生态环境局牵头，科技局，气象局等按职责分工负责）",
			[]r{{"生态环境局", RoleLead}, {"科技局", RoleSupport}, {"气象局", RoleSupport}}},
		{"counties implementing", "（赤峰市生态环境局负责，各旗县区人民政府落实）",
			[]r{{"生态环境局", RoleJoint}, {"红山区", RoleImplementing}, {"元宝山区", RoleImplementing}, {"松山区", RoleImplementing},
				{"阿鲁科尔沁旗", RoleImplementing}, {"巴林左旗", RoleImplementing}, {"巴林右旗", RoleImplementing}, {"林西县", RoleImplementing},
				{"克什克腾旗", RoleImplementing}, {"翁牛特旗", RoleImplementing}, {"喀喇沁旗", RoleImplementing}, {"宁城县", RoleImplementing}, {"敖汉旗", RoleImplementing}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, plan("甲任务。"+tt.bracket), Options{})
			var got []r
			for _, x := range p.Tasks[0].Responsibilities {
				got = append(got, r{x.Unit, x.Role})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestNonAttributionBrackets(t *testing.T) {
	p := mustParse(t, plan("甲任务。细颗粒物（PM2.5）、锅炉（含电力）、35蒸吨/小时（不含）、集水井（池）、旗县（市、区）。（赤峰市生态环境局负责）"), Options{})
	rs := p.Tasks[0].Responsibilities
	if len(rs) != 1 || rs[0].Unit != "生态环境局" || rs[0].Bracket != 1 {
		t.Errorf("responsibilities %+v", rs)
	}
}

func TestStandingDirectiveAndCollectives(t *testing.T) {
	p := mustParse(t, plan(
		"甲任务。（赤峰市生态环境局负责。以下均需各旗县区人民政府落实，不再列出）",
		"乙任务。（赤峰市生态环境局牵头，各有关部门按职责分工负责）",
		"丙任务没有归属。",
	), Options{})
	for _, task := range p.Tasks {
		n := 0
		for _, r := range task.Responsibilities {
			if r.Role == RoleImplementing {
				n++
			}
		}
		if n != 12 {
			t.Errorf("task %d: %d IMPLEMENTING, want 12", task.Number, n)
		}
	}
	if c := p.Tasks[1].Collectives; len(c) != 1 || c[0].Phrase != "各有关部门" || c[0].Role != RoleSupport {
		t.Errorf("collectives %+v", c)
	}
	if !hasWarning(p, WarnCollective) || !hasWarning(p, WarnNoAttribution) {
		t.Errorf("warnings %+v", p.Warnings)
	}
}

func TestFirstListedIsLead(t *testing.T) {
	p := mustParse(t, plan(
		"甲任务。（工业和信息化部、发展改革委、科技部等负责。列第一位者为牵头单位，下同）",
		"乙任务。（农业农村部、财政部等负责）",
		"丙任务。（农业农村部、工业和信息化部牵头负责）",
	), Options{Registry: EmptyRegistry()})
	roles := func(i int) []Role {
		var out []Role
		for _, r := range p.Tasks[i].Responsibilities {
			out = append(out, r.Role)
		}
		return out
	}
	if got := roles(0); !reflect.DeepEqual(got, []Role{RoleLead, RoleSupport, RoleSupport}) {
		t.Errorf("task 3 roles %v", got)
	}
	if got := roles(1); !reflect.DeepEqual(got, []Role{RoleLead, RoleSupport}) {
		t.Errorf("task 4 roles %v", got)
	}
	if got := roles(2); !reflect.DeepEqual(got, []Role{RoleLead, RoleLead}) {
		t.Errorf("task 5 roles %v", got)
	}
}

func TestCRLFAndArabicHeading(t *testing.T) {
	lf := plan("甲任务。2025年底前完成。（赤峰市生态环境局负责）")
	for n := 3; n <= 9; n++ {
		lf += formatCN(n) + "、第" + formatCN(n) + "章\n"
	}
	lf += "10、 严格落实责任\n（十）乙任务。（赤峰市发展改革委牵头负责）\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	a := mustParse(t, lf, Options{})
	b := mustParse(t, crlf, Options{})
	if !reflect.DeepEqual(a, b) {
		t.Errorf("CRLF input parses differently from LF input")
	}
	if len(b.Tasks) != 2 || b.Tasks[1].Chapter != "十、严格落实责任" || b.Tasks[1].Number != 10 {
		t.Fatalf("tasks %+v", b.Tasks)
	}
	if strings.ContainsRune(b.Tasks[0].Text, '\r') {
		t.Errorf("text keeps CR: %q", b.Tasks[0].Text)
	}
	if !hasWarning(b, WarnArabicHeading) {
		t.Errorf("no %s warning", WarnArabicHeading)
	}
	// "1、" that does not continue the chapter sequence is an item.
	c := mustParse(t, "某某意见\n一、重点任务\n1、甲任务。（省商务厅负责）\n2、乙任务。（省商务厅负责）\n", Options{Registry: EmptyRegistry()})
	if len(c.Tasks) != 2 || c.Layout != LayoutItems || len(c.Chapters) != 1 {
		t.Errorf("layout %s, %d tasks, %d chapters", c.Layout, len(c.Tasks), len(c.Chapters))
	}
}

func TestNormalisation(t *testing.T) {
	tests := map[string]string{
		"　　（三）　加强  管理。":             "（三）加强管理。",
		"２０２５年底前":                   "2025年底前",
		"PM2.5 浓度":                  "PM2.5浓度",
		"DCS 控制":                    "DCS控制",
		"New Energy":                "New Energy",
		"接入“蒙速办\"":                  "接入“蒙速办”",
		"\"关怀模式\"\"长辈模式\"":          "“关怀模式”“长辈模式”",
		"1．除涉密":                     "1.除涉密",
		"90％":                       "90%",
		"[bookmark: _GoBack]（十五）推进": "（十五）推进",
	}
	for in, want := range tests {
		lines, _, err := normalizeText([]byte(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if len(lines) != 1 || lines[0].text != want {
			t.Errorf("normalize(%q) = %+v, want %q", in, lines, want)
		}
	}
}

func TestMalformedInput(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"\n\r\n  \n", ErrEmpty},
		{"一份没有任务的文件。\n", ErrNoTasks},
		{"一、总体要求\n（一）主要目标。到2025年达到90%。\n", ErrNoTasks},
		{"赤峰\xff\xfe市", ErrNotUTF8},
	}
	for _, tt := range tests {
		_, err := Parse(strings.NewReader(tt.in), Options{})
		if !errors.Is(err, tt.want) {
			t.Errorf("Parse(%q) error %v, want %v", tt.in, err, tt.want)
		}
	}
	_, err := Parse(strings.NewReader(plan("甲任务。")), Options{MaxBytes: 10})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxBytes: error %v", err)
	}
}

func TestNumerals(t *testing.T) {
	for n := 1; n <= 999; n++ {
		if got, ok := parseCN(formatCN(n)); !ok || got != n {
			t.Errorf("parseCN(formatCN(%d)=%q) = %d, %v", n, formatCN(n), got, ok)
		}
	}
	for s, want := range map[string]int{"三": 3, "十": 10, "十八": 18, "二十七": 27, "三十": 30, "一百零五": 105, "两": 2} {
		if got, ok := parseCN(s); !ok || got != want {
			t.Errorf("parseCN(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "二三", "百百", "x"} {
		if n, ok := parseCN(s); ok && s != "百百" {
			t.Errorf("parseCN(%q) = %d, want failure", s, n)
		}
	}
}

func TestLoadRegistryErrors(t *testing.T) {
	tests := map[string]string{
		"bad json":       `{`,
		"unknown field":  `{"units":[], "extra":1}`,
		"duplicate id":   `{"units":[{"id":"a","name":"甲局","kind":"bureau"},{"id":"a","name":"乙局","kind":"bureau"}]}`,
		"non-ascii id":   `{"units":[{"id":"局","name":"甲局","kind":"bureau"}]}`,
		"bad kind":       `{"units":[{"id":"a","name":"甲局","kind":"agency"}]}`,
		"duplicate name": `{"units":[{"id":"a","name":"甲局","kind":"bureau"},{"id":"b","name":"乙局","kind":"bureau","aliases":["甲局"]}]}`,
		"bad member":     `{"units":[{"id":"a","name":"甲局","kind":"bureau"}],"groups":[{"name":"各局","members":["b"]}]}`,
		"no name":        `{"units":[{"id":"a","name":" ","kind":"bureau"}]}`,
	}
	for name, in := range tests {
		if _, err := LoadRegistry(strings.NewReader(in)); err == nil {
			t.Errorf("%s: LoadRegistry accepted %s", name, in)
		}
	}
	reg := ChifengRegistry()
	if n := len(reg.Units()); n != 34 {
		t.Errorf("Chifeng registry has %d units, want 34", n)
	}
	counties := 0
	for _, u := range reg.Units() {
		if u.Kind == KindCounty {
			counties++
		}
	}
	if counties != 12 {
		t.Errorf("%d counties, want 12", counties)
	}
	// Callers get copies.
	us := reg.Units()
	us[0].Name = "changed"
	if reg.Units()[0].Name == "changed" {
		t.Error("Units returns the registry's own slice")
	}
}

func hasWarning(p *Plan, code string) bool {
	for _, w := range p.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}
