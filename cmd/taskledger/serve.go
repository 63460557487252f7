package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"text/tabwriter"
	"time"

	"taskledger/auth"
	"taskledger/dashboard"
	"taskledger/deadline"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/graphql"
	"taskledger/projections"
)

// addrEnv names the environment variable that sets the default --addr.
const addrEnv = "TASKLEDGER_ADDR"

// defaultAddr is where serve listens when nothing else is said.
const defaultAddr = "localhost:8080"

// defaultDemoPlan is the plan text a demo ledger starts from.
const defaultDemoPlan = "examples/chifeng-air-quality-plan.txt"

// shutdownTimeout bounds how long serve waits for in-flight requests.
const shutdownTimeout = 30 * time.Second

// deadlineInterval is how often the deadline watcher checks.
const deadlineInterval = time.Minute

// runServe is the serve subcommand: the GraphQL API over a ledger, with its
// read models and the deadline watcher, until SIGINT or SIGTERM.
func runServe(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "serve", "[--store DIR] [--addr HOST:PORT] [--demo [--plan FILE]] [--response-cache DURATION]")
	store := storeFlag(a, fs)
	addrDef := a.getenv(addrEnv)
	if addrDef == "" {
		addrDef = defaultAddr
	}
	addr := fs.String("addr", addrDef, "where to listen (env "+addrEnv+")")
	demoMode := fs.Bool("demo", false, "serve a simulated year: on an empty store, import the bundled plan and generate 2025's activity; make one token per role on first start")
	planFile := fs.String("plan", defaultDemoPlan, "with --demo: the plan text an empty store starts from")
	cacheTTL := fs.Duration("response-cache", graphql.DefaultResponseCacheTTL, "how long identical read-only queries share one response while the ledger is unchanged (0 turns the cache off)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cacheTTL < 0 {
		return fmt.Errorf("%w: --response-cache %s is negative", errUsage, *cacheTTL)
	}
	if *cacheTTL == 0 {
		*cacheTTL = -1 // off
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: serve takes no arguments", errUsage)
	}
	logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	l, err := openLedger(*store)
	if err != nil {
		return err
	}
	storeOpen := true
	defer func() {
		if storeOpen {
			l.Close()
		}
	}()
	var tokens *auth.Tokens
	if l.state == "" {
		tokens = auth.InMemory(rand.Reader, a.now)
	} else if tokens, err = openTokens(a, l.state); err != nil {
		return err
	}

	mode, plan := graphql.ModeLive, domain.PlanID("")
	if *demoMode {
		mode, plan = graphql.ModeDemo, defaultPlanID
		if err := seedDemo(ctx, a, l, *planFile, logger); err != nil {
			return err
		}
	}

	runner := projections.NewRunner(l.store, l.registry, projections.NewViews(projections.Config{}),
		projections.RunnerConfig{SnapshotDir: l.snapshots, Logger: logger})
	if err := runner.Start(ctx); err != nil {
		return fmt.Errorf("start read models: %w", err)
	}
	runnerOpen := true
	defer func() {
		if runnerOpen {
			_ = runner.Close(context.Background())
		}
	}()

	var fresh []demoToken
	if *demoMode {
		if fresh, err = demoTokens(tokens, runner.Views()); err != nil {
			return err
		}
	}

	srv, err := graphql.New(graphql.Config{
		Store: l.store, Registry: l.registry, Runner: runner, Tokens: tokens,
		Clock: a.now, Logger: logger, Mode: mode, DefaultPlan: plan,
		CheckpointDir: serveCheckpoints(l), ResponseCacheTTL: *cacheTTL,
	})
	if err != nil {
		return err
	}

	watchCtx, stopWatch := context.WithCancel(context.Background())
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		w := deadline.New(srv.Commands(), runner.Views().Obligations, logger)
		if *demoMode {
			w.WithActor(demo.ActorPrefix + deadline.Actor)
		}
		w.Run(watchCtx, deadlineInterval, a.now)
	}()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		stopWatch()
		<-watchDone
		srv.Close()
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	httpSrv := &http.Server{
		Handler:           dashboard.Handler(dashboard.Config{API: srv.Handler(), Logger: logger}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.Background() },
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	httpSrv.RegisterOnShutdown(srv.Close)
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()

	head, _ := l.store.Head(ctx)
	printServing(a, ln.Addr().String(), *store, mode, head, tokens, fresh)

	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down: no new requests; finishing those in flight")
	case serveErr = <-served:
	}

	// Stop accepting and finish in-flight requests: every write they
	// acknowledged is already durable in the store.
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil {
		logger.Warn("requests still running at shutdown were cut off", "err", err)
		_ = httpSrv.Close()
	}
	srv.Close()
	stopWatch()
	<-watchDone
	runnerOpen = false
	if err := runner.Close(sctx); err != nil {
		logger.Warn("closing read models", "err", err)
	}
	storeOpen = false
	if err := l.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serveErr)
	}
	logger.Info("stopped")
	return nil
}

// seedDemo fills an empty ledger with the demo: the plan text imported as
// plan chifeng-air, then a simulated 2025 (seed 1). A ledger that holds
// events is left as it is.
func seedDemo(ctx context.Context, a *app, l *ledger, planFile string, logger *slog.Logger) error {
	head, err := l.store.Head(ctx)
	if err != nil {
		return err
	}
	if head > 0 {
		return nil
	}
	if _, err := os.Stat(planFile); err != nil {
		return fmt.Errorf("%w: --demo needs the plan text %s (run from the repository, or give --plan FILE): %v", errUsage, planFile, err)
	}
	began := time.Now()
	stats, err := fillDemo(ctx, a, l, defaultPlanID, planFile, demo.Options{Seed: 1, Year: 2025})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	logger.Info("demo: simulated year recorded", "year", 2025, "events", stats.Total, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// demoToken is a token made for the demo, shown once.
type demoToken struct {
	rec   auth.Record
	token string
}

// demoTokens makes one token per role on a demo's first start (when no
// token exists yet): bureau for 生态环境局, county for 宁城县.
func demoTokens(tokens *auth.Tokens, views *projections.Views) ([]demoToken, error) {
	have, err := tokens.List()
	if err != nil || len(have) > 0 {
		return nil, err
	}
	specs := []auth.Spec{{Role: auth.Coordinator, Name: "demo-coordinator"}}
	for _, u := range []struct {
		role auth.Role
		name string
	}{{auth.Bureau, "生态环境局"}, {auth.County, "宁城县"}} {
		// A ledger that does not hold the sample units gets no token for them.
		if unit, err := views.Catalog.ResolveUnit(u.name); err == nil {
			specs = append(specs, auth.Spec{Role: u.role, Unit: unit.ID})
		}
	}
	specs = append(specs, auth.Spec{Role: auth.Inspector, Name: "demo-inspector"}, auth.Spec{Role: auth.Committee, Name: "demo-committee"})
	var out []demoToken
	for _, s := range specs {
		tok, rec, err := tokens.Create(s)
		if err != nil {
			return nil, err
		}
		out = append(out, demoToken{rec: rec, token: tok})
	}
	return out, nil
}

// printServing tells the operator where the API is and how to log in.
func printServing(a *app, addr, store, mode string, head uint64, tokens *auth.Tokens, fresh []demoToken) {
	w := a.stdout
	base := "http://" + addr
	fmt.Fprintf(w, "taskledger serving the %s ledger %s (%d events)\n", mode, store, head)
	fmt.Fprintf(w, "  dashboard      %s/  (open it in a browser; paste a token below to log in)\n", base)
	fmt.Fprintf(w, "  GraphQL        %s/graphql  (POST any operation, GET queries)\n", base)
	fmt.Fprintf(w, "  subscriptions  ws://%s/graphql  (graphql-transport-ws; token in connection_init's payload as authorization)\n", addr)
	fmt.Fprintf(w, "  health         %s/healthz\n", base)
	fmt.Fprintf(w, "  metrics        %s/metrics\n", base)
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
		fmt.Fprintf(w, "\nExample:\n  curl -s %s/graphql -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' \\\n    -d '{\"query\":\"{ me { role unitId } obligations(first: 3) { total items { taskTitle nextDue light } } }\"}'\n",
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
