package bolt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// directBlock is what a write past the page cache is aligned to: its
// offset, its length and its buffer's address are whole multiples of it
// (4096 bytes serves disks of 512-byte and of 4 KiB sectors).
const directBlock = 4096

// errDirectRefused is a direct write the file system refused; the journal
// then writes through the page cache, as it does where the direct handle
// could not be opened at all (tmpfs, for one).
var errDirectRefused = errors.New("the file system refuses direct writes")

// directWriter writes a journal's frames with O_DIRECT and O_DSYNC: each
// write returns once its blocks are on the disk, as a write through the
// page cache and an fdatasync do, but without the page cache's writeback
// (on one virtual disk, up to 60 µs less wait and 15–35 µs less CPU a
// frame: docs/benchmarks.md).
//
// A direct write covers whole blocks, so a frame is written from the
// start of the block it begins in: the journal's bytes before it in that
// block are written again as they are, and the rest of its last block
// with zeros, which the file holds there already (the journal extends
// itself with zeros and syncs them before any direct write lands there).
// A crash in the middle of such a write can tear only the frame being
// written, which recovery drops as it drops a frame cut short; the bytes
// written again are the same bytes, however much of them reached the
// disk. The writeback of a page does the same when the page cache writes
// it.
type directWriter struct {
	f     *os.File
	block int64  // what writes are aligned to: directBlock
	buf   []byte // scratch, aligned to directBlock
	// tail is a copy of the journal's bytes from tailAt (a block
	// boundary) to the end of the last frame written: what the next
	// frame's first block starts with. tailAt is -1 when unknown (the
	// journal was cut or emptied since); the bytes are then read back.
	tail   []byte
	tailAt int64
}

// openDirect opens the journal at path for direct writes, or returns nil
// where the file system refuses.
func openDirect(path string) *directWriter {
	f, err := os.OpenFile(path, os.O_RDWR|unix.O_DIRECT|unix.O_DSYNC, 0)
	if err != nil {
		return nil
	}
	return &directWriter{f: f, block: directBlock, tailAt: -1}
}

// forget drops the copy of the last block: the journal was cut or
// emptied.
func (d *directWriter) forget() {
	if d != nil {
		d.tailAt = -1
	}
}

// write writes a frame, its header hdr and its body, at byte at of the
// journal, and returns once it is on the disk. The frame is put together
// in the aligned buffer the write needs. f is the journal's own handle,
// for reading back the bytes before at in at's block when they are not
// at hand.
func (d *directWriter) write(f *os.File, hdr, body []byte, at int64) error {
	start := at &^ (d.block - 1)
	end := at + int64(len(hdr)+len(body))
	stop := (end + d.block - 1) &^ (d.block - 1)
	buf := d.buffer(int(stop - start))
	if err := d.before(f, buf[:at-start], start); err != nil {
		return err
	}
	n := copy(buf[at-start:], hdr)
	n += copy(buf[at-start+int64(n):], body)
	clear(buf[at-start+int64(n):])
	if _, err := d.f.WriteAt(buf, start); err != nil {
		d.tailAt = -1
		if errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("%w: %w", errDirectRefused, err)
		}
		return err
	}
	last := end &^ (d.block - 1)
	d.tail = append(d.tail[:0], buf[last-start:end-start]...)
	d.tailAt = last
	return nil
}

// before fills head with the journal's bytes from start on: the copy kept
// of the last block when it is that block, else the file's.
func (d *directWriter) before(f *os.File, head []byte, start int64) error {
	if d.tailAt == start && len(d.tail) == len(head) {
		copy(head, d.tail)
		return nil
	}
	if len(head) == 0 {
		return nil
	}
	if _, err := f.ReadAt(head, start); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read back the block the frame begins in: %w", err)
	}
	return nil
}

// buffer returns n bytes of scratch aligned to directBlock, kept for the
// next frame unless it is larger than maxKeptBuffer (a large import's).
func (d *directWriter) buffer(n int) []byte {
	if cap(d.buf) >= n {
		return d.buf[:n]
	}
	raw := make([]byte, n+directBlock)
	off := (directBlock - int(uintptr(unsafe.Pointer(unsafe.SliceData(raw)))%directBlock)) % directBlock
	buf := raw[off : off+n : off+n]
	if n <= maxKeptBuffer {
		d.buf = buf
	}
	return buf
}

// maxKeptBuffer bounds the scratch a journal keeps between frames.
const maxKeptBuffer = 1 << 20

// closeDirect closes the journal's direct handle, if it has one; the
// journal writes through the page cache from then on.
func (j *journal) closeDirect() {
	if j.direct != nil {
		_ = j.direct.f.Close()
		j.direct = nil
	}
}
