package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskledger/eventstore/bolt"
)

// migrate --journal copies a ledger without a journal (format 2) into a new
// ledger with one (format 3) and proves the copy: every event with the same
// hash in the same order, the same Merkle root, which verify of the copy
// confirms; the source stays format 2.
func TestMigrateIntoJournalLedger(t *testing.T) {
	chdirRepo(t)
	dir := t.TempDir()
	from, to := filepath.Join(dir, "from"), filepath.Join(dir, "to")
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	if code, _, stderr := runCLI(t, at, "import", "--store", from, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	code, out, stderr := runCLI(t, at, "migrate", "--journal", "--from", from, "--to", to)
	if code != 0 || !strings.Contains(out, "copied 1024 events") || !strings.Contains(out, "proved") {
		t.Fatalf("migrate --journal: exit %d\n%s\n%s", code, out, stderr)
	}
	root := strings.TrimSpace(out[strings.LastIndex(out, "Merkle root ")+len("Merkle root "):])
	root = strings.Fields(root)[0]
	for dir, want := range map[string]string{from: "taskledger-bolt/2", to: "taskledger-bolt/3"} {
		s, err := bolt.OpenDir(dir, bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Format(); got != want {
			t.Errorf("%s: format %s, want %s", dir, got, want)
		}
		_ = s.Close()
		code, out, stderr := runCLI(t, at, "verify", "--store", dir)
		if code != 0 || !strings.Contains(out, "holds 1024 events") || !strings.Contains(out, "root "+root) {
			t.Fatalf("verify %s: exit %d\n%s\n%s\nwant root %s", dir, code, out, stderr, root)
		}
	}
}
