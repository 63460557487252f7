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

	"taskledger/auth"
	"taskledger/command"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/planimport"
	"taskledger/planparse"
	"taskledger/projections"
)

// benchClients is how many clients run at once in the benchmarks.
const benchClients = 32

// benchStoreEnv names a ledger directory for the read benchmarks to use
// instead of building a small one in memory: make bench fills one with the
// demo at about a million events.
const benchStoreEnv = "TASKLEDGER_BENCH_STORE"

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

// benchOptions shape a benchEnv.
type benchOptions struct {
	// store is the ledger; nil means the ledger in $TASKLEDGER_BENCH_STORE
	// when set, else a memory store holding the plan and the demo year.
	store eventstore.Store
	// simulate records the demo year into store after importing the plan.
	simulate bool
	// responseTTL is Config.ResponseCacheTTL (negative: no cache).
	responseTTL time.Duration
}

// readBench is the usual read benchmark's ledger: the prepared one when
// $TASKLEDGER_BENCH_STORE names it, else the demo year in memory.
func readBench(ttl time.Duration) benchOptions {
	return benchOptions{simulate: true, responseTTL: ttl}
}

func newBenchEnv(b *testing.B, opts benchOptions) *benchEnv {
	b.Helper()
	ctx := context.Background()
	reg := domain.DefaultRegistry()
	store := opts.store
	prepared := false
	if store == nil {
		if dir := os.Getenv(benchStoreEnv); dir != "" {
			st, err := bolt.OpenDir(dir, bolt.Options{})
			if err != nil {
				b.Fatalf("%s: %v", benchStoreEnv, err)
			}
			store, prepared = st, true
		} else {
			store = memory.New()
		}
	}
	if !prepared {
		fillBenchStore(b, ctx, store, reg, opts.simulate)
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
	var err error
	e.server, err = New(Config{Store: store, Runner: e.runner, Tokens: tokens, Clock: time.Now, Logger: logger, DefaultPlan: "chifeng-air", ResponseCacheTTL: opts.responseTTL})
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

// fillBenchStore imports the Chifeng plan into store and, when simulate is
// set, the demo's simulated 2025.
func fillBenchStore(b *testing.B, ctx context.Context, store eventstore.Store, reg *domain.Registry, simulate bool) {
	b.Helper()
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
		if _, err := demo.Generate(ctx, ledgertest.DirectLedger{H: h}, views, demo.Options{Seed: 1, Year: 2025, Plan: "chifeng-air"}); err != nil {
			b.Fatal(err)
		}
	}
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
			var buf bytes.Buffer // reused: the load generator shares the server's cores
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
				buf.Reset()
				if resp.ContentLength > 0 {
					buf.Grow(int(resp.ContentLength))
				}
				_, _ = buf.ReadFrom(resp.Body)
				resp.Body.Close()
				out := buf.Bytes()
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
	if head, err := e.store.Head(context.Background()); err == nil {
		b.ReportMetric(float64(head), "events")
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// obligationsQuery is what a county's "my obligations" page asks for.
const obligationsQuery = `{ obligations(first: 50) { totalCount nodes { id taskTitle status light progress nextDue milestones { id due light overdue } lastReport { percent } } } }`

// BenchmarkObligationsQuery: 32 clients, each a county reading its own
// obligations with milestones, over loopback, with the server's response
// cache on (its default).
func BenchmarkObligationsQuery(b *testing.B) {
	e := newBenchEnv(b, readBench(0))
	e.run(b, func(c, i int) (string, string, map[string]any) {
		return e.tokens[string(e.units[(c+i)%len(e.units)])], obligationsQuery, nil
	})
}

// BenchmarkObligationsQueryUncached: as BenchmarkObligationsQuery with the
// response cache off, so every request runs the engine: what a request
// costs when the ledger changes between any two.
func BenchmarkObligationsQueryUncached(b *testing.B) {
	e := newBenchEnv(b, readBench(-1))
	e.run(b, func(c, i int) (string, string, map[string]any) {
		return e.tokens[string(e.units[(c+i)%len(e.units)])], obligationsQuery, nil
	})
}

// BenchmarkObligationsQueryWhileWriting: as BenchmarkObligationsQuery while
// progress reports are recorded at benchWriteRate a second, each of which
// ends every cached response.
func BenchmarkObligationsQueryWhileWriting(b *testing.B) {
	e := newBenchEnv(b, benchOptions{store: memory.New(), simulate: true})
	h := command.NewHandler(e.store, domain.DefaultRegistry())
	var keys []domain.ObligationKey
	for _, v := range e.runner.Views().Obligations.Views(projections.Filter{}, time.Now(), 0) {
		if v.Role == domain.RoleImplementing && (v.Status == "open" || v.Status == "overdue") {
			keys = append(keys, domain.ObligationKey{Plan: v.Plan, Task: v.Task, Unit: v.Unit, Role: v.Role})
		}
	}
	run := rand.Int64()
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		tick := time.NewTicker(time.Second / benchWriteRate)
		defer tick.Stop()
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			case <-tick.C:
			}
			k := keys[n%len(keys)]
			cmd := domain.ReportProgress{ObligationKey: k, ActingUnit: k.Unit, Percent: domain.Percent(50 + n%50), Note: "bench"}
			meta := domain.Meta{Actor: "bench", Now: time.Now(), IdempotencyKey: fmt.Sprintf("bench-write-%d-%d", run, n)}
			if _, err := command.Dispatch(context.Background(), h, cmd, meta); err != nil {
				b.Errorf("recording a report: %v", err)
				done <- n
				return
			}
			n++
		}
	}()
	start := time.Now()
	e.run(b, func(c, i int) (string, string, map[string]any) {
		return e.tokens[string(e.units[(c+i)%len(e.units)])], obligationsQuery, nil
	})
	select {
	case stop <- struct{}{}:
	case <-done: // the writer failed; the error is reported
		return
	}
	b.ReportMetric(float64(<-done)/time.Since(start).Seconds(), "writes/s")
}

// benchWriteRate is how many progress reports a second
// BenchmarkObligationsQueryWhileWriting records.
const benchWriteRate = 100

// BenchmarkObligationsServerOnly: the server's own cost of one county's
// obligations query without the response cache, handled in-process on one
// goroutine (no network, no client), to separate the server from the load
// generator.
func BenchmarkObligationsServerOnly(b *testing.B) {
	e := newBenchEnv(b, readBench(-1))
	body, _ := json.Marshal(map[string]any{"query": obligationsQuery})
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
	e := newBenchEnv(b, readBench(0))
	q := `{ obligations(first: 100) { totalCount pageInfo { endCursor hasNextPage } nodes { id unitName status light progress nextDue } } }`
	e.run(b, func(int, int) (string, string, map[string]any) { return e.tokens["inspector"], q, nil })
}

// scorecardQuery is the 2025 county scorecards with every line item
// (about 170 KB).
const scorecardQuery = `{ scorecard(year: 2025, kind: COUNTY) { digest cards { rank name totalText grade lines { rule pointsText zh eventIds } } } }`

// BenchmarkScorecardQuery: 32 committee clients reading the 2025 county
// scorecards with every line, as of now.
func BenchmarkScorecardQuery(b *testing.B) {
	e := newBenchEnv(b, readBench(0))
	e.run(b, func(int, int) (string, string, map[string]any) { return e.tokens["committee"], scorecardQuery, nil })
}

// BenchmarkScorecardQueryUncached: as BenchmarkScorecardQuery without the
// response cache: the scores are still computed once per minute and log
// position, but every response is written out by the engine.
func BenchmarkScorecardQueryUncached(b *testing.B) {
	e := newBenchEnv(b, readBench(-1))
	e.run(b, func(int, int) (string, string, map[string]any) { return e.tokens["committee"], scorecardQuery, nil })
}

// BenchmarkRankingsQuery: 32 clients reading the 2025 county rankings
// (rank, name, total, grade; no line items), as a ranking page does.
func BenchmarkRankingsQuery(b *testing.B) {
	e := newBenchEnv(b, readBench(0))
	q := `{ scorecard(year: 2025, kind: COUNTY) { digest cards { rank name totalText grade } } }`
	e.run(b, func(int, int) (string, string, map[string]any) { return e.tokens["committee"], q, nil })
}

// BenchmarkScorecardCompute: every request names its own asOf instant, so
// every one computes the scorecards afresh.
func BenchmarkScorecardCompute(b *testing.B) {
	e := newBenchEnv(b, readBench(0))
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
	e := newBenchEnv(b, benchOptions{store: store})
	// Each county's obligations.
	obs := map[domain.UnitID][]domain.ObligationKey{}
	for _, o := range e.runner.Views().Obligations.All() {
		if o.Key.Role == domain.RoleImplementing {
			obs[o.Key.Unit] = append(obs[o.Key.Unit], o.Key)
		}
	}
	q := `mutation($o: ObligationInput!, $p: Int!, $k: String!) { reportProgress(input: {obligation: $o, percent: $p, note: "bench", idempotencyKey: $k}) { userErrors { code field message messageEn } position } }`
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
