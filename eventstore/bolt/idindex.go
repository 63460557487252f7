package bolt

import (
	"encoding/binary"

	"github.com/google/uuid"
)

// idIndex maps event IDs to positions in memory. It is derived from the log
// when the store opens (the file keeps no ID index) and kept by the
// committer alone. To halve its memory it is keyed by a 64-bit fold of the
// ID; the rare ID whose fold is already taken by another ID goes into extra,
// keyed by the whole ID. A hit in main is only a candidate: the caller
// compares the stored ID.
type idIndex struct {
	main  map[uint64]uint64
	extra map[uuid.UUID]uint64
}

func newIDIndex(size int) *idIndex {
	return &idIndex{main: make(map[uint64]uint64, size), extra: map[uuid.UUID]uint64{}}
}

func fold(id uuid.UUID) uint64 {
	return binary.LittleEndian.Uint64(id[:8]) ^ binary.LittleEndian.Uint64(id[8:])
}

// lookup returns the position stored for id: exact when it is known to be
// id's, otherwise a candidate to check.
func (x *idIndex) lookup(id uuid.UUID) (pos uint64, exact, ok bool) {
	if p, ok := x.extra[id]; ok {
		return p, true, true
	}
	p, ok := x.main[fold(id)]
	return p, false, ok
}

// insert records a new ID, which the caller knows is not stored yet. It
// reports false if the exact ID is already in extra (a corrupt log).
func (x *idIndex) insert(id uuid.UUID, pos uint64) bool {
	f := fold(id)
	if _, taken := x.main[f]; !taken {
		x.main[f] = pos
		return true
	}
	if _, dup := x.extra[id]; dup {
		return false
	}
	x.extra[id] = pos
	return true
}
