package graphql

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
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

// metrics are the server's counters, written out in the Prometheus text
// format by hand.
type metrics struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	latencies map[string]*histogram

	eventsAppended atomic.Uint64
	wsConnections  atomic.Int64
	subscriptions  atomic.Int64
}

func newMetrics() *metrics {
	return &metrics{requests: map[requestKey]uint64{}, latencies: map[string]*histogram{}}
}

// observe records one finished request.
func (m *metrics) observe(op string, status int, d time.Duration) {
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

// serveMetrics writes /metrics.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	head, headErr := s.store.Head(ctx)
	viewPos := s.views.Position()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	b := bufio.NewWriter(w)
	defer b.Flush()
	m := s.metrics

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
	if headErr == nil {
		gauge("taskledger_store_head_position", "Position of the last event in the log.", "gauge", head)
		lag := uint64(0)
		if head > viewPos {
			lag = head - viewPos
		}
		gauge("taskledger_projection_lag_events", "Store head minus the lowest position the read models applied.", "gauge", lag)
	}
	gauge("taskledger_projection_position", "Lowest position every read model has applied.", "gauge", viewPos)
	failed := 0
	if s.runner.Failure() != nil {
		failed = 1
	}
	gauge("taskledger_projection_failed", "1 when a read model stopped on an event it could not apply.", "gauge", failed)
	if c := s.responses; c != nil {
		gauge("taskledger_response_cache_hits_total", "Queries answered with a kept response.", "counter", c.hits.Load())
		gauge("taskledger_response_cache_misses_total", "Cacheable queries the engine ran.", "counter", c.misses.Load())
	}
	gauge("taskledger_websocket_connections", "Open WebSocket connections.", "gauge", m.wsConnections.Load())
	gauge("taskledger_subscriptions_active", "Active GraphQL subscriptions.", "gauge", m.subscriptions.Load())
}

// serveHealth writes /healthz: 200 while the store answers and no read
// model has stopped, 503 otherwise.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	body := map[string]any{"status": "ok", "mode": s.cfg.Mode}
	status := http.StatusOK
	head, err := s.store.Head(ctx)
	viewPos := s.views.Position()
	body["viewPosition"] = viewPos
	if err != nil {
		status, body["status"] = http.StatusServiceUnavailable, "unavailable"
		body["error"] = "the event store does not answer"
		s.logger.Error("health check: store head", "err", err)
	} else {
		body["head"] = head
		body["lag"] = head - min(head, viewPos)
	}
	if err := s.runner.Failure(); err != nil {
		status, body["status"] = http.StatusServiceUnavailable, "degraded"
		body["error"] = "a read model stopped"
		s.logger.Error("health check: read model", "err", err)
	}
	if s.closing.Load() {
		status, body["status"] = http.StatusServiceUnavailable, "shutting down"
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
