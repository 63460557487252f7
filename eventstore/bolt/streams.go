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

// appendChunk records that version (st.version+1) of stream sid is at pos.
// prev is the stream's state before the event.
func appendChunk(b *bbolt.Bucket, sid uint32, prev streamState, pos uint64) error {
	v := prev.version + 1
	chunk, idx := (v-1)/chunkVersions, (v-1)%chunkVersions
	key := chunkKey(sid, chunk)
	if chunk > 1<<32-1 {
		return fmt.Errorf("stream %d: more than %d versions", sid, uint64(chunkVersions)<<32)
	}
	var val []byte
	if idx == 0 {
		val = binary.AppendUvarint(make([]byte, 0, 8), pos)
	} else {
		old := b.Get(key)
		if old == nil || pos <= prev.lastPos {
			return fmt.Errorf("%w: stream %d index chunk %d", errCorrupt, sid, chunk)
		}
		// bbolt keeps a reference to the value until commit: build a new one.
		val = make([]byte, len(old), len(old)+binary.MaxVarintLen64)
		copy(val, old)
		val = binary.AppendUvarint(val, pos-prev.lastPos)
	}
	return b.Put(key, val)
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
