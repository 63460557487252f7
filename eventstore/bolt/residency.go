package bolt

import (
	"os"
	"unsafe"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// releaseEvery is how much of the memory-mapped file a scan reads before it
// lets go of those pages.
const releaseEvery = 4 << 20

// mappedRange is the span of bbolt's memory map that a scan has read log
// segments from and not yet let go of. A full replay reads each page of
// the log once; left mapped, they would count in the process's resident
// memory (a million events, about 200 MB) though they will not be read
// again. Every releaseEvery bytes the scan drops them from the process's
// mapping with madvise(MADV_DONTNEED): the kernel keeps them in its page
// cache, and a later read maps them again.
type mappedRange struct {
	base uintptr        // start of the map the segments were noted in
	lo   unsafe.Pointer // the first byte read since the last release
	hi   uintptr        // the address after the last one
}

// note adds a segment read from the map whose data starts at base.
func (m *mappedRange) note(seg []byte, base uintptr) {
	if len(seg) == 0 {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(seg))
	end := uintptr(p) + uintptr(len(seg))
	if m.base != base || m.lo == nil {
		m.base, m.lo, m.hi = base, p, end
		return
	}
	if uintptr(p) < uintptr(m.lo) {
		m.lo = p
	}
	m.hi = max(m.hi, end)
}

// release drops the noted pages from the map once they add up to
// releaseEvery. It must run inside a read transaction, which keeps bbolt
// from moving its map; a map moved since the pages were noted (the file
// grew) is not touched.
func (m *mappedRange) release(tx *bbolt.Tx) {
	if m.lo == nil || m.hi-uintptr(m.lo) < releaseEvery {
		return
	}
	base, size := tx.DB().Info().Data, uintptr(tx.Size())
	lo, hi := m.lo, m.hi
	m.lo, m.hi = nil, 0
	if m.base != base || uintptr(lo) < base || hi > base+size {
		return
	}
	page := uintptr(os.Getpagesize())
	start := uintptr(lo) &^ (page - 1)
	dontNeed(start, (hi-start+page-1)&^(page-1))
}

// releaseMap drops every page of bbolt's map from the process's mapping:
// the kernel keeps them in its page cache and a later read maps them
// again. bbolt reads the whole tree once to rebuild its freelist, which
// the ledger does not store (Options.NoFreelistSync); Open has it do so
// while opening (PreLoadFreelist) and then lets those pages go, so that an
// open ledger does not keep its whole file resident. It must run inside a
// read transaction, which keeps bbolt from moving its map.
func releaseMap(tx *bbolt.Tx) {
	if base, size := tx.DB().Info().Data, tx.Size(); base != 0 && size > 0 {
		dontNeed(base, uintptr(size))
	}
}

// dontNeed drops the n bytes of the map from addr on (page aligned) from
// the process's mapping with madvise(MADV_DONTNEED). It cannot fail in a
// way the store could act on: at worst the pages stay resident.
func dontNeed(addr, n uintptr) {
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, addr, n, unix.MADV_DONTNEED)
}
