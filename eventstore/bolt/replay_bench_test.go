package bolt

import (
	"context"
	"syscall"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/replay"
)

// BenchmarkReplayDecode measures what a rebuild does with the log: replay
// through replay.Run, every payload decoded by the default registry into
// its typed value and folded in log order. One op is one whole replay of
// benchScanEvents ~300-byte progress reports; events/s is the figure that
// docs/benchmarks.md calls "replay with full decoding". cpu-ns/event is
// the process's CPU time (all goroutines, GC included) per event: on a
// shared machine it moves far less with other work than events/s does,
// and 2e9 / cpu-ns/event bounds what two idle cores could reach.
func BenchmarkReplayDecode(b *testing.B) {
	s := benchStore(b, benchScanEvents)
	reg := domain.DefaultRegistry()
	ctx := context.Background()
	events := 0
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime(b)
	for b.Loop() {
		perUnit := map[domain.UnitID]int{}
		stats, err := replay.Run(ctx, s, reg, replay.Options{PayloadsUnread: true}, func(_ *domain.Event, d domain.EventData) error {
			if p, ok := d.(domain.ProgressReported); ok {
				perUnit[p.Unit]++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if stats.Events != benchScanEvents || len(perUnit) == 0 {
			b.Fatalf("replayed %d events over %d units, want %d", stats.Events, len(perUnit), benchScanEvents)
		}
		events += stats.Events
	}
	b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(events), "cpu-ns/event")
}

// cpuTime is the CPU time the process has used so far (user and system).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
