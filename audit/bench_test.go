package audit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
)

// BenchmarkComputeHash measures sealing's hash over the demo's events (the
// share of an append the hash chain costs).
func BenchmarkComputeHash(b *testing.B) {
	events := demoEvents(b)
	var bytes int64
	for _, e := range events {
		bytes += int64(len(e.Payload))
	}
	b.ResetTimer()
	for i := range b.N {
		e := &events[i%len(events)]
		e.Hash = e.ComputeHash()
	}
	b.ReportMetric(float64(bytes)/float64(len(events)), "payload-B/event")
}

// BenchmarkAppend appends the demo's events to the embedded store, 32
// writers of 10 events each per append, fsync on, as the store benchmark
// does; compare its ns/event with BenchmarkComputeHash's.
func BenchmarkAppend(b *testing.B) {
	events := demoEvents(b)
	s, err := bolt.OpenDir(b.TempDir(), bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const writers, per = 32, 10
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("bench-%d", w)
			batch := make([]domain.Event, per)
			for {
				n := next.Add(per) - per
				if n >= int64(b.N) {
					return
				}
				for i := range batch {
					batch[i] = events[(int(n)+i)%len(events)]
					batch[i].ID = uuid.New()
				}
				if _, err := s.Append(context.Background(), stream, eventstore.Any(), batch); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkVerifyStore measures VerifyStore over the demo ledger in memory.
func BenchmarkVerifyStore(b *testing.B) {
	s := storeOf(b, demoEvents(b))
	b.ResetTimer()
	var n uint64
	for range b.N {
		res, err := VerifyStore(context.Background(), s, VerifyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n += res.Events
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
