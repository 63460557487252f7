package bolt

import (
	"cmp"
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/google/uuid"
)

// idIndex maps event IDs to positions in memory. It is derived from the log
// when the store opens (the file keeps no ID index) and kept by the
// committer alone. To halve its memory it is keyed by a 64-bit fold of the
// ID; the rare ID whose fold is already taken by another ID goes into extra,
// keyed by the whole ID. A hit by fold is only a candidate: the caller
// compares the stored ID.
//
// The IDs the log holds when the store opens are a slice sorted by fold,
// 16 bytes an ID, built with one sort instead of a million map inserts
// (which cost a quarter of a second and twice the memory on a million
// events); IDs appended since go into a map.
type idIndex struct {
	sorted []idEntry // the log's IDs at open, by fold; no fold twice
	main   map[uint64]uint64
	extra  map[uuid.UUID]uint64
}

// idEntry is one ID of sorted: its fold and position.
type idEntry struct{ fold, pos uint64 }

func newIDIndex() *idIndex {
	return &idIndex{main: map[uint64]uint64{}, extra: map[uuid.UUID]uint64{}}
}

// sortedIDIndex returns the index of entries, which it sorts in place, or
// false when two of them share a fold (then build it with insert, which
// keeps the second by its whole ID).
func sortedIDIndex(entries []idEntry) (*idIndex, bool) {
	entries = sortByFold(entries)
	for i := 1; i < len(entries); i++ {
		if entries[i].fold == entries[i-1].fold {
			return nil, false
		}
	}
	x := newIDIndex()
	x.sorted = entries
	return x, true
}

// sortByFold returns entries sorted by fold, in entries or in a slice of
// its own. Folds of UUIDs spread evenly over 64 bits, so one counting pass
// over their top bits gives each entry its bucket, about four entries on
// average, and each bucket is then sorted on its own: at a million IDs a
// tenth of the time of one comparison sort over them all. A bucket that
// holds many (folds that do not spread) gets the comparison sort, so no
// input costs much more than it did; short lists get it whole.
func sortByFold(entries []idEntry) []idEntry {
	n := len(entries)
	if n < 1<<12 {
		slices.SortFunc(entries, compareFolds)
		return entries
	}
	width := min(bits.Len(uint(n))-2, 22)
	shift := 64 - width
	starts := make([]int, 1<<width+1)
	for _, e := range entries {
		starts[e.fold>>shift+1]++
	}
	for b := 1; b < len(starts); b++ {
		starts[b] += starts[b-1]
	}
	out := make([]idEntry, n)
	next := slices.Clone(starts[:1<<width])
	for _, e := range entries {
		b := e.fold >> shift
		out[next[b]] = e
		next[b]++
	}
	for b := range 1 << width {
		sortBucket(out[starts[b]:starts[b+1]])
	}
	return out
}

// sortBucket sorts a bucket of sortByFold: by insertion when it is short,
// as most are.
func sortBucket(s []idEntry) {
	if len(s) > 16 {
		slices.SortFunc(s, compareFolds)
		return
	}
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].fold < s[j-1].fold; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// compareFolds orders entries by fold.
func compareFolds(a, b idEntry) int { return cmp.Compare(a.fold, b.fold) }

func fold(id uuid.UUID) uint64 {
	return binary.LittleEndian.Uint64(id[:8]) ^ binary.LittleEndian.Uint64(id[8:])
}

// lookup returns the position stored for id: exact when it is known to be
// id's, otherwise a candidate to check.
func (x *idIndex) lookup(id uuid.UUID) (pos uint64, exact, ok bool) {
	if p, ok := x.extra[id]; ok {
		return p, true, true
	}
	p, ok := x.byFold(fold(id))
	return p, false, ok
}

// byFold returns the position of the ID with fold f in main or sorted.
func (x *idIndex) byFold(f uint64) (uint64, bool) {
	if p, ok := x.main[f]; ok {
		return p, true
	}
	return x.search(f)
}

// search finds fold f in sorted. Folds of UUIDs (random or name-based) are
// spread evenly, so f sits near f/2⁶⁴ of the way along: the search starts
// there and widens, doubling, until it brackets f, then bisects — a few
// nearby probes instead of twenty across the whole slice, and never worse
// than twice a plain bisection whatever the folds.
func (x *idIndex) search(f uint64) (uint64, bool) {
	s := x.sorted
	n := len(s)
	if n == 0 {
		return 0, false
	}
	g, _ := bits.Mul64(f, uint64(n))
	lo, hi := int(g), int(g)
	// The first index whose fold is ≥ f lies in [lo, hi].
	for step := 16; lo > 0 && s[lo-1].fold >= f; step *= 2 {
		lo = max(0, lo-step)
	}
	for step := 16; hi < n && s[hi].fold < f; step *= 2 {
		hi = min(n, hi+step)
	}
	i, found := slices.BinarySearchFunc(s[lo:min(hi+1, n)], f, func(e idEntry, f uint64) int { return cmp.Compare(e.fold, f) })
	if !found {
		return 0, false
	}
	return s[lo+i].pos, true
}

// insert records a new ID, which the caller knows is not stored yet. It
// reports false if the exact ID is already in extra (a corrupt log).
func (x *idIndex) insert(id uuid.UUID, pos uint64) bool {
	f := fold(id)
	if _, taken := x.byFold(f); !taken {
		x.main[f] = pos
		return true
	}
	if _, dup := x.extra[id]; dup {
		return false
	}
	x.extra[id] = pos
	return true
}
