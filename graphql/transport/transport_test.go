package transport_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/auth"
	"taskledger/graphql/metrics"
	"taskledger/graphql/respcache"
	"taskledger/graphql/transport"
)

// A schema of its own: the transport needs no ledger.
const testSchema = `
schema { query: Query mutation: Mutation }
type Query { open: String! secret: String! item: Item! at(asOf: String): String! }
type Item { a: String! b: String! }
type Mutation { poke: Int! }
`

type principalKey struct{}

type resolver struct{ calls *atomic.Int32 }

func (r *resolver) Open() string { r.calls.Add(1); return "open" }
func (r *resolver) Secret(ctx context.Context) string {
	p, _ := ctx.Value(principalKey{}).(auth.Principal)
	return "secret for " + p.Name
}
func (r *resolver) Item() *item { return &item{} }
func (r *resolver) At(args struct{ AsOf *string }) string {
	if args.AsOf == nil {
		return "now"
	}
	return *args.AsOf
}
func (r *resolver) Poke() int32 { return 1 }

type item struct{}

func (*item) A() string { return "a" }
func (*item) B() string { return "b" }

type tokens map[string]auth.Principal

func (t tokens) Lookup(token string) (auth.Principal, error) {
	p, ok := t[token]
	if !ok {
		return auth.Principal{}, auth.ErrInvalidToken
	}
	return p, nil
}

func newHandler(t *testing.T, calls *atomic.Int32) *httptest.Server {
	t.Helper()
	schema := gql.MustParseSchema(testSchema, &resolver{calls: calls}, gql.UseFieldResolvers())
	h, err := transport.New(transport.Config{
		Engine: schema,
		Tokens: tokens{"tl_good": {Role: auth.Inspector, Name: "inspector", TokenID: "t1"}},
		WithPrincipal: func(ctx context.Context, p auth.Principal) context.Context {
			return context.WithValue(ctx, principalKey{}, p)
		},
		PublicField:    func(name string) bool { return name == "open" || name == "__typename" },
		CacheableField: func(name string) bool { return name == "open" },
		ResolverError: func(ctx context.Context, path []any, err error) (string, map[string]any) {
			return err.Error(), map[string]any{"code": "INTERNAL"}
		},
		Responses: respcache.New(time.Minute),
		Persisted: transport.NewPersistedQueries(2),
		Version:   func() uint64 { return 1 },
		Clock:     func() time.Time { return time.Unix(0, 0) },
		Metrics:   metrics.New(metrics.Options{}),
		Limits: transport.Limits{MaxBodyBytes: 1 << 10, MaxQueryBytes: 512, MaxFields: 5, MaxCost: 20, ReplayCost: 5, RequestTimeout: time.Second,
			MaxSubscriptions: 4, MaxSubscriptionsPerConn: 2, InitTimeout: time.Second},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); h.Close() })
	return srv
}

type result struct {
	status int
	header http.Header
	Data   map[string]any
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func send(t *testing.T, req *http.Request) result {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := result{status: resp.StatusCode, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	return r
}

// post sends a query asking for English messages.
func post(t *testing.T, srv *httptest.Server, token, query string) result {
	t.Helper()
	return postIn(t, srv, "en", token, query)
}

// postIn sends a query with an Accept-Language header (none when lang is
// empty).
func postIn(t *testing.T, srv *httptest.Server, lang, token, query string) result {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

func TestRefusals(t *testing.T) {
	srv := newHandler(t, new(atomic.Int32))
	getMutation, _ := http.NewRequest(http.MethodGet, srv.URL+"?"+url.Values{"query": {"mutation { poke }"}}.Encode(), nil)
	getMutation.Header.Set("Accept-Language", "en")
	put, _ := http.NewRequest(http.MethodPut, srv.URL, nil)
	put.Header.Set("Accept-Language", "en")
	tests := []struct {
		name   string
		res    result
		status int
		code   transport.Code
		kind   string
		key    string
		msg    string
	}{
		{"syntax", post(t, srv, "", "{ open"), 400, transport.CodeInvalidArgument, "syntax", "api.query_syntax", "invalid query: syntax error at line 1, column 7: "},
		{"two operations", post(t, srv, "", "query A { open } query B { open }"), 400, transport.CodeInvalidArgument, "validation", "api.query_invalid", "name the one to run with operationName"},
		{"too many fields", post(t, srv, "", "{ a: open b: open c: open d: open e: open f: open }"), 400, transport.CodeInvalidArgument, "limit", "api.too_many_fields", "the operation selects 6 fields once its fragments are expanded, more than the limit of 5"},
		{"too long", post(t, srv, "", "{ open }"+strings.Repeat(" ", 600)), 400, transport.CodeInvalidArgument, "limit", "api.query_too_long", "more than the limit of 512"},
		{"no token", post(t, srv, "", "{ ...F } fragment F on Query { secret }"), 401, transport.CodeUnauthenticated, "", "api.auth_required", "authentication required for secret"},
		{"bad token", post(t, srv, "tl_bad", "{ open }"), 401, transport.CodeUnauthenticated, "", "api.token_invalid", "the token is not valid"},
		{"unknown field", post(t, srv, "tl_good", "{ nope }"), 400, transport.CodeInvalidArgument, "validation", "api.query_invalid", "invalid query: "},
		{"mutation over GET", send(t, getMutation), 405, transport.CodeInvalidArgument, "", "api.get_not_query", "cannot be sent with GET"},
		{"PUT", send(t, put), 405, transport.CodeInvalidArgument, "", "api.method_not_allowed", "use POST"},
	}
	for _, tc := range tests {
		if tc.res.status != tc.status || len(tc.res.Errors) == 0 {
			t.Errorf("%s: status %d, errors %v", tc.name, tc.res.status, tc.res.Errors)
			continue
		}
		e := tc.res.Errors[0]
		kind, _ := e.Extensions["kind"].(string)
		if e.Extensions["code"] != string(tc.code) || kind != tc.kind || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: %v %q", tc.name, e.Extensions, e.Message)
		}
		if zh, _ := e.Extensions["messageZH"].(string); e.Extensions["messageCode"] != tc.key || !hanRE.MatchString(zh) {
			t.Errorf("%s: messageCode %v, messageZH %q", tc.name, e.Extensions["messageCode"], zh)
		}
	}
	if r := post(t, srv, "", "{ ...F } fragment F on Query { secret }"); r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("a 401 without WWW-Authenticate")
	}
}

func TestServesAndShares(t *testing.T) {
	var calls atomic.Int32
	srv := newHandler(t, &calls)
	if r := post(t, srv, "tl_good", "{ secret item { a b } }"); r.status != 200 || r.Data["secret"] != "secret for inspector" || r.header.Get("X-Taskledger-Cache") != "" {
		t.Fatalf("secret: %d %v %q", r.status, r.Data, r.header.Get("X-Taskledger-Cache"))
	}
	first, second := post(t, srv, "", "{ open }"), post(t, srv, "", "{ open }")
	if first.header.Get("X-Taskledger-Cache") != "miss" || second.header.Get("X-Taskledger-Cache") != "hit" || second.Data["open"] != "open" {
		t.Fatalf("sharing: %q then %q: %v", first.header.Get("X-Taskledger-Cache"), second.header.Get("X-Taskledger-Cache"), second.Data)
	}
	if calls.Load() != 1 {
		t.Errorf("the shared query ran %d times", calls.Load())
	}
	// Another principal gets its own response.
	if r := post(t, srv, "tl_good", "{ open }"); r.header.Get("X-Taskledger-Cache") != "miss" {
		t.Errorf("another principal: %q", r.header.Get("X-Taskledger-Cache"))
	}
}

func postVars(t *testing.T, srv *httptest.Server, token, query string, vars map[string]any) result {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

func TestCostLimit(t *testing.T) {
	var calls atomic.Int32
	srv := newHandler(t, &calls)
	// Four distinct instants: 4 fields + 4 × 5 = 24, over the limit of 20.
	q := `query($t: String) { a: at(asOf: "2025-01-01T00:00:00Z") b: at(asOf: "2025-01-02T00:00:00Z") c: at(asOf: $t) d: at(asOf: "2025-01-04T00:00:00Z") }`
	r := postVars(t, srv, "tl_good", q, map[string]any{"t": "2025-01-03T00:00:00Z"})
	if r.status != http.StatusBadRequest || len(r.Errors) != 1 || r.Data != nil {
		t.Fatalf("status %d, errors %v, data %v", r.status, r.Errors, r.Data)
	}
	e := r.Errors[0]
	if e.Extensions["code"] != "GRAPHQL_COST_LIMITED" || e.Extensions["kind"] != "limit" ||
		!strings.Contains(e.Message, "costs 24") || !strings.Contains(e.Message, "limit of 20") ||
		!strings.Contains(e.Extensions["messageZH"].(string), "上限 20") || e.Extensions["messageCode"] != "api.cost_limited" {
		t.Errorf("refusal: %v %q", e.Extensions, e.Message)
	}
	// The same instant in another zone, and the variable giving it again,
	// are one replay: 4 fields + 2 × 5 = 14.
	r = postVars(t, srv, "tl_good", q, map[string]any{"t": "2025-01-01T08:00:00+08:00"})
	if r.status == http.StatusBadRequest {
		t.Errorf("a request under the limit refused: %v", r.Errors)
	}
	q2 := `query($t: String) { a: at(asOf: "2025-01-01T00:00:00Z") b: at(asOf: $t) c: at(asOf: "2025-01-04T00:00:00Z") d: at(asOf: "2025-01-05T00:00:00Z") }`
	if r := postVars(t, srv, "tl_good", q2, map[string]any{"t": "2025-01-01T08:00:00+08:00"}); r.status != http.StatusOK {
		t.Errorf("three distinct instants and a repeat (19): status %d %v", r.status, r.Errors)
	}
	if r := postVars(t, srv, "tl_good", q2, map[string]any{"t": "2025-01-02T00:00:00Z"}); r.status != http.StatusBadRequest {
		t.Errorf("four distinct instants (24): status %d", r.status)
	}
	// Null means now and costs nothing.
	if r := postVars(t, srv, "tl_good", `query($t: String) { a: at(asOf: $t) b: at(asOf: null) c: at }`, nil); r.status != 200 {
		t.Errorf("now: status %d %v", r.status, r.Errors)
	}
}

func TestBodyLimitBeforeAuthentication(t *testing.T) {
	srv := newHandler(t, new(atomic.Int32))
	big := `{"query":"{ open }","variables":{"x":"` + strings.Repeat("x", 4<<10) + `"}}`
	for _, token := range []string{"", "tl_good"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(big))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if r := send(t, req); r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("token %q: status %d", token, r.status)
		}
	}
}
