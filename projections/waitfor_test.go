package projections

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
)

// readCounter counts the log reads made through a store.
type readCounter struct {
	eventstore.Store
	reads atomic.Int64
}

func (c *readCounter) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error) {
	c.reads.Add(1)
	return c.Store.ReadAll(ctx, after, limit)
}

func (c *readCounter) Head(ctx context.Context) (uint64, error) {
	c.reads.Add(1)
	return c.Store.Head(ctx)
}

// startedRunner returns a live runner over a store holding a small plan,
// caught up, with a builder to record more.
func startedRunner(t *testing.T) (*Runner, *readCounter, *ledgertest.Builder, []domain.ObligationKey) {
	t.Helper()
	s := &readCounter{Store: memory.New()}
	b := ledgertest.New(t, s, ledgertest.Shanghai(2025, time.January, 2, 9))
	keys := b.SmallPlan()
	r := NewRunner(s, domain.DefaultRegistry(), NewViews(Config{}), RunnerConfig{Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(ctx) })
	// One event delivered live, so the feed has made its first reads and
	// is waiting for appends.
	b.Do(domain.ReportProgress{ObligationKey: keys[1], Percent: 5}, "office")
	head, _ := s.Head(ctx)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.WaitFor(wctx, head); err != nil {
		t.Fatal(err)
	}
	return r, s, b, keys
}

func TestWaitFor(t *testing.T) {
	cases := []struct {
		name string
		// run waits in the way the case tests and returns WaitFor's error
		// and how long it took.
		run func(t *testing.T, r *Runner, b *ledgertest.Builder, keys []domain.ObligationKey) (error, time.Duration)
		ok  bool
	}{
		{"position already reached", func(t *testing.T, r *Runner, b *ledgertest.Builder, keys []domain.ObligationKey) (error, time.Duration) {
			began := time.Now()
			err := r.WaitFor(context.Background(), r.Views().Position())
			return err, time.Since(began)
		}, true},
		{"woken when its event is projected", func(t *testing.T, r *Runner, b *ledgertest.Builder, keys []domain.ObligationKey) (error, time.Duration) {
			target := r.Views().Position() + 1
			got := make(chan error, 1)
			go func() { got <- r.WaitFor(context.Background(), target) }()
			time.Sleep(20 * time.Millisecond)
			began := time.Now()
			b.Do(domain.ReportProgress{ObligationKey: keys[0], Percent: 10}, "office")
			select {
			case err := <-got:
				return err, time.Since(began)
			case <-time.After(10 * time.Second):
				t.Fatal("WaitFor did not return after its event was projected")
				return nil, 0
			}
		}, true},
		{"cancelled", func(t *testing.T, r *Runner, b *ledgertest.Builder, keys []domain.ObligationKey) (error, time.Duration) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(20*time.Millisecond, cancel)
			began := time.Now()
			err := r.WaitFor(ctx, 1<<40)
			d := time.Since(began) - 20*time.Millisecond
			if !errors.Is(err, context.Canceled) {
				t.Errorf("WaitFor after cancel: %v, want context.Canceled", err)
			}
			return nil, d
		}, true},
		{"deadline", func(t *testing.T, r *Runner, b *ledgertest.Builder, keys []domain.ObligationKey) (error, time.Duration) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			began := time.Now()
			err := r.WaitFor(ctx, 1<<40)
			d := time.Since(began) - 20*time.Millisecond
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("WaitFor past its deadline: %v, want context.DeadlineExceeded", err)
			}
			return err, d
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _, b, keys := startedRunner(t)
			err, took := c.run(t, r, b, keys)
			if (err == nil) != c.ok {
				t.Fatalf("WaitFor: %v", err)
			}
			// Promptly: generous for a loaded two-core machine, far below
			// any timeout a caller would set.
			if took > time.Second {
				t.Fatalf("WaitFor took %s to return", took)
			}
		})
	}
}

// A waiter on a far position sleeps: it re-checks only when the projector
// moves, and waiting reads nothing from the store.
func TestWaitForDoesNotPoll(t *testing.T) {
	r, s, b, keys := startedRunner(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	checks0, reads0 := r.checks.Load(), s.reads.Load()
	go func() { done <- r.WaitFor(ctx, 1<<40) }()
	time.Sleep(300 * time.Millisecond)
	// Polling every millisecond would have checked about 300 times.
	if n := r.checks.Load() - checks0; n > 2 {
		t.Fatalf("an idle WaitFor checked its condition %d times in 300ms", n)
	}
	if n := s.reads.Load() - reads0; n != 0 {
		t.Fatalf("an idle WaitFor cost %d store reads", n)
	}
	// Each projected event wakes the waiter about once.
	const events = 5
	for i := range events {
		b.Do(domain.ReportProgress{ObligationKey: keys[0], Percent: domain.Percent(10 + i)}, "office")
	}
	head, _ := s.Head(context.Background())
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := r.WaitFor(wctx, head); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if n := r.checks.Load() - checks0; n > 2+2*events {
		t.Fatalf("WaitFor checked %d times for %d events", n, events)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitFor: %v", err)
	}
}
