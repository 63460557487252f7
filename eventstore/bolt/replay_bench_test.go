package bolt

import (
	"context"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/replay"
)

// BenchmarkReplayDecode measures what a rebuild does with the log: replay
// through replay.Run, every payload decoded by the default registry into
// its typed value and folded in log order. One op is one whole replay of
// benchScanEvents ~300-byte progress reports; events/s is the figure that
// docs/benchmarks.md calls "replay with full decoding".
func BenchmarkReplayDecode(b *testing.B) {
	s := benchStore(b, benchScanEvents)
	reg := domain.DefaultRegistry()
	ctx := context.Background()
	events := 0
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		perUnit := map[domain.UnitID]int{}
		stats, err := replay.Run(ctx, s, reg, replay.Options{}, func(_ *domain.Event, d domain.EventData) error {
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
}
