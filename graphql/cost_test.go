package graphql

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countBuilds counts the read models the server rebuilds as of past
// moments.
func countBuilds(e *env) *atomic.Int32 {
	var n atomic.Int32
	e.server.past.builds = func() { n.Add(1) }
	return &n
}

func TestManyMomentsRefusedBeforeRunning(t *testing.T) {
	e := newEnv(t, envOptions{})
	builds := countBuilds(e)
	var q strings.Builder
	q.WriteString("{ ")
	base := e.clock.now().Add(-24 * time.Hour)
	for i := range 499 {
		fmt.Fprintf(&q, "s%d: scorecard(year: 2025, kind: COUNTY, asOf: %q) { digest } ", i, base.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
	}
	q.WriteString("}")
	start := time.Now()
	r := e.post("committee", q.String(), nil)
	took := time.Since(start)
	if r.Status != http.StatusBadRequest || r.code() != "GRAPHQL_COST_LIMITED" || r.Errors[0].Extensions["kind"] != "limit" || r.Data != nil {
		t.Fatalf("status %d: %.400s", r.Status, r.Raw)
	}
	// Chinese without an Accept-Language header.
	msg := r.Errors[0].Message
	if !strings.Contains(msg, "代价为 50898") || !strings.Contains(msg, "499 个不同的 asOf/atPosition 时间点 × 100") || !strings.Contains(msg, "上限 1000") ||
		r.Errors[0].Extensions["messageCode"] != "api.cost_limited" || r.Errors[0].Extensions["messageZH"] != msg {
		t.Errorf("message: %s %v", msg, r.Errors[0].Extensions)
	}
	if builds.Load() != 0 {
		t.Errorf("%d read models built for a refused request", builds.Load())
	}
	t.Logf("refused in %v", took)

	// The same through variables.
	vars := map[string]any{}
	var decl, sel []string
	for i := range 20 {
		decl = append(decl, fmt.Sprintf("$t%d: Time", i))
		sel = append(sel, fmt.Sprintf("o%d: obligations(asOf: $t%d) { totalCount }", i, i))
		vars[fmt.Sprintf("t%d", i)] = base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
	}
	r = e.post("inspector", "query("+strings.Join(decl, ", ")+") { "+strings.Join(sel, " ")+" }", vars)
	if r.Status != http.StatusBadRequest || r.code() != "GRAPHQL_COST_LIMITED" {
		t.Errorf("20 moments in variables: %d %.300s", r.Status, r.Raw)
	}
	if builds.Load() != 0 {
		t.Errorf("%d read models built for a refused request", builds.Load())
	}
}

func TestMomentsShareOneBuild(t *testing.T) {
	e := newEnv(t, envOptions{})
	builds := countBuilds(e)
	at := e.clock.now().Add(time.Hour).Format(time.RFC3339)
	e.clock.set(e.clock.now().Add(48 * time.Hour))
	q := `query($t: Time) { a: obligations(asOf: $t) { totalCount } b: obligations(asOf: $t, unit: "county.a") { totalCount } c: scorecard(year: 2025, kind: COUNTY, asOf: $t) { digest } }`
	e.ok("inspector", `query($t: Time) { a: obligations(asOf: $t) { totalCount } b: obligations(asOf: $t, unit: "county.a") { totalCount } }`, map[string]any{"t": at})
	e.ok("committee", q, map[string]any{"t": at})
	if n := builds.Load(); n != 1 {
		t.Errorf("one moment asked for five times built %d read models", n)
	}
	// Nine moments are allowed.
	var sel []string
	for i := range 9 {
		sel = append(sel, fmt.Sprintf("o%d: obligations(asOf: %q) { totalCount }", i, e.clock.now().Add(-time.Duration(i+2)*time.Hour).Format(time.RFC3339)))
	}
	e.ok("inspector", "{ "+strings.Join(sel, " ")+" }", nil)
	if n, _ := e.server.past.cache.Len(); n > e.server.limits.HistoricalCacheEntries {
		t.Errorf("the cache holds %d read models, more than %d", n, e.server.limits.HistoricalCacheEntries)
	}
}

func TestHistoricalGate(t *testing.T) {
	g := newGate(1, 2)
	release, err := g.acquire(context.Background(), "token:a")
	if err != nil {
		t.Fatal(err)
	}
	// The same token waits, and gives up when its request's time is out.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := g.acquire(ctx, "token:a"); !errors.Is(err, errBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second turn for one token: %v", err)
	} else if ae, ok := err.(*apiError); !ok || ae.code != CodeCostLimited || !strings.Contains(ae.msg, "fewer moments") {
		t.Errorf("the refusal: %#v", err)
	}
	// Another token runs alongside.
	other, err := g.acquire(context.Background(), "token:b")
	if err != nil {
		t.Fatal(err)
	}
	// The server's limit (2) holds a third token back.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel2()
	if _, err := g.acquire(ctx2, "token:c"); !errors.Is(err, errBusy) {
		t.Errorf("a third token beyond the server's limit: %v", err)
	}
	// A waiter gets its turn when the holder is done.
	got := make(chan error, 1)
	go func() {
		r, err := g.acquire(context.Background(), "token:a")
		if err == nil {
			r()
		}
		got <- err
	}()
	time.Sleep(10 * time.Millisecond)
	release()
	if err := <-got; err != nil {
		t.Errorf("a waiter: %v", err)
	}
	other()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.keys) != 0 {
		t.Errorf("the gate still tracks %d tokens", len(g.keys))
	}
}

func TestErrorResponsesBounded(t *testing.T) {
	e := newEnv(t, envOptions{})
	// Conflicting aliases draw an error for every pair: 990 fields drew
	// thousands of errors without bounds.
	var q strings.Builder
	q.WriteString("{ me { ")
	for i := range 990 {
		if i%2 == 0 {
			q.WriteString("x: role ")
		} else {
			q.WriteString("x: name ")
		}
	}
	q.WriteString("} }")
	r := e.post("", q.String(), nil)
	t.Logf("%d bytes of document drew %d bytes of response", q.Len(), len(r.Raw))
	if r.Status != http.StatusBadRequest || len(r.Raw) > 64<<10 || len(r.Errors) > 20 {
		t.Fatalf("status %d, %d bytes, %d errors", r.Status, len(r.Raw), len(r.Errors))
	}
	if last := r.Errors[len(r.Errors)-1]; !strings.Contains(last.Message, "条错误未列入本次应答") || last.Extensions["messageCode"] != "api.errors_omitted" {
		t.Errorf("the last error: %q", last.Message)
	}
	// A long unknown field name is not echoed in full.
	r = e.post("", "{ "+strings.Repeat("y", 40<<10)+" }", nil)
	if len(r.Raw) > 8<<10 {
		t.Errorf("a 40 KB field name drew a %d-byte response", len(r.Raw))
	}
}
