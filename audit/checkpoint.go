package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"taskledger/internal/atomicfile"
)

// CheckpointFormat names the legacy checkpoint format of this ledger's own
// (JSON, signed over SignedText). New checkpoints are NoteFormat; legacy
// ones are still read and verified, and checkpoint migrate re-signs them.
const CheckpointFormat = "taskledger-checkpoint/1"

// Checkpoint is a signed statement of the log's Merkle root at a size, in
// either format.
type Checkpoint struct {
	// Format is NoteFormat or the legacy CheckpointFormat.
	Format string `json:"format"`
	// Origin is the log's name in a NoteFormat checkpoint (its first line,
	// and the signing key's name); empty in a legacy one.
	Origin string `json:"-"`
	// Size is the number of events (leaves) the root covers.
	Size uint64 `json:"size"`
	// Position is the log position of the Size-th event (0 for an empty log).
	Position uint64 `json:"position"`
	// Root is the RFC 6962 Merkle root of the first Size events.
	Root Hash `json:"root"`
	// Time is when the checkpoint was made (UTC, nanoseconds).
	Time time.Time `json:"time"`
	// KeyID is, in a legacy checkpoint, the first 8 bytes of SHA-256 of the
	// raw 32-byte public key, in hex; in a note, "<key name>+<key hash>".
	KeyID string `json:"key_id"`
	// Signature is the Ed25519 signature of SignedText, base64 in JSON.
	Signature []byte `json:"signature"`
	// Note is the whole signed note of a NoteFormat checkpoint: its file's
	// bytes, what outside tools check.
	Note []byte `json:"-"`
}

// SignedText returns the exact bytes that are signed. For a note, its text
// (the tlog-checkpoint body). For a legacy checkpoint, six lines, each
// ended by a line feed:
//
//	taskledger-checkpoint/1
//	<size, decimal>
//	<position, decimal>
//	<root, 64 lower-case hex digits>
//	<time, RFC 3339 with nanoseconds, UTC>
//	<key id>
func (c *Checkpoint) SignedText() []byte {
	if c.Format == NoteFormat {
		i := bytes.LastIndex(c.Note, []byte("\n\n"))
		return c.Note[:i+1]
	}
	var b strings.Builder
	b.WriteString(CheckpointFormat + "\n")
	b.WriteString(strconv.FormatUint(c.Size, 10) + "\n")
	b.WriteString(strconv.FormatUint(c.Position, 10) + "\n")
	b.WriteString(c.Root.String() + "\n")
	b.WriteString(c.Time.UTC().Format(time.RFC3339Nano) + "\n")
	b.WriteString(c.KeyID + "\n")
	return []byte(b.String())
}

// KeyID returns the key ID of a public key: hex of the first 8 bytes of
// SHA-256 of its 32 raw bytes.
func KeyID(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	return hex.EncodeToString(s[:8])
}

// Sign makes a legacy checkpoint of size leaves with the given root, signed
// by key. New checkpoints are made with SignNote; Sign remains for tests of
// reading and migrating the legacy format.
func Sign(key ed25519.PrivateKey, size, position uint64, root Hash, at time.Time) *Checkpoint {
	c := &Checkpoint{
		Format:   CheckpointFormat,
		Size:     size,
		Position: position,
		Root:     root,
		Time:     at.UTC(),
		KeyID:    KeyID(key.Public().(ed25519.PublicKey)),
	}
	c.Signature = ed25519.Sign(key, c.SignedText())
	return c
}

// ErrSignature reports a checkpoint that the given public key did not sign.
var ErrSignature = errors.New("checkpoint signature does not verify")

// Verify checks the checkpoint's format and its signature under pub.
func (c *Checkpoint) Verify(pub ed25519.PublicKey) error {
	if c.Format == NoteFormat {
		return c.verifyNote(pub)
	}
	if c.Format != CheckpointFormat {
		return fmt.Errorf("checkpoint format %q, want %q", c.Format, CheckpointFormat)
	}
	if id := KeyID(pub); id != c.KeyID {
		return fmt.Errorf("checkpoint names key %s, the public key given is %s: %w", c.KeyID, id, ErrSignature)
	}
	if !ed25519.Verify(pub, c.SignedText(), c.Signature) {
		return fmt.Errorf("checkpoint of size %d by key %s: %w", c.Size, c.KeyID, ErrSignature)
	}
	return nil
}

// Marshal returns the checkpoint file's bytes: the signed note, or for a
// legacy checkpoint indented JSON and a line feed.
func (c *Checkpoint) Marshal() ([]byte, error) {
	if c.Format == NoteFormat {
		return append([]byte(nil), c.Note...), nil
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode checkpoint: %w", err)
	}
	return append(b, '\n'), nil
}

// ParseCheckpoint reads a checkpoint file's bytes in either format: JSON
// (legacy) when it starts with '{', else a signed note. It does not check
// the signature (Verify does).
func ParseCheckpoint(b []byte) (*Checkpoint, error) {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return parseNote(b)
	}
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse checkpoint: %w", err)
	}
	if c.Format != CheckpointFormat {
		return nil, fmt.Errorf("parse checkpoint: format %q, want %q", c.Format, CheckpointFormat)
	}
	return &c, nil
}

// ReadCheckpoint reads a checkpoint file.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	c, err := ParseCheckpoint(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// CheckpointDir is the folder of a ledger directory that keeps checkpoints.
const CheckpointDir = "checkpoints"

// File name suffixes of the two checkpoint formats.
const (
	noteSuffix   = ".checkpoint"
	legacySuffix = ".json"
)

// checkpointName is the file name of a checkpoint in a checkpoint folder:
// the size, zero-padded to 20 digits, so names sort by size, and the
// format's suffix.
func checkpointName(c *Checkpoint) string {
	if c.Format == NoteFormat {
		return fmt.Sprintf("%020d%s", c.Size, noteSuffix)
	}
	return fmt.Sprintf("%020d%s", c.Size, legacySuffix)
}

// SaveCheckpoint stores c in dir (created if needed) as <size>.checkpoint
// (a note) or <size>.json (legacy). A later checkpoint of the same size
// and format replaces the earlier one.
func SaveCheckpoint(dir string, c *Checkpoint) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("save checkpoint: %w", err)
	}
	b, err := c.Marshal()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, checkpointName(c))
	if err := atomicfile.Write(path, b, 0o644); err != nil {
		return "", fmt.Errorf("save checkpoint: %w", err)
	}
	return path, nil
}

// sizeNamed reports whether a file name starts with 20 decimal digits, as
// checkpointName writes it.
func sizeNamed(name string) bool {
	if len(name) < 20 {
		return false
	}
	for _, r := range name[:20] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// LatestCheckpoint returns the checkpoint of the largest size stored in
// dir, or nil when there is none (or no such folder). Of a note and a
// legacy checkpoint of the same size, the note.
func LatestCheckpoint(dir string) (*Checkpoint, error) {
	names, err := CheckpointFiles(dir)
	if err != nil || len(names) == 0 {
		return nil, err
	}
	return ReadCheckpoint(filepath.Join(dir, names[len(names)-1]))
}

// CheckpointFiles lists the checkpoint files in dir (none when there is no
// such folder), by size, a legacy file before a note of the same size.
func CheckpointFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list checkpoints: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && sizeNamed(n) &&
			(strings.HasSuffix(n, legacySuffix) || strings.HasSuffix(n, noteSuffix)) {
			names = append(names, n)
		}
	}
	// Sizes are zero-padded to the same width and ".checkpoint" sorts
	// before ".json", so order by the size digits, then legacy first.
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i], names[j]
		if a[:20] != b[:20] {
			return a < b
		}
		return strings.HasSuffix(a, legacySuffix) && strings.HasSuffix(b, noteSuffix)
	})
	return names, nil
}

// PEM block types of the key files.
const (
	pemPrivate = "PRIVATE KEY"
	pemPublic  = "PUBLIC KEY"
)

// NewKey makes an Ed25519 key pair and writes the private key to path
// (PKCS #8 in PEM, mode 0600, refusing to overwrite) and the public key to
// path+".pub" (PKIX in PEM, mode 0644). It returns the public key.
func NewKey(path string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: pemPrivate, Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("new key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("new key %s: %w", path, err)
	}
	if err := os.WriteFile(path+".pub", pem.EncodeToMemory(&pem.Block{Type: pemPublic, Bytes: pubDER}), 0o644); err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	return pub, nil
}

// ReadPrivateKey reads a private key file written by NewKey.
func ReadPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != pemPrivate {
		return nil, fmt.Errorf("read private key %s: no %q PEM block", path, pemPrivate)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read private key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("read private key %s: a %T, not Ed25519", path, k)
	}
	return priv, nil
}

// ReadPublicKey reads a public key file written by NewKey: the PEM file
// (FILE.pub) or the note verifier key (FILE.vkey).
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	if t := strings.TrimSpace(string(b)); !strings.HasPrefix(t, "-----") {
		pub, err := ParseVerifierKey(t)
		if err != nil {
			return nil, fmt.Errorf("read public key %s: %w", path, err)
		}
		return pub, nil
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != pemPublic {
		return nil, fmt.Errorf("read public key %s: no %q PEM block", path, pemPublic)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read public key %s: %w", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("read public key %s: a %T, not Ed25519", path, k)
	}
	return pub, nil
}
