// Package graphql serves taskledger's GraphQL API: the embedded schema
// (schema.graphql), its resolvers over the command handler and the read
// models, bearer-token roles, request limits, /healthz, and the Server
// that wires them to their neighbours: graphql/transport (HTTP and
// WebSocket at /graphql), graphql/respcache (shared responses of
// read-only queries) and graphql/metrics (/metrics).
//
// Mutations run domain commands synchronously through command.Dispatch and
// return what they recorded; reads come from a projections.Runner's views,
// or from views built as of a past moment. docs/graphql.md is the user's
// guide.
package graphql

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/app"
	"taskledger/audit"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/evidence"
	"taskledger/graphql/graphiql"
	"taskledger/graphql/internal/oncecache"
	"taskledger/graphql/metrics"
	"taskledger/graphql/respcache"
	"taskledger/graphql/transport"
	"taskledger/internal/redact"
	"taskledger/projections"
)

//go:embed schema.graphql
var schemaText string

// Schema returns the API's schema in the GraphQL schema language.
func Schema() string { return schemaText }

// Limits bound what one request may ask for. Zero fields take the defaults
// of DefaultLimits.
type Limits struct {
	// MaxBodyBytes bounds a POST body (413 beyond it).
	MaxBodyBytes int64
	// MaxQueryBytes bounds the query document.
	MaxQueryBytes int
	// MaxDepth bounds field nesting (the standard introspection query
	// needs about 13).
	MaxDepth int
	// MaxFields bounds the fields a document selects once its fragments
	// are expanded.
	MaxFields int
	// MaxPage bounds every page size (first).
	MaxPage int
	// RequestTimeout bounds one HTTP request.
	RequestTimeout time.Duration
	// WaitTimeout bounds how long a mutation with wait: true waits for the
	// read models.
	WaitTimeout time.Duration
	// MaxSubscriptions bounds the subscriptions open on the server, and
	// MaxSubscriptionsPerConn those on one WebSocket.
	MaxSubscriptions        int
	MaxSubscriptionsPerConn int
	// InitTimeout is how long a WebSocket may take to send connection_init.
	InitTimeout time.Duration
	// MaxScanEvents bounds how many log events one events query reads.
	MaxScanEvents int
	// MaxCost bounds a request's cost: one per field selected plus
	// ReplayCost per distinct asOf or atPosition value (each one a rebuild
	// of the read models from the log). A costlier request is refused
	// before it runs (GRAPHQL_COST_LIMITED, 400).
	MaxCost    int
	ReplayCost int
	// MaxHistoricalPerPrincipal bounds the historical evaluations (read
	// models rebuilt as of a past moment) one token runs at once, and
	// MaxHistoricalRunning those the server runs at once; the rest wait,
	// as long as their request's time allows.
	MaxHistoricalPerPrincipal int
	MaxHistoricalRunning      int
	// HistoricalCacheEntries and HistoricalCacheBytes bound the cache of
	// read models built as of past moments, by count and by estimated
	// memory.
	HistoricalCacheEntries int
	HistoricalCacheBytes   int64
	// PersistedQueries bounds the documents kept for automatic persisted
	// queries (least recently used out first); each is at most
	// MaxQueryBytes long.
	PersistedQueries int
}

// DefaultMemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit)
// serve sets unless told otherwise (--memory-limit, or GOMEMLIMIT in the
// environment): with it, a million-event ledger under the most expensive
// requests the limits allow stays under 1 GB resident (docs/security.md).
// It is soft: a ledger whose live read models need more still runs, with
// the garbage collector working harder.
const DefaultMemoryLimit = 768 << 20

// DefaultLimits returns the limits the server uses unless told otherwise.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:            1 << 20,
		MaxQueryBytes:           64 << 10,
		MaxDepth:                20,
		MaxFields:               1000,
		MaxPage:                 500,
		RequestTimeout:          30 * time.Second,
		WaitTimeout:             10 * time.Second,
		MaxSubscriptions:        1024,
		MaxSubscriptionsPerConn: 32,
		InitTimeout:             10 * time.Second,
		MaxScanEvents:           50_000,
		// 1,000 lets a request ask for up to 9 moments (with up to 91
		// other fields), and its fields alone reach MaxFields.
		MaxCost:                   1000,
		ReplayCost:                100,
		MaxHistoricalPerPrincipal: 1,
		MaxHistoricalRunning:      max(1, runtime.GOMAXPROCS(0)/2),
		HistoricalCacheEntries:    8,
		HistoricalCacheBytes:      256 << 20,
		PersistedQueries:          transport.DefaultPersistedQueries,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	orDefault(&l.MaxBodyBytes, d.MaxBodyBytes)
	orDefault(&l.MaxQueryBytes, d.MaxQueryBytes)
	orDefault(&l.MaxDepth, d.MaxDepth)
	orDefault(&l.MaxFields, d.MaxFields)
	orDefault(&l.MaxPage, d.MaxPage)
	orDefault(&l.RequestTimeout, d.RequestTimeout)
	orDefault(&l.WaitTimeout, d.WaitTimeout)
	orDefault(&l.MaxSubscriptions, d.MaxSubscriptions)
	orDefault(&l.MaxSubscriptionsPerConn, d.MaxSubscriptionsPerConn)
	orDefault(&l.InitTimeout, d.InitTimeout)
	orDefault(&l.MaxScanEvents, d.MaxScanEvents)
	orDefault(&l.MaxCost, d.MaxCost)
	orDefault(&l.ReplayCost, d.ReplayCost)
	orDefault(&l.MaxHistoricalPerPrincipal, d.MaxHistoricalPerPrincipal)
	orDefault(&l.MaxHistoricalRunning, d.MaxHistoricalRunning)
	orDefault(&l.HistoricalCacheEntries, d.HistoricalCacheEntries)
	orDefault(&l.HistoricalCacheBytes, d.HistoricalCacheBytes)
	orDefault(&l.PersistedQueries, d.PersistedQueries)
	return l
}

// orDefault sets *v to d when it is zero or negative.
func orDefault[T int | int64 | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Modes of a ledger, as ledger { mode } reports them.
const (
	ModeLive = "live"
	ModeDemo = "demo"
)

// DemoNotice is the notice a demo ledger shows, in Chinese and English.
const DemoNotice = "【模拟数据】本账本中的进展报告、延期、核查、扣分和空气质量数据均为模拟生成，仅供演示，不代表任何单位的真实工作情况。" +
	" [SIMULATED DATA] The progress reports, extensions, inspections, deductions and air-quality figures in this ledger were generated by a simulation for demonstration; they do not describe any unit's real work."

// Config is what a Server needs.
type Config struct {
	// Store is the ledger. The server wraps it to count appends.
	Store eventstore.Store
	// Registry decodes events; nil means domain.DefaultRegistry().
	Registry *domain.Registry
	// Runner feeds the read models queries use; it must be started.
	Runner *projections.Runner
	// Past, when set, holds the read models as they stood at past log
	// positions: questions about the past start from the nearest set
	// before their cut instead of the log's beginning. Nil: from the log.
	Past *projections.Past
	// Tokens authenticates bearer tokens.
	Tokens *auth.Tokens
	// Clock is the server's time source.
	Clock func() time.Time
	// Logger receives request failures, redacted (package redact); nil
	// means slog.Default().
	Logger *slog.Logger
	// Mode is ModeLive or ModeDemo; Notice is shown by ledger { notice }
	// (DemoNotice when empty in demo mode).
	Mode   string
	Notice string
	// DefaultPlan is the plan used when a request names none; empty means
	// the only registered plan.
	DefaultPlan domain.PlanID
	// Limits bound requests.
	Limits Limits
	// ResponseCacheTTL is how long identical read-only queries share one
	// response while the read models are unchanged (see package respcache):
	// zero means DefaultResponseCacheTTL, negative turns the cache off.
	ResponseCacheTTL time.Duration
	// App runs the use cases mutations call; nil means one over Store
	// (counting appends for /metrics), Runner, Tokens, Clock and
	// DefaultPlan.
	App *app.Service
	// CheckpointDir is where signed checkpoints are kept (taskledger
	// checkpoint writes them); empty means the server has none to show.
	CheckpointDir string
	// Evidence keeps evidence files, each at most EvidenceMaxSize bytes
	// (zero: evidence.DefaultMaxSize), for the App made when App is nil;
	// nil means the ledger keeps none.
	Evidence        evidence.Store
	EvidenceMaxSize int64
	// Accounts and Sessions serve personal accounts and dashboard
	// sessions (passed to the App the server makes); nil leaves password
	// login off.
	Accounts *auth.Accounts
	Sessions *auth.Sessions
}

// Server is the GraphQL API.
type Server struct {
	cfg     Config
	reg     *domain.Registry
	store   eventstore.Store // the raw store, for reads
	app     *app.Service
	runner  *projections.Runner
	views   *projections.Views
	merkle  *audit.Index // the log's Merkle tree, synced on demand
	schema  *gql.Schema
	metrics *metrics.Metrics
	limits  Limits
	logger  *slog.Logger
	now     func() time.Time
	caches  *caches
	// past builds read models as of past moments (shared cache, gate).
	past *historical
	// responses keeps recent query responses; nil when turned off.
	responses *respcache.Cache
	// transport serves /graphql.
	transport *transport.Handler

	// rootFields are the schema's root fields, the only ones the request
	// latency metric names.
	rootFields map[string]bool
}

// New builds a server. Call Close when done.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Runner == nil || cfg.Tokens == nil || cfg.Clock == nil {
		return nil, errors.New("graphql: Store, Runner, Tokens and Clock are required")
	}
	if cfg.Registry == nil {
		cfg.Registry = domain.DefaultRegistry()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// Whatever the API logs (errors from the store, requests' failures)
	// may quote a store URL or a token: redact it.
	cfg.Logger = slog.New(redact.NewHandler(cfg.Logger.Handler()))
	if cfg.Mode == "" {
		cfg.Mode = ModeLive
	}
	if cfg.Mode != ModeLive && cfg.Mode != ModeDemo {
		return nil, fmt.Errorf("graphql: mode %q is not %q or %q", cfg.Mode, ModeLive, ModeDemo)
	}
	if cfg.Mode == ModeDemo && cfg.Notice == "" {
		cfg.Notice = DemoNotice
	}
	// The metrics read the server's state and schema when scraped.
	var s *Server
	m := metrics.New(metrics.Options{
		State:      func(ctx context.Context) metrics.State { return s.metricsState(ctx) },
		KnownField: func(name string) bool { return s.rootFields[name] },
	})
	s = &Server{
		cfg:     cfg,
		reg:     cfg.Registry,
		store:   cfg.Store,
		runner:  cfg.Runner,
		views:   cfg.Runner.Views(),
		metrics: m,
		limits:  cfg.Limits.withDefaults(),
		logger:  cfg.Logger,
		now:     cfg.Clock,
		caches:  newCaches(),
		merkle:  &audit.Index{},
	}
	s.past = &historical{
		build: func(ctx context.Context, cut projections.Cut) (*projections.Views, error) {
			if cfg.Past != nil {
				return cfg.Past.BuildAsOf(ctx, s.store, s.reg, cut)
			}
			return projections.BuildAsOf(ctx, s.store, s.reg, s.views.Config, cut)
		},
		cache: oncecache.NewSized[historicalKey, *projections.Views](s.limits.HistoricalCacheEntries, s.limits.HistoricalCacheBytes, viewsSize),
		gate:  newGate(s.limits.MaxHistoricalPerPrincipal, s.limits.MaxHistoricalRunning),
	}
	switch ttl := cfg.ResponseCacheTTL; {
	case ttl == 0:
		s.responses = respcache.New(DefaultResponseCacheTTL)
	case ttl > 0:
		s.responses = respcache.New(ttl)
	}
	counted := countingStore{Store: cfg.Store, m: s.metrics}
	if s.app = cfg.App; s.app == nil {
		a, err := app.New(app.Config{
			Store: counted, Registry: cfg.Registry, Views: app.LiveViews{Runner: cfg.Runner, Store: cfg.Store},
			Clock: app.ClockFunc(cfg.Clock), Tokens: cfg.Tokens, DefaultPlan: cfg.DefaultPlan, Logger: cfg.Logger,
			Evidence: cfg.Evidence, EvidenceMaxSize: cfg.EvidenceMaxSize,
			Accounts: cfg.Accounts, Sessions: cfg.Sessions,
		})
		if err != nil {
			return nil, fmt.Errorf("graphql: %w", err)
		}
		s.app = a
	}
	schema, err := gql.ParseSchema(schemaText, &root{s: s},
		gql.UseStringDescriptions(),
		gql.UseFieldResolvers(),
		gql.MaxDepth(s.limits.MaxDepth),
		gql.MaxQueryLength(s.limits.MaxQueryBytes),
		gql.MaxSelections(s.limits.MaxFields*4),
		gql.MaxParallelism(8),
		gql.OverlapValidationLimit(20_000),
		gql.SubscribeResolverTimeout(10*time.Second),
		gql.PanicHandler(panicHandler{logger: s.logger}),
		gql.Logger(panicLogger{logger: s.logger}),
	)
	if err != nil {
		return nil, fmt.Errorf("graphql: schema: %w", err)
	}
	s.schema = schema
	s.rootFields = rootFieldsOf(schema)
	s.transport, err = transport.New(transport.Config{
		Engine:         schema,
		Tokens:         cfg.Tokens,
		WithPrincipal:  withPrincipal,
		PublicField:    publicRootField,
		CacheableField: cacheableRoot,
		ResolverError:  s.resolverError,
		Responses:      s.responses,
		Persisted:      transport.NewPersistedQueries(s.limits.PersistedQueries),
		Version:        s.views.Version,
		Clock:          s.now,
		Metrics:        s.metrics,
		Limits: transport.Limits{
			MaxBodyBytes:            s.limits.MaxBodyBytes,
			MaxQueryBytes:           s.limits.MaxQueryBytes,
			MaxFields:               s.limits.MaxFields,
			MaxCost:                 s.limits.MaxCost,
			ReplayCost:              s.limits.ReplayCost,
			RequestTimeout:          s.limits.RequestTimeout,
			MaxSubscriptions:        s.limits.MaxSubscriptions,
			MaxSubscriptionsPerConn: s.limits.MaxSubscriptionsPerConn,
			InitTimeout:             s.limits.InitTimeout,
		},
		Logger: s.logger,
	})
	if err != nil {
		return nil, fmt.Errorf("graphql: transport: %w", err)
	}
	return s, nil
}

// App returns the application layer mutations call. Other doors in the
// same process (the deadline watcher, the dashboard) should use it too, so
// that /metrics counts their events.
func (s *Server) App() *app.Service { return s.app }

// Handler returns the HTTP handler: /graphql (POST, GET and WebSocket;
// GraphiQL for a browser's GET, with its assets under /graphql/graphiql/),
// /healthz and /metrics (for coordinator and inspector tokens only; see
// MetricsHandler to serve it elsewhere without one).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", browserIDE(s.multipartUploads(s.transport)))
	mux.Handle(graphiql.Prefix, graphiql.Assets())
	mux.HandleFunc("/healthz", s.serveHealth)
	mux.Handle("/metrics", s.protectedMetrics())
	return mux
}

// Close ends every subscription and WebSocket connection and waits for
// them. HTTP requests are drained by http.Server.Shutdown, which the caller
// runs first (or alongside, via RegisterOnShutdown).
func (s *Server) Close() { s.transport.Close() }

// plan returns the plan a request means: the one named, else the default.
func (s *Server) plan(id *string) (domain.PlanID, error) {
	return s.app.Plan(deref(id))
}

// countingStore counts the events appended through it, and times each
// append (commit and sync), for /metrics.
type countingStore struct {
	eventstore.Store
	m *metrics.Metrics
}

// Append implements eventstore.Store.
func (c countingStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	start := time.Now()
	res, err := c.Store.Append(ctx, stream, expected, events)
	c.m.ObserveAppend(time.Since(start), err)
	if err == nil && !res.Duplicate {
		c.m.EventsAppended(len(res.Events))
	}
	return res, err
}

// metricsState reads the ledger's side of /metrics.
func (s *Server) metricsState(ctx context.Context) metrics.State {
	head, err := s.store.Head(ctx)
	st := metrics.State{Head: head, HeadErr: err, ViewPosition: s.views.Position(), ProjectionFailed: s.runner.Failure() != nil}
	if c := s.responses; c != nil {
		hits, misses := c.Stats()
		st.Cache = &metrics.CacheStats{Hits: hits, Misses: misses}
	}
	return st
}
