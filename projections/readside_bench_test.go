//go:build unix

package projections_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore/bolt"
	"taskledger/projections"
	"taskledger/projections/scoring"
	"taskledger/replay"
)

// decodedLog is a ledger's log decoded once, so the benchmarks below time
// the read models alone, not reading and decoding.
type decodedLog struct {
	events []domain.Event
	datas  []domain.EventData
}

// loadLedger decodes the whole log of the embedded store in the directory
// TASKLEDGER_BENCH_LEDGER names (e.g. one made by `taskledger demo --scale
// 209`), or skips the benchmark when it is not set.
func loadLedger(b *testing.B) decodedLog {
	b.Helper()
	dir := os.Getenv("TASKLEDGER_BENCH_LEDGER")
	if dir == "" {
		b.Skip("set TASKLEDGER_BENCH_LEDGER to an embedded store's directory")
	}
	s, err := bolt.OpenDir(dir, bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var l decodedLog
	_, err = replay.Run(context.Background(), s, domain.DefaultRegistry(), replay.Options{}, func(e *domain.Event, data domain.EventData) error {
		c := *e
		c.Payload = nil // replay reuses its memory; the models never read it
		l.events = append(l.events, c)
		l.datas = append(l.datas, data)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// processCPU returns the CPU time the process has used (every thread).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process's CPU time per operation since began, a
// figure other work on a shared machine inflates far less than ns/op.
func reportCPU(b *testing.B, began time.Duration) {
	b.ReportMetric(float64(processCPU(b)-began)/1e6/float64(b.N), "cpu-ms/op")
}

// apply folds the first n events of the log into fresh read models.
func (l decodedLog) apply(b *testing.B, n int) *projections.Views {
	v := projections.NewViews(projections.Config{})
	for i := range l.events[:n] {
		if err := v.Apply(&l.events[i], l.datas[i]); err != nil {
			b.Fatal(err)
		}
	}
	return v
}

// BenchmarkApplyAll folds a whole decoded log into every read model: the
// share of a rebuild that is the models' own work.
func BenchmarkApplyAll(b *testing.B) {
	l := loadLedger(b)
	b.ResetTimer()
	cpu := processCPU(b)
	for b.Loop() {
		l.apply(b, len(l.events))
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(len(l.events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkScorecardsWarm computes a year's bureau and county scorecards
// from read models that hold the whole log, as bench-read does.
func BenchmarkScorecardsWarm(b *testing.B) {
	l := loadLedger(b)
	v := l.apply(b, len(l.events))
	end := time.Date(2026, time.January, 31, 23, 0, 0, 0, domain.Shanghai())
	b.ResetTimer()
	cpu := processCPU(b)
	defer func() { reportCPU(b, cpu) }()
	for b.Loop() {
		for _, k := range []scoring.Kind{scoring.KindBureau, scoring.KindCounty} {
			if _, err := v.Scorecards("chifeng-air", 2025, k, "", 0, end); err != nil {
				b.Fatal(err)
			}
		}
	}
}
