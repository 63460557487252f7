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

func run(dir string) (a, b, scan float64) {
	db, err := pebble.Open(dir, &pebble.Options{Logger: quiet{}})
	if err != nil {
		panic(err)
	}
	val := make([]byte, 300)
	rand.Read(val)
	var seq atomic.Uint64
	// A: one writer, 10 values per synced batch, 100,000 values.
	start := time.Now()
	for i := 0; i < 10000; i++ {
		bt := db.NewBatch()
		for j := 0; j < 10; j++ {
			bt.Set(key(seq.Add(1)), val, nil)
		}
		if err := bt.Commit(pebble.Sync); err != nil {
			panic(err)
		}
	}
	a = 100000 / time.Since(start).Seconds()
	// B: 32 writers, one value per synced batch, 20,000 values.
	start = time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20000/32; i++ {
				if err := db.Set(key(seq.Add(1)), val, pebble.Sync); err != nil {
					panic(err)
				}
			}
		}()
	}
	wg.Wait()
	b = float64(20000/32*32) / time.Since(start).Seconds()
	// Scan: every value in key order, copied out.
	start = time.Now()
	it, _ := db.NewIter(nil)
	n := 0
	var sink []byte
	for it.First(); it.Valid(); it.Next() {
		sink = append(sink[:0], it.Value()...)
		n++
	}
	it.Close()
	scan = float64(n) / time.Since(start).Seconds()
	_ = sink
	if err := db.Close(); err != nil {
		panic(err)
	}
	return a, b, scan
}

func main() {
	var as, bs, ss []float64
	for r := 0; r < 3; r++ {
		dir, err := os.MkdirTemp("", "pebblefloor-")
		if err != nil {
			panic(err)
		}
		a, b, s := run(dir)
		os.RemoveAll(dir)
		fmt.Printf("run %d: A %.0f/s  B %.0f/s  scan %.0f/s\n", r+1, a, b, s)
		as, bs, ss = append(as, a), append(bs, b), append(ss, s)
	}
	med := func(v []float64) float64 { sort.Float64s(v); return v[len(v)/2] }
	fmt.Printf("median: A %.0f  B %.0f  scan %.0f\n", med(as), med(bs), med(ss))
}

// quiet drops Pebble's informational log lines.
type quiet struct{}

func (quiet) Infof(string, ...any)  {}
func (quiet) Errorf(string, ...any) {}
func (quiet) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}
