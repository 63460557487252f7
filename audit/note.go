package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/transparency-dev/formats/log"
	signednote "golang.org/x/mod/sumdb/note"
)

// NoteFormat names the checkpoint format outside tools read: a C2SP
// tlog-checkpoint (c2sp.org/tlog-checkpoint) in a C2SP signed note
// (c2sp.org/signed-note) with an Ed25519 signature.
const NoteFormat = "c2sp.org/tlog-checkpoint"

// DefaultOrigin is the log's origin line when none is configured. A
// deployment that publishes checkpoints names its own (e.g. the address
// the ledger is published at), as the verifier key carries it too.
const DefaultOrigin = "taskledger.local/ledger"

// Extension line keys this ledger writes after the root.
const (
	extPosition = "taskledger-position "
	extTime     = "taskledger-time "
)

// ErrOrigin reports an origin that cannot name a log and its key.
var ErrOrigin = errors.New("invalid checkpoint origin")

// CheckOrigin checks that origin can be a checkpoint's first line and a
// signed-note key name: not empty, valid UTF-8, no spaces and no '+'.
func CheckOrigin(origin string) error {
	if origin == "" || !utf8.ValidString(origin) || strings.ContainsRune(origin, '+') ||
		strings.IndexFunc(origin, unicode.IsSpace) >= 0 {
		return fmt.Errorf("%q: not empty, no spaces, no '+': %w", origin, ErrOrigin)
	}
	return nil
}

// noteSigner signs notes with an Ed25519 key under a key name.
type noteSigner struct {
	name string
	hash uint32
	key  ed25519.PrivateKey
}

func (s *noteSigner) Name() string    { return s.name }
func (s *noteSigner) KeyHash() uint32 { return s.hash }
func (s *noteSigner) Sign(msg []byte) ([]byte, error) {
	return ed25519.Sign(s.key, msg), nil
}

// VerifierKey returns the signed-note verifier key of pub under a key name
// (the checkpoint's origin): "<name>+<key hash>+<base64 key>", the line
// that outside checkers are given.
func VerifierKey(name string, pub ed25519.PublicKey) (string, error) {
	vkey, err := signednote.NewEd25519VerifierKey(name, pub)
	if err != nil {
		return "", fmt.Errorf("verifier key of %q: %w", name, err)
	}
	return vkey, nil
}

// ParseVerifierKey returns the Ed25519 public key of a signed-note
// verifier key "<name>+<key hash>+<base64(0x01 ‖ key)>", after checking it
// with the note package.
func ParseVerifierKey(vkey string) (ed25519.PublicKey, error) {
	if _, err := signednote.NewVerifier(vkey); err != nil {
		return nil, fmt.Errorf("verifier key: %w", err)
	}
	// name+hash+key: the name has no '+' and the hash is hex, but the
	// base64 key may hold '+'.
	parts := strings.SplitN(vkey, "+", 3)
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 1 {
		return nil, errors.New("verifier key: not an Ed25519 key")
	}
	return ed25519.PublicKey(raw[1:]), nil
}

// NoteVerifier returns the note verifier of pub under a key name.
func NoteVerifier(name string, pub ed25519.PublicKey) (signednote.Verifier, error) {
	vkey, err := VerifierKey(name, pub)
	if err != nil {
		return nil, err
	}
	v, err := signednote.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("verifier of %q: %w", name, err)
	}
	return v, nil
}

func newNoteSigner(name string, key ed25519.PrivateKey) (*noteSigner, error) {
	v, err := NoteVerifier(name, key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}
	return &noteSigner{name: name, hash: v.KeyHash(), key: key}, nil
}

// checkpointBody returns the tlog-checkpoint text: origin, size, base64
// root, then this ledger's extension lines (position, time).
func checkpointBody(origin string, size, position uint64, root Hash, at time.Time) []byte {
	b := log.Checkpoint{Origin: origin, Size: size, Hash: root[:]}.Marshal()
	b = append(b, extPosition+strconv.FormatUint(position, 10)+"\n"...)
	b = append(b, extTime+at.UTC().Format(time.RFC3339Nano)+"\n"...)
	return b
}

// SignNote makes a checkpoint of size leaves in the C2SP format: a
// tlog-checkpoint for origin, signed as a note by key under the name origin.
func SignNote(key ed25519.PrivateKey, origin string, size, position uint64, root Hash, at time.Time) (*Checkpoint, error) {
	if err := CheckOrigin(origin); err != nil {
		return nil, err
	}
	s, err := newNoteSigner(origin, key)
	if err != nil {
		return nil, err
	}
	body := checkpointBody(origin, size, position, root, at)
	msg, err := signednote.Sign(&signednote.Note{Text: string(body)}, s)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return parseNote(msg)
}

// parseNote reads a signed-note checkpoint without checking its signature
// (Verify does): the body's lines, and the first signature line's key name,
// key hash and Ed25519 signature.
func parseNote(b []byte) (*Checkpoint, error) {
	i := bytes.LastIndex(b, []byte("\n\n"))
	if i < 0 {
		return nil, errors.New("parse checkpoint: not a signed note (no blank line before the signatures)")
	}
	body, sigs := b[:i+1], b[i+2:]
	var lc log.Checkpoint
	rest, err := lc.Unmarshal(body)
	if err != nil {
		return nil, fmt.Errorf("parse checkpoint: %w", err)
	}
	if len(lc.Hash) != len(Hash{}) {
		return nil, fmt.Errorf("parse checkpoint: root of %d bytes, want %d", len(lc.Hash), len(Hash{}))
	}
	c := &Checkpoint{Format: NoteFormat, Origin: lc.Origin, Size: lc.Size, Note: append([]byte(nil), b...)}
	copy(c.Root[:], lc.Hash)
	if err := c.readExtensions(rest); err != nil {
		return nil, err
	}
	if err := c.readSignature(sigs); err != nil {
		return nil, err
	}
	return c, nil
}

// readExtensions reads the position and time extension lines; others are
// ignored, as the format allows.
func (c *Checkpoint) readExtensions(rest []byte) error {
	for _, line := range strings.Split(strings.TrimSuffix(string(rest), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, extPosition):
			p, err := strconv.ParseUint(strings.TrimPrefix(line, extPosition), 10, 64)
			if err != nil {
				return fmt.Errorf("parse checkpoint: position: %w", err)
			}
			c.Position = p
		case strings.HasPrefix(line, extTime):
			t, err := time.Parse(time.RFC3339Nano, strings.TrimPrefix(line, extTime))
			if err != nil {
				return fmt.Errorf("parse checkpoint: time: %w", err)
			}
			c.Time = t.UTC()
		}
	}
	return nil
}

// readSignature reads the first signature line: "— <name> <base64(key
// hash ‖ signature)>".
func (c *Checkpoint) readSignature(sigs []byte) error {
	line, _, _ := strings.Cut(string(sigs), "\n")
	f := strings.Fields(strings.TrimPrefix(line, "— "))
	if !strings.HasPrefix(line, "— ") || len(f) != 2 {
		return fmt.Errorf("parse checkpoint: signature line %q", line)
	}
	raw, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil || len(raw) != 4+ed25519.SignatureSize {
		return fmt.Errorf("parse checkpoint: signature of %s is not a key hash and an Ed25519 signature", f[0])
	}
	c.KeyID = fmt.Sprintf("%s+%08x", f[0], binary.BigEndian.Uint32(raw[:4]))
	c.Signature = raw[4:]
	return nil
}

// verifyNote checks that the note is signed by pub under the origin's name.
func (c *Checkpoint) verifyNote(pub ed25519.PublicKey) error {
	v, err := NoteVerifier(c.Origin, pub)
	if err != nil {
		return err
	}
	if _, err := signednote.Open(c.Note, signednote.VerifierList(v)); err != nil {
		return fmt.Errorf("checkpoint of size %d for %s: %v: %w", c.Size, c.Origin, err, ErrSignature)
	}
	return nil
}
