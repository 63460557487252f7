package projections

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"taskledger/domain"
	"taskledger/eventstore"
)

// snapshotMagic opens every snapshot file and names its format. It changes
// whenever the file layout changes; a change in the shape of a model's state
// changes the shape its header records (stateShape) instead. A snapshot of
// another format or shape (older ones included) is not loaded and the model
// is rebuilt from the log.
//
// A snapshot file is: this line; a big-endian u32 n and n bytes of JSON
// header (snapshotHeader); the model's gob-encoded state; and 32 bytes of
// SHA-256 over everything before them.
const snapshotMagic = "taskledger-snapshot/5\n"

// snapshotHeader says what a snapshot stands on: the model and the log
// position and event hash of the last event it applied, so a snapshot left
// beside a different or rewritten log is detected and discarded.
type snapshotHeader struct {
	Model    string `json:"model"`
	Position uint64 `json:"position"`
	Hash     string `json:"event_hash"` // hex; empty at position 0
	// Shape names the shape of the model's state (stateShape).
	Shape string `json:"shape"`
}

// maxSnapshotHeader bounds the JSON header a reader accepts.
const maxSnapshotHeader = 1 << 16

// SaveSnapshot writes a model's state to dir/<name>.snap atomically: a
// crash leaves the previous snapshot or the new one, never a torn file. Call
// it from the goroutine that applies events to m, so that the header and the
// body describe the same position.
func SaveSnapshot(ctx context.Context, dir string, s eventstore.Store, m Model) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	hdr := snapshotHeader{Model: m.Name(), Position: m.Position(), Shape: stateShape(m.state())}
	if hdr.Position > 0 {
		h, err := hashAt(ctx, s, hdr.Position)
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", m.Name(), err)
		}
		hdr.Hash = hex.EncodeToString(h[:])
	}
	head, err := json.Marshal(hdr)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	final := filepath.Join(dir, m.Name()+".snap")
	tmp, err := os.CreateTemp(dir, m.Name()+".snap.*")
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	defer os.Remove(tmp.Name())
	sum := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(tmp, sum), 1<<16)
	w.WriteString(snapshotMagic)
	_ = binary.Write(w, binary.BigEndian, uint32(len(head)))
	w.Write(head)
	if err := m.encode(gob.NewEncoder(w)); err != nil {
		tmp.Close()
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	if _, err := tmp.Write(sum.Sum(nil)); err != nil {
		tmp.Close()
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// errNoSnapshot means there is no usable snapshot; the model starts empty.
var errNoSnapshot = errors.New("no usable snapshot")

// ErrSnapshotDiscarded matches a LoadSnapshot error for a snapshot that was
// there but does not hold: its checksum fails (a damaged or edited file), or
// the event it stands on is not in the log with that hash (a snapshot of
// another or rewritten log). The caller warns and rebuilds the model from
// the log; the file is left as it was (the next snapshot replaces it).
var ErrSnapshotDiscarded = fmt.Errorf("snapshot discarded: %w", errNoSnapshot)

// LoadSnapshot restores a model from dir/<name>.snap when the snapshot is of
// this format, its checksum holds and it matches the log. Otherwise it
// returns an error wrapping errNoSnapshot, with the reason: no file, or an
// older format (both expected: rebuild quietly), or ErrSnapshotDiscarded
// (warn, then rebuild). The model is then untouched, unless its own decoder
// fails part way, in which case the error is also ErrSnapshotDiscarded and
// the caller must rebuild from a fresh model.
func LoadSnapshot(ctx context.Context, dir string, s eventstore.Store, m Model) error {
	path := filepath.Join(dir, m.Name()+".snap")
	discard := func(format string, args ...any) error {
		return fmt.Errorf("%s: snapshot %s: %s: %w", m.Name(), path, fmt.Sprintf(format, args...), ErrSnapshotDiscarded)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", m.Name(), errNoSnapshot)
	}
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(f, magic); err != nil || string(magic) != snapshotMagic {
		return fmt.Errorf("%s: snapshot %s is not of format %q (an older snapshot?): %w", m.Name(), path, snapshotMagic[:len(snapshotMagic)-1], errNoSnapshot)
	}
	size := info.Size()
	if size < int64(len(snapshotMagic))+4+sha256.Size {
		return discard("%d bytes, too short: cut short", size)
	}
	// First pass: the checksum over everything before the last 32 bytes.
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	sum := sha256.New()
	if _, err := io.CopyN(sum, f, size-sha256.Size); err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	stored := make([]byte, sha256.Size)
	if _, err := io.ReadFull(f, stored); err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	if got := sum.Sum(nil); !bytes.Equal(got, stored) {
		return discard("checksum mismatch: the file hashes to %x, it says %x (damaged or edited)", got, stored)
	}
	// Second pass: the header, then the body.
	if _, err := f.Seek(int64(len(snapshotMagic)), io.SeekStart); err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	body := io.LimitReader(f, size-sha256.Size-int64(len(snapshotMagic)))
	var n uint32
	if err := binary.Read(body, binary.BigEndian, &n); err != nil || n > maxSnapshotHeader {
		return discard("unreadable header length")
	}
	raw := make([]byte, n)
	if _, err := io.ReadFull(body, raw); err != nil {
		return discard("unreadable header: %v", err)
	}
	var hdr snapshotHeader
	if err := json.Unmarshal(raw, &hdr); err != nil {
		return discard("unreadable header: %v", err)
	}
	if hdr.Model != m.Name() {
		return discard("a snapshot of model %q", hdr.Model)
	}
	if want := stateShape(m.state()); hdr.Shape != want {
		return fmt.Errorf("%s: snapshot %s holds the model's state in another shape (%q, this build's is %q: written by another version): %w", m.Name(), path, hdr.Shape, want, errNoSnapshot)
	}
	if hdr.Position > 0 {
		want, err := hex.DecodeString(hdr.Hash)
		if err != nil || len(want) != len(domain.Hash{}) {
			return discard("event hash %q is not a hash", hdr.Hash)
		}
		h, err := hashAt(ctx, s, hdr.Position)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("snapshot %s: %w", m.Name(), err)
			}
			return discard("it stands on position %d, which the log does not hold (%v)", hdr.Position, err)
		}
		if !bytes.Equal(h[:], want) {
			return discard("it stands on event %s at position %d, the log holds %s there", hdr.Hash, hdr.Position, h)
		}
	}
	if err := decodeModel(m, gob.NewDecoder(bufio.NewReaderSize(body, 1<<16))); err != nil {
		return discard("unreadable state: %v", err)
	}
	if m.Position() != hdr.Position {
		return discard("the state is at position %d, the header says %d", m.Position(), hdr.Position)
	}
	return nil
}

// decodeModel runs m's decoder, turning a panic on a malformed body into an
// error.
func decodeModel(m Model, dec *gob.Decoder) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decoder panicked: %v", r)
		}
	}()
	return m.decode(dec)
}

// hashAt returns the hash of the event at a log position.
func hashAt(ctx context.Context, s eventstore.Store, pos uint64) (domain.Hash, error) {
	evs, err := s.ReadAll(ctx, pos-1, 1)
	if err != nil {
		return domain.Hash{}, err
	}
	if len(evs) == 0 || evs[0].Position != pos {
		return domain.Hash{}, fmt.Errorf("no event at position %d", pos)
	}
	return evs[0].Hash, nil
}
