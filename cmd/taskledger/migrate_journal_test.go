package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskledger/eventstore/bolt"
)

// migrate copies a ledger without a journal (format 2, as ledgers made
// before format 3 became the default are) into a new ledger, which has one
// (format 3), and proves the copy: every event with the same hash in the
// same order, the same Merkle root, which verify of the copy confirms; the
// source stays format 2 and keeps working.
func TestMigrateIntoJournalLedger(t *testing.T) {
	chdirRepo(t)
	dir := t.TempDir()
	from, to := filepath.Join(dir, "from"), filepath.Join(dir, "to")
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	old, err := bolt.OpenDir(from, bolt.Options{NoJournal: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, at, "import", "--store", from, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	code, out, stderr := runCLI(t, at, "migrate", "--from", from, "--to", to)
	if code != 0 || !strings.Contains(out, "copied 1024 events") || !strings.Contains(out, "proved") {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, out, stderr)
	}
	root := strings.TrimSpace(out[strings.LastIndex(out, "Merkle root ")+len("Merkle root "):])
	root = strings.Fields(root)[0]
	for dir, want := range map[string]string{from: "taskledger-bolt/2", to: "taskledger-bolt/4"} {
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

// migrate --no-journal makes the new ledger format 2; the --journal of
// earlier releases is still accepted and changes nothing.
func TestMigrateJournalFlags(t *testing.T) {
	chdirRepo(t)
	dir := t.TempDir()
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	from := filepath.Join(dir, "from")
	if code, _, stderr := runCLI(t, at, "import", "--store", from, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	for flag, want := range map[string]string{"--no-journal": "taskledger-bolt/2", "--journal": "taskledger-bolt/4"} {
		to := filepath.Join(dir, flag)
		if code, out, stderr := runCLI(t, at, "migrate", flag, "--from", from, "--to", to); code != 0 {
			t.Fatalf("migrate %s: exit %d\n%s\n%s", flag, code, out, stderr)
		}
		s, err := bolt.OpenDir(to, bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Format(); got != want {
			t.Errorf("migrate %s: format %s, want %s", flag, got, want)
		}
		_ = s.Close()
	}
}
