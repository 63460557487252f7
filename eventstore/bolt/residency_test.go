package bolt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"taskledger/domain"
	"taskledger/eventstore"
)

// A scan that lets go of the pages it has read (more than releaseEvery of
// log) still hands out every event intact, in order, twice over, while
// another reader reads the same pages.
func TestScanThatReleasesPagesReadsEverything(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), FileName), Options{NoSync: true})
	rng := rand.New(rand.NewPCG(13, 14))
	var want []domain.Event
	for len(want)*300 < 3*releaseEvery {
		batch := make([]domain.Event, 50)
		for i := range batch {
			batch[i] = randomNoteEvent(rng, len(want)+i, 300)
		}
		res, err := s.Append(ctx, fmt.Sprintf("stream-%d", len(want)%97), eventstore.Any(), batch)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, res.Events...)
	}
	if err := s.checkpoint(); err != nil { // the log into the file, where the map serves it
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		got, err := s.ReadAll(ctx, 0, 0)
		if err == nil && len(got) != len(want) {
			err = fmt.Errorf("read all: %d events, want %d", len(got), len(want))
		}
		done <- err
	}()
	for round := range 2 {
		n := 0
		err := s.ScanAll(ctx, 0, func(e *domain.Event) error {
			if e.ID != want[n].ID || e.Hash != want[n].Hash || e.Verify() != nil {
				return fmt.Errorf("position %d: not the event appended there", e.Position)
			}
			n++
			return nil
		})
		if err != nil || n != len(want) {
			t.Fatalf("scan %d: %d of %d events: %v", round, n, len(want), err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
