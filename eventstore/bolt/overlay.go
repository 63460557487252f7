package bolt

// overlay is what a format 3 ledger's log holds beyond its file: every group
// committed since the last checkpoint, durable in the journal and not yet
// written to bbolt (see the package documentation). The committer builds a
// new overlay for each group and publishes it; readers take the published
// one before they begin their bbolt transaction and read the log through
// both: segments and checkpoints from the file below the overlay's base,
// from the overlay at and above it.
//
// A published overlay is never changed. Its slices may share backing
// arrays with later overlays, which only ever append beyond their length.
type overlay struct {
	// baseSeg is the first segment the overlay holds: the file's partial
	// last segment at the last checkpoint, once it is full.
	baseSeg uint64
	// segs are the full segments baseSeg, baseSeg+1, … written since.
	segs [][]byte
	// baseCkpt is the first checkpoint (record offset every
	// checkpointEvery positions) the overlay holds.
	baseCkpt uint64
	// ckpts are the byte offsets of checkpoints baseCkpt, baseCkpt+1, ….
	ckpts []uint64
	// head, logLen and tail are the log's state after the overlay's last
	// group: its last position, its length and its partial last segment.
	head, logLen uint64
	tail         []byte
}

// newOverlay returns an empty overlay over a file whose log ends at head,
// logLen bytes, with tail as its partial last segment.
func newOverlay(head, logLen, segSize uint64, tail []byte) *overlay {
	return &overlay{
		baseSeg:  logLen / segSize,
		baseCkpt: (head + checkpointEvery - 1) / checkpointEvery,
		head:     head,
		logLen:   logLen,
		tail:     tail,
	}
}

// after returns o without what the file now holds: the groups of done,
// an overlay o extends on the same base, which a checkpoint has written
// while the committer went on.
func (o *overlay) after(done *overlay, segSize uint64) *overlay {
	n := newOverlay(done.head, done.logLen, segSize, done.tail)
	n.segs = o.segs[n.baseSeg-o.baseSeg:]
	n.ckpts = o.ckpts[n.baseCkpt-o.baseCkpt:]
	n.head, n.logLen, n.tail = o.head, o.logLen, o.tail
	return n
}

// sameBase reports whether o and p stand on the same file: the same first
// segment and checkpoint of their own (both nil: no overlay).
func (o *overlay) sameBase(p *overlay) bool {
	if o == nil || p == nil {
		return o == p
	}
	return o.baseSeg == p.baseSeg && o.baseCkpt == p.baseCkpt
}

// next returns a copy of o for the committer to extend with one group.
func (o *overlay) next() *overlay {
	c := *o
	return &c
}

// segment returns full segment i from the overlay, or false when the file
// holds it.
func (o *overlay) segment(i uint64) ([]byte, bool) {
	if o == nil || i < o.baseSeg {
		return nil, false
	}
	return o.segs[i-o.baseSeg], true
}

// checkpoint returns checkpoint c from the overlay, or false when the file
// holds it.
func (o *overlay) checkpoint(c uint64) (uint64, bool) {
	if o == nil || c < o.baseCkpt {
		return 0, false
	}
	return o.ckpts[c-o.baseCkpt], true
}

// empty reports whether the overlay holds no group.
func (o *overlay) empty(fileHead uint64) bool { return o.head == fileHead }
