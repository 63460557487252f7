package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"
)

// ErrJournalPending is returned by a read-only Open of a format 3 ledger
// whose journal holds acknowledged groups the ledger file lacks (the last
// writer stopped before bbolt wrote them): opening the ledger once for
// writing applies them.
var ErrJournalPending = errors.New("the ledger's journal holds events its file lacks")

// journalPath is the journal's path beside the ledger file.
func (s *Store) journalPath() string { return s.path + JournalSuffix }

// recoverJournal applies to a format 3 ledger file the groups its journal
// holds beyond the file's head, in one bbolt transaction, and syncs the
// file. Groups the file already holds are skipped. A journal that does not
// continue the file, or whose frames are damaged, is refused and nothing is
// written; so is a file that does not hold together after the machine
// stopped (the journal comes from another boot). Files of other formats
// are left to init.
func (s *Store) recoverJournal() error {
	var format string
	err := s.viewTx(func(tx *bbolt.Tx, ov *overlay) error {
		if meta := tx.Bucket(bucketMeta); meta != nil {
			format = string(meta.Get(keyFormat))
		}
		return nil
	})
	if err != nil || format != formatV3 && format != formatV4 {
		return err
	}
	bootID, frames, err := s.loadJournal()
	if err != nil || len(frames) == 0 {
		// Without frames the file holds every acknowledged group.
		return err
	}
	if bootID == "" || bootID != s.bootID {
		// The machine stopped while a writer had the ledger open. The
		// file changes only by synced commits, so it should be whole;
		// check it before trusting it, against a disk that lost writes
		// it had acknowledged (and a journal written by the first design
		// of format 3, whose bbolt pages were not synced per group).
		if err := s.verifyFile(); err != nil {
			return &DamagedError{Path: s.path, Problem: fmt.Sprintf(
				"the machine stopped while the ledger was open for writing (journal boot ID %q, now %q) and the file does not hold together: %v",
				bootID, s.bootID, err)}
		}
	}
	if s.readOnly {
		return s.refusePending(frames)
	}
	applied := false
	err = s.updateTx(func(tx *bbolt.Tx) error {
		var err error
		applied, err = s.applyFrames(tx, s.journalPath(), frames)
		return err
	})
	if err != nil || !applied {
		return err
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("bolt: sync %s after applying its journal: %w", s.path, err)
	}
	return nil
}

// loadJournal reads and decodes the journal's frames and checks that each
// follows the one before; damage is a *DamagedError naming the journal.
func (s *Store) loadJournal() (string, []journalFrame, error) {
	jpath := s.journalPath()
	bootID, raw, err := readJournal(jpath)
	if err != nil {
		return "", nil, &DamagedError{Path: jpath, Problem: err.Error()}
	}
	frames := make([]journalFrame, len(raw))
	for i, b := range raw {
		if frames[i], err = decodeJournalFrame(b); err != nil {
			return "", nil, &DamagedError{Path: jpath, Problem: fmt.Sprintf("frame %d: %v", i+1, err)}
		}
		if i == 0 {
			continue
		}
		if prev, f := frames[i-1], frames[i]; f.from != prev.from+prev.count || f.logLen != prev.logLen+uint64(len(prev.log)) {
			return "", nil, &DamagedError{Path: jpath, Problem: fmt.Sprintf(
				"frame %d starts at position %d (log length %d), not where frame %d ends", i+1, f.from, f.logLen, i)}
		}
	}
	return bootID, frames, nil
}

// refusePending refuses a read-only open when the journal holds groups the
// file lacks: applying them would write.
func (s *Store) refusePending(frames []journalFrame) error {
	var head uint64
	err := s.viewTx(func(tx *bbolt.Tx, ov *overlay) error {
		head, _ = binary.Uvarint(tx.Bucket(bucketMeta).Get(keyState))
		return nil
	})
	if err != nil {
		return err
	}
	if last := frames[len(frames)-1]; last.from+last.count > head {
		return fmt.Errorf("bolt: open %s read-only: %w (positions %d–%d); open it once for writing to apply them", s.path, ErrJournalPending, head+1, last.from+last.count)
	}
	return nil
}

// applyFrames writes the frames beyond the file's head into tx.
func (s *Store) applyFrames(tx *bbolt.Tx, jpath string, frames []journalFrame) (bool, error) {
	meta := tx.Bucket(bucketMeta)
	if err := s.readSegSize(tx); err != nil {
		return false, err
	}
	seg := s.segSize
	v, err := s.view(tx, nil, false)
	if err != nil {
		return false, err
	}
	if v.log == nil || v.pidx == nil || tx.Bucket(bucketNames) == nil {
		return false, fmt.Errorf("%w: buckets missing", errCorrupt)
	}
	w := &writer{v: *v, names: tx.Bucket(bucketNames), meta: meta}
	w.v.tail = append(make([]byte, 0, seg), v.tail...)
	w.v.log.FillPercent, w.v.pidx.FillPercent, w.names.FillPercent = 1.0, 1.0, 1.0
	applied := false
	for i, f := range frames {
		if f.from+f.count <= w.v.head {
			continue // the file has this group already
		}
		if f.from != w.v.head || f.logLen != w.v.logLen {
			return false, &DamagedError{Path: jpath, Problem: fmt.Sprintf(
				"frame %d continues position %d (log length %d) but the ledger file ends at position %d (log length %d)",
				i+1, f.from, f.logLen, w.v.head, w.v.logLen)}
		}
		if err := w.replayFrame(f); err != nil {
			return false, &DamagedError{Path: jpath, Problem: fmt.Sprintf("frame %d: %v", i+1, err)}
		}
		applied = true
	}
	if !applied {
		return false, nil
	}
	if err := putLogState(meta, w.v.head, w.v.logLen, w.v.tail); err != nil {
		return false, err
	}
	return true, nil
}

// replayFrame writes one journal frame's names, checkpoints and log bytes.
func (w *writer) replayFrame(f journalFrame) error {
	for _, n := range f.names {
		key := nameKey(n.kind, n.id)
		if old := w.names.Get(key); old != nil {
			if string(old) != n.value {
				return fmt.Errorf("name %c%d is %q in the file and %q in the journal", n.kind, n.id, old, n.value)
			}
			continue
		}
		if err := w.names.Put(key, []byte(n.value)); err != nil {
			return fmt.Errorf("write name: %w", err)
		}
	}
	p := w.v.head + 1
	for off := uint64(0); off < uint64(len(f.log)); p++ {
		if (p-1)%checkpointEvery == 0 {
			if err := w.v.pidx.Put(u64Key((p-1)/checkpointEvery), binary.AppendUvarint(nil, w.v.logLen+off)); err != nil {
				return fmt.Errorf("write checkpoint: %w", err)
			}
		}
		n, k := binary.Uvarint(f.log[off:])
		if k <= 0 || n > uint64(len(f.log))-off-uint64(k) {
			return fmt.Errorf("record at position %d runs past the frame's end", p)
		}
		off += uint64(k) + n
	}
	if got := p - 1 - w.v.head; got != f.count {
		return fmt.Errorf("holds %d records, its header says %d", got, f.count)
	}
	if err := w.appendBytes(f.log); err != nil {
		return err
	}
	w.v.head += f.count
	return nil
}
