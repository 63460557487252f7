package projections_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
)

// countingDecoder decodes with the domain's registry and counts, per log
// position, how often each event was decoded.
type countingDecoder struct {
	reg *domain.Registry
	mu  sync.Mutex
	n   map[uint64]int
}

func newCountingDecoder() *countingDecoder {
	return &countingDecoder{reg: domain.DefaultRegistry(), n: map[uint64]int{}}
}

func (c *countingDecoder) Decode(e *domain.Event) (domain.EventData, error) {
	c.mu.Lock()
	c.n[e.Position]++
	c.mu.Unlock()
	return c.reg.Decode(e)
}

// check fails unless exactly the events after `after` up to head were
// decoded, each once.
func (c *countingDecoder) check(t *testing.T, after, head uint64) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for p := after + 1; p <= head; p++ {
		if c.n[p] != 1 {
			t.Errorf("event at position %d decoded %d times, want once", p, c.n[p])
		}
	}
	for p, n := range c.n {
		if p <= after || p > head {
			t.Errorf("event at position %d decoded %d times, want never (outside %d..%d)", p, n, after+1, head)
		}
	}
}

func runnerWith(s eventstore.Store, dec *countingDecoder, dir string, every int) *projections.Runner {
	return projections.NewRunner(s, dec, projections.NewViews(projections.Config{}),
		projections.RunnerConfig{SnapshotDir: dir, SnapshotEvery: every, Logger: slog.New(slog.DiscardHandler)})
}

func waitHead(t *testing.T, r *projections.Runner, s eventstore.Store) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(ctx, head); err != nil {
		t.Fatal(err)
	}
	return head
}

func rebuild(t *testing.T, s eventstore.Store) *projections.Views {
	t.Helper()
	v, err := projections.BuildAt(context.Background(), s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// moreEvents appends a few reports after the scenario.
func moreEvents(t *testing.T, s eventstore.Store, keys []domain.ObligationKey, n int) {
	b := ledgertest.New(t, s, ledgertest.Shanghai(2025, time.September, 1, 9))
	for i := range n {
		b.At(b.Now().Add(time.Hour))
		b.Do(domain.ReportProgress{ObligationKey: keys[3], Percent: domain.Percent(40 + i)}, "office")
	}
}

// The projector decodes each event once whichever path delivers it, and
// the models it feeds answer what a rebuild answers.
func TestProjectorDecodesEachEventOnce(t *testing.T) {
	cases := []struct {
		name         string
		before, live bool // scenario recorded before Start, more events after
	}{
		{"bulk catch-up only", true, false},
		{"live only", false, true},
		{"catch-up then live", true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s := memory.New()
			var keys []domain.ObligationKey
			if c.before {
				keys = scenario(t, s)
			}
			dec := newCountingDecoder()
			r := runnerWith(s, dec, "", 0)
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer r.Close(ctx)
			if c.live {
				if keys == nil {
					keys = scenario(t, s)
				}
				moreEvents(t, s, keys, 7)
			}
			head := waitHead(t, r, s)
			dec.check(t, 0, head)
			now := ledgertest.Shanghai(2025, time.December, 1, 0)
			if live, full := dump(t, r.Views(), now), dump(t, rebuild(t, s), now); live != full {
				t.Fatalf("projected read models differ from a rebuild:\n%s\n%s", live, full)
			}
			if r.Position() != head {
				t.Fatalf("projector at %d, head %d", r.Position(), head)
			}
		})
	}
}

// A restart resumes from the persisted checkpoint, never from beyond what
// the restored models hold, and ends equal to a rebuild.
func TestRestartResumesFromCheckpoint(t *testing.T) {
	cases := []struct {
		name string
		// tamper changes the state folder before the restart; it returns
		// where the projector must resume, given the first run's head.
		tamper func(t *testing.T, dir string, s eventstore.Store, snapped uint64) uint64
	}{
		{"as left", func(t *testing.T, dir string, s eventstore.Store, snapped uint64) uint64 {
			return snapped
		}},
		{"checkpoint ahead of the snapshots", func(t *testing.T, dir string, s eventstore.Store, snapped uint64) uint64 {
			head, _ := s.Head(context.Background())
			if err := projections.SaveCheckpoint(context.Background(), dir, s, head); err != nil {
				t.Fatal(err)
			}
			return snapped
		}},
		{"one snapshot lost", func(t *testing.T, dir string, s eventstore.Store, snapped uint64) uint64 {
			if err := os.Remove(filepath.Join(dir, "obligations.snap")); err != nil {
				t.Fatal(err)
			}
			return 0
		}},
		{"checkpoint behind the snapshots", func(t *testing.T, dir string, s eventstore.Store, snapped uint64) uint64 {
			if err := projections.SaveCheckpoint(context.Background(), dir, s, 3); err != nil {
				t.Fatal(err)
			}
			return 3
		}},
		{"no checkpoint", func(t *testing.T, dir string, s eventstore.Store, snapped uint64) uint64 {
			if err := os.Remove(filepath.Join(dir, projections.CheckpointFile)); err != nil {
				t.Fatal(err)
			}
			return snapped
		}},
		{"checkpoint of another log", func(t *testing.T, dir string, s eventstore.Store, snapped uint64) uint64 {
			other := memory.New()
			scenario(t, other)
			if err := projections.SaveCheckpoint(context.Background(), dir, other, 5); err != nil {
				t.Fatal(err)
			}
			return snapped
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s := memory.New()
			dir := t.TempDir()
			keys := scenario(t, s)
			first := runnerWith(s, newCountingDecoder(), dir, 1000)
			if err := first.Start(ctx); err != nil {
				t.Fatal(err)
			}
			snapped := waitHead(t, first, s)
			if err := first.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if cp, err := projections.LoadCheckpoint(ctx, dir, s); err != nil || cp != snapped {
				t.Fatalf("checkpoint after Close: %d, %v; want %d", cp, err, snapped)
			}
			moreEvents(t, s, keys, 4)
			resume := c.tamper(t, dir, s, snapped)

			dec := newCountingDecoder()
			second := runnerWith(s, dec, dir, 1000)
			second.Restore(ctx)
			if p := second.Position(); p != resume {
				t.Fatalf("restored projector resumes from %d, want %d", p, resume)
			}
			if p := second.Views().Position(); p < second.Position() {
				t.Fatalf("projector resumes from %d but its models hold only %d", second.Position(), p)
			}
			if _, err := second.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			head, _ := s.Head(ctx)
			dec.check(t, resume, head)
			now := ledgertest.Shanghai(2025, time.December, 1, 0)
			if a, b := dump(t, second.Views(), now), dump(t, rebuild(t, s), now); a != b {
				t.Fatalf("restart differs from a rebuild:\n%s\n%s", a, b)
			}
			if err := second.SnapshotAll(ctx); err != nil {
				t.Fatal(err)
			}
			if cp, err := projections.LoadCheckpoint(ctx, dir, s); err != nil || cp != head {
				t.Fatalf("checkpoint after the second run: %d, %v; want %d", cp, err, head)
			}
		})
	}
}

// While live, the checkpoint follows the snapshots: it is written after
// them and never names a position a snapshot does not hold. A restart from
// what is on disk mid-run (as after a kill) equals a rebuild.
func TestCheckpointPersistedWhileLive(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	dir := t.TempDir()
	r := runnerWith(s, newCountingDecoder(), dir, 4)
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	keys := scenario(t, s)
	moreEvents(t, s, keys, 9)
	head := waitHead(t, r, s)

	// The last snapshot set was taken at a multiple of 4 deliveries; its
	// checkpoint is written once the feed acknowledges the event.
	want := head - head%4
	deadline := time.Now().Add(10 * time.Second)
	var cp uint64
	for {
		var err error
		if cp, err = projections.LoadCheckpoint(ctx, dir, s); err == nil && cp == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint at %d (%v), want %d with head %d", cp, err, want, head)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Copy the folder as a kill would leave it (the runner is not closed).
	killed := t.TempDir()
	for _, name := range []string{"catalog.snap", "obligations.snap", "audit.snap", "indicators.snap", projections.CheckpointFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(killed, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dec := newCountingDecoder()
	restarted := runnerWith(s, dec, killed, 4)
	restarted.Restore(ctx)
	for _, m := range restarted.Views().Models() {
		if m.Position() < cp {
			t.Fatalf("checkpoint %d is ahead of the %s snapshot at %d", cp, m.Name(), m.Position())
		}
	}
	if restarted.Position() != cp {
		t.Fatalf("restart resumes from %d, want the checkpoint %d", restarted.Position(), cp)
	}
	if _, err := restarted.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	dec.check(t, cp, head)
	now := ledgertest.Shanghai(2025, time.December, 1, 0)
	if a, b := dump(t, restarted.Views(), now), dump(t, rebuild(t, s), now); a != b {
		t.Fatalf("restart after a kill differs from a rebuild:\n%s\n%s", a, b)
	}
}
