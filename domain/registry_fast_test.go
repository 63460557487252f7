package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// goldenPayloads returns the golden file's lines as type name and payload.
func goldenPayloads(t testing.TB) [][2][]byte {
	t.Helper()
	golden, err := os.ReadFile(payloadGolden)
	if err != nil {
		t.Fatalf("read %s: %v", payloadGolden, err)
	}
	var out [][2][]byte
	for i, line := range bytes.Split(bytes.TrimSpace(golden), []byte("\n")) {
		name, payload, ok := bytes.Cut(line, []byte(" "))
		if !ok {
			t.Fatalf("line %d: no type name", i+1)
		}
		out = append(out, [2][]byte{name, payload})
	}
	return out
}

// sonicOnly are the payload types the canonical reader leaves to sonic:
// they hold a json.RawMessage or a time.Time, which read their own way.
var sonicOnly = map[string]bool{"SchemeAdopted": true, "ScorecardPublished": true, "BulletinIssued": true}

// TestCanonicalReaderReadsWhatEncodeWrites: every golden payload of a type
// the canonical reader handles is read by it (not handed to sonic), to
// the value encoding/json reads. This keeps the fast path in use.
func TestCanonicalReaderReadsWhatEncodeWrites(t *testing.T) {
	reg := DefaultRegistry()
	for i, line := range goldenPayloads(t) {
		name, payload := string(line[0]), line[1]
		typ := reg.types[name].typ
		canon := newCanonType(typ)
		if (canon == nil) != sonicOnly[name] {
			t.Errorf("line %d (%s): canonical plan %v, want it only for types outside %v", i+1, name, canon != nil, sonicOnly)
			continue
		}
		if canon == nil {
			continue
		}
		got := reflect.New(typ).Elem()
		if !readCanonical(canon, payload, got.Addr().UnsafePointer(), new(canonScratch)) {
			t.Errorf("line %d (%s): the canonical reader gave up on what encoding/json wrote: %s", i+1, name, payload)
			continue
		}
		want := reflect.New(typ)
		if err := json.Unmarshal(payload, want.Interface()); err != nil {
			t.Fatalf("line %d (%s): encoding/json: %v", i+1, name, err)
		}
		if !reflect.DeepEqual(got.Interface(), want.Elem().Interface()) {
			t.Errorf("line %d (%s): canonical reader read\n%#v\nencoding/json read\n%#v", i+1, name, got.Interface(), want.Elem().Interface())
		}
	}
}

// mutations returns payloads one edit away from p: each byte dropped,
// doubled or replaced by a byte that matters to JSON.
func mutations(p []byte) [][]byte {
	subst := []byte(" \"\\0-19.eE+n}],:{[tfu\x00\x1f\x7f\x80\xbf\xe4\xff")
	var out [][]byte
	for i := range p {
		out = append(out, append(append([]byte(nil), p[:i]...), p[i+1:]...))
		out = append(out, append(append([]byte(nil), p[:i+1]...), p[i:]...))
		for _, c := range subst {
			m := append([]byte(nil), p...)
			m[i] = c
			out = append(out, m)
		}
	}
	return out
}

// agree checks the canonical reader's promise on payload p of type typ:
// when it reads p, sonic as configured by the registry (the decoder it
// stands in for) reads p to the same value, and so does encoding/json
// when p is valid UTF-8 (on invalid UTF-8, sonic and the canonical reader
// keep the bytes and encoding/json replaces them).
func agree(t *testing.T, reg *Registry, canon *canonType, typ reflect.Type, p []byte, sc *canonScratch) bool {
	t.Helper()
	got := reflect.New(typ).Elem()
	if !readCanonical(canon, p, got.Addr().UnsafePointer(), sc) {
		return false
	}
	want := reflect.New(typ)
	if err := reg.dec.Unmarshal(p, want.Interface()); err != nil {
		t.Errorf("%s: the canonical reader read %q, which sonic refuses: %v", typ.Name(), p, err)
	} else if !reflect.DeepEqual(got.Interface(), want.Elem().Interface()) {
		t.Errorf("%s %q: canonical reader read\n%#v\nsonic read\n%#v", typ.Name(), p, got.Interface(), want.Elem().Interface())
	}
	if !utf8.Valid(p) {
		return true
	}
	want = reflect.New(typ)
	if err := json.Unmarshal(p, want.Interface()); err != nil {
		t.Errorf("%s: the canonical reader read %q, which encoding/json refuses: %v", typ.Name(), p, err)
	} else if !reflect.DeepEqual(got.Interface(), want.Elem().Interface()) {
		t.Errorf("%s %q: canonical reader read\n%#v\nencoding/json read\n%#v", typ.Name(), p, got.Interface(), want.Elem().Interface())
	}
	return true
}

// TestCanonicalReaderAgreesWithSonicAndStandardLibrary: whatever the
// canonical reader accepts, sonic (and encoding/json) read to the same
// value; on anything else the reader must give up, and sonic decides as
// before. Tried on every one-byte edit of every golden payload and on
// edge cases of numbers, strings and months.
func TestCanonicalReaderAgreesWithSonicAndStandardLibrary(t *testing.T) {
	reg := DefaultRegistry()
	cases := map[string][][]byte{}
	for _, line := range goldenPayloads(t) {
		name := string(line[0])
		if !sonicOnly[name] {
			cases[name] = append(cases[name], mutations(line[1])...)
		}
	}
	key := `"plan":"p","task":`
	for _, s := range []string{
		`{` + key + `9223372036854775807}`, `{` + key + `9223372036854775808}`, `{` + key + `-9223372036854775808}`,
		`{` + key + `-9223372036854775809}`, `{` + key + `18446744073709551616}`, `{` + key + `-0}`, `{` + key + `01}`,
		`{` + key + `1.0}`, `{` + key + `1e2}`, `{` + key + `--1}`, `{` + key + `-}`, `{` + key + `1,"task":2}`,
		`{"note":"a\"b"}`, `{"note":"a\u00e9"}`, `{"note":"\xed\xa0\x80"}`, `{"note":"\xc3"}`, `{"note":"é` + "\t" + `"}`,
		`{"period":"2025-13"}`, `{"period":"0000-01"}`, `{"period":"2025-1"}`, `{"period":"-202-01"}`, `{"period":"+025-01"}`,
		`{"period":""}`, `{"period":null}`, `{"attachments":null}`, `{"attachments":[]}`, `{"attachments":[{}]}`,
		`{"PLAN":"p"}`, `{"Plan":"p"}`, `{"unknown":1}`, `{}`, `{"note":"x"} `, ` {"note":"x"}`, `{"note":"x"}{}`,
		// A key twice: the last value counts, whatever the lengths.
		`{"note":"` + strings.Repeat("长", 20) + `","note":"` + strings.Repeat("更长", 30) + `"}`,
		`{"note":"` + strings.Repeat("长", 20) + `","note":""}`, `{"note":"` + strings.Repeat("长", 20) + `","note":"short"}`,
		`{"note":"short","note":"` + strings.Repeat("长", 20) + `","plan":"` + strings.Repeat("p", 40) + `"}`,
	} {
		cases["ProgressReported"] = append(cases["ProgressReported"], []byte(s))
	}
	for _, s := range []string{`{"value":1e400}`, `{"value":-0.0}`, `{"value":1.5E-3}`, `{"value":.5}`, `{"value":5.}`,
		`{"value":1e}`, `{"value":0x10}`, `{"value":Infinity}`, `{"day":null}`, `{"day":"2025-02-30"}`, `{"revision":true}`,
		`{"revision":fals}`, `{"revision":truex}`} {
		cases["IndicatorMeasured"] = append(cases["IndicatorMeasured"], []byte(s))
	}
	read := 0
	sc := new(canonScratch) // shared, as a decoder slot's is: short strings come from its cache
	for name, payloads := range cases {
		typ := reg.types[name].typ
		canon := newCanonType(typ)
		for _, p := range payloads {
			if agree(t, reg, canon, typ, p, sc) {
				read++
			}
		}
	}
	if read == 0 {
		t.Fatal("the canonical reader read none of the cases")
	}
}

// FuzzCanonicalReader checks the same promise on inputs the fuzzer makes
// from a progress report (go test -fuzz FuzzCanonicalReader ./domain/).
func FuzzCanonicalReader(f *testing.F) {
	for _, line := range goldenPayloads(f) {
		if string(line[0]) == "ProgressReported" {
			f.Add(line[1])
		}
	}
	reg := DefaultRegistry()
	typ := reflect.TypeFor[ProgressReported]()
	canon := newCanonType(typ)
	f.Fuzz(func(t *testing.T, p []byte) {
		agree(t, reg, canon, typ, p, new(canonScratch))
	})
}

// TestCanonicalStringsDoNotAliasPayload: strings the canonical reader
// decodes are parts of its own copy, not of the payload, which a replay
// reuses.
func TestCanonicalStringsDoNotAliasPayload(t *testing.T) {
	payload := []byte(`{"plan":"chifeng-air","task":10,"unit":"county.ningcheng","role":"IMPLEMENTING","percent":40,"previous":30,"period":"2025-06","note":"进展","attachments":[{"sha256":"abcd000000000000000000000000000000000000000000000000000000000000","name":"a.pdf","media_type":"application/pdf","size":3}]}`)
	var p ProgressReported
	if !readCanonical(newCanonType(reflect.TypeFor[ProgressReported]()), payload, unsafe.Pointer(&p), new(canonScratch)) {
		t.Fatal("the canonical reader gave up")
	}
	for i := range payload {
		payload[i] = 'x'
	}
	if p.Plan != "chifeng-air" || p.Unit != "county.ningcheng" || p.Note != "进展" || p.Attachments[0].Name != "a.pdf" || p.Attachments[0].MediaType != "application/pdf" {
		t.Errorf("decoded values changed with the payload bytes: %+v", p)
	}
}

// TestCanonicalIntegersAtTheirLimits: integers read to their value up to
// the type's limit and are handed to sonic past it.
func TestCanonicalIntegersAtTheirLimits(t *testing.T) {
	type limits struct {
		U64 uint64 `json:"u64"`
		U8  uint8  `json:"u8"`
		I8  int8   `json:"i8"`
		I32 int32  `json:"i32"`
	}
	canon := newCanonType(reflect.TypeFor[limits]())
	for in, want := range map[string]*limits{
		`{"u64":18446744073709551615}`: {U64: 1<<64 - 1},
		`{"u64":18446744073709551616}`: nil,
		`{"u64":99999999999999999999}`: nil,
		`{"u64":1000000000000000000}`:  {U64: 1e18},
		`{"u64":-1}`:                   nil,
		`{"u8":255,"i8":-128}`:         {U8: 255, I8: -128},
		`{"u8":256}`:                   nil,
		`{"i8":128}`:                   nil,
		`{"i32":-2147483648}`:          {I32: -1 << 31},
		`{"i32":2147483648}`:           nil,
	} {
		var got limits
		ok := readCanonical(canon, []byte(in), unsafe.Pointer(&got), new(canonScratch))
		switch {
		case want == nil && ok:
			t.Errorf("%s read as %+v, want it left to sonic", in, got)
		case want != nil && (!ok || got != *want):
			t.Errorf("%s read as %+v (%v), want %+v", in, got, ok, *want)
		}
	}
}

// TestStringEndFindsTheFirstQuoteOrEscape: at every position of strings of
// every length up to 100 (several of the blocks hasControl reads at once,
// and every remainder), a quote ends the string and a backslash or a
// control byte before it makes the reader give up.
func TestStringEndFindsTheFirstQuoteOrEscape(t *testing.T) {
	naive := func(b []byte) int {
		for i, c := range b {
			switch {
			case c == '"':
				return i
			case c == '\\' || c < 0x20:
				return -1
			}
		}
		return -1
	}
	for n := 0; n <= 100; n++ {
		for at := 0; at < n; at++ {
			for _, c := range []byte{'"', '\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xe4, 0xff} {
				b := bytes.Repeat([]byte("é"), n)[:n]
				b[at] = c
				b = append(b, '"')
				if got, want := stringEnd(b), naive(b); got != want {
					t.Fatalf("%q: stringEnd %d, want %d", b, got, want)
				}
			}
		}
	}
}

// TestShortStringsAreReusedAndExact: a short string read again comes from
// the cache, the same string, and strings whose slots collide replace
// each other without mixing up values.
func TestShortStringsAreReusedAndExact(t *testing.T) {
	var c shortStrings
	a := c.get([]byte("county.ningcheng"))
	if b := c.get([]byte("county.ningcheng")); b != "county.ningcheng" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Fatalf("read again: %q, not the remembered string", b)
	}
	seen := map[string]bool{}
	for i := range 5000 {
		want := fmt.Sprintf("county.unit-%d", i%700)
		b := []byte(want)
		if got := c.get(b); got != want {
			t.Fatalf("get(%q) = %q", want, got)
		}
		b[0] = 'x' // the cache must not keep the caller's bytes
		seen[want] = true
	}
	for s := range seen {
		if got := c.get([]byte(s)); got != s {
			t.Fatalf("get(%q) = %q after the caller's bytes changed", s, got)
		}
	}
}
