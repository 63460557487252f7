package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// JournalSuffix is appended to a format 3 ledger file's path to name its
// journal: ledger.db keeps its journal in ledger.db-journal.
const JournalSuffix = "-journal"

// journalNextSuffix names, after the journal's own path, the journal a
// checkpoint writes to replace it (see keepFrom); one left by a crash is
// removed when the ledger opens.
const journalNextSuffix = ".next"

// journalFrameHeader is a frame's header: the body's length and the CRC-32C
// of the body, both u32 big-endian.
const journalFrameHeader = 8

// The journal starts with a header of journalHeaderSize bytes:
// journalMagic, then the boot ID of the machine that wrote it (Linux's
// /proc/sys/kernel/random/boot_id, empty where there is none), padded with
// zeros. The boot ID tells recovery whether the machine stopped since.
const (
	journalMagic      = "taskledger-journal/1\n"
	journalHeaderSize = 64
)

// The journal is extended with zeros ahead of its frames, so that frames
// overwrite bytes the file already has and their fdatasync need not also
// write the file's new size (a probe on the shared machine, under load:
// 0.37 ms against 0.56 ms per 3 KB write and fdatasync). journalChunk is
// how far ahead a growth in the background zeroes, journalPiece what it
// writes (and syncs) at a time, and journalStep how far a frame that
// finds no zeros ready extends the file itself.
const (
	journalChunk = 4 << 20
	journalPiece = 1 << 20
	journalStep  = 64 << 10
)

// maxJournalFrame bounds a frame's body (a group commit of many large
// appends stays far below it); a longer length is damage.
const maxJournalFrame = 1 << 30

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// journal is the append-only file that makes a format 3 ledger's group
// commits durable with one fdatasync each: the committer writes one frame
// per group and syncs it before the group is acknowledged, and the file
// gets the group only at the next checkpoint. After that checkpoint's
// synced commit the journal keeps only the groups committed since it began
// (keepFrom; reset empties it when the ledger opens), so it holds little
// more than the groups the file lacks.
type journal struct {
	f      *os.File
	path   string
	bootID string // written into the header at each reset
	size   int64  // bytes in use: the header and the frames since the last reset
	alloc  int64  // bytes in the file: size, then zeros
	// noSync skips fdatasync (Options.NoSync: tests and benchmarks only).
	noSync bool
	// direct writes the frames past the page cache, nil where the file
	// system refuses (see journal_direct.go).
	direct *directWriter
	// grow is the zeroing running past alloc in the background, if any,
	// and ahead how far past the frames it zeroes (see growAhead).
	grow  *growth
	ahead int64
	// retired holds the handles of the files a replacement renamed the
	// journal over, which the store closes once it has let go of the
	// commit lock (Store.unlockCommit): the last close of a replaced file
	// frees its blocks, 3–5 ms for a few mebibytes of frames and zeros.
	retired []*os.File
}

// openJournal opens (creating if needed) the journal at path for appending
// after its first size bytes, the frames recovery has read.
func openJournal(path string) (*journal, error) {
	if err := os.Remove(path + journalNextSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("remove unfinished journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return &journal{f: f, path: path, direct: openDirect(path), ahead: journalChunk}, nil
}

// write appends one frame holding body and syncs it.
func (j *journal) write(body []byte) error {
	var hdr [journalFrameHeader]byte
	binary.BigEndian.PutUint32(hdr[0:], uint32(len(body)))
	binary.BigEndian.PutUint32(hdr[4:], crc32.Checksum(body, crcTable))
	n := int64(len(hdr) + len(body))
	if err := j.reserve(j.size + n); err != nil {
		return err
	}
	defer j.growAhead()
	if j.direct != nil && !j.noSync {
		switch err := j.direct.write(j.f, hdr[:], body, j.size); {
		case err == nil:
			j.size += n
			return nil
		case !errors.Is(err, errDirectRefused):
			return fmt.Errorf("write journal %s: %w", j.path, err)
		}
		j.closeDirect() // the file system refused: write as before
	}
	if _, err := j.f.WriteAt(append(hdr[:], body...), j.size); err != nil {
		return fmt.Errorf("write journal %s: %w", j.path, err)
	}
	j.size += n
	if j.noSync {
		return nil
	}
	if err := fdatasync(j.f); err != nil {
		return fmt.Errorf("sync journal %s: %w", j.path, err)
	}
	return nil
}

// reserve makes sure the file holds zeros, on the disk, up to end before a
// frame is written there: the zeros the background growth has written so
// far, once synced, else (after waiting for the piece on its way, when
// there is one) a short extension here. Frames then overwrite bytes the
// file already has, and their sync need not also write the file's new
// size. A growth that failed is dropped: the extension here meets the same
// trouble and reports it.
func (j *journal) reserve(end int64) error {
	for end > j.alloc {
		g := j.grow
		if g == nil {
			return j.extend(end)
		}
		j.alloc = max(j.alloc, g.ready.Load())
		if end <= j.alloc {
			return nil
		}
		select {
		case <-g.piece:
		case <-g.done:
			j.dropGrowth()
		}
	}
	return nil
}

// extend adds zeros up to end rounded up to journalStep, and syncs them when
// frames are written past the page cache: a direct write must find them on
// the disk, not in the cache.
func (j *journal) extend(end int64) error {
	next := (end + journalStep - 1) / journalStep * journalStep
	if _, err := j.f.WriteAt(make([]byte, next-j.alloc), j.alloc); err != nil {
		return fmt.Errorf("extend journal %s: %w", j.path, err)
	}
	if j.syncsZeros() {
		if err := fdatasync(j.f); err != nil {
			return fmt.Errorf("sync journal %s: %w", j.path, err)
		}
	}
	j.alloc = next
	return nil
}

// syncsZeros reports whether zeros added to the file must be synced before
// frames are written over them (direct writes); else the frame's own
// fdatasync writes them.
func (j *journal) syncsZeros() bool { return j.direct != nil && !j.noSync }

// growAhead starts zeroing the next ahead bytes (journalChunk) past alloc
// in the background when fewer than half of them remain ahead of the
// frames, so that a frame seldom waits for zeros: adding a whole chunk
// and syncing it at once stalled the group that needed it for 17–45 ms on
// a virtual disk.
func (j *journal) growAhead() {
	if g := j.grow; g != nil {
		select {
		case <-g.done:
			j.dropGrowth()
		default:
			j.alloc = max(j.alloc, g.ready.Load())
			return
		}
	}
	if j.alloc-j.size >= j.ahead/2 {
		return
	}
	g := &growth{piece: make(chan struct{}, 1), done: make(chan struct{})}
	g.ready.Store(j.alloc)
	go g.run(j.f, j.alloc, j.alloc+j.ahead, j.syncsZeros())
	j.grow = g
}

// stopGrowing stops the background growth, if any, and waits for it: the
// file is about to be cut, replaced or closed.
func (j *journal) stopGrowing() {
	g := j.grow
	if g == nil {
		return
	}
	g.stop.Store(true)
	<-g.done
	j.dropGrowth()
}

// dropGrowth takes the zeros the ended growth made ready and forgets it.
func (j *journal) dropGrowth() {
	j.alloc = max(j.alloc, j.grow.ready.Load())
	j.grow = nil
}

// growth zeroes part of a journal past its frames in the background, a
// piece at a time, each piece written and (when the journal needs it)
// synced before it counts as ready.
type growth struct {
	ready atomic.Int64  // the end of the zeros the frames may use
	stop  atomic.Bool   // set to end the growth after the current piece
	piece chan struct{} // cap 1: a piece was added to ready
	done  chan struct{} // closed when the growth has ended
}

// run zeroes f from byte from up to to.
func (g *growth) run(f *os.File, from, to int64, sync bool) {
	defer close(g.done)
	zeros := make([]byte, journalPiece)
	for at := from; at < to && !g.stop.Load(); at += journalPiece {
		if _, err := f.WriteAt(zeros, at); err != nil {
			return
		}
		if sync && fdatasync(f) != nil {
			return
		}
		g.ready.Store(at + journalPiece)
		select {
		case g.piece <- struct{}{}:
		default:
		}
	}
}

// undo cuts the journal back to size bytes, dropping frames written after
// it whose group bbolt did not commit.
func (j *journal) undo(size int64) error {
	j.stopGrowing()
	if err := j.f.Truncate(size); err != nil {
		return fmt.Errorf("cut journal %s back: %w", j.path, err)
	}
	j.alloc = size
	j.direct.forget()
	if err := fdatasync(j.f); err != nil {
		return fmt.Errorf("sync journal %s: %w", j.path, err)
	}
	j.size = size
	return nil
}

// reset empties the journal; the caller has synced everything it held into
// the ledger file.
func (j *journal) reset() error {
	j.stopGrowing()
	if err := j.f.Truncate(0); err != nil {
		return fmt.Errorf("empty journal %s: %w", j.path, err)
	}
	j.direct.forget()
	hdr := make([]byte, journalHeaderSize)
	copy(hdr[copy(hdr, journalMagic):], j.bootID)
	if _, err := j.f.WriteAt(hdr, 0); err != nil {
		return fmt.Errorf("write journal %s: %w", j.path, err)
	}
	j.size, j.alloc = journalHeaderSize, journalHeaderSize
	if j.noSync {
		return nil
	}
	if err := fdatasync(j.f); err != nil {
		return fmt.Errorf("sync journal %s: %w", j.path, err)
	}
	return nil
}

// keepFrom replaces the journal with one that holds only its frames from
// byte from on: those a checkpoint did not write to the file, which holds
// every frame before. The new journal is written and synced beside the old
// one, then renamed over it, so a crash leaves one or the other whole.
func (j *journal) keepFrom(from int64) error {
	buf := make([]byte, journalHeaderSize+j.size-from)
	copy(buf[copy(buf, journalMagic):], j.bootID)
	if _, err := j.f.ReadAt(buf[journalHeaderSize:], from); err != nil {
		return fmt.Errorf("read journal %s: %w", j.path, err)
	}
	next := j.path + journalNextSuffix
	f, err := os.OpenFile(next, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("start journal %s: %w", next, err)
	}
	if err := j.install(f, buf); err != nil {
		_ = f.Close()
		_ = os.Remove(next)
		return err
	}
	return nil
}

// install writes buf into f, a new journal beside the old one, syncs it and
// renames it over the old one, whose handles it retires (takeRetired).
func (j *journal) install(f *os.File, buf []byte) error {
	j.stopGrowing()
	if _, err := f.WriteAt(buf, 0); err != nil {
		return fmt.Errorf("write journal %s: %w", f.Name(), err)
	}
	if !j.noSync {
		if err := fdatasync(f); err != nil {
			return fmt.Errorf("sync journal %s: %w", f.Name(), err)
		}
	}
	if err := os.Rename(f.Name(), j.path); err != nil {
		return fmt.Errorf("replace journal %s: %w", j.path, err)
	}
	if !j.noSync {
		if err := syncDir(filepath.Dir(j.path)); err != nil {
			return fmt.Errorf("replace journal %s: sync its directory: %w", j.path, err)
		}
	}
	j.retired = append(j.retired, j.f)
	j.f = f
	j.size, j.alloc = int64(len(buf)), int64(len(buf))
	if j.direct != nil {
		j.retired = append(j.retired, j.direct.f)
		j.direct = openDirect(j.path)
	}
	return nil
}

// takeRetired returns the handles of replaced journal files, for the
// caller to close (closeFiles), and forgets them. A nil journal (format 2)
// has none.
func (j *journal) takeRetired() []*os.File {
	if j == nil {
		return nil
	}
	r := j.retired
	j.retired = nil
	return r
}

// closeFiles closes files whose closing may wait on the disk.
func closeFiles(files []*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

func (j *journal) close() error {
	j.stopGrowing()
	j.closeDirect()
	closeFiles(j.takeRetired())
	return j.f.Close()
}

// fdatasync flushes f's data (and the size, when it changed) to the disk.
func fdatasync(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// readJournal returns the boot ID in the header of the journal at path and
// the bodies of its frames, in order; a missing file, or one whose header a
// crash cut short (it is written right after the file was synced), holds
// none. A last frame cut short or failing its checksum is what a crash
// during its write leaves, and is not returned: its group was never
// acknowledged. Any other frame that fails means the journal is damaged.
func readJournal(path string) (string, [][]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("read journal: %w", err)
	}
	if len(data) < journalHeaderSize {
		if !strings.HasPrefix(journalMagic, string(data[:min(len(data), len(journalMagic))])) {
			return "", nil, errors.New("the journal does not start with " + strings.TrimSpace(journalMagic))
		}
		return "", nil, nil
	}
	if string(data[:len(journalMagic)]) != journalMagic {
		return "", nil, errors.New("the journal does not start with " + strings.TrimSpace(journalMagic))
	}
	bootID := strings.TrimRight(string(data[len(journalMagic):journalHeaderSize]), "\x00")
	frames, err := readFrames(data, journalHeaderSize)
	return bootID, frames, err
}

// readFrames reads the frames of a journal's data from byte off on.
func readFrames(data []byte, off int) ([][]byte, error) {
	var frames [][]byte
	for off < len(data) {
		rest := data[off:]
		if len(rest) < journalFrameHeader {
			break // a header cut short by a crash
		}
		n := binary.BigEndian.Uint32(rest)
		end := uint64(journalFrameHeader) + uint64(n)
		if n == 0 {
			// No frame is empty: zeros the file system left where a crash
			// cut a write short end the journal; anything else is damage.
			if slices.ContainsFunc(rest, func(b byte) bool { return b != 0 }) {
				return nil, fmt.Errorf("journal frame at byte %d is empty and not followed by zeros", off)
			}
			break
		}
		if n > maxJournalFrame {
			return nil, fmt.Errorf("journal frame at byte %d claims %d bytes", off, n)
		}
		if end > uint64(len(rest)) {
			// A frame cut short by a crash is the last one. A length that
			// runs past the end with a whole frame after it is damage.
			if at, ok := wholeFrameAfter(data, off+journalFrameHeader); ok {
				return nil, fmt.Errorf("journal frame at byte %d claims %d bytes, past the journal's end, but a whole frame follows at byte %d", off, n, at)
			}
			break
		}
		body := rest[journalFrameHeader:end]
		if crc32.Checksum(body, crcTable) != binary.BigEndian.Uint32(rest[4:]) {
			if !slices.ContainsFunc(rest[end:], func(b byte) bool { return b != 0 }) {
				break // the last frame, torn by a crash: only zeros follow
			}
			return nil, fmt.Errorf("journal frame at byte %d fails its checksum and is not the last", off)
		}
		frames = append(frames, body)
		off += int(end)
	}
	return frames, nil
}

// wholeFrameAfter looks in data from byte from on for a frame whose length
// fits and whose checksum holds, and returns where it starts. Checksums of
// candidate frames are taken over at most 16 times the bytes searched, so
// that a long journal whose last frame is torn is not searched forever;
// past that it reports none.
func wholeFrameAfter(data []byte, from int) (int, bool) {
	budget := 16 * max(0, len(data)-from)
	for p := from; p+journalFrameHeader <= len(data) && budget > 0; p++ {
		n := int(binary.BigEndian.Uint32(data[p:]))
		end := p + journalFrameHeader + n
		if n == 0 || n > maxJournalFrame || end > len(data) {
			continue
		}
		budget -= n
		if crc32.Checksum(data[p+journalFrameHeader:end], crcTable) == binary.BigEndian.Uint32(data[p+4:]) {
			return p, true
		}
	}
	return 0, false
}

// journalFrame is one group commit as the journal keeps it: the names it
// interned and the log bytes it appended after position from (the log then
// being logLen bytes long), holding count records.
type journalFrame struct {
	from, logLen, count uint64
	names               []journalName
	log                 []byte
}

type journalName struct {
	kind  byte
	id    uint32
	value string
}

// encode appends the frame's body to b:
//
//	uvarint from · uvarint logLen · uvarint count · uvarint names
//	names × (kind byte · uvarint id · uvarint length · bytes)
//	rest: the log bytes
func (f *journalFrame) encode(b []byte) []byte {
	b = binary.AppendUvarint(b, f.from)
	b = binary.AppendUvarint(b, f.logLen)
	b = binary.AppendUvarint(b, f.count)
	b = binary.AppendUvarint(b, uint64(len(f.names)))
	for _, n := range f.names {
		b = append(b, n.kind)
		b = binary.AppendUvarint(b, uint64(n.id))
		b = binary.AppendUvarint(b, uint64(len(n.value)))
		b = append(b, n.value...)
	}
	return append(b, f.log...)
}

// decodeJournalFrame parses a frame body written by encode.
func decodeJournalFrame(b []byte) (journalFrame, error) {
	var f journalFrame
	r := &byteReader{b: b}
	f.from, f.logLen, f.count = r.uvarint(), r.uvarint(), r.uvarint()
	names := r.uvarint()
	if names > uint64(len(b)) {
		r.fail()
	}
	for i := uint64(0); i < names && r.err == nil; i++ {
		kind := r.byte()
		id := r.uvarint()
		value := r.bytes(r.uvarint())
		if id > 1<<32-1 || kindIndex(kind) == 3 && kind != kindDict {
			r.fail()
		}
		f.names = append(f.names, journalName{kind: kind, id: uint32(id), value: string(value)})
	}
	if r.err != nil {
		return f, r.err
	}
	f.log = b[r.off:]
	return f, nil
}

// byteReader reads a frame body, remembering the first failure.
type byteReader struct {
	b   []byte
	off int
	err error
}

func (r *byteReader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("journal frame body malformed at byte %d: %w", r.off, io.ErrUnexpectedEOF)
	}
}

func (r *byteReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail()
		return 0
	}
	r.off += n
	return v
}

func (r *byteReader) byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.fail()
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

func (r *byteReader) bytes(n uint64) []byte {
	if r.err != nil || n > uint64(len(r.b)-r.off) {
		r.fail()
		return nil
	}
	r.off += int(n)
	return r.b[r.off-int(n) : r.off]
}
