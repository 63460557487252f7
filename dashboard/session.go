package dashboard

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/internal/msg"
)

// Accounts is the application layer's password login and sessions, as
// the dashboard calls them (app.Service implements it). Every rule —
// lockout, disabled accounts, the CSRF token, password strength — is the
// application layer's; the handlers here only carry cookies and JSON.
type Accounts interface {
	Login(ctx context.Context, in app.LoginInput) (app.LoginResult, error)
	Session(ctx context.Context, in app.SessionCheck) (auth.Principal, auth.Session, error)
	Logout(ctx context.Context, sessionID string)
	ChangePassword(ctx context.Context, p auth.Principal, in app.ChangePasswordInput) error
	LoginExternal(ctx context.Context, in app.ExternalLoginInput) (app.LoginResult, error)
}

// SessionCookie is the name of the session cookie.
const SessionCookie = "tl_session"

// CSRFHeader carries a session's anti-forgery token on every POST.
const CSRFHeader = "X-CSRF-Token"

// sessionInfo is what GET /session and POST /session/login answer: the
// CSRF token the page sends back, and who the session acts as.
type sessionInfo struct {
	CSRF       string    `json:"csrf"`
	Name       string    `json:"name"`
	Role       string    `json:"role"`
	Unit       string    `json:"unit,omitempty"`
	Leader     bool      `json:"leader"`
	MustChange bool      `json:"mustChange,omitempty"`
	Expires    time.Time `json:"expires"`
}

func infoOf(p auth.Principal, s auth.Session, mustChange bool) sessionInfo {
	return sessionInfo{CSRF: s.CSRF, Name: p.Person.Name, Role: string(p.Role), Unit: string(p.Unit), Leader: p.Leader,
		MustChange: mustChange, Expires: s.Expires}
}

// withSession checks a request that carries the session cookie and no
// Authorization header through the application layer, and returns it
// carrying the session's principal (auth.WithSession) for the API and the
// downloads. A POST without the session's CSRF token is refused here,
// before anything runs; a GET with a stale cookie goes on as public. ok is
// false when a refusal was written.
func (h *handler) withSession(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	c, err := r.Cookie(SessionCookie)
	if h.accounts == nil || err != nil || c.Value == "" || r.Header.Get("Authorization") != "" {
		return r, true
	}
	unsafe := r.Method != http.MethodGet && r.Method != http.MethodHead
	p, _, err := h.accounts.Session(r.Context(), app.SessionCheck{ID: c.Value, CSRF: r.Header.Get(CSRFHeader), Unsafe: unsafe})
	switch {
	case err == nil:
		return r.WithContext(auth.WithSession(r.Context(), p)), true
	case app.CodeOf(err) == app.Unauthenticated && !unsafe:
		h.clearCookie(w, r)
		return r, true
	}
	h.writeSessionError(w, r, err)
	return r, false
}

// serveSession routes /session, /session/login, /session/logout and
// /session/password.
func (h *handler) serveSession(w http.ResponseWriter, r *http.Request) {
	if h.accounts == nil {
		http.NotFound(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/session/oidc/") {
		h.serveOIDC(w, r)
		return
	}
	want := http.MethodPost
	if r.URL.Path == "/session" {
		want = http.MethodGet
	}
	if r.Method != want {
		w.Header().Set("Allow", want)
		writeReportError(w, http.StatusMethodNotAllowed, catalogued(r, msg.HTTPUseMethod, msg.Args{"Method": want}))
		return
	}
	if want == http.MethodPost && !sameOrigin(r) {
		writeReportError(w, http.StatusForbidden, catalogued(r, msg.HTTPCrossSite, nil))
		return
	}
	switch r.URL.Path {
	case "/session/login":
		h.serveLogin(w, r)
		return
	}
	r, ok := h.withSession(w, r)
	if !ok {
		return
	}
	p, loggedIn := auth.SessionOf(r.Context())
	if !loggedIn {
		// The login page learns here whether an identity provider is set.
		writeJSON(w, http.StatusUnauthorized, map[string]any{"oidc": h.oidc != nil,
			"error": catalogued(r, msg.AuthNotLoggedIn, nil)})
		return
	}
	switch r.URL.Path {
	case "/session":
		c, _ := r.Cookie(SessionCookie)
		_, ses, err := h.accounts.Session(r.Context(), app.SessionCheck{ID: c.Value})
		if err != nil {
			h.writeSessionError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, infoOf(p, ses, false))
	case "/session/logout":
		c, _ := r.Cookie(SessionCookie)
		h.accounts.Logout(r.Context(), c.Value)
		h.clearCookie(w, r)
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	case "/session/password":
		var in struct{ Old, New string }
		if !readJSON(w, r, &in) {
			return
		}
		if err := h.accounts.ChangePassword(r.Context(), p, app.ChangePasswordInput{Old: in.Old, New: in.New}); err != nil {
			h.writeSessionError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	default:
		http.NotFound(w, r)
	}
}

// serveLogin is POST /session/login with JSON {"login", "password"}: it
// sets the session cookie and answers the session's CSRF token.
func (h *handler) serveLogin(w http.ResponseWriter, r *http.Request) {
	var in struct{ Login, Password string }
	if !readJSON(w, r, &in) {
		return
	}
	res, err := h.accounts.Login(r.Context(), app.LoginInput{Login: in.Login, Password: in.Password})
	if err != nil {
		h.writeSessionError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: res.Session.ID, Path: "/", Expires: res.Session.Expires,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, infoOf(res.Principal, res.Session, res.MustChange))
}

func (h *handler) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// readJSON decodes a small JSON body (a form post must be JSON: a plain
// HTML form from another site cannot send it); ok is false when a refusal
// was written.
func readJSON(w http.ResponseWriter, r *http.Request, out any) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		writeReportError(w, http.StatusUnsupportedMediaType, catalogued(r, msg.HTTPJSONRequired, nil))
		return false
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<10)).Decode(out); err != nil {
		writeReportError(w, http.StatusBadRequest, catalogued(r, msg.HTTPJSONInvalid, nil))
		return false
	}
	return true
}

// writeSessionError writes an application-layer refusal with its status.
func (h *handler) writeSessionError(w http.ResponseWriter, r *http.Request, err error) {
	ae := app.Explain(err)
	if ae == nil || ae.Code == app.Code(msg.Internal) {
		h.logger.Error("session failed", "err", err)
		writeReportError(w, http.StatusInternalServerError, catalogued(r, msg.LedgerInternal, nil))
		return
	}
	status := statusFor(http.StatusOK, string(ae.Code))
	if ae.Code == app.LockedOut {
		status = http.StatusTooManyRequests
	}
	writeReportError(w, status, refusalBody(r, ae))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
