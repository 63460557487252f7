package dashboard

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"taskledger/app"
	"taskledger/internal/msg"
)

// OIDC configures login through an office's OpenID Connect identity
// provider (authorization code flow with PKCE, state and nonce). The
// provider proves who the person is; a claim of the ID token names their
// local account, which must exist and be enabled (the application
// layer's LoginExternal decides).
type OIDC struct {
	// Issuer is the provider's issuer URL (discovery is read from it).
	Issuer string
	// ClientID and ClientSecret are this server's registration.
	ClientID, ClientSecret string
	// RedirectURL is this server's /session/oidc/callback as the
	// provider knows it.
	RedirectURL string
	// Claim is the ID-token claim that holds the local login name;
	// empty means "preferred_username".
	Claim string
}

// oidcStateCookie binds a login in progress to the browser that began it.
const oidcStateCookie = "tl_oidc_state"

// oidcPendingTTL bounds how long a login may take at the provider.
const oidcPendingTTL = 10 * time.Minute

// OIDCLogin is a configured provider and the logins in progress.
type OIDCLogin struct {
	now      func() time.Time
	cfg      OIDC
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier

	mu      sync.Mutex
	pending map[string]oidcPending // by state
}

type oidcPending struct {
	nonce, verifier string
	expires         time.Time
}

// NewOIDC reads the provider's discovery document and returns the login
// the dashboard's Config.OIDC takes.
func NewOIDC(ctx context.Context, cfg OIDC) (*OIDCLogin, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: issuer, client id and redirect URL are required")
	}
	if cfg.Claim == "" {
		cfg.Claim = "preferred_username"
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover %s: %w", cfg.Issuer, err)
	}
	return &OIDCLogin{
		now:      time.Now,
		cfg:      cfg,
		oauth:    oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL, Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"}},
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		pending:  map[string]oidcPending{},
	}, nil
}

// serveOIDC routes /session/oidc/start and /session/oidc/callback.
func (h *handler) serveOIDC(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil || h.accounts == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/session/oidc/start":
		h.oidcStart(w, r)
	case "/session/oidc/callback":
		h.oidcCallback(w, r)
	default:
		http.NotFound(w, r)
	}
}

// oidcStart sends the browser to the provider with a fresh state, nonce
// and PKCE verifier, and binds the state to the browser in a cookie.
func (h *handler) oidcStart(w http.ResponseWriter, r *http.Request) {
	state, err1 := randomToken()
	nonce, err2 := randomToken()
	if err1 != nil || err2 != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	verifier := oauth2.GenerateVerifier()
	o := h.oidc
	o.mu.Lock()
	now := o.now()
	for k, p := range o.pending {
		if now.After(p.expires) {
			delete(o.pending, k)
		}
	}
	o.pending[state] = oidcPending{nonce: nonce, verifier: verifier, expires: now.Add(oidcPendingTTL)}
	o.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: oidcStateCookie, Value: state, Path: "/session/oidc/", MaxAge: int(oidcPendingTTL.Seconds()),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, o.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// oidcCallback checks the state against the browser's cookie, exchanges
// the code, verifies the ID token and its nonce, and logs the named
// account in through the application layer.
func (h *handler) oidcCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	c, err := r.Cookie(oidcStateCookie)
	http.SetCookie(w, &http.Cookie{Name: oidcStateCookie, Value: "", Path: "/session/oidc/", MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	o := h.oidc
	o.mu.Lock()
	p, ok := o.pending[state]
	delete(o.pending, state)
	o.mu.Unlock()
	if err != nil || state == "" || c.Value != state || !ok || o.now().After(p.expires) {
		writeReportError(w, http.StatusBadRequest, catalogued(r, msg.OIDCStateInvalid, nil))
		return
	}
	login, err := o.identify(r.Context(), q.Get("code"), p)
	if err != nil {
		h.logger.Warn("oidc login refused", "err", err)
		writeReportError(w, http.StatusBadRequest, catalogued(r, msg.OIDCUnverified, nil))
		return
	}
	res, err := h.accounts.LoginExternal(r.Context(), app.ExternalLoginInput{Login: login, Via: "oidc:" + o.cfg.Issuer})
	if err != nil {
		h.writeSessionError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: res.Session.ID, Path: "/", Expires: res.Session.Expires,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/#/myunit", http.StatusFound)
}

// identify exchanges the code and returns the login name the verified
// ID token's claim holds.
func (o *OIDCLogin) identify(ctx context.Context, code string, p oidcPending) (string, error) {
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(p.verifier))
	if err != nil {
		return "", fmt.Errorf("exchange the code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", errors.New("the token response holds no id_token")
	}
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("verify the ID token: %w", err)
	}
	if idt.Nonce != p.nonce {
		return "", errors.New("the ID token's nonce is not this login's")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return "", fmt.Errorf("read the ID token's claims: %w", err)
	}
	login, _ := claims[o.cfg.Claim].(string)
	if login == "" {
		return "", fmt.Errorf("the ID token has no %q claim", o.cfg.Claim)
	}
	return login, nil
}

func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
