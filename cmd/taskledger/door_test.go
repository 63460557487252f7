package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"taskledger/dashboard"
	"taskledger/examples"
	"taskledger/graphql"
	"taskledger/projections"
)

// apiDoor serves the GraphQL API and the dashboard over a ledger directory
// while fn runs, with the server's clock at now; the CLI must not hold the
// store meanwhile. It returns the log's head after fn.
func apiDoor(t *testing.T, store string, now time.Time, fn func(post func(door, token, query string) string)) uint64 {
	t.Helper()
	ctx := context.Background()
	a := &cli{getenv: func(string) string { return "" }, now: func() time.Time { return now }}
	l, err := a.openLedger(store, mustExist)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	runner := projections.NewRunner(l.store, l.registry, projections.NewViews(projections.Config{}), projections.RunnerConfig{Logger: slog.New(slog.DiscardHandler)})
	if err := runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer runner.Close(ctx)
	tokens, err := openTokenDir(a, l.state)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := graphql.New(graphql.Config{Store: l.store, Registry: l.registry, Runner: runner, Tokens: tokens, Clock: a.now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	doors := map[string]*httptest.Server{
		"api":       httptest.NewServer(srv.Handler()),
		"dashboard": httptest.NewServer(dashboard.Handler(dashboard.Config{API: srv.Handler()})),
	}
	for _, d := range doors {
		defer d.Close()
	}
	fn(func(door, token, query string) string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		req, _ := http.NewRequest(http.MethodPost, doors[door].URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Errors []struct {
				Extensions struct{ Code string } `json:"extensions"`
			} `json:"errors"`
			// A mutation's refusal of its input is in its payload.
			Data map[string]*struct {
				UserErrors []struct{ Code string } `json:"userErrors"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		for _, p := range out.Data {
			if p != nil && len(p.UserErrors) > 0 {
				return p.UserErrors[0].Code
			}
		}
		if len(out.Errors) == 0 {
			return "OK"
		}
		return out.Errors[0].Extensions.Code
	})
	head, err := l.store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// cliCode runs the CLI and returns "OK" or the error code it printed.
func cliCode(t *testing.T, now time.Time, args ...string) string {
	t.Helper()
	code, out, stderr := runCLI(t, now, args...)
	if code == 0 {
		return "OK"
	}
	for _, c := range []string{"INVALID_ARGUMENT", "FORBIDDEN", "UNAUTHENTICATED", "NOT_FOUND", "CONFLICT"} {
		if strings.Contains(stderr, "["+c+"]") {
			return c
		}
	}
	t.Fatalf("%v: exit %d without a code\n%s\n%s", args, code, out, stderr)
	return ""
}

func newToken(t *testing.T, store string, args ...string) string {
	t.Helper()
	code, out, stderr := runCLI(t, clock, append([]string{"token", "create", "--store", store}, args...)...)
	if code != 0 {
		t.Fatalf("token create %v: exit %d\n%s", args, code, stderr)
	}
	return strings.TrimSpace(out)
}

// The same request gets the same answer through the CLI, the GraphQL API
// and the dashboard, because each is an adapter over the application
// layer; a refused request records nothing through any of them.
func TestOneRuleThroughEveryDoor(t *testing.T) {
	store := importedLedger(t)
	bureau := newToken(t, store, "--role", "bureau", "--unit", "生态环境局")
	committee := newToken(t, store, "--role", "committee")
	later := clock.Add(48 * time.Hour)
	future := later.Add(time.Hour).Format(time.RFC3339)
	past := clock.Add(time.Hour).Format(time.RFC3339)
	publish := func(key, asOf string) string {
		return `mutation { publishScorecard(input: {year: 2025, kind: COUNTY, scheme: "default", schemeVersion: 3, asOf: "` + asOf + `", idempotencyKey: "` + key + `"}) { position userErrors { code } } }`
	}
	importPlan := `mutation { importPlan(input: {text: ` + strconvQuote(string(examples.ChifengPlan())) + `, planId: "other", idempotencyKey: "i"}) { position userErrors { code } } }`

	cases := []struct {
		name string
		cli  []string
		api  func(post func(door, token, query string) string) []string
		want string
	}{
		{"publish as of a future instant", []string{"scorecard", "--publish", "--year", "2025", "--kind", "county", "--as-of", future, "--token", committee},
			func(post func(door, token, query string) string) []string {
				return []string{post("api", committee, publish("f", future)), post("dashboard", committee, publish("f2", future))}
			}, "INVALID_ARGUMENT"},
		{"a bureau publishes", []string{"scorecard", "--publish", "--year", "2025", "--kind", "county", "--token", bureau},
			func(post func(door, token, query string) string) []string {
				return []string{post("api", bureau, publish("b", past)), post("dashboard", bureau, publish("b2", past))}
			}, "FORBIDDEN"},
		{"a bureau imports a plan", []string{"import", "--plan", "other", writeFile(t, "plan.txt", string(examples.ChifengPlan())), "--store", store, "--token", bureau},
			func(post func(door, token, query string) string) []string {
				return []string{post("api", bureau, importPlan), post("dashboard", bureau, importPlan)}
			}, "FORBIDDEN"},
		{"a bureau records deadline slips", []string{"tick", "--token", bureau},
			func(func(door, token, query string) string) []string { return nil }, "FORBIDDEN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := apiDoor(t, store, later, func(func(door, token, query string) string) {})
			args := c.cli
			if !contains(args, "--store") {
				args = append(args, "--store", store)
			}
			if got := cliCode(t, later, args...); got != c.want {
				t.Errorf("CLI: %s, want %s", got, c.want)
			}
			after := apiDoor(t, store, later, func(post func(door, token, query string) string) {
				for i, got := range c.api(post) {
					if got != c.want {
						t.Errorf("door %d: %s, want %s", i, got, c.want)
					}
				}
			})
			if after != before {
				t.Errorf("refused requests recorded %d events", after-before)
			}
		})
	}

	// A past instant is accepted alike. (The same scorecards at the same
	// instant are published once: the API publishes another instant.)
	if got := cliCode(t, later, "scorecard", "--publish", "--year", "2025", "--kind", "county", "--as-of", past, "--store", store, "--token", committee); got != "OK" {
		t.Errorf("CLI publication as of a past instant: %s", got)
	}
	apiDoor(t, store, later, func(post func(door, token, query string) string) {
		if got := post("api", committee, publish("p", clock.Add(2*time.Hour).Format(time.RFC3339))); got != "OK" {
			t.Errorf("API publication as of a past instant: %s", got)
		}
	})
}

func contains(args []string, s string) bool {
	for _, a := range args {
		if a == s {
			return true
		}
	}
	return false
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
