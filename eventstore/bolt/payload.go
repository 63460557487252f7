package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

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
// name.
type codecs struct {
	byType sync.Map // uint32 → *payloadCodec
	shapes sync.Map // uint32 → *packed.Shape
}

// codec returns the codec of type typ.
func (c *codecs) codec(res resolver, typ uint32) (*payloadCodec, error) {
	dict, err := res.name(kindDict, typ)
	if err != nil {
		return nil, err
	}
	if v, ok := c.byType.Load(typ); ok && v.(*payloadCodec).dict == dict {
		return v.(*payloadCodec), nil
	}
	pc := &payloadCodec{dict: dict}
	pc.decompress = func(dst, src []byte) ([]byte, error) { return decompress(dst, src, pc.dict) }
	c.byType.Store(typ, pc)
	return pc, nil
}

// shape returns the parsed shape id.
func (c *codecs) shape(res resolver, id uint32) (*packed.Shape, error) {
	text, err := res.name(kindShape, id)
	if err != nil {
		return nil, err
	}
	if v, ok := c.shapes.Load(id); ok && v.(*packed.Shape).Text == text {
		return v.(*packed.Shape), nil
	}
	sh, err := packed.ParseShape(text)
	if err != nil {
		return nil, fmt.Errorf("%w: shape %d: %v", errCorrupt, id, err)
	}
	c.shapes.Store(id, sh)
	return sh, nil
}

// readerMemo is one reader's memo of the codecs and shapes it has looked
// up, by ID. A reader resolves names in one transaction, where an ID names
// one string for the reader's whole life, so the memo needs neither the
// check against the name the store's shared cache makes nor its
// synchronisation: replay looks up a codec and a shape for every event.
type readerMemo struct {
	byType []*payloadCodec
	shapes []*packed.Shape
}

// maxMemo bounds the IDs a reader memoizes; larger ones (a ledger whose
// failed commits took many IDs) go to the store's cache each time.
const maxMemo = maxShapes + 1024

// codec returns the codec of type typ.
func (r *logReader) codec(typ uint32) (*payloadCodec, error) {
	return memoized(&r.memo.byType, typ, r.res, (*codecs).codec)
}

// shape returns the parsed shape id.
func (r *logReader) shape(id uint32) (*packed.Shape, error) {
	return memoized(&r.memo.shapes, id, r.res, (*codecs).shape)
}

// memoized returns the entry of *list at id, looking it up in the store's
// cache through res when the list does not have it, and keeping it there
// unless id is past maxMemo.
func memoized[T any](list *[]*T, id uint32, res resolver, lookup func(*codecs, resolver, uint32) (*T, error)) (*T, error) {
	if id < uint32(len(*list)) && (*list)[id] != nil {
		return (*list)[id], nil
	}
	v, err := lookup(res.payloadCodecs(), res, id)
	if err != nil || id >= maxMemo {
		return v, err
	}
	if id >= uint32(len(*list)) {
		*list = append(*list, make([]*T, int(id)+1-len(*list))...)
	}
	(*list)[id] = v
	return v, nil
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
	sh, err := r.shape(id)
	if err != nil {
		return nil, nil, nil, err
	}
	pc, err := r.codec(typ)
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
