package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// unreadPlan has a numbered item after the signature and date: the parser
// reads two tasks and drops the third line.
const unreadPlan = `某市试点工作实施方案
一、重点任务
（一）建设示范基地。2025年底前建成示范基地10个。（市农牧局牵头，市财政局配合）
（二）完善补贴政策。（市财政局负责）
某市人民政府
2024年3月1日
1.遗漏的任务。加强督查。（市农牧局负责）
`

// An import that would leave a numbered item out is refused (exit 1),
// naming the item, and leaves no ledger behind; --allow-partial records it.
func TestImportRefusesUnreadItems(t *testing.T) {
	plan := writeFile(t, "plan.txt", unreadPlan)
	store := filepath.Join(t.TempDir(), "ledger")
	code, _, stderr := runCLI(t, clock, "import", plan, "--store", store, "--plan", "pilot")
	if code != 1 || !strings.Contains(stderr, "遗漏的任务") {
		t.Fatalf("exit %d, stderr %q: want 1 naming the unread item", code, stderr)
	}
	code, out, stderr := runCLI(t, clock, "import", plan, "--store", store, "--plan", "pilot", "--allow-partial")
	if code != 0 || !strings.Contains(out, "TaskRegistered 2") {
		t.Fatalf("--allow-partial: exit %d\n%s\n%s", code, out, stderr)
	}
}
