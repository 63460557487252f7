package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// env is a running API over a memory store holding ledgertest's small
// plan "p", with one token per role.
type env struct {
	t       testing.TB
	store   eventstore.Store
	builder *ledgertest.Builder
	keys    []domain.ObligationKey
	clock   *testClock
	runner  *projections.Runner
	server  *Server
	http    *httptest.Server
	tokens  map[string]string // role name (bureau, county, bureau2…) → token
	keeper  *auth.Tokens      // the server's token records
}

type envOptions struct {
	limits Limits
	empty  bool // no plan
	// wrap, when set, wraps the store the API reads and writes (not the
	// read models' runner).
	wrap func(eventstore.Store) eventstore.Store
	// checkpoints is the server's checkpoint folder, if any.
	checkpoints string
	// responseTTL is Config.ResponseCacheTTL.
	responseTTL time.Duration
}

// seededReader is a deterministic source of token bytes.
type seededReader struct{ r *rand.ChaCha8 }

func (s seededReader) Read(p []byte) (int, error) { return s.r.Read(p) }

func newEnv(t testing.TB, opts envOptions) *env {
	t.Helper()
	store := memory.New()
	clock := &testClock{t: ledgertest.Shanghai(2025, time.March, 1, 9)}
	b := ledgertest.New(t, store, clock.now())
	e := &env{t: t, store: store, builder: b, clock: clock, tokens: map[string]string{}}
	if !opts.empty {
		e.keys = b.SmallPlan()
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.runner = projections.NewRunner(store, domain.DefaultRegistry(), projections.NewViews(projections.Config{}), projections.RunnerConfig{Logger: logger})
	if err := e.runner.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	tokens := auth.InMemory(seededReader{rand.NewChaCha8([32]byte{1})}, clock.now)
	specs := map[string]auth.Spec{
		"coordinator": {Role: auth.Coordinator},
		"bureau":      {Role: auth.Bureau, Unit: "bureau.eco"},
		"county":      {Role: auth.County, Unit: "county.a"},
		"county.b":    {Role: auth.County, Unit: "county.b"},
		"inspector":   {Role: auth.Inspector},
		"committee":   {Role: auth.Committee},
	}
	for name, spec := range specs {
		tok, _, err := tokens.Create(spec)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[name] = tok
	}
	apiStore := eventstore.Store(store)
	if opts.wrap != nil {
		apiStore = opts.wrap(store)
	}
	srv, err := New(Config{Store: apiStore, Runner: e.runner, Tokens: tokens, Clock: clock.now, Logger: logger, Limits: opts.limits, CheckpointDir: opts.checkpoints, ResponseCacheTTL: opts.responseTTL})
	if err != nil {
		t.Fatal(err)
	}
	e.server, e.keeper = srv, tokens
	e.http = httptest.NewServer(srv.Handler())
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	e.http.Close()
	e.server.Close()
	_ = e.runner.Close(context.Background())
	_ = e.store.Close()
}

// gqlResult is a decoded GraphQL response.
type gqlResult struct {
	Status int
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	}
	Raw    string
	Header http.Header
}

// code is the first error's extensions.code, else the first user error's
// code in a mutation payload, else "".
func (r gqlResult) code() string {
	if len(r.Errors) == 0 {
		if ue := r.userErrors(); len(ue) > 0 {
			c, _ := path(ue[0], "code").(string)
			return c
		}
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// msg is the first error's message, else the first user error's English
// message; msgZH the Chinese wording of the same.
func (r gqlResult) msg() string {
	if len(r.Errors) > 0 {
		return r.Errors[0].Message
	}
	if ue := r.userErrors(); len(ue) > 0 {
		m, _ := path(ue[0], "messageEn").(string)
		return m
	}
	return ""
}

func (r gqlResult) msgZH() string {
	if len(r.Errors) > 0 {
		zh, _ := r.Errors[0].Extensions["messageZH"].(string)
		return zh
	}
	if ue := r.userErrors(); len(ue) > 0 {
		m, _ := path(ue[0], "message").(string)
		return m
	}
	return ""
}

// userErrors gathers the userErrors of the response's mutation payloads.
func (r gqlResult) userErrors() []any {
	var out []any
	for _, v := range r.Data {
		if l, ok := path(v, "userErrors").([]any); ok {
			out = append(out, l...)
		}
	}
	return out
}

// post sends a GraphQL request as the named role ("" for no token).
func (e *env) post(role, query string, vars map[string]any) gqlResult {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if role != "" {
		tok, ok := e.tokens[role]
		if !ok {
			tok = role // a literal token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) gqlResult {
	e.t.Helper()
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := gqlResult{Status: resp.StatusCode, Raw: string(raw), Header: resp.Header}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r); err != nil {
			e.t.Fatalf("response is not JSON: %v\n%s", err, raw)
		}
	}
	return r
}

// ok fails the test unless the request succeeded without errors.
func (e *env) ok(role, query string, vars map[string]any) map[string]any {
	e.t.Helper()
	r := e.post(role, query, vars)
	if r.Status != http.StatusOK || len(r.Errors) > 0 || len(r.userErrors()) > 0 {
		e.t.Fatalf("%s: status %d: %s", firstLine(query), r.Status, r.Raw)
	}
	return r.Data
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

// path digs into decoded JSON: path(m, "a", "b", 0, "c").
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}
