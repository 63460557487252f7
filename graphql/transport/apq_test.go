package transport_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func sha(q string) string {
	s := sha256.Sum256([]byte(q))
	return hex.EncodeToString(s[:])
}

// postAPQ sends an automatic persisted query: the hash, and the query when
// it is not empty.
func postAPQ(t *testing.T, srv *httptest.Server, query, hash string) result {
	t.Helper()
	body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if query != "" {
		body["query"] = query
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	return send(t, req)
}

// TestPersistedQueries walks Apollo's APQ protocol: a hash the server does
// not know is PersistedQueryNotFound; the query sent with its hash runs
// and is kept; the hash alone then runs it, by POST and by GET.
func TestPersistedQueries(t *testing.T) {
	srv := newHandler(t, new(atomic.Int32))
	const q = "{ open }"
	h := sha(q)

	r := postAPQ(t, srv, "", h)
	if r.status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Message != "PersistedQueryNotFound" ||
		r.Errors[0].Extensions["code"] != "PERSISTED_QUERY_NOT_FOUND" || r.Extensions0("messageCode") != "api.persisted_query_not_found" || r.Data != nil {
		t.Fatalf("unknown hash: %+v", r)
	}
	if r = postAPQ(t, srv, q, h); r.status != http.StatusOK || r.Data["open"] != "open" {
		t.Fatalf("query with its hash: %+v", r)
	}
	if r = postAPQ(t, srv, "", h); r.status != http.StatusOK || r.Data["open"] != "open" || len(r.Errors) != 0 {
		t.Fatalf("hash alone after registration: %+v", r)
	}
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + h + `"}}`
	get, _ := http.NewRequest(http.MethodGet, srv.URL+"?"+url.Values{"extensions": {ext}}.Encode(), nil)
	if r = send(t, get); r.status != http.StatusOK || r.Data["open"] != "open" {
		t.Fatalf("GET with the hash alone: %+v", r)
	}
}

// TestPersistedQueryRefusals: a hash that is not the query's, a malformed
// hash or version are refused and keep nothing.
func TestPersistedQueryRefusals(t *testing.T) {
	srv := newHandler(t, new(atomic.Int32))
	const q = "{ open }"
	if r := postAPQ(t, srv, q, sha("{ secret }")); r.status != http.StatusBadRequest || len(r.Errors) != 1 ||
		!strings.HasPrefix(r.Errors[0].Message, "provided sha does not match query") || r.Errors[0].Extensions["code"] != "INVALID_ARGUMENT" ||
		r.Extensions0("messageCode") != "api.persisted_query_hash_mismatch" || !strings.Contains(r.Extensions0("messageZH").(string), "哈希与查询不符") {
		t.Fatalf("mismatched hash: %+v", r)
	}
	if r := postAPQ(t, srv, "", sha("{ secret }")); len(r.Errors) != 1 || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("a refused registration was kept: %+v", r)
	}
	if r := postAPQ(t, srv, "", "xyz"); r.status != http.StatusBadRequest || !strings.Contains(r.Errors[0].Message, "64 hexadecimal") {
		t.Fatalf("malformed hash: %+v", r)
	}
	b := `{"extensions":{"persistedQuery":{"version":2,"sha256Hash":"` + sha(q) + `"}}}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	if r := send(t, req); r.status != http.StatusBadRequest || !strings.Contains(r.Errors[0].Message, "version must be 1") {
		t.Fatalf("version 2: %+v", r)
	}
}

// TestPersistedQueriesBounded: the cache keeps at most its size (2 here),
// dropping the least recently used document.
func TestPersistedQueriesBounded(t *testing.T) {
	srv := newHandler(t, new(atomic.Int32))
	qs := []string{"{ open }", "{ __typename }", "{ open __typename }"}
	for _, q := range qs {
		if r := postAPQ(t, srv, q, sha(q)); len(r.Errors) != 0 {
			t.Fatalf("%s: %+v", q, r)
		}
	}
	if r := postAPQ(t, srv, "", sha(qs[0])); len(r.Errors) != 1 || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("the oldest document was not dropped: %+v", r)
	}
	for _, q := range qs[1:] {
		if r := postAPQ(t, srv, "", sha(q)); len(r.Errors) != 0 {
			t.Fatalf("%s was dropped: %+v", q, r)
		}
	}
}

// A client that asks for application/graphql-response+json gets it; one
// that asks for JSON, or for anything, gets application/json.
func TestResponseMediaType(t *testing.T) {
	srv := newHandler(t, new(atomic.Int32))
	for accept, want := range map[string]string{
		"application/graphql-response+json, application/json;q=0.9": "application/graphql-response+json",
		"application/json, application/graphql-response+json":       "application/json",
		"*/*": "application/json",
		"":    "application/json",
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"query":"{ open }"}`))
		req.Header.Set("Content-Type", "application/json")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		r := send(t, req)
		if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, want) || r.Data["open"] != "open" {
			t.Errorf("Accept %q: Content-Type %q, data %v", accept, got, r.Data)
		}
	}
}

// Extensions0 returns an extension of the response's first error.
func (r result) Extensions0(name string) any {
	if len(r.Errors) == 0 {
		return nil
	}
	return r.Errors[0].Extensions[name]
}
