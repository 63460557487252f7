package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strings"

	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
)

// bootIDPath is where Linux names the current boot.
const bootIDPath = "/proc/sys/kernel/random/boot_id"

// readBootID returns the current boot's ID, or "" where the system has none.
func readBootID() string {
	b, err := os.ReadFile(bootIDPath)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// streamTip is what verifyFile has seen of a stream so far.
type streamTip struct {
	version   uint64
	hash      domain.Hash
	positions []uint64
}

// verifyFile reads every record of the ledger file and checks that it
// holds together: each event's hash, each stream's versions and chain, and
// the stream index as of the position it is complete up to. It is what
// recovery runs when the journal comes from an earlier boot.
func (s *Store) verifyFile() error {
	return s.viewTx(func(tx *bbolt.Tx, ov *overlay) error {
		if err := s.readSegSize(tx); err != nil {
			return err
		}
		v, err := s.view(tx, ov, true)
		if err != nil {
			return err
		}
		indexed, n := binary.Uvarint(tx.Bucket(bucketMeta).Get(keyIndexed))
		if n <= 0 || indexed > v.head {
			return fmt.Errorf("%w: indexed position", errCorrupt)
		}
		names := tx.Bucket(bucketNames)
		r := newLogReader(v, newNameTable().snapshot(names))
		tips := map[string]*streamTip{}
		if indexed == 0 {
			if err := checkIndex(tx, tips); err != nil {
				return err
			}
		}
		var e domain.Event
		for p := uint64(1); p <= v.head; p++ {
			if p == 1 {
				if err := r.seek(1); err != nil {
					return err
				}
			}
			if err := r.next(&e); err != nil {
				return err
			}
			if err := e.Verify(); err != nil {
				return fmt.Errorf("%w: position %d: %v", errCorrupt, p, err)
			}
			t := tips[e.Stream]
			if t == nil {
				t = &streamTip{}
				tips[e.Stream] = t
			}
			if e.Version != t.version+1 || e.PrevHash != t.hash {
				return fmt.Errorf("%w: position %d is version %d of %s after version %d, or does not chain to it", errCorrupt, p, e.Version, e.Stream, t.version)
			}
			t.version, t.hash, t.positions = e.Version, e.Hash, append(t.positions, p)
			if p == indexed {
				if err := checkIndex(tx, tips); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// readSegSize sets the store's segment size from the file's meta.
func (s *Store) readSegSize(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	seg, n := binary.Uvarint(meta.Get(keySegSize))
	if n <= 0 || seg < 16 {
		return fmt.Errorf("%w: segment size", errCorrupt)
	}
	s.segSize = seg
	return nil
}

// checkIndex checks that the streams bucket holds exactly tips: every
// stream's last version, position and hash, and its version→position
// chunks.
func checkIndex(tx *bbolt.Tx, tips map[string]*streamTip) error {
	names, streams := tx.Bucket(bucketNames), tx.Bucket(bucketStreams)
	seen := 0
	c := names.Cursor()
	prefix := []byte{kindStream}
	for k, name := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, name = c.Next() {
		if len(k) != 5 {
			return fmt.Errorf("%w: name key %x", errCorrupt, k)
		}
		sid := binary.BigEndian.Uint32(k[1:])
		st, ok, err := getStreamState(streams, sid)
		if err != nil {
			return err
		}
		t := tips[string(name)]
		if t == nil {
			if ok {
				return fmt.Errorf("%w: the stream index holds %s, which the log does not yet", errCorrupt, name)
			}
			continue
		}
		seen++
		if !ok || st.version != t.version || st.lastHash != t.hash || st.lastPos != t.positions[len(t.positions)-1] {
			return fmt.Errorf("%w: the stream index disagrees with the log about %s", errCorrupt, name)
		}
		pos, err := streamPositions(streams, sid, 1, t.version)
		if err != nil {
			return err
		}
		if !slices.Equal(pos, t.positions) {
			return fmt.Errorf("%w: the stream index's positions of %s disagree with the log", errCorrupt, name)
		}
	}
	if seen != len(tips) {
		return fmt.Errorf("%w: the log holds %d streams the stream index lacks", errCorrupt, len(tips)-seen)
	}
	return nil
}
