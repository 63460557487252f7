package projections

import (
	"crypto/sha256"
	"encoding"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
)

// stateShape names the shape of the state a model's snapshot holds: a
// SHA-256 over the description of its state type — every struct's fields
// with their names and types, every map's key and element, every named
// type by package and name — as gob writes it. A snapshot records the
// shape it was written with, and one of another shape (a model whose state
// gained, lost or changed a field since) is not loaded: gob would fill a
// new field with its zero value and drop a removed one without a word.
func stateShape(state any) string {
	var b strings.Builder
	describeType(&b, reflect.TypeOf(state), map[reflect.Type]bool{})
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:16])
}

var (
	gobEncoderType    = reflect.TypeFor[gob.GobEncoder]()
	binaryMarshalType = reflect.TypeFor[encoding.BinaryMarshaler]()
)

// encodesItself reports whether gob writes t through its own encoder (as
// it does time.Time), so that its fields are not part of the shape.
func encodesItself(t reflect.Type) bool {
	return t.Implements(gobEncoderType) || t.Implements(binaryMarshalType) ||
		reflect.PointerTo(t).Implements(gobEncoderType) || reflect.PointerTo(t).Implements(binaryMarshalType)
}

// describeType writes t's description to b. A named type seen before is
// written by name only, which ends recursion.
func describeType(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	if t.Name() != "" {
		fmt.Fprintf(b, "%s.%s", t.PkgPath(), t.Name())
		if seen[t] || encodesItself(t) {
			return
		}
		seen[t] = true
		b.WriteByte('=')
	}
	switch t.Kind() {
	case reflect.Struct:
		b.WriteString("struct{")
		for f := range t.Fields() {
			if !f.IsExported() {
				continue // gob does not write it (see TestSnapshotStatesHoldOnlyWhatGobWrites)
			}
			b.WriteString(f.Name)
			b.WriteByte(' ')
			describeType(b, f.Type, seen)
			b.WriteByte(';')
		}
		b.WriteByte('}')
	case reflect.Map:
		b.WriteString("map[")
		describeType(b, t.Key(), seen)
		b.WriteByte(']')
		describeType(b, t.Elem(), seen)
	case reflect.Slice:
		b.WriteString("[]")
		describeType(b, t.Elem(), seen)
	case reflect.Array:
		fmt.Fprintf(b, "[%d]", t.Len())
		describeType(b, t.Elem(), seen)
	case reflect.Pointer:
		b.WriteByte('*')
		describeType(b, t.Elem(), seen)
	default:
		b.WriteString(t.Kind().String())
	}
}
