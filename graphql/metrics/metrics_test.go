package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(b)
}

func TestExposition(t *testing.T) {
	st := State{Head: 10, ViewPosition: 7, Cache: &CacheStats{Hits: 4, Misses: 2}}
	known := func(f string) bool { return f == "scorecard" || f == "reportProgress" }
	m := New(Options{State: func(context.Context) State { return st }, KnownField: known})
	m.ObserveRequest("query", []string{"scorecard"}, 200, 3*time.Millisecond)
	m.ObserveRequest("query", []string{"scorecard"}, 200, 2*time.Second)
	m.ObserveRequest("query", []string{"noSuchField"}, 400, time.Millisecond)
	m.ObserveRequest("query", []string{"scorecard", "ledger"}, 200, time.Millisecond)
	m.ObserveRequest("mutation", []string{"reportProgress"}, 400, time.Millisecond)
	m.EventsAppended(3)
	m.ObserveAppend(2*time.Millisecond, nil)
	m.ObserveAppend(time.Millisecond, errors.New("conflict"))
	m.WebSocketOpened()
	if n := m.StartSubscription(); n != 1 {
		t.Fatalf("StartSubscription returned %d", n)
	}
	body := scrape(t, m)
	for _, want := range []string{
		`taskledger_graphql_requests_total{operation="mutation",status="400"} 1`,
		`taskledger_graphql_requests_total{operation="query",status="200"} 3`,
		`taskledger_graphql_request_duration_seconds_bucket{field="scorecard",operation="query",le="0.005"} 1`,
		`taskledger_graphql_request_duration_seconds_bucket{field="scorecard",operation="query",le="2.5"} 2`,
		`taskledger_graphql_request_duration_seconds_count{field="scorecard",operation="query"} 2`,
		`taskledger_graphql_request_duration_seconds_count{field="other",operation="query"} 1`,
		`taskledger_graphql_request_duration_seconds_count{field="multiple",operation="query"} 1`,
		`taskledger_graphql_request_duration_seconds_count{field="reportProgress",operation="mutation"} 1`,
		`taskledger_store_append_duration_seconds_count{result="ok"} 1`,
		`taskledger_store_append_duration_seconds_count{result="error"} 1`,
		"taskledger_events_appended_total 3",
		"taskledger_store_head_position 10",
		"taskledger_projection_lag_events 3",
		"taskledger_projection_position 7",
		"taskledger_projection_failed 0",
		"taskledger_response_cache_hits_total 4",
		"taskledger_websocket_connections 1",
		"taskledger_subscriptions_active 1",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("missing %q in:\n%s", want, body)
		}
	}
	for _, collector := range []string{"go_goroutines ", "go_memstats_alloc_bytes ", "process_start_time_seconds "} {
		if !strings.Contains(body, "\n"+collector) {
			t.Errorf("the Go or process collector's %q is missing", collector)
		}
	}
	if strings.Contains(body, "noSuchField") {
		t.Error("a field the schema does not have became a label")
	}

	m.EndSubscription()
	m.WebSocketClosed()
	st = State{HeadErr: errors.New("down"), ViewPosition: 7, ProjectionFailed: true}
	body = scrape(t, m)
	for _, absent := range []string{"taskledger_store_head_position", "taskledger_projection_lag_events", "taskledger_response_cache"} {
		if strings.Contains(body, absent) {
			t.Errorf("%s shown without its source:\n%s", absent, body)
		}
	}
	for _, want := range []string{"taskledger_projection_failed 1", "taskledger_subscriptions_active 0", "taskledger_websocket_connections 0"} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("missing %q", want)
		}
	}
}

// TestRegistriesAreSeparate: two servers in one process keep their own
// counts (no global registry).
func TestRegistriesAreSeparate(t *testing.T) {
	a, b := New(Options{}), New(Options{})
	a.EventsAppended(5)
	if body := scrape(t, b); !strings.Contains(body, "taskledger_events_appended_total 0\n") {
		t.Fatalf("a second Metrics sees the first one's events:\n%s", body)
	}
	req := httptest.NewRequest(http.MethodPost, "/metrics", nil)
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST /metrics: %d", rec.Code)
	}
}
