package main

import (
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
