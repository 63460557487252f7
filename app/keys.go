package app

import (
	"strings"
	"unicode/utf8"

	"taskledger/auth"
	"taskledger/internal/msg"
)

// MaxIdempotencyKeyLen bounds an idempotency key, in bytes.
const MaxIdempotencyKeyLen = 200

// scopedKey makes a caller's idempotency key the principal's own: keys of
// different principals never collide. A missing or malformed key names the
// input's idempotencyKey; a key reused for another request (a refusal of
// the input as a whole) names no field.
func scopedKey(p auth.Principal, key string) (string, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return "", fail(msg.IdempotencyKeyRequired, nil).at("idempotencyKey")
	}
	if len(key) > MaxIdempotencyKeyLen || !utf8.ValidString(key) {
		return "", fail(msg.IdempotencyKeyInvalid, msg.Args{"Max": MaxIdempotencyKeyLen}).at("idempotencyKey")
	}
	return p.Scope() + ":" + key, nil
}
