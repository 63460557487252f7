package bolt

import (
	"encoding/binary"
	"fmt"
)

// Payload compression against a per-type dictionary.
//
// Payloads of one event type share most of their bytes: JSON keys, plan and
// role names, boilerplate. The first payload stored for a type (its first
// maxDict bytes) becomes that type's dictionary, kept forever in the names
// bucket; later payloads are coded as literal runs and copies from the
// dictionary. A compressed payload is a sequence of ops, each a uvarint v:
//
//	v&1 == 0: a literal run of v>>1 + 1 bytes, which follow
//	v&1 == 1: a copy of v>>1 + minMatch bytes from the dictionary at the
//	          offset given by the uvarint that follows
//
// Copies refer to the dictionary only, so each payload decodes on its own.

const (
	maxDict   = 4096 // dictionary bytes kept per event type
	minMatch  = 5    // shortest copy worth an op
	dictBits  = 12
	dictSlots = 1 << dictBits
)

// dictTable indexes a dictionary's 4-byte sequences for compression. It is
// immutable once built.
type dictTable struct {
	dict  string
	slots [dictSlots]int32 // 1 + first offset with that hash; 0 for none
}

func hash4(b uint32) uint32 { return (b * 2654435761) >> (32 - dictBits) }

func load32(s string, i int) uint32 {
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

func newDictTable(dict string) *dictTable {
	t := &dictTable{dict: dict}
	for p := 0; p+4 <= len(dict); p++ {
		h := hash4(load32(dict, p))
		if t.slots[h] == 0 {
			t.slots[h] = int32(p + 1)
		}
	}
	return t
}

// compress appends src coded against the dictionary to dst. The result may
// be longer than src; the caller keeps whichever is shorter.
func (t *dictTable) compress(dst, src []byte) []byte {
	d := t.dict
	lit, i := 0, 0
	for i+minMatch <= len(src) {
		c := int(t.slots[hash4(binary.LittleEndian.Uint32(src[i:]))]) - 1
		if c < 0 || c+4 > len(d) || d[c:c+4] != string(src[i:i+4]) {
			i++
			continue
		}
		n := 4
		for i+n < len(src) && c+n < len(d) && src[i+n] == d[c+n] {
			n++
		}
		for i > lit && c > 0 && src[i-1] == d[c-1] {
			i, c, n = i-1, c-1, n+1
		}
		if n < minMatch {
			i++
			continue
		}
		if i > lit {
			dst = binary.AppendUvarint(dst, uint64(i-lit-1)<<1)
			dst = append(dst, src[lit:i]...)
		}
		dst = binary.AppendUvarint(dst, uint64(n-minMatch)<<1|1)
		dst = binary.AppendUvarint(dst, uint64(c))
		i += n
		lit = i
	}
	if len(src) > lit {
		dst = binary.AppendUvarint(dst, uint64(len(src)-lit-1)<<1)
		dst = append(dst, src[lit:]...)
	}
	return dst
}

// decompress appends the payload coded in src against dict to dst.
func decompress(dst, src []byte, dict string) ([]byte, error) {
	for i := 0; i < len(src); {
		op := uint64(src[i])
		if op < 0x80 {
			i++
		} else {
			v, n := binary.Uvarint(src[i:])
			if n <= 0 {
				return dst, fmt.Errorf("%w: compressed payload op", errCorrupt)
			}
			op, i = v, i+n
		}
		if op&1 == 0 {
			l := op>>1 + 1
			if l > uint64(len(src)-i) || l == 0 {
				return dst, fmt.Errorf("%w: compressed payload literal runs past the end", errCorrupt)
			}
			dst = append(dst, src[i:i+int(l)]...)
			i += int(l)
			continue
		}
		if i >= len(src) {
			return dst, fmt.Errorf("%w: compressed payload copy without offset", errCorrupt)
		}
		off := uint64(src[i])
		if off < 0x80 {
			i++
		} else {
			v, n := binary.Uvarint(src[i:])
			if n <= 0 {
				return dst, fmt.Errorf("%w: compressed payload copy offset", errCorrupt)
			}
			off, i = v, i+n
		}
		l := op>>1 + minMatch
		if off > uint64(len(dict)) || l > uint64(len(dict))-off || l < minMatch {
			return dst, fmt.Errorf("%w: compressed payload copy outside the dictionary", errCorrupt)
		}
		dst = append(dst, dict[off:off+l]...)
	}
	return dst, nil
}
