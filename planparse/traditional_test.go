package planparse

import (
	"strings"
	"testing"
)

// A reprint in traditional characters is read like its simplified
// original, and says so; a simplified text is left as written.
func TestTraditionalTextReadSimplified(t *testing.T) {
	const text = "某市營商環境工作方案\n一、優化審批服務\n1.推進審批改革。2023年6月底前完成。（責任單位：市發展改革委、市財政局，列第一位的為牽頭單位）\n2.加強監管執法。（市市場監管局牽頭，市司法局配合）\n"
	p, err := ParseBytes([]byte(text), Options{Registry: EmptyRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Role{}
	for _, task := range p.Tasks {
		for _, r := range task.Responsibilities {
			got[r.Unit] = r.Role
		}
	}
	if got["市发展改革委"] == "" || got["市市场监管局"] != RoleLead || got["市司法局"] != RoleSupport {
		t.Errorf("units and roles: %v", got)
	}
	if len(p.Tasks) != 2 || len(p.Tasks[0].Deadlines) != 1 || p.Tasks[0].Deadlines[0].Due != "2023-06-30" {
		t.Errorf("tasks %d, deadlines of 1: %+v", len(p.Tasks), p.Tasks[0].Deadlines)
	}
	if !hasWarning(p, WarnTraditional) {
		t.Error("no warning says the text was read in simplified characters")
	}
	simplified := strings.NewReplacer("營", "营", "環", "环", "優", "优", "審", "审", "批", "批").Replace("某市工作方案\n一、重点任务\n1.推进审批改革。（市财政局负责）\n")
	q, err := ParseBytes([]byte(simplified), Options{Registry: EmptyRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	if hasWarning(q, WarnTraditional) || q.Tasks[0].Text != "推进审批改革。（市财政局负责）" {
		t.Errorf("a simplified text was changed: %q %v", q.Tasks[0].Text, q.Warnings)
	}
}
