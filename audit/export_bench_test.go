package audit

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// BenchmarkVerifyExport measures VerifyExport over an export of the demo
// ledger: each line parsed, every hash recomputed, the Merkle root checked.
func BenchmarkVerifyExport(b *testing.B) {
	events := demoEvents(b)
	s := storeOf(b, events)
	var file bytes.Buffer
	if _, err := Export(context.Background(), s, &file, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var n uint64
	for range b.N {
		res, err := VerifyExport(context.Background(), bytes.NewReader(file.Bytes()), VerifyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Events != uint64(len(events)) {
			b.Fatalf("verified %d events of %d", res.Events, len(events))
		}
		n += res.Events
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
