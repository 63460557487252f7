package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/dashboard"
	"taskledger/domain"
	"taskledger/evidence"
	"taskledger/graphql"
	"taskledger/internal/redact"
	"taskledger/leader"
	"taskledger/notify"
	"taskledger/projections"
)

// addrEnv names the environment variable that sets the default --addr.
const addrEnv = "TASKLEDGER_ADDR"

// defaultAddr is where serve listens when nothing else is said.
const defaultAddr = "localhost:8080"

// shutdownTimeout bounds how long serve waits for in-flight requests.
const shutdownTimeout = 30 * time.Second

// deadlineInterval is how often the deadline watcher checks.
const deadlineInterval = time.Minute

// serveOptions are the flags of taskledger serve.
type serveOptions struct {
	store, addr, planFile, metricsAddr string
	tls                                tlsFiles
	memoryLimit                        int64
	demo                               bool
	cacheTTL                           time.Duration
	notify                             notify.Settings
	// leaseEvery is how often a replica tries for the background lease
	// and its holder checks it.
	leaseEvery      time.Duration
	evidenceMaxSize int64
	oidc            oidcOptions
	// pastEvery is how many events apart the read models are kept as they
	// stood (projections.Past); 0 keeps none.
	pastEvery int
}

func newServeCommand(a *cli) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "serve the GraphQL API and the dashboard (--demo: with a simulated year)",
		Long: `Serves the GraphQL API (/graphql, WebSocket subscriptions), the dashboard,
/healthz and /metrics over a ledger, with its read models and the deadline
watcher, until SIGINT or SIGTERM. The ledger must exist, except with --demo:
then an empty or new store gets the bundled Chifeng plan (embedded in the
binary; --plan FILE imports another) and a simulated 2025, and one token per
role on its first start. A --demo start that fails leaves nothing behind.
With several replicas over one PostgreSQL ledger, only the one holding the
ledger's lease runs the deadline watcher and the reminder delivery; the
others stand by and take over when it stops or dies.`,
		Args:        noArgs,
		Annotations: map[string]string{logLevelAnnotation: "info"},
		RunE:        func(cmd *cobra.Command, _ []string) error { return runServe(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	addrDef := a.getenv(addrEnv)
	if addrDef == "" {
		addrDef = defaultAddr
	}
	fs.StringVar(&o.addr, "addr", addrDef, "where to listen (env "+addrEnv+")")
	fs.BoolVar(&o.demo, "demo", false, "serve a simulated year: on an empty store, import the bundled plan and generate 2025's activity; make one token per role on first start")
	fs.StringVar(&o.planFile, "plan", "", "with --demo: the plan text an empty store starts from (default: the bundled Chifeng plan)")
	fs.StringVar(&o.tls.cert, "tls-cert", "", "serve HTTPS with this PEM certificate (with --tls-key); or terminate TLS at a reverse proxy, see docs/deployment.md")
	fs.StringVar(&o.tls.key, "tls-key", "", "the PEM private key of --tls-cert")
	fs.Int64Var(&o.memoryLimit, "memory-limit", graphql.DefaultMemoryLimit, "soft memory limit in bytes for the Go runtime (0: none; GOMEMLIMIT in the environment wins)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "also serve /metrics without a token on this address (keep it private, e.g. 127.0.0.1:9090); on --addr, /metrics needs a coordinator or inspector token")
	fs.DurationVar(&o.cacheTTL, "response-cache", graphql.DefaultResponseCacheTTL, "how long identical read-only queries share one response while the ledger is unchanged (0 turns the cache off)")
	notifyFlags(a, fs, &o.notify)
	fs.DurationVar(&o.leaseEvery, "lease-interval", leader.DefaultEvery, "with several replicas over one PostgreSQL ledger: how often a replica tries to take over the deadline watcher and reminder delivery, and the one running them checks it still may")
	fs.Int64Var(&o.evidenceMaxSize, "evidence-max-size", evidence.DefaultMaxSize, "the largest evidence file (佐证材料) accepted, in bytes")
	fs.IntVar(&o.pastEvery, "past-every", projections.DefaultPastEvery, "keep the read models as they stood every this many events, so that a question about the past replays only the events after the nearest (0: keep none; they are kept beside the snapshots)")
	oidcFlags(fs, &o.oidc)
	return cmd
}

// runServe is the serve subcommand: the GraphQL API over a ledger, with its
// read models and the deadline watcher, until ctx is done.
func runServe(ctx context.Context, a *cli, o serveOptions) error {
	if o.cacheTTL < 0 {
		return fmt.Errorf("%w: --response-cache %s is negative", errUsage, o.cacheTTL)
	}
	if o.cacheTTL == 0 {
		o.cacheTTL = -1 // off
	}
	if err := o.tls.check(); err != nil {
		return err
	}
	if o.leaseEvery <= 0 {
		return fmt.Errorf("%w: --lease-interval %s is not positive", errUsage, o.leaseEvery)
	}
	if o.memoryLimit < 0 {
		return fmt.Errorf("%w: --memory-limit %d is negative", errUsage, o.memoryLimit)
	}
	if o.evidenceMaxSize <= 0 {
		return fmt.Errorf("%w: --evidence-max-size %d is not positive", errUsage, o.evidenceMaxSize)
	}
	if o.pastEvery < 0 {
		return fmt.Errorf("%w: --past-every %d is negative", errUsage, o.pastEvery)
	}
	if o.memoryLimit > 0 && a.getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(o.memoryLimit))
	}
	mode, c, text := mustExist, &creation{}, planText{}
	if o.demo {
		var err error
		if text, err = loadPlanText(o.planFile); err != nil {
			return err
		}
		if c, err = prepareCreate(o.store); err != nil {
			return err
		}
		mode = mayCreate
	}
	s, err := startServe(ctx, a, o, text, mode)
	if err != nil {
		return errors.Join(err, c.undo())
	}
	return s.run(ctx, o.store)
}

// serving is a started server and what it shuts down, in order.
type serving struct {
	logger *slog.Logger
	a      *cli
	l      *ledger
	tokens *auth.Tokens
	fresh  []demoToken
	mode   string
	runner *projections.Runner
	// past keeps the read models as they stood at past positions (nil:
	// none); keepingPast is closed when its background pass has returned.
	past        *projections.Past
	stopPast    func()
	keepingPast chan struct{}
	srv         *graphql.Server
	// watch is the deadline watcher, outbox the reminder delivery (nil:
	// no channel on); they run while this replica holds the lease.
	watch  leader.Work
	outbox *notify.Outbox
	// stopBackground stops the lease loop; backgroundDone is closed when
	// it has returned.
	stopBackground func()
	backgroundDone chan struct{}
	ln             net.Listener
	// metricsLn serves /metrics without a token, on a private address.
	metricsLn net.Listener
	// tls names the certificate and key to serve HTTPS with; empty: HTTP.
	tls tlsFiles
	// evidenceMax is the largest evidence file accepted.
	evidenceMax int64

	// accounts are people's accounts; freshAccounts the demo accounts
	// made on this start; oidc logs people in through an identity
	// provider (nil: off).
	accounts      *auth.Accounts
	freshAccounts []demoAccount
	oidc          *dashboard.OIDCLogin
}

// tlsFiles are the PEM files of --tls-cert and --tls-key.
type tlsFiles struct{ cert, key string }

// check refuses one file without the other, and files that do not load.
func (t tlsFiles) check() error {
	if (t.cert == "") != (t.key == "") {
		return fmt.Errorf("%w: --tls-cert and --tls-key go together", errUsage)
	}
	if t.cert == "" {
		return nil
	}
	if _, err := tls.LoadX509KeyPair(t.cert, t.key); err != nil {
		return fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	return nil
}

// startServe opens the ledger (seeding the demo with o.demo), starts the
// read models, the API, the deadline watcher, and listens. On failure it
// closes whatever it started.
func startServe(ctx context.Context, a *cli, o serveOptions, text planText, mode storeMode) (_ *serving, err error) {
	l, err := a.openLedger(o.store, mode)
	if err != nil {
		return nil, err
	}
	s := &serving{logger: a.logger(), a: a, l: l, mode: graphql.ModeLive, tls: o.tls, evidenceMax: o.evidenceMaxSize}
	defer func() {
		if err != nil {
			s.close(context.Background())
		}
	}()
	if s.accounts, err = serveAccounts(a, l); err != nil {
		return nil, err
	}
	if s.tokens, err = serveTokens(a, l); err != nil {
		return nil, err
	}
	plan := domain.PlanID("")
	if o.demo {
		s.mode, plan = graphql.ModeDemo, defaultPlanID
		if err := seedDemo(ctx, a, l, text, s.logger); err != nil {
			return nil, err
		}
	}
	views := projections.NewViews(projections.Config{})
	if l.snapshots != "" && o.pastEvery > 0 {
		s.past = projections.NewPast(filepath.Join(l.snapshots, projections.PastDir), o.pastEvery, views.Config, s.logger)
	}
	runner := projections.NewRunner(l.store, l.registry, views,
		projections.RunnerConfig{SnapshotDir: l.snapshots, Past: s.past, Logger: s.logger})
	if err := runner.Start(ctx); err != nil {
		return nil, fmt.Errorf("start read models: %w", err)
	}
	s.runner = runner
	s.srv, err = graphql.New(graphql.Config{
		Store: l.store, Registry: l.registry, Runner: runner, Past: s.past, Tokens: s.tokens,
		Clock: a.now, Logger: s.logger, Mode: s.mode, DefaultPlan: plan,
		CheckpointDir: serveCheckpoints(l), ResponseCacheTTL: o.cacheTTL,
		Evidence: l.blobs, EvidenceMaxSize: o.evidenceMaxSize,
		Accounts: s.accounts, Sessions: auth.NewSessions(rand.Reader, a.now, 0),
	})
	if err != nil {
		return nil, err
	}
	if o.demo {
		operator := auth.LocalOperator(a.osUser, a.operator)
		if s.fresh, err = demoTokens(ctx, s.srv.App(), operator); err != nil {
			return nil, err
		}
		if s.freshAccounts, err = demoAccounts(ctx, s.srv.App(), operator); err != nil {
			return nil, err
		}
	}
	if s.oidc, err = o.oidc.login(ctx, a); err != nil {
		return nil, err
	}
	if err := s.prepareWatcher(ctx); err != nil {
		return nil, err
	}
	if err := s.openNotify(o.notify); err != nil {
		return nil, err
	}
	if s.ln, err = net.Listen("tcp", o.addr); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	if o.metricsAddr != "" {
		if s.metricsLn, err = net.Listen("tcp", o.metricsAddr); err != nil {
			return nil, fmt.Errorf("listen for /metrics on %s: %w", o.metricsAddr, err)
		}
	}
	s.startBackground(o.leaseEvery)
	s.startKeepingPast()
	return s, nil
}

// serveTokens opens the ledger's tokens; a memory ledger keeps them in
// memory.
func serveTokens(a *cli, l *ledger) (*auth.Tokens, error) {
	if l.state == "" {
		return auth.InMemory(rand.Reader, a.now), nil
	}
	return openTokenDir(a, l.state)
}

// prepareWatcher makes the deadline watcher: it records the slips and
// reminders that fall due, every deadlineInterval, through the application
// layer until its context ends. On a simulated ledger the watcher acts as
// the simulation's system, so that even the slips the live clock finds in
// simulated activity are marked simulated.
func (s *serving) prepareWatcher(ctx context.Context) error {
	svc := s.srv.App()
	who := auth.SystemPrincipal()
	simulated, err := svc.LedgerSimulated(ctx)
	if err != nil {
		return err
	}
	if simulated {
		who = auth.SimulatedPrincipal(auth.System, "", "system")
	}
	s.watch = func(ctx context.Context) {
		t := time.NewTicker(deadlineInterval)
		defer t.Stop()
		for {
			if _, err := svc.Tick(ctx, who); err != nil && ctx.Err() == nil {
				s.logger.Error("deadline watcher tick failed", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}
	return nil
}

// startBackground runs the deadline watcher and the reminder delivery
// while this replica holds the ledger's lease (see package leader), until
// close stops them.
func (s *serving) startBackground(every time.Duration) {
	ctx, stop := context.WithCancel(context.Background())
	s.stopBackground, s.backgroundDone = stop, make(chan struct{})
	cfg := leader.Config{Store: s.l.store, Holder: replicaName(s.ln.Addr().String()), Every: every, Logger: s.logger}
	go func() {
		defer close(s.backgroundDone)
		leader.Run(ctx, cfg, s.background)
	}()
}

// background is the work done under the lease: the watcher and, when a
// channel is on, the delivery, until ctx ends.
func (s *serving) background(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.watch(ctx)
	}()
	if s.outbox != nil {
		s.outbox.Run(ctx)
	}
	wg.Wait()
}

// replicaName names this replica in the lease: address, process and
// host, in that order because PostgreSQL keeps 63 bytes of it.
func replicaName(addr string) string {
	host, err := os.Hostname()
	if err != nil {
		host = "?"
	}
	return fmt.Sprintf("%s (pid %d, %s)", addr, os.Getpid(), host)
}

// stopBackgroundWork stops the lease loop and waits for the background
// work to end, at most until ctx ends.
func (s *serving) stopBackgroundWork(ctx context.Context) {
	s.stopAndWait(ctx, s.stopBackground, s.backgroundDone, "后台任务未能及时停止 / the background work did not stop in time")
}

// stopAndWait calls stop, when there is one, and waits until done is
// closed; when ctx ends first, it logs late and returns.
func (s *serving) stopAndWait(ctx context.Context, stop func(), done <-chan struct{}, late string) {
	if stop == nil {
		return
	}
	stop()
	select {
	case <-done:
	case <-ctx.Done():
		s.logger.Warn(late, "err", ctx.Err())
	}
}

// run serves HTTP until ctx is done or serving fails, then finishes the
// requests in flight and closes everything.
func (s *serving) run(ctx context.Context, store string) error {
	httpSrv := graphql.NewHTTPServer(dashboard.Handler(dashboard.Config{API: s.srv.Handler(), Logger: s.logger,
		Reports: s.srv.App(), Authenticate: s.srv.Authenticate, Evidence: s.srv.App(), EvidenceMaxSize: s.evidenceMax,
		Bulletins: s.srv.App(), Accounts: s.srv.App(), OIDC: s.oidc}), graphql.HTTPConfig{Logger: s.logger})
	httpSrv.BaseContext = func(net.Listener) context.Context { return context.Background() }
	httpSrv.RegisterOnShutdown(s.srv.Close)
	if s.metricsLn != nil {
		metricsSrv := graphql.NewHTTPServer(s.srv.MetricsHandler(), graphql.HTTPConfig{Logger: s.logger})
		go func() { _ = metricsSrv.Serve(s.metricsLn) }()
		httpSrv.RegisterOnShutdown(func() { _ = metricsSrv.Close() })
	}
	served := make(chan error, 1)
	go func() {
		if s.tls.cert != "" {
			served <- httpSrv.ServeTLS(s.ln, s.tls.cert, s.tls.key)
			return
		}
		served <- httpSrv.Serve(s.ln)
	}()

	head, _ := s.l.store.Head(ctx)
	printServing(s.a, s.ln.Addr().String(), s.tls.cert != "", store, s.mode, head, s.tokens, s.fresh)
	printDemoAccounts(s.a, s.accounts, s.freshAccounts, store)

	var serveErr error
	select {
	case <-ctx.Done():
		s.logger.Info("shutting down: no new requests; finishing those in flight")
	case serveErr = <-served:
	}
	// Stop accepting and finish in-flight requests: every write they
	// acknowledged is already durable in the store.
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil {
		s.logger.Warn("requests still running at shutdown were cut off", "err", err)
		_ = httpSrv.Close()
	}
	if err := s.close(sctx); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serveErr)
	}
	s.logger.Info("stopped")
	return nil
}

// close stops what was started, newest first, and closes the store.
func (s *serving) close(ctx context.Context) error {
	for _, ln := range []net.Listener{s.ln, s.metricsLn} {
		if ln != nil {
			_ = ln.Close() // already closed by a shutdown after serving
		}
	}
	if s.srv != nil {
		s.srv.Close()
	}
	s.stopBackgroundWork(ctx)
	s.stopKeepingPast(ctx)
	if s.outbox != nil {
		if err := s.outbox.Close(); err != nil {
			s.logger.Warn("closing notification channels", "err", err)
		}
	}
	if s.runner != nil {
		if err := s.runner.Close(ctx); err != nil {
			s.logger.Warn("closing read models", "err", err)
		}
	}
	return s.l.Close()
}

// seedDemo fills an empty ledger with the demo: the plan text imported as
// plan chifeng-air, then a simulated 2025 (seed 1). A ledger that holds
// events is left as it is.
func seedDemo(ctx context.Context, a *cli, l *ledger, text planText, logger *slog.Logger) error {
	head, err := l.store.Head(ctx)
	if err != nil {
		return err
	}
	if head > 0 {
		return nil
	}
	began := time.Now()
	out, err := simulate(ctx, a.quiet(), l, defaultPlanID, text, 1, 2025, 1)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	logger.Info("demo: simulated year recorded", "year", 2025, "events", out.Stats.Total, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// demoToken is a token made for the demo, shown once.
type demoToken struct {
	rec   auth.Record
	token string
}

// demoTokens makes one token per role on a demo's first start (when no
// token exists yet), through the application layer as the operator:
// bureau for 生态环境局, county for 宁城县.
func demoTokens(ctx context.Context, svc *app.Service, operator auth.Principal) ([]demoToken, error) {
	have, err := svc.ListTokens(ctx, operator)
	if err != nil || len(have) > 0 {
		return nil, err
	}
	specs := []app.TokenInput{{Role: "coordinator", Name: "demo-coordinator"}}
	for _, u := range []app.TokenInput{{Role: "bureau", Unit: "生态环境局"}, {Role: "county", Unit: "宁城县"}} {
		// A ledger that does not hold the sample units gets no token for them.
		if _, err := svc.ResolveUnit(u.Unit); err == nil {
			specs = append(specs, u)
		}
	}
	specs = append(specs, app.TokenInput{Role: "inspector", Name: "demo-inspector"}, app.TokenInput{Role: "committee", Name: "demo-committee"})
	var out []demoToken
	for _, in := range specs {
		tok, rec, err := svc.CreateToken(ctx, operator, in)
		if err != nil {
			return nil, err
		}
		out = append(out, demoToken{rec: rec, token: tok})
	}
	return out, nil
}

// printServing tells the operator where the API is and how to log in.
func printServing(a *cli, addr string, https bool, store, mode string, head uint64, tokens *auth.Tokens, fresh []demoToken) {
	w := a.stdout
	store = redact.Redact(store)
	scheme, ws := "http://", "ws://"
	if https {
		scheme, ws = "https://", "wss://"
	}
	base := scheme + addr
	fmt.Fprintf(w, "taskledger serving the %s ledger %s (%d events)\n", mode, store, head)
	fmt.Fprintf(w, "  dashboard      %s/  (open it in a browser; paste a token below to log in)\n", base)
	fmt.Fprintf(w, "  GraphQL        %s/graphql  (POST any operation, GET queries)\n", base)
	fmt.Fprintf(w, "  subscriptions  %s%s/graphql  (graphql-transport-ws; token in connection_init's payload as authorization)\n", ws, addr)
	fmt.Fprintf(w, "  health         %s/healthz\n", base)
	fmt.Fprintf(w, "  metrics        %s/metrics  (a coordinator or inspector token)\n", base)
	if mode == graphql.ModeDemo {
		fmt.Fprintln(w, "\n  The activity in this ledger is SIMULATED (本账本中的活动为模拟数据).")
	}
	fmt.Fprintln(w, "\nLog in: send the header  Authorization: Bearer <token>  (without one, only published scorecards are open).")
	if len(fresh) > 0 {
		fmt.Fprintln(w, "Tokens made for this demo — shown only now, the store keeps their hashes:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, t := range fresh {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", t.rec.Role, t.rec.Name, t.token)
		}
		_ = tw.Flush()
		fmt.Fprintf(w, "\nExample:\n  curl -s %s/graphql -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' \\\n    -d '{\"query\":\"{ me { role unitId } obligations(first: 3) { totalCount nodes { taskTitle nextDue light } } }\"}'\n",
			base, fresh[len(fresh)/2].token)
		return
	}
	recs, _ := tokens.List()
	if tokens.Path() != "" {
		fmt.Fprintf(w, "%d tokens on record in %s (taskledger token list --store %s).\n", len(recs), tokens.Path(), store)
		fmt.Fprintf(w, "Make one with: taskledger token create --role coordinator|bureau|county|inspector|committee [--unit UNIT] --store %s\n", store)
	} else {
		fmt.Fprintln(w, "This memory ledger has no tokens: start it with --demo, or use a store directory and taskledger token create.")
	}
}

// serveCheckpoints is the checkpoint folder of a ledger's state; a memory
// store has none.
func serveCheckpoints(l *ledger) string {
	if l.state == "" {
		return ""
	}
	return checkpointDir(l.state)
}
