package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// policePlan is a Baotou plan naming its 市公安局.
const policePlan = `包头市某某工作实施方案
一、重点任务
（一）加强交通秩序管理。2025年底前完成。（市公安局牵头，市交通运输局配合）
`

// unitStreams lists the unit streams of the ledger at store.
func unitStreams(t *testing.T, store string) []string {
	t.Helper()
	a := &cli{stdout: os.Stdout, stderr: os.Stderr, getenv: func(string) string { return "" }, now: func() time.Time { return clock }}
	l, err := a.openLedger(store, mustExist)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	events, err := l.store.ReadAll(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		if e.Type == "UnitRegistered" {
			out = append(out, e.Stream)
		}
	}
	return out
}

// import --registry FILE names the plan's units from the file when it is
// the plan's jurisdiction's, and never from another jurisdiction's.
func TestImportRegistryFlag(t *testing.T) {
	plan := writeFile(t, "plan.txt", policePlan)
	baotou := writeFile(t, "baotou.json", `{"jurisdiction": "包头市", "units": [
		{"id": "baotou.public-security", "name": "公安局", "kind": "bureau", "aliases": ["市公安局"]}]}`)
	chifeng := filepath.Join("..", "..", "planparse", "units", "chifeng.json")

	store := filepath.Join(t.TempDir(), "a")
	if code, out, stderr := runCLI(t, clock, "import", plan, "--store", store, "--plan", "bt", "--registry", baotou); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if got := strings.Join(unitStreams(t, store), " "); !strings.Contains(got, "unit-baotou.public-security") {
		t.Errorf("units %s: the registry's id was not used", got)
	}

	store = filepath.Join(t.TempDir(), "b")
	code, out, stderr := runCLI(t, clock, "import", plan, "--store", store, "--plan", "bt", "--registry", chifeng)
	if code != 0 || !strings.Contains(stderr, "describes 赤峰市 but the plan belongs to 包头市") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	for _, s := range unitStreams(t, store) {
		if strings.HasPrefix(s, "unit-bureau.") {
			t.Errorf("Baotou's unit recorded as Chifeng's %s", s)
		}
	}

	// Without --registry the Baotou plan borrows nothing either.
	store = filepath.Join(t.TempDir(), "c")
	if code, out, stderr := runCLI(t, clock, "import", plan, "--store", store, "--plan", "bt"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	for _, s := range unitStreams(t, store) {
		if strings.HasPrefix(s, "unit-bureau.") {
			t.Errorf("Baotou's unit recorded as Chifeng's %s", s)
		}
	}
}

// A registry file that does not load is refused (exit 1) in Chinese and
// English, and no ledger is left behind; a missing file likewise.
func TestImportBadRegistry(t *testing.T) {
	plan := writeFile(t, "plan.txt", policePlan)
	bad := writeFile(t, "bad.json", `{"jurisdiction": "包头市", "units": [{"id": "x", "name": "公安局", "kind": "police"}]}`)
	for _, reg := range []string{bad, filepath.Join(t.TempDir(), "missing.json")} {
		store := filepath.Join(t.TempDir(), "ledger")
		code, _, stderr := runCLI(t, clock, "import", plan, "--store", store, "--plan", "bt", "--registry", reg)
		if code != 1 || !strings.Contains(stderr, "单位名录") || !strings.Contains(stderr, "registry") {
			t.Errorf("--registry %s: exit %d, stderr %q", filepath.Base(reg), code, stderr)
		}
		if _, err := os.Stat(store); !os.IsNotExist(err) {
			t.Errorf("--registry %s: a ledger was left at %s (%v)", filepath.Base(reg), store, err)
		}
	}
}
