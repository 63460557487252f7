package main

import (
	"fmt"
	"strings"
	"time"

	"taskledger/domain"
)

// Config sizes the three workloads. Both stores get the same events.
type Config struct {
	Streams   int // obligation streams the events go to
	EventsA   int // events of workload A (one writer, BatchA per append)
	BatchA    int
	EventsB   int // events of workload B (WritersB writers, one per append)
	WritersB  int
	NoteBytes int // length of each report's note in bytes (UTF-8)
}

// DefaultConfig is the shape: ~250-byte notes, 2,000 streams.
func DefaultConfig() Config {
	return Config{Streams: 2000, EventsA: 100_000, BatchA: 10, EventsB: 20_000, WritersB: 32, NoteBytes: 250}
}

// validate refuses sizes the workloads cannot split evenly.
func (c Config) validate() error {
	switch {
	case c.Streams <= 0 || c.EventsA <= 0 || c.EventsB <= 0 || c.BatchA <= 0 || c.WritersB <= 0 || c.NoteBytes <= 0:
		return fmt.Errorf("every size must be positive: %+v", c)
	case c.EventsA%c.BatchA != 0:
		return fmt.Errorf("events of A (%d) must be a multiple of its batch (%d)", c.EventsA, c.BatchA)
	case c.WritersB > c.Streams:
		return fmt.Errorf("B's writers (%d) each need a stream of their own (%d streams)", c.WritersB, c.Streams)
	}
	return nil
}

// streamName is the obligation stream of index i, named as taskledger
// names them.
func streamName(i int) string {
	return domain.ObligationStream("bench", domain.TaskNo(i+1), unitOf(i), domain.RoleImplementing)
}

func unitOf(i int) domain.UnitID { return domain.UnitID(fmt.Sprintf("county.bench-%02d", i%40)) }

// noteFiller is the sentence notes are cut from.
const noteFiller = "已完成燃煤锅炉排查，淘汰改造工作按计划推进，剩余项目年底前完成；散煤治理、扬尘管控和柴油货车检查同步开展。"

// report builds the seq-th progress report of stream i: a note of about
// n bytes, cut at a character boundary.
func report(i, seq, n int, at time.Time) domain.ProgressReported {
	var b strings.Builder
	fmt.Fprintf(&b, "第%d次进展报告：", seq+1)
	for b.Len() < n {
		b.WriteString(noteFiller)
	}
	note := b.String()
	cut := min(n, len(note))
	for cut > 0 && note[cut]&0xc0 == 0x80 {
		cut--
	}
	return domain.ProgressReported{
		ObligationKey: domain.ObligationKey{Plan: "bench", Task: domain.TaskNo(i + 1), Unit: unitOf(i), Role: domain.RoleImplementing},
		Percent:       domain.Percent(seq % 101),
		Note:          note[:cut],
		Period:        domain.YearMonthOf(at),
	}
}

// EventStore is what the workloads need of a store: an append of events to
// one stream at an expected version (optimistic concurrency), a settling
// of what its writes deferred, a replay of everything with every payload
// decoded, and its size on disk.
type EventStore interface {
	Name() string
	Append(stream string, expected uint64, reports []domain.ProgressReported, at time.Time) error
	// Replay decodes every stored event and calls fold with each report
	// in log order; it returns the number of events.
	Replay(fold func(domain.ProgressReported)) (int, error)
	// Settle writes into the store's main file what its writes left in a
	// log beside it (taskledger's journal, SQLite's WAL) and returns when
	// that is done, so that the replay after it shares the machine with
	// no background work of the writes.
	Settle() error
	Bytes() (int64, error)
	Close() error
}
