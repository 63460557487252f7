package bolt

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/storetest"
)

// journalCase is a ledger file that lags behind its journal, as a writer
// killed between syncing a group's journal frame and bbolt's commit of it
// leaves them (and, many groups behind, as a machine that stopped before
// the page cache reached the disk does).
type journalCase struct {
	dir, path string
	before    int            // events in the lagging file
	all       []domain.Event // every acknowledged event, in log order
	file      []byte         // the lagging ledger file
	journal   []byte         // the journal holding every group since it opened
}

// newJournalCase appends 20 events, reopens, snapshots the file, appends
// 40 more (new streams, a new type and actor among them, so that frames
// carry names), and returns the snapshot with the journal as it stood.
func newJournalCase(t *testing.T) journalCase {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	src := filepath.Join(t.TempDir(), FileName)
	s := openTest(t, src, Options{segmentSize: 300, indexEvery: 7})
	c := journalCase{before: 20}
	add := func(s *Store, i int) {
		e := event(rng, i, 150+rng.IntN(300))
		if i >= c.before && i%5 == 0 {
			e.Type, e.Actor = "CompletionClaimed", fmt.Sprintf("new-actor-%d", i)
		}
		res, err := s.Append(ctx, fmt.Sprintf("stream-%d", i%(3+i/10)), eventstore.Any(), []domain.Event{e})
		if err != nil {
			t.Fatal(err)
		}
		c.all = append(c.all, res.Events...)
	}
	for i := range c.before {
		add(s, i)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// No checkpoint at rest while the case is made: the journal must keep
	// every group since the snapshot.
	s = openTest(t, src, Options{segmentSize: 300, indexEvery: 7, journalSyncAfter: time.Hour})
	err := s.db.View(func(tx *bbolt.Tx) error {
		var b bytesWriter
		_, err := tx.WriteTo(&b)
		c.file = b.b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := c.before; i < 60; i++ {
		add(s, i)
	}
	if c.journal, err = os.ReadFile(src + JournalSuffix); err != nil {
		t.Fatal(err)
	}
	// The journal ends in zeros it was extended with: keep only its frames,
	// so that tests can add what a crash leaves after the last one.
	c.journal = c.journal[:s.journal.size]
	c.dir = t.TempDir()
	c.path = filepath.Join(c.dir, FileName)
	write(t, c.path, c.file)
	write(t, c.path+JournalSuffix, c.journal)
	return c
}

type bytesWriter struct{ b []byte }

func (w *bytesWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// checkHolds checks that the store holds exactly want, intact, and that
// every stream reads back in order.
func checkHolds(t *testing.T, s *Store, want []domain.Event) {
	t.Helper()
	ctx := context.Background()
	got, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("the store holds %d events, want %d", len(got), len(want))
	}
	streams := map[string][]domain.Event{}
	for i, e := range got {
		w := want[i]
		if e.ID != w.ID || e.Hash != w.Hash || e.Position != w.Position || e.Actor != w.Actor || e.Type != w.Type {
			t.Fatalf("event %d: got %s %s at %d, want %s %s at %d", i, e.ID, e.Hash, e.Position, w.ID, w.Hash, w.Position)
		}
		if err := e.Verify(); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		streams[e.Stream] = append(streams[e.Stream], e)
	}
	for name, evs := range streams {
		read, err := s.ReadStream(ctx, name, eventstore.Forwards, 1, 0)
		if err != nil || len(read) != len(evs) {
			t.Fatalf("stream %s: %d events, %v; the log holds %d", name, len(read), err, len(evs))
		}
		for i := range read {
			if read[i].ID != evs[i].ID {
				t.Fatalf("stream %s version %d differs from the log", name, i+1)
			}
		}
	}
}

// TestJournalRecovery: opening a ledger file that lacks groups its journal
// holds applies them — names, checkpoints and records — so that every
// acknowledged event reads back intact, streams continue, the next append
// goes on from there, and a clean close leaves the file alone.
func TestJournalRecovery(t *testing.T) {
	c := newJournalCase(t)
	s, err := Open(c.path, Options{segmentSize: 300, indexEvery: 7})
	if err != nil {
		t.Fatal(err)
	}
	checkHolds(t, s, c.all)
	ctx := context.Background()
	last := c.all[len(c.all)-1]
	res, err := s.Append(ctx, last.Stream, eventstore.Exact(last.Version), []domain.Event{event(rand.New(rand.NewPCG(9, 9)), 99, 200)})
	if err != nil || res.Position != uint64(len(c.all)+1) {
		t.Fatalf("append after recovery: %+v, %v", res, err)
	}
	// A retried append from before the crash is still a duplicate.
	if res, err := s.Append(ctx, last.Stream, eventstore.Any(), []domain.Event{last}); err != nil || !res.Duplicate {
		t.Fatalf("retry of an acknowledged append after recovery: %+v, %v", res, err)
	}
	all := append(slices.Clone(c.all), res.Events...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, c.dir); !slices.Equal(got, []string{FileName}) {
		t.Fatalf("a closed ledger left %v", got)
	}
	s = openTest(t, c.path, Options{ReadOnly: true})
	checkHolds(t, s, all)
}

// TestJournalTornTail: a last frame cut short or garbled by a crash during
// its write belongs to a group that was never acknowledged: it is dropped,
// and everything before it applied.
func TestJournalTornTail(t *testing.T) {
	for name, damage := range map[string]func(j []byte) []byte{
		"header cut":  func(j []byte) []byte { return append(j, 0, 0, 1) },
		"body cut":    func(j []byte) []byte { return append(j, 0, 0, 0, 40, 1, 2, 3, 4, 5, 6) },
		"bad sum":     func(j []byte) []byte { return append(j, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6) },
		"zeroed tail": func(j []byte) []byte { return append(j, make([]byte, 4096)...) },
		"body cut in the zeros": func(j []byte) []byte {
			return append(append(j, 0, 0, 0, 40, 1, 2, 3, 4, 5, 6), make([]byte, 4096)...)
		},
	} {
		t.Run(name, func(t *testing.T) {
			c := newJournalCase(t)
			write(t, c.path+JournalSuffix, damage(c.journal))
			s := openTest(t, c.path, Options{segmentSize: 300, indexEvery: 7})
			checkHolds(t, s, c.all)
		})
	}
}

// TestJournalDamaged: a journal whose frames are damaged before its end,
// or that does not continue the ledger file, is refused by every kind of
// open with an error matching eventstore.ErrDamaged and naming it; both
// files are left byte-identical. A read-only open of a ledger whose
// journal holds groups its file lacks is refused with ErrJournalPending.
func TestJournalDamaged(t *testing.T) {
	c := newJournalCase(t)
	for name, j := range map[string][]byte{
		"flipped byte in the first frame": func() []byte {
			j := slices.Clone(c.journal)
			j[journalHeaderSize+journalFrameHeader+3] ^= 0x40
			return j
		}(),
		"a frame missing": func() []byte {
			_, f, err := readJournal(c.path + JournalSuffix)
			if err != nil || len(f) < 3 {
				t.Fatalf("journal frames: %d, %v", len(f), err)
			}
			first := journalHeaderSize + journalFrameHeader + len(f[0])
			second := first + journalFrameHeader + len(f[1])
			return append(slices.Clone(c.journal[:first]), c.journal[second:]...)
		}(),
		"a length past the end, whole frames after it": func() []byte {
			_, f, err := readJournal(c.path + JournalSuffix)
			if err != nil || len(f) < 3 {
				t.Fatalf("journal frames: %d, %v", len(f), err)
			}
			j := slices.Clone(c.journal)
			second := journalHeaderSize + journalFrameHeader + len(f[0])
			binary.BigEndian.PutUint32(j[second:], uint32(len(j))) // runs past the end
			return j
		}(),
		"an impossible length": slices.Concat(c.journal[:journalHeaderSize], []byte{0xff, 0xff, 0xff, 0xff}, c.journal[journalHeaderSize:]),
		"a foreign header":     append([]byte("not a journal\n"), c.journal...),
	} {
		t.Run(name, func(t *testing.T) {
			write(t, c.path, c.file)
			write(t, c.path+JournalSuffix, j)
			fileSum, journalSum := sum(t, c.path), sum(t, c.path+JournalSuffix)
			for _, o := range []Options{{}, {MustExist: true}, {ReadOnly: true}} {
				s, err := Open(c.path, o)
				if err == nil {
					_ = s.Close()
					t.Fatalf("%+v: a damaged journal was opened", o)
				}
				if !errors.Is(err, eventstore.ErrDamaged) || !strings.Contains(err.Error(), JournalSuffix) {
					t.Fatalf("%+v: %v, want ErrDamaged naming the journal", o, err)
				}
				if sum(t, c.path) != fileSum || sum(t, c.path+JournalSuffix) != journalSum {
					t.Fatalf("%+v: refusing changed the files", o)
				}
			}
		})
	}
	t.Run("read-only with groups pending", func(t *testing.T) {
		write(t, c.path, c.file)
		write(t, c.path+JournalSuffix, c.journal)
		fileSum, journalSum := sum(t, c.path), sum(t, c.path+JournalSuffix)
		s, err := Open(c.path, Options{ReadOnly: true})
		if err == nil {
			_ = s.Close()
			t.Fatal("a read-only open ignored the journal")
		}
		if !errors.Is(err, ErrJournalPending) || errors.Is(err, eventstore.ErrDamaged) {
			t.Fatalf("read-only open: %v, want ErrJournalPending", err)
		}
		if sum(t, c.path) != fileSum || sum(t, c.path+JournalSuffix) != journalSum {
			t.Fatal("the read-only open changed the files")
		}
	})
}

// TestFormat2KeepsOpening: a ledger made in format 2 (bbolt syncing its own
// commits) opens, takes appends and stays format 2 with no journal, also
// when opened with Options.Journal; a new ledger with it is format 4.
func TestFormat2KeepsOpening(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 6))
	old, fresh := filepath.Join(dir, "old.db"), filepath.Join(dir, "new.db")
	for _, p := range []struct {
		path string
		opts Options
	}{{old, Options{NoJournal: true}}, {old, Options{}}, {fresh, Options{}}} {
		s := openTest(t, p.path, p.opts)
		if _, err := s.Append(ctx, "stream", eventstore.Any(), []domain.Event{event(rng, 1, 200)}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(p.path + JournalSuffix); (err == nil) != (p.path == fresh) {
			t.Fatalf("%s: journal present: %v", p.path, err == nil)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]string{old: formatV2, fresh: formatV4} {
		err := bboltView(t, path, func(meta *bbolt.Bucket) {
			if got := string(meta.Get(keyFormat)); got != want {
				t.Errorf("%s: format %q, want %q", path, got, want)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestJournalAfterMachineStop: when the journal was written in another
// boot of the machine, recovery first checks the whole file (against a
// disk that lost writes, and journals of format 3's first design, whose
// bbolt pages were not synced per group): an intact one is
// recovered as usual, one that does not hold together is refused as
// damaged and both files are left as they were.
func TestJournalAfterMachineStop(t *testing.T) {
	c := newJournalCase(t)
	opts := Options{segmentSize: 300, indexEvery: 7, bootID: "another-boot"}
	s, err := Open(c.path, opts)
	if err != nil {
		t.Fatalf("an intact file after a machine stop: %v", err)
	}
	checkHolds(t, s, c.all)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	write(t, c.path, c.file)
	write(t, c.path+JournalSuffix, c.journal)
	db, err := bbolt.Open(c.path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		tail := slices.Clone(meta.Get(keyTail))
		tail[len(tail)-3] ^= 0x01 // in the payload of the file's last event
		return meta.Put(keyTail, tail)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	fileSum, journalSum := sum(t, c.path), sum(t, c.path+JournalSuffix)
	for _, o := range []Options{opts, {ReadOnly: true, bootID: "another-boot"}} {
		if s, err := Open(c.path, o); err == nil {
			_ = s.Close()
			t.Fatalf("%+v: a file that does not hold together was opened after a machine stop", o)
		} else if !errors.Is(err, eventstore.ErrDamaged) || !strings.Contains(err.Error(), "machine stopped") {
			t.Fatalf("%+v: %v, want ErrDamaged saying the machine stopped", o, err)
		}
		if sum(t, c.path) != fileSum || sum(t, c.path+JournalSuffix) != journalSum {
			t.Fatalf("%+v: refusing changed the files", o)
		}
	}
}

// TestContractJournalCheckpoints runs the contract on a format 3 ledger
// whose committer checkpoints every few groups (a 2 KiB journal limit).
func TestContractJournalCheckpoints(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, err := Open(filepath.Join(t.TempDir(), "ledger.db"), Options{journalLimit: 2 << 10, indexEvery: 5})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, storetest.DensePositions())
}

// TestJournalByteFlips flips bytes all over a journal whose file lags
// behind it: every open either refuses it as damaged, leaving both files as
// they were, or holds a prefix of the acknowledged log — only the last
// frame may be dropped, as a torn write — in which every event verifies.
// It never holds an event that was not appended.
func TestJournalByteFlips(t *testing.T) {
	c := newJournalCase(t)
	_, frames, err := readJournal(c.path + JournalSuffix)
	if err != nil {
		t.Fatal(err)
	}
	lastFrame, _ := decodeJournalFrame(frames[len(frames)-1])
	atLeast := len(c.all) - int(lastFrame.count)
	step := max(1, len(c.journal)/150)
	refused, opened := 0, 0
	for off := 0; off < len(c.journal); off += step {
		j := slices.Clone(c.journal)
		j[off] ^= 0x5a
		write(t, c.path, c.file)
		write(t, c.path+JournalSuffix, j)
		fileSum, journalSum := sum(t, c.path), sum(t, c.path+JournalSuffix)
		s, err := Open(c.path, Options{segmentSize: 300, indexEvery: 7})
		if err != nil {
			refused++
			if !errors.Is(err, eventstore.ErrDamaged) {
				t.Fatalf("flip at %d: refused, but not as damaged: %v", off, err)
			}
			if sum(t, c.path) != fileSum || sum(t, c.path+JournalSuffix) != journalSum {
				t.Fatalf("flip at %d: refusing changed the files", off)
			}
			continue
		}
		opened++
		got, err := s.ReadAll(context.Background(), 0, 0)
		if err != nil {
			t.Fatalf("flip at %d: %v", off, err)
		}
		if len(got) < atLeast || len(got) > len(c.all) {
			t.Fatalf("flip at %d: %d events, want %d to %d", off, len(got), atLeast, len(c.all))
		}
		checkHolds(t, s, c.all[:len(got)])
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d opens refused, %d succeeded", refused, opened)
}

// TestJournalSyncsAtRest: a second (here 20 ms) after a group, with no
// further appends, the committer syncs the file and empties the journal,
// so that a ledger at rest has nothing left unsynced; the events stay.
func TestJournalSyncsAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s := openTest(t, path, Options{journalSyncAfter: 20 * time.Millisecond})
	// Each checkpoint waits for the test to have looked at the journal
	// after its append: on a loaded machine more than 20 ms could pass
	// between the append and that look, and the journal be empty already.
	gate, over := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(over) }) // runs before openTest's Close
	s.beforeCheckpointWrite = func() {
		select {
		case <-gate:
		case <-over:
		}
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(11, 12))
	var all []domain.Event
	for round := range 2 {
		res, err := s.Append(ctx, "stream", eventstore.Any(), []domain.Event{event(rng, round, 200)})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, res.Events...)
		if size := fileSize(t, path+JournalSuffix); size <= journalHeaderSize {
			t.Fatalf("round %d: the journal holds %d bytes right after an append", round, size)
		}
		// The committer, at rest, begins a checkpoint by itself.
		select {
		case gate <- struct{}{}:
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: no checkpoint began at rest", round)
		}
		deadline := time.Now().Add(30 * time.Second)
		for fileSize(t, path+JournalSuffix) != journalHeaderSize {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the journal was not emptied at rest", round)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	checkHolds(t, s, all)
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// TestJournalLeavesFileUntilCheckpoint: between checkpoints a format 3
// writer does not touch its ledger file — so a machine that stops can only
// find the file as the last checkpoint synced it — while every group it
// acknowledges reads back at once (whole log, streams, scans) and, with the
// file as it stands and the journal, survives a machine stop.
func TestJournalLeavesFileUntilCheckpoint(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(21, 22))
	path := filepath.Join(t.TempDir(), FileName)
	opts := Options{segmentSize: 300, indexEvery: 7, journalSyncAfter: time.Hour}
	s := openTest(t, path, opts)
	var all []domain.Event
	add := func(i int) {
		t.Helper()
		e := event(rng, i, 100+rng.IntN(400))
		if i%7 == 0 {
			e.Type, e.Actor = fmt.Sprintf("Type%d", i), fmt.Sprintf("actor-%d", i)
		}
		res, err := s.Append(ctx, fmt.Sprintf("stream-%d", i%(2+i/9)), eventstore.Any(), []domain.Event{e})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, res.Events...)
	}
	for i := range 15 {
		add(i)
	}
	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	fileSum := sum(t, path)
	for i := 15; i < 90; i++ {
		add(i)
		if i%10 == 0 {
			checkHolds(t, s, all)
		}
	}
	checkHolds(t, s, all)
	var scanned int
	if err := s.ScanAll(ctx, 0, func(e *domain.Event) error {
		if e.ID != all[scanned].ID || e.Verify() != nil {
			return fmt.Errorf("scan at %d: not the event appended there", e.Position)
		}
		scanned++
		return nil
	}); err != nil || scanned != len(all) {
		t.Fatalf("scan: %d events, %v; want %d", scanned, err, len(all))
	}
	if sum(t, path) != fileSum {
		t.Fatal("the ledger file changed between checkpoints")
	}

	// A machine stop now leaves the file as it is and the journal's frames.
	stopped := filepath.Join(t.TempDir(), FileName)
	copyFile(t, path, stopped)
	copyFile(t, path+JournalSuffix, stopped+JournalSuffix)
	after := openTest(t, stopped, Options{bootID: "the-next-boot"})
	checkHolds(t, after, all)

	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	if sum(t, path) == fileSum {
		t.Fatal("a checkpoint left the ledger file as it was")
	}
	checkHolds(t, s, all)
}

// TestJournalReadsAcrossCheckpoints: readers that run while writers append
// and the committer checkpoints every few groups always find a whole,
// ordered prefix of the log, and every stream in order.
func TestJournalReadsAcrossCheckpoints(t *testing.T) {
	for name, opts := range map[string]Options{
		// The committer checkpoints before it goes on, every 3 KiB of journal.
		"at the journal's limit": {segmentSize: 300, indexEvery: 11, journalLimit: 3 << 10},
		// Checkpoints run in the background, one after the other.
		"in the background": {segmentSize: 300, indexEvery: 11, journalSyncAfter: time.Millisecond},
	} {
		t.Run(name, func(t *testing.T) { readsAcrossCheckpoints(t, opts) })
	}
}

func readsAcrossCheckpoints(t *testing.T, opts Options) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s := openTest(t, path, opts)
	const writers, perWriter = 4, 60
	done := make(chan error, writers)
	for w := range writers {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(w), 5))
			for i := range perWriter {
				e := event(rng, w*1000+i, 80+rng.IntN(200))
				if _, err := s.Append(ctx, fmt.Sprintf("w%d-%d", w, i%3), eventstore.Any(), []domain.Event{e}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	readErr := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		ctx := context.Background()
		for {
			select {
			case <-stop:
				readErr <- nil
				return
			default:
			}
			head, _ := s.Head(ctx)
			got, err := s.ReadAll(ctx, 0, 0)
			if err != nil || uint64(len(got)) < head {
				readErr <- fmt.Errorf("read all: %d events with head %d before: %v", len(got), head, err)
				return
			}
			for i, e := range got {
				if e.Position != uint64(i+1) || e.Verify() != nil {
					readErr <- fmt.Errorf("read all: event %d is at position %d or does not verify", i, e.Position)
					return
				}
			}
			for _, name := range []string{"w0-1", "w3-2"} {
				evs, err := s.ReadStream(ctx, name, eventstore.Forwards, 1, 0)
				if errors.Is(err, eventstore.ErrStreamNotFound) {
					continue
				}
				for i, e := range evs {
					if err != nil || e.Version != uint64(i+1) || e.Stream != name {
						readErr <- fmt.Errorf("read %s: version %d at %d: %v", name, e.Version, i, err)
						return
					}
				}
			}
		}
	}()
	for range writers {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	if s.commits.Load() < 10 {
		t.Fatalf("only %d commits: the test did not cross checkpoints", s.commits.Load())
	}
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil || len(all) != writers*perWriter {
		t.Fatalf("read all: %d events, %v", len(all), err)
	}
	checkHolds(t, s, all)
	s.idxMu.RLock()
	indexed := s.indexed
	s.idxMu.RUnlock()
	if indexed == 0 {
		t.Fatal("no checkpoint wrote the stream index")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkHolds(t, openTest(t, path, opts), all)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	write(t, to, b)
}

// TestAppendsGoOnWhileACheckpointWrites: a checkpoint writes the file in
// the background; appends are acknowledged and readable meanwhile, and
// once it is over the file holds what it took, the journal keeps the
// groups committed since (the stream index too, which it wrote), and a
// machine stop then loses nothing.
func TestAppendsGoOnWhileACheckpointWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s := openTest(t, path, Options{segmentSize: 300, indexEvery: 7, journalSyncAfter: 5 * time.Millisecond})
	// The first checkpoint waits for release; the next one, which begins
	// after the first has ended, says so and waits until the test is over.
	started, release := make(chan struct{}), make(chan struct{})
	firstOver, over := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(over) })
	calls := 0
	s.beforeCheckpointWrite = func() {
		calls++
		switch calls {
		case 1:
			close(started)
			<-release
		case 2:
			close(firstOver)
			<-over
		}
	}
	rng := rand.New(rand.NewPCG(31, 32))
	var all []domain.Event
	add := func(i int) error {
		res, err := s.Append(ctx, fmt.Sprintf("stream-%d", i%5), eventstore.Any(), []domain.Event{event(rng, i, 100+rng.IntN(300))})
		all = append(all, res.Events...)
		return err
	}
	for i := range 20 {
		if err := add(i); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("no checkpoint began")
	}
	appended := make(chan error, 1)
	go func() {
		for i := 20; i < 60; i++ {
			if err := add(i); err != nil {
				appended <- err
				return
			}
		}
		appended <- nil
	}()
	select {
	case err := <-appended:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("appends waited for the checkpoint to write the file")
	}
	checkHolds(t, s, all)
	close(release)
	select {
	case <-firstOver:
	case <-time.After(10 * time.Second):
		t.Fatal("no second checkpoint began")
	}
	checkHolds(t, s, all)

	// The file holds the checkpoint's groups, the journal all 60: a copy of
	// both, as a machine stop leaves them, opens with every event.
	stopped := filepath.Join(t.TempDir(), FileName)
	copyFile(t, path, stopped)
	copyFile(t, path+JournalSuffix, stopped+JournalSuffix)
	s.commitMu.Lock()
	fileHead := s.w.fileHead
	s.commitMu.Unlock()
	// The file holds part of the log; the journal the rest, no more.
	_, raw, err := readJournal(stopped + JournalSuffix)
	if err != nil || len(raw) == 0 || fileHead == 0 {
		t.Fatalf("journal: %d frames (%v), file head %d; want both part of the log", len(raw), err, fileHead)
	}
	first, err := decodeJournalFrame(raw[0])
	if err != nil || first.from != fileHead || fileHead+uint64(len(raw)) != uint64(len(all)) {
		t.Fatalf("journal: %d frames from position %d (%v); the file ends at %d, the log at %d", len(raw), first.from, err, fileHead, len(all))
	}
	after := openTest(t, stopped, Options{bootID: "the-next-boot"})
	checkHolds(t, after, all)
}

// TestOpenRemovesAnUnfinishedJournal: a replacement journal that a crash
// left before it was renamed over the journal is not read, and is removed
// when the ledger opens for writing.
func TestOpenRemovesAnUnfinishedJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s := openTest(t, path, Options{})
	ctx := context.Background()
	res, err := s.Append(ctx, "stream-0", eventstore.Any(), []domain.Event{event(rand.New(rand.NewPCG(1, 2)), 0, 200)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	next := path + JournalSuffix + journalNextSuffix
	if err := os.WriteFile(next, []byte("taskledger-journal/1\ncut short by a crash"), 0o600); err != nil {
		t.Fatal(err)
	}
	again := openTest(t, path, Options{})
	checkHolds(t, again, res.Events)
	if _, err := os.Stat(next); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the unfinished journal is still there (%v)", err)
	}
}

// TestCheckpointEmptiesTheJournal: Checkpoint, called while writers append,
// leaves every group acknowledged before it in the ledger file, so the
// file alone (no journal beside it) holds them; on a ledger without a
// journal it has nothing to do, and on a closed store it says so.
func TestCheckpointEmptiesTheJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s := openTest(t, path, Options{journalSyncAfter: time.Hour})
	var (
		mu    sync.Mutex
		acked []domain.Event
		wg    sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 31))
			for i := range 50 {
				res, err := s.Append(ctx, fmt.Sprintf("stream-%d-%d", w, i%5), eventstore.Any(), []domain.Event{event(rng, i, 200)})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, res.Events...)
				mu.Unlock()
			}
		}()
	}
	for range 5 {
		if err := s.Checkpoint(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	mu.Lock()
	before := append([]domain.Event(nil), acked...)
	mu.Unlock()
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + JournalSuffix); err != nil || fi.Size() > journalHeaderSize {
		t.Fatalf("journal after Checkpoint: %v, %v; want its header alone", fi, err)
	}
	fileOnly := filepath.Join(t.TempDir(), FileName)
	copyFile(t, path, fileOnly)
	slices.SortFunc(before, func(a, b domain.Event) int { return cmp.Compare(a.Position, b.Position) })
	checkHolds(t, openTest(t, fileOnly, Options{bootID: "the-next-boot"}), before)

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("Checkpoint on a closed store: %v, want ErrClosed", err)
	}
	if err := openTest(t, filepath.Join(t.TempDir(), FileName), Options{NoJournal: true}).Checkpoint(); err != nil {
		t.Fatalf("Checkpoint without a journal: %v", err)
	}
}

// TestReplacedJournalsAreClosed: a checkpoint replaces the journal with a
// new file and closes the replaced one's handles once it has let go of
// the commit lock, so the process holds no deleted journal (and no disk
// space behind it) after checkpoints in the background and called.
func TestReplacedJournalsAreClosed(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd here to list the open files:", err)
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s := openTest(t, path, Options{journalSyncAfter: 5 * time.Millisecond})
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 40 {
		if _, err := s.Append(ctx, fmt.Sprintf("stream-%d", i%3), eventstore.Any(), []domain.Event{event(rng, i, 200)}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // checkpoints begin and end among the appends
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(deletedJournals(t, path)) > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if held := deletedJournals(t, path); len(held) > 0 {
		t.Fatalf("after background checkpoints the process still holds replaced journals: %v", held)
	}
	for i := range 3 {
		if _, err := s.Append(ctx, "stream-0", eventstore.Any(), []domain.Event{event(rng, i, 200)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Checkpoint(); err != nil {
			t.Fatal(err)
		}
		if held := deletedJournals(t, path); len(held) > 0 {
			t.Fatalf("after Checkpoint returned the process still holds replaced journals: %v", held)
		}
	}
}

// deletedJournals lists the process's open files that are the ledger at
// path's journal, replaced since they were opened.
func deletedJournals(t *testing.T, path string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var held []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, path+JournalSuffix) && strings.HasSuffix(target, "(deleted)") {
			held = append(held, target)
		}
	}
	return held
}

// A stream read while a group is committed and a checkpoint writes it,
// with the stream index, to the file just before the read's transaction
// begins reads every event: the file is never ahead of the overlay the
// read goes by (once, this failed with "read position 16: log head is
// 15").
func TestReadStreamWhileACheckpointLandsBeforeIt(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), FileName), Options{NoSync: true, indexEvery: 1})
	rng := rand.New(rand.NewPCG(23, 24))
	for i := range 15 {
		if _, err := s.Append(ctx, "contended", eventstore.Exact(uint64(i)), []domain.Event{event(rng, i, 100)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.checkpoint(); err != nil {
		t.Fatal(err)
	}
	hookErr := make(chan error, 1)
	hook := func() {
		_, err := s.Append(ctx, "contended", eventstore.Exact(15), []domain.Event{event(rng, 15, 100)})
		if err == nil {
			err = s.checkpoint()
		}
		hookErr <- err
	}
	s.beforeView.Store(&hook)
	got, err := s.ReadStream(ctx, "contended", eventstore.Forwards, 0, 0)
	if err := <-hookErr; err != nil {
		t.Fatal(err)
	}
	if err != nil || len(got) != 16 {
		t.Fatalf("read %d events of 16: %v", len(got), err)
	}
}
