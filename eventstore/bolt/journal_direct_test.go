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
		// Zero a piece ahead, not a chunk: each step reads both files
		// whole, and the race detector counts every byte read.
		j.ahead = journalPiece
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
// the page cache land byte for byte where the same frames written through
// it do (followed by zeros, however many each has added so far), and read
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
		// Each journal zeroes ahead of its frames in its own time: the
		// zeros past the frames may differ in length, nothing else.
		if !bytes.Equal(a[:min(len(a), int(direct.size))], b[:min(len(b), int(cached.size))]) || !allZeros(a[min(len(a), int(direct.size)):]) || !allZeros(b[min(len(b), int(cached.size)):]) {
			t.Fatalf("%s: the journal written directly (%d bytes, frames ending at %d) differs from the one written through the cache (%d bytes, frames ending at %d)", step, len(a), direct.size, len(b), cached.size)
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

// allZeros reports whether b holds only zeros.
func allZeros(b []byte) bool { return bytes.Equal(b, make([]byte, len(b))) }

// TestJournalZeroesAheadOfItsFrames: a journal zeroes the file ahead of
// its frames in the background, so that a frame finds zeros where it lands
// instead of extending the file itself; frames written while it does, and
// a journal cut back, emptied or replaced while it does, read back as the
// frames written, with only zeros after them.
func TestJournalZeroesAheadOfItsFrames(t *testing.T) {
	for _, name := range []string{"direct", "cached"} {
		t.Run(name, func(t *testing.T) {
			direct, cached := journalTwins(t, t.TempDir())
			j := map[string]*journal{"direct": direct, "cached": cached}[name]
			body := bytes.Repeat([]byte("frame"), 200)
			var want [][]byte
			write := func(n int) {
				t.Helper()
				for range n {
					if err := j.write(body); err != nil {
						t.Fatal(err)
					}
					want = append(want, body)
				}
			}
			readBack := func(step string) {
				t.Helper()
				j.stopGrowing()
				data, err := os.ReadFile(j.path)
				if err != nil {
					t.Fatal(err)
				}
				if int64(len(data)) < j.size {
					t.Fatalf("%s: the file holds %d bytes, its frames end at %d", step, len(data), j.size)
				}
				if !allZeros(data[j.size:]) {
					t.Fatalf("%s: bytes other than zeros follow the frames", step)
				}
				_, frames, err := readJournal(j.path)
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				if len(frames) != len(want) {
					t.Fatalf("%s: %d frames read back, want %d", step, len(frames), len(want))
				}
			}

			write(1)
			g := j.grow
			if g == nil {
				t.Fatal("the first frame started no zeroing ahead of the frames")
			}
			<-g.done
			write(1) // takes the zeros the growth made ready
			if ahead := j.alloc - j.size; ahead < j.ahead {
				t.Fatalf("%d bytes of zeros ready ahead of the frames once the growth ended, want at least %d", ahead, journalChunk)
			}
			readBack("after the first frame")

			// Past several growths: each frame lands on zeros the growth
			// made ready, and the growth keeps ahead.
			write(3 * int(j.ahead) / len(body))
			readBack("after three growths of frames")
			if ahead := j.alloc - j.size; ahead <= 0 {
				t.Fatalf("no zeros ahead of the frames after three growths (alloc %d, size %d)", j.alloc, j.size)
			}

			write(10)
			if err := j.undo(j.size - int64(journalFrameHeader+len(body))); err != nil {
				t.Fatal(err)
			}
			want = want[:len(want)-1]
			write(10)
			readBack("after a frame cut back")

			keepAt := j.size
			write(5)
			if err := j.keepFrom(keepAt); err != nil {
				t.Fatal(err)
			}
			want = want[len(want)-5:]
			write(10)
			readBack("after the journal was replaced by its last frames")

			if err := j.reset(); err != nil {
				t.Fatal(err)
			}
			want = nil
			write(10)
			readBack("after the journal was emptied")
		})
	}
}
