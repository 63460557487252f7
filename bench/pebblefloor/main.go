// Command pebblefloor measures what an event store built on Pebble v2
// could not do better than, on the machine it runs on, for the workloads
// of bench/: A (one writer, 10 values per synced batch, 100,000 values),
// B (32 writers, one value per synced write, 20,000 values) and a scan of
// every value in key order. The values are one 300-byte slice under
// 8-byte keys; there is no hashing, no encoding, no index and no check of
// versions, all of which a store would add. See bench/README.md.
package main

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

func key(i uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, i)
	return k
}

// figures are one run's rates: values written or scanned per second.
type figures struct{ a, b, scan float64 }

// run measures A, B and the scan on a new database in dir.
func run(dir string) (figures, error) {
	var f figures
	db, err := pebble.Open(dir, &pebble.Options{Logger: quiet{}})
	if err != nil {
		return f, fmt.Errorf("open pebble in %s: %w", dir, err)
	}
	val := make([]byte, 300)
	rand.Read(val)
	var seq atomic.Uint64
	took, err := timed(func() error { return oneWriter(db, &seq, val) })
	if err != nil {
		db.Close()
		return f, fmt.Errorf("workload A: %w", err)
	}
	f.a = 100_000 / took.Seconds()
	if took, err = timed(func() error { return manyWriters(db, &seq, val) }); err != nil {
		db.Close()
		return f, fmt.Errorf("workload B: %w", err)
	}
	f.b = 20_000 / 32 * 32 / took.Seconds()
	var n int
	if took, err = timed(func() (err error) { n, err = scan(db); return err }); err != nil {
		db.Close()
		return f, fmt.Errorf("scan: %w", err)
	}
	f.scan = float64(n) / took.Seconds()
	if err := db.Close(); err != nil {
		return f, fmt.Errorf("close pebble: %w", err)
	}
	return f, nil
}

// timed runs do and returns how long it took.
func timed(do func() error) (time.Duration, error) {
	start := time.Now()
	err := do()
	return time.Since(start), err
}

// oneWriter is workload A: one writer, 10 values per synced batch,
// 100,000 values.
func oneWriter(db *pebble.DB, seq *atomic.Uint64, val []byte) error {
	for range 10_000 {
		bt := db.NewBatch()
		for range 10 {
			if err := bt.Set(key(seq.Add(1)), val, nil); err != nil {
				return err
			}
		}
		if err := bt.Commit(pebble.Sync); err != nil {
			return err
		}
	}
	return nil
}

// manyWriters is workload B: 32 writers, one value per synced write.
func manyWriters(db *pebble.DB, seq *atomic.Uint64, val []byte) error {
	errs := make([]error, 32)
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for range 20_000 / 32 {
				if errs[w] = db.Set(key(seq.Add(1)), val, pebble.Sync); errs[w] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// scan reads every value in key order, copying each out, and counts them.
func scan(db *pebble.DB) (int, error) {
	it, err := db.NewIter(nil)
	if err != nil {
		return 0, err
	}
	n := 0
	var copied []byte
	for it.First(); it.Valid(); it.Next() {
		copied = append(copied[:0], it.Value()...)
		n++
	}
	return n, it.Close()
}

func main() {
	var as, bs, ss []float64
	for r := range 3 {
		f, err := runIn()
		if err != nil {
			fmt.Fprintln(os.Stderr, "pebblefloor:", err)
			os.Exit(1)
		}
		fmt.Printf("run %d: A %.0f/s  B %.0f/s  scan %.0f/s\n", r+1, f.a, f.b, f.scan)
		as, bs, ss = append(as, f.a), append(bs, f.b), append(ss, f.scan)
	}
	fmt.Printf("median: A %.0f  B %.0f  scan %.0f\n", median(as), median(bs), median(ss))
}

// runIn runs once in a new temporary directory and removes it after.
func runIn() (figures, error) {
	dir, err := os.MkdirTemp("", "pebblefloor-")
	if err != nil {
		return figures{}, err
	}
	defer os.RemoveAll(dir)
	return run(dir)
}

func median(v []float64) float64 {
	sort.Float64s(v)
	return v[len(v)/2]
}

// quiet drops Pebble's informational log lines.
type quiet struct{}

func (quiet) Infof(string, ...any)  {}
func (quiet) Errorf(string, ...any) {}
func (quiet) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}
