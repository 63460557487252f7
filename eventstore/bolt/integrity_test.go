package bolt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/storetest"
)

// smallLedger returns the bytes of a valid ledger of a few dozen events in
// a few streams, with segments small enough to fill several pages.
func smallLedger(t testing.TB) []byte { return smallLedgerWith(t, Options{}) }

// smallLedgerWith is smallLedger made with opts (Journal, for format 3).
func smallLedgerWith(t testing.TB, opts Options) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	opts.NoSync, opts.segmentSize, opts.indexEvery = true, 200, 16
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 40 {
		e := storetest.NewEvent("ProgressReported", strings.Repeat(fmt.Sprintf("进展%d ", i), 1+i%5))
		if _, err := s.Append(ctx, fmt.Sprintf("obligation-%d", i%4), eventstore.Any(), []domain.Event{e}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sum(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// dirNames lists a directory's entries.
func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// bboltFile makes a bbolt database at path and lets fill shape it.
func bboltFile(t testing.TB, path string, fill func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fill); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenRefusesDamagedFiles: every kind of damaged or foreign file is
// refused by every kind of open with an error that names the file and the
// problem and matches eventstore.ErrDamaged (and ErrNotLedger when the file
// is foreign); the file is left byte-identical and nothing is created.
func TestOpenRefusesDamagedFiles(t *testing.T) {
	valid := smallLedger(t)
	pageSize := int(binary.LittleEndian.Uint32(valid[pageHeaderSize+8:]))
	cases := []struct {
		name    string
		make    func(path string)
		foreign bool
		says    string
	}{
		{"Empty", func(p string) { write(t, p, nil) }, false, "empty (0 bytes)"},
		{"TruncatedToAFewBytes", func(p string) { write(t, p, valid[:100]) }, false, "truncated"},
		{"TruncatedToOnePage", func(p string) { write(t, p, valid[:pageSize]) }, false, "truncated"},
		{"TruncatedToHalf", func(p string) { write(t, p, valid[:len(valid)/2/pageSize*pageSize]) }, false, "truncated"},
		{"LastPageInUseCut", func(p string) { write(t, p, valid[:(inUse(valid)-1)*uint64(pageSize)]) }, false, "truncated"},
		{"Text", func(p string) { write(t, p, []byte("赤峰市空气质量持续改善行动实施方案\n")) }, true, "too short for a bbolt database"},
		{"ForeignBinary", func(p string) { write(t, p, bytes.Repeat([]byte{0x5a, 0x00, 0xff, 0x13}, 4096)) }, true, "not a bbolt database"},
		{"BboltWithoutMeta", func(p string) {
			bboltFile(t, p, func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("data")); return err })
		}, true, "without the ledger's meta bucket"},
		{"EmptyBbolt", func(p string) { bboltFile(t, p, func(*bbolt.Tx) error { return nil }) }, true, "without the ledger's meta bucket"},
		{"BboltOtherFormat", func(p string) {
			bboltFile(t, p, func(tx *bbolt.Tx) error {
				b, err := tx.CreateBucket(bucketMeta)
				if err != nil {
					return err
				}
				return b.Put(keyFormat, []byte("something-else/1"))
			})
		}, true, `format "something-else/1"`},
		{"BothMetaPagesBroken", func(p string) {
			b := bytes.Clone(valid)
			b[pageHeaderSize+60] ^= 1
			b[pageSize+pageHeaderSize+60] ^= 1
			write(t, p, b)
		}, false, "both bbolt meta pages are invalid"},
		{"RootPageOverwritten", func(p string) {
			b := bytes.Clone(valid)
			m := parseMeta(b)
			if m1 := parseMeta(b[pageSize:]); m1.txid > m.txid {
				m = m1
			}
			copy(b[m.root*uint64(pageSize):], bytes.Repeat([]byte{0xee}, 64))
			write(t, p, b)
		}, false, "says it is page"},
	}
	opens := []struct {
		name string
		opts Options
	}{
		{"Default", Options{}},
		{"MustExist", Options{MustExist: true}},
		{"ReadOnly", Options{ReadOnly: true}},
	}
	for _, c := range cases {
		for _, o := range opens {
			t.Run(c.name+"/"+o.name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, FileName)
				c.make(path)
				before, names := sum(t, path), dirNames(t, dir)
				s, err := Open(path, o.opts)
				if err == nil {
					_ = s.Close()
					t.Fatal("opened")
				}
				var de *DamagedError
				if !errors.As(err, &de) || !errors.Is(err, eventstore.ErrDamaged) {
					t.Fatalf("error %v (%T), want a *DamagedError matching eventstore.ErrDamaged", err, err)
				}
				if errors.Is(err, ErrNotLedger) != c.foreign {
					t.Fatalf("errors.Is(err, ErrNotLedger) = %v, want %v: %v", !c.foreign, c.foreign, err)
				}
				if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, c.says) {
					t.Fatalf("error %q does not name the file and say %q", msg, c.says)
				}
				if sum(t, path) != before {
					t.Fatal("the refused file was changed")
				}
				if got := dirNames(t, dir); fmt.Sprint(got) != fmt.Sprint(names) {
					t.Fatalf("the directory holds %v after the refused open, %v before", got, names)
				}
				if o.name == "Default" {
					t.Log(err)
				}
			})
		}
	}
}

// inUse returns the high-water mark of the meta page bbolt would use.
func inUse(b []byte) uint64 {
	m0 := parseMeta(b)
	m1 := parseMeta(b[m0.pageSize:])
	if m1.txid > m0.txid {
		return m1.pgid
	}
	return m0.pgid
}

func write(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestOpenCreatesNothingWhenAskedForAnExistingLedger: MustExist and ReadOnly
// refuse a missing file (fs.ErrNotExist) and create neither it nor its
// directory; a default open creates a whole ledger and leaves no temporary
// file behind.
func TestOpenCreatesNothingWhenAskedForAnExistingLedger(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []Options{{MustExist: true}, {ReadOnly: true}} {
		path := filepath.Join(dir, FileName)
		if s, err := Open(path, o); err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			if s != nil {
				_ = s.Close()
			}
			t.Fatalf("%+v on a missing file: %v, want fs.ErrNotExist naming the file", o, err)
		}
		sub := filepath.Join(dir, "missing")
		if s, err := OpenDir(sub, o); err == nil || !errors.Is(err, fs.ErrNotExist) {
			if s != nil {
				_ = s.Close()
			}
			t.Fatalf("%+v on a missing directory: %v, want fs.ErrNotExist", o, err)
		}
		if got := dirNames(t, dir); len(got) != 0 {
			t.Fatalf("%+v created %v", o, got)
		}
	}
	s := openTest(t, filepath.Join(dir, FileName), Options{NoSync: true})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, dir); fmt.Sprint(got) != "["+FileName+"]" {
		t.Fatalf("creating a ledger left %v", got)
	}
	s = openTest(t, filepath.Join(dir, FileName), Options{MustExist: true})
	_ = s.Close()
}

// TestReadOnlyOpen reads a ledger without changing a byte of it, alongside
// another read-only open, and refuses appends.
func TestReadOnlyOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	write(t, path, smallLedger(t))
	before := sum(t, path)
	ctx := context.Background()
	a := openTest(t, path, Options{ReadOnly: true})
	b := openTest(t, path, Options{ReadOnly: true, Timeout: time.Second})
	for _, s := range []*Store{a, b} {
		all, err := s.ReadAll(ctx, 0, 0)
		if err != nil || len(all) != 40 {
			t.Fatalf("read %d events (%v), want 40", len(all), err)
		}
		for _, e := range all {
			if err := e.Verify(); err != nil {
				t.Fatal(err)
			}
		}
		if evs, err := s.ReadStream(ctx, "obligation-1", eventstore.Forwards, 0, 0); err != nil || len(evs) != 10 {
			t.Fatalf("stream read %d events (%v), want 10", len(evs), err)
		}
		_, err = s.Append(ctx, "x", eventstore.Any(), []domain.Event{storetest.NewEvent("T", "x")})
		if !errors.Is(err, ErrReadOnly) {
			t.Fatalf("append on a read-only store: %v, want ErrReadOnly", err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if sum(t, path) != before {
		t.Fatal("a read-only open changed the file")
	}
}

// TestOpenSurvivesByteFlips flips bytes at the places of every page that
// bbolt trusts (header, element table, keys) and in the middle: every open
// either refuses the file, leaving it as it was, or opens it; nothing
// panics, and reads of what opened fail cleanly or succeed.
func TestOpenSurvivesByteFlips(t *testing.T) {
	for _, journal := range []bool{false, true} {
		t.Run(fmt.Sprintf("journal=%v", journal), func(t *testing.T) {
			byteFlips(t, smallLedgerWith(t, Options{NoJournal: !journal}))
		})
	}
}

func byteFlips(t *testing.T, valid []byte) {
	ps := int(binary.LittleEndian.Uint32(valid[pageHeaderSize+8:]))
	dir := t.TempDir()
	refused, opened := 0, 0
	for p := 0; p < len(valid)/ps; p++ {
		for _, off := range []int{0, 8, 9, 10, 11, 12, 16, 20, 24, 28, 40, 64, ps / 2, ps - 1} {
			b := bytes.Clone(valid)
			b[p*ps+off] ^= 0x5a
			r, o := tryDamaged(t, dir, b)
			refused += r
			opened += o
		}
	}
	t.Logf("%d opens refused, %d succeeded", refused, opened)
}

// tryDamaged writes b as a ledger and opens it read-only and read-write,
// reading everything from each open that succeeds. It counts refusals and
// successes; it fails the test when a refused file was changed.
func tryDamaged(t testing.TB, dir string, b []byte) (refused, opened int) {
	path := filepath.Join(dir, FileName)
	write(t, path, b)
	ctx := context.Background()
	for _, o := range []Options{{ReadOnly: true, Timeout: time.Second}, {MustExist: true, NoSync: true, Timeout: time.Second}} {
		before := sha256.Sum256(b)
		s, err := Open(path, o)
		if err != nil {
			refused++
			if sum(t, path) != before {
				t.Fatalf("a refused file was changed (%v)", err)
			}
			if !errors.Is(err, eventstore.ErrDamaged) {
				t.Logf("refused, but not as damaged: %v", err)
			}
			continue
		}
		opened++
		_, _ = s.ReadAll(ctx, 0, 0)
		_ = s.ScanAll(ctx, 0, func(*domain.Event) error { return nil })
		for i := range 4 {
			_, _ = s.ReadStream(ctx, fmt.Sprintf("obligation-%d", i), eventstore.Backwards, 0, 0)
		}
		if !o.ReadOnly {
			_, _ = s.Append(ctx, "obligation-0", eventstore.Any(), []domain.Event{storetest.NewEvent("ProgressReported", "after")})
		}
		_ = s.Close()
		b, _ = os.ReadFile(path) // the read-write open may change it
	}
	return refused, opened
}

// FuzzOpenDamaged opens truncated and bit-flipped copies of a small valid
// ledger: never a panic, and a refused file is left as it was. The seeds
// run in go test; make soak fuzzes it for five minutes.
func FuzzOpenDamaged(f *testing.F) {
	valid := smallLedger(f)
	ps := uint32(binary.LittleEndian.Uint32(valid[pageHeaderSize+8:]))
	n := uint32(len(valid))
	f.Add(n, []byte{})
	f.Add(uint32(0), []byte{})
	f.Add(ps, []byte{})
	f.Add(n-ps, []byte{})
	f.Add(n-1, []byte{})
	f.Add(n, []byte{0, 0, 20, 0xff})                  // first meta page
	f.Add(n, []byte{0, 0, 20, 0xff, 0, 16, 20, 0xff}) // both meta pages (at 4096)
	f.Add(n, []byte{0, 32, 10, 0x7f})                 // element count of page 2
	f.Add(n, []byte{0, 48, 30, 0x01, 0, 64, 40, 0x80})
	f.Fuzz(func(t *testing.T, cut uint32, flips []byte) {
		b := bytes.Clone(valid[:min(cut, n)])
		// Each 4 bytes of flips: a 24-bit offset (in 128-byte units of the
		// upper 16 bits plus the low byte) and a mask to XOR there.
		for i := 0; i+4 <= len(flips) && len(b) > 0; i += 4 {
			off := (int(flips[i])<<16 | int(flips[i+1])<<8 | int(flips[i+2])) % len(b)
			b[off] ^= flips[i+3]
		}
		tryDamaged(t, t.TempDir(), b)
	})
}

// TestOpenRefusesANewerFormat: a ledger file that names a later format of
// this store, as a newer taskledger would write it, is refused by every
// kind of open as newer, not as damaged or foreign, naming the file and
// its format; the file and the journal beside it are left byte-identical.
func TestOpenRefusesANewerFormat(t *testing.T) {
	valid := smallLedgerWith(t, Options{})
	for _, format := range []string{"taskledger-bolt/5", "taskledger-bolt/12"} {
		for name, o := range map[string]Options{"Default": {}, "MustExist": {MustExist: true}, "ReadOnly": {ReadOnly: true}} {
			t.Run(format+"/"+name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, FileName)
				write(t, path, valid)
				db, err := bbolt.Open(path, 0o600, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyFormat, []byte(format)) }); err != nil {
					t.Fatal(err)
				}
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
				// A journal of the newer build's, with frames this build
				// would otherwise try to apply.
				write(t, path+JournalSuffix, bytes.Repeat([]byte("frame "), 200))
				file, journal, names := sum(t, path), sum(t, path+JournalSuffix), dirNames(t, dir)

				s, err := Open(path, o)
				if err == nil {
					_ = s.Close()
					t.Fatal("opened")
				}
				var nf *NewerFormatError
				if !errors.As(err, &nf) || !errors.Is(err, ErrNewerFormat) || nf.Format != format {
					t.Fatalf("error %v (%T), want a *NewerFormatError for %q", err, err, format)
				}
				if errors.Is(err, eventstore.ErrDamaged) || errors.Is(err, ErrNotLedger) {
					t.Fatalf("a newer ledger is reported as damaged or foreign: %v", err)
				}
				if m := err.Error(); !strings.Contains(m, path) || !strings.Contains(m, format) || !strings.Contains(m, "newer") {
					t.Fatalf("error %q does not name the file, its format and say it is newer", m)
				}
				if sum(t, path) != file || sum(t, path+JournalSuffix) != journal {
					t.Fatal("the refused ledger or its journal was changed")
				}
				if got := dirNames(t, dir); fmt.Sprint(got) != fmt.Sprint(names) {
					t.Fatalf("the directory holds %v after the refused open, %v before", got, names)
				}
			})
		}
	}
}

// TestNewerFormatNamesOnlyLaterVersions: only "taskledger-bolt/N" with N
// past the newest this build writes is a newer format; anything else is a
// format of this build or a foreign file.
func TestNewerFormatNamesOnlyLaterVersions(t *testing.T) {
	for format, want := range map[string]bool{
		"taskledger-bolt/5": true, "taskledger-bolt/10": true, "taskledger-bolt/05": true,
		formatV1: false, formatV2: false, formatV3: false, formatV4: false, "taskledger-bolt/0": false,
		"taskledger-bolt/-4": false, "taskledger-bolt/+4": false, "taskledger-bolt/": false,
		"taskledger-bolt/5a": false, "taskledger-bolt/99999999999999999999": false,
		"taskledger-postgres/4": false, "something-else/5": false, "": false,
	} {
		if got := newerFormat(format); got != want {
			t.Errorf("newerFormat(%q) = %v, want %v", format, got, want)
		}
	}
}
