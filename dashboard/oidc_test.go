package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// fakeProvider is an OpenID Connect provider for tests: discovery and keys
// from oidctest, and an authorization endpoint that approves at once as
// user, remembering the nonce for the ID token the token endpoint signs.
type fakeProvider struct {
	t    *testing.T
	srv  *httptest.Server
	key  *rsa.PrivateKey
	user string // the preferred_username the next login vouches for

	mu     sync.Mutex
	nonces map[string]string // code → nonce
}

func newFakeProvider(t *testing.T) *fakeProvider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &fakeProvider{t: t, key: key, nonces: map[string]string{}}
	disc := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: oidc.RS256}}}
	mux := http.NewServeMux()
	mux.Handle("/", disc)
	mux.HandleFunc("/auth", p.authorize)
	mux.HandleFunc("/token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	disc.SetIssuer(p.srv.URL)
	return p
}

func (p *fakeProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "PKCE required", http.StatusBadRequest)
		return
	}
	code := fmt.Sprintf("code-%d", time.Now().UnixNano())
	p.mu.Lock()
	p.nonces[code] = q.Get("nonce")
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *fakeProvider) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	p.mu.Lock()
	nonce, ok := p.nonces[r.PostForm.Get("code")]
	delete(p.nonces, r.PostForm.Get("code"))
	p.mu.Unlock()
	if !ok || r.PostForm.Get("code_verifier") == "" {
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
		return
	}
	claims, _ := json.Marshal(map[string]any{"iss": p.srv.URL, "aud": "taskledger", "sub": "s-" + p.user, "nonce": nonce,
		"preferred_username": p.user, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600,
		"id_token": oidctest.SignIDToken(p.key, "k1", oidc.RS256, string(claims))})
}

// oidcDashboard serves the shared environment's API behind a dashboard
// that logs in through the fake provider.
func oidcDashboard(t *testing.T, e *demoEnv, p *fakeProvider) *httptest.Server {
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	login, err := NewOIDC(context.Background(), OIDC{Issuer: p.srv.URL, ClientID: "taskledger", ClientSecret: "s3cret",
		RedirectURL: srv.URL + "/session/oidc/callback"})
	if err != nil {
		t.Fatal(err)
	}
	h = Handler(Config{API: e.api, Accounts: e.accounts, OIDC: login})
	return srv
}

func TestOIDCLogsAnAccountInThroughTheProvider(t *testing.T) {
	e := demoServer(t)
	p := newFakeProvider(t)
	srv := oidcDashboard(t, e, p)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}

	p.user = "eco.leader"
	resp, err := client.Get(srv.URL + "/session/oidc/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Fragment != "/myunit" {
		t.Fatalf("the login ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
	resp, err = client.Get(srv.URL + "/session")
	if err != nil {
		t.Fatal(err)
	}
	var info sessionInfo
	_ = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || info.Role != "bureau" || !info.Leader || info.CSRF == "" {
		t.Fatalf("session after the OIDC login: %d %+v", resp.StatusCode, info)
	}

	// A person the provider knows but who has no account here is refused.
	fresh, _ := cookiejar.New(nil)
	client = &http.Client{Jar: fresh}
	p.user = "nobody.here"
	resp, err = client.Get(srv.URL + "/session/oidc/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a login for an unknown account: %d", resp.StatusCode)
	}
	if cs := fresh.Cookies(mustURL(t, srv.URL)); len(cs) != 0 {
		t.Fatalf("a refused login left cookies %v", cs)
	}
}

func TestOIDCCallbackNeedsTheBrowserThatStartedIt(t *testing.T) {
	e := demoServer(t)
	p := newFakeProvider(t)
	srv := oidcDashboard(t, e, p)
	p.user = "eco.leader"
	// Start in one browser, stop before the callback.
	jar, _ := cookiejar.New(nil)
	starter := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasSuffix(req.URL.Path, "/callback") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := starter.Get(srv.URL + "/session/oidc/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback := resp.Header.Get("Location")
	if !strings.Contains(callback, "/session/oidc/callback?") {
		t.Fatalf("the provider sent the browser to %q", callback)
	}
	// Another browser (no state cookie) cannot finish it.
	other, _ := cookiejar.New(nil)
	resp, err = (&http.Client{Jar: other}).Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || len(other.Cookies(mustURL(t, srv.URL))) != 0 {
		t.Fatalf("a callback from another browser: %d, cookies %v", resp.StatusCode, other.Cookies(mustURL(t, srv.URL)))
	}
	// Nor can the first, once the state was spent.
	resp, err = (&http.Client{Jar: jar}).Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a spent state: %d", resp.StatusCode)
	}
}
