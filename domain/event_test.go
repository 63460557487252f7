package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// The expected hash below was computed outside Go, by a short script that
// follows docs/ledger-format.md step by step, so this test holds the code
// and the published format to each other.
func TestComputeHashMatchesPublishedFormat(t *testing.T) {
	var prev Hash
	for i := range prev {
		prev[i] = byte(i)
	}
	e := Event{
		ID:            uuid.MustParse("11111111-2222-3333-4444-555555555555"),
		Stream:        "obligation-chifeng-air-10-bureau.transport-lead",
		Version:       3,
		Position:      12345, // not hashed
		Type:          "ProgressReported",
		SchemaVersion: 1,
		RecordedAt:    time.Date(2025, 6, 30, 9, 0, 0, 0, time.UTC),
		EffectiveAt:   time.Date(2025, 6, 30, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		Actor:         "county.ningcheng",
		CorrelationID: uuid.MustParse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
		PrevHash:      prev,
		Payload:       []byte(`{"percent":40,"note":"进展"}`),
	}
	const want = "c68a634ccd4f38dc58553e4734ca3dc6e69a5f1132439958f93ffeb7a201d0ea"
	if got := e.ComputeHash().String(); got != want {
		t.Fatalf("hash %s, the published format gives %s", got, want)
	}
	e.Position = 1
	if got := e.ComputeHash().String(); got != want {
		t.Fatal("the global position changed the hash")
	}
}

func TestSealAndVerify(t *testing.T) {
	e := Event{ID: uuid.New(), Type: "T", Payload: []byte(`{}`)}
	e.Seal("s", 1, Hash{})
	if err := e.Verify(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*Event){
		"payload":   func(e *Event) { e.Payload = []byte(`{"x":1}`) },
		"actor":     func(e *Event) { e.Actor = "someone else" },
		"version":   func(e *Event) { e.Version = 2 },
		"prev hash": func(e *Event) { e.PrevHash[0] = 1 },
		"effective": func(e *Event) { e.EffectiveAt = e.EffectiveAt.Add(time.Second) },
	} {
		c := e
		change(&c)
		if c.Verify() == nil {
			t.Errorf("changing the %s still verifies", name)
		}
	}
}

func TestDeriveEventIDIsStable(t *testing.T) {
	a, b := DeriveEventID("req-1", 0), DeriveEventID("req-1", 0)
	if a != b {
		t.Fatal("the same key and index gave two IDs")
	}
	if a == DeriveEventID("req-1", 1) || a == DeriveEventID("req-2", 0) {
		t.Fatal("different keys or indexes gave the same ID")
	}
}

func TestParseHash(t *testing.T) {
	h := Hash{1, 2, 3}
	p, err := ParseHash(h.String())
	if err != nil || p != h {
		t.Fatalf("round trip: %v, %v", p, err)
	}
	for _, bad := range []string{"zz", "0102", ""} {
		if _, err := ParseHash(bad); err == nil {
			t.Errorf("ParseHash(%q) accepted", bad)
		}
	}
}

// streamedHash is the canonical encoding of docs/ledger-format.md fed to
// SHA-256 field by field, as ComputeHash once did: the reference its
// one-buffer encoding must agree with.
func streamedHash(e *Event) Hash {
	h := sha256.New()
	lenPrefixed := func(b []byte) {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(b))))
		h.Write(b)
	}
	h.Write([]byte("taskledger/event/v1\n"))
	h.Write(e.ID[:])
	lenPrefixed([]byte(e.Stream))
	h.Write(binary.BigEndian.AppendUint64(nil, e.Version))
	lenPrefixed([]byte(e.Type))
	h.Write(binary.BigEndian.AppendUint16(nil, e.SchemaVersion))
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(e.RecordedAt.UnixNano())))
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(e.EffectiveAt.UnixNano())))
	lenPrefixed([]byte(e.Actor))
	h.Write(e.CausationID[:])
	h.Write(e.CorrelationID[:])
	h.Write(e.PrevHash[:])
	lenPrefixed(e.Payload)
	var out Hash
	h.Sum(out[:0])
	return out
}

// Events short enough for ComputeHash's stack buffer and longer ones (a
// long payload, a long stream or actor name) hash as the format says.
func TestComputeHashAgreesWithStreamedEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	text := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	for _, size := range []int{0, 1, 200, 900, 930, 1000, 1024, 5000} {
		for range 20 {
			e := Event{
				ID: uuid.New(), Stream: text(rng.IntN(80)), Version: rng.Uint64(), Type: text(rng.IntN(30)),
				SchemaVersion: uint16(rng.Uint32()), RecordedAt: time.Unix(0, rng.Int64()), EffectiveAt: time.Unix(0, -rng.Int64()),
				Actor: text(rng.IntN(40)), CausationID: uuid.New(), CorrelationID: uuid.New(), Payload: []byte(text(size)),
			}
			if size == 5000 {
				e.Stream, e.Actor, e.Payload = text(1500), text(700), nil
			}
			for i := range e.PrevHash {
				e.PrevHash[i] = byte(rng.Uint32())
			}
			if got, want := e.ComputeHash(), streamedHash(&e); got != want {
				t.Fatalf("payload of %d bytes: hash %s, the format gives %s", size, got, want)
			}
		}
	}
}

// BenchmarkComputeHash hashes a progress report of the size the store
// benchmarks append (a 250-byte note).
func BenchmarkComputeHash(b *testing.B) {
	e := Event{
		ID: uuid.New(), Stream: "obligation-bench-17-county.bench-16-implementing", Version: 42, Type: "ProgressReported",
		SchemaVersion: 1, RecordedAt: time.Now(), EffectiveAt: time.Now(), Actor: "county.bench-16", CorrelationID: uuid.New(),
		Payload: []byte(`{"plan":"bench","task":17,"unit":"county.bench-16","role":"implementing","percent":42,"previous":0,"period":"2025-01","note":"` + strings.Repeat("进展", 40) + `"}`),
	}
	b.Run("one buffer", func(b *testing.B) {
		for b.Loop() {
			e.Hash = e.ComputeHash()
		}
	})
	b.Run("streamed", func(b *testing.B) {
		for b.Loop() {
			e.Hash = streamedHash(&e)
		}
	})
}
