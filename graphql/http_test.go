package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/internal/ledgertest"
)

func TestHTTPStatusPaths(t *testing.T) {
	e := newEnv(t, envOptions{limits: Limits{MaxBodyBytes: 64 << 10}})
	raw := func(method, contentType, body, token string) gqlResult {
		req, _ := http.NewRequest(method, e.http.URL+"/graphql", strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		return e.do(req)
	}
	get := func(q url.Values, role string) gqlResult {
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/graphql?"+q.Encode(), nil)
		if role != "" {
			req.Header.Set("Authorization", "Bearer "+e.tokens[role])
		}
		return e.do(req)
	}
	big := `{"query":"{ ledger { mode } }","variables":{"pad":"` + strings.Repeat("x", 70<<10) + `"}}`
	tests := []struct {
		name   string
		res    gqlResult
		status int
		code   Code
	}{
		{"unparsable JSON", raw("POST", "application/json", `{"query": `, ""), 400, CodeInvalidArgument},
		{"JSON that is not an object", raw("POST", "application/json", `[1,2]`, ""), 400, CodeInvalidArgument},
		{"no query", raw("POST", "application/json", `{}`, ""), 400, CodeInvalidArgument},
		{"syntax error", e.post("inspector", `{ ledger { mode }`, nil), 400, CodeInvalidArgument},
		{"unknown field", e.post("inspector", `{ ledger { colour } }`, nil), 400, CodeInvalidArgument},
		{"wrong variable type", e.post("inspector", `query($n: Int!) { task(number: $n) { title } }`, map[string]any{"n": "one"}), 400, CodeInvalidArgument},
		{"two operations, none named", e.post("inspector", `query A { me { name } } query B { me { role } }`, nil), 400, CodeInvalidArgument},
		{"subscription over HTTP", e.post("inspector", `subscription { eventsAppended { id } }`, nil), 400, CodeInvalidArgument},
		{"invalid token", e.post("tl_not-a-token", `{ ledger { mode } }`, nil), 401, CodeUnauthenticated},
		{"malformed Authorization", raw("POST", "application/json", `{"query":"{ ledger { mode } }"}`, "Basic abc"), 401, CodeUnauthenticated},
		{"no token for a protected field", e.post("", `{ obligations { totalCount } }`, nil), 401, CodeUnauthenticated},
		{"no token, through a fragment", e.post("", `{ ...F } fragment F on Query { units { nodes { id } } }`, nil), 401, CodeUnauthenticated},
		{"mutation over GET", get(url.Values{"query": {`mutation { adoptScheme(input: {year: 2025, idempotencyKey: "x"}) { userErrors { code field message messageEn } position } }`}}, "committee"), 405, CodeInvalidArgument},
		{"PUT", raw("PUT", "application/json", `{"query":"{ ledger { mode } }"}`, ""), 405, CodeInvalidArgument},
		{"body too large", raw("POST", "application/json", big, ""), 413, CodeInvalidArgument},
		{"wrong content type", raw("POST", "text/plain", `{"query":"{ ledger { mode } }"}`, ""), 415, CodeInvalidArgument},
	}
	for _, tc := range tests {
		if tc.res.Status != tc.status || tc.res.code() != string(tc.code) {
			t.Errorf("%s: want %d %s, got %d %s", tc.name, tc.status, tc.code, tc.res.Status, tc.res.Raw)
		}
	}

	// What works: GET queries (with variables), POST without a token for
	// public fields, introspection without a token.
	r := get(url.Values{"query": {`query($n: Int!) { task(number: $n) { title } }`}, "variables": {`{"n": 1}`}}, "inspector")
	if r.Status != 200 || path(r.Data, "task", "title") != "淘汰燃煤锅炉" {
		t.Errorf("GET query: %d %s", r.Status, r.Raw)
	}
	if r := e.post("", `{ ledger { mode head } publishedScorecards { nodes { digest } } }`, nil); r.Status != 200 || len(r.Errors) > 0 {
		t.Errorf("public query: %d %s", r.Status, r.Raw)
	}
	intro, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if r := e.post("", string(intro), nil); r.Status != 200 || len(r.Errors) > 0 || path(r.Data, "__schema", "queryType", "name") != "Query" {
		t.Errorf("introspection: %d %.300s", r.Status, r.Raw)
	}
	if r := raw("POST", "application/json; charset=utf-8", `{"query":"{ me { role } }"}`, ""); r.Status != 200 || path(r.Data, "me", "role") != "PUBLIC" {
		t.Errorf("charset content type: %d %s", r.Status, r.Raw)
	}
}

func TestLimits(t *testing.T) {
	e := newEnv(t, envOptions{limits: Limits{MaxFields: 50, MaxQueryBytes: 4 << 10, MaxDepth: 15}})
	wantLimit := func(name string, r gqlResult, status int, kind string) {
		t.Helper()
		if r.Status != status || r.code() != string(CodeInvalidArgument) || (kind != "" && r.Errors[0].Extensions["kind"] != kind) {
			t.Errorf("%s: want %d INVALID_ARGUMENT %s, got %d %s", name, status, kind, r.Status, r.Raw)
		} else if m := r.Errors[0].Message; !strings.Contains(m, "上限") && !strings.Contains(m, "限制") && !strings.Contains(m, "limit") && !strings.Contains(m, "between") && !strings.Contains(m, "depth") {
			t.Errorf("%s: the message does not name the limit: %s", name, r.Errors[0].Message)
		}
	}
	var aliases strings.Builder
	for i := range 60 {
		fmt.Fprintf(&aliases, "a%d: me { name } ", i)
	}
	wantLimit("too many fields", e.post("inspector", "{ "+aliases.String()+" }", nil), 400, "limit")
	// Fragments that double at each level select 2^20 fields.
	var frags strings.Builder
	frags.WriteString("{ ...F0 }\n")
	for i := range 20 {
		fmt.Fprintf(&frags, "fragment F%d on Query { ...F%d a%d: ledger { ...L%d } }\n", i, i+1, i, i)
	}
	wantLimit("fragment explosion", e.post("inspector", frags.String(), nil), 400, "limit")
	wantLimit("query too long", e.post("inspector", "{ me { name } }"+strings.Repeat(" ", 5<<10), nil), 400, "limit")
	deep := "{ __schema { types { fields { type { " + strings.Repeat("ofType { ", 14) + "name" + strings.Repeat(" }", 14) + " } } } } }"
	wantLimit("too deep", e.post("inspector", deep, nil), 400, "limit")
	r := e.post("inspector", `{ obligations(first: 501) { totalCount } }`, nil)
	if r.Status != 200 || r.code() != string(CodeInvalidArgument) || !strings.Contains(r.Errors[0].Message, "每页条数须在 1 到 500 之间") {
		t.Errorf("first: 501: %d %s", r.Status, r.Raw)
	}
	r = e.post("inspector", `{ events(first: 0) { hasMore } }`, nil)
	if r.code() != string(CodeInvalidArgument) {
		t.Errorf("first: 0: %d %s", r.Status, r.Raw)
	}
}

func TestIdempotentRetry(t *testing.T) {
	e := newEnv(t, envOptions{})
	q := `mutation($k: String!) { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 30, note: "首报", idempotencyKey: $k}) { userErrors { code field message messageEn } position duplicate events { id } } }`
	first := e.ok("county", q, map[string]any{"k": "report-1"})
	head, _ := e.store.Head(context.Background())
	second := e.ok("county", q, map[string]any{"k": "report-1"})
	after, _ := e.store.Head(context.Background())
	if after != head {
		t.Fatalf("the retry recorded events: head %d → %d", head, after)
	}
	if path(second, "reportProgress", "duplicate") != true || path(first, "reportProgress", "duplicate") != false {
		t.Errorf("duplicate flags: %v then %v", first, second)
	}
	if a, b := path(first, "reportProgress", "events", 0, "id"), path(second, "reportProgress", "events", 0, "id"); a != b || a == nil {
		t.Errorf("retry returned event %v, first attempt %v", b, a)
	}
	if a, b := path(first, "reportProgress", "position"), path(second, "reportProgress", "position"); a != b {
		t.Errorf("positions %v and %v", a, b)
	}
	// Another token's same key is another request.
	third := e.ok("county.b", q, map[string]any{"k": "report-1"})
	if path(third, "reportProgress", "duplicate") != false {
		t.Errorf("another token's key was taken for a retry: %v", third)
	}
	// A key reused for another request on another stream is a conflict.
	r := e.post("county", `mutation { claimCompletion(input: {obligation: {task: 1, role: IMPLEMENTING, plan: "p"}, milestone: "m1", idempotencyKey: "report-1"}) { userErrors { code field message messageEn } position } }`, nil)
	if r.code() != "" {
		t.Logf("key reuse on the same stream returns the first request's events: %s", r.Raw)
	}
	if r := e.post("county", `mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 1, idempotencyKey: "  "}) { userErrors { code field message messageEn } position } }`, nil); r.code() != string(CodeInvalidArgument) {
		t.Errorf("blank key: %s", r.Raw)
	}
}

func TestWaitThenRead(t *testing.T) {
	e := newEnv(t, envOptions{})
	d := e.ok("county", `mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 55, note: "过半", idempotencyKey: "w1", wait: true}) { userErrors { code field message messageEn } position caughtUp viewPosition } }`, nil)
	res := d["reportProgress"].(map[string]any)
	if res["caughtUp"] != true || res["viewPosition"].(float64) < res["position"].(float64) {
		t.Fatalf("wait: %v", res)
	}
	o := e.ok("county", `{ obligations { nodes { progress lastReport { percent note } } } }`, nil)
	if p := path(o, "obligations", "nodes", 0, "progress"); p != float64(55) {
		t.Errorf("after wait, progress is %v", p)
	}
}

func TestErrorCodes(t *testing.T) {
	e := newEnv(t, envOptions{})
	cases := []struct {
		role, query string
		code        Code
	}{
		{"county", `mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 150, idempotencyKey: "a"}) { userErrors { code field message messageEn } position } }`, CodeInvalidArgument},
		{"county", `mutation { reportProgress(input: {obligation: {task: 2, role: IMPLEMENTING}, percent: 10, idempotencyKey: "b"}) { userErrors { code field message messageEn } position } }`, CodeNotFound},
		{"inspector", `mutation { verifyCompletion(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, idempotencyKey: "c"}) { userErrors { code field message messageEn } position } }`, CodeConflict},
		{"coordinator", `mutation { assignResponsibility(input: {obligation: {task: 9, unit: "county.a", role: IMPLEMENTING}, idempotencyKey: "d"}) { userErrors { code field message messageEn } position } }`, CodeNotFound},
		{"coordinator", `mutation { assignResponsibility(input: {obligation: {task: 1, unit: "Not An Id", role: IMPLEMENTING}, idempotencyKey: "e"}) { userErrors { code field message messageEn } position } }`, CodeInvalidArgument},
		{"county", `mutation { requestExtension(input: {obligation: {task: 1, role: IMPLEMENTING}, milestone: "nope", due: "2025-09-30", reason: "r", idempotencyKey: "f"}) { userErrors { code field message messageEn } position } }`, CodeNotFound},
		{"county", `mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 10, effectiveAt: "2030-01-01T00:00:00Z", idempotencyKey: "g"}) { userErrors { code field message messageEn } position } }`, CodeInvalidArgument},
		{"committee", `mutation { publishScorecard(input: {year: 2025, kind: BUREAU, scheme: "no-such-scheme", schemeVersion: 1, idempotencyKey: "h"}) { userErrors { code field message messageEn } position } }`, CodeNotFound},
		{"inspector", `{ auditTrail(stream: "obligation-p-1-county.z-lead") { intact } }`, CodeNotFound},
		{"inspector", `{ auditTrail(task: 1, unit: "county.a") { intact } }`, CodeInvalidArgument},
		{"inspector", `{ obligations(after: "garbage!") { totalCount } }`, CodeInvalidArgument},
	}
	for _, c := range cases {
		r := e.post(c.role, c.query, nil)
		if r.Status != 200 || r.code() != string(c.code) {
			t.Errorf("%s: want %s, got %d %s", firstLine(c.query), c.code, r.Status, r.Raw)
		}
	}
}

// faultyStore fails or panics on Head when told to.
type faultyStore struct {
	eventstore.Store
	mode *string
}

func (f faultyStore) Head(ctx context.Context) (uint64, error) {
	switch *f.mode {
	case "panic":
		panic("secret internal detail")
	case "fail":
		return 0, errors.New("disk on fire at /var/secret/path")
	}
	return f.Store.Head(ctx)
}

func TestInternalErrorsLeakNothing(t *testing.T) {
	mode := ""
	e := newEnv(t, envOptions{wrap: func(s eventstore.Store) eventstore.Store { return faultyStore{Store: s, mode: &mode} }})
	for _, m := range []string{"panic", "fail"} {
		mode = m
		r := e.post("inspector", `{ ledger { mode head } }`, nil)
		mode = ""
		if r.code() != string(CodeInternal) || strings.Contains(r.Raw, "secret") || strings.Contains(r.Raw, "fire") {
			t.Errorf("%s: %d %s", m, r.Status, r.Raw)
		}
	}
	// The server still serves.
	e.ok("inspector", `{ ledger { head } }`, nil)
}

func TestObligationPagesAndAsOf(t *testing.T) {
	e := newEnv(t, envOptions{})
	var ids []string
	after := ""
	for range 10 {
		d := e.ok("inspector", `query($a: String) { obligations(first: 1, after: $a) { totalCount pageInfo { endCursor hasNextPage } nodes { id } } }`, map[string]any{"a": after})
		page := d["obligations"].(map[string]any)
		for _, it := range page["nodes"].([]any) {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		if page["pageInfo"].(map[string]any)["hasNextPage"] != true {
			break
		}
		after = page["pageInfo"].(map[string]any)["endCursor"].(string)
	}
	if len(ids) != 4 || ids[0] == ids[1] {
		t.Fatalf("pages gave %v", ids)
	}
	// Backwards from the end: the last two, in order.
	d := e.ok("inspector", `{ obligations(last: 2) { totalCount pageInfo { hasPreviousPage hasNextPage } edges { cursor node { id } } } }`, nil)
	if path(d, "obligations", "totalCount") != float64(4) || path(d, "obligations", "edges", 0, "node", "id") != ids[2] ||
		path(d, "obligations", "edges", 1, "node", "id") != ids[3] || path(d, "obligations", "pageInfo", "hasPreviousPage") != true ||
		path(d, "obligations", "pageInfo", "hasNextPage") != false {
		t.Fatalf("last 2: %v", d)
	}

	// Progress recorded later is not seen as of before it.
	before := e.clock.now()
	e.clock.set(before.Add(48 * time.Hour))
	e.builder.At(e.clock.now()).Do(domain.ReportProgress{ObligationKey: countyA, ActingUnit: "county.a", Percent: 70}, "county")
	if err := e.runner.WaitFor(context.Background(), 15); err != nil {
		t.Fatal(err)
	}
	q := `query($t: Time) { obligations(unit: "county.a", asOf: $t) { asOf nodes { progress } } }`
	then := e.ok("inspector", q, map[string]any{"t": before.Add(time.Hour).Format(time.RFC3339)})
	now := e.ok("inspector", q, map[string]any{"t": nil})
	if p := path(then, "obligations", "nodes", 0, "progress"); p != float64(0) {
		t.Errorf("as of before the report, progress %v", p)
	}
	if p := path(now, "obligations", "nodes", 0, "progress"); p != float64(70) {
		t.Errorf("now, progress %v", p)
	}
	// The audit trail as of then leaves the report out, and its links hold.
	trail := e.ok("inspector", `query($t: Time) { auditTrail(unit: "county.a", asOf: $t) { intact events { type } } }`, map[string]any{"t": before.Add(time.Hour).Format(time.RFC3339)})
	for _, ev := range path(trail, "auditTrail", "events").([]any) {
		if ev.(map[string]any)["type"] == "ProgressReported" {
			t.Errorf("as-of trail shows a later report")
		}
	}
	if path(trail, "auditTrail", "intact") != true {
		t.Errorf("trail not intact: %v", trail)
	}
}

func TestScorecardPublishAndPublicRead(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.clock.set(ledgertest.Shanghai(2025, time.July, 2, 9))
	e.builder.At(e.clock.now()).Do(domain.RecordSlip{ObligationKey: countyA, Milestone: "m1"}, "system")
	e.ok("committee", `mutation { adoptScheme(input: {year: 2025, idempotencyKey: "adopt", wait: true}) { userErrors { code field message messageEn } position } }`, nil)
	sc := e.ok("committee", `{ scorecard(year: 2025, kind: COUNTY) { schemeAdopted digest published cards { unit rank totalText lines { rule points eventIds events { type } } } } }`, nil)
	if path(sc, "scorecard", "schemeAdopted") != true || path(sc, "scorecard", "published") != false {
		t.Errorf("scorecard: %v", sc)
	}
	found := false
	for _, c := range path(sc, "scorecard", "cards").([]any) {
		for _, l := range c.(map[string]any)["lines"].([]any) {
			lm := l.(map[string]any)
			if strings.Contains(lm["rule"].(string), "slip.implementing") {
				found = true
				if path(lm, "events", 0, "type") != "DeadlineSlipped" {
					t.Errorf("slip line events: %v", lm)
				}
			}
		}
	}
	if !found {
		t.Errorf("no slip line on the county cards: %v", sc)
	}
	pub := e.ok("committee", `mutation { publishScorecard(input: {year: 2025, kind: COUNTY, scheme: "default", schemeVersion: 3, idempotencyKey: "pub", wait: true}) { userErrors { code field message messageEn } position events { payload } } }`, nil)
	if path(pub, "publishScorecard", "position") == nil {
		t.Fatalf("publish: %v", pub)
	}
	again := e.ok("committee", `mutation { publishScorecard(input: {year: 2025, kind: COUNTY, scheme: "default", schemeVersion: 3, idempotencyKey: "pub"}) { userErrors { code field message messageEn } duplicate } }`, nil)
	if path(again, "publishScorecard", "duplicate") != true {
		t.Errorf("publish retry: %v", again)
	}
	// Anyone reads the publication, recomputed from the log and verified.
	r := e.post("", `{ publishedScorecards(year: 2025) { nodes { kind digest verified asOfPosition cards { rank name totalText grade } } } }`, nil)
	if r.Status != 200 || len(r.Errors) > 0 || path(r.Data, "publishedScorecards", "nodes", 0, "verified") != true || path(r.Data, "publishedScorecards", "nodes", 0, "cards", 0, "rank") != float64(1) {
		t.Fatalf("public read: %d %s", r.Status, r.Raw)
	}
	// The events behind the lines need a token.
	r = e.post("", `{ publishedScorecards { nodes { cards { lines { events { id } } } } } }`, nil)
	if r.Status != 401 || r.code() != string(CodeUnauthenticated) {
		t.Errorf("public line events: %d %s", r.Status, r.Raw)
	}
	// Minutes later the ranking computed now is the published one, though
	// its digest (which includes the as-of instant) is not.
	q := `{ scorecard(year: 2025, kind: COUNTY) { published matchesPublication } }`
	e.clock.set(ledgertest.Shanghai(2025, time.July, 2, 9).Add(5 * time.Minute))
	now := e.ok("committee", q, nil)
	if path(now, "scorecard", "published") != false || path(now, "scorecard", "matchesPublication") != true {
		t.Errorf("five minutes after publishing: %v", now)
	}
	// Weeks later the slip costs more for lateness: the ranking has moved.
	e.clock.set(ledgertest.Shanghai(2025, time.September, 15, 9))
	if later := e.ok("committee", q, nil); path(later, "scorecard", "matchesPublication") != false {
		t.Errorf("after lateness accrued: %v", later)
	}
	// Bureau scorecards: nothing published.
	if b := e.ok("committee", `{ scorecard(year: 2025, kind: BUREAU) { matchesPublication } }`, nil); path(b, "scorecard", "matchesPublication") != false {
		t.Errorf("bureau scorecards match a publication: %v", b)
	}
}

func TestMetricsAndHealth(t *testing.T) {
	e := newEnv(t, envOptions{})
	// wait: the read models apply the report before the two reads, so
	// the second is served from the first's kept response.
	e.ok("county", `mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 5, idempotencyKey: "m", wait: true}) { userErrors { code field message messageEn } position } }`, nil)
	e.ok("county", `{ me { role } }`, nil)
	e.ok("county", `{ me { role } }`, nil)
	e.post("", `{ obligations { totalCount } }`, nil)
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens["inspector"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`taskledger_graphql_requests_total{operation="mutation",status="200"} 1`,
		`taskledger_graphql_requests_total{operation="query",status="401"} 1`,
		`taskledger_graphql_request_duration_seconds_bucket{field="me",operation="query",le="+Inf"} 2`,
		`taskledger_graphql_request_duration_seconds_bucket{field="obligations",operation="query",le="+Inf"} 1`,
		`taskledger_graphql_request_duration_seconds_count{field="reportProgress",operation="mutation"} 1`,
		`taskledger_store_append_duration_seconds_count{result="ok"} 1`,
		"taskledger_response_cache_hits_total 1",
		"taskledger_response_cache_misses_total 1",
		"taskledger_events_appended_total 1",
		"taskledger_projection_lag_events ",
		"taskledger_projection_position ",
		"taskledger_projection_failed 0",
		"taskledger_store_head_position 15",
		"go_goroutines ",
		"process_cpu_seconds_total ",
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	// Every metric the Grafana dashboard in docs/ charts is served.
	for _, name := range dashboardMetrics(t) {
		if !bytes.Contains(body, []byte("\n"+name+"{")) && !bytes.Contains(body, []byte("\n"+name+" ")) {
			t.Errorf("docs/grafana-dashboard.json charts %s, which /metrics does not serve", name)
		}
	}
	resp, err = http.Get(e.http.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"status":"ok"`)) {
		t.Errorf("healthz: %d %s", resp.StatusCode, body)
	}
}

// TestShutdownKeepsAcknowledgedWrites runs mutations while the HTTP server
// shuts down as serve does: every mutation answered 200 is in the store.
func TestShutdownKeepsAcknowledgedWrites(t *testing.T) {
	e := newEnv(t, envOptions{})
	srv := &http.Server{Handler: e.server.Handler()}
	srv.RegisterOnShutdown(e.server.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String() + "/graphql"
	var mu sync.Mutex
	acked := map[string]float64{} // idempotency key → position
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("c%d-%d", c, i)
				body := fmt.Sprintf(`{"query":"mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: %d, note: \"n\", idempotencyKey: \"%s\"}) { userErrors { code field message messageEn } position } }"}`, i%100, key)
				req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+e.tokens["county"])
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server has gone
				}
				var out struct {
					Data struct {
						ReportProgress struct{ Position float64 }
					}
				}
				_ = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK && out.Data.ReportProgress.Position > 0 {
					mu.Lock()
					acked[key] = out.Data.ReportProgress.Position
					mu.Unlock()
				}
			}
		}()
	}
	// Shut down once the writers are under way: 150 ms in, and a few of
	// their mutations acknowledged (150 ms alone saw none on a loaded
	// machine), while the rest go on arriving.
	ackedCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	began := time.Now()
	for deadline := began.Add(30 * time.Second); time.Since(began) < 150*time.Millisecond || ackedCount() < 8; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			close(stop)
			_ = srv.Close()
			wg.Wait()
			t.Fatalf("only %d mutations acknowledged within 30s, before any shutdown", ackedCount())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no mutation was acknowledged")
	}
	events, err := e.store.ReadAll(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[float64]bool{}
	for _, ev := range events {
		stored[float64(ev.Position)] = true
	}
	for key, pos := range acked {
		if !stored[pos] {
			t.Errorf("acknowledged %s at position %v is not in the store", key, pos)
		}
	}
	t.Logf("%d acknowledged mutations, all stored", len(acked))
}

// An expired or revoked token is refused as unauthenticated, saying why.
func TestExpiredAndRevokedTokensAreUnauthenticated(t *testing.T) {
	e := newEnv(t, envOptions{})
	if r := e.post("bureau", `{ me { role } }`, nil); r.Status != 200 {
		t.Fatalf("a fresh token: status %d", r.Status)
	}
	recs, err := e.keeper.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if rec.Role == auth.Inspector {
			if _, err := e.keeper.Revoke(rec.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	r := e.post("inspector", `{ me { role } }`, nil)
	if r.Status != 401 || r.code() != string(CodeUnauthenticated) || !strings.Contains(r.Raw, "revoked") {
		t.Fatalf("a revoked token: status %d, code %s, %s", r.Status, r.code(), r.Raw)
	}
	e.clock.set(e.clock.now().Add(auth.DefaultTTL + time.Hour))
	r = e.post("bureau", `{ me { role } }`, nil)
	if r.Status != 401 || r.code() != string(CodeUnauthenticated) || !strings.Contains(r.Raw, "expired") {
		t.Fatalf("a token past its year: status %d, code %s, %s", r.Status, r.code(), r.Raw)
	}
}

// dashboardMetrics returns the metric names docs/grafana-dashboard.json's
// queries use.
func dashboardMetrics(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("docs/grafana-dashboard.json: %v", err)
	}
	seen := map[string]bool{}
	var names []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, n := range metricName.FindAllString(tg.Expr, -1) {
				if !seen[n] {
					seen[n] = true
					names = append(names, n)
				}
			}
		}
	}
	if len(names) < 8 {
		t.Fatalf("the dashboard charts only %v", names)
	}
	return names
}

var metricName = regexp.MustCompile(`\b(?:taskledger|go|process)_[a-z0-9_]+`)
