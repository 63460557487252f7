package audit

import (
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

// CheckpointFormat names the checkpoint file format and the signed statement.
const CheckpointFormat = "taskledger-checkpoint/1"

// Checkpoint is a signed statement of the log's Merkle root at a size.
type Checkpoint struct {
	// Format is CheckpointFormat.
	Format string `json:"format"`
	// Size is the number of events (leaves) the root covers.
	Size uint64 `json:"size"`
	// Position is the log position of the Size-th event (0 for an empty log).
	Position uint64 `json:"position"`
	// Root is the RFC 6962 Merkle root of the first Size events.
	Root Hash `json:"root"`
	// Time is when the checkpoint was made (UTC, nanoseconds).
	Time time.Time `json:"time"`
	// KeyID is the first 8 bytes of SHA-256 of the raw 32-byte public key, in hex.
	KeyID string `json:"key_id"`
	// Signature is the Ed25519 signature of SignedText, base64 in JSON.
	Signature []byte `json:"signature"`
}

// SignedText returns the exact bytes that are signed: five lines, each
// ended by a line feed:
//
//	taskledger-checkpoint/1
//	<size, decimal>
//	<position, decimal>
//	<root, 64 lower-case hex digits>
//	<time, RFC 3339 with nanoseconds, UTC>
//	<key id>
func (c *Checkpoint) SignedText() []byte {
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

// Sign makes a checkpoint of size leaves with the given root, signed by key.
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

// Marshal returns the checkpoint file's bytes: indented JSON and a line feed.
func (c *Checkpoint) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode checkpoint: %w", err)
	}
	return append(b, '\n'), nil
}

// ParseCheckpoint reads a checkpoint file's bytes.
func ParseCheckpoint(b []byte) (*Checkpoint, error) {
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

// checkpointName is the file name of a checkpoint in a checkpoint folder:
// the size, zero-padded to 20 digits, so names sort by size.
func checkpointName(size uint64) string { return fmt.Sprintf("%020d.json", size) }

// SaveCheckpoint stores c in dir (created if needed) as <size>.json. A
// later checkpoint of the same size replaces the earlier one.
func SaveCheckpoint(dir string, c *Checkpoint) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("save checkpoint: %w", err)
	}
	b, err := c.Marshal()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, checkpointName(c.Size))
	if err := atomicfile.Write(path, b, 0o644); err != nil {
		return "", fmt.Errorf("save checkpoint: %w", err)
	}
	return path, nil
}

// LatestCheckpoint returns the checkpoint of the largest size stored in
// dir, or nil when there is none (or no such folder).
func LatestCheckpoint(dir string) (*Checkpoint, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest checkpoint: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	sort.Strings(names)
	return ReadCheckpoint(filepath.Join(dir, names[len(names)-1]))
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

// ReadPublicKey reads a public key file written by NewKey.
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
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
