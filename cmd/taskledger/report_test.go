package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"taskledger/reportsheet"
)

// report template writes a county's template as its token holder;
// report upload records the filled rows once and names bad cells.
func TestReportTemplateAndUploadCommands(t *testing.T) {
	chdirRepo(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "ledger")
	if code, out, stderr := runCLI(t, clock, "import", "--store", store, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: %d\n%s\n%s", code, out, stderr)
	}
	code, token, stderr := runCLI(t, clock, "token", "create", "--store", store, "--role", "county", "--unit", "宁城县")
	if code != 0 {
		t.Fatalf("token: %d %s", code, stderr)
	}
	token = strings.TrimSpace(token)
	file := filepath.Join(dir, "宁城县.xlsx")
	code, out, stderr := runCLI(t, clock, "report", "template", "--store", store, "--token", token, "--plan", "chifeng-air", "-o", file)
	if code != 0 || !strings.Contains(out, "宁城县") {
		t.Fatalf("template: %d\n%s\n%s", code, out, stderr)
	}
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r := reportsheet.FirstDataRow
	x.SetCellValue(reportsheet.SheetName, "H"+strconv.Itoa(r), 30)
	x.SetCellValue(reportsheet.SheetName, "I"+strconv.Itoa(r), "已部署")
	x.SetCellValue(reportsheet.SheetName, "H"+strconv.Itoa(r+1), 10)
	if err := x.Save(); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLI(t, clock, "report", "upload", "--store", store, "--token", token, file)
	if code != 0 || !strings.Contains(out, "记录 2 行") {
		t.Fatalf("upload: %d\n%s\n%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, clock, "report", "upload", "--store", store, "--token", token, file)
	if code != 0 || !strings.Contains(out, "记录 0 行，此前已记录 2 行") {
		t.Fatalf("second upload: %d\n%s", code, out)
	}
	x.SetCellValue(reportsheet.SheetName, "H"+strconv.Itoa(r+2), "七成")
	x.Save()
	x.Close()
	code, _, stderr = runCLI(t, clock, "report", "upload", "--store", store, "--token", token, file)
	if code == 0 || !strings.Contains(stderr, "第 6 行「进展百分比」：应为 0 到 100 的整数") || !strings.Contains(stderr, "row 6, column 进展百分比") {
		t.Fatalf("bad upload: %d\n%s", code, stderr)
	}
	// The operator at the machine does not report for a unit.
	code, _, stderr = runCLI(t, clock, "report", "upload", "--store", store, file)
	if code == 0 || !strings.Contains(stderr, "FORBIDDEN") {
		t.Fatalf("operator upload: %d\n%s", code, stderr)
	}
	if code, _, _ := runCLI(t, clock, "report", "template", "--store", store, "--token", token); code != 2 {
		t.Errorf("template without -o: exit %d, want 2", code)
	}
}
