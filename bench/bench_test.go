package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore"
)

// tiny is a configuration small enough for a test.
var tiny = Config{Streams: 40, EventsA: 200, BatchA: 10, EventsB: 64, WritersB: 8, NoteBytes: 250}

// TestBothStoresRunTheWorkloads: each store takes every event of A and B
// and replays all of them decoded; the report prints both and the ratios.
func TestBothStoresRunTheWorkloads(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, tiny, 1, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"run 1 tl-format2", "run 1 tl-format3", "run 1 sqlite-peer", "| replay with full decoding, events/s |", "| bytes on disk per event |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestStoresRefuseStaleVersion: both stores check the expected version of
// a stream, so neither wins by skipping optimistic concurrency.
func TestStoresRefuseStaleVersion(t *testing.T) {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, o := range stores {
		t.Run(o.name, func(t *testing.T) {
			s, err := o.open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			one := []domain.ProgressReported{report(0, 0, 50, at)}
			if err := s.Append(streamName(0), 0, one, at); err != nil {
				t.Fatal(err)
			}
			err = s.Append(streamName(0), 0, one, at)
			if !errors.Is(err, errConcurrency) && !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
				t.Fatalf("second append at version 0: %v, want a concurrency error", err)
			}
			n, err := s.Replay(func(domain.ProgressReported) {})
			if err != nil || n != 1 {
				t.Fatalf("replay: %d events, %v; want 1", n, err)
			}
		})
	}
}

// TestNotesHaveTheirSize: notes are cut to the asked size at a character
// boundary, so payloads are the issue's ~250-byte notes.
func TestNotesHaveTheirSize(t *testing.T) {
	for _, n := range []int{50, 250, 251, 252} {
		note := report(3, 7, n, time.Now()).Note
		if len(note) > n || len(note) < n-2 || !strings.HasPrefix(note, "第8次进展报告") {
			t.Errorf("note for %d bytes has %d: %q", n, len(note), note)
		}
	}
}
