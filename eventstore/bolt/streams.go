package bolt

import (
	"encoding/binary"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
)

// streamState is a stream's entry in the streams bucket.
type streamState struct {
	version  uint64      // last version, 0 for none
	lastPos  uint64      // position of the last event
	lastHash domain.Hash // Hash of the last event
}

// indexEvery is how many appended events the streams bucket may lag the
// log by: the stream heads and version→position chunks of recent appends
// are kept in memory (Store.recent) and written to the bucket by the commit
// that takes the lag to indexEvery or beyond, instead of by every commit.
// One such commit then writes each stream's entries once for many events;
// opening a ledger reads the log after the bucket's position to rebuild the
// rest. Changing it does not change the file format.
const indexEvery = 65536

// recentStream is what the log holds of a stream beyond the streams bucket:
// the bucket's state of it (base; zero when the bucket does not know the
// stream), the positions of the versions after base.version, in order, and
// the state after the last of them.
type recentStream struct {
	base      streamState
	positions []uint64
	last      streamState
}

// then returns the stream as r leaves it followed by g, the versions
// appended after it; either may be nil. The result's positions may share
// r's array (appended to in place past r's length, which readers holding
// r's slice never look at).
func (r *recentStream) then(g *recentStream) recentStream {
	switch {
	case r == nil:
		return *g
	case g == nil:
		return *r
	}
	return recentStream{base: r.base, positions: append(r.positions, g.positions...), last: g.last}
}

// recentAfter returns what cur, the recent versions now, holds beyond
// flushed, the recent versions as they were when the streams bucket was
// written (cur extends flushed: positions only ever go on).
func recentAfter(cur, flushed map[uint32]*recentStream) map[uint32]*recentStream {
	out := make(map[uint32]*recentStream, len(cur))
	for sid, r := range cur {
		f := flushed[sid]
		switch {
		case f == nil:
			out[sid] = r
		case len(r.positions) > len(f.positions):
			out[sid] = &recentStream{base: f.last, positions: r.positions[len(f.positions):], last: r.last}
		}
	}
	return out
}

func stateKey(sid uint32) []byte {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], sid)
	return k[:]
}

func chunkKey(sid uint32, chunk uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint32(k[:4], sid)
	binary.BigEndian.PutUint32(k[4:], uint32(chunk))
	return k[:]
}

func (st streamState) encode() []byte {
	b := make([]byte, 0, 2*binary.MaxVarintLen64+domain.HashSize)
	b = binary.AppendUvarint(b, st.version)
	b = binary.AppendUvarint(b, st.lastPos)
	return append(b, st.lastHash[:]...)
}

func getStreamState(b *bbolt.Bucket, sid uint32) (streamState, bool, error) {
	var st streamState
	v := b.Get(stateKey(sid))
	if v == nil {
		return st, false, nil
	}
	var n, m int
	st.version, n = binary.Uvarint(v)
	if n > 0 {
		st.lastPos, m = binary.Uvarint(v[n:])
	}
	if n <= 0 || m <= 0 || len(v)-n-m != domain.HashSize {
		return st, false, fmt.Errorf("%w: state of stream %d", errCorrupt, sid)
	}
	copy(st.lastHash[:], v[n+m:])
	return st, true, nil
}

// appendChunks records that the next versions of stream sid (after
// prev.version) are at positions, updating each index chunk once.
func appendChunks(b *bbolt.Bucket, sid uint32, prev streamState, positions []uint64) error {
	v, last := prev.version, prev.lastPos // versions stored so far, last position
	for len(positions) > 0 {
		chunk, idx := v/chunkVersions, v%chunkVersions
		if chunk > 1<<32-1 {
			return fmt.Errorf("stream %d: more than %d versions", sid, uint64(chunkVersions)<<32)
		}
		key := chunkKey(sid, chunk)
		n := min(uint64(len(positions)), chunkVersions-idx)
		var val []byte
		if idx == 0 {
			val = make([]byte, 0, n*3)
		} else {
			old := b.Get(key)
			if old == nil {
				return fmt.Errorf("%w: stream %d index chunk %d missing", errCorrupt, sid, chunk)
			}
			// bbolt keeps a reference to a value until commit: build a new one.
			val = make([]byte, len(old), len(old)+int(n)*3)
			copy(val, old)
		}
		for i, p := range positions[:n] {
			if p <= last {
				return fmt.Errorf("%w: stream %d positions out of order", errCorrupt, sid)
			}
			if idx == 0 && i == 0 {
				val = binary.AppendUvarint(val, p) // a chunk starts absolute
			} else {
				val = binary.AppendUvarint(val, p-last)
			}
			last = p
		}
		if err := b.Put(key, val); err != nil {
			return err
		}
		positions = positions[n:]
		v += n
	}
	return nil
}

// streamPositions returns the positions of versions lo … hi (inclusive) of
// stream sid.
func streamPositions(b *bbolt.Bucket, sid uint32, lo, hi uint64) ([]uint64, error) {
	if lo == 0 || hi < lo {
		return nil, nil
	}
	out := make([]uint64, 0, hi-lo+1)
	for chunk := (lo - 1) / chunkVersions; chunk <= (hi-1)/chunkVersions; chunk++ {
		val := b.Get(chunkKey(sid, chunk))
		if val == nil {
			return nil, fmt.Errorf("%w: stream %d index chunk %d missing", errCorrupt, sid, chunk)
		}
		v := chunk*chunkVersions + 1
		var pos uint64
		for len(val) > 0 && v <= hi {
			d, n := binary.Uvarint(val)
			if n <= 0 {
				return nil, fmt.Errorf("%w: stream %d index chunk %d", errCorrupt, sid, chunk)
			}
			val = val[n:]
			pos += d
			if v >= lo {
				out = append(out, pos)
			}
			v++
		}
	}
	if uint64(len(out)) != hi-lo+1 {
		return nil, fmt.Errorf("%w: stream %d index has %d of versions %d-%d", errCorrupt, sid, len(out), lo, hi)
	}
	return out, nil
}
