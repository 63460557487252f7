package main

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"taskledger/eventstore/bolt"
)

// runCLIWith runs args with a's streams replaced by buffers.
func runCLIWith(a *cli, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	a.stdout, a.stderr = &out, &errOut
	code := run(context.Background(), a, args)
	return code, out.String(), errOut.String()
}

// testCLI is a run at clock with an empty environment but for env.
func testCLI(env map[string]string) *cli {
	return &cli{getenv: func(k string) string { return env[k] }, now: func() time.Time { return clock }}
}

// servedLedger is a demo ledger of the tiny plan, its tokens, and what the
// read commands print when they open the store directly.
type servedLedger struct {
	store  string
	tokens map[string]string // role → token
	direct map[string]string // a command's name → its output on the store
}

// positionRE matches a scorecard's "position" line in JSON.
var positionRE = regexp.MustCompile(`(?m)^  "position": \d+,$`)

// readCommands are the read commands compared between the store and the
// server; each runs with --store DIR or --server URL --token T appended.
var readCommands = map[string][]string{
	"obligations table":  {"obligations", "--unit", "宁城县", "--as-of", "2025-12-31"},
	"obligations json":   {"obligations", "--unit", "county.ningcheng", "--as-of", "2025-12-31", "--format", "json"},
	"obligations status": {"obligations", "--unit", "红山区", "--as-of", "2025-06-30", "--status", "overdue", "--format", "json"},
	"scorecard table":    {"scorecard", "--year", "2025", "--kind", "county", "--as-of", "2026-01-31"},
	"scorecard unit":     {"scorecard", "--year", "2025", "--kind", "county", "--as-of", "2026-01-31", "--unit", "宁城县"},
	"scorecard json":     {"scorecard", "--year", "2025", "--kind", "county", "--as-of", "2026-01-31", "--format", "json"},
	"scorecard csv":      {"scorecard", "--year", "2025", "--kind", "county", "--as-of", "2026-01-31", "--format", "csv"},
}

// newServedLedger records a simulated year of the tiny plan, makes tokens,
// records the slips due at clock (so that the server's deadline watcher
// finds none) and runs readCommands on the store.
func newServedLedger(t *testing.T) *servedLedger {
	t.Helper()
	l := &servedLedger{store: filepath.Join(t.TempDir(), "ledger"), tokens: map[string]string{}, direct: map[string]string{}}
	plan := writeFile(t, "plan.txt", tinyPlan)
	mustRun(t, "demo", "--store", l.store, "--plan-file", plan)
	for role, unit := range map[string]string{"coordinator": "", "committee": "", "county": "county.ningcheng"} {
		args := []string{"token", "create", "--role", role, "--store", l.store}
		if unit != "" {
			args = append(args, "--unit", unit)
		}
		l.tokens[role] = strings.TrimSpace(mustRun(t, args...))
	}
	mustRun(t, "tick", "--store", l.store)
	for name, args := range readCommands {
		l.direct[name] = mustRun(t, append(args, "--store", l.store)...)
	}
	return l
}

// mustRun runs args at clock and returns stdout; a failure ends the test.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, stderr := runCLI(t, clock, args...)
	if code != 0 {
		t.Fatalf("%s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, stderr)
	}
	return out
}

// serve starts taskledger serve's server over the ledger in-process (it
// holds the store's file lock) and returns its URL.
func (l *servedLedger) serve(t *testing.T) string {
	t.Helper()
	a := testCLI(nil)
	a.stdout, a.stderr = io.Discard, io.Discard
	s, err := startServe(context.Background(), a, serveOptions{store: l.store, addr: "127.0.0.1:0", cacheTTL: -1}, planText{}, mustExist)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := s.close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return ts.URL
}

// While a server holds the store, the read commands give the same output
// through --server as they gave on the store; a store command says who
// holds the file and what to do.
func TestServerFlag(t *testing.T) {
	l := newServedLedger(t)
	url := l.serve(t)
	for name, args := range readCommands {
		t.Run(name, func(t *testing.T) {
			token := l.tokens["coordinator"]
			if strings.HasPrefix(name, "scorecard") {
				token = l.tokens["committee"]
			}
			code, out, stderr := runCLIWith(testCLI(nil), append(args, "--server", url, "--token", token)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			// The API's scorecard position is its read models' when they
			// answer for asOf; the store's as-of replay stops at the
			// last event recorded by then. The digest covers the rest.
			if got, want := positionRE.ReplaceAllString(out, ""), positionRE.ReplaceAllString(l.direct[name], ""); got != want {
				t.Fatalf("through the server:\n%s\non the store:\n%s", out, l.direct[name])
			}
		})
	}
	t.Run("locked store", func(t *testing.T) {
		a := testCLI(nil)
		a.storeTimeout = 50 * time.Millisecond
		code, _, stderr := runCLIWith(a, "obligations", "--unit", "宁城县", "--store", l.store)
		for _, want := range []string{filepath.Join(l.store, bolt.FileName), "taskledger serve", "--server URL", "正被另一个进程占用", "stop the server"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
	})
}

// The server decides what a token sees: a wrong token is UNAUTHENTICATED,
// a county token sees its own unit (the default) and not another's, and
// may not read scorecards. TASKLEDGER_SERVER and TASKLEDGER_TOKEN stand
// for the flags.
func TestServerFlagAccess(t *testing.T) {
	l := newServedLedger(t)
	url := l.serve(t)
	env := map[string]string{serverEnv: url, tokenEnv: l.tokens["county"]}
	code, out, stderr := runCLIWith(testCLI(env), "obligations", "--as-of", "2025-12-31", "--format", "json")
	if code != 0 || out != l.direct["obligations json"] {
		t.Fatalf("county's own obligations: exit %d, %s\n%s\nwant\n%s", code, stderr, out, l.direct["obligations json"])
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"wrong token", map[string]string{serverEnv: url}, []string{"obligations", "--unit", "宁城县", "--token", "tl_wrong"}, "[UNAUTHENTICATED]"},
		{"another unit", env, []string{"obligations", "--unit", "红山区"}, "[FORBIDDEN]"},
		{"county scorecard", env, []string{"scorecard", "--year", "2025"}, "[FORBIDDEN]"},
		{"no server there", nil, []string{"status", "--server", "http://127.0.0.1:1"}, "server http://127.0.0.1:1/graphql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLIWith(testCLI(tc.env), tc.args...)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, want 1 and %q in\n%s", code, tc.want, stderr)
			}
		})
	}
	code, out, stderr = runCLIWith(testCLI(env), "status")
	if code != 0 || !strings.Contains(out, "head position") || !strings.Contains(out, "role COUNTY, unit county.ningcheng") {
		t.Fatalf("status: exit %d\n%s\n%s", code, out, stderr)
	}
}

// What --server does not take is a usage error.
func TestServerFlagUsage(t *testing.T) {
	for _, args := range [][]string{
		{"obligations", "--unit", "宁城县", "--server", "http://x", "--store", "memory"},
		{"obligations", "--unit", "宁城县", "--server", "http://x", "--at-position", "3"},
		{"obligations", "--unit", "宁城县", "--store", "memory", "--token", "tl_x"},
		{"scorecard", "--year", "2025", "--server", "http://x", "--publish"},
		{"scorecard", "--year", "2025", "--server", "http://x", "--check-published"},
		{"status", "--server", "ftp://x"},
	} {
		if code, _, stderr := runCLIWith(testCLI(nil), args...); code != 2 {
			t.Errorf("%s: exit %d, want 2: %s", strings.Join(args, " "), code, stderr)
		}
	}
}

// Any command reading a store another process holds says so, with the
// file and what to do, and exits 1.
func TestLockedStore(t *testing.T) {
	store := importedLedger(t)
	db, err := bbolt.Open(filepath.Join(store, bolt.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, args := range [][]string{
		{"status"}, {"obligations", "--unit", "宁城县"}, {"scorecard", "--year", "2025"}, {"audit", "--task", "10"},
		{"token", "create", "--role", "inspector"}, // a new token's unit is checked against the ledger
	} {
		a := testCLI(nil)
		a.storeTimeout = 20 * time.Millisecond
		code, _, stderr := runCLIWith(a, append(args, "--store", store)...)
		if code != 1 || !strings.Contains(stderr, "held by another process") || !strings.Contains(stderr, "--server URL") ||
			!strings.Contains(stderr, filepath.Join(store, bolt.FileName)) || !strings.Contains(stderr, "waited 20ms") {
			t.Errorf("%s: exit %d\n%s", args[0], code, stderr)
		}
	}
	// Listing and revoking read only the token file: a leaked token is
	// revoked while the server runs (it rereads the file).
	a := testCLI(nil)
	a.storeTimeout = 20 * time.Millisecond
	if code, out, stderr := runCLIWith(a, "token", "list", "--store", store); code != 0 || !strings.Contains(out, "no tokens") {
		t.Errorf("token list while the ledger is held: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := runCLIWith(a, "token", "revoke", "no-such-id", "--store", store); code != 1 || !strings.Contains(stderr, "NOT_FOUND") {
		t.Errorf("token revoke of an unknown id while the ledger is held: exit %d\n%s", code, stderr)
	}
}
