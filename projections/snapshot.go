package projections

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"taskledger/domain"
	"taskledger/eventstore"
)

// snapshotFormat changes whenever a model's encoded state changes shape; a
// snapshot of another format is ignored and the model rebuilt from the log.
const snapshotFormat = 3

type snapshotHeader struct {
	Format int
	Model  string
	// Position and Hash identify the last applied event, so a snapshot left
	// beside a different or rewritten log is detected and ignored.
	Position uint64
	Hash     domain.Hash
}

// SaveSnapshot writes a model's state to dir/<name>.snap atomically: a
// crash leaves the previous snapshot or the new one, never a torn file. Call
// it from the goroutine that applies events to m, so that the header and the
// body describe the same position.
func SaveSnapshot(ctx context.Context, dir string, s eventstore.Store, m Model) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	hdr := snapshotHeader{Format: snapshotFormat, Model: m.Name(), Position: m.Position()}
	if hdr.Position > 0 {
		h, err := hashAt(ctx, s, hdr.Position)
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", m.Name(), err)
		}
		hdr.Hash = h
	}
	final := filepath.Join(dir, m.Name()+".snap")
	tmp, err := os.CreateTemp(dir, m.Name()+".snap.*")
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	defer os.Remove(tmp.Name())
	enc := gob.NewEncoder(tmp)
	if err := enc.Encode(hdr); err != nil {
		tmp.Close()
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	if err := m.encode(enc); err != nil {
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

// LoadSnapshot restores a model from dir/<name>.snap when the snapshot is of
// this format and matches the log. It returns errNoSnapshot (wrapped, with
// the reason) when the model must be rebuilt from the log instead; the model
// is then untouched.
func LoadSnapshot(ctx context.Context, dir string, s eventstore.Store, m Model) error {
	f, err := os.Open(filepath.Join(dir, m.Name()+".snap"))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", m.Name(), errNoSnapshot)
	}
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", m.Name(), err)
	}
	defer f.Close()
	dec := gob.NewDecoder(f)
	var hdr snapshotHeader
	if err := dec.Decode(&hdr); err != nil {
		return fmt.Errorf("%s: unreadable header (%v): %w", m.Name(), err, errNoSnapshot)
	}
	if hdr.Format != snapshotFormat || hdr.Model != m.Name() {
		return fmt.Errorf("%s: snapshot format %d of %q: %w", m.Name(), hdr.Format, hdr.Model, errNoSnapshot)
	}
	if hdr.Position > 0 {
		h, err := hashAt(ctx, s, hdr.Position)
		if err != nil || h != hdr.Hash {
			return fmt.Errorf("%s: snapshot at position %d does not match the log: %w", m.Name(), hdr.Position, errNoSnapshot)
		}
	}
	if err := m.decode(dec); err != nil {
		return fmt.Errorf("%s: %v: %w", m.Name(), err, errNoSnapshot)
	}
	return nil
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
