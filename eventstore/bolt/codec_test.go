package bolt

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestCodecRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dict := event(rng, 0, 300).Payload
	tab := newDictTable(string(dict))
	cases := [][]byte{nil, {}, []byte("x"), []byte("short"), dict, dict[:100], append(append([]byte{}, dict...), dict...)}
	for i := range 200 {
		cases = append(cases, event(rng, i, 20+rng.IntN(600)).Payload)
		b := make([]byte, rng.IntN(300))
		for j := range b {
			b[j] = byte(rng.IntN(4)) // few symbols: many short matches
		}
		cases = append(cases, b)
	}
	for i, src := range cases {
		packed := tab.compress(nil, src)
		got, err := decompress(nil, packed, tab.dict)
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("case %d: round trip gave %q, %v; want %q", i, got, err, src)
		}
	}
	if got := len(tab.compress(nil, cases[len(cases)-2])); got >= len(cases[len(cases)-2]) {
		t.Logf("note: a 300-byte payload of the same type did not shrink (%d bytes)", got)
	}
}

func FuzzDecompress(f *testing.F) {
	dict := string(event(rand.New(rand.NewPCG(1, 2)), 0, 300).Payload)
	tab := newDictTable(dict)
	f.Add(tab.compress(nil, event(rand.New(rand.NewPCG(3, 4)), 1, 300).Payload))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{1, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := decompress(nil, b, dict)
		if err == nil && len(out) > len(b)*(len(dict)+minMatch) {
			t.Fatalf("%d bytes decompressed to %d", len(b), len(out))
		}
		// Anything compress produces decodes back.
		packed := tab.compress(nil, b)
		if got, err := decompress(nil, packed, dict); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("round trip of %q: %q, %v", b, got, err)
		}
	})
}

func BenchmarkDecompress(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := newDictTable(string(event(rng, 0, 300).Payload))
	for _, name := range []string{"randomCJK", "sentences"} {
		var packed [][]byte
		total := 0
		for i := range 256 {
			p := event(rng, i+1, 300).Payload
			if name == "sentences" {
				p = fmt.Appendf(nil, `{"plan":"chifeng-air","task":%d,"unit":"county.unit-%02d","role":"IMPLEMENTING","percent":%d,"previous":%d,"note":"扬尘污染治理专项行动开展检查，发现问题%d处已督促整改到位。"}`, i%30+1, i%40, i%101, (i+99)%101, i)
			}
			packed = append(packed, tab.compress(nil, p))
			total += len(p)
		}
		b.Run(name, func(b *testing.B) {
			var out []byte
			b.SetBytes(int64(total / len(packed)))
			for i := 0; b.Loop(); i++ {
				out, _ = decompress(out[:0], packed[i%len(packed)], tab.dict)
			}
		})
	}
}
