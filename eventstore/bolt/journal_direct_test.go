package bolt

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// journalTwins opens two journals in dir, both syncing: one writing its
// frames past the page cache and one through it.
func journalTwins(t *testing.T, dir string) (direct, cached *journal) {
	t.Helper()
	open := func(name string) *journal {
		j, err := openJournal(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = j.close() })
		j.bootID = "boot"
		if err := j.reset(); err != nil {
			t.Fatal(err)
		}
		return j
	}
	direct, cached = open("direct"), open("cached")
	if direct.direct == nil {
		t.Skipf("the file system of %s refuses O_DIRECT: the journal writes through the page cache there, as every other test checks", dir)
	}
	cached.closeDirect()
	return direct, cached
}

// TestDirectJournalWritesWhatTheCachedOneWrites: frames of every size,
// from a few bytes to several blocks and past a mebibyte, written past
// the page cache land
// byte for byte where the same frames written through it do, and read
// back as the frames written, also after the journal is cut back to a
// frame's end, emptied, or replaced by its last frames (what an aborted
// commit and a checkpoint do).
func TestDirectJournalWritesWhatTheCachedOneWrites(t *testing.T) {
	dir := t.TempDir()
	direct, cached := journalTwins(t, dir)
	rng := rand.New(rand.NewPCG(11, 12))
	var want [][]byte
	var ends []int64 // each frame's end in the journal
	same := func(step string) {
		t.Helper()
		a, err := os.ReadFile(direct.path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(cached.path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: the journal written directly (%d bytes) differs from the one written through the cache (%d bytes)", step, len(a), len(b))
		}
		_, frames, err := readJournal(direct.path)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if len(frames) != len(want) {
			t.Fatalf("%s: %d frames read back, want %d", step, len(frames), len(want))
		}
		for i := range frames {
			if !bytes.Equal(frames[i], want[i]) {
				t.Fatalf("%s: frame %d reads back changed", step, i)
			}
		}
	}
	both := func(step string, f func(j *journal) error) {
		t.Helper()
		for _, j := range []*journal{direct, cached} {
			if err := f(j); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
		}
	}
	// endOf is where the journal's first k frames end.
	endOf := func(k int) int64 {
		if k == 0 {
			return journalHeaderSize
		}
		return ends[k-1]
	}
	for round := range 250 {
		switch op := rng.IntN(40); {
		case op == 0 && len(want) > 0:
			keep := rng.IntN(len(want))
			at := endOf(keep)
			both("cut back", func(j *journal) error { return j.undo(at) })
			want, ends = want[:keep], ends[:keep]
		case op == 1:
			both("empty", func(j *journal) error { return j.reset() })
			want, ends = nil, nil
		case op == 2 && len(want) > 0:
			from := rng.IntN(len(want))
			at := endOf(from)
			both("keep the last frames", func(j *journal) error { return j.keepFrom(at) })
			want = want[from:]
			ends = ends[:0]
			end := int64(journalHeaderSize)
			for _, f := range want {
				end += journalFrameHeader + int64(len(f))
				ends = append(ends, end)
			}
		default:
			size := 1 + rng.IntN([]int{16, directBlock, 4 * directBlock}[rng.IntN(3)])
			if op == 3 {
				size = maxKeptBuffer + 1 + rng.IntN(directBlock) // a large import's group
			}
			body := make([]byte, size)
			for i := range body {
				body[i] = byte(rng.Uint32())
			}
			both("write", func(j *journal) error { return j.write(body) })
			want = append(want, body)
			ends = append(ends, direct.size)
		}
		same(fmt.Sprintf("round %d", round))
	}
	if direct.direct == nil || direct.direct.tailAt < 0 {
		t.Fatal("the journal stopped writing past the page cache")
	}
}

// TestJournalWritesThroughTheCacheWhenDirectWritesAreRefused: a direct
// write the file system refuses (here one not aligned to its blocks) is
// written through the page cache instead, and so is every frame after it.
func TestJournalWritesThroughTheCacheWhenDirectWritesAreRefused(t *testing.T) {
	j, _ := journalTwins(t, t.TempDir())
	j.direct.block = 1 // frames written where they begin, unaligned
	frames := [][]byte{[]byte("first group"), []byte("second group")}
	for _, f := range frames {
		if err := j.write(f); err != nil {
			t.Fatal(err)
		}
	}
	if j.direct != nil {
		t.Skipf("the file system of %s takes unaligned direct writes: nothing was refused", j.path)
	}
	_, got, err := readJournal(j.path)
	if err != nil || len(got) != 2 || !bytes.Equal(got[0], frames[0]) || !bytes.Equal(got[1], frames[1]) {
		t.Fatalf("read back %q, %v; want the two frames written", got, err)
	}
}
