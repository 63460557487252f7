package auth

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are the argon2id cost parameters a new password hash is
// made with. A stored hash carries its own parameters, so raising them
// later leaves old hashes readable.
type PasswordParams struct {
	// Time is the number of passes over memory.
	Time uint32
	// MemoryKiB is the memory used, in KiB.
	MemoryKiB uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// DefaultPasswordParams are the parameters accounts are hashed with: 64
// MiB, 3 passes, 2 lanes — about 60 ms on one core of the deployment
// machines, far above the OWASP minimum (19 MiB, 2 passes).
func DefaultPasswordParams() PasswordParams {
	return PasswordParams{Time: 3, MemoryKiB: 64 << 10, Threads: 2}
}

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 10

// MaxPasswordLen bounds a password, in bytes, so that hashing cannot be
// made to read megabytes.
const MaxPasswordLen = 256

const (
	saltLen = 16
	keyLen  = 32
	// passwordScheme starts every stored hash: the PHC string format of
	// argon2id, version 19 (0x13) of the algorithm.
	passwordScheme = "$argon2id$v=19$"
)

// ErrBadHash is returned for a stored hash that is not one HashPassword
// makes.
var ErrBadHash = errors.New("stored password hash is not an argon2id PHC string")

// HashPassword hashes password with argon2id and a fresh 16-byte salt from
// random, and returns the PHC string
// "$argon2id$v=19$m=MEM,t=TIME,p=THREADS$SALT$HASH" (unpadded base64).
func HashPassword(password string, pp PasswordParams, random io.Reader) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, pp.Time, pp.MemoryKiB, pp.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%sm=%d,t=%d,p=%d$%s$%s", passwordScheme, pp.MemoryKiB, pp.Time, pp.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the stored PHC hash,
// comparing in constant time.
func CheckPassword(stored, password string) (bool, error) {
	pp, salt, key, err := parseHash(stored)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, pp.Time, pp.MemoryKiB, pp.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// parseHash splits a PHC string into its parameters, salt and key.
func parseHash(stored string) (PasswordParams, []byte, []byte, error) {
	var pp PasswordParams
	rest, ok := strings.CutPrefix(stored, passwordScheme)
	if !ok {
		return pp, nil, nil, ErrBadHash
	}
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return pp, nil, nil, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[0], "m=%d,t=%d,p=%d", &pp.MemoryKiB, &pp.Time, &pp.Threads); err != nil {
		return pp, nil, nil, fmt.Errorf("%w: %v", ErrBadHash, err)
	}
	if pp.Time == 0 || pp.Threads == 0 || pp.MemoryKiB < 8*uint32(pp.Threads) || pp.MemoryKiB > 1<<22 {
		return pp, nil, nil, ErrBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[1])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return pp, nil, nil, ErrBadHash
	}
	return pp, salt, key, nil
}
