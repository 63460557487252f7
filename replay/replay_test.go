package replay_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
	"taskledger/eventstore/memory"
	"taskledger/eventstore/storetest"
	"taskledger/replay"
)

type noted struct {
	Note string `json:"note"`
}

func (noted) EventType() string { return "ProgressReported" }

func registry() *domain.Registry {
	r := domain.NewRegistry()
	r.Register(noted{}, 1)
	return r
}

// scanning adds ScanAll to the memory store, so both read paths are tested.
type scanning struct{ *memory.Store }

func (s scanning) ScanAll(ctx context.Context, after uint64, fn func(*domain.Event) error) error {
	events, err := s.ReadAll(ctx, after, 0)
	if err != nil {
		return err
	}
	for i := range events {
		if err := fn(&events[i]); err != nil {
			return err
		}
	}
	return nil
}

func fill(t *testing.T, s eventstore.Store, n int) {
	t.Helper()
	for i := 0; i < n; i += 10 {
		evs := make([]domain.Event, 10)
		for j := range evs {
			evs[j] = storetest.NewEvent("ProgressReported", fmt.Sprint(i+j))
		}
		if _, err := s.Append(context.Background(), fmt.Sprintf("s-%d", i%7), eventstore.Any(), evs); err != nil {
			t.Fatal(err)
		}
	}
}

// stores returns one store for each read path: pages (ReadAll), a
// callback (ScanAll), and batches lent and recycled (the embedded store's
// ScanBatches).
func stores(t *testing.T) map[string]eventstore.Store {
	embedded, err := bolt.Open(filepath.Join(t.TempDir(), "l.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = embedded.Close() })
	return map[string]eventstore.Store{"ReadAll": memory.New(), "ScanAll": scanning{memory.New()}, "ScanBatches": embedded}
}

func TestAppliesEveryEventInOrder(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			fill(t, s, 1000)
			var notes []string
			stats, err := replay.Run(context.Background(), s, registry(), replay.Options{Workers: 3, BatchSize: 64},
				func(e *domain.Event, d domain.EventData) error {
					if want := uint64(len(notes) + 1); e.Position != want {
						return fmt.Errorf("position %d applied where %d was due", e.Position, want)
					}
					notes = append(notes, d.(noted).Note)
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if stats.Events != 1000 || stats.Last != 1000 {
				t.Fatalf("stats %+v", stats)
			}
			for i, n := range notes {
				if n != fmt.Sprint(i) {
					t.Fatalf("event %d carries note %q", i, n)
				}
			}
		})
	}
}

func TestWindow(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			fill(t, s, 100)
			var got []uint64
			stats, err := replay.Run(context.Background(), s, registry(), replay.Options{After: 10, Until: 42, BatchSize: 8},
				func(e *domain.Event, _ domain.EventData) error { got = append(got, e.Position); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 32 || got[0] != 11 || got[31] != 42 || stats.Last != 42 {
				t.Fatalf("replayed %d events from %v to %v", len(got), got[0], got[len(got)-1])
			}
		})
	}
}

func TestStopsAtFirstBadEvent(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			fill(t, s, 50)
			bad := storetest.NewEvent("NoSuchType", "x")
			if _, err := s.Append(context.Background(), "odd", eventstore.Any(), []domain.Event{bad}); err != nil {
				t.Fatal(err)
			}
			fill(t, s, 50)
			applied := 0
			_, err := replay.Run(context.Background(), s, registry(), replay.Options{BatchSize: 16},
				func(*domain.Event, domain.EventData) error { applied++; return nil })
			if !errors.Is(err, domain.ErrUnknownEventType) || !strings.Contains(err.Error(), "position 51") {
				t.Fatalf("err %v, want an unknown type at position 51", err)
			}
			if applied != 50 {
				t.Fatalf("applied %d events before the bad one, want 50", applied)
			}

			boom := errors.New("boom")
			_, err = replay.Run(context.Background(), s, registry(), replay.Options{Until: 40},
				func(e *domain.Event, _ domain.EventData) error {
					if e.Position == 30 {
						return boom
					}
					return nil
				})
			if !errors.Is(err, boom) || !strings.Contains(err.Error(), "position 30") {
				t.Fatalf("apply error: %v", err)
			}
		})
	}
}

// nopDecoder decodes nothing and allocates nothing, so that what a replay
// allocates is the replay's own.
type nopDecoder struct{}

func (nopDecoder) Decode(*domain.Event) (domain.EventData, error) { return noted{}, nil }

// TestBatchesAreRecycled replays the embedded store twice over and checks
// that reading allocates per batch in flight, not per event: the batches,
// their events and their payload buffers go back to the reader once
// applied. (Small batches, so that the few a replay starts with weigh
// little against the 156 it reads.)
// Copying each event and its ~150-byte payload into fresh batches, as
// replay once did, costs several hundred bytes per event. The ledger is
// read-only while it is measured: a writer's background work (the
// checkpoint a second after the last append, the event-ID index loaded
// after an open) allocates too, and on a loaded machine it fell inside the
// measured replay.
func TestBatchesAreRecycled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	w, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, w, 20000)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := bolt.Open(path, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	replayAll := func() {
		stats, err := replay.Run(context.Background(), s, nopDecoder{}, replay.Options{BatchSize: 128}, func(*domain.Event, domain.EventData) error { return nil })
		if err != nil || stats.Events != 20000 {
			t.Fatalf("replayed %d events: %v", stats.Events, err)
		}
	}
	replayAll() // warm up: sonic, bbolt's memory map
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	replayAll()
	runtime.ReadMemStats(&after)
	perEvent := float64(after.TotalAlloc-before.TotalAlloc) / 20000
	t.Logf("replay allocated %.1f bytes per event", perEvent)
	if perEvent > 64 {
		t.Fatalf("replay allocated %.0f bytes per event, want at most 64", perEvent)
	}
}
