package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// browserSession is a client with a cookie jar, logged in or not.
type browserSession struct {
	t      *testing.T
	e      *demoEnv
	client *http.Client
	csrf   string
}

func (e *demoEnv) newSession(t *testing.T) *browserSession {
	jar, _ := cookiejar.New(nil)
	c := *e.http.Client()
	c.Jar = jar
	return &browserSession{t: t, e: e, client: &c}
}

// post sends JSON to path with the session's cookie, and its CSRF token
// when withCSRF; it returns the status and decoded body.
func (s *browserSession) post(path string, body any, withCSRF bool) (int, map[string]any) {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.e.http.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if withCSRF {
		req.Header.Set(CSRFHeader, s.csrf)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (s *browserSession) login(login, password string) (int, map[string]any) {
	s.t.Helper()
	status, out := s.post("/session/login", map[string]string{"login": login, "password": password}, false)
	if csrf, ok := out["csrf"].(string); ok {
		s.csrf = csrf
	}
	return status, out
}

func (e *demoEnv) head(t *testing.T) float64 {
	t.Helper()
	d, err := e.gql("inspector", `{ ledger { head } }`)
	if err != nil {
		t.Fatal(err)
	}
	return d["ledger"].(map[string]any)["head"].(float64)
}

func TestALoggedInReporterRecordsOnlyWithTheCSRFToken(t *testing.T) {
	e := demoServer(t)
	s := e.newSession(t)
	status, info := s.login("ningcheng.reporter", e.passwords["ningcheng.reporter"])
	if status != http.StatusOK || s.csrf == "" || info["role"] != "county" || info["unit"] != "county.ningcheng" {
		t.Fatalf("login: %d %v", status, info)
	}
	cookies := s.client.Jar.Cookies(mustURL(t, e.http.URL))
	if len(cookies) != 1 || cookies[0].Name != SessionCookie || len(cookies[0].Value) < 43 {
		t.Fatalf("cookies after login: %v", cookies)
	}
	task, role := e.openDuty(t, "county")
	mutation := map[string]any{"query": fmt.Sprintf(`mutation { reportProgress(input: {obligation: {task: %d, role: %s}, percent: 55, note: "会话报送", idempotencyKey: "session-csrf-1"}) { userErrors { code field message messageEn } events { actor } } }`, task, role)}
	before := e.head(t)
	status, out := s.post("/graphql", mutation, false)
	if status != http.StatusForbidden || e.head(t) != before {
		t.Fatalf("a GraphQL POST without the CSRF token: %d %v, head %v → %v; want 403 and nothing recorded", status, out, before, e.head(t))
	}
	status, out = s.post("/graphql", mutation, true)
	if status != http.StatusOK || out["errors"] != nil {
		t.Fatalf("with the token: %d %v", status, out)
	}
	actor := out["data"].(map[string]any)["reportProgress"].(map[string]any)["events"].([]any)[0].(map[string]any)["actor"].(string)
	if !strings.HasPrefix(actor, "宁城填报员@county.ningcheng#acct:") {
		t.Fatalf("the report's actor is %q: want the person and their unit", actor)
	}
	if status, _ := s.post("/session/logout", nil, false); status != http.StatusForbidden {
		t.Fatalf("logout without the CSRF token: %d, want 403", status)
	}
	if status, _ := s.post("/session/logout", nil, true); status != http.StatusOK {
		t.Fatalf("logout: %d", status)
	}
	if status, _ := s.post("/graphql", mutation, true); status != http.StatusUnauthorized {
		t.Fatalf("a POST after logout: %d, want 401", status)
	}
}

func TestTheSixthWrongPasswordLocksTheAccount(t *testing.T) {
	e := demoServer(t)
	s := e.newSession(t)
	for i := 1; i <= 5; i++ {
		if status, out := s.login("lockout.victim", fmt.Sprintf("wrong-%d", i)); status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d %v", i, status, out)
		}
	}
	status, out := s.login("lockout.victim", e.passwords["lockout.victim"])
	if status != http.StatusTooManyRequests || !strings.Contains(fmt.Sprint(out), "LOCKED_OUT") {
		t.Fatalf("the right password after five wrong ones: %d %v; want 429 LOCKED_OUT", status, out)
	}
}

func TestLoginRefusesFormsFromOtherSites(t *testing.T) {
	e := demoServer(t)
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/session/login", strings.NewReader(`{"login":"eco.leader","password":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a login from another origin: %d, want 403", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPost, e.http.URL+"/session/login", strings.NewReader("login=eco.leader&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("a login as an HTML form: %d, want 415", resp.StatusCode)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// openDuty returns the task and duty of an obligation the role's unit
// holds that is not yet complete.
func (e *demoEnv) openDuty(t *testing.T, role string) (int, string) {
	t.Helper()
	d, err := e.gql(role, `{ obligations(first: 200) { nodes { task role status } } }`)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range d["obligations"].(map[string]any)["nodes"].([]any) {
		ob := it.(map[string]any)
		if st := fmt.Sprint(ob["status"]); !strings.Contains(st, "COMPLETE") && !strings.Contains(st, "VERIFIED") && !strings.Contains(st, "CLAIM") {
			return int(ob["task"].(float64)), fmt.Sprint(ob["role"])
		}
	}
	t.Fatalf("%s holds no open obligation", role)
	return 0, ""
}
