package planparse

import (
	"os"
	"strings"
	"testing"
)

func TestDetectJurisdiction(t *testing.T) {
	tests := []struct {
		title string
		lines []string
		want  string
	}{
		{"赤峰市空气质量持续改善行动实施方案", nil, "赤峰市"},
		{"包头市2022年数字政府建设考评办法", nil, "包头市"},
		{"安徽省关于加快对接《区域全面经济伙伴关系协定》（RCEP）经贸新规则扎实推进高水平开放实施意见", nil, "安徽省"},
		{"国务院关于加快推进农业机械化和农机装备产业转型升级的指导意见", nil, "全国"},
		{"立山区政府2023年重点工作任务分解和责任分工方案", nil, "立山区"},
		{"2023年区《政府工作报告》确定的主要目标任务责任分解方案", []string{"武汉市蔡甸区《2023年区〈政府工作报告〉确定的主要目标任务》"}, "武汉市蔡甸区"},
		{"", []string{"# source: github:x pool/包头市人民政府办公室", "淮安市《关于进一步帮助市场主体纾困解难》"}, "淮安市"},
		{"内蒙古自治区赤峰市人民政府关于印发方案的通知", nil, "内蒙古自治区赤峰市"},
		// Not places: a sentence, a bare 市, a 全市.
		{"关于推进城市更新的实施意见", nil, ""},
		{"市政府工作报告重点工作责任分解(2023年)", []string{"一、全市经济社会发展主要预期目标"}, ""},
	}
	for _, tt := range tests {
		if got := DetectJurisdiction(tt.title, tt.lines); got != tt.want {
			t.Errorf("DetectJurisdiction(%q, %q) = %q, want %q", tt.title, tt.lines, got, tt.want)
		}
	}
}

// chifengIDs lists the ids of a plan's units that are Chifeng registry ids.
func chifengIDs(p *Plan) []string {
	reg := ChifengRegistry()
	var out []string
	for _, u := range p.Units {
		if _, ok := reg.Unit(u.ID); ok {
			out = append(out, u.ID+" "+u.Name)
		}
	}
	return out
}

// The Baotou plan never borrows Chifeng's units: not by default, and not
// when Chifeng's registry is given, because the jurisdictions differ.
func TestNoCrossJurisdictionBorrowing(t *testing.T) {
	def := parseFile(t, "testdata/baotou_szzf_kaoping_2022.txt", Options{})
	if def.Jurisdiction != "包头市" {
		t.Errorf("jurisdiction %q, want 包头市", def.Jurisdiction)
	}
	if ids := chifengIDs(def); len(ids) > 0 {
		t.Errorf("default parse borrowed Chifeng units: %v", ids)
	}
	for _, u := range def.Units {
		if u.Known {
			t.Errorf("unit %s %q is known, but Baotou has no registry", u.ID, u.Name)
		}
	}
	given := parseFile(t, "testdata/baotou_szzf_kaoping_2022.txt", Options{Registry: ChifengRegistry()})
	if ids := chifengIDs(given); len(ids) > 0 {
		t.Errorf("with Chifeng's registry given, Baotou borrowed: %v", ids)
	}
	if !hasWarning(given, WarnRegistryJurisdiction) {
		t.Error("no warning that the registry's jurisdiction is not the plan's")
	}
	if len(given.Units) != len(def.Units) {
		t.Errorf("%d units with the foreign registry, %d without", len(given.Units), len(def.Units))
	}
	// 包头's 市公安局 and 赤峰's 公安局 are different units.
	bt := mustParse(t, "包头市某某实施方案\n一、重点任务\n（一）甲任务。（市公安局负责）\n", Options{})
	cf := mustParse(t, "赤峰市某某实施方案\n一、重点任务\n（一）甲任务。（市公安局负责）\n", Options{})
	if a, b := bt.Tasks[0].Responsibilities[0], cf.Tasks[0].Responsibilities[0]; a.UnitID == b.UnitID || a.Known || !b.Known || b.UnitID != "bureau.public-security" {
		t.Errorf("包头 %+v, 赤峰 %+v", a, b)
	}
	// The same name in two other jurisdictions: two ids, both valid.
	hf := mustParse(t, "合肥市某某实施方案\n一、重点任务\n（一）甲任务。（市公安局负责）\n", Options{})
	if hf.Tasks[0].Responsibilities[0].UnitID == bt.Tasks[0].Responsibilities[0].UnitID {
		t.Error("合肥 and 包头 share the id of 市公安局")
	}
	// A text whose title names no place but whose brackets name Chifeng's
	// units with the city's name is Chifeng's.
	named := mustParse(t, "测试方案\n二、重点任务\n（三）甲任务。（赤峰市生态环境局牵头）\n", Options{})
	if r := named.Tasks[0].Responsibilities[0]; named.Jurisdiction != "赤峰市" || r.UnitID != "bureau.ecology-environment" {
		t.Errorf("named units: %+v in %q", r, named.Jurisdiction)
	}
	bare := mustParse(t, "测试方案\n二、重点任务\n（三）甲任务。（市生态环境局牵头）\n", Options{})
	if r := bare.Tasks[0].Responsibilities[0]; bare.Jurisdiction != "" || r.Known {
		t.Errorf("no place named: %+v in %q", r, bare.Jurisdiction)
	}
	// Overriding the jurisdiction lets a registry of that place be used.
	over := mustParse(t, "某某实施方案\n一、重点任务\n（一）甲任务。（市公安局负责）\n", Options{Registry: ChifengRegistry(), Jurisdiction: "赤峰市"})
	if r := over.Tasks[0].Responsibilities[0]; r.UnitID != "bureau.public-security" || over.Jurisdiction != "赤峰市" {
		t.Errorf("override: %+v in %q", r, over.Jurisdiction)
	}
}

// The bundled Chifeng plan resolves to the same units by default as with
// the Chifeng registry given.
func TestChifengDefaultRegistry(t *testing.T) {
	def := parseFile(t, chifengFile, Options{})
	given := parseFile(t, chifengFile, Options{Registry: ChifengRegistry()})
	if def.Jurisdiction != "赤峰市" {
		t.Errorf("jurisdiction %q", def.Jurisdiction)
	}
	if len(def.Units) != len(given.Units) || len(def.Units) == 0 {
		t.Fatalf("%d units by default, %d given", len(def.Units), len(given.Units))
	}
	for i, u := range def.Units {
		if g := given.Units[i]; u.ID != g.ID || !u.Known {
			t.Errorf("unit %d: %+v by default, %+v given", i, u, g)
		}
	}
}

// TestEmbeddedRegistry checks that the package's registries are found by
// jurisdiction only.
func TestEmbeddedRegistry(t *testing.T) {
	if r, ok := EmbeddedRegistry("赤峰市"); !ok || len(r.Units()) == 0 {
		t.Error("no embedded registry for 赤峰市")
	}
	for _, j := range []string{"", "包头市", "全国"} {
		if _, ok := EmbeddedRegistry(j); ok {
			t.Errorf("embedded registry for %q", j)
		}
	}
}

// A registry file names its jurisdiction; parsing the Baotou plan with a
// Baotou registry file resolves to its ids.
func TestRegistryFileOfThePlansJurisdiction(t *testing.T) {
	reg, err := LoadRegistry(strings.NewReader(`{"jurisdiction": "包头市", "strip_prefixes": ["包头市"],
		"units": [{"id": "baotou.approval", "name": "审批服务局", "kind": "bureau", "aliases": ["市审批服务局"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/baotou_szzf_kaoping_2022.txt")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseBytes(src, Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, u := range p.Units {
		if u.ID == "baotou.approval" {
			found = u.Known && u.Name == "审批服务局"
		}
		if strings.Contains(u.Name, "审批服务局") && u.ID != "baotou.approval" {
			t.Errorf("unit %+v not resolved to the registry's", u)
		}
	}
	if !found {
		t.Errorf("registry unit not used: %+v", p.Units)
	}
}
