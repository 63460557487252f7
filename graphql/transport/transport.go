// Package transport serves a GraphQL engine at /graphql: HTTP following
// the GraphQL-over-HTTP conventions (POST for any operation, GET for
// queries) and WebSockets speaking graphql-transport-ws for subscriptions
// (and queries and mutations too).
//
// Before the engine runs a request, the transport authenticates its bearer
// token, reads and bounds the request, and analyses the document once
// (Analyze, on gqlparser's parser) to refuse what it can without the
// schema: a subscription over HTTP, a mutation over GET, too many fields
// once fragments are expanded, fields that need a token sent without one.
// It shares the responses of read-only queries through a respcache.Cache,
// gives every error an extensions.code (and a kind for refused requests),
// and counts requests in a metrics.Metrics.
//
// What the schema means — which root fields are open to the public, which
// may share responses, what a resolver's error says — is the caller's,
// given in Config.
package transport

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/auth"
	"taskledger/graphql/metrics"
	"taskledger/graphql/respcache"
)

// Engine runs GraphQL operations; *graphql-go.Schema is one.
type Engine interface {
	Exec(ctx context.Context, query, operationName string, variables map[string]any) *gql.Response
	Subscribe(ctx context.Context, query, operationName string, variables map[string]any) (<-chan any, error)
}

// Tokens looks bearer tokens up; *auth.Tokens is one. An unknown token is
// auth.ErrInvalidToken.
type Tokens interface {
	Lookup(token string) (auth.Principal, error)
}

// Limits bound what one request may ask for. Every field must be positive.
type Limits struct {
	// MaxBodyBytes bounds a POST body (413 beyond it) and a WebSocket
	// message.
	MaxBodyBytes int64
	// MaxQueryBytes bounds the query document.
	MaxQueryBytes int
	// MaxFields bounds the fields an operation selects once its fragments
	// are expanded.
	MaxFields int
	// MaxCost bounds an operation's cost (Analysis.Cost): one per field
	// plus ReplayCost per distinct as-of value. Beyond it the request is
	// refused before it runs with extensions.code GRAPHQL_COST_LIMITED.
	MaxCost int
	// ReplayCost is what one distinct asOf or atPosition value costs: a
	// rebuild of the read models from the log.
	ReplayCost int
	// RequestTimeout bounds one HTTP request.
	RequestTimeout time.Duration
	// MaxSubscriptions bounds the operations running over WebSockets on
	// the server, and MaxSubscriptionsPerConn those on one connection.
	MaxSubscriptions        int
	MaxSubscriptionsPerConn int
	// InitTimeout is how long a WebSocket may take to send
	// connection_init.
	InitTimeout time.Duration
}

// Config is what a Handler needs. Every field but Responses and Persisted
// is required.
type Config struct {
	Engine Engine
	Tokens Tokens
	// WithPrincipal returns ctx carrying the request's principal, for the
	// resolvers.
	WithPrincipal func(ctx context.Context, p auth.Principal) context.Context
	// PublicField reports whether a root field may be asked for without a
	// token; a request without one selecting any other is refused with 401.
	PublicField func(name string) bool
	// CacheableField reports whether a query root field answers from the
	// ledger's content alone, so that a query selecting only such fields
	// may share its response (see respcache).
	CacheableField func(name string) bool
	// ResolverError words a resolver's error for the client: its message
	// and extensions (with at least "code"). It logs what it hides.
	ResolverError func(ctx context.Context, path []any, err error) (message string, extensions map[string]any)
	// Responses keeps recent query responses; nil turns sharing off.
	Responses *respcache.Cache
	// Persisted keeps the documents of automatic persisted queries
	// (extensions.persistedQuery); nil turns them off (such a request is
	// answered PersistedQueryNotSupported).
	Persisted *PersistedQueries
	// Version returns the read models' version (projections.Views.Version):
	// a kept response lives only while it is unchanged.
	Version func() uint64
	// Clock is the time source of the response cache's windows.
	Clock   func() time.Time
	Metrics *metrics.Metrics
	Limits  Limits
	Logger  *slog.Logger
}

// Handler serves /graphql. Close ends its WebSockets.
type Handler struct {
	cfg Config

	// base is cancelled by Close: it ends subscriptions and WebSockets.
	base    context.Context
	cancel  context.CancelFunc
	connMu  sync.Mutex // orders conns.Add before conns.Wait
	conns   sync.WaitGroup
	closing atomic.Bool
}

// New returns a handler for cfg.
func New(cfg Config) (*Handler, error) {
	if cfg.Engine == nil || cfg.Tokens == nil || cfg.WithPrincipal == nil || cfg.PublicField == nil ||
		cfg.CacheableField == nil || cfg.ResolverError == nil || cfg.Version == nil || cfg.Clock == nil ||
		cfg.Metrics == nil || cfg.Logger == nil {
		return nil, errors.New("transport: every Config field but Responses and Persisted is required")
	}
	l := cfg.Limits
	if l.MaxBodyBytes <= 0 || l.MaxQueryBytes <= 0 || l.MaxFields <= 0 || l.MaxCost <= 0 || l.ReplayCost <= 0 || l.RequestTimeout <= 0 ||
		l.MaxSubscriptions <= 0 || l.MaxSubscriptionsPerConn <= 0 || l.InitTimeout <= 0 {
		return nil, errors.New("transport: every limit must be positive")
	}
	h := &Handler{cfg: cfg}
	h.base, h.cancel = context.WithCancel(context.Background())
	return h, nil
}

// ServeHTTP serves /graphql: WebSocket upgrades go to the
// graphql-transport-ws handler; GET runs queries; POST runs anything but
// subscriptions.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isWebSocket(r) {
		h.serveWebSocket(w, r)
		return
	}
	h.serveGraphQL(w, r)
}

// Close ends every subscription and WebSocket connection and waits for
// them; new WebSockets are refused. HTTP requests are drained by
// http.Server.Shutdown, which the caller runs first (or alongside, via
// RegisterOnShutdown).
func (h *Handler) Close() {
	h.connMu.Lock()
	h.closing.Store(true)
	h.connMu.Unlock()
	h.cancel()
	h.conns.Wait()
}

// Closing reports whether Close has been called.
func (h *Handler) Closing() bool { return h.closing.Load() }

// trackConn counts a WebSocket connection for Close to wait on; false once
// the handler is closing.
func (h *Handler) trackConn() bool {
	h.connMu.Lock()
	defer h.connMu.Unlock()
	if h.closing.Load() {
		return false
	}
	h.conns.Add(1)
	return true
}
