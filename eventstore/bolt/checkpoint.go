package bolt

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
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
// applied and synced what it held, so it starts empty, and bbolt stops
// syncing its own commits.
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
	s.db.NoSync = true
	return nil
}

// checkpoint syncs the ledger file, which then holds every group the
// journal does, and empties the journal. The committer runs it.
func (s *Store) checkpoint() error {
	if !s.noSync {
		if err := s.db.Sync(); err != nil {
			return fmt.Errorf("bolt: checkpoint %s: sync the ledger file: %w", s.path, err)
		}
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
