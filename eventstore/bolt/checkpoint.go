package bolt

import (
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// journalLimit is the journal's size that makes the committer checkpoint,
// and so empty the journal, before it commits again (when no checkpoint is
// running; one that is cuts the journal when it ends). It bounds the
// journal on disk and the work of recovery after a crash.
const journalLimit = 64 << 20

// journalSyncAfter is how long after the first group since the last
// checkpoint the committer checkpoints again, whatever the journal's size:
// a ledger at rest then has its file synced, out of reach of a machine
// stop, a second after its last append.
const journalSyncAfter = time.Second

// checkpointJob is one checkpoint: what the file gets (the overlay as it
// was when the checkpoint began, the names interned by its groups and,
// when the stream index is due, the recent versions up to its head) and
// the channel closed when it is over.
type checkpointJob struct {
	ov    *overlay
	names []journalName
	// recent is the recent versions to write to the stream index (nil:
	// not due), and recentEvents how many events they hold.
	recent       map[uint32]*recentStream
	recentEvents int
	// journalSize is the journal's size when the checkpoint began: the
	// frames of its groups end there.
	journalSize int64
	done        chan struct{}
}

// checkpointDue starts a checkpoint in the background when the journal
// holds groups the file lacks and none is running (the committer runs it
// when journalSyncAfter has passed, holding commitMu).
func (s *Store) checkpointDue() {
	job := s.beginCheckpoint()
	if job == nil {
		return
	}
	go func() {
		err := s.writeCheckpoint(job)
		s.commitMu.Lock()
		defer s.unlockCommit()
		s.endCheckpoint(job, err)
	}()
}

// Checkpoint writes every group committed before the call into the ledger
// file and empties the journal, which the store otherwise does on its own
// a second after an append or when the journal reaches 64 MiB. After it
// the file alone holds the ledger: its size is the ledger's size on disk.
// A ledger without a journal (format 2) or opened read-only has nothing to
// write, and Checkpoint returns nil. Appends may go on meanwhile; those
// committed after the call may wait for the next checkpoint.
func (s *Store) Checkpoint() error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.exit()
	return s.checkpoint()
}

// checkpoint runs a checkpoint now, after the one running, if any: when it
// returns, the file holds every group committed before the call. The
// caller does not hold commitMu; checkpoint lets go of it while it waits
// for a checkpoint running in the background.
func (s *Store) checkpoint() error {
	s.commitMu.Lock()
	defer s.unlockCommit()
	for s.ckpt != nil {
		done := s.ckpt.done
		s.unlockCommit()
		<-done
		s.commitMu.Lock()
	}
	if s.w.broken != nil {
		return s.w.broken
	}
	return s.checkpointNow()
}

// unlockCommit lets go of commitMu, then closes the journal files a
// checkpoint replaced while it was held (see journal.retired): every
// holder of commitMu lets go of it this way.
func (s *Store) unlockCommit() {
	retired := s.journal.takeRetired()
	s.commitMu.Unlock()
	closeFiles(retired)
}

// checkpointNow runs a checkpoint in the caller, which holds commitMu while
// none runs in the background, and returns its error.
func (s *Store) checkpointNow() error {
	job := s.beginCheckpoint()
	if job == nil {
		return nil
	}
	err := s.writeCheckpoint(job)
	s.endCheckpoint(job, err)
	return err
}

// armCheckpoint starts the timer that makes the next checkpoint due
// syncAfter from now, unless it runs already or the journal holds no group.
// The caller holds commitMu.
func (s *Store) armCheckpoint() {
	if !s.syncArmed && s.journal != nil && s.journal.size > journalHeaderSize {
		s.syncTimer.Reset(s.syncAfter)
		s.syncArmed = true
	}
}

// beginCheckpoint takes what a checkpoint writes, as the groups committed
// so far leave it, or returns nil when there is nothing to write or a
// checkpoint is running already. The caller holds commitMu; appends go on
// while the checkpoint writes, and the names they intern wait for the next.
func (s *Store) beginCheckpoint() *checkpointJob {
	if s.journal == nil || s.w.broken != nil || s.ckpt != nil {
		return nil
	}
	ov := s.ov.Load()
	if ov.empty(s.w.fileHead) {
		return nil
	}
	job := &checkpointJob{ov: ov, names: s.w.fileNames, journalSize: s.journal.size, done: make(chan struct{})}
	s.w.fileNames = nil
	if s.w.recentEvents >= s.indexEvery {
		s.idxMu.RLock()
		job.recent, job.recentEvents = maps.Clone(s.recent), s.w.recentEvents
		s.idxMu.RUnlock()
	}
	s.ckpt = job
	return job
}

// writeCheckpoint writes the job's overlay to the ledger file, and the
// stream index when it is due, in one synced bbolt commit. It does not
// need commitMu: the committer of a format 3 ledger only reads the file.
func (s *Store) writeCheckpoint(job *checkpointJob) error {
	if s.beforeCheckpointWrite != nil {
		s.beforeCheckpointWrite()
	}
	err := s.updateTx(func(tx *bbolt.Tx) error {
		if err := writeOverlay(tx, job.ov, job.names); err != nil {
			return err
		}
		if job.recent == nil {
			return nil
		}
		return flushRecent(tx.Bucket(bucketStreams), tx.Bucket(bucketMeta), job.recent, job.ov.head)
	})
	if err != nil {
		return fmt.Errorf("bolt: checkpoint %s: write the groups since the last one to the file: %w", s.path, err)
	}
	return nil
}

// endCheckpoint publishes what a checkpoint wrote, or breaks the store when
// it failed. The file now holds the job's groups: the overlay keeps only
// those committed since it began, and so does the recent stream index when
// the checkpoint wrote the index. The journal keeps only the frames of the
// groups committed since it began (none: it is emptied), and when there are
// some, the next checkpoint is due a second from now. The caller holds
// commitMu.
func (s *Store) endCheckpoint(job *checkpointJob, err error) {
	defer close(job.done)
	s.ckpt = nil
	if err != nil {
		s.w.broken = fmt.Errorf("%w; reopen the ledger", err)
		return
	}
	cur := s.ov.Load()
	s.ov.Store(cur.after(job.ov, s.segSize))
	s.w.fileHead = job.ov.head
	if job.recent != nil {
		s.idxMu.Lock()
		s.recent = recentAfter(s.recent, job.recent)
		s.indexed, s.w.recentEvents = job.ov.head, s.w.recentEvents-job.recentEvents
		s.idxMu.Unlock()
	}
	if err := s.journal.keepFrom(job.journalSize); err != nil {
		s.w.broken = fmt.Errorf("bolt: checkpoint %s: %w; reopen the ledger", s.path, err)
		return
	}
	s.armCheckpoint() // for the groups committed since the job began
}

// openJournal starts a format 3 ledger's journal for writing: recovery has
// applied and synced what it held, so it starts empty, and so does the
// overlay over the file.
func (s *Store) openJournal() error {
	if !s.journaled || s.readOnly {
		return nil
	}
	j, err := openJournal(s.journalPath())
	if err != nil {
		return fmt.Errorf("bolt: %s: %w", s.path, err)
	}
	j.noSync, j.bootID = s.noSync, s.bootID
	if err := j.reset(); err != nil {
		_ = j.close()
		return fmt.Errorf("bolt: %s: %w", s.path, err)
	}
	// The journal's directory entry must be durable before any frame in
	// it counts as durable.
	if !s.noSync {
		if err := syncDir(filepath.Dir(s.path)); err != nil {
			_ = j.close()
			return fmt.Errorf("bolt: %s: sync the directory of the journal: %w", s.path, err)
		}
	}
	s.journal = j
	s.ov.Store(newOverlay(s.w.head, s.w.logLen, s.segSize, s.w.tail))
	s.w.fileHead = s.w.head
	return nil
}

// closeJournal checkpoints, closes and removes the journal, once the
// committer has stopped: a cleanly closed ledger is its file alone, and the
// journal exists only while a writer has the ledger open.
func (s *Store) closeJournal() error {
	if s.journal == nil {
		return nil
	}
	err := s.checkpoint()
	if cerr := s.journal.close(); err == nil && cerr != nil {
		err = fmt.Errorf("bolt: close the journal of %s: %w", s.path, cerr)
	}
	if err == nil {
		if rerr := os.Remove(s.journal.path); rerr != nil {
			err = fmt.Errorf("bolt: remove the emptied journal of %s: %w", s.path, rerr)
		}
	}
	return err
}

// writeOverlay writes ov's segments and checkpoints, the names interned
// since the file's head, and the log's state into tx.
func writeOverlay(tx *bbolt.Tx, ov *overlay, names []journalName) error {
	log, pidx, nb, meta := tx.Bucket(bucketLog), tx.Bucket(bucketPidx), tx.Bucket(bucketNames), tx.Bucket(bucketMeta)
	log.FillPercent, pidx.FillPercent, nb.FillPercent = 1.0, 1.0, 1.0
	for i, seg := range ov.segs {
		if err := log.Put(u64Key(ov.baseSeg+uint64(i)), seg); err != nil {
			return fmt.Errorf("write log segment: %w", err)
		}
	}
	for i, off := range ov.ckpts {
		if err := pidx.Put(u64Key(ov.baseCkpt+uint64(i)), binary.AppendUvarint(nil, off)); err != nil {
			return fmt.Errorf("write checkpoint: %w", err)
		}
	}
	for _, n := range names {
		if err := nb.Put(nameKey(n.kind, n.id), []byte(n.value)); err != nil {
			return fmt.Errorf("write name: %w", err)
		}
	}
	return putLogState(meta, ov.head, ov.logLen, ov.tail)
}

// syncDir syncs a directory, making the entries made in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
