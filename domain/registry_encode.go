package domain

import (
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/google/uuid"
)

// The canonical payload writer.
//
// A payload's bytes are what encoding/json's Marshal writes: the ledger
// stores and hashes them, and domain/testdata/payloads.golden pins their
// form. Every command encodes its events, and Marshal finds its way
// through each value by reflection and escapes strings rune by rune. The
// writer compiles, once per payload type, where each field is and how
// encoding/json writes it, then writes values from their offsets and
// copies a string that needs no escape whole. It writes only what it can
// write exactly as Marshal does; a type holding anything else (a float, a
// map, an interface, a marshaler other than the domain's own text types,
// a tag option other than omitempty) is encoded by Marshal, and so is any
// payload holding a string that needs escaping or a date outside the
// years 0–9999 (TestEncoderAgreesWithStandardLibrary).

// encKind is how a value of one Go type is written.
type encKind uint8

const (
	encString encKind = iota
	encInt
	encUint
	encBool
	encStruct
	encSlice
	encPointer
	encDate
	encYearMonth
	encHash
	encUUID
)

// encPlan is the writing plan of one Go type.
type encPlan struct {
	kind   encKind
	size   uintptr    // encInt, encUint: the value's size; encSlice: the element's
	fields []encField // encStruct: in the order encoding/json writes them
	elem   *encPlan   // encSlice, encPointer
}

// encField is one key of a struct as encoding/json writes it.
type encField struct {
	key       string // "name":
	off       uintptr
	plan      *encPlan
	omitEmpty bool
}

// newEncPlan returns the writing plan of t, or nil when t holds something
// the writer leaves to encoding/json.
func newEncPlan(t reflect.Type) *encPlan {
	return compileEnc(t, map[reflect.Type]bool{})
}

// compileEnc is newEncPlan for t, with open the types being compiled
// further up (a recursive type is refused).
func compileEnc(t reflect.Type, open map[reflect.Type]bool) *encPlan {
	switch t {
	case reflect.TypeFor[Date]():
		return &encPlan{kind: encDate}
	case reflect.TypeFor[YearMonth]():
		return &encPlan{kind: encYearMonth}
	case reflect.TypeFor[Hash]():
		return &encPlan{kind: encHash}
	case reflect.TypeFor[uuid.UUID]():
		return &encPlan{kind: encUUID}
	}
	if open[t] || hasJSONMethods(t) {
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		return &encPlan{kind: encString}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &encPlan{kind: encInt, size: t.Size()}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &encPlan{kind: encUint, size: t.Size()}
	case reflect.Bool:
		return &encPlan{kind: encBool}
	case reflect.Slice, reflect.Pointer, reflect.Struct:
		open[t] = true
		defer delete(open, t)
		return compileEncComposite(t, open)
	}
	return nil
}

// compileEncComposite is compileEnc for a struct, a slice or a pointer.
func compileEncComposite(t reflect.Type, open map[reflect.Type]bool) *encPlan {
	switch t.Kind() {
	case reflect.Struct:
		fields, ok := encFields(t, 0, open)
		if !ok {
			return nil
		}
		return &encPlan{kind: encStruct, fields: fields}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // encoding/json writes []byte as base64
		}
		if elem := compileEnc(t.Elem(), open); elem != nil {
			return &encPlan{kind: encSlice, size: t.Elem().Size(), elem: elem}
		}
	case reflect.Pointer:
		if elem := compileEnc(t.Elem(), open); elem != nil {
			return &encPlan{kind: encPointer, elem: elem}
		}
	}
	return nil
}

// encFields lists the keys of struct t (at offset at in the value
// written) in the order encoding/json writes them (see jsonKeys), giving
// up on any tag option but omitempty.
func encFields(t reflect.Type, at uintptr, open map[reflect.Type]bool) ([]encField, bool) {
	keys, ok := jsonKeys(t, at, open)
	if !ok {
		return nil, false
	}
	out := make([]encField, 0, len(keys))
	for _, k := range keys {
		if k.opts != "" && k.opts != "omitempty" {
			return nil, false
		}
		plan := compileEnc(k.typ, open)
		if plan == nil {
			return nil, false
		}
		out = append(out, encField{key: `"` + k.name + `":`, off: k.off, plan: plan, omitEmpty: k.opts == "omitempty"})
	}
	return out, true
}

// encodeFunc writes one payload of a registered type as encoding/json
// does, or reports false when the payload is to be left to encoding/json.
type encodeFunc func(data EventData) ([]byte, bool)

// newTypedEncoder returns the writer of payload type T, or nil when T
// holds something the writer leaves to encoding/json.
func newTypedEncoder[T EventData]() encodeFunc {
	plan := newEncPlan(reflect.TypeFor[T]())
	if plan == nil {
		return nil
	}
	return func(data EventData) ([]byte, bool) {
		v, ok := data.(T)
		if !ok {
			return nil, false
		}
		return appendPlanned(make([]byte, 0, 256), plan, unsafe.Pointer(&v))
	}
}

// appendPlanned appends the value at p, written by plan, to dst.
func appendPlanned(dst []byte, plan *encPlan, p unsafe.Pointer) ([]byte, bool) {
	switch plan.kind {
	case encString:
		return appendJSONString(dst, *(*string)(p))
	case encInt:
		return strconv.AppendInt(dst, loadInt(p, plan.size), 10), true
	case encUint:
		return strconv.AppendUint(dst, loadUint(p, plan.size), 10), true
	case encBool:
		return strconv.AppendBool(dst, *(*bool)(p)), true
	case encStruct:
		return appendStruct(dst, plan, p)
	case encSlice:
		return appendSlice(dst, plan, p)
	case encPointer:
		if q := *(*unsafe.Pointer)(p); q != nil {
			return appendPlanned(dst, plan.elem, q)
		}
		return append(dst, "null"...), true
	}
	return appendText(dst, plan.kind, p)
}

// appendStruct appends the struct at p: its keys in order, the empty
// values of omitempty fields left out.
func appendStruct(dst []byte, plan *encPlan, p unsafe.Pointer) ([]byte, bool) {
	dst = append(dst, '{')
	first := true
	for i := range plan.fields {
		f := &plan.fields[i]
		at := unsafe.Add(p, f.off)
		if f.omitEmpty && isEmpty(f.plan, at) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, f.key...)
		var ok bool
		if dst, ok = appendPlanned(dst, f.plan, at); !ok {
			return dst, false
		}
	}
	return append(dst, '}'), true
}

// appendSlice appends the slice at p: null when nil, as encoding/json
// writes it.
func appendSlice(dst []byte, plan *encPlan, p unsafe.Pointer) ([]byte, bool) {
	s := (*sliceHeader)(p)
	if s.data == nil {
		return append(dst, "null"...), true
	}
	dst = append(dst, '[')
	for i := range s.len {
		if i > 0 {
			dst = append(dst, ',')
		}
		var ok bool
		if dst, ok = appendPlanned(dst, plan.elem, unsafe.Add(s.data, uintptr(i)*plan.size)); !ok {
			return dst, false
		}
	}
	return append(dst, ']'), true
}

// sliceHeader is the layout of a slice value.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// isEmpty reports whether the value at p is one omitempty leaves out:
// false, 0, "", a nil pointer, an empty slice. Structs and arrays (dates,
// months, hashes, IDs) never are.
func isEmpty(plan *encPlan, p unsafe.Pointer) bool {
	switch plan.kind {
	case encString:
		return len(*(*string)(p)) == 0
	case encInt:
		return loadInt(p, plan.size) == 0
	case encUint:
		return loadUint(p, plan.size) == 0
	case encBool:
		return !*(*bool)(p)
	case encSlice:
		return (*sliceHeader)(p).len == 0
	case encPointer:
		return *(*unsafe.Pointer)(p) == nil
	}
	return false
}

// loadInt reads a signed integer of size bytes at p.
func loadInt(p unsafe.Pointer, size uintptr) int64 {
	switch size {
	case 1:
		return int64(*(*int8)(p))
	case 2:
		return int64(*(*int16)(p))
	case 4:
		return int64(*(*int32)(p))
	}
	return *(*int64)(p)
}

// loadUint reads an unsigned integer of size bytes at p.
func loadUint(p unsafe.Pointer, size uintptr) uint64 {
	switch size {
	case 1:
		return uint64(*(*uint8)(p))
	case 2:
		return uint64(*(*uint16)(p))
	case 4:
		return uint64(*(*uint32)(p))
	}
	return *(*uint64)(p)
}

// appendText appends one of the domain's text types as encoding/json
// writes it: its MarshalText, quoted.
func appendText(dst []byte, kind encKind, p unsafe.Pointer) ([]byte, bool) {
	dst = append(dst, '"')
	switch kind {
	case encDate:
		d := *(*Date)(p)
		if !d.IsZero() {
			if d.y < 0 || d.y > 9999 || d.m < 0 || d.m > 99 || d.d < 0 || d.d > 99 {
				return dst, false
			}
			dst = appendDigits(append(appendDigits(append(appendDigits(dst, d.y, 4), '-'), int(d.m), 2), '-'), d.d, 2)
		}
	case encYearMonth:
		ym := *(*YearMonth)(p)
		if !ym.IsZero() {
			if ym.y < 0 || ym.y > 9999 || ym.m < 0 || ym.m > 99 {
				return dst, false
			}
			dst = appendDigits(append(appendDigits(dst, ym.y, 4), '-'), int(ym.m), 2)
		}
	case encHash:
		h := (*Hash)(p)
		dst = hex.AppendEncode(dst, h[:])
	case encUUID:
		id := (*uuid.UUID)(p)
		dst = hex.AppendEncode(dst, id[0:4])
		for _, part := range [...][2]int{{4, 6}, {6, 8}, {8, 10}, {10, 16}} {
			dst = hex.AppendEncode(append(dst, '-'), id[part[0]:part[1]])
		}
	}
	return append(dst, '"'), true
}

// appendDigits appends n (0 ≤ n < 10^width) zero-padded to width digits.
func appendDigits(dst []byte, n, width int) []byte {
	var buf [4]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, buf[:width]...)
}

// appendJSONString appends s quoted, when encoding/json writes it with no
// escape: valid UTF-8, no control character, none of " \ < > & (which
// Marshal escapes as HTML-unsafe), no U+2028 or U+2029. Any other string
// is written by encoding/json itself.
func appendJSONString(dst []byte, s string) ([]byte, bool) {
	if !plainJSONString(s) {
		b, err := json.Marshal(s)
		return append(dst, b...), err == nil
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), true
}

// plainJSONString reports whether encoding/json writes s between quotes as
// it is.
func plainJSONString(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch jsonByteClass[s[i]] {
		case jsonPlain:
		case jsonEscaped:
			return false
		case jsonLineSep:
			if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9) {
				return false // U+2028, U+2029
			}
			ascii = false
		default:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s)
}

// What one byte of a string is to encoding/json's Marshal.
const (
	jsonPlain   = iota // written as it is
	jsonEscaped        // a control character, or one of " \ < > &
	jsonNonASCII
	jsonLineSep // 0xe2, the first byte of U+2028 and U+2029
)

// jsonByteClass classes every byte value.
var jsonByteClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&':
			t[c] = jsonEscaped
		case c == 0xe2:
			t[c] = jsonLineSep
		case c >= utf8.RuneSelf:
			t[c] = jsonNonASCII
		}
	}
	return t
}()
