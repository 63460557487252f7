package audit

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

// chainOf seals n events of one stream, each linked to the one before.
func chainOf(stream string, n int) []domain.Event {
	out := make([]domain.Event, n)
	var prev domain.Hash
	for i := range out {
		e := domain.Event{
			ID: uuid.New(), Type: "ProgressReported", SchemaVersion: 1, Actor: "county",
			RecordedAt: time.Date(2025, 3, 1+i, 9, 0, 0, 0, time.UTC),
			Payload:    []byte(`{"percent":10}`),
		}
		e.Seal(stream, uint64(i+1), prev)
		prev = e.Hash
		out[i] = e
	}
	return out
}

func checkAll(events []domain.Event) (intact bool, badHashes int) {
	var c ChainCheck
	for i := range events {
		if !c.Add(&events[i]) {
			badHashes++
		}
	}
	return c.Intact(), badHashes
}

func TestChainCheck(t *testing.T) {
	a, b := chainOf("obligation-a", 4), chainOf("obligation-b", 3)
	mixed := []domain.Event{a[0], b[0], a[1], b[1], a[2], a[3], b[2]}
	if ok, bad := checkAll(mixed); !ok || bad != 0 {
		t.Fatalf("two interleaved intact streams: intact %v, %d bad hashes", ok, bad)
	}
	// A trail that shows only some versions of a stream has gaps, not breaks.
	if ok, _ := checkAll([]domain.Event{a[0], a[2], a[3]}); !ok {
		t.Fatal("a gap was taken for a break")
	}

	changed := append([]domain.Event(nil), mixed...)
	changed[2].Payload = []byte(`{"percent":90}`)
	if ok, bad := checkAll(changed); ok || bad != 1 {
		t.Fatalf("changed payload: intact %v, %d bad hashes; want broken and 1", ok, bad)
	}

	// A rewritten event with a recomputed hash passes its own check but
	// breaks the link from the next version.
	rewritten := append([]domain.Event(nil), a...)
	rewritten[1].Payload = []byte(`{"percent":90}`)
	rewritten[1].Seal(rewritten[1].Stream, 2, rewritten[0].Hash)
	if ok, bad := checkAll(rewritten); ok || bad != 0 {
		t.Fatalf("rewritten history: intact %v, %d bad hashes; want broken and 0", ok, bad)
	}

	// A first version that links to something.
	orphan := chainOf("obligation-c", 1)
	orphan[0].Seal(orphan[0].Stream, 1, a[0].Hash)
	if ok, _ := checkAll(orphan); ok {
		t.Fatal("a first version linking to a hash passed")
	}
}
