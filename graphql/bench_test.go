package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"taskledger/command"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
	"taskledger/eventstore/memory"
	"taskledger/graphql/auth"
	"taskledger/planimport"
	"taskledger/planparse"
	"taskledger/projections"
)

// benchClients is how many clients run at once in the benchmarks.
const benchClients = 32

// benchEnv is a server over the Chifeng plan, optionally with the demo's
// simulated 2025, on the real clock.
type benchEnv struct {
	store  eventstore.Store
	runner *projections.Runner
	server *Server
	http   *httptest.Server
	tokens map[string]string // role or unit id → token
	units  []domain.UnitID   // counties
}

func newBenchEnv(b *testing.B, store eventstore.Store, simulate bool) *benchEnv {
	b.Helper()
	ctx := context.Background()
	reg := domain.DefaultRegistry()
	h := command.NewHandler(store, reg)
	src, err := os.ReadFile("../examples/chifeng-air-quality-plan.txt")
	if err != nil {
		b.Fatal(err)
	}
	plan, err := planparse.ParseBytes(src, planparse.Options{})
	if err != nil {
		b.Fatal(err)
	}
	views, err := projections.BuildAt(ctx, store, reg, projections.Config{}, projections.Cut{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := planimport.Import(ctx, h, views, plan, src, planimport.Options{Plan: "chifeng-air", Now: time.Date(2025, 1, 1, 9, 0, 0, 0, domain.Shanghai())}); err != nil {
		b.Fatal(err)
	}
	if simulate {
		views, err = projections.BuildAt(ctx, store, reg, projections.Config{}, projections.Cut{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := demo.Generate(ctx, h, views, demo.Options{Seed: 1, Year: 2025, Plan: "chifeng-air"}); err != nil {
			b.Fatal(err)
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &benchEnv{store: store, tokens: map[string]string{}}
	e.runner = projections.NewRunner(store, reg, projections.NewViews(projections.Config{}), projections.RunnerConfig{Logger: logger})
	if err := e.runner.Start(ctx); err != nil {
		b.Fatal(err)
	}
	tokens := auth.InMemory(seededReader{rand.NewChaCha8([32]byte{2})}, time.Now)
	for _, r := range []auth.Role{auth.Inspector, auth.Committee} {
		tok, _, err := tokens.Create(auth.Spec{Role: r})
		if err != nil {
			b.Fatal(err)
		}
		e.tokens[string(r)] = tok
	}
	for _, u := range e.runner.Views().Catalog.Units() {
		if u.Kind != domain.KindCounty {
			continue
		}
		tok, _, err := tokens.Create(auth.Spec{Role: auth.County, Unit: u.ID})
		if err != nil {
			b.Fatal(err)
		}
		e.tokens[string(u.ID)] = tok
		e.units = append(e.units, u.ID)
	}
	e.server, err = New(Config{Store: store, Runner: e.runner, Tokens: tokens, Clock: time.Now, Logger: logger, DefaultPlan: "chifeng-air"})
	if err != nil {
		b.Fatal(err)
	}
	e.http = httptest.NewServer(e.server.Handler())
	b.Cleanup(func() {
		e.http.Close()
		e.server.Close()
		_ = e.runner.Close(ctx)
		_ = store.Close()
	})
	return e
}

// run sends requests from benchClients goroutines until b.N are done and
// reports throughput and latency percentiles.
func (e *benchEnv) run(b *testing.B, request func(client, i int) (token, query string, vars map[string]any)) {
	b.Helper()
	client := e.http.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = benchClients
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var failures atomic.Int64
	var firstErr atomic.Value
	// Open every client's connection before timing.
	var warm sync.WaitGroup
	for range benchClients {
		warm.Add(1)
		go func() {
			defer warm.Done()
			resp, err := client.Get(e.http.URL + "/healthz")
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	warm.Wait()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					break
				}
				tok, q, vars := request(c, i)
				body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
				req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				if resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"errors"`)) {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, string(out))
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed; first: %.300v", n, b.N, firstErr.Load())
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkObligationsQuery: 32 clients, each a county reading its own
// obligations with milestones, over loopback (memory store, the demo year).
func BenchmarkObligationsQuery(b *testing.B) {
	e := newBenchEnv(b, memory.New(), true)
	q := `{ obligations(first: 50) { total items { id taskTitle status light progress nextDue milestones { id due light overdue } lastReport { percent } } } }`
	e.run(b, func(c, i int) (string, string, map[string]any) {
		return e.tokens[string(e.units[(c+i)%len(e.units)])], q, nil
	})
}

// BenchmarkObligationsServerOnly: the server's own cost of one county's
// obligations query, handled in-process on one goroutine (no network, no
// client), to separate the server from the load generator.
func BenchmarkObligationsServerOnly(b *testing.B) {
	e := newBenchEnv(b, memory.New(), true)
	q := `{ obligations(first: 50) { total items { id taskTitle status light progress nextDue milestones { id due light overdue } lastReport { percent } } } }`
	body, _ := json.Marshal(map[string]any{"query": q})
	h := e.server.Handler()
	tok := e.tokens[string(e.units[0])]
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Body.String())
		}
	}
}

// BenchmarkObligationsQueryAll: 32 inspectors paging through every
// obligation, 100 at a time.
func BenchmarkObligationsQueryAll(b *testing.B) {
	e := newBenchEnv(b, memory.New(), true)
	q := `{ obligations(first: 100) { total nextCursor items { id unitName status light progress nextDue } } }`
	e.run(b, func(int, int) (string, string, map[string]any) { return e.tokens["inspector"], q, nil })
}

// BenchmarkScorecardQuery: 32 committee clients reading the 2025 county
// scorecards with every line, as of now: the server computes once per
// minute and log position and serves the rest from its cache.
func BenchmarkScorecardQuery(b *testing.B) {
	e := newBenchEnv(b, memory.New(), true)
	q := `{ scorecard(year: 2025, kind: COUNTY) { digest cards { rank name totalText grade lines { rule pointsText zh eventIds } } } }`
	e.run(b, func(int, int) (string, string, map[string]any) { return e.tokens["committee"], q, nil })
}

// BenchmarkRankingsQuery: 32 clients reading the 2025 county rankings
// (rank, name, total, grade; no line items), as a ranking page does.
func BenchmarkRankingsQuery(b *testing.B) {
	e := newBenchEnv(b, memory.New(), true)
	q := `{ scorecard(year: 2025, kind: COUNTY) { digest cards { rank name totalText grade } } }`
	e.run(b, func(int, int) (string, string, map[string]any) { return e.tokens["committee"], q, nil })
}

// BenchmarkScorecardCompute: as BenchmarkScorecardQuery, but every request
// names its own asOf instant, so every one is computed afresh.
func BenchmarkScorecardCompute(b *testing.B) {
	e := newBenchEnv(b, memory.New(), true)
	q := `query($t: Time) { scorecard(year: 2025, kind: COUNTY, asOf: $t) { digest cards { rank name totalText grade lines { rule pointsText zh eventIds } } } }`
	base := time.Now().Add(time.Hour)
	e.run(b, func(_, i int) (string, string, map[string]any) {
		return e.tokens["committee"], q, map[string]any{"t": base.Add(time.Duration(i) * time.Second).Format(time.RFC3339)}
	})
}

// BenchmarkReportProgress: 32 county clients filing progress reports on
// their obligations, each a durable append to the embedded store (fsync).
func BenchmarkReportProgress(b *testing.B) {
	if testing.Short() {
		b.Skip("imports the plan into a bolt store")
	}
	store, err := bolt.OpenDir(b.TempDir(), bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	e := newBenchEnv(b, store, false)
	// Each county's obligations.
	obs := map[domain.UnitID][]domain.ObligationKey{}
	for _, o := range e.runner.Views().Obligations.All() {
		if o.Key.Role == domain.RoleImplementing {
			obs[o.Key.Unit] = append(obs[o.Key.Unit], o.Key)
		}
	}
	q := `mutation($o: ObligationInput!, $p: Int!, $k: String!) { reportProgress(obligation: $o, percent: $p, note: "bench", idempotencyKey: $k) { position } }`
	run := rand.Int64()
	e.run(b, func(c, i int) (string, string, map[string]any) {
		u := e.units[c%len(e.units)]
		k := obs[u][(i/len(e.units))%len(obs[u])]
		return e.tokens[string(u)], q, map[string]any{
			"o": map[string]any{"task": int(k.Task), "role": "IMPLEMENTING"},
			"p": i % 101, // a lower figure than the last is accepted with a note
			"k": fmt.Sprintf("bench-%d-%d", run, i),
		}
	})
}
