package bolt

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"

	bbolt "go.etcd.io/bbolt"
)

// Kinds of interned strings; each kind numbers its strings 1, 2, 3… and
// reserves 0 for the empty string. A type's payload dictionary has the
// type's ID: dictionaries are added with their types.
//
// Format 4 adds shapes of packed payloads (payload.go), numbered like the
// others; a shape's ID is what a packed record names.
const (
	kindStream = 's'
	kindType   = 't'
	kindActor  = 'a'
	kindDict   = 'd'
	kindShape  = 'p'
)

var kinds = [...]byte{kindStream, kindType, kindActor, kindDict, kindShape}

// kindIndex returns the index of a kind in kinds; an unknown kind gives the
// dictionaries' index, which callers check against the kind itself.
func kindIndex(kind byte) int {
	switch kind {
	case kindStream:
		return 0
	case kindType:
		return 1
	case kindActor:
		return 2
	case kindShape:
		return 4
	default:
		return 3
	}
}

// nameKey is the key of an interned string in the names bucket.
func nameKey(kind byte, id uint32) []byte {
	var k [5]byte
	k[0] = kind
	binary.BigEndian.PutUint32(k[1:], id)
	return k[:]
}

// nameTable is the in-memory copy of the names bucket: every interned
// string, both ways. The committer adds to it after each commit; readers use
// byID snapshots without locking.
type nameTable struct {
	byID [len(kinds)]atomic.Pointer[[]string]

	mu     sync.RWMutex
	byName [len(kinds)]map[string]uint32

	// codecs are the decoders of payloads built from the names.
	codecs codecs
}

func newNameTable() *nameTable {
	t := &nameTable{}
	for i := range kinds {
		empty := []string{""}
		t.byID[i].Store(&empty)
		t.byName[i] = map[string]uint32{}
	}
	return t
}

// load fills the table from the names bucket.
func (t *nameTable) load(b *bbolt.Bucket) error {
	var lists [len(kinds)][]string
	for i := range lists {
		lists[i] = []string{""}
	}
	err := b.ForEach(func(k, v []byte) error {
		if len(k) != 5 {
			return fmt.Errorf("%w: name key %x", errCorrupt, k)
		}
		ki := kindIndex(k[0])
		if kinds[ki] != k[0] || binary.BigEndian.Uint32(k[1:]) != uint32(len(lists[ki])) {
			return fmt.Errorf("%w: name key %x out of sequence", errCorrupt, k)
		}
		lists[ki] = append(lists[ki], string(v))
		return nil
	})
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(lists[kindIndex(kindDict)]) != len(lists[kindIndex(kindType)]) {
		return fmt.Errorf("%w: %d event types but %d payload dictionaries", errCorrupt,
			len(lists[kindIndex(kindType)])-1, len(lists[kindIndex(kindDict)])-1)
	}
	for i, kind := range kinds {
		list := lists[i]
		if kind != kindDict {
			for id, s := range list[1:] {
				t.byName[i][s] = uint32(id + 1)
			}
		}
		t.byID[i].Store(&list)
	}
	return nil
}

// id returns the ID of a committed string.
func (t *nameTable) id(kind byte, s string) (uint32, bool) {
	if s == "" {
		return 0, true
	}
	t.mu.RLock()
	id, ok := t.byName[kindIndex(kind)][s]
	t.mu.RUnlock()
	return id, ok
}

// count returns how many IDs of a kind are taken, counting the reserved 0.
func (t *nameTable) count(kind byte) uint32 {
	return uint32(len(*t.byID[kindIndex(kind)].Load()))
}

// add publishes strings committed with consecutive IDs from count(kind) on.
func (t *nameTable) add(kind byte, added []string) {
	if len(added) == 0 {
		return
	}
	ki := kindIndex(kind)
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.byID[ki].Load()
	if kind != kindDict {
		for i, s := range added {
			t.byName[ki][s] = uint32(len(old) + i)
		}
	}
	// Readers hold older slice headers and never look past their length,
	// so appending in place is safe.
	list := append(old, added...)
	t.byID[ki].Store(&list)
}

// snapshot is a reader's view of the table, falling back to the names
// bucket of its own transaction for strings committed after the snapshot.
type snapshot struct {
	lists  [len(kinds)][]string
	names  *bbolt.Bucket
	later  map[string]string // strings found in the bucket, by key
	codecs *codecs
}

func (t *nameTable) snapshot(names *bbolt.Bucket) *snapshot {
	s := &snapshot{names: names, codecs: &t.codecs}
	for i := range kinds {
		s.lists[i] = *t.byID[i].Load()
	}
	return s
}

// remember makes a string interned by the transaction's own writer, and
// not in the bucket, resolvable.
func (s *snapshot) remember(kind byte, id uint32, name string) {
	if s.later == nil {
		s.later = map[string]string{}
	}
	s.later[string(nameKey(kind, id))] = name
}

func (s *snapshot) payloadCodecs() *codecs { return s.codecs }

func (s *snapshot) name(kind byte, id uint32) (string, error) {
	ki := kindIndex(kind)
	if list := s.lists[ki]; id < uint32(len(list)) {
		return list[id], nil
	}
	key := nameKey(kind, id)
	if v, ok := s.later[string(key)]; ok {
		return v, nil
	}
	if s.names != nil {
		if v := s.names.Get(key); v != nil {
			if s.later == nil {
				s.later = map[string]string{}
			}
			s.later[string(key)] = string(v)
			return string(v), nil
		}
	}
	return "", fmt.Errorf("%w: unknown %c name %d", errCorrupt, kind, id)
}
