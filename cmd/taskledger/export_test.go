package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"taskledger/export"
)

func TestScorecardSpreadsheetExports(t *testing.T) {
	chdirRepo(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "ledger")
	if code, out, stderr := runCLI(t, clock, "import", "--store", store, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, stderr)
	}
	file := filepath.Join(dir, "bureaus.xlsx")
	code, out, stderr := runCLI(t, clock, "scorecard", "--store", store, "--year", "2025", "--format", "xlsx", "--out", file)
	if code != 0 || !strings.Contains(out, "wrote 2025 bureau scorecards") {
		t.Fatalf("xlsx: exit %d\n%s\n%s", code, out, stderr)
	}
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(export.SheetRanking)
	if len(rows) < 10 || rows[0][0] != "名次" || rows[1][0] != "1" || rows[1][3] != "100.00" {
		t.Fatalf("ranking sheet: %q", rows[:min(2, len(rows))])
	}
	if about, _ := f.GetRows(export.SheetAbout); strings.Contains(fmt.Sprint(about), "模拟") {
		t.Errorf("a ledger without simulated activity is labelled simulated: %q", about)
	}
	// A simulated ledger's workbook says so. (Simulated activity never
	// enters a real ledger: the demo gets a store of its own.)
	demoStore := filepath.Join(dir, "demo-ledger")
	if code, out, stderr := runCLI(t, clock, "demo", "--store", demoStore); code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, stderr)
	}
	demoFile := filepath.Join(dir, "demo.xlsx")
	if code, out, stderr := runCLI(t, clock, "scorecard", "--store", demoStore, "--year", "2025", "--kind", "county", "--format", "xlsx", "--out", demoFile); code != 0 {
		t.Fatalf("xlsx of the demo: exit %d\n%s\n%s", code, out, stderr)
	}
	g, err := excelize.OpenFile(demoFile)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if about, _ := g.GetRows(export.SheetAbout); !strings.Contains(fmt.Sprint(about), "【模拟数据】") {
		t.Errorf("the demo's workbook does not say its data are simulated: %q", about)
	}
	code, out, _ = runCLI(t, clock, "scorecard", "--store", store, "--year", "2025", "--kind", "county", "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "\ufeff名次,单位,单位代码,得分") {
		t.Fatalf("csv: exit %d\n%.200s", code, out)
	}
	for _, args := range [][]string{
		{"--format", "xlsx"},                // no --out
		{"--format", "json", "--out", file}, // --out with a non-spreadsheet format
		{"--format", "pdf", "--out", file},  // unknown format
	} {
		if code, _, _ := runCLI(t, clock, append([]string{"scorecard", "--store", store, "--year", "2025"}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
