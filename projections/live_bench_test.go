package projections_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
	"taskledger/projections"
)

// headless hides a store's head, so a runner's bulk catch-up finds nothing
// to do and every event reaches the models through the live path.
type headless struct{ eventstore.Store }

func (headless) Head(context.Context) (uint64, error) { return 0, nil }

// BenchmarkLiveProjection feeds every read model from position zero through
// the live path (the Watermill feed over the store's log) on the ledger in
// the directory TASKLEDGER_BENCH_LEDGER names, e.g. one made by
// `taskledger demo --scale 40`. Run it with -benchtime=1x.
func BenchmarkLiveProjection(b *testing.B) {
	dir := os.Getenv("TASKLEDGER_BENCH_LEDGER")
	if dir == "" {
		b.Skip("set TASKLEDGER_BENCH_LEDGER to an embedded store's directory")
	}
	ctx := context.Background()
	s, err := bolt.OpenDir(dir, bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	head, err := s.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r := projections.NewRunner(headless{s}, domain.DefaultRegistry(), projections.NewViews(projections.Config{}),
			projections.RunnerConfig{Logger: slog.New(slog.DiscardHandler)})
		if err := r.Start(ctx); err != nil {
			b.Fatal(err)
		}
		if err := r.WaitFor(ctx, head); err != nil {
			b.Fatal(err)
		}
		if err := r.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(head)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
