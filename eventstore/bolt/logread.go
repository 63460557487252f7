package bolt

import (
	"encoding/binary"
	"fmt"
	"io"

	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Layout constants. Changing any of them changes the file format.
const (
	// checkpointEvery is the distance in positions between checkpoints: the
	// record at position c·checkpointEvery+1 has its byte offset in the pidx
	// bucket and refers to no earlier record.
	checkpointEvery = 32
	// chunkVersions is how many stream versions one stream-index chunk holds.
	chunkVersions = 64
)

// u64Key is an 8-byte big-endian key, so keys sort numerically.
func u64Key(v uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], v)
	return k[:]
}

// logView is the log as one transaction sees it: full segments in the log
// bucket, the last partial segment in tail, checkpoints in pidx. A writer's
// view changes as it appends.
type logView struct {
	log, pidx *bbolt.Bucket
	segSize   uint64
	head      uint64 // position of the last record
	logLen    uint64 // bytes in the log
	tail      []byte // bytes [logLen - logLen%segSize, logLen)
	// ov holds what a format 3 ledger's log has beyond its file (nil for
	// other formats and read-only stores): segments and checkpoints at
	// and above its bases come from it.
	ov *overlay
	// sequential allows a read-only view to walk segments with a cursor.
	sequential bool
}

// inFile reports whether full segment i is read from the file's log bucket.
func (v *logView) inFile(i uint64) bool {
	return i < v.logLen/v.segSize && (v.ov == nil || i < v.ov.baseSeg)
}

// segment returns segment i's bytes.
func (v *logView) segment(i uint64) ([]byte, error) {
	full := v.logLen / v.segSize
	switch {
	case i < full:
		if b, ok := v.ov.segment(i); ok {
			return b, nil
		}
		b := v.log.Get(u64Key(i))
		if uint64(len(b)) != v.segSize {
			return nil, fmt.Errorf("%w: log segment %d has %d bytes, want %d", errCorrupt, i, len(b), v.segSize)
		}
		return b, nil
	case i == full:
		return v.tail, nil
	}
	return nil, fmt.Errorf("%w: log segment %d beyond the end", errCorrupt, i)
}

// checkpoint returns the byte offset of the record at position c·checkpointEvery+1.
func (v *logView) checkpoint(c uint64) (uint64, error) {
	if off, ok := v.ov.checkpoint(c); ok {
		return off, nil
	}
	b := v.pidx.Get(u64Key(c))
	off, n := binary.Uvarint(b)
	if n <= 0 || off > v.logLen {
		return 0, fmt.Errorf("%w: checkpoint %d", errCorrupt, c)
	}
	return off, nil
}

// logReader decodes records of a logView one after the other, jumping through
// checkpoints when asked for an earlier or distant position. It is not safe
// for concurrent use.
type logReader struct {
	v   *logView
	res resolver

	pos uint64 // position of the next record; 0 before the first seek
	off uint64 // byte offset of the next record
	st  deltaState

	segIdx uint64
	seg    []byte
	hasSeg bool
	cur    segCursor
	// file, once the reader reads from the file (readFromFile), is its
	// fileCursor, kept from one transaction to the next for its buffers.
	file *fileCursor
	// mapped, when set, notes the segments read from bbolt's map (see
	// mappedRange); mapBase is where that map starts.
	mapped  *mappedRange
	mapBase uintptr
	scratch []byte // records that span segments
	payload []byte // decompressed payloads
}

func newLogReader(v *logView, res resolver) *logReader {
	r := &logReader{v: v, res: res}
	if v.sequential {
		r.cur = v.log.Cursor()
	}
	return r
}

// seek makes position p (1 ≤ p ≤ head) the next record to read.
func (r *logReader) seek(p uint64) error {
	if p == 0 || p > r.v.head {
		return fmt.Errorf("read position %d: log head is %d", p, r.v.head)
	}
	if r.pos == 0 || p < r.pos || p-r.pos >= checkpointEvery {
		c := (p - 1) / checkpointEvery
		off, err := r.v.checkpoint(c)
		if err != nil {
			return err
		}
		r.pos, r.off, r.st = c*checkpointEvery+1, off, deltaState{}
	}
	for r.pos < p {
		if err := r.next(nil); err != nil {
			return err
		}
	}
	return nil
}

// next decodes the record at r.pos into e, or only steps over it when e is
// nil. e.Payload aliases the file or one of the reader's buffers: it is
// valid until the next call or the end of the transaction.
func (r *logReader) next(e *domain.Event) error {
	info, err := r.decode(e)
	if err != nil || e == nil || !info.compressed && !info.packed {
		return err
	}
	r.payload, err = r.payloadBytes(r.payload[:0], e, info)
	e.Payload = r.payload
	return err
}

// payloadBytes appends e's payload, stored compressed or packed, decoded
// to dst.
func (r *logReader) payloadBytes(dst []byte, e *domain.Event, info bodyInfo) ([]byte, error) {
	if info.packed {
		return r.unpack(dst, e, info.typ)
	}
	return r.inflate(dst, e, info.typ)
}

// nextInto decodes the record at r.pos into e as next does, but appends its
// payload, decompressed, to buf and points e.Payload at that copy (nil if
// empty), which outlives the transaction. It returns buf as grown.
func (r *logReader) nextInto(e *domain.Event, buf []byte) ([]byte, error) {
	info, err := r.decode(e)
	if err != nil {
		return buf, err
	}
	start := len(buf)
	if info.compressed || info.packed {
		if buf, err = r.payloadBytes(buf, e, info); err != nil {
			return buf, err
		}
	} else {
		buf = append(buf, e.Payload...)
	}
	e.Payload = nil
	if len(buf) > start {
		e.Payload = buf[start:len(buf):len(buf)]
	}
	return buf, nil
}

// nextCoded decodes the record at r.pos into e as nextInto does, but
// appends its payload to buf as stored and returns how it is coded (see
// ScanCoded): compressed, packed, or neither (the zero coding). A payload
// compressed against an empty dictionary is decompressed here.
func (r *logReader) nextCoded(e *domain.Event, buf []byte) ([]byte, eventstore.PayloadCoding, error) {
	var coding eventstore.PayloadCoding
	info, err := r.decode(e)
	if err != nil {
		return buf, coding, err
	}
	start := len(buf)
	switch {
	case info.packed:
		sh, vals, pc, err := r.packedParts(e.Payload, info.typ)
		if err != nil {
			return buf, coding, fmt.Errorf("read position %d: %w", e.Position, err)
		}
		coding = eventstore.PayloadCoding{Decompress: pc.decompress, Shape: sh}
		buf = append(buf, vals...)
	case info.compressed:
		pc, err := r.res.payloadCodecs().codec(r.res, info.typ)
		if err != nil {
			return buf, coding, fmt.Errorf("read position %d: %w", e.Position, err)
		}
		if pc.dict == "" {
			buf, err = r.inflate(buf, e, info.typ)
			if err != nil {
				return buf, coding, err
			}
			break
		}
		coding.Decompress = pc.decompress
		buf = append(buf, e.Payload...)
	default:
		buf = append(buf, e.Payload...)
	}
	e.Payload = nil
	if len(buf) > start {
		e.Payload = buf[start:len(buf):len(buf)]
	}
	return buf, coding, nil
}

// decode decodes the record at r.pos into e (e.Payload aliasing the file or
// a buffer, possibly still compressed: see the returned info) and steps past
// it; with e nil it only steps.
func (r *logReader) decode(e *domain.Event) (bodyInfo, error) {
	var info bodyInfo
	if r.pos > r.v.head || r.pos == 0 {
		return info, fmt.Errorf("read position %d: log head is %d", r.pos, r.v.head)
	}
	if (r.pos-1)%checkpointEvery == 0 {
		r.st = deltaState{}
	}
	body, err := r.record()
	if err != nil {
		return info, fmt.Errorf("read position %d: %w", r.pos, err)
	}
	if e == nil {
		_, err = decodeBody(body, &r.st, nil, nil)
	} else {
		info, err = decodeBody(body, &r.st, r.res, e)
		e.Position = r.pos
	}
	if err != nil {
		return info, fmt.Errorf("read position %d: %w", r.pos, err)
	}
	r.pos++
	return info, nil
}

// inflate appends e's payload, coded against type typ's dictionary, decoded
// to dst.
func (r *logReader) inflate(dst []byte, e *domain.Event, typ uint32) ([]byte, error) {
	dict, err := r.res.name(kindDict, typ)
	if err == nil {
		dst, err = decompress(dst, e.Payload, dict)
	}
	if err != nil {
		return dst, fmt.Errorf("read position %d: %w", e.Position, err)
	}
	return dst, nil
}

// rebind moves the reader, between two calls, to a later transaction's view
// of the same log, keeping its place: records never move once written, so
// the next record is where it was. res resolves names in the new
// transaction.
func (r *logReader) rebind(v *logView, res resolver) {
	r.v, r.res = v, res
	r.hasSeg, r.seg, r.cur = false, nil, nil
	if v.sequential {
		r.cur = v.log.Cursor()
	}
}

// readFromFile makes the reader take the file's log segments from f with
// a fileCursor instead of through bbolt's map, for the rest of the
// transaction. Only a reader whose records are copied before its next
// segment may: a segment is then valid only until the next.
func (r *logReader) readFromFile(tx *bbolt.Tx, f io.ReaderAt) {
	if f == nil || r.cur == nil {
		return
	}
	root := bucketRoot(r.v.log)
	if root == 0 {
		return // a bucket this small lives inside its parent's page
	}
	if r.file == nil {
		r.file = &fileCursor{}
	}
	r.file.reset(f, tx.DB().Info().PageSize, root, tx.ID())
	r.cur = r.file
	r.hasSeg, r.seg = false, nil
}

// nextID returns the event ID of the record at r.pos and steps over it
// without decoding the rest (and without the delta state: only for scans
// that never decode).
func (r *logReader) nextID() ([16]byte, error) {
	body, err := r.record()
	if err != nil {
		return [16]byte{}, fmt.Errorf("read position %d: %w", r.pos, err)
	}
	id, err := recordID(body)
	if err != nil {
		return id, fmt.Errorf("read position %d: %w", r.pos, err)
	}
	r.pos++
	return id, nil
}

// record reads the length-prefixed record at r.off and moves past it.
func (r *logReader) record() ([]byte, error) {
	seg, err := r.segment(r.off / r.v.segSize)
	if err != nil {
		return nil, err
	}
	in := r.off % r.v.segSize
	n, k := binary.Uvarint(seg[in:])
	if k <= 0 {
		// The length may straddle two segments.
		hdr, err := r.bytes(r.off, min(binary.MaxVarintLen64, r.v.logLen-r.off))
		if err != nil {
			return nil, err
		}
		if n, k = binary.Uvarint(hdr); k <= 0 {
			return nil, fmt.Errorf("%w: record length at offset %d", errCorrupt, r.off)
		}
	}
	start := r.off + uint64(k)
	if n > r.v.logLen-start || r.v.logLen < start {
		return nil, fmt.Errorf("%w: record at offset %d runs past the log's end", errCorrupt, r.off)
	}
	body, err := r.bytes(start, n)
	if err != nil {
		return nil, err
	}
	r.off = start + n
	return body, nil
}

// bytes returns log bytes [off, off+n): a slice of one segment when they lie
// in one, else a copy in the reader's scratch buffer.
func (r *logReader) bytes(off, n uint64) ([]byte, error) {
	i, in := off/r.v.segSize, off%r.v.segSize
	seg, err := r.segment(i)
	if err != nil {
		return nil, err
	}
	if in+n <= uint64(len(seg)) {
		return seg[in : in+n], nil
	}
	r.scratch = r.scratch[:0]
	for n > 0 {
		seg, err := r.segment(i)
		if err != nil {
			return nil, err
		}
		if in >= uint64(len(seg)) {
			return nil, fmt.Errorf("%w: log ends inside a record", errCorrupt)
		}
		take := min(n, uint64(len(seg))-in)
		r.scratch = append(r.scratch, seg[in:in+take]...)
		n -= take
		i, in = i+1, 0
	}
	return r.scratch, nil
}

// segment returns segment i, remembering the last one fetched.
func (r *logReader) segment(i uint64) ([]byte, error) {
	if r.hasSeg && r.segIdx == i {
		return r.seg, nil
	}
	var seg []byte
	if r.cur != nil && r.v.inFile(i) {
		var k []byte
		if r.hasSeg && i == r.segIdx+1 {
			k, seg = r.cur.Next()
		} else {
			k, seg = r.cur.Seek(u64Key(i))
		}
		fc, fromFile := r.cur.(*fileCursor) // segments are copies, not slices of the map
		if fromFile && fc.err != nil {
			return nil, fmt.Errorf("log segment %d: %w", i, fc.err)
		}
		if k == nil || binary.BigEndian.Uint64(k) != i || uint64(len(seg)) != r.v.segSize {
			return nil, fmt.Errorf("%w: log segment %d missing", errCorrupt, i)
		}
		if r.mapped != nil && !fromFile {
			r.mapped.note(seg, r.mapBase)
		}
	} else {
		var err error
		if seg, err = r.v.segment(i); err != nil {
			return nil, err
		}
	}
	r.segIdx, r.seg, r.hasSeg = i, seg, true
	return seg, nil
}
