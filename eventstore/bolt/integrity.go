package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	bolterrors "go.etcd.io/bbolt/errors"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"syscall"
	"time"

	"taskledger/eventstore"
)

// ErrNotLedger matches (errors.Is) a *DamagedError for a file that is not a
// taskledger ledger at all: not a bbolt database, or a bbolt database
// without the ledger's meta bucket.
var ErrNotLedger = errors.New("not a taskledger ledger file")

// ErrNewerFormat matches (errors.Is) a *NewerFormatError.
var ErrNewerFormat = errors.New("ledger file in a newer format")

// NewerFormatError reports a ledger file that a later taskledger wrote in a
// format this build does not read. It is not damage: Open refuses the file
// and leaves it, and its journal, as they were, and a build that knows the
// format opens it.
type NewerFormatError struct {
	// Path is the file concerned.
	Path string
	// Format is the format the file names, e.g. "taskledger-bolt/4".
	Format string
}

func (e *NewerFormatError) Error() string {
	return fmt.Sprintf("bolt: ledger file %s is in format %q, newer than this taskledger reads (up to %q): open it with a newer taskledger", e.Path, e.Format, formatV4)
}

// Is makes errors.Is(err, ErrNewerFormat) true.
func (e *NewerFormatError) Is(target error) bool { return target == ErrNewerFormat }

// ErrReadOnly is returned by Append on a store opened with Options.ReadOnly.
var ErrReadOnly = errors.New("ledger opened read-only")

// DamagedError reports a ledger file that Open refuses, or that a read found
// damaged: empty, truncated, foreign or with pages that do not hold
// together. The file is left as it was. It matches eventstore.ErrDamaged
// with errors.Is, and ErrNotLedger when the file is foreign.
type DamagedError struct {
	// Path is the file concerned.
	Path string
	// Problem says what is wrong, in words.
	Problem string
	// Foreign is set when the file is not a taskledger ledger at all.
	Foreign bool
}

func (e *DamagedError) Error() string {
	if e.Foreign {
		return fmt.Sprintf("bolt: %s is not a taskledger ledger: %s", e.Path, e.Problem)
	}
	return fmt.Sprintf("bolt: ledger file %s is damaged: %s", e.Path, e.Problem)
}

// Is makes errors.Is(err, eventstore.ErrDamaged) true, and
// errors.Is(err, ErrNotLedger) true for a foreign file.
func (e *DamagedError) Is(target error) bool {
	return target == eventstore.ErrDamaged || (e.Foreign && target == ErrNotLedger)
}

// element decodes element i of branch or leaf page p (header first, its
// element table inside p): its key and, for a leaf, its value and flags;
// ok is false when the key or value runs past the page.
func element(p []byte, i int, branch bool) (key, value []byte, flags uint32, ok bool) {
	le := binary.LittleEndian
	at := pageHeaderSize + i*elemSize
	e := p[at : at+elemSize]
	var pos, ksize, vsize uint64
	if branch {
		pos, ksize = uint64(le.Uint32(e[0:])), uint64(le.Uint32(e[4:]))
	} else {
		flags = le.Uint32(e[0:])
		pos, ksize, vsize = uint64(le.Uint32(e[4:])), uint64(le.Uint32(e[8:])), uint64(le.Uint32(e[12:]))
	}
	start := uint64(at) + pos
	if start+ksize+vsize > uint64(len(p)) {
		return nil, nil, 0, false
	}
	k, v := start+ksize, start+ksize+vsize
	return p[start:k:k], p[k:v:v], flags, true
}

// bbolt's on-disk constants (go.etcd.io/bbolt/internal/common): this file
// reads the format itself, with every offset checked, so that a damaged
// file is refused before bbolt, which trusts its pages, maps it.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16 // id u64 · flags u16 · count u16 · overflow u32
	metaSize       = 64 // magic · version · page size · flags · root · sequence · freelist · pgid · txid · checksum
	elemSize       = 16 // branch: pos u32 · ksize u32 · pgid u64; leaf: flags u32 · pos u32 · ksize u32 · vsize u32
	bucketHdrSize  = 16 // root pgid u64 · sequence u64
	noFreelist     = ^uint64(0)

	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	metaPageFlag     = 0x04
	freelistPageFlag = 0x10
	bucketLeafFlag   = 0x01

	minPageSize = 1 << 10
	maxPageSize = 1 << 24
)

// boltMeta is a decoded bbolt meta page.
type boltMeta struct {
	pageSize uint64
	root     uint64 // root bucket's page, 0 when inline
	freelist uint64
	pgid     uint64 // high-water mark: pages [0, pgid) are in use
	txid     uint64
	err      string // why the page is not valid; empty when it is
	magic    bool   // the page carries bbolt's magic number
}

// parseMeta decodes the meta page whose bytes (page header first) are b.
func parseMeta(b []byte) boltMeta {
	if len(b) < pageHeaderSize+metaSize {
		return boltMeta{err: "too short for a meta page"}
	}
	m := b[pageHeaderSize : pageHeaderSize+metaSize]
	le := binary.LittleEndian
	out := boltMeta{
		pageSize: uint64(le.Uint32(m[8:])),
		root:     le.Uint64(m[16:]),
		freelist: le.Uint64(m[32:]),
		pgid:     le.Uint64(m[40:]),
		txid:     le.Uint64(m[48:]),
		magic:    le.Uint32(m[0:]) == boltMagic,
	}
	h := fnv.New64a()
	h.Write(m[:56])
	switch {
	case !out.magic:
		out.err = "no bbolt magic number"
	case le.Uint32(m[4:]) != boltVersion:
		out.err = fmt.Sprintf("bbolt format version %d, want %d", le.Uint32(m[4:]), boltVersion)
	case le.Uint64(m[56:]) != h.Sum64():
		out.err = "checksum mismatch"
	case out.pageSize < minPageSize || out.pageSize > maxPageSize || out.pageSize&(out.pageSize-1) != 0:
		out.err = fmt.Sprintf("page size %d", out.pageSize)
	}
	return out
}

// fileCheck is what inspect learned about a file that looks sound.
type fileCheck struct {
	size     int64
	pageSize uint64
	pages    uint64 // high-water mark of the meta page in use
}

// inspect checks the ledger file at path before bbolt opens it: a regular
// file, not empty, two bbolt meta pages of which one is valid, no page in
// use beyond the end of the file, and every page reachable from the meta
// page in use well formed (type, bounds, elements inside the page, sorted
// keys, each page used once). bbolt trusts all of that and panics or
// faults, sometimes on goroutines of its own, when it does not hold. The
// file is opened read-only under a shared lock (so that no writer changes
// it meanwhile) and never written. It returns a *DamagedError for a file
// that must be refused, and other errors (wrapped) for I/O.
func inspect(path string, timeout time.Duration) (fc fileCheck, err error) {
	damaged := func(format string, args ...any) error {
		return &DamagedError{Path: path, Problem: fmt.Sprintf(format, args...)}
	}
	f, err := os.Open(path)
	if err != nil {
		return fc, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	defer f.Close()
	if err := lockShared(f, timeout); err != nil {
		return fc, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		return fc, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return fc, damaged("not a regular file (%s)", info.Mode().Type())
	}
	fc.size = info.Size()
	if fc.size == 0 {
		return fc, damaged("the file is empty (0 bytes)")
	}
	head := make([]byte, min(fc.size, 4096))
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return fc, fmt.Errorf("bolt: read %s: %w", path, err)
	}
	m0 := parseMeta(head)
	ps := m0.pageSize
	if m0.err != "" {
		// As bbolt does: look for the second meta page at every page size.
		ps = 0
		buf := make([]byte, pageHeaderSize+metaSize)
		for size := int64(minPageSize); size < fc.size && size <= maxPageSize; size <<= 1 {
			if n, _ := f.ReadAt(buf, size); n == len(buf) {
				if m := parseMeta(buf); m.err == "" && m.pageSize == uint64(size) {
					ps = m.pageSize
					break
				}
			}
		}
	}
	if ps == 0 {
		if !m0.magic && fc.size < 2*minPageSize {
			return fc, &DamagedError{Path: path, Foreign: true, Problem: fmt.Sprintf("%d bytes, too short for a bbolt database and without its magic number: truncated, or another kind of file", fc.size)}
		}
		if !m0.magic {
			return fc, &DamagedError{Path: path, Foreign: true, Problem: "no bbolt meta page (not a bbolt database)"}
		}
		return fc, damaged("both bbolt meta pages are invalid (first: %s)", m0.err)
	}
	fc.pageSize = ps
	if uint64(fc.size) < 2*ps {
		return fc, damaged("%d bytes, less than the two %d-byte meta pages: truncated", fc.size, ps)
	}
	buf := make([]byte, pageHeaderSize+metaSize)
	if _, err := f.ReadAt(buf, int64(ps)); err != nil {
		return fc, fmt.Errorf("bolt: read %s: %w", path, err)
	}
	m1 := parseMeta(buf)
	if m0.err == "" && m0.pageSize != ps {
		m0.err = "page size differs from the other meta page's"
	}
	if m1.err == "" && m1.pageSize != ps {
		m1.err = "page size differs from the other meta page's"
	}
	// bbolt uses the meta page with the higher transaction ID if it is
	// valid, else the other.
	use, other := m0, m1
	if m1.txid > m0.txid {
		use, other = m1, m0
	}
	if use.err != "" {
		use = other
	}
	if use.err != "" {
		return fc, damaged("both bbolt meta pages are invalid (%s; %s)", m0.err, m1.err)
	}
	fc.pages = use.pgid
	switch {
	case use.pgid < 2 || use.pgid > uint64(fc.size)/ps:
		return fc, damaged("%d bytes hold %d pages of %d bytes, the meta page says %d are in use: truncated", fc.size, uint64(fc.size)/ps, ps, use.pgid)
	case use.root < 2 && use.root != 0, use.root >= use.pgid:
		return fc, damaged("root bucket at page %d of %d", use.root, use.pgid)
	case use.freelist != noFreelist && (use.freelist < 2 || use.freelist >= use.pgid):
		return fc, damaged("freelist at page %d of %d", use.freelist, use.pgid)
	}
	data, unmap, err := mapFile(f, int(use.pgid*ps))
	if err != nil {
		return fc, fmt.Errorf("bolt: map %s: %w", path, err)
	}
	defer unmap()
	w := &pageWalk{data: data, pageSize: ps, pages: use.pgid, seen: make([]uint64, (use.pgid+63)/64)}
	if err := w.run(use); err != nil {
		return fc, damaged("%v", err)
	}
	return fc, nil
}

// lockShared takes a shared flock on f, as a bbolt reader does, waiting up
// to timeout (forever when it is 0) for a writer to let go.
func lockShared(f *os.File, timeout time.Duration) error {
	start := time.Now()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("lock: %w", err)
		}
		if timeout > 0 && time.Since(start) > timeout {
			// bbolt's own lock timeout, so that callers recognise a held
			// file whichever check found it.
			return fmt.Errorf("waiting for another process to release the ledger file: %w", bolterrors.ErrTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mapFile maps the first n bytes of f read-only.
func mapFile(f *os.File, n int) ([]byte, func(), error) {
	data, err := syscall.Mmap(int(f.Fd()), 0, n, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() { _ = syscall.Munmap(data) }, nil
}

// pageWalk checks every page reachable from a meta page: what bbolt's
// tx.Check and its free-page scan look at, with every read bounds-checked.
type pageWalk struct {
	data     []byte
	pageSize uint64
	pages    uint64
	seen     []uint64 // bit per page
	depth    int
}

// run walks from the meta page m. A fault on the mapping (the file cut
// short by another process meanwhile) is reported, not fatal.
func (w *pageWalk) run(m boltMeta) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading the pages failed: %v", r)
		}
	}()
	w.mark(0, 0)
	w.mark(1, 0)
	if m.freelist != noFreelist {
		if err := w.freelist(m.freelist); err != nil {
			return err
		}
	}
	if m.root == 0 {
		return errors.New("the root bucket has no page")
	}
	_, err = w.tree(m.root, nil, nil)
	return err
}

func (w *pageWalk) mark(id, overflow uint64) bool {
	for p := id; p <= id+overflow; p++ {
		if w.seen[p/64]&(1<<(p%64)) != 0 {
			return false
		}
		w.seen[p/64] |= 1 << (p % 64)
	}
	return true
}

// page returns page id's bytes with its overflow pages, after checking its
// header.
func (w *pageWalk) page(id uint64, want uint16) ([]byte, uint16, error) {
	if id < 2 || id >= w.pages {
		return nil, 0, fmt.Errorf("page %d is outside the %d pages in use", id, w.pages)
	}
	off := id * w.pageSize
	hdr := w.data[off : off+pageHeaderSize]
	le := binary.LittleEndian
	if got := le.Uint64(hdr); got != id {
		return nil, 0, fmt.Errorf("page %d says it is page %d", id, got)
	}
	flags, count, overflow := le.Uint16(hdr[8:]), le.Uint16(hdr[10:]), uint64(le.Uint32(hdr[12:]))
	if flags&want == 0 || flags&^(branchPageFlag|leafPageFlag|metaPageFlag|freelistPageFlag) != 0 {
		return nil, 0, fmt.Errorf("page %d has type %#x where a page of type %#x belongs", id, flags, want)
	}
	if overflow >= w.pages-id {
		return nil, 0, fmt.Errorf("page %d overflows %d pages past the %d in use", id, overflow, w.pages)
	}
	if !w.mark(id, overflow) {
		return nil, 0, fmt.Errorf("page %d (or one of its %d overflow pages) is used twice", id, overflow)
	}
	return w.data[off : off+(overflow+1)*w.pageSize], count, nil
}

// freelist checks a freelist page: every free page ID inside the file.
func (w *pageWalk) freelist(id uint64) error {
	p, count, err := w.page(id, freelistPageFlag)
	if err != nil {
		return fmt.Errorf("freelist: %w", err)
	}
	n, start := uint64(count), uint64(pageHeaderSize)
	if count == 0xFFFF {
		if len(p) < pageHeaderSize+8 {
			return fmt.Errorf("freelist page %d: too short", id)
		}
		n, start = binary.LittleEndian.Uint64(p[pageHeaderSize:]), pageHeaderSize+8
	}
	if n > (uint64(len(p))-start)/8 {
		return fmt.Errorf("freelist page %d: %d IDs do not fit in the page", id, n)
	}
	for i := range n {
		if fid := binary.LittleEndian.Uint64(p[start+8*i:]); fid < 2 || fid >= w.pages {
			return fmt.Errorf("freelist page %d: free page %d is outside the %d in use", id, fid, w.pages)
		}
	}
	return nil
}

// tree checks the B+tree rooted at page id, whose keys must lie in
// [lo, hi) (nil: unbounded), as bbolt's tx.Check orders them; it returns
// the subtree's largest key.
func (w *pageWalk) tree(id uint64, lo, hi []byte) ([]byte, error) {
	w.depth++
	defer func() { w.depth-- }()
	if w.depth > 64 {
		return nil, fmt.Errorf("page %d: the tree is more than 64 levels deep", id)
	}
	p, count, err := w.page(id, branchPageFlag|leafPageFlag)
	if err != nil {
		return nil, err
	}
	return w.node(p, count, id, lo, hi)
}

// node checks one branch or leaf page p (header first) and returns its
// subtree's largest key; id names it in errors (0 for a bucket's inline
// page).
func (w *pageWalk) node(p []byte, count uint16, id uint64, lo, hi []byte) ([]byte, error) {
	le := binary.LittleEndian
	isBranch := le.Uint16(p[8:])&branchPageFlag != 0
	if isBranch && count == 0 {
		return nil, fmt.Errorf("page %d: branch page without elements", id)
	}
	if uint64(count)*elemSize > uint64(len(p)-pageHeaderSize) {
		return nil, fmt.Errorf("page %d: %d elements do not fit in the page", id, count)
	}
	// key returns element i's key and value.
	key := func(i uint64) ([]byte, []byte, error) {
		k, v, _, ok := element(p, int(i), isBranch)
		if !ok {
			return nil, nil, fmt.Errorf("page %d: element %d runs past the page", id, i)
		}
		return k, v, nil
	}
	running, largest := lo, []byte(nil)
	for i := range uint64(count) {
		k, v, err := key(i)
		if err != nil {
			return nil, err
		}
		switch {
		case i == 0 && running != nil && bytes.Compare(running, k) > 0:
			return nil, fmt.Errorf("page %d: first key lies below its parent's range", id)
		case i > 0 && bytes.Compare(running, k) >= 0:
			return nil, fmt.Errorf("page %d: keys out of order at element %d", id, i)
		case hi != nil && bytes.Compare(k, hi) >= 0:
			return nil, fmt.Errorf("page %d: key of element %d lies beyond its parent's range", id, i)
		}
		if isBranch {
			next := hi
			if i+1 < uint64(count) {
				if next, _, err = key(i + 1); err != nil {
					return nil, err
				}
			}
			at := pageHeaderSize + i*elemSize
			if largest, err = w.tree(le.Uint64(p[at+8:]), k, next); err != nil {
				return nil, err
			}
			running = largest
			continue
		}
		running, largest = k, k
		if le.Uint32(p[pageHeaderSize+i*elemSize:])&bucketLeafFlag == 0 {
			continue
		}
		// A nested bucket: its header, then its own tree or inline page.
		if len(v) < bucketHdrSize {
			return nil, fmt.Errorf("page %d: bucket %q has a %d-byte header", id, k, len(v))
		}
		if root := le.Uint64(v); root != 0 {
			if _, err := w.tree(root, nil, nil); err != nil {
				return nil, fmt.Errorf("bucket %q: %w", k, err)
			}
			continue
		}
		inline := v[bucketHdrSize:]
		if len(inline) < pageHeaderSize {
			return nil, fmt.Errorf("page %d: bucket %q: inline page too short", id, k)
		}
		if f := le.Uint16(inline[8:]); f != leafPageFlag {
			return nil, fmt.Errorf("page %d: bucket %q: inline page of type %#x", id, k, f)
		}
		if _, err := w.node(inline, le.Uint16(inline[10:]), 0, nil, nil); err != nil {
			return nil, fmt.Errorf("bucket %q (inline): %w", k, err)
		}
	}
	return largest, nil
}
