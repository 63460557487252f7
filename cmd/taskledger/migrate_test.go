package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskledger/eventstore/esdb/esdbtest"
)

// A demo ledger goes from the embedded store to EventStoreDB (the in-process
// test double) and back; each copy is proved, a repeat copies nothing, and
// the round trip keeps every hash and the Merkle root. (1024 events: the
// Chifeng import; task (十八)'s 2026 milestone is scheduled for the two
// counties it names only, and a unit that several brackets of a task name in
// the same role has a duty per bracket.)
func TestMigrateToEventStoreDBAndBack(t *testing.T) {
	chdirRepo(t)
	dir := t.TempDir()
	first, back := filepath.Join(dir, "first"), filepath.Join(dir, "back")
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	if code, _, stderr := runCLI(t, at, "import", "--store", first, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	srv := esdbtest.Start(t)
	code, out, stderr := runCLI(t, at, "migrate", "--from", first, "--to", srv.URL())
	if code != 0 || !strings.Contains(out, "copied 1024 events") || !strings.Contains(out, "proved") {
		t.Fatalf("migrate to esdb: exit %d\n%s\n%s", code, out, stderr)
	}
	root := out[strings.LastIndex(out, "Merkle root ")+len("Merkle root "):]
	if code, out, _ := runCLI(t, at, "migrate", "--from", first, "--to", srv.URL()); code != 0 || !strings.Contains(out, "copied 0 events") || !strings.Contains(out, "1024 were already there") {
		t.Fatalf("repeated migrate: exit %d\n%s", code, out)
	}
	code, out, stderr = runCLI(t, at, "migrate", "--from", srv.URL(), "--to", back)
	if code != 0 || !strings.Contains(out, "copied 1024 events") || !strings.HasSuffix(out, root) {
		t.Fatalf("migrate back: exit %d\n%s\n%s\nwant root %s", code, out, stderr, root)
	}
	if code, out, stderr := runCLI(t, at, "verify", "--store", back); code != 0 {
		t.Fatalf("verify the round-tripped ledger: %s %s", out, stderr)
	}
	if code, _, _ := runCLI(t, at, "migrate", "--from", first, "--to", first); code != 2 {
		t.Fatal("migrating a store onto itself was not refused")
	}
	// A target that already holds the same plan imported at another time
	// has the same event IDs but other content: the proof refuses it.
	other := filepath.Join(dir, "other")
	if code, _, stderr := runCLI(t, at.Add(time.Hour), "import", "--store", other, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	code, _, stderr = runCLI(t, at, "migrate", "--from", first, "--to", other)
	if code != 1 || !strings.Contains(stderr, "differs") {
		t.Fatalf("migrate onto a different ledger: exit %d, %q", code, stderr)
	}
}

// A ledger in EventStoreDB keeps its local state — tokens, checkpoints,
// snapshots — in $TASKLEDGER_STATE, not in a folder named after the URL.
func TestEventStoreDBLedgerKeepsStateInTheStateFolder(t *testing.T) {
	chdirRepo(t)
	state := t.TempDir()
	t.Setenv(stateEnv, state)
	srv := esdbtest.Start(t)
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	if code, _, stderr := runCLI(t, at, "import", "--store", srv.URL(), "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import into esdb: %s", stderr)
	}
	if code, out, stderr := runCLI(t, at, "token", "create", "--store", srv.URL(), "--role", "inspector"); code != 0 {
		t.Fatalf("token create: %s %s", out, stderr)
	}
	key := filepath.Join(t.TempDir(), "key")
	if code, _, stderr := runCLI(t, at, "checkpoint", "--new-key", key); code != 0 {
		t.Fatalf("new key: %s", stderr)
	}
	if code, out, stderr := runCLI(t, at, "checkpoint", "--store", srv.URL(), "--key", key); code != 0 {
		t.Fatalf("checkpoint: %s %s", out, stderr)
	}
	if code, _, stderr := runCLI(t, at, "obligations", "--store", srv.URL(), "--unit", "宁城县"); code != 0 {
		t.Fatalf("obligations: %s", stderr)
	}
	for _, want := range []string{"tokens.json", "checkpoints"} {
		if _, err := os.Stat(filepath.Join(state, want)); err != nil {
			t.Errorf("%s is not in the state folder: %v", want, err)
		}
	}
}
