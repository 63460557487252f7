package graphql

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"taskledger/graphql/transport"
)

// docExamples returns the ```graphql blocks of docs/graphql.md.
func docExamples(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../docs/graphql.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile("(?ms)^```graphql[^\n]*\n(.*?)^```").FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	if len(out) < 10 {
		t.Fatalf("docs/graphql.md has %d graphql examples", len(out))
	}
	return out
}

// TestDocExamplesValidate validates every example in docs/graphql.md
// against the schema and the transport's own limits.
func TestDocExamplesValidate(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, q := range docExamples(t) {
		for _, err := range e.server.schema.Validate(q) {
			// Examples leave their variables to the reader.
			if err.Rule == "VariablesOfCorrectType" && strings.Contains(err.Message, "found null") {
				continue
			}
			t.Errorf("%s: %v", firstLine(q), err)
		}
		a, err := transport.Analyze(q, "", nil)
		if err != nil {
			t.Errorf("%s: %v", firstLine(q), err)
			continue
		}
		if a.Fields > DefaultLimits().MaxFields {
			t.Errorf("%s selects %d fields", firstLine(q), a.Fields)
		}
	}
}

// TestClientCheck runs graphql/clientcheck/check.mjs, an outside client
// (graphql-js), against a running server: it builds a client schema from
// introspection, validates every example of docs/graphql.md and runs each
// query and mutation (with made-up variables) as the inspector.
func TestClientCheck(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed, so the outside-client schema check (graphql/clientcheck/check.mjs) did not run")
	}
	if _, err := os.Stat(filepath.Join("clientcheck", "node_modules", "graphql", "package.json")); err != nil {
		t.Skip("graphql/clientcheck/node_modules is missing, so the outside-client schema check did not run: install it with `npm ci --prefix graphql/clientcheck`")
	}
	e := newEnv(t, envOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// With the inspector's token it also runs every query and mutation.
	cmd := exec.CommandContext(ctx, node, filepath.Join("clientcheck", "check.mjs"), e.http.URL+"/graphql", filepath.Join("..", "docs", "graphql.md"), e.tokens["inspector"])
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run node: %v", err)
	}
	if err != nil {
		t.Fatalf("check.mjs failed:\n%s", out)
	}
	if !strings.Contains(string(out), " passed, 0 failed") {
		t.Fatalf("check.mjs said:\n%s", out)
	}
	t.Logf("%s", out)
}
