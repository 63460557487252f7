package graphql

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The cost benchmarks are run by hand (docs/security.md), not by make
// test or make bench:
//
//	go test -run '^$' -bench 'BenchmarkCost' -benchtime 1x ./graphql/
//
// They use the demo year in memory, or the ledger in
// $TASKLEDGER_BENCH_STORE.

// manyMoments is a scorecard request with n aliased fields, each at its
// own instant.
func manyMoments(n int, base time.Time) string {
	var q strings.Builder
	q.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&q, "s%d: scorecard(year: 2025, kind: COUNTY, asOf: %q) { digest } ", i, base.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
	}
	q.WriteString("}")
	return q.String()
}

// post sends one request and returns its status and body.
func (e *benchEnv) post(client *http.Client, token, query string, vars map[string]any) (int, []byte, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// BenchmarkCostRefusal: the request of issue 14 — 499 aliased
// scorecard(asOf) fields at distinct instants — is refused before it runs.
// Reports the refusal's latency.
func BenchmarkCostRefusal(b *testing.B) {
	e := newBenchEnv(b, readBench(-1))
	q := manyMoments(499, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	client := e.http.Client()
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		status, body, err := e.post(client, e.tokens["committee"], q, nil)
		lat = append(lat, time.Since(t0))
		if err != nil || status != http.StatusBadRequest || !bytes.Contains(body, []byte("GRAPHQL_COST_LIMITED")) {
			b.Fatalf("%d %v %.300s", status, err, body)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}

// costBenchDuration is how long BenchmarkCostUnderLoad runs each time.
const costBenchDuration = 10 * time.Second

// BenchmarkCostUnderLoad: three clients (a committee, an inspector and a
// county token) send the most expensive requests the limits allow — nine
// distinct past instants each, new ones every time, so that every one is
// rebuilt — while four other counties read their obligations (response
// cache off). Reports the peak RSS and Go's Sys, the other clients'
// latency and how many expensive requests completed.
func BenchmarkCostUnderLoad(b *testing.B) {
	// As serve runs: with its default soft memory limit.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(DefaultMemoryLimit))
	e := newBenchEnv(b, readBench(-1))
	limits := e.server.limits
	replays := (limits.MaxCost - 100) / limits.ReplayCost // leave room for the fields
	heavyTokens := []string{e.tokens["committee"], e.tokens["inspector"], e.tokens[string(e.units[0])]}
	heavyQuery := func(client, round int) (string, int) {
		var q strings.Builder
		q.WriteString("{ ")
		base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(client) * 24 * time.Hour)
		for i := range replays {
			at := base.Add(time.Duration(round*replays+i) * 37 * time.Minute).Format(time.RFC3339)
			if client == 0 {
				fmt.Fprintf(&q, "s%d: scorecard(year: 2025, kind: COUNTY, asOf: %q) { digest cards { rank totalText lines { rule pointsText } } } ", i, at)
			} else {
				fmt.Fprintf(&q, "o%d: obligations(asOf: %q, first: 100) { totalCount nodes { id status light } } ", i, at)
			}
		}
		q.WriteString("}")
		return q.String(), replays
	}
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), costBenchDuration)
		var peakRSS, peakSys atomic.Int64
		var sampler sync.WaitGroup
		sampler.Add(1)
		go func() {
			defer sampler.Done()
			var ms runtime.MemStats
			for ctx.Err() == nil {
				if rss := vmRSS(); rss > peakRSS.Load() {
					peakRSS.Store(rss)
				}
				runtime.ReadMemStats(&ms)
				if int64(ms.Sys) > peakSys.Load() {
					peakSys.Store(int64(ms.Sys))
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		var wg sync.WaitGroup
		var heavyDone, heavyFailed atomic.Int64
		var firstErr atomic.Value
		client := e.http.Client()
		client.Transport.(*http.Transport).MaxIdleConnsPerHost = 16
		for c, tok := range heavyTokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := 0; ctx.Err() == nil; round++ {
					q, _ := heavyQuery(c, round)
					status, body, err := e.post(client, tok, q, nil)
					if ctx.Err() != nil {
						return
					}
					if err != nil || status != http.StatusOK || bytes.Contains(body, []byte(`"errors"`)) {
						heavyFailed.Add(1)
						firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %v %.300s", status, err, body))
						continue
					}
					heavyDone.Add(1)
				}
			}()
		}
		var mu sync.Mutex
		var lat []time.Duration
		for c := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok := e.tokens[string(e.units[1+c%(len(e.units)-1)])]
				var mine []time.Duration
				for ctx.Err() == nil {
					t0 := time.Now()
					status, body, err := e.post(client, tok, obligationsQuery, nil)
					if ctx.Err() != nil {
						break
					}
					mine = append(mine, time.Since(t0))
					if err != nil || status != http.StatusOK {
						firstErr.CompareAndSwap(nil, fmt.Sprintf("other client: %d %v %.300s", status, err, body))
					}
					time.Sleep(10 * time.Millisecond) // a person's pace, many people
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		cancel()
		sampler.Wait()
		if heavyFailed.Load() > 0 {
			b.Fatalf("%d expensive requests failed; first: %v", heavyFailed.Load(), firstErr.Load())
		}
		slices.Sort(lat)
		b.ReportMetric(float64(peakRSS.Load())/(1<<20), "peak-RSS-MB")
		b.ReportMetric(float64(peakSys.Load())/(1<<20), "peak-Sys-MB")
		b.ReportMetric(ms(lat[len(lat)/2]), "others-p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), "others-p99-ms")
		b.ReportMetric(float64(len(lat)), "others-requests")
		b.ReportMetric(float64(heavyDone.Load()), "expensive-requests")
		b.ReportMetric(float64(replays), "moments-per-request")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// vmRSS reads this process's resident set size from /proc/self/status, in
// bytes; 0 where there is none.
func vmRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
