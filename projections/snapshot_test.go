package projections_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/projections"
)

// TestSnapshotIntegrity: a snapshot whose checksum fails, that stands on an
// event the log does not hold with that hash, of an older format, or whose
// state has another shape (written by a version whose model state differs),
// is not restored; the model is left empty for a rebuild, the damaged ones are
// reported as ErrSnapshotDiscarded with what is wrong, and the file is left
// byte-identical.
func TestSnapshotIntegrity(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	scenario(t, s)
	built, err := projections.BuildAt(ctx, s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	m := built.Obligations
	dir := t.TempDir()
	if err := projections.SaveSnapshot(ctx, dir, s, m); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, m.Name()+".snap")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := memory.New()
	scenario(t, other) // same shape, other event IDs and hashes

	// reseal recomputes the trailing checksum, as a careful forger would.
	reseal := func(b []byte) []byte {
		body := b[:len(b)-sha256.Size]
		s := sha256.Sum256(body)
		return append(bytes.Clone(body), s[:]...)
	}
	hdrEnd := len("taskledger-snapshot/5\n") + 4 + int(binary.BigEndian.Uint32(good[len("taskledger-snapshot/5\n"):]))
	cases := []struct {
		name      string
		file      []byte
		log       func() *memory.Store
		discarded bool   // ErrSnapshotDiscarded, else only "no usable snapshot"
		says      string // in the error
	}{
		{"BodyByteFlipped", flip(good, len(good)/2), nil, true, "checksum mismatch"},
		{"ChecksumByteFlipped", flip(good, len(good)-1), nil, true, "checksum mismatch"},
		{"HeaderByteFlipped", flip(good, hdrEnd-3), nil, true, "checksum mismatch"},
		{"CutShort", good[:len(good)-100], nil, true, "checksum mismatch"},
		{"CutToTheMagic", good[:len("taskledger-snapshot/5\n")+2], nil, true, "too short"},
		{"ForgedEventHash", reseal(forgeDigit(good, `"event_hash":"`)), nil, true, "the log holds"},
		{"ForgedPosition", reseal(forgeDigit(good, `"position":`)), nil, true, "position"},
		{"AnotherLog", good, func() *memory.Store { return other }, true, "the log holds"},
		{"EmptyLog", good, memory.New, true, "does not hold"},
		{"AnotherShape", reseal(forgeDigit(good, `"shape":"`)), nil, false, "another shape"},
		{"NoShape", reseal(bytes.Replace(good, []byte(`"shape":"`), []byte(`"shapX":"`), 1)), nil, false, "another shape"},
		{"OldFormat", oldFormat(t, m.Name()), nil, false, "older snapshot"},
		{"Garbage", []byte("not a snapshot at all"), nil, false, "older snapshot"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := c.file
			d := t.TempDir()
			p := filepath.Join(d, m.Name()+".snap")
			if err := os.WriteFile(p, file, 0o600); err != nil {
				t.Fatal(err)
			}
			log := s
			if c.log != nil {
				log = c.log()
			}
			fresh := projections.NewViews(projections.Config{}).Obligations
			err := projections.LoadSnapshot(ctx, d, log, fresh)
			if err == nil {
				t.Fatal("restored")
			}
			if got := errors.Is(err, projections.ErrSnapshotDiscarded); got != c.discarded {
				t.Fatalf("errors.Is(err, ErrSnapshotDiscarded) = %v, want %v: %v", got, c.discarded, err)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Fatalf("error %q does not say %q", err, c.says)
			}
			if c.discarded && !strings.Contains(err.Error(), p) {
				t.Fatalf("error %q does not name the file", err)
			}
			if fresh.Position() != 0 {
				t.Fatalf("the model was restored to position %d", fresh.Position())
			}
			if after, _ := os.ReadFile(p); !bytes.Equal(after, file) {
				t.Fatal("the snapshot file was changed")
			}
			t.Log(err)
		})
	}
	t.Run("Intact", func(t *testing.T) {
		fresh := projections.NewViews(projections.Config{}).Obligations
		if err := projections.LoadSnapshot(ctx, dir, s, fresh); err != nil {
			t.Fatal(err)
		}
		if fresh.Position() != m.Position() || fresh.Position() == 0 {
			t.Fatalf("restored at position %d, saved at %d", fresh.Position(), m.Position())
		}
	})
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x20
	return c
}

// forgeDigit changes the digit after the first occurrence of field,
// keeping the file's length.
func forgeDigit(b []byte, field string) []byte {
	i := bytes.Index(b, []byte(field)) + len(field)
	c := bytes.Clone(b)
	if c[i] == '1' {
		c[i] = '2'
	} else {
		c[i] = '1'
	}
	return c
}

// oldFormat is a snapshot as format 3 wrote it: a gob header, then the body.
func oldFormat(t *testing.T, model string) []byte {
	var buf bytes.Buffer
	hdr := struct {
		Format   int
		Model    string
		Position uint64
		Hash     domain.Hash
	}{3, model, 1, domain.Hash{}}
	if err := gob.NewEncoder(&buf).Encode(hdr); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
