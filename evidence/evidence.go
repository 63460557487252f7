// Package evidence keeps the files units attach to their reports, claims
// and rectifications (佐证材料): blobs named by the SHA-256 of their bytes,
// so the hash an event records proves which bytes were meant. It checks
// what a file is from its content, never from its name, and offers three
// stores: files beside the embedded ledger (Dir), a table in the ledger's
// PostgreSQL schema (package pgblob) and memory, for tests.
package evidence

import (
	"context"
	"crypto/sha256"
	"errors"

	"taskledger/domain"
)

// ErrNotFound is returned for a blob the store does not hold.
var ErrNotFound = errors.New("evidence blob not found")

// Store keeps blobs by the SHA-256 of their content. Put of a blob the
// store holds already changes nothing. Implementations are safe for
// concurrent use.
type Store interface {
	// Put stores data under its hash sum, which the caller computed with
	// Sum; it reports whether the blob is new.
	Put(ctx context.Context, sum domain.Hash, data []byte) (created bool, err error)
	// Get returns the blob's bytes, or ErrNotFound.
	Get(ctx context.Context, sum domain.Hash) ([]byte, error)
	// Has reports whether the store holds the blob.
	Has(ctx context.Context, sum domain.Hash) (bool, error)
	// Close releases what the store holds open.
	Close() error
}

// Sum returns the SHA-256 of data, the name a blob is stored under.
func Sum(data []byte) domain.Hash { return domain.Hash(sha256.Sum256(data)) }
