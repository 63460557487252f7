package main

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hallgren/eventsourcing"

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
	for _, want := range []string{"run 1 tl-format2", "run 1 tl-format4", "run 1 hallgren", "| settle after B (checkpoint of journal or WAL), ms |", "| replay with full decoding, events/s |", "| bytes on disk per event |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestLedgerFormats: the runs are named for the formats the embedded
// store writes, so a change of default shows in the labels.
func TestLedgerFormats(t *testing.T) {
	for journal, want := range map[bool]string{false: "taskledger-bolt/2", true: "taskledger-bolt/4"} {
		l, err := OpenLedger(t.TempDir(), journal)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.s.Format(); got != want {
			t.Errorf("OpenLedger(journal %v) writes %q, want %q", journal, got, want)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStoresRefuseStaleVersion: every store checks the expected version of
// a stream, so none wins by skipping optimistic concurrency, and replays
// exactly the reports it took, in the order it took them, and none of a
// refused append.
func TestStoresRefuseStaleVersion(t *testing.T) {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, o := range stores {
		t.Run(o.name, func(t *testing.T) {
			s, err := o.open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var saved []domain.ProgressReported
			appendAt := func(stream int, version uint64, n int) error {
				reports := make([]domain.ProgressReported, n)
				for j := range reports {
					reports[j] = report(stream, int(version)+j, 50, at)
				}
				err := s.Append(streamName(stream), version, reports, at)
				if err == nil {
					saved = append(saved, reports...)
				}
				return err
			}
			for _, a := range []struct {
				stream  int
				version uint64
				n       int
			}{{0, 0, 3}, {1, 0, 1}, {0, 3, 1}, {1, 1, 2}} {
				if err := appendAt(a.stream, a.version, a.n); err != nil {
					t.Fatalf("append %d to stream %d at %d: %v", a.n, a.stream, a.version, err)
				}
			}
			err = appendAt(1, 0, 1)
			if !errors.Is(err, eventsourcing.ErrConcurrency) && !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
				t.Fatalf("append to stream 1 at version 0 after 3 events: %v, want a concurrency error", err)
			}
			var got []domain.ProgressReported
			n, err := s.Replay(func(r domain.ProgressReported) { got = append(got, r) })
			if err != nil || n != len(saved) {
				t.Fatalf("replay: %d events, %v; want %d", n, err, len(saved))
			}
			if !reflect.DeepEqual(got, saved) {
				t.Fatalf("replay gave\n%+v\nwant\n%+v", got, saved)
			}
		})
	}
}

// TestPeerIsDurable: the peer's database runs in WAL mode with every commit
// synced (synchronous=FULL is 2), the settings its figures are taken with.
func TestPeerIsDurable(t *testing.T) {
	p, err := OpenPeer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var mode string
	var sync int
	if err := p.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := p.db.QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != 2 {
		t.Fatalf("journal_mode %q, synchronous %d; want wal and 2 (FULL)", mode, sync)
	}
}

// TestPeerContinuesOnlyWhatItHolds: an append that continues a stream at a
// version its held aggregate is not at is refused before anything is saved.
func TestPeerContinuesOnlyWhatItHolds(t *testing.T) {
	p, err := OpenPeer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	one := []domain.ProgressReported{report(0, 0, 50, at)}
	if err := p.Append(streamName(0), 0, one, at); err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint64{2, 5} {
		if err := p.Append(streamName(0), v, one, at); !errors.Is(err, errNotHeld) {
			t.Errorf("append at %d to a stream at 1: %v, want errNotHeld", v, err)
		}
	}
	if err := p.Append(streamName(1), 1, one, at); !errors.Is(err, errNotHeld) {
		t.Errorf("append at 1 to a stream never written: %v, want errNotHeld", err)
	}
	if n, err := p.Replay(func(domain.ProgressReported) {}); err != nil || n != 1 {
		t.Fatalf("replay: %d events, %v; want 1", n, err)
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
