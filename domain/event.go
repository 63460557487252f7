// Package domain holds taskledger's aggregates, commands, events and value
// types. It is pure: no I/O, no clock reads, no storage or transport types.
// Time always arrives as an argument.
package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// HashSize is the length in bytes of an event hash (SHA-256).
const HashSize = sha256.Size

// Hash is the SHA-256 of an event's canonical encoding (see docs/ledger-format.md).
type Hash [HashSize]byte

// IsZero reports whether h is the all-zero hash, which stands for "no
// predecessor" in the first event of a stream.
func (h Hash) IsZero() bool { return h == Hash{} }

// String returns the lower-case hex form of h.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash parses the hex form written by Hash.String.
func ParseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil {
		return h, fmt.Errorf("parse hash %q: %w", s, err)
	}
	if len(b) != HashSize {
		return h, fmt.Errorf("parse hash %q: want %d bytes, got %d", s, HashSize, len(b))
	}
	copy(h[:], b)
	return h, nil
}

// MarshalText writes the hash as hex, so JSON shows a readable string.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads the hex form.
func (h *Hash) UnmarshalText(b []byte) error {
	p, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// Event is one recorded fact: the envelope every store keeps and the JSON
// payload of a registered event type.
//
// The writer fills ID, Type, SchemaVersion, RecordedAt, EffectiveAt, Actor,
// CausationID, CorrelationID and Payload. The store fills Stream, Version,
// Position, PrevHash and Hash when it appends the event.
type Event struct {
	// ID is unique across the ledger. Command handling derives it from the
	// command's idempotency key, so a retried command appends nothing new.
	ID uuid.UUID `json:"id"`
	// Stream names the aggregate instance the event belongs to.
	Stream string `json:"stream"`
	// Version is the event's 1-based place in its stream.
	Version uint64 `json:"version"`
	// Position is the event's place in the store's global log. It grows
	// strictly in commit order; the embedded store's positions are dense
	// (1, 2, 3…), other adapters' need not be. It is not hashed: a copy of
	// the ledger in another store keeps every hash.
	Position uint64 `json:"position"`
	// Type is the registered name of the payload type, e.g. "ProgressReported".
	Type string `json:"type"`
	// SchemaVersion is the payload's schema version, for upcasting.
	SchemaVersion uint16 `json:"schema_version"`
	// RecordedAt is when the ledger recorded the event.
	RecordedAt time.Time `json:"recorded_at"`
	// EffectiveAt is the moment the event speaks of; it differs from
	// RecordedAt when a report is backdated.
	EffectiveAt time.Time `json:"effective_at"`
	// Actor names who caused the event: a token's subject, or "system".
	Actor string `json:"actor"`
	// CausationID is the ID of the event or request that caused this one.
	CausationID uuid.UUID `json:"causation_id"`
	// CorrelationID ties together everything that one request caused.
	CorrelationID uuid.UUID `json:"correlation_id"`
	// Payload is the event's JSON body.
	Payload []byte `json:"payload"`
	// PrevHash is the Hash of the previous event in the same stream, zero
	// for a stream's first event.
	PrevHash Hash `json:"prev_hash"`
	// Hash is the SHA-256 of the canonical encoding of everything above
	// except Position and Hash itself.
	Hash Hash `json:"hash"`
}

// hashDomain separates taskledger event hashes from any other SHA-256 use.
const hashDomain = "taskledger/event/v1\n"

// ComputeHash returns the SHA-256 of the event's canonical encoding. The
// encoding is documented in docs/ledger-format.md:
//
//	"taskledger/event/v1\n"
//	id (16 bytes) · stream (len-prefixed) · version (u64 BE) · type (len-prefixed)
//	schema version (u16 BE) · recorded at (i64 BE Unix ns) · effective at (i64 BE Unix ns)
//	actor (len-prefixed) · causation id (16) · correlation id (16) · prev hash (32)
//	payload (len-prefixed)
//
// where len-prefixed means a u32 BE byte length followed by the bytes.
func (e *Event) ComputeHash() Hash {
	// Most events fit a buffer on the stack and are hashed in one call; a
	// longer one takes one allocation.
	var stack [hashStackBytes]byte
	b := stack[:0]
	if n := e.hashInputLen(); n > len(stack) {
		b = make([]byte, 0, n)
	}
	return sha256.Sum256(e.appendHashInput(b))
}

// hashStackBytes is how long a canonical encoding ComputeHash keeps on the
// stack.
const hashStackBytes = 1024

// hashInputLen is the length of the event's canonical encoding.
func (e *Event) hashInputLen() int {
	const fixed = len(hashDomain) + 16 + 4 + 8 + 4 + 2 + 8 + 8 + 4 + 16 + 16 + 32 + 4
	return fixed + len(e.Stream) + len(e.Type) + len(e.Actor) + len(e.Payload)
}

// appendHashInput appends the event's canonical encoding (see ComputeHash)
// to b.
func (e *Event) appendHashInput(b []byte) []byte {
	b = append(b, hashDomain...)
	b = append(b, e.ID[:]...)
	b = appendLenString(b, e.Stream)
	b = binary.BigEndian.AppendUint64(b, e.Version)
	b = appendLenString(b, e.Type)
	b = binary.BigEndian.AppendUint16(b, e.SchemaVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(e.RecordedAt.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(e.EffectiveAt.UnixNano()))
	b = appendLenString(b, e.Actor)
	b = append(b, e.CausationID[:]...)
	b = append(b, e.CorrelationID[:]...)
	b = append(b, e.PrevHash[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Payload)))
	return append(b, e.Payload...)
}

// appendLenString appends s with its u32 big-endian byte length first.
func appendLenString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Seal sets the event's stream, version and predecessor hash and computes its
// Hash. Stores call it inside their append, where the predecessor is known.
func (e *Event) Seal(stream string, version uint64, prev Hash) {
	e.Stream = stream
	e.Version = version
	e.PrevHash = prev
	e.Hash = e.ComputeHash()
}

// Verify reports whether the stored Hash matches the event's content.
func (e *Event) Verify() error {
	if got := e.ComputeHash(); got != e.Hash {
		return fmt.Errorf("event %s (stream %s, version %d): stored hash %s, content hashes to %s",
			e.ID, e.Stream, e.Version, e.Hash, got)
	}
	return nil
}

// eventIDNamespace is the UUIDv5 namespace of event IDs derived from
// idempotency keys.
var eventIDNamespace = uuid.MustParse("6f1c1f4e-2b0a-4c55-9a1e-7d3c0b8e5a10")

// DeriveEventID returns the deterministic ID of the index-th event that a
// command with the given idempotency key produces. The same key and index
// always give the same ID, so a retried command appends nothing new.
func DeriveEventID(idempotencyKey string, index int) uuid.UUID {
	return uuid.NewSHA1(eventIDNamespace, fmt.Appendf(nil, "%s#%d", idempotencyKey, index))
}
