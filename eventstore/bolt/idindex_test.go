package bolt

import (
	"cmp"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"taskledger/domain"
	"taskledger/eventstore"
)

// The sorted part of the ID index finds every fold it holds and none it
// does not, whether the folds are spread evenly (as UUIDs' are) or bunched
// anywhere in the range.
func TestIDIndexSearchFindsExactlyTheFoldsHeld(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	spreads := map[string]func() uint64{
		"even":        rng.Uint64,
		"low":         func() uint64 { return rng.Uint64N(1 << 20) },
		"high":        func() uint64 { return ^rng.Uint64N(1 << 20) },
		"two bunches": func() uint64 { return rng.Uint64N(1<<16) << (rng.Uint64N(2) * 62) },
	}
	for name, next := range spreads {
		for _, n := range []int{0, 1, 2, 17, 1000, 50_000} {
			held := map[uint64]uint64{}
			entries := make([]idEntry, 0, n)
			for len(entries) < n {
				f := next()
				if _, dup := held[f]; dup {
					continue
				}
				held[f] = uint64(len(entries) + 1)
				entries = append(entries, idEntry{fold: f, pos: held[f]})
			}
			x, ok := sortedIDIndex(entries)
			if !ok {
				t.Fatalf("%s/%d: distinct folds refused", name, n)
			}
			for f, want := range held {
				if got, ok := x.search(f); !ok || got != want {
					t.Fatalf("%s/%d: fold %x: %d %v, want %d", name, n, f, got, ok, want)
				}
			}
			for range 2000 {
				f := next()
				got, ok := x.search(f)
				if want, held := held[f]; ok != held || got != want {
					t.Fatalf("%s/%d: fold %x: %d %v, want %d %v", name, n, f, got, ok, want, held)
				}
			}
		}
	}
}

// Two stored IDs whose folds are equal (possible, if very rare) keep both
// their appends idempotent across a reopen: the index is then built one
// ID at a time, the second kept by its whole ID.
func TestIDIndexAfterReopenWithSharedFold(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	rng := rand.New(rand.NewPCG(9, 10))
	a := event(rng, 1, 120)
	b := event(rng, 2, 120)
	b.ID = a.ID
	for i := range 8 { // the same bytes XORed into both halves leave the fold as it is
		b.ID[i] ^= 0x5a
		b.ID[8+i] ^= 0x5a
	}
	if fold(a.ID) != fold(b.ID) || a.ID == b.ID {
		t.Fatal("the test's IDs do not share a fold")
	}
	s := openTest(t, path, Options{})
	for i, e := range []domain.Event{a, b} {
		if _, err := s.Append(ctx, "stream", eventstore.Any(), []domain.Event{e}); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path, Options{})
	for i, e := range []domain.Event{a, b} {
		res, err := s.Append(ctx, "stream", eventstore.Any(), []domain.Event{e})
		if err != nil || !res.Duplicate || res.Position != uint64(i+1) {
			t.Fatalf("retry %d after reopen: %+v %v; want the duplicate at %d", i, res, err, i+1)
		}
	}
	c := event(rng, 3, 120)
	binary.LittleEndian.PutUint64(c.ID[:8], binary.LittleEndian.Uint64(a.ID[:8])^1)
	binary.LittleEndian.PutUint64(c.ID[8:], binary.LittleEndian.Uint64(a.ID[8:])^1)
	if fold(c.ID) != fold(a.ID) {
		t.Fatal("the third ID does not share the fold")
	}
	if res, err := s.Append(ctx, "stream", eventstore.Any(), []domain.Event{c}); err != nil || res.Duplicate || res.Position != 3 {
		t.Fatalf("a third ID with the same fold: %+v %v", res, err)
	}
}

// sortByFold sorts as a comparison sort would, whatever the folds: spread
// evenly, bunched into a few buckets, repeated, or already in either order.
func TestSortByFoldSortsAnyFolds(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	kinds := map[string]func(i int) uint64{
		"even":       func(int) uint64 { return rng.Uint64() },
		"bunched":    func(int) uint64 { return 1<<40 + rng.Uint64()%5000 },
		"repeated":   func(i int) uint64 { return uint64(i%7) << 60 },
		"ascending":  func(i int) uint64 { return uint64(i) << 30 },
		"descending": func(i int) uint64 { return ^uint64(i) },
		"top only":   func(int) uint64 { return rng.Uint64() &^ (1<<44 - 1) },
	}
	for name, next := range kinds {
		for _, n := range []int{0, 1, 2, 4095, 4096, 4097, 100_003} {
			entries := make([]idEntry, n)
			for i := range entries {
				entries[i] = idEntry{fold: next(i), pos: uint64(i + 1)}
			}
			want := slices.Clone(entries)
			slices.SortStableFunc(want, compareFolds)
			got := sortByFold(entries)
			if !slices.IsSortedFunc(got, compareFolds) || len(got) != n {
				t.Fatalf("%s, %d entries: not sorted", name, n)
			}
			// Equal folds may come in any order; the multiset must hold.
			slices.SortFunc(got, func(a, b idEntry) int { return cmp.Or(compareFolds(a, b), cmp.Compare(a.pos, b.pos)) })
			if !slices.Equal(got, want) {
				t.Fatalf("%s, %d entries: other entries than were given", name, n)
			}
		}
	}
}

// BenchmarkSortIDs sorts a million evenly spread folds, as opening a
// ledger of a million events does, by buckets and by one comparison sort.
func BenchmarkSortIDs(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	entries := make([]idEntry, 1_000_000)
	for i := range entries {
		entries[i] = idEntry{fold: rng.Uint64(), pos: uint64(i + 1)}
	}
	work := make([]idEntry, len(entries))
	b.Run("buckets", func(b *testing.B) {
		for b.Loop() {
			copy(work, entries)
			sortByFold(work)
		}
	})
	b.Run("comparison", func(b *testing.B) {
		for b.Loop() {
			copy(work, entries)
			slices.SortFunc(work, compareFolds)
		}
	})
}
