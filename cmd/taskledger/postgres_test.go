package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"taskledger/eventstore/bolt"
	"taskledger/eventstore/esdb/esdbtest"
	"taskledger/eventstore/postgres/pgtest"
)

// headHash opens an embedded ledger read-only and returns its last event's
// hash and position.
func headHash(t *testing.T, dir string) (string, uint64) {
	t.Helper()
	s, err := bolt.OpenDir(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last, err := s.ReadAll(ctx, head-1, 1)
	if err != nil || len(last) != 1 {
		t.Fatalf("read the head of %s: %v", dir, err)
	}
	return last[0].Hash.String(), head
}

// A ledger goes from the embedded store into PostgreSQL, on to EventStoreDB
// (the test double) and back to the embedded store; every
// command that reads a ledger works on the PostgreSQL copy as on the
// embedded one, and the round trip ends with the same head hash.
func TestMigrateThroughPostgres(t *testing.T) {
	chdirRepo(t)
	t.Setenv(stateEnv, t.TempDir())
	pg := pgtest.URL(t)
	base := pgtest.Server(t)
	schema := pg[strings.Index(pg, "search_path=")+len("search_path="):]
	dir := t.TempDir()
	first, back := filepath.Join(dir, "first"), filepath.Join(dir, "back")
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

	// Commands that need an existing ledger refuse an empty schema and
	// create nothing there.
	for _, args := range [][]string{{"status", "--store", pg}, {"verify", "--store", pg}, {"obligations", "--store", pg, "--unit", "宁城县"}} {
		if code, _, stderr := runCLI(t, at, args...); code != 1 || !strings.Contains(stderr, "no ledger") {
			t.Fatalf("%s on an empty schema: exit %d, %q", args[0], code, stderr)
		}
	}
	if got := pgtest.Describe(t, base, schema); got != "" {
		t.Fatalf("a refused command left %s behind", got)
	}

	if code, _, stderr := runCLI(t, at, "import", "--store", first, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	code, out, stderr := runCLI(t, at, "migrate", "--from", first, "--to", pg)
	copied := regexp.MustCompile(`copied [1-9][0-9]* events`).FindString(out)
	if code != 0 || copied == "" || !strings.Contains(out, "proved") {
		t.Fatalf("migrate to postgres: exit %d\n%s\n%s", code, out, stderr)
	}
	root := out[strings.LastIndex(out, "Merkle root ")+len("Merkle root "):]
	if code, out, _ := runCLI(t, at, "migrate", "--from", first, "--to", pg); code != 0 || !strings.Contains(out, "copied 0 events") {
		t.Fatalf("repeated migrate: exit %d\n%s", code, out)
	}

	for _, args := range [][]string{
		{"verify", "--store", "STORE"},
		{"status", "--store", "STORE"},
		{"obligations", "--store", "STORE", "--unit", "宁城县"},
		{"audit", "--store", "STORE", "--unit", "宁城县"},
	} {
		on := func(store string) string {
			a := append([]string(nil), args...)
			a[2] = store
			code, out, stderr := runCLI(t, at, a...)
			if code != 0 {
				t.Fatalf("%s --store %s: exit %d %s", args[0], store, code, stderr)
			}
			var keep []string
			for _, line := range strings.Split(out, "\n") {
				if !strings.Contains(line, "events/s") { // timings differ
					keep = append(keep, line)
				}
			}
			return strings.ReplaceAll(strings.Join(keep, "\n"), store, "STORE")
		}
		if a, b := on(first), on(pg); a != b {
			t.Errorf("%s prints differently on the embedded and the PostgreSQL copy:\n%s\n---\n%s", args[0], a, b)
		}
	}

	key := filepath.Join(t.TempDir(), "key")
	cp := filepath.Join(t.TempDir(), "cp.json")
	incl := filepath.Join(t.TempDir(), "incl.json")
	mustCall(t, "checkpoint", "--new-key", key)
	mustCall(t, "checkpoint", "--store", pg, "--key", key, "--out", cp)
	mustCall(t, "proof", "inclusion", "--store", pg, "--position", "1000", "--checkpoint", cp, "--out", incl)
	if out := mustCall(t, "proof", "verify", "--proof", incl, "--checkpoint", cp, "--pubkey", key+".pub"); !strings.Contains(out, "position 1000") {
		t.Fatal(out)
	}
	mustCall(t, "verify", "--store", first, "--checkpoint", cp, "--pubkey", key+".pub")

	code, out, stderr = runCLI(t, at, "migrate", "--from", pg, "--to", back)
	if code != 0 || !strings.Contains(out, copied) || !strings.HasSuffix(out, root) {
		t.Fatalf("migrate back: exit %d\n%s\n%s\nwant root %s", code, out, stderr, root)
	}
	srv := esdbtest.Start(t)
	code, out, stderr = runCLI(t, at, "migrate", "--from", pg, "--to", srv.URL())
	if code != 0 || !strings.Contains(out, copied) || !strings.HasSuffix(out, root) {
		t.Fatalf("migrate to esdb: exit %d\n%s\n%s\nwant root %s", code, out, stderr, root)
	}
	h1, p1 := headHash(t, first)
	h2, p2 := headHash(t, back)
	if h1 != h2 || p1 != p2 {
		t.Fatalf("heads differ after the round trip: %s at %d, %s at %d", h1, p1, h2, p2)
	}
}

// refusalSchema readies a test of commands refusing a schema: the
// repository as the working directory, a state folder of the test's own,
// and a new schema name on the test server, dropped at the end.
func refusalSchema(t *testing.T) (base, schema string) {
	t.Helper()
	chdirRepo(t)
	t.Setenv(stateEnv, t.TempDir())
	base = pgtest.Server(t)
	schema = pgtest.NewSchemaName(t)
	t.Cleanup(func() { pgtest.Drop(t, base, schema) })
	return base, schema
}

// A schema that is not a ledger is refused, by commands that read and by
// those that may create, and left as it was.
func TestPostgresForeignSchemaRefused(t *testing.T) {
	base, schema := refusalSchema(t)
	pgtest.Exec(t, base, "CREATE SCHEMA "+schema, "CREATE TABLE "+schema+".invoices (id int)")
	before := pgtest.Describe(t, base, schema)
	pg := pgtest.WithSchema(base, schema)
	for _, args := range [][]string{{"verify", "--store", pg}, {"import", "--store", pg, "examples/chifeng-air-quality-plan.txt"}} {
		code, _, stderr := runCLI(t, clock, args...)
		if code != 1 || !strings.Contains(stderr, "refused") || !strings.Contains(stderr, "未作任何改动") {
			t.Fatalf("%s on a foreign schema: exit %d, %q", args[0], code, stderr)
		}
	}
	if after := pgtest.Describe(t, base, schema); after != before {
		t.Fatalf("refused commands changed the schema:\n%s\n%s", before, after)
	}
}

// A PostgreSQL ledger of a later schema version, as a newer taskledger
// would leave it, is refused as newer, not as damaged, by commands that
// read and by those that may create, and left as it was.
func TestPostgresNewerLedgerRefusedAsNewer(t *testing.T) {
	base, schema := refusalSchema(t)
	pg := pgtest.WithSchema(base, schema)
	if code, _, stderr := runCLI(t, clock, "import", "--store", pg, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	pgtest.Exec(t, base, "UPDATE "+schema+".taskledger_meta SET value = '2' WHERE key = 'version'")
	before := pgtest.Describe(t, base, schema)
	for _, args := range [][]string{{"verify", "--store", pg}, {"status", "--store", pg}, {"import", "--store", pg, "examples/chifeng-air-quality-plan.txt"}} {
		code, _, stderr := runCLI(t, clock, args...)
		for _, want := range []string{"更新版本的 taskledger", "[NEWER_FORMAT] (store.postgres_newer_version)", "schema version 2"} {
			if code != 1 || !strings.Contains(stderr, want) {
				t.Fatalf("%s on a newer ledger: exit %d, want 1 and %q:\n%s", args[0], code, want, stderr)
			}
		}
		if strings.Contains(stderr, "damaged") || strings.Contains(stderr, "无法识别") {
			t.Fatalf("%s: a newer ledger is called damaged or unrecognised:\n%s", args[0], stderr)
		}
	}
	if after := pgtest.Describe(t, base, schema); after != before {
		t.Fatalf("refused commands changed the schema:\n%s\n%s", before, after)
	}
}

// A failed serve --demo (or import) into a PostgreSQL schema leaves
// nothing behind: a schema it made is dropped, the tables it made in an
// existing empty schema are dropped, and its local state folder is
// removed; a later start begins from scratch.
func TestPostgresFailedCreationLeavesNothing(t *testing.T) {
	chdirRepo(t)
	base := pgtest.Server(t)
	tiny := writeFile(t, "tiny.txt", tinyPlan)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		name   string
		exists bool
		args   []string
	}{
		{"serve --demo on a busy port, new schema", false, []string{"serve", "--demo", "--plan", tiny, "--addr", busy.Addr().String()}},
		{"serve --demo on a busy port, empty schema", true, []string{"serve", "--demo", "--plan", tiny, "--addr", busy.Addr().String()}},
		{"import of an unparsable file, new schema", false, []string{"import", writeFile(t, "empty.txt", "")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "state")
			t.Setenv(stateEnv, state)
			schema := pgtest.NewSchemaName(t)
			t.Cleanup(func() { pgtest.Drop(t, base, schema) })
			if tc.exists {
				pgtest.Exec(t, base, "CREATE SCHEMA "+schema)
			}
			before := pgtest.Describe(t, base, schema)
			pg := pgtest.WithSchema(base, schema)
			code, _, stderr := runCLI(t, clock, append(tc.args, "--store", pg)...)
			if code == 0 {
				t.Fatalf("succeeded: %s", stderr)
			}
			if after := pgtest.Describe(t, base, schema); after != before {
				t.Fatalf("the failed start left %q (before: %q); stderr %s", after, before, stderr)
			}
			if _, err := os.Stat(state); !os.IsNotExist(err) {
				t.Fatalf("the state folder %s is left behind (%v)", state, err)
			}
			if code, _, stderr := runCLI(t, clock, "import", "--store", pg, tiny); code != 0 {
				t.Fatalf("a later import: exit %d %s", code, stderr)
			}
		})
	}
}
