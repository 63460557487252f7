// Package metrics counts what the server does — GraphQL requests by
// operation type, root field and status with latency histograms, events
// appended and the store's commit latency, open WebSockets and
// subscriptions — and serves them, with the ledger's state (head,
// projector position and lag) and the Go runtime and process collectors,
// at /metrics with github.com/prometheus/client_golang. Each Metrics has
// its own registry: nothing is registered globally.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency
// histogram.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// commitBuckets are the upper bounds, in seconds, of the store's append
// (commit and sync) latency histogram: 0.25 ms to about 4 s.
var commitBuckets = prometheus.ExponentialBuckets(0.00025, 2, 15)

// Field labels for requests that name no single known root field.
const (
	// FieldOther: a root field the schema does not have, or none.
	FieldOther = "other"
	// FieldMultiple: an operation that selects several root fields.
	FieldMultiple = "multiple"
)

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

// Options configure New.
type Options struct {
	// State reads the ledger's side when /metrics is scraped; nil leaves
	// it out.
	State func(context.Context) State
	// StateTimeout bounds State (default 5 s).
	StateTimeout time.Duration
	// KnownField reports whether a name is one of the schema's root
	// fields; any other is counted as FieldOther, so that clients cannot
	// grow the label set. Nil counts every field as FieldOther.
	KnownField func(string) bool
}

// Metrics are one server's metrics and the registry that serves them. The
// zero value is not ready: use New.
type Metrics struct {
	reg           *prometheus.Registry
	knownField    func(string) bool
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	appended      prometheus.Counter
	appendLatency *prometheus.HistogramVec
	wsConnections prometheus.Gauge
	subscriptions atomic.Int64
}

// New returns metrics on a registry of their own, with the Go runtime and
// process collectors and, when o.State is set, the ledger's state.
func New(o Options) *Metrics {
	m := &Metrics{
		reg:        prometheus.NewRegistry(),
		knownField: o.KnownField,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taskledger_graphql_requests_total",
			Help: "GraphQL requests by operation type (query, mutation, subscription, unknown) and HTTP status.",
		}, []string{"operation", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "taskledger_graphql_request_duration_seconds",
			Help:    "GraphQL request latency by operation type and root field (other: unknown or none, multiple: several).",
			Buckets: latencyBuckets,
		}, []string{"operation", "field"}),
		appended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "taskledger_events_appended_total",
			Help: "Events this server appended (mutations and the deadline watcher).",
		}),
		appendLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "taskledger_store_append_duration_seconds",
			Help:    "Latency of the store's appends, each committed and synced before it returns, by result (ok, error).",
			Buckets: commitBuckets,
		}, []string{"result"}),
		wsConnections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "taskledger_websocket_connections",
			Help: "Open WebSocket connections.",
		}),
	}
	subs := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "taskledger_subscriptions_active",
		Help: "Active GraphQL operations over WebSockets.",
	}, func() float64 { return float64(m.subscriptions.Load()) })
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.latency, m.appended, m.appendLatency, m.wsConnections, subs,
	)
	if o.State != nil {
		timeout := o.StateTimeout
		if timeout <= 0 {
			timeout = 5 * time.Second
		}
		m.reg.MustRegister(&stateCollector{state: o.State, timeout: timeout})
	}
	return m
}

// Registry returns the registry the metrics are served from.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveRequest records one finished request: its operation type (query,
// mutation, subscription or unknown), the root fields it selects, its HTTP
// status and its duration.
func (m *Metrics) ObserveRequest(op string, fields []string, status int, d time.Duration) {
	m.requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(op, m.fieldLabel(fields)).Observe(d.Seconds())
}

// fieldLabel names the root field of an operation for the latency label.
func (m *Metrics) fieldLabel(fields []string) string {
	switch {
	case len(fields) > 1:
		return FieldMultiple
	case len(fields) == 1 && m.knownField != nil && m.knownField(fields[0]):
		return fields[0]
	}
	return FieldOther
}

// EventsAppended counts n events this server appended.
func (m *Metrics) EventsAppended(n int) { m.appended.Add(float64(n)) }

// ObserveAppend records how long one append to the store took, commit and
// sync included, and whether it failed.
func (m *Metrics) ObserveAppend(d time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.appendLatency.WithLabelValues(result).Observe(d.Seconds())
}

// WebSocketOpened and WebSocketClosed track open WebSocket connections.
func (m *Metrics) WebSocketOpened() { m.wsConnections.Inc() }

// WebSocketClosed: see WebSocketOpened.
func (m *Metrics) WebSocketClosed() { m.wsConnections.Dec() }

// StartSubscription counts one more active operation over a WebSocket and
// returns how many are active now, this one included; every call must be
// matched by EndSubscription, also when the caller then refuses it.
func (m *Metrics) StartSubscription() int64 { return m.subscriptions.Add(1) }

// EndSubscription: see StartSubscription.
func (m *Metrics) EndSubscription() { m.subscriptions.Add(-1) }

// Subscriptions returns how many operations over WebSockets are active.
func (m *Metrics) Subscriptions() int64 { return m.subscriptions.Load() }

// Handler serves /metrics (GET or HEAD) from the metrics' own registry
// with promhttp.
func (m *Metrics) Handler() http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
}
