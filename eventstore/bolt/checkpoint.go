package bolt

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// journalLimit is the journal's size that makes the committer checkpoint:
// sync the ledger file, then empty the journal. It bounds the journal on
// disk and the work of recovery after a crash.
const journalLimit = 64 << 20

// journalSyncAfter is how long after the first group since the last
// checkpoint the committer checkpoints again, whatever the journal's size:
// a ledger at rest then has its file synced, out of reach of a machine
// stop, a second after its last append.
const journalSyncAfter = time.Second

// checkpointDue checkpoints when the journal holds groups (the committer
// runs it when journalSyncAfter has passed); a failure stops appends, as a
// failed checkpoint after a commit does.
func (s *Store) checkpointDue() {
	if s.journal == nil || s.w.broken != nil || s.journal.size <= journalHeaderSize {
		return
	}
	if err := s.checkpoint(); err != nil {
		s.w.broken = fmt.Errorf("%w; reopen the ledger", err)
	}
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

// checkpoint writes the overlay to the ledger file in one synced bbolt
// commit, after which the file holds every group the journal does, then
// empties the journal and the overlay. The committer runs it.
func (s *Store) checkpoint() error {
	ov := s.ov.Load()
	if ov.empty(s.w.fileHead) {
		return nil
	}
	var idx *writer
	err := s.updateTx(func(tx *bbolt.Tx) error {
		if err := writeOverlay(tx, ov, s.w.fileNames); err != nil {
			return err
		}
		if s.w.recentEvents < s.indexEvery {
			return nil
		}
		idx = &writer{s: s, streams: tx.Bucket(bucketStreams), meta: tx.Bucket(bucketMeta), v: logView{head: ov.head}}
		return idx.flushIndex()
	})
	if err != nil {
		return fmt.Errorf("bolt: checkpoint %s: write the groups since the last one to the file: %w", s.path, err)
	}
	s.ov.Store(newOverlay(ov.head, ov.logLen, s.segSize, ov.tail))
	s.w.fileHead, s.w.fileNames = ov.head, nil
	if idx != nil && idx.flushed {
		s.idxMu.Lock()
		s.recent, s.indexed, s.w.recentEvents = map[uint32]*recentStream{}, ov.head, 0
		s.idxMu.Unlock()
	}
	if err := s.journal.reset(); err != nil {
		return fmt.Errorf("bolt: checkpoint %s: %w", s.path, err)
	}
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
