package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// call runs one subcommand function directly (the tests do not depend on
// main.go's table) and returns its error and outputs.
func call(t *testing.T, fn func(context.Context, *app, []string) error, args ...string) (error, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, now: func() time.Time { return clock }}
	err := fn(context.Background(), a, args)
	return err, out.String(), errOut.String()
}

func mustCall(t *testing.T, fn func(context.Context, *app, []string) error, args ...string) string {
	t.Helper()
	err, out, errOut := call(t, fn, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
	}
	return out
}

func TestAuditCommands(t *testing.T) {
	chdirRepo(t)
	tmp := t.TempDir()
	store := filepath.Join(tmp, "ledger")
	key := filepath.Join(tmp, "key")
	mustCall(t, runDemo, "--store", store, "--seed", "1")
	mustCall(t, runCheckpoint, "--new-key", key)
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v %v", fi, err)
	}
	cp1 := filepath.Join(tmp, "cp1.json")
	mustCall(t, runCheckpoint, "--store", store, "--key", key, "--out", cp1)

	// More events, a second checkpoint, and a consistency proof between them.
	mustCall(t, runDemo, "--store", store, "--seed", "2")
	cp2 := filepath.Join(tmp, "cp2.json")
	mustCall(t, runCheckpoint, "--store", store, "--key", key, "--out", cp2)
	cons := filepath.Join(tmp, "cons.json")
	mustCall(t, runProof, "consistency", "--store", store, "--old", cp1, "--new", cp2, "--out", cons)
	if out := mustCall(t, runProof, "verify", "--proof", cons, "--old", cp1, "--new", cp2, "--pubkey", key+".pub"); !strings.HasPrefix(out, "OK") {
		t.Fatal(out)
	}
	if err, _, _ := call(t, runProof, "verify", "--proof", cons, "--old", cp2, "--new", cp1, "--pubkey", key+".pub"); err == nil {
		t.Fatal("a consistency proof verified against swapped checkpoints")
	}

	// Inclusion proof by position against the first checkpoint.
	incl := filepath.Join(tmp, "incl.json")
	mustCall(t, runProof, "inclusion", "--store", store, "--position", "1000", "--checkpoint", cp1, "--out", incl)
	if out := mustCall(t, runProof, "verify", "--proof", incl, "--checkpoint", cp1, "--pubkey", key+".pub"); !strings.Contains(out, "position 1000") {
		t.Fatal(out)
	}
	if err, _, _ := call(t, runProof, "verify", "--proof", incl, "--checkpoint", cp2, "--pubkey", key+".pub"); err == nil {
		t.Fatal("an inclusion proof verified against a checkpoint of another size")
	}
	other := filepath.Join(tmp, "other")
	mustCall(t, runCheckpoint, "--new-key", other)
	if err, _, _ := call(t, runProof, "verify", "--proof", incl, "--checkpoint", cp1, "--pubkey", other+".pub"); err == nil {
		t.Fatal("an inclusion proof verified with another key")
	}

	// Export, verify the store and the export, then damage the export.
	exp := filepath.Join(tmp, "ledger.jsonl")
	mustCall(t, runLedgerExport, "--store", store, "--out", exp)
	mustCall(t, runVerify, "--store", store, "--checkpoint", cp2, "--pubkey", key+".pub")
	mustCall(t, runVerify, "--export", exp, "--checkpoint", cp1, "--pubkey", key+".pub")
	if err, _, _ := call(t, runVerify, "--export", exp, "--checkpoint", cp1, "--pubkey", other+".pub"); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("another key: %v", err)
	}
	b, err := os.ReadFile(exp)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(b, []byte("\n"))
	lines[500] = bytes.Replace(lines[500], []byte(`"version":`), []byte(`"version":1`), 1)
	bad := filepath.Join(tmp, "bad.jsonl")
	if err := os.WriteFile(bad, bytes.Join(lines, []byte("\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	err, _, _ = call(t, runVerify, "--export", bad)
	if err == nil || !strings.Contains(err.Error(), "line 501") {
		t.Fatalf("damaged export: %v", err)
	}

	// The audit trail: as of a date, only events recorded by then.
	out := mustCall(t, runAuditTrail, "--store", store, "--task", "10", "--as-of", "2025-03-01", "--format", "json")
	if !strings.Contains(out, `"flags"`) || strings.Contains(out, `"recorded_at": "2025-04`) {
		t.Fatalf("audit json: %.400s", out)
	}
	if out := mustCall(t, runAuditTrail, "--store", store, "--unit", "生态环境局"); !strings.Contains(out, "审计记录") {
		t.Fatalf("audit table: %.400s", out)
	}
}
