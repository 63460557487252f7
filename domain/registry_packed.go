package domain

import (
	"encoding"
	"fmt"
	"reflect"
	"unsafe"

	"taskledger/internal/packed"
)

// Decoding packed payloads.
//
// The embedded store keeps most payloads packed (taskledger/internal/packed):
// a shape, the payload's keys and the kind of each value, stored once, and
// the values alone in each record. A replay decodes such a payload straight
// into its typed value, without rebuilding its JSON: for each shape and Go
// type, a packedProgram says which field each value goes to. A shape the
// program cannot follow — a key the type does not have exactly, a value of
// another kind than the field's, a field the canonical reader does not
// set itself — has no program, and its payloads are unpacked to JSON and
// decoded as any stored payload is, to the same value or error
// (TestPackedDecodeAgreesWithJSON).

// Decompress appends coded bytes, decoded, to dst (the store's dictionary
// decompression).
type Decompress = func(dst, src []byte) ([]byte, error)

// DecodePacked returns the typed payload of an event whose payload is
// stored packed: shape sh, values vals, strings coded by decompress. It
// gives what Decode gives for the unpacked payload. e.Payload is not read.
func (r *Registry) DecodePacked(e *Event, sh *packed.Shape, vals []byte, decompress Decompress) (EventData, error) {
	reg, ok := r.types[e.Type]
	if ok && reg.packed != nil && (e.SchemaVersion == reg.version || e.SchemaVersion == 0 && reg.version == 1) {
		if data, ok := reg.packed(sh, vals, decompress); ok {
			return data, nil
		}
	}
	payload, err := packed.Unpack(nil, sh, vals, decompress)
	if err != nil {
		return nil, fmt.Errorf("decode event %s (%s): unpack payload: %w", e.ID, e.Type, err)
	}
	plain := *e
	plain.Payload = payload
	return r.Decode(&plain)
}

// packedFunc decodes packed values of one type; ok is false when the shape
// has no program or the values do not fit it (then the JSON path decides).
type packedFunc func(sh *packed.Shape, vals []byte, decompress Decompress) (EventData, bool)

// packedOp sets one field from one value.
type packedOp struct {
	kind canonKind // canonString, canonInt, canonUint, canonText, canonYearMonth
	off  uintptr
	bits int
	typ  reflect.Type // canonText
}

// packedProgram is the ops of one shape for one type, in the shape's order.
type packedProgram struct{ ops []packedOp }

// noProgram is kept for a shape a type's program cannot follow.
var noProgram = &packedProgram{}

// compilePacked returns the program of shape sh for the struct type t
// (its canonical reading plan), or noProgram.
func compilePacked(sh *packed.Shape, t *canonType) *packedProgram {
	if t == nil || t.kind != canonStruct {
		return noProgram
	}
	fields := make(map[string]*canonField, len(t.fields))
	for i := range t.fields {
		fields[t.fields[i].name] = &t.fields[i]
	}
	prog := &packedProgram{ops: make([]packedOp, 0, len(sh.Fields))}
	for _, f := range sh.Fields {
		cf, ok := fields[f.Key]
		if !ok {
			return noProgram // unknown, or given twice
		}
		delete(fields, f.Key)
		op := packedOp{kind: cf.typ.kind, off: cf.off, bits: cf.typ.bits, typ: cf.typ.typ}
		switch {
		case f.Kind == packed.KindString && (op.kind == canonString || op.kind == canonText || op.kind == canonYearMonth):
		case f.Kind == packed.KindInt && (op.kind == canonInt || op.kind == canonUint):
		default:
			return noProgram
		}
		prog.ops = append(prog.ops, op)
	}
	return prog
}

// programFor returns the program of sh for the type of key, compiling it
// the first time.
func programFor(sh *packed.Shape, key reflect.Type, t *canonType) *packedProgram {
	if p, ok := sh.Programs.Load(key); ok {
		return p.(*packedProgram)
	}
	p, _ := sh.Programs.LoadOrStore(key, compilePacked(sh, t))
	return p.(*packedProgram)
}

// run sets the fields of the zero value at p from vals. Strings longer
// than maxShort get memory of their own, decompressed into it; shorter
// ones go through the scratch's cache of short strings.
func (prog *packedProgram) run(p unsafe.Pointer, vals []byte, decompress Decompress, sc *canonScratch) bool {
	v := packed.NewValues(vals)
	for _, op := range prog.ops {
		at := unsafe.Add(p, op.off)
		if op.kind == canonInt || op.kind == canonUint {
			x, err := v.Int()
			if err != nil || !setInteger(at, op, x) {
				return false
			}
			continue
		}
		n, err := v.Len()
		if err != nil {
			return false
		}
		if op.kind == canonString && n > maxShort {
			mem, err := v.Bytes(make([]byte, 0, n), decompress)
			if err != nil {
				return false
			}
			*(*string)(at) = unsafe.String(unsafe.SliceData(mem), len(mem))
			continue
		}
		tmp, err := v.Bytes(sc.tmp[:0], decompress)
		sc.tmp = tmp[:0]
		if err != nil || !setFromText(at, op, tmp, sc) {
			return false
		}
	}
	return v.Done()
}

// setInteger stores x in the integer field op names, unless it does not fit.
func setInteger(at unsafe.Pointer, op packedOp, x int64) bool {
	if op.kind == canonInt {
		return setInt(at, op.bits, x)
	}
	return x >= 0 && setUint(at, op.bits, uint64(x))
}

// setFromText sets a string, text or month field from a value's bytes.
func setFromText(at unsafe.Pointer, op packedOp, b []byte, sc *canonScratch) bool {
	switch op.kind {
	case canonString:
		if len(b) > 0 {
			*(*string)(at) = sc.short.get(b)
		}
		return true
	case canonYearMonth:
		if len(b) == 0 {
			return true
		}
		ym, ok := yearMonthOf(b)
		*(*YearMonth)(at) = ym
		return ok
	}
	u := reflect.NewAt(op.typ, at).Interface().(encoding.TextUnmarshaler)
	return u.UnmarshalText(b) == nil
}
