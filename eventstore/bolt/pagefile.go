package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sort"

	bbolt "go.etcd.io/bbolt"
)

// segCursor walks the log bucket's segments in key order: bbolt's own
// cursor, which reads them through bbolt's memory map, or a fileCursor,
// which reads the same pages from the file. A key or value it returns is
// valid until its next call.
type segCursor interface {
	Seek(seek []byte) (key, value []byte)
	Next() (key, value []byte)
}

// fileCursor reads a bucket's branch and leaf pages with pread instead of
// touching bbolt's memory map. A full replay reads every page of the log
// once. On the virtual machines measured (docs/benchmarks.md, "The twelfth
// machine: reading the log from the file"), the first touch of each newly
// mapped 4 KiB page cost about 1.4 µs, even when the kernel had mapped it
// ahead, against 0.17 µs for pread to copy it into a buffer the cursor
// reuses. Only what a read
// transaction can see is read: bbolt never rewrites a page while a
// transaction that can reach it is open, so the file holds the pages the
// transaction's map would show.
//
// Pages are read as integrity.go reads them (its constants give bbolt's
// layout): a header, then elements of elemSize bytes, keys and values
// after them.
//
// A page that does not hold together (wrong id, type or bounds) stops the
// cursor: Seek and Next return nil and err says why.
type fileCursor struct {
	f        io.ReaderAt
	pageSize int
	root     uint64
	// stack holds the pages from the root to the current leaf, each with
	// the index of the element the cursor is on.
	stack []cursorPage
	err   error
	// ahead holds file pages [aheadFrom, aheadFrom+len(ahead)/pageSize),
	// read at once when a branch lists leaves lying one after the other
	// in the file (a log written in order mostly does): one pread for up
	// to maxAhead leaves instead of one each. Leaves are used where they
	// lie in it. It holds pages of the current transaction only. aheadGen
	// counts its fillings: a page taken from it is good while it is the
	// same.
	ahead     []byte
	aheadFrom uint64
	aheadGen  int
	// leafLevel is the depth of the tree's leaves, once one was read; -1
	// before.
	leafLevel int
	// leafPages is how many pages the last leaf took.
	leafPages int
	// txid is the transaction the pages read belong to: the pages of a
	// later transaction with the same ID (no commit in between) are the
	// same, and the cursor keeps what it read.
	txid int
}

// maxAhead is how many leaves one read ahead takes at most.
const maxAhead = 16

// cursorPage is one page of a cursor's path.
type cursorPage struct {
	id    uint64
	buf   []byte // the page and its overflow pages: own, or part of ahead
	own   []byte // this level's buffer, kept from page to page
	gen   int    // the filling of ahead buf lies in; 0 when buf is own
	count int
	leaf  bool
	index int
}

// newFileCursor returns a cursor over the bucket whose root page is root,
// in a read transaction with ID txid.
func newFileCursor(f io.ReaderAt, pageSize int, root uint64, txid int) *fileCursor {
	c := &fileCursor{}
	c.reset(f, pageSize, root, txid)
	return c
}

// reset makes c a new cursor over the bucket whose root page is root, in
// the read transaction with ID txid, keeping its buffers. When nothing was
// committed since the pages it holds were read (the same transaction ID,
// the same root), it keeps those pages too: the scan that reads the log
// one batch per transaction then reads each page once.
func (c *fileCursor) reset(f io.ReaderAt, pageSize int, root uint64, txid int) {
	same := c.err == nil && c.f == f && c.pageSize == pageSize && c.root == root && c.txid == txid
	c.f, c.pageSize, c.root, c.txid, c.err = f, pageSize, root, txid, nil
	c.stack = c.stack[:0]
	if !same {
		for i, p := range c.stack[:cap(c.stack)] {
			c.stack[:cap(c.stack)][i] = cursorPage{own: p.own}
		}
		c.ahead, c.leafLevel, c.leafPages = c.ahead[:0], -1, 1
	}
}

// Seek moves to the first key at or after seek.
func (c *fileCursor) Seek(seek []byte) ([]byte, []byte) {
	if c.err != nil {
		return nil, nil
	}
	c.stack = c.stack[:0]
	id := c.root
	for {
		top, err := c.push(id)
		if err != nil {
			return c.fail(err)
		}
		if top.leaf {
			top.index = sort.Search(top.count, func(i int) bool { return bytes.Compare(top.key(i), seek) >= 0 })
			if top.index >= top.count {
				return c.Next()
			}
			return top.keyValue()
		}
		// The last branch element whose key is at most seek.
		i := sort.Search(top.count, func(i int) bool { return bytes.Compare(top.key(i), seek) > 0 })
		top.index = max(i-1, 0)
		id = top.child(top.index)
	}
}

// Next moves to the next key; at the end it returns nil.
func (c *fileCursor) Next() ([]byte, []byte) {
	if c.err != nil || len(c.stack) == 0 {
		return nil, nil
	}
	top := &c.stack[len(c.stack)-1]
	if top.index+1 < top.count {
		top.index++
		return top.keyValue()
	}
	// Up to the nearest branch with an element to the right, then down its
	// leftmost path.
	level := len(c.stack) - 2
	for level >= 0 && c.stack[level].index+1 >= c.stack[level].count {
		level--
	}
	if level < 0 {
		c.stack[len(c.stack)-1].index = top.count
		return nil, nil
	}
	c.stack[level].index++
	c.stack = c.stack[:level+1]
	id := c.stack[level].child(c.stack[level].index)
	for {
		top, err := c.push(id)
		if err != nil {
			return c.fail(err)
		}
		if top.leaf {
			if top.count == 0 {
				return c.Next()
			}
			return top.keyValue()
		}
		if top.count == 0 {
			return c.fail(fmt.Errorf("%w: empty branch page %d", errCorrupt, id))
		}
		id = top.child(0)
	}
}

// push reads page id onto the stack, below the pages there, and returns
// it.
func (c *fileCursor) push(id uint64) (*cursorPage, error) {
	p, err := c.load(len(c.stack), id)
	if err != nil {
		return nil, err
	}
	c.stack = append(c.stack, p)
	return &c.stack[len(c.stack)-1], nil
}

func (c *fileCursor) fail(err error) ([]byte, []byte) {
	c.err = err
	return nil, nil
}

// load reads page id for stack level and checks that it is a branch or
// leaf page whose elements lie inside it. A leaf comes from the pages read
// ahead when it lies there (reading ahead first when its branch lists
// more leaves after it, one after the other in the file); any other page
// is read into the level's own buffer, reusing it.
func (c *fileCursor) load(level int, id uint64) (cursorPage, error) {
	var p cursorPage
	if all := c.stack[:cap(c.stack)]; level < len(all) {
		if held := all[level]; held.buf != nil && held.id == id && (held.gen == 0 || held.gen == c.aheadGen) {
			held.index = 0 // the page this level last held, read in this transaction's tree
			return held, nil
		}
		p.own = all[level].own
	}
	if level > 0 && level == c.leafLevel && !c.inAhead(id, 1) {
		c.readAhead(id, &c.stack[level-1])
	}
	p.id = id
	if c.inAhead(id, 1) {
		off := int(id-c.aheadFrom) * c.pageSize
		if pages := c.header(&p, c.ahead[off:]); p.leaf && c.inAhead(id, pages) {
			p.buf, p.gen = c.ahead[off:off+pages*c.pageSize], c.aheadGen
			return c.checked(p, id)
		}
	}
	hint := 1
	if level == c.leafLevel {
		hint = c.leafPages
	}
	var err error
	if p.own, err = c.read(p.own, id, hint); err != nil && hint > 1 {
		p.own, err = c.read(p.own, id, 1)
	}
	if err != nil {
		return p, err
	}
	pages := c.header(&p, p.own)
	if pages > hint {
		if p.own, err = c.read(p.own, id, pages); err != nil {
			return p, err
		}
	}
	p.buf = p.own[:pages*c.pageSize]
	return c.checked(p, id)
}

// header reads the page header at the start of b into p and returns how
// many pages the page takes (1 for a page that is not a branch or leaf,
// which checked refuses).
func (c *fileCursor) header(p *cursorPage, b []byte) int {
	flags := binary.LittleEndian.Uint16(b[8:])
	p.count = int(binary.LittleEndian.Uint16(b[10:]))
	p.leaf = flags == leafPageFlag
	if flags != branchPageFlag && flags != leafPageFlag {
		return 1
	}
	return 1 + int(binary.LittleEndian.Uint32(b[12:]))
}

// checked returns p, page id, once its header and elements hold together,
// noting the depth and size of a leaf.
func (c *fileCursor) checked(p cursorPage, id uint64) (cursorPage, error) {
	gotID := binary.LittleEndian.Uint64(p.buf[0:])
	flags := binary.LittleEndian.Uint16(p.buf[8:])
	if gotID != id || (flags != branchPageFlag && flags != leafPageFlag) {
		return p, fmt.Errorf("%w: page %d identifies as page %d with flags %#x", errCorrupt, id, gotID, flags)
	}
	if err := p.check(); err != nil {
		return p, fmt.Errorf("page %d: %w", id, err)
	}
	if p.leaf {
		c.leafLevel, c.leafPages = len(c.stack), len(p.buf)/c.pageSize
	}
	return p, nil
}

// inAhead reports whether pages [id, id+pages) were read ahead.
func (c *fileCursor) inAhead(id uint64, pages int) bool {
	return id >= c.aheadFrom && (id-c.aheadFrom+uint64(pages))*uint64(c.pageSize) <= uint64(len(c.ahead))
}

// readAhead reads, in one pread, leaf id and the leaves parent lists after
// it while they follow one another in the file, each of the size of the
// last leaf read. It reads nothing when fewer than two would come of it, or
// when the read fails (the page's own read then reports why).
func (c *fileCursor) readAhead(id uint64, parent *cursorPage) {
	c.ahead = c.ahead[:0]
	c.aheadGen++ // pages taken from the last filling go, whatever this one brings
	if parent.leaf || parent.child(parent.index) != id {
		return
	}
	step := uint64(c.leafPages)
	n := 1
	for n < maxAhead && parent.index+n < parent.count && parent.child(parent.index+n) == id+uint64(n)*step {
		n++
	}
	if n < 2 {
		return
	}
	buf, err := c.read(c.ahead, id, n*c.leafPages)
	if err != nil {
		return
	}
	c.ahead, c.aheadFrom = buf, id
}

// read reads pages pages from id on into buf, grown as needed.
func (c *fileCursor) read(buf []byte, id uint64, pages int) ([]byte, error) {
	n := pages * c.pageSize
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := c.f.ReadAt(buf, int64(id)*int64(c.pageSize)); err != nil {
		if err == io.EOF {
			return buf, fmt.Errorf("%w: page %d runs past the file's end", errCorrupt, id)
		}
		return buf, fmt.Errorf("read page %d: %w", id, err)
	}
	return buf, nil
}

// check verifies that the element table, and every key and value, lies
// inside the page.
func (p *cursorPage) check() error {
	if pageHeaderSize+p.count*elemSize > len(p.buf) {
		return fmt.Errorf("%w: %d elements overrun the page", errCorrupt, p.count)
	}
	for i := range p.count {
		if _, _, _, ok := element(p.buf, i, !p.leaf); !ok {
			return fmt.Errorf("%w: element %d overruns the page", errCorrupt, i)
		}
	}
	return nil
}

// key returns element i's key.
func (p *cursorPage) key(i int) []byte {
	k, _, _, _ := element(p.buf, i, !p.leaf)
	return k
}

// child returns the page id branch element i points to.
func (p *cursorPage) child(i int) uint64 {
	return binary.LittleEndian.Uint64(p.buf[pageHeaderSize+i*elemSize+8:])
}

// keyValue returns the current leaf element's key and value; a nested
// bucket has no value here (as bbolt's cursor gives it).
func (p *cursorPage) keyValue() ([]byte, []byte) {
	k, v, flags, _ := element(p.buf, p.index, false)
	if flags&bucketLeafFlag != 0 {
		return k, nil
	}
	return k, v
}

// bucketRoot returns the root page of b, or 0 when b is stored inline in
// its parent (bbolt's small buckets), which a fileCursor cannot read.
func bucketRoot(b *bbolt.Bucket) uint64 { return uint64(b.Root()) }

// pageFile is what a fileCursor reads pages from: the ledger file.
type pageFile interface {
	io.ReaderAt
	io.Closer
}

// openPages opens the ledger file at path for the store's page reads, or
// returns nil, with which scans read through bbolt's map as before.
func openPages(path string) pageFile {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	return f
}

// closePages closes the store's second handle on its file.
func (s *Store) closePages() {
	if s.pages != nil {
		_ = s.pages.Close()
	}
}
