package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The office changes a plan and issues a bulletin from the command line;
// the bulletin renders again byte for byte.
func TestPlanChangeAndBulletinCommands(t *testing.T) {
	chdirRepo(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "ledger")
	if code, out, stderr := runCLI(t, clock, "import", "--store", store, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: %d\n%s\n%s", code, out, stderr)
	}
	later := clock.Add(24 * time.Hour)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, later, append(args, "--store", store)...)
	}
	code, out, stderr := run("plan", "schedule", "--task", "10", "--unit", "宁城县", "--role", "IMPLEMENTING", "--milestone", "m1", "--what", "自查", "--due", "2026-03-31")
	if code != 0 || !strings.Contains(out, "MilestoneScheduled") {
		t.Fatalf("schedule: %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = run("plan", "reschedule", "--task", "10", "--unit", "宁城县", "--role", "IMPLEMENTING", "--milestone", "m1", "--due", "2026-06-30", "--reason", "方案修订")
	if code != 0 || !strings.Contains(out, "MilestoneRescheduled") {
		t.Fatalf("reschedule: %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr = run("plan", "reschedule", "--task", "10", "--unit", "宁城县", "--role", "IMPLEMENTING", "--milestone", "m1", "--due", "2026-07-31"); code != 1 || !strings.Contains(stderr, "必须说明理由") {
		t.Fatalf("reschedule without a reason: %d\n%s", code, stderr)
	}
	if code, _, stderr = run("unit", "merge", "宁城县", "--into", "宁城县"); code != 1 || !strings.Contains(stderr, "不能并入自身") {
		t.Fatalf("merge into itself: %d\n%s", code, stderr)
	}
	if code, out, stderr = run("unit", "rename", "宁城县", "--name", "宁城市", "--reason", "撤县设市"); code != 0 || !strings.Contains(out, "UnitRenamed") {
		t.Fatalf("rename: %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr = run("unit", "split", "宁城市", "--into", "county.ningcheng-east=宁城东区", "--into", "敖汉旗", "--heir", "宁城东区"); code != 0 || !strings.Contains(out, "UnitSplit") {
		t.Fatalf("split: %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr = run("bulletin", "issue", "--period", "2025-13"); code != 1 || !strings.Contains(stderr, "通报期间") {
		t.Fatalf("a bad period: %d\n%s", code, stderr)
	}
	first := filepath.Join(dir, "first.pdf")
	if code, out, stderr = run("bulletin", "issue", "--period", "2025-01", "-o", first); code != 0 || !strings.Contains(out, "2025年第1期") {
		t.Fatalf("issue: %d\n%s\n%s", code, out, stderr)
	}
	if code, out, _ = run("bulletin", "issue", "--period", "2025-01"); code != 0 || !strings.Contains(out, "此前已印发") {
		t.Fatalf("issue again: %d\n%s", code, out)
	}
	again := filepath.Join(dir, "again.pdf")
	if code, out, stderr = run("bulletin", "pdf", "--year", "2025", "--number", "1", "-o", again); code != 0 || !strings.Contains(out, "一致") {
		t.Fatalf("pdf: %d\n%s\n%s", code, out, stderr)
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(again)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("the reproduced PDF differs (%d and %d bytes)", len(a), len(b))
	}
	if code, out, _ = run("bulletin", "list"); code != 0 || !strings.Contains(out, "2025年第1期\t2025年1月") {
		t.Fatalf("list: %d\n%s", code, out)
	}
}
