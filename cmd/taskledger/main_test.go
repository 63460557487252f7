package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCLI runs the binary's entry point with a fixed clock and returns the
// exit code and both outputs.
func runCLI(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &cli{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, now: func() time.Time { return now }}
	code := run(context.Background(), a, args)
	return code, out.String(), errOut.String()
}

var clock = time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC)

func chdirRepo(t *testing.T) {
	t.Helper()
	wd, _ := os.Getwd()
	t.Chdir(filepath.Join(wd, "..", ".."))
}

func TestUsageErrorsExitTwo(t *testing.T) {
	cases := [][]string{
		{},
		{"no-such-command"},
		{"status", "--no-such-flag"},
		{"obligations", "--store", "memory"}, // --unit missing
		{"scorecard", "--store", "memory"},   // --year missing
		{"scorecard", "--store", "memory", "--year", "2025", "--kind", "city"}, // bad kind
		{"tick", "--store", "memory", "--now", "yesterday"},                    // bad time
		{"bench", "--store", "memory", "--events-per-task", "3", "--batch", "2"},
		{"import"},
		{"serve", "--store", "memory", "--response-cache", "-1s"},
	}
	for _, args := range cases {
		code, _, stderr := runCLI(t, clock, args...)
		if code != 2 {
			t.Errorf("taskledger %s: exit %d, want 2 (stderr %q)", strings.Join(args, " "), code, stderr)
		}
	}
	if code, out, _ := runCLI(t, clock, "help"); code != 0 || !strings.Contains(out, "scorecard") {
		t.Fatalf("help: exit %d, %q", code, out)
	}
	if code, _, _ := runCLI(t, clock, "version"); code != 0 {
		t.Fatal("version failed")
	}
}

func TestImportStatusObligationsAndScorecards(t *testing.T) {
	chdirRepo(t)
	store := filepath.Join(t.TempDir(), "ledger")
	// Tracked from 2024, so that the 2024 milestones slip below (tracking
	// would otherwise start on the day of the import, 1 February 2025).
	code, out, stderr := runCLI(t, clock, "import", "--store", store, "examples/chifeng-air-quality-plan.txt", "--tracking-from", "2024-01-01")
	if code != 0 || !strings.Contains(out, "TaskRegistered 28") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, _ := runCLI(t, clock, "import", "--store", store, "examples/chifeng-air-quality-plan.txt"); code != 0 || !strings.Contains(out, "nothing to record") {
		t.Fatalf("re-import: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, clock, "status", "--store", store)
	if code != 0 || !strings.Contains(out, "TaskRegistered") {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, clock, "obligations", "--store", store, "--unit", "生态环境局", "--format", "json")
	if code != 0 {
		t.Fatalf("obligations: exit %d\n%s", code, out)
	}
	var list struct {
		Unit        string            `json:"unit"`
		Obligations []json.RawMessage `json:"obligations"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || list.Unit != "bureau.ecology-environment" || len(list.Obligations) < 20 {
		t.Fatalf("obligations of 生态环境局: unit %q, %d obligations, %v", list.Unit, len(list.Obligations), err)
	}
	if code, _, stderr := runCLI(t, clock, "obligations", "--store", store, "--unit", "不存在局"); code != 1 || !strings.Contains(stderr, "not found") {
		t.Fatalf("unknown unit: exit %d, %q", code, stderr)
	}
	// Nothing is due in February 2025 except the 2024 milestones: the
	// watcher records their slips once. (Older deadlines, before the
	// tracking start, are to be backfilled, not slipped.)
	code, out, _ = runCLI(t, clock, "tick", "--store", store)
	if code != 0 || !strings.Contains(out, "deadline slips recorded") || strings.Contains(out, ": 0 deadline") {
		t.Fatalf("tick: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, clock, "tick", "--store", store); code != 0 || !strings.Contains(out, ": 0 deadline slips") || !strings.Contains(out, "记录催办 0 条") {
		t.Fatalf("second tick: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, clock, "scorecard", "--store", store, "--year", "2025", "--format", "json")
	if code != 0 || !strings.Contains(out, `"kind": "BUREAU"`) {
		t.Fatalf("scorecard: exit %d\n%s", code, out)
	}
	code, out, stderr = runCLI(t, clock, "scorecard", "--store", store, "--year", "2025", "--publish")
	if code != 0 || !strings.Contains(out, "published 2025 bureau scorecards") {
		t.Fatalf("publish: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, clock, "scorecard", "--store", store, "--year", "2025", "--check-published")
	if code != 0 || !strings.Contains(out, "reproduces exactly") || !strings.Contains(out, "no difference") {
		t.Fatalf("check published: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, clock, "rebuild", "--store", store)
	if code != 0 || !strings.Contains(out, "rebuilt 4 read models") {
		t.Fatalf("rebuild: exit %d\n%s", code, out)
	}
}

func TestPlanParseJSONShape(t *testing.T) {
	chdirRepo(t)
	code, out, _ := runCLI(t, clock, "plan", "parse", "--json", "examples/chifeng-air-quality-plan.txt")
	if code != 0 {
		t.Fatalf("plan parse: exit %d", code)
	}
	var p struct {
		Title string `json:"title"`
		Tasks []struct {
			Number int    `json:"number"`
			Title  string `json:"title"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Tasks) != 28 || p.Tasks[0].Number != 3 || p.Tasks[0].Title != "坚决遏制“两高、一低”项目盲目发展，严格环境准入要求" {
		t.Fatalf("parsed %d tasks, first %+v", len(p.Tasks), p.Tasks[0])
	}
	if code, _, _ := runCLI(t, clock, "plan", "parse", "no/such/file.txt"); code != 1 {
		t.Fatalf("a missing file: exit %d, want 1", code)
	}
}

func TestBenchPrintsOneJSONLine(t *testing.T) {
	code, out, stderr := runCLI(t, clock, "bench", "--store", "memory", "--tasks", "20", "--events-per-task", "4", "--batch", "2", "--writers", "4")
	if code != 0 {
		t.Fatalf("bench: exit %d: %s", code, stderr)
	}
	var res benchResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("bench output %q: %v", out, err)
	}
	if res.Events != 80 || res.Store != "memory" || res.AppendEventsPerS <= 0 || res.ReplayEventsPerS <= 0 || res.ReplayUnitsCount != 20 {
		t.Fatalf("bench result %+v", res)
	}
}
