package bolt

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
	"taskledger/eventstore"
)

// BenchmarkAppend measures durable (fsynced) appends of ~300-byte events
// to a format 2 ledger (bbolt syncs each group commit itself: two fsyncs):
// one op is one Append of batch events, from writers goroutines.
func BenchmarkAppend(b *testing.B) { benchAppends(b, Options{NoJournal: true}) }

// BenchmarkAppendJournal is BenchmarkAppend on a format 3 ledger, the
// default: one journal fdatasync per group commit.
func BenchmarkAppendJournal(b *testing.B) { benchAppends(b, Options{}) }

func benchAppends(b *testing.B, opts Options) {
	for _, writers := range []int{1, 32} {
		for _, batch := range []int{1, 10} {
			b.Run(fmt.Sprintf("writers=%d/batch=%d", writers, batch), func(b *testing.B) {
				benchAppend(b, writers, batch, opts)
			})
		}
	}
}

func benchAppend(b *testing.B, writers, batch int, opts Options) {
	s := openTest(b, filepath.Join(b.TempDir(), "l.db"), opts)
	ctx := context.Background()
	template := event(rand.New(rand.NewPCG(1, 1)), 0, 300)
	var next atomic.Int64
	b.SetParallelism(max(1, writers/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	start := time.Now()
	run := func(pb interface{ Next() bool }) {
		w := next.Add(1)
		stream := fmt.Sprintf("obligation-bench-%d-county.bench-%02d-implementing", w, w%40)
		for pb.Next() {
			evs := make([]domain.Event, batch)
			for i := range evs {
				evs[i] = template
				evs[i].ID = uuid.New()
				evs[i].CorrelationID = uuid.New()
			}
			if _, err := s.Append(ctx, stream, eventstore.Any(), evs); err != nil {
				b.Error(err)
				return
			}
		}
	}
	if writers == 1 {
		run(&serial{n: b.N})
	} else {
		b.RunParallel(func(pb *testing.PB) { run(pb) })
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N*batch)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(b.N)/float64(max(1, s.commits.Load())), "appends/commit")
	if testing.Verbose() {
		st := s.db.Stats().TxStats
		c := time.Duration(max(1, s.commits.Load()))
		b.Logf("per commit: spill %v, write %v (%d writes), rebalance %v; total elapsed/commit %v",
			st.GetSpillTime()/c, st.GetWriteTime()/c, st.GetWrite()/int64(c), st.GetRebalanceTime()/c, elapsed/c)
	}
}

type serial struct{ n int }

func (s *serial) Next() bool { s.n--; return s.n >= 0 }

// benchStore returns a store holding n ~300-byte events in 500 streams.
func benchStore(b testing.TB, n int) *Store { return benchStoreWith(b, n, Options{}) }

// benchStoreWith is benchStore with opts (Journal: format 3), never syncing.
func benchStoreWith(b testing.TB, n int, opts Options) *Store {
	b.Helper()
	opts.NoSync = true
	s := openTest(b, filepath.Join(b.TempDir(), "l.db"), opts)
	rng := rand.New(rand.NewPCG(2, 2))
	ctx := context.Background()
	const batch = 100
	for i := 0; i < n; i += batch {
		evs := make([]domain.Event, batch)
		for j := range evs {
			evs[j] = event(rng, i+j, 300)
		}
		if _, err := s.Append(ctx, fmt.Sprintf("obligation-bench-%d-county.bench-%02d-implementing", i/batch%500, i%40), eventstore.Any(), evs); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

const benchScanEvents = 200_000

// BenchmarkScanAll measures replay through ScanAll: one op is one event
// decoded (envelope, hashes, payload slice; not the JSON payload).
func BenchmarkScanAll(b *testing.B) { benchScanAll(b, Options{NoJournal: true}) }

// BenchmarkScanAllJournal is BenchmarkScanAll on a format 3 ledger.
func BenchmarkScanAllJournal(b *testing.B) { benchScanAll(b, Options{}) }

func benchScanAll(b *testing.B, opts Options) {
	s := benchStoreWith(b, benchScanEvents, opts)
	ctx := context.Background()
	stop := errors.New("stop")
	b.ResetTimer()
	start := time.Now()
	for done := 0; done < b.N; {
		err := s.ScanAll(ctx, 0, func(e *domain.Event) error {
			done++
			if done == b.N {
				return stop
			}
			return nil
		})
		if err != nil && !errors.Is(err, stop) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkReadAll measures ReadAll in pages of 1024 (as subscriptions
// read): one op is one event, copied out.
func BenchmarkReadAll(b *testing.B) {
	s := benchStore(b, benchScanEvents)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	var after uint64
	for done := 0; done < b.N; {
		page, err := s.ReadAll(ctx, after, min(1024, b.N-done))
		if err != nil {
			b.Fatal(err)
		}
		done += len(page)
		after = page[len(page)-1].Position
		if after == benchScanEvents {
			after = 0
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkBoltCommitBaseline is the floor BenchmarkAppend/writers=1 runs
// against on this machine: a bare bbolt commit of one 400-byte value with
// the store's options. It puts the noisy disk numbers in proportion.
func BenchmarkBoltCommitBaseline(b *testing.B) {
	db, err := bbolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bbolt.Options{NoFreelistSync: true, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("x")); return err }); err != nil {
		b.Fatal(err)
	}
	val := make([]byte, 400)
	for i := uint64(0); b.Loop(); i++ {
		err := db.Update(func(tx *bbolt.Tx) error {
			bk := tx.Bucket([]byte("x"))
			bk.FillPercent = 1
			return bk.Put(u64Key(i), val)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
