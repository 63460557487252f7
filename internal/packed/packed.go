// Package packed is a stored form of JSON object payloads that keeps their
// values and leaves their keys out: the payload's shape (its keys, in
// order, and the kind of each value) is stored once, and each payload
// holds only its values.
//
// A value is one of three kinds:
//   - a string with no escape or control character in it, in valid UTF-8
//     (KindString): its bytes;
//   - an integer in canonical form that fits in 64 bits (KindInt): a
//     zigzag varint;
//   - anything else (KindRaw): the value's JSON text as it stands.
//
// String and raw bytes are coded by a caller's compressor (the embedded
// store's per-type dictionary) when that makes them shorter. Unpack turns
// a shape and its values back into the payload's exact bytes; a payload
// is only stored packed when it does (the store checks at write), so the
// packed form keeps the bytes that are hashed. A decoder that knows the
// Go type of the payload can read the values directly (Values), without
// the JSON around them.
//
// Values are encoded, field by field in the shape's order:
//
//	KindString, KindRaw: uvarint c<<1|z; z = 0: the c bytes themselves
//	                     follow; z = 1: uvarint n (the bytes' length
//	                     decoded), then c coded bytes
//	KindInt:             zigzag varint
package packed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Kind is how one value of a shape is stored.
type Kind byte

// The kinds of value. They are the first byte of each field of a shape's
// text, so they never change.
const (
	KindString Kind = 's'
	KindInt    Kind = 'i'
	KindRaw    Kind = 'r'
)

// Field is one key of a shape and the kind of its value.
type Field struct {
	Key  string
	Kind Kind
}

// Shape is the parsed form of a shape's text: the fields of a payload, in
// order. Programs is for decoders to keep what they compile per shape.
type Shape struct {
	Text   string
	Fields []Field
	// Programs holds what decoders have prepared for this shape, by a key
	// of their choosing (see domain's typed decoders).
	Programs Programs
}

// Programs holds what decoders have prepared for one shape, by key. A
// shape mostly serves one event type, and decoders look it up for every
// payload, so the first entry stored is kept apart and read without a
// map lookup; any other goes to a map.
type Programs struct {
	first atomic.Pointer[program]
	more  sync.Map
}

// program is one entry of Programs.
type program struct{ key, value any }

// Load returns the value stored for key.
func (p *Programs) Load(key any) (any, bool) {
	if f := p.first.Load(); f != nil && f.key == key {
		return f.value, true
	}
	return p.more.Load(key)
}

// LoadOrStore returns the value stored for key, storing value when there
// is none; loaded says which.
func (p *Programs) LoadOrStore(key, value any) (actual any, loaded bool) {
	if p.first.CompareAndSwap(nil, &program{key, value}) {
		return value, false
	}
	if f := p.first.Load(); f.key == key {
		return f.value, true
	}
	return p.more.LoadOrStore(key, value)
}

// ErrCorrupt marks a shape or values that do not decode.
var ErrCorrupt = errors.New("packed payload does not decode")

// maxFields bounds the fields of a shape (a payload with more is stored
// as JSON).
const maxFields = 64

// ParseShape parses a shape's text: for each field its kind byte, its key
// and a zero byte.
func ParseShape(text string) (*Shape, error) {
	sh := &Shape{Text: text}
	for rest := text; rest != ""; {
		k := Kind(rest[0])
		if k != KindString && k != KindInt && k != KindRaw {
			return nil, fmt.Errorf("%w: shape field kind %q", ErrCorrupt, rest[0])
		}
		key, after, ok := strings.Cut(rest[1:], "\x00")
		if !ok || !validKey(key) {
			return nil, fmt.Errorf("%w: shape key %q", ErrCorrupt, key)
		}
		sh.Fields = append(sh.Fields, Field{Key: key, Kind: k})
		rest = after
	}
	if len(sh.Fields) > maxFields {
		return nil, fmt.Errorf("%w: shape of %d fields", ErrCorrupt, len(sh.Fields))
	}
	return sh, nil
}

// validKey reports whether a key is written in JSON as it is: no quote,
// backslash or control character, valid UTF-8.
func validKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.ValidString(k)
}

// Pack splits payload, a JSON object with no white space around its keys,
// into its shape's text and its values appended to dst, each string and
// raw value coded by compress when that is shorter (a raw value keeps its
// text as it is, white space included). ok is false when the payload is
// not such an object; it is then stored as it is.
// compress appends src coded to dst.
func Pack(dst, payload []byte, compress func(dst, src []byte) []byte) (shape string, out []byte, ok bool) {
	p := parser{b: payload}
	var text []byte
	if !p.take('{') {
		return "", dst, false
	}
	out = dst
	for n := 0; !p.take('}'); n++ {
		if n >= maxFields || (n > 0 && !p.take(',')) {
			return "", dst, false
		}
		key, ok := p.key()
		if !ok {
			return "", dst, false
		}
		kind, val, n, ok := p.value()
		if !ok {
			return "", dst, false
		}
		text = append(append(append(text, byte(kind)), key...), 0)
		if kind == KindInt {
			out = binary.AppendVarint(out, n)
			continue
		}
		out = appendBytes(out, val, compress)
	}
	if p.i != len(payload) {
		return "", dst, false
	}
	return string(text), out, true
}

// appendBytes appends a string's or raw value's bytes to out, coded when
// that is shorter.
func appendBytes(out, val []byte, compress func(dst, src []byte) []byte) []byte {
	// Code into the space after the longest header, then move it.
	var hdr [2 * binary.MaxVarintLen64]byte
	at := len(out)
	out = compress(append(out, hdr[:]...), val)
	coded := out[at+len(hdr):]
	if len(coded) >= len(val) {
		out = binary.AppendUvarint(out[:at], uint64(len(val))<<1)
		return append(out, val...)
	}
	h := binary.AppendUvarint(hdr[:0], uint64(len(coded))<<1|1)
	h = binary.AppendUvarint(h, uint64(len(val)))
	copy(out[at:], h)
	n := copy(out[at+len(h):], coded)
	return out[:at+len(h)+n]
}

// parser reads a packable payload.
type parser struct {
	b []byte
	i int
}

func (p *parser) take(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// key reads `"key":` and returns the key's bytes, which alias the payload.
func (p *parser) key() ([]byte, bool) {
	if !p.take('"') {
		return nil, false
	}
	start := p.i
	end, plain, ok := scanString(p.b, start)
	if !ok || !plain {
		return nil, false // a key Unpack would not write back as it is
	}
	p.i = end + 1
	if !p.take(':') {
		return nil, false
	}
	return p.b[start:end], true
}

// value reads one value and says how it is stored: a string's bytes
// without its quotes, an integer (its digits, and n its value), or a raw
// value's text.
func (p *parser) value() (kind Kind, val []byte, n int64, ok bool) {
	start := p.i
	if p.i >= len(p.b) {
		return 0, nil, 0, false
	}
	switch c := p.b[p.i]; {
	case c == '"':
		end, plain, ok := scanString(p.b, p.i+1)
		if !ok {
			return 0, nil, 0, false
		}
		p.i = end + 1
		if plain {
			return KindString, p.b[start+1 : end], 0, true
		}
		return KindRaw, p.b[start:p.i], 0, true
	case c == '-' || c >= '0' && c <= '9':
		for p.i < len(p.b) && byteClass[p.b[p.i]] == classNumber {
			p.i++
		}
		num := p.b[start:p.i]
		if n, ok := canonicalInt(num); ok {
			return KindInt, num, n, true
		}
		return KindRaw, num, 0, true
	}
	end, ok := skip(p.b, p.i)
	if !ok {
		return 0, nil, 0, false
	}
	p.i = end
	return KindRaw, p.b[start:end], 0, true
}

// canonicalInt returns the value of num when num is an integer as
// strconv.AppendInt writes it, in int64's range.
func canonicalInt(num []byte) (int64, bool) {
	v, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return 0, false
	}
	var buf [20]byte
	return v, string(strconv.AppendInt(buf[:0], v, 10)) == string(num)
}

// What one byte is to the parser: inside a string, an ordinary byte, the
// closing quote, an escape, a control character (JSON allows one only
// escaped) or the start of a multi-byte character; in a number, a byte
// a number may hold.
const (
	classPlain = iota
	classQuote
	classEscape
	classControl
	classNonASCII
	classNumber
)

// byteClass classes every byte value.
var byteClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c == '"':
			t[c] = classQuote
		case c == '\\':
			t[c] = classEscape
		case c < 0x20:
			t[c] = classControl
		case c >= utf8.RuneSelf:
			t[c] = classNonASCII
		case strings.IndexByte("+-.0123456789eE", byte(c)) >= 0:
			t[c] = classNumber
		}
	}
	return t
}()

// scanString returns the index of the quote that closes the string whose
// contents start at i, and whether the contents are stored as they are
// (KindString): no escape, no control character, valid UTF-8.
func scanString(b []byte, i int) (end int, plain, ok bool) {
	start, plain, ascii := i, true, true
	for ; i < len(b); i++ {
		switch byteClass[b[i]] {
		case classQuote:
			return i, plain && (ascii || utf8.Valid(b[start:i])), true
		case classEscape:
			plain = false
			i++
		case classControl:
			plain = false
		case classNonASCII:
			ascii = false
		}
	}
	return 0, false, false
}

// skip returns the end of the object, array or literal at i (a raw value
// other than a string or number), tracking nesting and strings.
func skip(b []byte, i int) (int, bool) {
	depth := 0
	for ; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			end, _, ok := scanString(b, i+1)
			if !ok {
				return 0, false
			}
			i = end
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			depth--
			if depth == 0 {
				return i + 1, true
			}
		case ',':
			if depth == 0 {
				return i, true
			}
		}
	}
	return 0, false
}

// Unpack appends to dst the payload whose shape is sh and whose values are
// vals. decompress appends coded bytes, decoded, to dst.
func Unpack(dst []byte, sh *Shape, vals []byte, decompress func(dst, src []byte) ([]byte, error)) ([]byte, error) {
	v := Values{b: vals}
	dst = append(dst, '{')
	for n, f := range sh.Fields {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(append(append(dst, '"'), f.Key...), '"', ':')
		var err error
		switch f.Kind {
		case KindInt:
			var x int64
			if x, err = v.Int(); err == nil {
				dst = strconv.AppendInt(dst, x, 10)
			}
		case KindString:
			dst = append(dst, '"')
			if dst, err = v.Bytes(dst, decompress); err == nil {
				dst = append(dst, '"')
			}
		default:
			dst, err = v.Bytes(dst, decompress)
		}
		if err != nil {
			return dst, fmt.Errorf("field %q: %w", f.Key, err)
		}
	}
	if !v.Done() {
		return dst, fmt.Errorf("%w: %d bytes after the last value", ErrCorrupt, len(v.b)-v.i)
	}
	return append(dst, '}'), nil
}

// Values reads packed values in order.
type Values struct {
	b []byte
	i int
}

// NewValues returns a reader of vals.
func NewValues(vals []byte) Values { return Values{b: vals} }

// Done reports whether every value has been read.
func (v *Values) Done() bool { return v.i == len(v.b) }

// Int reads an integer value.
func (v *Values) Int() (int64, error) {
	x, n := binary.Varint(v.b[v.i:])
	if n <= 0 {
		return 0, fmt.Errorf("%w: integer", ErrCorrupt)
	}
	v.i += n
	return x, nil
}

// maxExpansion bounds how many times longer than all the values a coded
// value may decode to, so that a damaged length cannot ask a decoder for
// memory without end. (A dictionary copy of up to 4,100 bytes takes a few
// bytes of ops.)
const maxExpansion = 4200

// Len returns the length of the next string or raw value without reading
// it.
func (v *Values) Len() (int, error) {
	h, n, _, err := v.header()
	if err != nil {
		return 0, err
	}
	if h&1 == 0 {
		return int(h >> 1), nil
	}
	if n > uint64(len(v.b))*maxExpansion {
		return 0, fmt.Errorf("%w: value length", ErrCorrupt)
	}
	return int(n), nil
}

// header reads the next string or raw value's header: c<<1|z, the decoded
// length n when coded (z = 1), and where its bytes begin.
func (v *Values) header() (h, n uint64, at int, err error) {
	h, k := binary.Uvarint(v.b[v.i:])
	if k <= 0 {
		return 0, 0, 0, fmt.Errorf("%w: value header", ErrCorrupt)
	}
	at = v.i + k
	if h&1 == 1 {
		if n, k = binary.Uvarint(v.b[at:]); k <= 0 {
			return 0, 0, 0, fmt.Errorf("%w: value length", ErrCorrupt)
		}
		at += k
	}
	if h>>1 > uint64(len(v.b)-at) {
		return 0, 0, 0, fmt.Errorf("%w: value runs past the end", ErrCorrupt)
	}
	return h, n, at, nil
}

// Bytes appends the next string or raw value to dst.
func (v *Values) Bytes(dst []byte, decompress func(dst, src []byte) ([]byte, error)) ([]byte, error) {
	h, n, at, err := v.header()
	if err != nil {
		return dst, err
	}
	body := v.b[at : at+int(h>>1)]
	if h&1 == 0 {
		v.i = at + len(body)
		return append(dst, body...), nil
	}
	start := len(dst)
	if dst, err = decompress(dst, body); err != nil {
		return dst, err
	}
	if uint64(len(dst)-start) != n {
		return dst, fmt.Errorf("%w: value of %d bytes, want %d", ErrCorrupt, len(dst)-start, n)
	}
	v.i = at + len(body)
	return dst, nil
}
