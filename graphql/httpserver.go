package graphql

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"taskledger/auth"
	"taskledger/graphql/graphiql"
	"taskledger/internal/redact"
)

// HTTPConfig shapes the http.Server NewHTTPServer makes. Zero fields take
// the defaults of DefaultHTTPConfig.
type HTTPConfig struct {
	// Addr is where to listen (http.Server.Addr).
	Addr string
	// ReadHeaderTimeout bounds reading a request's headers, and
	// ReadTimeout the whole request, body included: a client that sends
	// slowly is cut off instead of holding a connection open.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	// WriteTimeout bounds the time from the end of a request's headers to
	// the end of its response; it must exceed Limits.RequestTimeout.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's headers.
	MaxHeaderBytes int
	// Logger receives the server's own errors (TLS handshakes, bad
	// requests, panics), redacted; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultHTTPConfig returns the settings NewHTTPServer uses unless told
// otherwise. WebSockets are not cut by the read and write timeouts:
// net/http clears a connection's deadlines when the transport takes it
// over for the upgrade (TestWebSocketOutlivesHTTPTimeouts), and the
// protocol has bounds of its own (Limits.InitTimeout, a write timeout).
func DefaultHTTPConfig() HTTPConfig {
	return HTTPConfig{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      DefaultLimits().RequestTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// NewHTTPServer returns an http.Server serving handler (Server.Handler)
// with cfg's timeouts and header bound, logging its errors through a
// redacting logger. The caller runs ListenAndServe (or Serve) and
// Shutdown.
func NewHTTPServer(handler http.Handler, cfg HTTPConfig) *http.Server {
	d := DefaultHTTPConfig()
	orDefault(&cfg.ReadHeaderTimeout, d.ReadHeaderTimeout)
	orDefault(&cfg.ReadTimeout, d.ReadTimeout)
	orDefault(&cfg.WriteTimeout, d.WriteTimeout)
	orDefault(&cfg.IdleTimeout, d.IdleTimeout)
	orDefault(&cfg.MaxHeaderBytes, d.MaxHeaderBytes)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &http.Server{
		Addr:              cfg.Addr,
		Handler:           handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(redact.NewHandler(cfg.Logger.Handler()), slog.LevelWarn),
	}
}

// metricsRoles are the token roles that may read /metrics on the API's
// own address: the plan office, which runs the server, and inspectors.
// Serve MetricsHandler on a private address instead to let a scraper in
// without a token.
var metricsRoles = map[auth.Role]bool{auth.Coordinator: true, auth.Inspector: true}

// MetricsHandler returns /metrics without any check of its own, to be
// served on a separate, private listen address (Handler serves it behind
// a token).
func (s *Server) MetricsHandler() http.Handler { return s.metrics.Handler() }

// protectedMetrics serves /metrics to coordinator and inspector tokens:
// 401 without a valid token, 403 for other roles.
func (s *Server) protectedMetrics() http.Handler {
	open := s.MetricsHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.bearer(r.Header.Get("Authorization"))
		switch {
		case errors.Is(err, auth.ErrInvalidToken) || (err == nil && !p.Authenticated()):
			w.Header().Set("WWW-Authenticate", `Bearer realm="taskledger"`)
			http.Error(w, "/metrics needs a coordinator or inspector token: send Authorization: Bearer <token>", http.StatusUnauthorized)
		case err != nil:
			s.logger.Error("token lookup failed", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		case !metricsRoles[p.Role]:
			http.Error(w, "/metrics is open to coordinator and inspector tokens only", http.StatusForbidden)
		default:
			open.ServeHTTP(w, r)
		}
	})
}

// Authenticate returns the principal an Authorization header names, for
// the other doors of the same process (the dashboard's template download
// and upload): Anonymous without a header; auth.ErrInvalidToken for a
// malformed header or an unknown, revoked or expired token.
func (s *Server) Authenticate(header string) (auth.Principal, error) { return s.bearer(header) }

// bearer returns the principal an Authorization header names (Anonymous
// without one); a malformed header or unknown token is
// auth.ErrInvalidToken.
func (s *Server) bearer(header string) (auth.Principal, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return auth.Anonymous(), nil
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return auth.Principal{}, auth.ErrInvalidToken
	}
	return s.cfg.Tokens.Lookup(strings.TrimSpace(token))
}

// browserIDE answers a browser's GET of /graphql (Accept: text/html) with
// GraphiQL and passes every other request to api.
func browserIDE(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if graphiql.WantsHTML(r) && !isUpgrade(r) {
			graphiql.Page(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// isUpgrade reports whether r asks to switch protocols (a WebSocket).
func isUpgrade(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }
