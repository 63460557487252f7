package audit

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestNoteCheckpointRoundTrip(t *testing.T) {
	pub, priv := testKey(t)
	root := LeafHash(Hash{1})
	at := time.Date(2025, 6, 1, 8, 30, 0, 123, time.UTC)
	cp, err := SignNote(priv, "ledger.example/a", 42, 99, root, at)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := cp.Marshal()
	t.Logf("\n%s", b)
	if !bytes.HasPrefix(b, []byte("ledger.example/a\n42\n")) || !bytes.Contains(b, []byte("\n\n— ledger.example/a ")) {
		t.Fatalf("not a tlog-checkpoint note:\n%s", b)
	}
	got, err := ParseCheckpoint(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != 42 || got.Position != 99 || got.Root != root || !got.Time.Equal(at) || got.Origin != "ledger.example/a" {
		t.Fatalf("parsed %+v", got)
	}
	if err := got.Verify(pub); err != nil {
		t.Fatal(err)
	}
	otherPub, _ := testKey(t)
	if err := got.Verify(otherPub); !errors.Is(err, ErrSignature) {
		t.Fatalf("another key: %v", err)
	}
	forged, err := ParseCheckpoint(bytes.Replace(b, []byte("\n42\n"), []byte("\n43\n"), 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := forged.Verify(pub); !errors.Is(err, ErrSignature) {
		t.Fatalf("a changed size verifies: %v", err)
	}
	for _, bad := range []string{"", "a b", "a+b", "a\nb"} {
		if _, err := SignNote(priv, bad, 1, 1, root, at); !errors.Is(err, ErrOrigin) {
			t.Errorf("origin %q: %v", bad, err)
		}
	}
	vkey, _ := VerifierKey("ledger.example/a", pub)
	if got, err := ParseVerifierKey(vkey); err != nil || !got.Equal(pub) {
		t.Fatalf("ParseVerifierKey(%q): %v", vkey, err)
	}
	// Keys whose base64 holds '+' (most do, among many).
	for i := range 40 {
		p, _, _ := ed25519.GenerateKey(nil)
		v, _ := VerifierKey("ledger.example/a", p)
		if got, err := ParseVerifierKey(v); err != nil || !got.Equal(p) {
			t.Fatalf("key %d, ParseVerifierKey(%q): %v", i, v, err)
		}
	}
	for _, bad := range []string{"", "ledger.example/a", vkey[:len(vkey)-4], strings.Replace(vkey, "+", "+0", 1)} {
		if _, err := ParseVerifierKey(bad); err == nil {
			t.Errorf("ParseVerifierKey(%q) accepted", bad)
		}
	}
	if _, err := ParseCheckpoint([]byte("ledger\n42\n")); err == nil {
		t.Fatal("a note without signatures parses")
	}
}

// TestLegacyCheckpointsMigrate: a legacy JSON checkpoint is still read and
// verified, and MigrateCheckpoints re-signs it as a note that
// LatestCheckpoint then prefers; a legacy checkpoint whose root is not the
// log's is refused.
func TestLegacyCheckpointsMigrate(t *testing.T) {
	pub, priv := testKey(t)
	var x Index
	for i := range 10 {
		x.tree.Append(LeafHash(Hash{byte(i)}))
		x.positions = append(x.positions, uint64(i+1))
	}
	dir := t.TempDir()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, n := range []uint64{4, 10} {
		r, _ := x.Root(n)
		if _, err := SaveCheckpoint(dir, Sign(priv, n, n, r, at)); err != nil {
			t.Fatal(err)
		}
	}
	legacy, err := LatestCheckpoint(dir)
	if err != nil || legacy.Format != CheckpointFormat || legacy.Size != 10 || legacy.Verify(pub) != nil {
		t.Fatalf("legacy latest: %+v %v", legacy, err)
	}
	res, err := MigrateCheckpoints(dir, priv, "ledger.example/a", &x)
	if err != nil || res.Migrated != 2 || res.Skipped != 0 {
		t.Fatalf("migrate: %+v %v", res, err)
	}
	cp, err := LatestCheckpoint(dir)
	if err != nil || cp.Format != NoteFormat || cp.Size != 10 || cp.Root != legacy.Root || !cp.Time.Equal(at) || cp.Verify(pub) != nil {
		t.Fatalf("latest after migrate: %+v %v", cp, err)
	}
	if res, err := MigrateCheckpoints(dir, priv, "ledger.example/a", &x); err != nil || res.Migrated != 0 || res.Skipped != 2 {
		t.Fatalf("second migrate: %+v %v", res, err)
	}
	if files, _ := CheckpointFiles(dir); len(files) != 4 || !strings.HasSuffix(files[3], ".checkpoint") {
		t.Fatalf("files: %v", files)
	}

	bad := t.TempDir()
	if _, err := SaveCheckpoint(bad, Sign(priv, 5, 5, LeafHash(Hash{9}), at)); err != nil {
		t.Fatal(err)
	}
	if _, err := MigrateCheckpoints(bad, priv, "ledger.example/a", &x); !errors.Is(err, ErrBroken) {
		t.Fatalf("a checkpoint of another log migrates: %v", err)
	}
	if files, _ := os.ReadDir(bad); len(files) != 1 {
		t.Fatalf("a refused migration wrote %d files", len(files))
	}
	wrongKey := t.TempDir()
	r4, _ := x.Root(4)
	if _, err := SaveCheckpoint(wrongKey, Sign(priv, 4, 4, r4, at)); err != nil {
		t.Fatal(err)
	}
	_, other := testKey(t)
	if _, err := MigrateCheckpoints(wrongKey, other, "ledger.example/a", &x); !errors.Is(err, ErrSignature) {
		t.Fatalf("migrated with a key that did not sign it: %v", err)
	}
}
