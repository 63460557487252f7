package graphql

import (
	"context"
	"net/http"
	"testing"
	"time"

	"taskledger/domain"
)

const countyObligations = `{ obligations { asOf nodes { id progress light milestones { overdue } } } }`

func cacheState(r gqlResult) string { return r.Header.Get("X-Taskledger-Cache") }

// An identical query by the same token, while nothing changed, is served
// from the cache with the same bytes.
func TestResponseCacheServesIdenticalQuery(t *testing.T) {
	e := newEnv(t, envOptions{})
	first := e.post("county", countyObligations, nil)
	second := e.post("county", countyObligations, nil)
	if cacheState(first) != "miss" || cacheState(second) != "hit" {
		t.Fatalf("cache states %q, %q; want miss, hit", cacheState(first), cacheState(second))
	}
	if first.Raw != second.Raw || first.Status != http.StatusOK {
		t.Fatalf("a kept response differs:\n%s\n%s", first.Raw, second.Raw)
	}
	// Another token, other variables, another operation: each its own.
	other := e.post("county.b", countyObligations, nil)
	if cacheState(other) != "miss" || other.Raw == first.Raw {
		t.Fatalf("county B was given county A's response (%s): %s", cacheState(other), other.Raw)
	}
	q := `query($u: ID) { obligations(unit: $u) { totalCount } }`
	a := e.post("inspector", q, map[string]any{"u": "county.a"})
	b := e.post("inspector", q, map[string]any{"u": "bureau.eco"})
	if cacheState(a) != "miss" || cacheState(b) != "miss" || a.Raw == b.Raw {
		t.Fatalf("variables not told apart: %s %s / %s %s", cacheState(a), a.Raw, cacheState(b), b.Raw)
	}
}

// Any event reaching the read models ends every kept response: the next
// query sees it.
func TestResponseCacheEndsWithNewEvents(t *testing.T) {
	e := newEnv(t, envOptions{})
	before := e.post("county", countyObligations, nil)
	if p := path(before.Data, "obligations", "nodes", 0, "progress"); p != float64(0) {
		t.Fatalf("progress %v before any report", p)
	}
	// A report through the API, waiting for the read side.
	e.ok("county", `mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 40, idempotencyKey: "k1", wait: true}) { userErrors { code field message messageEn } position } }`, nil)
	after := e.post("county", countyObligations, nil)
	if cacheState(after) != "miss" || path(after.Data, "obligations", "nodes", 0, "progress") != float64(40) {
		t.Fatalf("after a report: %s %s", cacheState(after), after.Raw)
	}
	// An event written by another process straight to the store.
	e.builder.At(e.clock.now()).Do(domain.ReportProgress{ObligationKey: e.keys[1], ActingUnit: "county.a", Percent: 55}, "county")
	head, err := e.store.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.runner.WaitFor(context.Background(), head); err != nil {
		t.Fatal(err)
	}
	again := e.post("county", countyObligations, nil)
	if cacheState(again) != "miss" || path(again.Data, "obligations", "nodes", 0, "progress") != float64(55) {
		t.Fatalf("after a report written to the store: %s %s", cacheState(again), again.Raw)
	}
}

// The clock bounds reuse: a response is kept for one window of the TTL,
// and traffic lights computed later reflect the later time.
func TestResponseCacheFollowsTheClock(t *testing.T) {
	e := newEnv(t, envOptions{responseTTL: time.Second})
	first := e.post("county", countyObligations, nil)
	e.clock.set(e.clock.now().Add(1100 * time.Millisecond))
	second := e.post("county", countyObligations, nil)
	if cacheState(second) != "miss" || second.Raw == first.Raw {
		t.Fatalf("after the window: %s, same body %v", cacheState(second), second.Raw == first.Raw)
	}
	// The milestone falls due on 2025-06-30; in July it is overdue.
	e.clock.set(time.Date(2025, time.July, 2, 9, 0, 0, 0, domain.Shanghai()))
	late := e.post("county", countyObligations, nil)
	if path(late.Data, "obligations", "nodes", 0, "milestones", 0, "overdue") != true {
		t.Fatalf("in July the milestone is not overdue: %s", late.Raw)
	}
}

// Failed requests, mutations and fields that read the store or the clock
// are never kept.
func TestResponseCacheKeepsOnlyCleanReads(t *testing.T) {
	e := newEnv(t, envOptions{})
	bad := `{ obligations(first: 0) { totalCount } }`
	for i := range 2 {
		r := e.post("county", bad, nil)
		if r.code() != string(CodeInvalidArgument) || cacheState(r) != "miss" {
			t.Fatalf("attempt %d: %s %s", i, cacheState(r), r.Raw)
		}
	}
	refused := `{ scorecard(year: 2025, kind: COUNTY) { digest } }` // not for a county
	for i := range 2 {
		if r := e.post("county", refused, nil); r.code() != string(CodeForbidden) || cacheState(r) != "miss" {
			t.Fatalf("attempt %d: %s %s", i, cacheState(r), r.Raw)
		}
	}
	for _, q := range []string{
		`{ ledger { head now } }`,
		`{ obligations { totalCount } ledger { head } }`,
		`{ events(first: 1) { items { id } } }`,
		`mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 10, idempotencyKey: "m1"}) { userErrors { code field message messageEn } position } }`,
	} {
		for range 2 {
			if r := e.post("county", q, nil); cacheState(r) != "" {
				t.Fatalf("%s: cache %q", q, cacheState(r))
			}
		}
	}
}

// A negative TTL turns the cache off.
func TestResponseCacheOff(t *testing.T) {
	e := newEnv(t, envOptions{responseTTL: -1})
	for range 2 {
		if r := e.post("county", countyObligations, nil); cacheState(r) != "" || r.Status != http.StatusOK {
			t.Fatalf("cache %q, status %d", cacheState(r), r.Status)
		}
	}
}
