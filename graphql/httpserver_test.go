package graphql

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// serveWith replaces e's test server by one built with NewHTTPServer.
func serveWith(e *env, cfg HTTPConfig) {
	e.http.Close()
	h := e.server.Handler()
	ts := httptest.NewUnstartedServer(h)
	ts.Config = NewHTTPServer(h, cfg)
	ts.Start()
	e.http = ts
}

func TestHTTPServerDefaults(t *testing.T) {
	s := NewHTTPServer(http.NotFoundHandler(), HTTPConfig{Addr: "127.0.0.1:0"})
	d := DefaultHTTPConfig()
	if s.Addr != "127.0.0.1:0" || s.ReadHeaderTimeout != d.ReadHeaderTimeout || s.ReadTimeout != d.ReadTimeout ||
		s.WriteTimeout != d.WriteTimeout || s.IdleTimeout != d.IdleTimeout || s.MaxHeaderBytes != d.MaxHeaderBytes || s.ErrorLog == nil {
		t.Errorf("server: %+v", s)
	}
	if d.WriteTimeout <= DefaultLimits().RequestTimeout || d.ReadHeaderTimeout <= 0 || d.ReadTimeout <= 0 || d.IdleTimeout <= 0 {
		t.Errorf("defaults: %+v", d)
	}
	if s := NewHTTPServer(http.NotFoundHandler(), HTTPConfig{ReadTimeout: time.Second}); s.ReadTimeout != time.Second {
		t.Errorf("ReadTimeout %v", s.ReadTimeout)
	}
}

func TestSlowBodyIsCutOff(t *testing.T) {
	e := newEnv(t, envOptions{})
	serveWith(e, HTTPConfig{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.http.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers promising a body that never comes.
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"query\":")
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.ReadAll(conn) // the server answers 400 or just closes
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a slow body held the connection for %v", took)
	}
	// Headers that never end.
	conn2, err := net.Dial("tcp", strings.TrimPrefix(e.http.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	fmt.Fprintf(conn2, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
	start = time.Now()
	_ = conn2.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.ReadAll(conn2)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("slow headers held the connection for %v", took)
	}
}

func TestWebSocketOutlivesHTTPTimeouts(t *testing.T) {
	e := newEnv(t, envOptions{})
	serveWith(e, HTTPConfig{ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})
	w, _, err := e.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(e.tokens["inspector"])
	time.Sleep(500 * time.Millisecond)
	w.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": "{ me { role } }"}})
	if m := w.expect("next"); !strings.Contains(string(m.Payload), "INSPECTOR") {
		t.Errorf("next: %s", m.Payload)
	}
}

func TestMetricsNeedAToken(t *testing.T) {
	e := newEnv(t, envOptions{})
	get := func(role string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/metrics", nil)
		if role != "" {
			tok, ok := e.tokens[role]
			if !ok {
				tok = role
			}
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := e.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for role, want := range map[string]int{"": 401, "tl_forged": 401, "county": 403, "committee": 403, "inspector": 200, "coordinator": 200} {
		if got, body := get(role); got != want || (want == 200) != strings.Contains(body, "taskledger_store_head_position") {
			t.Errorf("%q: %d, want %d: %.100s", role, got, want, body)
		}
	}
	// MetricsHandler is open, for a private address.
	rec := httptest.NewRecorder()
	e.server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "taskledger_store_head_position") {
		t.Errorf("MetricsHandler: %d", rec.Code)
	}
}

func TestLogsAreRedacted(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, envOptions{})
	srv, err := New(Config{Store: e.store, Runner: e.runner, Tokens: e.server.cfg.Tokens, Clock: e.clock.now,
		Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.logger.Error("store failed", "err", fmt.Errorf("dial esdb://admin:changeit@db:2113: refused"), "token", e.tokens["inspector"])
	if out := buf.String(); strings.Contains(out, "changeit") || strings.Contains(out, e.tokens["inspector"]) || !strings.Contains(out, "admin:REDACTED@db") {
		t.Errorf("log: %s", out)
	}
	buf.Reset()
	NewHTTPServer(http.NotFoundHandler(), HTTPConfig{Logger: slog.New(slog.NewTextHandler(&buf, nil))}).ErrorLog.Print("http: TLS handshake error from postgres://u:pw@h/db")
	if out := buf.String(); strings.Contains(out, ":pw@") {
		t.Errorf("server error log: %s", out)
	}
}
