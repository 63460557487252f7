package packed

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"taskledger/internal/packed/packedtest"
)

var (
	halve   = packedtest.Runs
	unhalve = packedtest.Unruns
)

// goldenPayloads are the payloads of every event type as the domain pins
// them (domain/testdata/payloads.golden).
func goldenPayloads(t testing.TB) [][]byte {
	f, err := os.Open("../../domain/testdata/payloads.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		_, payload, ok := strings.Cut(sc.Text(), " ")
		if ok {
			out = append(out, []byte(payload))
		}
	}
	if len(out) < 20 {
		t.Fatalf("%d golden payloads", len(out))
	}
	return out
}

// TestPackRoundTrip packs every golden payload and others, and unpacks
// each back to its exact bytes.
func TestPackRoundTrip(t *testing.T) {
	cases := goldenPayloads(t)
	for _, s := range []string{
		`{}`, `{"a":""}`, `{"a":"xxxxxxxxxxxxxxxx","b":-12,"c":0}`,
		`{"n":9223372036854775807,"m":-9223372036854775808}`,
		`{"big":9223372036854775808,"f":1.5,"e":1e3,"z":-0,"lead":007}`,
		`{"esc":"a\"b\\c\u00e9","bad":"` + "\xff\xfe" + `","t":true,"f":false,"n":null}`,
		`{"o":{"x":[1,{"y":"}"}],"z":"]"},"a":[],"s":"]}"}`,
		`{"中文键":"值"}`,
	} {
		cases = append(cases, []byte(s))
	}
	kinds := map[Kind]int{}
	for _, p := range cases {
		text, vals, ok := Pack(nil, p, halve)
		if !ok {
			t.Fatalf("%s: not packed", p)
		}
		sh, err := ParseShape(text)
		if err != nil {
			t.Fatalf("%s: shape %q: %v", p, text, err)
		}
		for _, f := range sh.Fields {
			kinds[f.Kind]++
		}
		got, err := Unpack(nil, sh, vals, unhalve)
		if err != nil || !bytes.Equal(got, p) {
			t.Fatalf("round trip of %s gave %s, %v", p, got, err)
		}
	}
	if kinds[KindString] == 0 || kinds[KindInt] == 0 || kinds[KindRaw] == 0 {
		t.Fatalf("kinds seen: %v", kinds)
	}
}

// TestPackKinds: what is stored as which kind.
func TestPackKinds(t *testing.T) {
	text, _, ok := Pack(nil, []byte(`{"s":"x","i":-3,"f":1.5,"z":-0,"e":"a\nb","b":"`+"\xff"+`","t":true,"a":[1],"c":"`+"\x01"+`"}`), halve)
	want := "ss\x00ii\x00rf\x00rz\x00re\x00rb\x00rt\x00ra\x00rc\x00"
	if !ok || text != want {
		t.Fatalf("shape %q, want %q", text, want)
	}
}

// TestPackRefuses payloads that are not objects without white space.
func TestPackRefuses(t *testing.T) {
	for _, s := range []string{``, `[]`, `"x"`, `{`, `{"a":1`, `{"a":1} `, ` {"a":1}`, `{"a" :1}`, `{"a":1,}`,
		`{"a\"":1}`, `{"a":1}{}`, `{"` + "\x00" + `":1}`, `{"a":"x}`, `{"a":{"b":1}`, `null`} {
		if text, vals, ok := Pack([]byte("kept"), []byte(s), halve); ok || string(vals) != "kept" {
			t.Errorf("%q packed as %q, %q", s, text, vals)
		}
	}
}

// TestCorruptValuesFail: values cut short, or longer than their shape,
// fail with ErrCorrupt; a shape of unknown kind or a key that JSON would
// escape is refused.
func TestCorruptValuesFail(t *testing.T) {
	p := []byte(`{"a":"yyyyyyyyyy","b":7,"c":[1,2]}`)
	text, vals, _ := Pack(nil, p, halve)
	sh, _ := ParseShape(text)
	for n := range len(vals) {
		if _, err := Unpack(nil, sh, vals[:n], unhalve); !errors.Is(err, ErrCorrupt) {
			t.Errorf("values cut to %d bytes: %v", n, err)
		}
	}
	if _, err := Unpack(nil, sh, append(vals, 0), unhalve); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a byte too many: %v", err)
	}
	for _, bad := range []string{"xa\x00", "sa", "s\"\x00", "s\\\x00"} {
		if _, err := ParseShape(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("shape %q: %v", bad, err)
		}
	}
}

func FuzzPack(f *testing.F) {
	for _, p := range goldenPayloads(f)[:8] {
		f.Add(p)
	}
	f.Add([]byte(`{"o":{"x":[1,{"y":"}"}]},"s":"]}"}`))
	f.Fuzz(func(t *testing.T, p []byte) {
		text, vals, ok := Pack(nil, p, halve)
		if !ok {
			return
		}
		sh, err := ParseShape(text)
		if err != nil {
			t.Fatalf("shape %q of %q: %v", text, p, err)
		}
		got, err := Unpack(nil, sh, vals, unhalve)
		if err != nil || !bytes.Equal(got, p) {
			t.Fatalf("round trip of %q gave %q, %v", p, got, err)
		}
	})
}

func FuzzUnpack(f *testing.F) {
	f.Add("si\x00sk\x00", []byte{1, 2, 'x', 'y', 2})
	f.Fuzz(func(t *testing.T, text string, vals []byte) {
		sh, err := ParseShape(text)
		if err != nil {
			return
		}
		_, _ = Unpack(nil, sh, vals, unhalve) // must not panic
	})
}

// TestValuesLenOfCodedValues: the length of a coded value is the length it
// decodes to, which may well exceed all the coded bytes.
func TestValuesLenOfCodedValues(t *testing.T) {
	long := strings.Repeat("a", 1000)
	_, vals, _ := Pack(nil, []byte(`{"s":"`+long+`"}`), halve)
	if len(vals) >= 100 {
		t.Fatalf("a run of 1000 bytes packed to %d", len(vals))
	}
	v := NewValues(vals)
	if n, err := v.Len(); err != nil || n != 1000 {
		t.Fatalf("Len = %d, %v", n, err)
	}
	if out, err := v.Bytes(nil, unhalve); err != nil || string(out) != long || !v.Done() {
		t.Fatalf("Bytes: %d bytes, %v", len(out), err)
	}
	bad := NewValues([]byte{0xff, 0xff, 0xff, 0x7f, 2, 'x'})
	if _, err := bad.Len(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a length past any expansion: %v", err)
	}
}

// TestProgramsKeepEachKeysValue: decoders sharing a shape each get back
// the program they or another goroutine stored for their key, the first
// key's and every later one's alike, whichever goroutine stores first.
func TestProgramsKeepEachKeysValue(t *testing.T) {
	var p Programs
	keys := []string{"ProgressReported", "TaskRegistered", "UnitRenamed"}
	var wg sync.WaitGroup
	got := make([][]any, 8)
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, k := range keys {
				v, _ := p.LoadOrStore(k, fmt.Sprintf("%s/%d", k, g))
				got[g] = append(got[g], v)
			}
		}()
	}
	wg.Wait()
	for i, k := range keys {
		want, ok := p.Load(k)
		if !ok || !strings.HasPrefix(want.(string), k+"/") {
			t.Fatalf("Load(%q) = %v, %v; want a value stored for it", k, want, ok)
		}
		for g := range got {
			if got[g][i] != want {
				t.Errorf("goroutine %d got %v for %q, Load gives %v: two programs for one key", g, got[g][i], k, want)
			}
		}
	}
	if v, ok := p.Load("AppealFiled"); ok {
		t.Errorf("Load of a key never stored = %v", v)
	}
}

// BenchmarkPack packs the golden payloads and a progress report with a
// long note, strings left uncoded: one op is one payload. The store packs
// every payload of a format 4 ledger in its one committing goroutine.
func BenchmarkPack(b *testing.B) {
	ps := append(goldenPayloads(b), []byte(`{"plan":"chifeng-air","task":12,"unit":"county.unit-07","role":"IMPLEMENTING","percent":40,"previous":30,"period":"2025-03","note":"第12次进展报告：已完成燃煤锅炉排查36台，淘汰改造5台，剩余项目按计划推进，扬尘污染治理专项行动开展检查，发现问题12处已督促整改到位。"}`))
	keep := func(dst, src []byte) []byte { return append(dst, src...) }
	var out []byte
	for i := 0; b.Loop(); i++ {
		_, out, _ = Pack(out[:0], ps[i%len(ps)], keep)
	}
}
