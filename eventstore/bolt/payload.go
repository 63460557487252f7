package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/internal/packed"
)

// Packed payloads (format 4).
//
// A format 4 ledger stores a payload that is a JSON object without white
// space packed (taskledger/internal/packed): its shape, interned in the
// names bucket as kind 'p', and its values, each string coded against the
// type's dictionary. The record body's payload is the shape's ID as a
// uvarint, then the values. The writer keeps the packed form only when it
// unpacks to the payload's exact bytes, so the bytes hashed and verified
// are unchanged; any other payload is stored compressed or as it is, as in
// format 3. Replay decodes packed values straight into typed payloads
// (domain.Registry.DecodePacked); every other read unpacks them to JSON.

// maxShapes bounds the shapes a ledger interns: a store fed payloads of
// ever new keys stops packing instead of growing its names without end.
const maxShapes = 4096

// payloadCodec decodes the payloads of one event type: its dictionary and
// a decompressor bound to it, made once so that handing it on allocates
// nothing.
type payloadCodec struct {
	dict       string
	decompress func(dst, src []byte) ([]byte, error)
}

// codecs caches, for one store, the payload codecs by type ID and the
// parsed shapes by shape ID. An entry is checked against the name it was
// made from: an ID a failed commit took may be taken again for another
// name. Replay looks up a codec and a shape for every event, so lookups
// take no lock.
type codecs struct {
	byType byID[payloadCodec]
	shapes byID[packed.Shape]
}

// codec returns the codec of type typ.
func (c *codecs) codec(res resolver, typ uint32) (*payloadCodec, error) {
	dict, err := res.name(kindDict, typ)
	if err != nil {
		return nil, err
	}
	if pc := c.byType.get(typ); pc != nil && pc.dict == dict {
		return pc, nil
	}
	pc := &payloadCodec{dict: dict}
	pc.decompress = func(dst, src []byte) ([]byte, error) { return decompress(dst, src, pc.dict) }
	c.byType.put(typ, pc)
	return pc, nil
}

// shape returns the parsed shape id.
func (c *codecs) shape(res resolver, id uint32) (*packed.Shape, error) {
	text, err := res.name(kindShape, id)
	if err != nil {
		return nil, err
	}
	if sh := c.shapes.get(id); sh != nil && sh.Text == text {
		return sh, nil
	}
	sh, err := packed.ParseShape(text)
	if err != nil {
		return nil, fmt.Errorf("%w: shape %d: %v", errCorrupt, id, err)
	}
	c.shapes.put(id, sh)
	return sh, nil
}

// byID holds entries by ID in a slice that readers load without a lock
// and a writer replaces whole, copied with the new entry. Entries are
// added once per ID (again only when a name was taken again), so the
// copies are few; IDs past maxCachedID are not kept.
type byID[T any] struct {
	mu   sync.Mutex
	list atomic.Pointer[[]*T]
}

// maxCachedID bounds the IDs a cache keeps: a ledger whose failed commits
// took many IDs looks those past it up each time.
const maxCachedID = maxShapes + 1024

// get returns the entry of id, or nil.
func (c *byID[T]) get(id uint32) *T {
	if l := c.list.Load(); l != nil && id < uint32(len(*l)) {
		return (*l)[id]
	}
	return nil
}

// put sets the entry of id.
func (c *byID[T]) put(id uint32, v *T) {
	if id >= maxCachedID {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var old []*T
	if l := c.list.Load(); l != nil {
		old = *l
	}
	list := make([]*T, max(len(old), int(id)+1))
	copy(list, old)
	list[id] = v
	c.list.Store(&list)
}

// splitPacked returns the shape ID and the values of a packed payload.
func splitPacked(p []byte) (uint32, []byte, error) {
	id, n := binary.Uvarint(p)
	if n <= 0 || id == 0 || id > 1<<32-1 {
		return 0, nil, fmt.Errorf("%w: packed payload's shape", errCorrupt)
	}
	return uint32(id), p[n:], nil
}

// unpack appends the JSON of e's packed payload of type typ to dst.
func (r *logReader) unpack(dst []byte, e *domain.Event, typ uint32) ([]byte, error) {
	sh, vals, pc, err := r.packedParts(e.Payload, typ)
	if err == nil {
		dst, err = packed.Unpack(dst, sh, vals, pc.decompress)
	}
	if err != nil {
		return dst, fmt.Errorf("read position %d: unpack payload: %w", e.Position, corrupt(err))
	}
	return dst, nil
}

// packedParts returns the shape, values and codec of a packed payload.
func (r *logReader) packedParts(p []byte, typ uint32) (*packed.Shape, []byte, *payloadCodec, error) {
	id, vals, err := splitPacked(p)
	if err != nil {
		return nil, nil, nil, err
	}
	sh, err := r.res.payloadCodecs().shape(r.res, id)
	if err != nil {
		return nil, nil, nil, err
	}
	pc, err := r.res.payloadCodecs().codec(r.res, typ)
	if err != nil {
		return nil, nil, nil, err
	}
	return sh, vals, pc, nil
}

// corrupt makes a packed-form error a damaged-ledger error.
func corrupt(err error) error {
	if err == nil || errors.Is(err, eventstore.ErrDamaged) {
		return err
	}
	return fmt.Errorf("%w: %v", errCorrupt, err)
}

// pack returns e's payload packed (shape ID and values) when it packs and
// unpacks to its exact bytes, interning a new shape; ok is false when the
// payload is to be stored as format 3 stores it.
func (w *writer) pack(e *domain.Event, typ uint32, t *dictTable) (out []byte, ok bool, err error) {
	text, vals, ok := packed.Pack(w.values[:0], e.Payload, t.compress)
	w.values = vals[:0]
	if !ok {
		return nil, false, nil
	}
	id, known := w.nameID(kindShape, text)
	var sh *packed.Shape
	if known {
		sh, err = w.res.codecs.shape(w.res, id)
	} else if w.s.names.count(kindShape)+uint32(len(w.newNames[kindIndex(kindShape)])) > maxShapes {
		return nil, false, nil
	} else {
		sh, err = packed.ParseShape(text)
	}
	if err != nil {
		return nil, false, err
	}
	pc, err := w.res.codecs.codec(w.res, typ)
	if err != nil {
		return nil, false, err
	}
	w.check, err = packed.Unpack(w.check[:0], sh, vals, pc.decompress)
	if err != nil || !bytes.Equal(w.check, e.Payload) {
		return nil, false, nil
	}
	if !known {
		if id, err = w.intern(kindShape, text); err != nil {
			return nil, false, err
		}
	}
	w.packedBody = binary.AppendUvarint(w.packedBody[:0], uint64(id))
	w.packedBody = append(w.packedBody, vals...)
	return w.packedBody, true, nil
}
