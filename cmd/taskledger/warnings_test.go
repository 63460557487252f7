package main

import (
	"path/filepath"
	"strings"
	"testing"

	"taskledger/planparse"
)

// The refusal names the unread item by line in Chinese; a partial import
// prints the parser's warnings grouped by kind with their counts, Chinese
// first.
func TestImportWarningsGroupedInChinese(t *testing.T) {
	plan := writeFile(t, "plan.txt", unreadPlan)
	store := filepath.Join(t.TempDir(), "ledger")
	code, _, stderr := runCLI(t, clock, "import", plan, "--store", store, "--plan", "pilot")
	if code != 1 || !strings.Contains(stderr, "编号条目无法读取") || !strings.Contains(stderr, "第 7 行") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, clock, "import", plan, "--store", store, "--plan", "pilot", "--allow-partial")
	if code != 0 {
		t.Fatalf("--allow-partial: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"警告 3 条", "编号条目未能读取，不属于任何任务：1 条", "第 7 行"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	zh := strings.Index(stderr, "编号条目未能读取")
	if en := strings.Index(stderr, "numbered item not read"); zh < 0 || en < zh {
		t.Errorf("the Chinese words do not come first:\n%s", stderr)
	}
	detail := `第 7 行 编号条目未归入任何任务：“1.遗漏的任务。加强督查。（市农牧局负责）” (numbered item not read as part of any task: "1.遗漏的任务。加强督查。（市农牧局负责）")`
	if !strings.Contains(stderr, detail) {
		t.Errorf("stderr lacks the unread item's detail, Chinese first:\n%s", stderr)
	}
}

// plan parse gives each warning's detail in Chinese first, then in
// English.
func TestPlanParseWarningDetailChineseFirst(t *testing.T) {
	chdirRepo(t)
	code, out, stderr := runCLI(t, clock, "plan", "parse", "planparse/testdata/chifeng-air-quality-plan.txt")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"    第 26 行 已删除残留的排版标记 [bookmark: _GoBack] (removed stray markup [bookmark: _GoBack])\n",
		"    第 45 行 第 28 项任务没有责任单位括注，仅按总括性要求由各旗县区人民政府落实 (task 28 has no attribution bracket;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// A warning without a Chinese detail is printed in English alone, with no
// empty brackets.
func TestWarningDetailWithoutChinese(t *testing.T) {
	got := warningDetail(planparse.Warning{Code: "made-up", Line: 3, Message: "something odd"})
	if got != "第 3 行 something odd" {
		t.Errorf("got %q", got)
	}
}

// plan parse lists its warnings grouped by kind, with counts.
func TestPlanParseGroupsWarnings(t *testing.T) {
	chdirRepo(t)
	code, out, stderr := runCLI(t, clock, "plan", "parse", "planparse/testdata/anhui_rcep_2022.txt")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"警告 26 条", "名录中没有的单位，已作为新单位登记：21 条", "… 另有 13 条"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
