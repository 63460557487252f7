package main

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
	"taskledger/replay"
)

// Ledger is taskledger's embedded store, used as the application uses it:
// payloads encoded by the domain registry, appends at an exact expected
// version (each durable before it returns), replay through replay.Run with
// every payload decoded by the registry.
type Ledger struct {
	s   *bolt.Store
	dir string
	reg *domain.Registry
}

// OpenLedger creates a new embedded ledger in dir: format 4, the default
// (one fdatasync of a journal per group commit, the file written at
// checkpoints, payloads packed; docs/ledger-format.md), or format 2 (bbolt
// syncs each commit).
func OpenLedger(dir string, journal bool) (*Ledger, error) {
	s, err := bolt.OpenDir(filepath.Join(dir, "ledger"), bolt.Options{NoJournal: !journal})
	if err != nil {
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	return &Ledger{s: s, dir: filepath.Join(dir, "ledger"), reg: domain.DefaultRegistry()}, nil
}

// Name implements EventStore.
func (l *Ledger) Name() string { return "taskledger" }

// Append implements EventStore.
func (l *Ledger) Append(stream string, expected uint64, reports []domain.ProgressReported, at time.Time) error {
	events := make([]domain.Event, len(reports))
	for j, r := range reports {
		typ, version, payload, err := l.reg.Encode(r)
		if err != nil {
			return err
		}
		events[j] = domain.Event{
			ID: uuid.New(), Type: typ, SchemaVersion: version,
			RecordedAt: at, EffectiveAt: at.Add(-24 * time.Hour),
			Actor: string(r.Unit), CorrelationID: uuid.New(), Payload: payload,
		}
	}
	_, err := l.s.Append(context.Background(), stream, eventstore.Exact(expected), events)
	return err
}

// Replay implements EventStore.
func (l *Ledger) Replay(fold func(domain.ProgressReported)) (int, error) {
	stats, err := replay.Run(context.Background(), l.s, l.reg, replay.Options{PayloadsUnread: true}, func(e *domain.Event, d domain.EventData) error {
		p, ok := d.(domain.ProgressReported)
		if !ok {
			return fmt.Errorf("unexpected %s", e.Type)
		}
		fold(p)
		return nil
	})
	return stats.Events, err
}

// Settle implements EventStore: a checkpoint writes every group the
// journal holds into the ledger file and empties the journal (format 2
// has no journal: nothing to do).
func (l *Ledger) Settle() error {
	if err := l.s.Checkpoint(); err != nil {
		return fmt.Errorf("taskledger: checkpoint: %w", err)
	}
	return nil
}

// Bytes implements EventStore: every file of the ledger's directory after
// a checkpoint that empties the journal (as the peer's size is taken after
// a checkpoint that empties its WAL): the ledger at rest. The journal
// holds, for about a second, groups the file is about to get; measured
// before, they count once in the journal and again in any part of the
// file a running checkpoint has grown.
func (l *Ledger) Bytes() (int64, error) {
	if err := l.Settle(); err != nil {
		return 0, err
	}
	var total int64
	err := filepath.WalkDir(l.dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			total += fi.Size()
		}
		return err
	})
	return total, err
}

// Close implements EventStore.
func (l *Ledger) Close() error { return l.s.Close() }
