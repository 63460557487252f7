package replay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
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

// noteOf is the note of the i-th event fill appends: long and alike enough
// that the embedded store keeps it compressed.
func noteOf(i int) string {
	return fmt.Sprintf("%d：已完成燃煤锅炉排查，淘汰改造工作按计划推进，剩余项目年底前完成", i)
}

func fill(t *testing.T, s eventstore.Store, n int) {
	t.Helper()
	for i := 0; i < n; i += 10 {
		evs := make([]domain.Event, 10)
		for j := range evs {
			evs[j] = storetest.NewEvent("ProgressReported", noteOf(i+j))
		}
		if _, err := s.Append(context.Background(), fmt.Sprintf("s-%d", i%7), eventstore.Any(), evs); err != nil {
			t.Fatal(err)
		}
	}
}

// batchesOnly hides the embedded store's ScanCoded, so that replay reads
// it through ScanBatches, its payloads inflated by the reader.
type batchesOnly struct {
	eventstore.Store
	bolt *bolt.Store
}

func (b batchesOnly) ScanBatches(ctx context.Context, after uint64,
	next func() ([]domain.Event, []byte), emit func([]domain.Event, []byte) error) error {
	return b.bolt.ScanBatches(ctx, after, next, emit)
}

func onlyBatches(s *bolt.Store) batchesOnly { return batchesOnly{s, s} }

// counting is the embedded store counting the payloads it hands out
// coded (compressed or packed), and handing out the one at position bad
// (when not 0) cut to a byte that does not decode.
type counting struct {
	*bolt.Store
	coded atomic.Int64
	bad   uint64
}

func (c *counting) ScanCoded(ctx context.Context, after uint64,
	next func() ([]domain.Event, []byte, []eventstore.PayloadCoding),
	emit func([]domain.Event, []byte, []eventstore.PayloadCoding) error) error {
	return c.Store.ScanCoded(ctx, after, next, func(events []domain.Event, coded []byte, codings []eventstore.PayloadCoding) error {
		for i := range events {
			if codings[i].Decompress != nil || codings[i].Shape != nil {
				c.coded.Add(1)
			}
			if events[i].Position == c.bad {
				events[i].Payload = []byte{0xff}
			}
		}
		return emit(events, coded, codings)
	})
}

func embedded(t *testing.T) *bolt.Store {
	s, err := bolt.Open(filepath.Join(t.TempDir(), "l.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// stores returns one store for each read path: pages (ReadAll), a
// callback (ScanAll), batches lent and recycled (the embedded store's
// ScanBatches), and batches whose payloads the decoding goroutines inflate
// (its ScanCoded).
func stores(t *testing.T) map[string]eventstore.Store {
	return map[string]eventstore.Store{"ReadAll": memory.New(), "ScanAll": scanning{memory.New()},
		"ScanBatches": onlyBatches(embedded(t)), "ScanCoded": &counting{Store: embedded(t)}}
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
					var raw noted
					if err := json.Unmarshal(e.Payload, &raw); err != nil || raw != d.(noted) {
						return fmt.Errorf("position %d: payload %q beside decoded %+v: %v", e.Position, e.Payload, d, err)
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
				if n != noteOf(i) {
					t.Fatalf("event %d carries note %q", i, n)
				}
			}
			if c, ok := s.(*counting); ok && c.coded.Load() < 900 {
				t.Fatalf("the store handed out %d of 1000 payloads coded: it kept few packed or compressed", c.coded.Load())
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

// TestStopsAtAPayloadThatDoesNotDecode: a coded payload that does not
// decode stops the replay at its event, as a damaged ledger, with every
// event before it applied, whether replay rebuilds payloads or not.
func TestStopsAtAPayloadThatDoesNotDecode(t *testing.T) {
	for _, unread := range []bool{false, true} {
		s := &counting{Store: embedded(t), bad: 70}
		fill(t, s, 100)
		applied := 0
		_, err := replay.Run(context.Background(), s, registry(), replay.Options{Workers: 1, BatchSize: 16, PayloadsUnread: unread},
			func(*domain.Event, domain.EventData) error { applied++; return nil })
		if !errors.Is(err, eventstore.ErrDamaged) || !strings.Contains(err.Error(), "position 70") {
			t.Fatalf("payloads unread %v: err %v, want a damaged payload at position 70", unread, err)
		}
		if applied != 69 {
			t.Fatalf("payloads unread %v: applied %d events before the damaged one, want 69", unread, applied)
		}
	}
}

// TestPackedPayloadsDecodedWithoutJSON: with PayloadsUnread, the embedded
// store's packed payloads reach the fold decoded, without their JSON
// (e.Payload nil); without it, with their JSON. The data is the same.
func TestPackedPayloadsDecodedWithoutJSON(t *testing.T) {
	s := embedded(t)
	fill(t, s, 200)
	for _, unread := range []bool{false, true} {
		withJSON := 0
		_, err := replay.Run(context.Background(), s, domain.DefaultRegistry(), replay.Options{PayloadsUnread: unread},
			func(e *domain.Event, d domain.EventData) error {
				if p := d.(domain.ProgressReported); p.Note != noteOf(int(e.Position-1)) {
					return fmt.Errorf("position %d: note %q", e.Position, p.Note)
				}
				if e.Payload != nil {
					withJSON++
					if err := e.Verify(); err != nil {
						return err
					}
				}
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{false: 200, true: 0}[unread]; withJSON != want {
			t.Fatalf("payloads unread %v: %d of 200 events came with their JSON, want %d", unread, withJSON, want)
		}
	}
}

// nopDecoder decodes nothing and allocates nothing, so that what a replay
// allocates is the replay's own.
type nopDecoder struct{}

func (nopDecoder) Decode(*domain.Event) (domain.EventData, error) { return noted{}, nil }

// TestBatchesAreRecycled replays the embedded store through both batch
// paths and checks that reading allocates per batch, not per event: the
// batches, their events and their payload buffers go back to the reader
// once applied. A replay of 60,000 events then allocates the batches in
// flight once and a read transaction per batch of 256, a few dozen bytes
// per event in all. Copying each event and its ~150-byte payload into
// fresh batches, as replay once did, costs several hundred bytes per
// event. The ledger is read-only while it is measured: a writer's
// background work (the checkpoint a second after the last append, the
// event-ID index loaded after an open) allocates too, and on a loaded
// machine it fell inside the measured replay.
func TestBatchesAreRecycled(t *testing.T) {
	const n = 60000
	path := filepath.Join(t.TempDir(), "l.db")
	w, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, w, n)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := bolt.Open(path, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for name, store := range map[string]eventstore.Store{"ScanCoded": s, "ScanBatches": onlyBatches(s)} {
		replayAll := func() {
			stats, err := replay.Run(context.Background(), store, nopDecoder{}, replay.Options{BatchSize: 256}, func(*domain.Event, domain.EventData) error { return nil })
			if err != nil || stats.Events != n {
				t.Fatalf("%s: replayed %d events: %v", name, stats.Events, err)
			}
		}
		replayAll() // warm up: sonic, bbolt's memory map
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		replayAll()
		runtime.ReadMemStats(&after)
		perEvent := float64(after.TotalAlloc-before.TotalAlloc) / n
		t.Logf("%s: replay allocated %.1f bytes per event", name, perEvent)
		if perEvent > 64 {
			t.Errorf("%s: replay allocated %.0f bytes per event, want at most 64", name, perEvent)
		}
	}
}
