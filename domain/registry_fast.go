package domain

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/bits"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/google/uuid"
)

// The canonical payload reader.
//
// Stored payloads are almost always what encoding/json wrote (Encode): no
// white space, the fields in declaration order, strings escaped only where
// JSON requires it. canonicalReader decodes exactly that form and nothing
// else, without sonic's generic machinery: it expects each key where
// encoding/json writes it, sets fields through their offsets, parses
// numbers in place and copies the decoded strings out of the payload
// together. Whenever the input is anything else — white space, an escape,
// an unknown or differently cased key, a null where a value is due, a
// number of another form — it gives up and the registry decodes the
// payload with sonic as before, so a payload decodes to the same value, or
// fails with the same error, as it did without it
// (TestCanonicalReaderAgreesWithSonicAndStandardLibrary).

// canonKind is how a canonical value of one Go type is read.
type canonKind uint8

const (
	canonString canonKind = iota
	canonInt
	canonUint
	canonBool
	canonFloat
	canonStruct
	canonSlice
	canonPointer
	canonYearMonth
	canonText // a TextUnmarshaler known not to keep its input (textTypes)
)

// canonType is the reading plan of one Go type.
type canonType struct {
	kind   canonKind
	typ    reflect.Type
	bits   int          // canonInt, canonUint, canonFloat: the type's size
	fields []canonField // canonStruct: in the order encoding/json writes them
	elem   *canonType   // canonSlice, canonPointer
}

// canonField is one JSON key of a struct: the Go field it sets (its offset
// in the struct, embedded structs' fields included) and how to read its
// value.
type canonField struct {
	name string
	key  string // "name": as encoding/json writes it before the value
	off  uintptr
	typ  *canonType
}

// textTypes are the TextUnmarshalers the canonical reader calls itself:
// domain types whose UnmarshalText parses its input and keeps none of it.
// Any other type with an UnmarshalText or UnmarshalJSON method is left to
// sonic, as is every type holding one.
var textTypes = [...]reflect.Type{reflect.TypeFor[Date](), reflect.TypeFor[Hash](), reflect.TypeFor[uuid.UUID]()}

// The interfaces through which encoding/json lets a type read or write
// itself.
var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
)

// newCanonType returns the reading plan of t, or nil when some part of t
// is outside what the canonical reader handles (the type then always
// decodes through sonic).
func newCanonType(t reflect.Type) *canonType {
	return compileCanon(t, map[reflect.Type]bool{})
}

// compileCanon is newCanonType for t, with open the types being compiled
// further up (a type met again inside itself is recursive, and refused).
func compileCanon(t reflect.Type, open map[reflect.Type]bool) *canonType {
	if open[t] {
		return nil // a recursive type
	}
	pt := reflect.PointerTo(t)
	switch {
	case t.Kind() == reflect.Pointer:
		// encoding/json allocates the value and reads into it, or reads
		// null as nil, before it asks for an Unmarshaler.
	case t == reflect.TypeFor[YearMonth]():
		return &canonType{kind: canonYearMonth, typ: t}
	case isTextType(t):
		return &canonType{kind: canonText, typ: t}
	case t.Implements(jsonUnmarshaler) || pt.Implements(jsonUnmarshaler),
		t.Implements(textUnmarshaler) || pt.Implements(textUnmarshaler):
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		return &canonType{kind: canonString, typ: t}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &canonType{kind: canonInt, typ: t, bits: t.Bits()}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &canonType{kind: canonUint, typ: t, bits: t.Bits()}
	case reflect.Bool:
		return &canonType{kind: canonBool, typ: t}
	case reflect.Float32, reflect.Float64:
		return &canonType{kind: canonFloat, typ: t, bits: t.Bits()}
	case reflect.Slice, reflect.Pointer, reflect.Struct:
		open[t] = true
		defer delete(open, t)
		return compileComposite(t, open)
	}
	return nil
}

// compileComposite is compileCanon for a struct, a slice or a pointer.
func compileComposite(t reflect.Type, open map[reflect.Type]bool) *canonType {
	switch t.Kind() {
	case reflect.Struct:
		fields, ok := canonFields(t, 0, open)
		if !ok {
			return nil
		}
		return &canonType{kind: canonStruct, typ: t, fields: fields}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // encoding/json reads []byte as base64
		}
		if elem := compileCanon(t.Elem(), open); elem != nil {
			return &canonType{kind: canonSlice, typ: t, elem: elem}
		}
	case reflect.Pointer:
		if elem := compileCanon(t.Elem(), open); elem != nil {
			return &canonType{kind: canonPointer, typ: t, elem: elem}
		}
	}
	return nil
}

// isTextType reports whether t is one of textTypes.
func isTextType(t reflect.Type) bool {
	for _, tt := range textTypes {
		if t == tt {
			return true
		}
	}
	return false
}

// canonFields lists the JSON keys of struct t (at offset at in the value
// read), embedded structs' fields in place, in declaration order: the
// order encoding/json writes them. It gives up (false) on anything whose
// keys encoding/json would resolve by its precedence rules (see jsonKeys)
// and on a tag option it does not read.
func canonFields(t reflect.Type, at uintptr, open map[reflect.Type]bool) ([]canonField, bool) {
	keys, ok := jsonKeys(t, at, open)
	if !ok {
		return nil, false
	}
	out := make([]canonField, 0, len(keys))
	for _, k := range keys {
		if k.opts != "" && k.opts != "omitempty" && k.opts != "omitzero" {
			return nil, false
		}
		ft := compileCanon(k.typ, open)
		if ft == nil {
			return nil, false
		}
		out = append(out, canonField{name: k.name, key: `"` + k.name + `":`, off: k.off, typ: ft})
	}
	return out, true
}

// jsonKey is one key of a struct as encoding/json names it: the field's
// type, its offset in the outermost struct and its tag's options.
type jsonKey struct {
	name, opts string
	typ        reflect.Type
	off        uintptr
}

// jsonKeys lists the keys of struct t (at offset at in the outermost
// struct) in the order encoding/json writes them, the fields of an
// embedded struct without a name of its own in its place. It gives up
// (false) where encoding/json would resolve keys by its precedence rules
// or read a field in a way of its own: a key used twice, a tag name
// outside validKey, an embedded pointer, non-struct or struct with
// marshaling methods, an unexported embedded struct given a name, a
// recursive embedding.
func jsonKeys(t reflect.Type, at uintptr, open map[reflect.Type]bool) ([]jsonKey, bool) {
	var out []jsonKey
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !validKey(name) {
			return nil, false
		}
		off := at + f.Offset
		switch {
		case f.Anonymous && name == "":
			inner, ok := embeddedKeys(f.Type, off, open)
			if !ok {
				return nil, false
			}
			out = append(out, inner...)
			continue
		case f.Anonymous && !f.IsExported():
			return nil, false
		case !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		out = append(out, jsonKey{name: name, opts: opts, typ: f.Type, off: off})
	}
	seen := make(map[string]bool, len(out))
	for _, k := range out {
		if seen[k.name] {
			return nil, false
		}
		seen[k.name] = true
	}
	return out, true
}

// embeddedKeys is jsonKeys for the struct t embedded at offset off.
func embeddedKeys(t reflect.Type, off uintptr, open map[reflect.Type]bool) ([]jsonKey, bool) {
	if t.Kind() != reflect.Struct || open[t] || hasJSONMethods(t) {
		return nil, false
	}
	open[t] = true
	defer delete(open, t)
	return jsonKeys(t, off, open)
}

// hasJSONMethods reports whether t or a pointer to it has a method
// encoding/json calls to write or read it.
func hasJSONMethods(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	if t.Kind() == reflect.Pointer {
		pt = t
	}
	return pt.Implements(jsonMarshaler) || pt.Implements(textMarshaler) ||
		pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler)
}

// validKey reports whether a tag's name is one the canonical reader takes
// as it is: letters, digits and _ - . (encoding/json accepts more, and
// ignores some names; those types go to sonic).
func validKey(name string) bool {
	for _, c := range name {
		if !(c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// canonicalReader reads one payload.
type canonicalReader struct {
	b []byte
	i int
	// owned is the string fields that still point into b, to be copied
	// out once the whole payload has been read.
	owned   []*string
	inArray int // > 0 while reading a slice's elements
	short   *shortStrings
}

// readCanonical decodes payload into the value at p, a zero value of t's
// type, and reports whether payload was entirely in canonical form. When
// it was not, the value is partly set, with strings that may point into
// payload, and the caller must discard it.
//
// The decoded strings are copied out of payload together, into one
// allocation of their total length: no decoded string points into
// payload, and the JSON around them (keys, numbers) is not copied.
// Strings inside slices, whose elements move as the slice grows, are
// copied one by one as they are read.
func readCanonical(t *canonType, payload []byte, p unsafe.Pointer, sc *canonScratch) bool {
	r := canonicalReader{b: payload, owned: sc.owned[:0], short: &sc.short}
	ok := r.value(t, p) && r.i == len(r.b)
	if ok {
		r.ownStrings()
	}
	clear(r.owned)
	sc.owned = r.owned[:0]
	return ok
}

// canonScratch is memory a canonical reader reuses from one payload to the
// next (a decoder slot keeps one).
type canonScratch struct {
	owned []*string
	short shortStrings
	tmp   []byte // a packed value's bytes (registry_packed.go)
}

// shortStrings remembers short strings read recently (IDs, roles, months:
// the same few values over and over) so that reading one again costs
// neither a copy nor memory, and a value that keeps it keeps nothing else
// alive. It is a direct-mapped cache: a string replaces the one in its
// slot.
type shortStrings [256]string

// maxShort is the length up to which a string goes through shortStrings.
const maxShort = 32

// get returns b as a string, the one remembered when it is there.
func (c *shortStrings) get(b []byte) string {
	var x uint64
	if len(b) >= 8 {
		x = binary.LittleEndian.Uint64(b) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(b[len(b)-8:]), 29)
	} else {
		for _, ch := range b {
			x = x<<8 | uint64(ch)
		}
	}
	x = (x ^ uint64(len(b))) * 0x9e3779b97f4a7c15
	slot := &c[x>>56]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

// ownStrings copies the strings that point into the payload into memory
// of their own and points them at it. It sizes that memory by the strings
// as they are now: a key given twice may have replaced a string recorded
// earlier (which is then copied twice, harmlessly).
func (r *canonicalReader) ownStrings() {
	size := 0
	for _, s := range r.owned {
		size += len(*s)
	}
	if size == 0 {
		return
	}
	mem := make([]byte, size)
	at := 0
	for _, s := range r.owned {
		if len(*s) == 0 {
			continue
		}
		n := copy(mem[at:], *s)
		*s = unsafe.String(&mem[at], n)
		at += n
	}
}

// setString sets the string at p to b[start:end]: a short string from
// r.short; a longer one for now a view of the payload that ownStrings
// replaces with a copy, or a copy at once inside a slice.
func (r *canonicalReader) setString(p *string, start, end int) {
	switch {
	case start == end:
		*p = ""
	case end-start <= maxShort:
		*p = r.short.get(r.b[start:end])
	case r.inArray > 0:
		*p = string(r.b[start:end])
	default:
		*p = unsafe.String(&r.b[start], end-start)
		r.owned = append(r.owned, p)
	}
}

// value reads a value of type t into the memory at p.
func (r *canonicalReader) value(t *canonType, p unsafe.Pointer) bool {
	switch t.kind {
	case canonString:
		start, end, ok := r.strBounds()
		if ok {
			r.setString((*string)(p), start, end)
		}
		return ok
	case canonInt:
		n, ok := r.int64()
		return ok && setInt(p, t.bits, n)
	case canonUint:
		n, ok := r.uint64()
		return ok && setUint(p, t.bits, n)
	case canonBool:
		return r.bool((*bool)(p))
	case canonFloat:
		return r.float(t.bits, p)
	case canonStruct:
		return r.object(t, p)
	case canonYearMonth:
		return r.yearMonth((*YearMonth)(p))
	}
	v := reflect.NewAt(t.typ, p).Elem()
	switch t.kind {
	case canonSlice:
		if r.null() {
			v.SetZero()
			return true
		}
		return r.array(t, v)
	case canonPointer:
		if r.null() {
			v.SetZero()
			return true
		}
		if v.IsNil() {
			v.Set(reflect.New(t.elem.typ))
		}
		return r.value(t.elem, v.UnsafePointer())
	case canonText:
		start, end, ok := r.strBounds()
		if !ok {
			return false
		}
		return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(r.b[start:end]) == nil
	}
	return false
}

// setInt stores n in the signed integer of the given size at p, unless it
// does not fit.
func setInt(p unsafe.Pointer, size int, n int64) bool {
	switch size {
	case 64:
		*(*int64)(p) = n
	case 32:
		*(*int32)(p) = int32(n)
	case 16:
		*(*int16)(p) = int16(n)
	case 8:
		*(*int8)(p) = int8(n)
	default:
		return false
	}
	return n<<(64-size)>>(64-size) == n
}

// setUint stores n in the unsigned integer of the given size at p, unless
// it does not fit.
func setUint(p unsafe.Pointer, size int, n uint64) bool {
	switch size {
	case 64:
		*(*uint64)(p) = n
	case 32:
		*(*uint32)(p) = uint32(n)
	case 16:
		*(*uint16)(p) = uint16(n)
	case 8:
		*(*uint8)(p) = uint8(n)
	default:
		return false
	}
	return n<<(64-size)>>(64-size) == n
}

// object reads {"key":value,...} with keys of t into the struct at p,
// expecting them in t's order but taking them in any.
func (r *canonicalReader) object(t *canonType, p unsafe.Pointer) bool {
	if !r.byte('{') {
		return false
	}
	if r.byte('}') {
		return true
	}
	next := 0
	for {
		f := r.key(t, next)
		if f < 0 || !r.value(t.fields[f].typ, unsafe.Add(p, t.fields[f].off)) {
			return false
		}
		next = f + 1
		if r.byte('}') {
			return true
		}
		if !r.byte(',') {
			return false
		}
	}
}

// key reads a key and its colon and returns the index of t's field it
// names, trying the fields from next on first (encoding/json writes them
// in order, leaving out the empty ones it may omit); -1 when it names
// none.
func (r *canonicalReader) key(t *canonType, next int) int {
	rest := r.b[r.i:]
	for f := next; f < len(t.fields); f++ {
		k := t.fields[f].key
		if len(rest) >= len(k) && string(rest[:len(k)]) == k {
			r.i += len(k)
			return f
		}
	}
	start, end, ok := r.strBounds()
	if !ok || !r.byte(':') {
		return -1
	}
	for i := range t.fields {
		if t.fields[i].name == string(r.b[start:end]) {
			return i
		}
	}
	return -1
}

// array reads [value,...] into a new slice, as encoding/json does ([]
// gives an empty slice, not nil).
func (r *canonicalReader) array(t *canonType, v reflect.Value) bool {
	if !r.byte('[') {
		return false
	}
	s := reflect.MakeSlice(t.typ, 0, 0)
	r.inArray++
	defer func() { r.inArray-- }()
	if !r.byte(']') {
		for {
			s = reflect.Append(s, reflect.Zero(t.elem.typ))
			if !r.value(t.elem, s.Index(s.Len()-1).Addr().UnsafePointer()) {
				return false
			}
			if r.byte(']') {
				break
			}
			if !r.byte(',') {
				return false
			}
		}
	}
	v.Set(s)
	return true
}

// byte consumes c if it is next.
func (r *canonicalReader) byte(c byte) bool {
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// null consumes null if it is next.
func (r *canonicalReader) null() bool {
	if len(r.b)-r.i >= 4 && string(r.b[r.i:r.i+4]) == "null" {
		r.i += 4
		return true
	}
	return false
}

// strBounds reads a string and returns where its contents lie in r.b. It
// refuses escapes and control characters. Like sonic, it leaves invalid
// UTF-8 as it is (encoding/json would replace it; encoding/json never
// writes it).
func (r *canonicalReader) strBounds() (start, end int, ok bool) {
	if !r.byte('"') {
		return 0, 0, false
	}
	start = r.i
	n := stringEnd(r.b[start:])
	if n < 0 {
		return 0, 0, false
	}
	end = start + n
	r.i = end + 1
	return start, end, true
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// stringEnd returns the offset of the quote that ends a string starting at
// b[0], or -1 when no quote does or a backslash or a control character
// comes before it. The quote and the backslash are found by the runtime's
// vector search; control characters, which no vector search in the
// standard library finds, thirty-two bytes at a time (hasControl). A
// report's note of 250 bytes took 100 ns with one pass for backslashes and
// control characters together, 65 ns this way.
func stringEnd(b []byte) int {
	q := bytes.IndexByte(b, '"')
	if q < 0 || bytes.IndexByte(b[:q], '\\') >= 0 || hasControl(b[:q]) {
		return -1
	}
	return q
}

// hasControl reports whether b holds a byte below 0x20 (a control
// character, which a JSON string may not hold unescaped). A word holds
// one exactly when subtracting 0x20 from each of its bytes sets a top bit
// that was clear (the borrow from such a byte may flag the bytes above it
// too, which does not change the answer).
func hasControl(b []byte) bool {
	for len(b) >= 32 {
		w, x := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
		y, z := binary.LittleEndian.Uint64(b[16:]), binary.LittleEndian.Uint64(b[24:])
		if ((w-0x20*lsb)&^w|(x-0x20*lsb)&^x|(y-0x20*lsb)&^y|(z-0x20*lsb)&^z)&msb != 0 {
			return true
		}
		b = b[32:]
	}
	for len(b) >= 8 {
		if x := binary.LittleEndian.Uint64(b); (x-0x20*lsb)&^x&msb != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// digits returns the length of the JSON integer at b[i:] (an optional
// minus, then 0 or a digit 1-9 and more digits), or 0 when there is none.
func digits(b []byte, i int) int {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j >= len(b) || b[j] < '0' || b[j] > '9':
		return 0
	case b[j] == '0':
		j++
	default:
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
	}
	return j - i
}

// uint64 reads an integer without sign, fraction or exponent.
func (r *canonicalReader) uint64() (uint64, bool) {
	n := digits(r.b, r.i)
	if n == 0 || r.b[r.i] == '-' || n > 20 || r.numberGoesOn(r.i+n) {
		return 0, false
	}
	var u uint64
	for _, c := range r.b[r.i : r.i+min(n, 19)] {
		u = u*10 + uint64(c-'0') // 19 digits never overflow
	}
	if n == 20 {
		d := uint64(r.b[r.i+19] - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	r.i += n
	return u, true
}

// int64 reads an integer without fraction or exponent.
func (r *canonicalReader) int64() (int64, bool) {
	neg := r.i < len(r.b) && r.b[r.i] == '-'
	if neg {
		r.i++
		if r.i < len(r.b) && r.b[r.i] == '-' {
			return 0, false
		}
	}
	u, ok := r.uint64()
	switch {
	case !ok:
		return 0, false
	case neg && u <= 1<<63:
		return int64(-u), true // -(1<<63) wraps to itself
	case !neg && u < 1<<63:
		return int64(u), true
	}
	return 0, false
}

// numberGoesOn reports whether a number continues at b[i] past its
// integer part: a fraction or an exponent, which an integer field refuses.
func (r *canonicalReader) numberGoesOn(i int) bool {
	return i < len(r.b) && (r.b[i] == '.' || r.b[i] == 'e' || r.b[i] == 'E' || r.b[i] >= '0' && r.b[i] <= '9')
}

func (r *canonicalReader) bool(p *bool) bool {
	rest := unsafe.String(unsafe.SliceData(r.b[r.i:]), len(r.b)-r.i)
	switch {
	case strings.HasPrefix(rest, "true"):
		*p = true
		r.i += 4
	case strings.HasPrefix(rest, "false"):
		*p = false
		r.i += 5
	default:
		return false
	}
	return true
}

// float reads a JSON number into a float field of the given size.
func (r *canonicalReader) float(size int, p unsafe.Pointer) bool {
	j := r.i + digits(r.b, r.i)
	if j == r.i {
		return false
	}
	if j < len(r.b) && r.b[j] == '.' {
		k := j + 1
		for k < len(r.b) && r.b[k] >= '0' && r.b[k] <= '9' {
			k++
		}
		if k == j+1 {
			return false
		}
		j = k
	}
	if j < len(r.b) && (r.b[j] == 'e' || r.b[j] == 'E') {
		k := j + 1
		if k < len(r.b) && (r.b[k] == '+' || r.b[k] == '-') {
			k++
		}
		e := k
		for k < len(r.b) && r.b[k] >= '0' && r.b[k] <= '9' {
			k++
		}
		if k == e {
			return false
		}
		j = k
	}
	f, err := strconv.ParseFloat(unsafe.String(&r.b[r.i], j-r.i), size)
	if err != nil {
		return false
	}
	if size == 32 {
		*(*float32)(p) = float32(f)
	} else {
		*(*float64)(p) = f
	}
	r.i = j
	return true
}

// yearMonth reads "YYYY-MM" as ParseYearMonth does, and "" as the zero
// month, leaving every other form to sonic.
func (r *canonicalReader) yearMonth(p *YearMonth) bool {
	start, end, ok := r.strBounds()
	if ok && end == start {
		*p = YearMonth{}
		return true
	}
	if !ok {
		return false
	}
	ym, ok := yearMonthOf(r.b[start:end])
	if ok {
		*p = ym
	}
	return ok
}

// yearMonthOf parses "YYYY-MM" as ParseYearMonth does.
func yearMonthOf(s []byte) (YearMonth, bool) {
	if len(s) != 7 {
		return YearMonth{}, false
	}
	y, m := 0, 0
	for k, c := range s {
		switch {
		case k == 4:
			if c != '-' {
				return YearMonth{}, false
			}
		case c < '0' || c > '9':
			return YearMonth{}, false
		case k < 4:
			y = y*10 + int(c-'0')
		default:
			m = m*10 + int(c-'0')
		}
	}
	ym, err := NewYearMonth(y, time.Month(m))
	return ym, err == nil
}
