package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
	"taskledger/eventstore"
)

// cursorFixture is a bbolt file with small pages holding one bucket of
// 8-byte keys whose values range from empty to several pages, written over
// many transactions with deletions, so that its tree is several levels
// deep and its pages are not in key order in the file.
type cursorFixture struct {
	path     string
	pageSize int
	keys     map[uint64][]byte
}

func newCursorFixture(t *testing.T) cursorFixture {
	return newCursorFixtureOf(t, false)
}

// newCursorFixtureOf makes the fixture; inOrder fills it as the log is
// filled instead, key after key in order with values of one size, each
// transaction appending a few, so that its leaves mostly lie one after
// the other in the file.
func newCursorFixtureOf(t *testing.T, inOrder bool) cursorFixture {
	t.Helper()
	fx := cursorFixture{path: filepath.Join(t.TempDir(), "pages.db"), pageSize: 1024, keys: map[uint64][]byte{}}
	db, err := bbolt.Open(fx.path, 0o600, &bbolt.Options{PageSize: fx.pageSize, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 40 {
		err := db.Update(func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("log"))
			if err != nil {
				return err
			}
			for i := range 100 {
				k := uint64(rng.IntN(20000)) * 2 // even keys: odd ones are gaps to seek into
				if inOrder {
					k = uint64(round*100+i) * 2
				}
				v := make([]byte, rng.IntN(3*fx.pageSize))
				switch {
				case inOrder:
					v = make([]byte, fx.pageSize-100) // as log segments: one size
				case rng.IntN(50) == 0:
					v = v[:0]
				}
				for i := range v {
					v[i] = byte(rng.Uint32())
				}
				if err := b.Put(u64Key(k), v); err != nil {
					return err
				}
				fx.keys[k] = v
			}
			for k := range fx.keys {
				if !inOrder && round%3 == 0 && rng.IntN(10) == 0 {
					if err := b.Delete(u64Key(k)); err != nil {
						return err
					}
					delete(fx.keys, k)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return fx
}

// view runs fn with a fileCursor and bbolt's cursor over the fixture's
// bucket, in one read transaction.
func (fx cursorFixture) view(t *testing.T, fn func(fc *fileCursor, bc *bbolt.Cursor)) {
	t.Helper()
	db, err := bbolt.Open(fx.path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, err := os.Open(fx.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("log"))
		fn(newFileCursor(&countingPages{pageFile: f}, tx.DB().Info().PageSize, bucketRoot(b), tx.ID()), b.Cursor())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Read from the file, the bucket is what bbolt's cursor shows through its
// map: every key and value in order from the first, and from any key
// sought, present or not, before the first or after the last.
func TestFileCursorReadsWhatBboltShows(t *testing.T) {
	for _, inOrder := range []bool{false, true} {
		testFileCursorReadsWhatBboltShows(t, newCursorFixtureOf(t, inOrder), inOrder)
	}
}

func testFileCursorReadsWhatBboltShows(t *testing.T, fx cursorFixture, inOrder bool) {
	fx.view(t, func(fc *fileCursor, bc *bbolt.Cursor) {
		n := 0
		leaves := map[uint64]bool{}
		k, v := fc.Seek(u64Key(0))
		for bk, bv := bc.First(); bk != nil; bk, bv = bc.Next() {
			leaves[fc.stack[len(fc.stack)-1].id] = true
			if !bytes.Equal(k, bk) || !bytes.Equal(v, bv) {
				t.Fatalf("element %d: file gives key %x (%d bytes of value), map gives %x (%d)", n, k, len(v), bk, len(bv))
			}
			if want := fx.keys[binary.BigEndian.Uint64(k)]; !bytes.Equal(v, want) {
				t.Fatalf("key %x: value differs from the one put", k)
			}
			n++
			k, v = fc.Next()
		}
		if k != nil || fc.err != nil || n != len(fx.keys) {
			t.Fatalf("file cursor ends with key %x, err %v after %d of %d keys", k, fc.err, n, len(fx.keys))
		}
		if depth := len(fc.stack); depth < 3 {
			t.Fatalf("the fixture's tree is %d levels deep; the test needs branches under the root", depth)
		}
		if reads := fc.f.(*countingPages).reads; inOrder && reads*2 > len(leaves) {
			t.Fatalf("%d leaves written in order took %d reads: none was read ahead", len(leaves), reads)
		}
		rng := rand.New(rand.NewPCG(7, 8))
		for range 500 {
			seek := u64Key(uint64(rng.IntN(40010)))
			fk, fv := fc.Seek(seek)
			bk, bv := bc.Seek(seek)
			for step := 0; step < 3; step++ {
				if !bytes.Equal(fk, bk) || !bytes.Equal(fv, bv) {
					t.Fatalf("seek %x, step %d: file gives key %x, map gives %x", seek, step, fk, bk)
				}
				fk, fv = fc.Next()
				bk, bv = bc.Next()
			}
		}
	})
}

// A bucket whose root is a leaf is read too, over and over from one
// cursor (the depth it learns is the root's).
func TestFileCursorReadsARootLeaf(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leaf.db")
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{PageSize: 1024, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("log"))
		for k := uint64(0); k < 3 && err == nil; k++ {
			err = b.Put(u64Key(k), bytes.Repeat([]byte{byte(k)}, 500))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("log"))
		if bucketRoot(b) == 0 {
			t.Fatal("the bucket is inline; the test needs a root page")
		}
		fc := newFileCursor(f, 1024, bucketRoot(b), tx.ID())
		for round := range 3 {
			n := 0
			for k, v := fc.Seek(u64Key(0)); k != nil; k, v = fc.Next() {
				if binary.BigEndian.Uint64(k) != uint64(n) || !bytes.Equal(v, bytes.Repeat([]byte{byte(n)}, 500)) {
					t.Fatalf("round %d: element %d is key %x", round, n, k)
				}
				n++
			}
			if n != 3 || fc.err != nil {
				t.Fatalf("round %d: %d elements, err %v", round, n, fc.err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A page that does not hold together stops the cursor with an error that
// says the ledger is damaged, where bbolt's cursor would panic.
func TestFileCursorRefusesDamagedPages(t *testing.T) {
	for name, damage := range map[string]func(page []byte){
		"wrong page id":   func(p []byte) { binary.LittleEndian.PutUint64(p[0:], 999999) },
		"not a tree page": func(p []byte) { binary.LittleEndian.PutUint16(p[8:], freelistPageFlag) },
		"element outside": func(p []byte) { binary.LittleEndian.PutUint32(p[pageHeaderSize+4:], 1<<30) },
		"too many elements": func(p []byte) {
			binary.LittleEndian.PutUint16(p[10:], 0xffff)
			binary.LittleEndian.PutUint32(p[12:], 0)
		},
	} {
		t.Run(name, func(t *testing.T) {
			fx := newCursorFixture(t)
			var leaf uint64
			fx.view(t, func(fc *fileCursor, _ *bbolt.Cursor) {
				fc.Seek(u64Key(20000))
				leaf = binary.LittleEndian.Uint64(fc.stack[len(fc.stack)-1].buf)
			})
			f, err := os.OpenFile(fx.path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			page := make([]byte, fx.pageSize)
			if _, err := f.ReadAt(page, int64(leaf)*int64(fx.pageSize)); err != nil {
				t.Fatal(err)
			}
			damage(page)
			if _, err := f.WriteAt(page, int64(leaf)*int64(fx.pageSize)); err != nil {
				t.Fatal(err)
			}
			f.Close()
			fx.view(t, func(fc *fileCursor, _ *bbolt.Cursor) {
				n := 0
				for k, _ := fc.Seek(u64Key(0)); k != nil; k, _ = fc.Next() {
					n++
				}
				if !errors.Is(fc.err, eventstore.ErrDamaged) {
					t.Fatalf("after %d of %d keys the cursor stopped with %v, want a damaged-ledger error", n, len(fx.keys), fc.err)
				}
				if k, v := fc.Next(); k != nil || v != nil {
					t.Fatal("a stopped cursor goes on")
				}
			})
		})
	}
}

// A page past the end of the file is damage too, not a short read taken
// for data.
func TestFileCursorRefusesPagePastTheEnd(t *testing.T) {
	fx := newCursorFixture(t)
	f, err := os.Open(fx.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	fc := newFileCursor(f, fx.pageSize, uint64(fi.Size())/uint64(fx.pageSize)+3, 1)
	if k, _ := fc.Seek(u64Key(0)); k != nil || !errors.Is(fc.err, eventstore.ErrDamaged) {
		t.Fatalf("cursor rooted past the end: key %x, err %v", k, fc.err)
	}
}

// countingPages counts the reads of a store's page file and their bytes.
type countingPages struct {
	pageFile
	reads, bytes int
}

func (c *countingPages) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	c.bytes += len(p)
	return c.pageFile.ReadAt(p, off)
}

// A full scan of a log the file holds reads its pages from the file, not
// through bbolt's map, and hands out every event as it was appended; a
// store whose file could not be opened a second time scans through the
// map and hands out the same.
func TestFullScanReadsTheLogFromTheFile(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), FileName), Options{NoSync: true})
	want := appendNotes(t, s, rand.New(rand.NewPCG(15, 16)), 2000, 40, 300, 31)
	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	pages := &countingPages{pageFile: s.pages}
	s.pages = pages
	scan := func() {
		t.Helper()
		n := 0
		err := s.ScanAll(ctx, 0, func(e *domain.Event) error {
			if err := sameEvent(e, &want[n]); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil || n != len(want) {
			t.Fatalf("scan: %d of %d events: %v", n, len(want), err)
		}
	}
	scan()
	logLen := s.ov.Load().logLen
	if uint64(pages.bytes) < logLen || pages.reads*4 > int(logLen/s.segSize) {
		t.Fatalf("a scan of a %d-byte log read %d bytes of the file in %d reads", logLen, pages.bytes, pages.reads)
	}
	s.pages = nil
	scan()
	s.pages = pages.pageFile
}

// A cursor reset for a later transaction reads the pages again; reset
// for the same one (nothing committed since) it keeps what it read.
func TestFileCursorRereadsPagesOfALaterTransaction(t *testing.T) {
	fx := newCursorFixtureOf(t, true)
	f, err := os.OpenFile(fx.path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var root uint64
	fx.view(t, func(fc *fileCursor, _ *bbolt.Cursor) { root = fc.root })
	fc := newFileCursor(f, fx.pageSize, root, 7)
	first := func() []byte {
		k, v := fc.Seek(u64Key(0))
		for len(v) == 0 && k != nil { // the first key with a value
			k, v = fc.Next()
		}
		if k == nil {
			t.Fatalf("no value: %v", fc.err)
		}
		return v
	}
	v := first()
	at := bytes.Index(mustRead(t, f), v) // where the value lies in the file
	if at < 0 {
		t.Fatal("value not found in the file")
	}
	was := v[0]
	if _, err := f.WriteAt([]byte{was + 1}, int64(at)); err != nil { // as if a later commit rewrote the page
		t.Fatal(err)
	}
	fc.reset(f, fx.pageSize, root, 7)
	if got := first()[0]; got != was {
		t.Fatalf("reset for the same transaction: first byte %d, want the %d read before", got, was)
	}
	fc.reset(f, fx.pageSize, root, 8)
	if got := first()[0]; got != was+1 {
		t.Fatalf("reset for a later transaction: first byte %d, want %d from the file", got, was+1)
	}
}

func mustRead(t *testing.T, f *os.File) []byte {
	t.Helper()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A scan that reads one batch per transaction while checkpoints rewrite
// the file between its batches reads each batch from the tree of its own
// transaction: pages kept from an earlier one would be stale.
func TestScanReadsEachTransactionsTree(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), FileName), Options{NoSync: true, segmentSize: 300})
	rng := rand.New(rand.NewPCG(19, 20))
	appendSome := func(n int) []domain.Event { return appendNotes(t, s, rng, n, 20, 200, 13) }
	want := appendSome(1500)
	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	events := make([]domain.Event, 40)
	var payloads []byte
	n, batches := 0, 0
	err := s.ScanBatches(ctx, 0, func() ([]domain.Event, []byte) { return events, payloads[:0] },
		func(got []domain.Event, p []byte) error {
			payloads = p
			for i := range got {
				if err := sameEvent(&got[i], &want[n]); err != nil {
					return fmt.Errorf("batch %d: %w", batches, err)
				}
				n++
			}
			batches++
			appendSome(20)
			return s.checkpoint()
		})
	if err != nil || n != len(want) {
		t.Fatalf("scan: %d of %d events: %v", n, len(want), err)
	}
}
