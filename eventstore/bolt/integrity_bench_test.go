package bolt

import (
	"os"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// TestOpenCost reports what the checks on open cost on a large ledger:
// TASKLEDGER_OPEN_COST_LEDGER=/path/to/a/copy/of/ledger.db go test -run
// OpenCost -v ./eventstore/bolt/. The file is opened read-only by the
// check and the read-only open, and read-write (which writes nothing to a
// format 2 file) by the last.
func TestOpenCost(t *testing.T) {
	path := os.Getenv("TASKLEDGER_OPEN_COST_LEDGER")
	if path == "" {
		t.Skip("TASKLEDGER_OPEN_COST_LEDGER is not set")
	}
	for range 2 { // the first round warms the page cache
		start := time.Now()
		fc, err := inspect(path, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		checked := time.Since(start)
		start = time.Now()
		s, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		head := s.head.Load()
		_ = s.Close()
		ro := time.Since(start)
		start = time.Now()
		s, err = Open(path, Options{MustExist: true})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Close()
		rw := time.Since(start)
		start = time.Now()
		db, err := openBolt(path, &bbolt.Options{Timeout: time.Second, NoFreelistSync: true, FreelistType: bbolt.FreelistMapType})
		if err != nil {
			t.Fatal(err)
		}
		_ = db.Close()
		bare := time.Since(start)
		t.Logf("bbolt's own read-write open (its free-page scan, no check): %v", bare)
		t.Logf("%d bytes, %d pages of %d bytes, %d events: page check %v; read-only open (check included) %v; read-write open (check included) %v",
			fc.size, fc.pages, fc.pageSize, head, checked, ro, rw)
	}
}
