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

func scrape(t *testing.T, m *Metrics, st State) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler(func(context.Context) State { return st }))
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
	return string(b)
}

func TestExposition(t *testing.T) {
	m := New()
	m.ObserveRequest("query", 200, 3*time.Millisecond)
	m.ObserveRequest("query", 200, 2*time.Second)
	m.ObserveRequest("mutation", 400, time.Millisecond)
	m.EventsAppended(3)
	m.WebSocketOpened()
	if n := m.StartSubscription(); n != 1 {
		t.Fatalf("StartSubscription returned %d", n)
	}
	body := scrape(t, m, State{Head: 10, ViewPosition: 7, Cache: &CacheStats{Hits: 4, Misses: 2}})
	for _, want := range []string{
		`taskledger_graphql_requests_total{operation="mutation",status="400"} 1`,
		`taskledger_graphql_requests_total{operation="query",status="200"} 2`,
		`taskledger_graphql_request_duration_seconds_bucket{operation="query",le="0.005"} 1`,
		`taskledger_graphql_request_duration_seconds_bucket{operation="query",le="2.5"} 2`,
		`taskledger_graphql_request_duration_seconds_count{operation="query"} 2`,
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
	m.EndSubscription()
	m.WebSocketClosed()
	body = scrape(t, m, State{HeadErr: errors.New("down"), ViewPosition: 7, ProjectionFailed: true})
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
