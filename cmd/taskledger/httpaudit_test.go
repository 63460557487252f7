package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// clientcheckDir is graphql/clientcheck, where the outside-client checks
// and their npm dependencies live.
var clientcheckDir = filepath.Join("..", "..", "graphql", "clientcheck")

// needClientcheck returns node's path, or skips (fails under CI=true) when
// node or graphql/clientcheck's npm dependencies are missing.
func needClientcheck(t *testing.T, pkg string) string {
	t.Helper()
	miss := func(msg string) {
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: the check must run)")
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		miss("node is not installed, so the graphql-http audit (graphql/clientcheck/audit.mjs) did not run")
	}
	if _, err := os.Stat(filepath.Join(clientcheckDir, "node_modules", pkg, "package.json")); err != nil {
		miss("graphql/clientcheck/node_modules/" + pkg + " is missing, so the graphql-http audit did not run: install it with `npm ci --prefix graphql/clientcheck` (make test does)")
	}
	return node
}

// serveForTest runs `taskledger serve` on a loopback port over store until
// the test ends and returns its base URL.
func serveForTest(t *testing.T, store string) string {
	t.Helper()
	out, w := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	a := &cli{stdout: w, stderr: io.Discard, getenv: func(string) string { return "" }, now: func() time.Time { return clock }}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, a, []string{"serve", "--store", store, "--addr", "127.0.0.1:0"})
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d after the context ended", code)
		}
	})
	sc := bufio.NewScanner(out)
	var base string
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "health" {
			base = strings.TrimSuffix(f[1], "/healthz")
			break
		}
	}
	go io.Copy(io.Discard, out)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("serve printed no address (%q)", base)
	}
	return base
}

// TestServeGraphQLOverHTTPAudit runs graphql-http's server audits (the
// GraphQL-over-HTTP conformance checks, graphql/clientcheck/audit.mjs)
// against `taskledger serve`: every MUST audit passes.
func TestServeGraphQLOverHTTPAudit(t *testing.T) {
	node := needClientcheck(t, "graphql-http")
	base := serveForTest(t, importedLedger(t))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, filepath.Join(clientcheckDir, "audit.mjs"), base+"/graphql").CombinedOutput()
	if err != nil {
		t.Fatalf("audit.mjs: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), " passed, 0 failed") {
		t.Fatalf("audit.mjs said:\n%s", out)
	}
	t.Logf("%s", out)
}
