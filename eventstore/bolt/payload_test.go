package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
	"taskledger/eventstore"
)

// scanCodings returns how ScanCoded hands out each payload of s.
func scanCodings(t *testing.T, s *Store) []eventstore.PayloadCoding {
	t.Helper()
	var all []eventstore.PayloadCoding
	buf := make([]domain.Event, 64)
	err := s.ScanCoded(context.Background(), 0,
		func() ([]domain.Event, []byte, []eventstore.PayloadCoding) { return buf, nil, nil },
		func(_ []domain.Event, _ []byte, c []eventstore.PayloadCoding) error {
			all = append(all, c...)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// appendMixed appends n events to s: reports of the usual shape, some with
// a payload that does not pack (an array, white space) or is empty.
func appendMixed(t *testing.T, s *Store, rng *rand.Rand, from, n int) []domain.Event {
	t.Helper()
	var all []domain.Event
	for i := from; i < from+n; i++ {
		e := event(rng, i, 150+rng.IntN(300))
		switch i % 10 {
		case 7:
			e.Payload = []byte(`[1,2,3]`)
		case 8:
			e.Payload = []byte(`{ "plan":"spaced"}`)
		case 9:
			e.Payload = nil
		}
		res, err := s.Append(context.Background(), fmt.Sprintf("s-%d", i%7), eventstore.Any(), []domain.Event{e})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, res.Events...)
	}
	return all
}

// formatOf returns the format a ledger file names.
func formatOf(t *testing.T, s *Store) string {
	t.Helper()
	var f string
	if err := s.db.View(func(tx *bbolt.Tx) error {
		f = string(tx.Bucket(bucketMeta).Get(keyFormat))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFormat4PacksPayloads: a new ledger is format 4 and stores the
// payloads that pack packed, under a few shapes; every read gives back
// each payload's exact bytes, before and after a reopen, and the events
// verify.
func TestFormat4PacksPayloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s := openTest(t, path, Options{NoSync: true})
	rng := rand.New(rand.NewPCG(41, 42))
	want := appendMixed(t, s, rng, 0, 120)
	if f := formatOf(t, s); f != formatV4 {
		t.Fatalf("a new ledger is %q, want %q", f, formatV4)
	}
	check := func(s *Store) {
		readsBack(t, s, want)
		packedN := 0
		for i, c := range scanCodings(t, s) {
			if c.Shape != nil {
				packedN++
			} else if i%10 < 7 {
				t.Errorf("position %d: a report was not packed", i+1)
			}
		}
		if packedN != 84 {
			t.Errorf("%d of 120 payloads packed, want the 84 reports", packedN)
		}
		if n := s.names.count(kindShape) - 1; n < 1 || n > 3 {
			t.Errorf("%d shapes for one shape of report", n)
		}
	}
	check(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check(openTest(t, path, Options{}))
}

// TestFormat3StaysUnpacked: a format 3 ledger takes appends as format 3
// does, with no packed record and no shape, and stays format 3.
func TestFormat3StaysUnpacked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s := openTest(t, path, Options{NoSync: true, unpacked: true})
	rng := rand.New(rand.NewPCG(43, 44))
	want := appendMixed(t, s, rng, 0, 30)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path, Options{NoSync: true})
	want = append(want, appendMixed(t, s, rng, 30, 30)...)
	if f := formatOf(t, s); f != formatV3 {
		t.Fatalf("format %q after a reopen, want %q", f, formatV3)
	}
	compressed := 0
	for _, c := range scanCodings(t, s) {
		if c.Shape != nil {
			t.Fatal("a format 3 ledger holds a packed payload")
		}
		if c.Decompress != nil {
			compressed++
		}
	}
	if compressed < 30 || s.names.count(kindShape) != 1 {
		t.Fatalf("%d payloads compressed, %d shapes", compressed, s.names.count(kindShape)-1)
	}
	readsBack(t, s, want)
}

// TestDamagedShapeIsRefused: a shape in the names bucket that does not
// parse, or that names other keys, makes the open or the reads of its
// records fail as damage (or, were the values to fit the other keys, the
// payload would no longer match its hash).
func TestDamagedShapeIsRefused(t *testing.T) {
	for name, shape := range map[string]string{"unparsable": "x", "other keys": "snote\x00stask\x00"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "l.db")
			s := openTest(t, path, Options{NoSync: true})
			appendMixed(t, s, rand.New(rand.NewPCG(45, 46)), 0, 5)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := bbolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(func(tx *bbolt.Tx) error {
				return tx.Bucket(bucketNames).Put(nameKey(kindShape, 1), []byte(shape))
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			s, err = Open(path, Options{NoSync: true})
			if err != nil {
				if !errors.Is(err, eventstore.ErrDamaged) {
					t.Fatalf("open with a damaged shape: %v, want ErrDamaged", err)
				}
				return
			}
			defer s.Close()
			events, err := s.ReadAll(context.Background(), 0, 0)
			if err == nil {
				for i := range events {
					if events[i].Verify() != nil {
						return // read, but the payload no longer matches its hash
					}
				}
				t.Fatal("every event read and verified with a damaged shape")
			}
			if !errors.Is(err, eventstore.ErrDamaged) {
				t.Fatalf("read with a damaged shape: %v, want ErrDamaged", err)
			}
		})
	}
}

// TestShapesAreBounded: payloads of ever new keys stop being packed once
// the ledger holds maxShapes shapes, and keep being stored.
func TestShapesAreBounded(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "l.db"), Options{NoSync: true})
	const n = maxShapes + 50
	for i := 0; i < n; i += 100 {
		evs := make([]domain.Event, min(100, n-i))
		for j := range evs {
			evs[j] = event(rand.New(rand.NewPCG(1, uint64(i+j))), i+j, 60)
			evs[j].Payload = fmt.Appendf(nil, `{"key-%d":"value"}`, i+j)
		}
		if _, err := s.Append(context.Background(), fmt.Sprintf("s-%d", i), eventstore.Any(), evs); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.names.count(kindShape) - 1; got != maxShapes+1 && got != maxShapes {
		t.Fatalf("%d shapes, want %d", got, maxShapes)
	}
	got, err := s.ReadAll(context.Background(), n-1, 0)
	if err != nil || len(got) != 1 || !bytes.Equal(got[0].Payload, fmt.Appendf(nil, `{"key-%d":"value"}`, n-1)) {
		t.Fatalf("the last payload: %v, %v", got, err)
	}
}

// readsBack fails t unless s holds exactly want, event by event.
func readsBack(t *testing.T, s *Store, want []domain.Event) {
	t.Helper()
	got, err := s.ReadAll(context.Background(), 0, 0)
	if err != nil || len(got) != len(want) {
		t.Fatalf("read %d events: %v", len(got), err)
	}
	for i := range got {
		if err := sameEvent(&got[i], &want[i]); err != nil {
			t.Fatal(err)
		}
	}
}
