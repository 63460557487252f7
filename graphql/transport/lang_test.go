package transport_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/auth"
	"taskledger/graphql/metrics"
	"taskledger/graphql/transport"
)

var hanRE = regexp.MustCompile(`\p{Han}`)

// A request error speaks the request's language (Chinese without an
// Accept-Language), always with its catalogue code and the Chinese text.
func TestSyntaxErrorInEachLanguage(t *testing.T) {
	srv := newHandler(t, new(atomic.Int32))
	for _, tc := range []struct{ lang, prefix string }{
		{"", "查询语句有语法错误："},
		{"zh-CN,zh;q=0.9", "查询语句有语法错误："},
		{"en-US,en;q=0.9", "invalid query: syntax error at line 1, column 7"},
	} {
		r := postIn(t, srv, tc.lang, "", "{ open")
		if r.status != 400 || len(r.Errors) != 1 {
			t.Fatalf("%q: status %d, errors %v", tc.lang, r.status, r.Errors)
		}
		e := r.Errors[0]
		if !strings.HasPrefix(e.Message, tc.prefix) {
			t.Errorf("%q: message %q", tc.lang, e.Message)
		}
		if e.Extensions["code"] != "INVALID_ARGUMENT" || e.Extensions["kind"] != "syntax" || e.Extensions["messageCode"] != "api.query_syntax" {
			t.Errorf("%q: extensions %v", tc.lang, e.Extensions)
		}
		zh, _ := e.Extensions["messageZH"].(string)
		// The parser's own wording stays inside the Chinese wrapper.
		if !strings.HasPrefix(zh, "查询语句有语法错误：syntax error at line 1, column 7") {
			t.Errorf("%q: messageZH %q", tc.lang, zh)
		}
	}
}

// The engine's own limits (here its depth) are worded by the catalogue
// too, keeping the engine's English as the detail.
func TestTooDeepQuery(t *testing.T) {
	schema := gql.MustParseSchema(`type Query { n: N! } type N { n: N! v: Int! }`, &deepRoot{}, gql.MaxDepth(3))
	h, err := transport.New(transport.Config{
		Engine:         schema,
		Tokens:         tokens{},
		WithPrincipal:  func(ctx context.Context, _ auth.Principal) context.Context { return ctx },
		PublicField:    func(string) bool { return true },
		CacheableField: func(string) bool { return false },
		ResolverError: func(ctx context.Context, path []any, err error) (string, map[string]any) {
			return err.Error(), map[string]any{"code": "INTERNAL"}
		},
		Version: func() uint64 { return 1 },
		Clock:   func() time.Time { return time.Unix(0, 0) },
		Metrics: metrics.New(metrics.Options{}),
		Limits: transport.Limits{MaxBodyBytes: 1 << 10, MaxQueryBytes: 512, MaxFields: 50, MaxCost: 50, ReplayCost: 5, RequestTimeout: time.Second,
			MaxSubscriptions: 4, MaxSubscriptionsPerConn: 2, InitTimeout: time.Second},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); h.Close() })
	if r := postIn(t, srv, "", "", "{ n { n { v } } }"); r.status != 200 {
		t.Fatalf("a query within the depth: %d %v", r.status, r.Errors)
	}
	for _, lang := range []string{"", "en"} {
		r := postIn(t, srv, lang, "", "{ n { n { n { n { v } } } } }")
		if r.status != 400 || len(r.Errors) == 0 {
			t.Fatalf("%q: status %d, errors %v", lang, r.status, r.Errors)
		}
		e := r.Errors[0]
		zh, _ := e.Extensions["messageZH"].(string)
		if e.Extensions["code"] != "INVALID_ARGUMENT" || e.Extensions["kind"] != "limit" || e.Extensions["messageCode"] != "api.query_limit" ||
			!strings.HasPrefix(zh, "查询超出服务器的限制") || !strings.Contains(zh, "exceeds max depth 3") {
			t.Errorf("%q: %v", lang, e.Extensions)
		}
		if lang == "" && e.Message != zh {
			t.Errorf("no Accept-Language: message %q, not the Chinese one", e.Message)
		}
		if lang == "en" && (hanRE.MatchString(e.Message) || !strings.HasPrefix(e.Message, "the query exceeds a limit of the server: ")) {
			t.Errorf("en: message %q", e.Message)
		}
	}
}

type deepRoot struct{}

func (*deepRoot) N() *deepRoot { return &deepRoot{} }
func (*deepRoot) V() int32     { return 1 }
