package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/internal/packed"
)

// TestScanBatches reads the log in batches of several sizes, from several
// starting points, into lent buffers that are reused from batch to batch,
// and checks every event against ReadAll's copy: same envelope, same
// payload, in order, none missing. The batch sizes are not multiples of the
// checkpoint distance, so the reader resumes mid-group in a new transaction.
func TestScanBatches(t *testing.T) {
	for name, opts := range map[string]Options{"format 2": {NoSync: true, NoJournal: true}, "format 3": {NoSync: true, unpacked: true}, "format 4": {NoSync: true}} {
		t.Run(name, func(t *testing.T) { testScanBatches(t, opts) })
	}
}

func testScanBatches(t *testing.T, opts Options) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), "l.db"), opts)
	rng := rand.New(rand.NewPCG(21, 22))
	for i := range 60 {
		evs := []domain.Event{event(rng, i, 300), randomNoteEvent(rng, i, 200), event(rng, i, 250)}
		evs[2].Payload = nil // an empty payload comes back nil
		if _, err := s.Append(ctx, fmt.Sprintf("s-%d", i%7), eventstore.Any(), evs); err != nil {
			t.Fatal(err)
		}
	}
	want, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 7, 33, 64, 500} {
		for _, after := range []uint64{0, 1, 31, 32, 33, 100, 179, 180} {
			events := make([]domain.Event, size)
			payloads := make([]byte, 0, 16) // too small: ScanBatches grows it
			next := after + 1
			check := func(got []domain.Event) error {
				if len(got) == 0 || len(got) > size || &got[0] != &events[0] {
					return fmt.Errorf("emitted %d events, not a prefix of the %d lent", len(got), size)
				}
				for i := range got {
					if err := sameEvent(&got[i], &want[next-1]); err != nil {
						return err
					}
					next++
				}
				return nil
			}
			err := s.ScanBatches(ctx, after,
				func() ([]domain.Event, []byte) { return events, payloads[:0] },
				func(got []domain.Event, grown []byte) error {
					payloads = grown
					return check(got)
				})
			if err != nil || next != uint64(len(want))+1 {
				t.Fatalf("batches of %d after %d: stopped before %d: %v", size, after, next, err)
			}
			next = after + 1
			err = s.ScanCoded(ctx, after,
				func() ([]domain.Event, []byte, []eventstore.PayloadCoding) { return events, payloads[:0], nil },
				func(got []domain.Event, coded []byte, codings []eventstore.PayloadCoding) error {
					payloads = coded
					if err := decodeAll(got, codings); err != nil {
						return err
					}
					return check(got)
				})
			if err != nil || next != uint64(len(want))+1 {
				t.Fatalf("coded batches of %d after %d: stopped before %d: %v", size, after, next, err)
			}
		}
	}
}

// decodeAll decodes the payloads ScanCoded left coded.
func decodeAll(events []domain.Event, codings []eventstore.PayloadCoding) error {
	if len(codings) != len(events) {
		return fmt.Errorf("%d codings for %d events", len(codings), len(events))
	}
	for i, c := range codings {
		var out []byte
		var err error
		switch {
		case c.Shape != nil:
			out, err = packed.Unpack(nil, c.Shape, events[i].Payload, c.Decompress)
		case c.Decompress != nil:
			out, err = c.Decompress(nil, events[i].Payload)
		default:
			continue
		}
		if err != nil {
			return fmt.Errorf("position %d: %w", events[i].Position, err)
		}
		if bytes.Equal(out, events[i].Payload) {
			return fmt.Errorf("position %d: decoding changed nothing", events[i].Position)
		}
		events[i].Payload = out
	}
	return nil
}

// TestScanCodedLeavesPayloadsCoded: ScanCoded leaves most of the test's
// payloads packed in a format 4 ledger and compressed in a format 3 one,
// smaller than their JSON; a coded payload that does not decode is
// refused as damage.
func TestScanCodedLeavesPayloadsCoded(t *testing.T) {
	for name, opts := range map[string]Options{"format 3": {NoSync: true, unpacked: true}, "format 4": {NoSync: true}} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t, filepath.Join(t.TempDir(), "l.db"), opts)
			rng := rand.New(rand.NewPCG(23, 24))
			for i := range 50 {
				if _, err := s.Append(ctx, "s", eventstore.Any(), []domain.Event{event(rng, i, 300)}); err != nil {
					t.Fatal(err)
				}
			}
			var coded []byte
			var codings []eventstore.PayloadCoding
			err := s.ScanCoded(ctx, 0,
				func() ([]domain.Event, []byte, []eventstore.PayloadCoding) {
					return make([]domain.Event, 100), nil, nil
				},
				func(_ []domain.Event, c []byte, d []eventstore.PayloadCoding) error {
					coded, codings = c, d
					return errors.New("stop")
				})
			if err == nil || len(codings) != 50 {
				t.Fatalf("scan gave %d codings: %v", len(codings), err)
			}
			compressed, packedN := 0, 0
			for _, c := range codings {
				switch {
				case c.Shape != nil:
					packedN++
				case c.Decompress != nil:
					compressed++
				}
			}
			want := map[string][2]int{"format 3": {45, 0}, "format 4": {0, 50}}[name]
			if compressed < want[0] || packedN < want[1] || len(coded) > 50*200 {
				t.Fatalf("%d of 50 payloads left compressed, %d packed, %d bytes in all", compressed, packedN, len(coded))
			}
			if _, err := codings[1].Decompress(nil, []byte{0xff}); !errors.Is(err, eventstore.ErrDamaged) {
				t.Fatalf("a cut-short payload decompressed: %v", err)
			}
		})
	}
}

// TestScanBatchesStops checks the ways a batch scan ends early: next lends
// no events, emit fails (its error comes back as it is), the context is
// cancelled, the store is closed.
func TestScanBatchesStops(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), "l.db"), Options{NoSync: true})
	rng := rand.New(rand.NewPCG(23, 24))
	evs := make([]domain.Event, 40)
	for i := range evs {
		evs[i] = event(rng, i, 200)
	}
	if _, err := s.Append(ctx, "s", eventstore.Any(), evs); err != nil {
		t.Fatal(err)
	}
	batch := make([]domain.Event, 10)
	lend := func() ([]domain.Event, []byte) { return batch, nil }
	var seen uint64
	err := s.ScanBatches(ctx, 0,
		func() ([]domain.Event, []byte) {
			if seen >= 20 {
				return nil, nil
			}
			return batch, nil
		},
		func(got []domain.Event, _ []byte) error { seen = got[len(got)-1].Position; return nil })
	if err != nil || seen != 20 {
		t.Fatalf("scan that lends nothing after 20: read up to %d: %v", seen, err)
	}
	stop := errors.New("stop")
	if err := s.ScanBatches(ctx, 0, lend, func([]domain.Event, []byte) error { return stop }); err != stop {
		t.Fatalf("emit's error: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.ScanBatches(cctx, 0, lend, func([]domain.Event, []byte) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled scan: %v", err)
	}
	_ = s.Close()
	if err := s.ScanBatches(ctx, 0, lend, func([]domain.Event, []byte) error { return nil }); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("scan after close: %v", err)
	}
}

// sameEvent reports how got differs from want, if it does.
func sameEvent(got, want *domain.Event) error {
	p, q := *got, *want
	if !bytes.Equal(p.Payload, q.Payload) || (p.Payload == nil) != (q.Payload == nil) {
		return fmt.Errorf("position %d: payload %q, want %q", q.Position, p.Payload, q.Payload)
	}
	p.Payload, q.Payload = nil, nil
	if !reflect.DeepEqual(p, q) {
		return fmt.Errorf("position %d: got %+v, want %+v", q.Position, p, q)
	}
	return got.Verify()
}
