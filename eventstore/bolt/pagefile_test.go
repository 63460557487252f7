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
			for range 100 {
				k := uint64(rng.IntN(20000)) * 2 // even keys: odd ones are gaps to seek into
				v := make([]byte, rng.IntN(3*fx.pageSize))
				if rng.IntN(50) == 0 {
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
				if round%3 == 0 && rng.IntN(10) == 0 {
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
		fn(newFileCursor(f, tx.DB().Info().PageSize, bucketRoot(b)), b.Cursor())
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
	fx := newCursorFixture(t)
	fx.view(t, func(fc *fileCursor, bc *bbolt.Cursor) {
		n := 0
		k, v := fc.Seek(u64Key(0))
		for bk, bv := bc.First(); bk != nil; bk, bv = bc.Next() {
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
	fc := newFileCursor(f, fx.pageSize, uint64(fi.Size())/uint64(fx.pageSize)+3)
	if k, _ := fc.Seek(u64Key(0)); k != nil || !errors.Is(fc.err, eventstore.ErrDamaged) {
		t.Fatalf("cursor rooted past the end: key %x, err %v", k, fc.err)
	}
}

// countingPages counts the reads of a store's page file.
type countingPages struct {
	pageFile
	reads int
}

func (c *countingPages) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	return c.pageFile.ReadAt(p, off)
}

// A full scan of a log the file holds reads its pages from the file, not
// through bbolt's map, and hands out every event as it was appended; a
// store whose file could not be opened a second time scans through the
// map and hands out the same.
func TestFullScanReadsTheLogFromTheFile(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), FileName), Options{NoSync: true})
	rng := rand.New(rand.NewPCG(15, 16))
	var want []domain.Event
	for len(want) < 2000 {
		batch := make([]domain.Event, 40)
		for i := range batch {
			batch[i] = randomNoteEvent(rng, len(want)+i, 300)
		}
		res, err := s.Append(ctx, fmt.Sprintf("stream-%d", len(want)%31), eventstore.Any(), batch)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, res.Events...)
	}
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
	if segments := int(s.head.Load()) * 300 / int(s.segSize); pages.reads < segments/4 {
		t.Fatalf("a scan of about %d segments read the file %d times", segments, pages.reads)
	}
	s.pages = nil
	scan()
	s.pages = pages.pageFile
}
