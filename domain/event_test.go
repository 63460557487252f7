package domain

import (
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
