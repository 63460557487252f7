// Package metrics counts what the GraphQL API serves — requests by
// operation type and status with a latency histogram, events appended,
// open WebSockets and subscriptions — and writes them, with the ledger's
// state, in the Prometheus text exposition format for /metrics. The
// format is written by hand: the server needs a handful of counters, not a
// client library.
package metrics

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency
// histogram.
var latencyBuckets = [...]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

type requestKey struct {
	op     string
	status int
}

type histogram struct {
	counts [len(latencyBuckets) + 1]uint64 // the last is +Inf
	sum    float64
	n      uint64
}

// Metrics are one server's counters. The zero value is not ready: use New.
type Metrics struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	latencies map[string]*histogram

	eventsAppended atomic.Uint64
	wsConnections  atomic.Int64
	subscriptions  atomic.Int64
}

// New returns empty counters.
func New() *Metrics {
	return &Metrics{requests: map[requestKey]uint64{}, latencies: map[string]*histogram{}}
}

// ObserveRequest records one finished request: its operation type (query,
// mutation, subscription or unknown), HTTP status and duration.
func (m *Metrics) ObserveRequest(op string, status int, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{op, status}]++
	h := m.latencies[op]
	if h == nil {
		h = &histogram{}
		m.latencies[op] = h
	}
	i := sort.SearchFloat64s(latencyBuckets[:], sec)
	h.counts[i]++
	h.sum += sec
	h.n++
}

// EventsAppended counts n events this server appended.
func (m *Metrics) EventsAppended(n int) { m.eventsAppended.Add(uint64(n)) }

// WebSocketOpened and WebSocketClosed track open WebSocket connections.
func (m *Metrics) WebSocketOpened() { m.wsConnections.Add(1) }

// WebSocketClosed: see WebSocketOpened.
func (m *Metrics) WebSocketClosed() { m.wsConnections.Add(-1) }

// StartSubscription counts one more active operation over a WebSocket and
// returns how many are active now, this one included; every call must be
// matched by EndSubscription, also when the caller then refuses it.
func (m *Metrics) StartSubscription() int64 { return m.subscriptions.Add(1) }

// EndSubscription: see StartSubscription.
func (m *Metrics) EndSubscription() { m.subscriptions.Add(-1) }

// Subscriptions returns how many operations over WebSockets are active.
func (m *Metrics) Subscriptions() int64 { return m.subscriptions.Load() }

// State is the ledger's side of /metrics, read when it is scraped.
type State struct {
	// Head is the position of the last event in the log; HeadErr is set
	// when the store did not answer (the head and the lag are left out).
	Head    uint64
	HeadErr error
	// ViewPosition is the lowest position every read model has applied.
	ViewPosition uint64
	// ProjectionFailed: a read model stopped on an event.
	ProjectionFailed bool
	// Cache reports the response cache's counters; nil when it is off.
	Cache *CacheStats
}

// CacheStats are the response cache's counters.
type CacheStats struct {
	Hits, Misses uint64
}

// Handler serves /metrics (GET or HEAD), asking state for the ledger's side
// with a 5-second deadline.
func (m *Metrics) Handler(state func(context.Context) State) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		st := state(ctx)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		b := bufio.NewWriter(w)
		m.write(b, st)
		_ = b.Flush()
	})
}

// write writes every counter and st in the Prometheus text format.
func (m *Metrics) write(b io.Writer, st State) {
	m.mu.Lock()
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].op != keys[j].op {
			return keys[i].op < keys[j].op
		}
		return keys[i].status < keys[j].status
	})
	fmt.Fprintln(b, "# HELP taskledger_graphql_requests_total GraphQL HTTP requests by operation type and HTTP status.")
	fmt.Fprintln(b, "# TYPE taskledger_graphql_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(b, "taskledger_graphql_requests_total{operation=%q,status=\"%d\"} %d\n", k.op, k.status, m.requests[k])
	}
	ops := make([]string, 0, len(m.latencies))
	for op := range m.latencies {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Fprintln(b, "# HELP taskledger_graphql_request_duration_seconds GraphQL HTTP request latency by operation type.")
	fmt.Fprintln(b, "# TYPE taskledger_graphql_request_duration_seconds histogram")
	for _, op := range ops {
		h := m.latencies[op]
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(b, "taskledger_graphql_request_duration_seconds_bucket{operation=%q,le=%q} %d\n", op, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		cum += h.counts[len(latencyBuckets)]
		fmt.Fprintf(b, "taskledger_graphql_request_duration_seconds_bucket{operation=%q,le=\"+Inf\"} %d\n", op, cum)
		fmt.Fprintf(b, "taskledger_graphql_request_duration_seconds_sum{operation=%q} %s\n", op, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(b, "taskledger_graphql_request_duration_seconds_count{operation=%q} %d\n", op, h.n)
	}
	m.mu.Unlock()

	gauge := func(name, help, typ string, v any) {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n%s %v\n", name, help, name, typ, name, v)
	}
	gauge("taskledger_events_appended_total", "Events this server appended (mutations and the deadline watcher).", "counter", m.eventsAppended.Load())
	if st.HeadErr == nil {
		gauge("taskledger_store_head_position", "Position of the last event in the log.", "gauge", st.Head)
		lag := uint64(0)
		if st.Head > st.ViewPosition {
			lag = st.Head - st.ViewPosition
		}
		gauge("taskledger_projection_lag_events", "Store head minus the lowest position the read models applied.", "gauge", lag)
	}
	gauge("taskledger_projection_position", "Lowest position every read model has applied.", "gauge", st.ViewPosition)
	failed := 0
	if st.ProjectionFailed {
		failed = 1
	}
	gauge("taskledger_projection_failed", "1 when a read model stopped on an event it could not apply.", "gauge", failed)
	if c := st.Cache; c != nil {
		gauge("taskledger_response_cache_hits_total", "Queries answered with a kept response.", "counter", c.Hits)
		gauge("taskledger_response_cache_misses_total", "Cacheable queries the engine ran.", "counter", c.Misses)
	}
	gauge("taskledger_websocket_connections", "Open WebSocket connections.", "gauge", m.wsConnections.Load())
	gauge("taskledger_subscriptions_active", "Active GraphQL subscriptions.", "gauge", m.subscriptions.Load())
}
