package main

import (
	"strings"
	"testing"
)

// explainPlan has a labelled bracket, a standing directive and two dates on
// known lines.
const explainPlan = `某市行动方案
一、重点任务
（一）建设示范基地。2025年上半年建成示范基地。（牵头单位：市农业农村局，配合单位：市财政局）
以下均需各区政府落实，不再列出。
（二）完善补贴政策。第三季度完成修订。
（市财政局负责）
`

// plan parse --explain names, per task, the words and line behind each
// unit, role and date, Chinese first.
func TestPlanParseExplain(t *testing.T) {
	plan := writeFile(t, "plan.txt", explainPlan)
	code, out, stderr := runCLI(t, clock, "plan", "parse", plan, "--explain", "--registry", "none")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{
		"市农业农村局（新单位 new） · 牵头 LEAD ← “牵头单位：市农业农村局”（第3行",
		"市财政局（新单位 new） · 配合 SUPPORT ← “配合单位：市财政局”（第3行",
		"截止 due 2025-06-30 ← “2025年上半年”（第3行",
		"市财政局（新单位 new） · 共同负责 JOINT ← “市财政局负责”（第6行",
		"截止 due 2025-09-30 ← “第三季度”（第5行",
		"集体 collective  各区政府 · 落实 IMPLEMENTING",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("--explain lacks %q in\n%s", want, out)
		}
	}
}

// --explain prints text: asking for JSON with it is a usage error that
// prints nothing.
func TestPlanParseExplainRejectsJSON(t *testing.T) {
	plan := writeFile(t, "plan.txt", explainPlan)
	code, out, _ := runCLI(t, clock, "plan", "parse", plan, "--explain", "--json")
	if code != 2 || out != "" {
		t.Fatalf("exit %d with output %q, want 2 and nothing", code, out)
	}
}
