package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/internal/atomicfile"
)

// CheckpointFile is the name of the projector's checkpoint in a runner's
// snapshot folder.
const CheckpointFile = "projector.checkpoint"

// checkpointFormat changes whenever the checkpoint file changes shape.
const checkpointFormat = 1

// checkpointRecord is the checkpoint file's content.
type checkpointRecord struct {
	Format int `json:"format"`
	// Position is the log position up to which the snapshots written with
	// this checkpoint hold every model's state.
	Position uint64 `json:"position"`
	// Hash is the hash of the event at Position, so a checkpoint left beside
	// a different or rewritten log is detected and ignored.
	Hash domain.Hash `json:"hash"`
}

// SaveCheckpoint records, atomically, that the projector has applied every
// event up to position and that the models' snapshots in dir hold that
// state. A runner calls it only after writing those snapshots, so the
// checkpoint never claims a position the snapshots do not cover.
func SaveCheckpoint(ctx context.Context, dir string, s eventstore.Store, position uint64) error {
	rec := checkpointRecord{Format: checkpointFormat, Position: position}
	if position > 0 {
		h, err := hashAt(ctx, s, position)
		if err != nil {
			return fmt.Errorf("projector checkpoint %d: %w", position, err)
		}
		rec.Hash = h
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("projector checkpoint %d: %w", position, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("projector checkpoint %d: %w", position, err)
	}
	if err := atomicfile.Write(filepath.Join(dir, CheckpointFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("projector checkpoint %d: %w", position, err)
	}
	return nil
}

// errNoCheckpoint means there is no usable checkpoint; the projector resumes
// from its models' own positions.
var errNoCheckpoint = errors.New("no usable projector checkpoint")

// LoadCheckpoint returns the position recorded in dir's checkpoint when the
// file is of this format and the event at that position still has the hash
// it recorded. Otherwise it returns an error naming why; the projector then
// resumes from its models' own positions.
func LoadCheckpoint(ctx context.Context, dir string, s eventstore.Store) (uint64, error) {
	path := filepath.Join(dir, CheckpointFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("%s: %w", path, errNoCheckpoint)
	}
	if err != nil {
		return 0, fmt.Errorf("read projector checkpoint: %w", err)
	}
	var rec checkpointRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return 0, fmt.Errorf("%s: unreadable (%v): %w", path, err, errNoCheckpoint)
	}
	if rec.Format != checkpointFormat {
		return 0, fmt.Errorf("%s: format %d: %w", path, rec.Format, errNoCheckpoint)
	}
	if rec.Position > 0 {
		h, err := hashAt(ctx, s, rec.Position)
		if err != nil || h != rec.Hash {
			return 0, fmt.Errorf("%s: position %d does not match the log: %w", path, rec.Position, errNoCheckpoint)
		}
	}
	return rec.Position, nil
}
