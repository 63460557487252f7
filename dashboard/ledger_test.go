package dashboard

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"taskledger/auth"
	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/graphql"
	"taskledger/planimport"
	"taskledger/planparse"
	"taskledger/projections"
)

// The one way the dashboard's tests make a ledger and serve it: the
// Chifeng plan imported into a memory store, the read models running, the
// GraphQL server and the dashboard's handler in front of it.

// ledgerSpec says what a test ledger holds and serves beyond the plan.
type ledgerSpec struct {
	// tokens are made for these names.
	tokens map[string]auth.Spec
	// fill records more before the read models start (a simulated year).
	fill func(ctx context.Context, h *command.Handler, views *projections.Views) error
	// api adjusts the GraphQL server's configuration (evidence, accounts…).
	api func(*graphql.Config)
	// handler adjusts the dashboard's configuration (uploads, bulletins…).
	handler func(*Config, *graphql.Server)
}

// testLedger is a served test ledger.
type testLedger struct {
	http   *httptest.Server
	api    *graphql.Server
	runner *projections.Runner
	// views are the read models as the plan (and fill) left them.
	views  *projections.Views
	tokens map[string]string
	stop   func()
}

// importChifeng records the Chifeng plan (examples/) in the store as the
// plan office did on 2025-01-01 and returns the read models after it.
func importChifeng(ctx context.Context, store *memory.Store, reg *domain.Registry) (*projections.Views, error) {
	src, err := os.ReadFile("../examples/chifeng-air-quality-plan.txt")
	if err != nil {
		return nil, err
	}
	plan, err := planparse.ParseBytes(src, planparse.Options{})
	if err != nil {
		return nil, fmt.Errorf("parse the Chifeng plan: %w", err)
	}
	views, err := projections.BuildAt(ctx, store, reg, projections.Config{}, projections.Cut{})
	if err != nil {
		return nil, err
	}
	if _, err := planimport.Import(ctx, command.NewHandler(store, reg), views, plan, src, planimport.Options{Plan: "chifeng-air", Now: time.Date(2025, 1, 1, 9, 0, 0, 0, domain.Shanghai())}); err != nil {
		return nil, fmt.Errorf("import the Chifeng plan: %w", err)
	}
	return projections.BuildAt(ctx, store, reg, projections.Config{}, projections.Cut{})
}

// startLedger makes and serves a test ledger; stop closes it.
func startLedger(spec ledgerSpec) (*testLedger, error) {
	ctx := context.Background()
	store := memory.New()
	reg := domain.DefaultRegistry()
	views, err := importChifeng(ctx, store, reg)
	if err != nil {
		return nil, err
	}
	if spec.fill != nil {
		if err := spec.fill(ctx, command.NewHandler(store, reg), views); err != nil {
			return nil, err
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	runner := projections.NewRunner(store, reg, projections.NewViews(projections.Config{}), projections.RunnerConfig{Logger: logger})
	if err := runner.Start(ctx); err != nil {
		return nil, err
	}
	l := &testLedger{runner: runner, views: views, tokens: map[string]string{}}
	tokens := auth.InMemory(rand.Reader, time.Now)
	for name, s := range spec.tokens {
		tok, _, err := tokens.Create(s)
		if err != nil {
			return nil, err
		}
		l.tokens[name] = tok
	}
	cfg := graphql.Config{Store: store, Registry: reg, Runner: runner, Tokens: tokens, Clock: time.Now, Logger: logger, DefaultPlan: "chifeng-air"}
	if spec.api != nil {
		spec.api(&cfg)
	}
	if l.api, err = graphql.New(cfg); err != nil {
		return nil, err
	}
	hcfg := Config{API: l.api.Handler(), Logger: logger}
	if spec.handler != nil {
		spec.handler(&hcfg, l.api)
	}
	l.http = httptest.NewServer(Handler(hcfg))
	l.stop = func() {
		l.http.Close()
		l.api.Close()
		_ = runner.Close(ctx)
		_ = store.Close()
	}
	return l, nil
}

// newLedger is startLedger for one test, closed when it ends.
func newLedger(t *testing.T, spec ledgerSpec) *testLedger {
	t.Helper()
	l, err := startLedger(spec)
	if err != nil {
		t.Fatalf("test ledger: %v", err)
	}
	t.Cleanup(l.stop)
	return l
}
