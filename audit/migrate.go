package audit

import (
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"strings"
)

// MigrateResult says what MigrateCheckpoints did.
type MigrateResult struct {
	// Migrated counts the legacy checkpoints re-signed as notes.
	Migrated int
	// Skipped counts those that already had a note of the same size.
	Skipped int
}

// MigrateCheckpoints re-signs every legacy (JSON) checkpoint in dir as a
// C2SP tlog-checkpoint note for origin, with the same size, position, root
// and time, and keeps it beside the JSON file, which stays. Each legacy
// checkpoint must verify under key's public key and its root must be the
// root of the log's first size events in x; otherwise nothing more is
// written and the error names the file. A size that already has a note is
// skipped.
func MigrateCheckpoints(dir string, key ed25519.PrivateKey, origin string, x *Index) (MigrateResult, error) {
	var res MigrateResult
	names, err := CheckpointFiles(dir)
	if err != nil {
		return res, err
	}
	notes := map[string]bool{}
	for _, n := range names {
		if strings.HasSuffix(n, noteSuffix) {
			notes[n[:20]] = true
		}
	}
	pub := key.Public().(ed25519.PublicKey)
	for _, n := range names {
		if !strings.HasSuffix(n, legacySuffix) {
			continue
		}
		if notes[n[:20]] {
			res.Skipped++
			continue
		}
		if err := migrateOne(filepath.Join(dir, n), dir, key, pub, origin, x); err != nil {
			return res, err
		}
		res.Migrated++
	}
	return res, nil
}

// migrateOne checks one legacy checkpoint and saves its note.
func migrateOne(path, dir string, key ed25519.PrivateKey, pub ed25519.PublicKey, origin string, x *Index) error {
	old, err := ReadCheckpoint(path)
	if err != nil {
		return err
	}
	if err := old.Verify(pub); err != nil {
		return fmt.Errorf("migrate %s: the key given did not sign it: %w", path, err)
	}
	root, err := x.Root(old.Size)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", path, err)
	}
	if root != old.Root || x.Head(old.Size) != old.Position {
		return fmt.Errorf("migrate %s: the log's first %d events hash to %s at position %d, the checkpoint says %s at %d: %w",
			path, old.Size, root, x.Head(old.Size), old.Root, old.Position, ErrBroken)
	}
	cp, err := SignNote(key, origin, old.Size, old.Position, old.Root, old.Time)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", path, err)
	}
	if _, err := SaveCheckpoint(dir, cp); err != nil {
		return fmt.Errorf("migrate %s: %w", path, err)
	}
	return nil
}
