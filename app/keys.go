package app

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"taskledger/auth"
)

// MaxIdempotencyKeyLen bounds an idempotency key, in bytes.
const MaxIdempotencyKeyLen = 200

// scopedKey makes a caller's idempotency key the principal's own: keys of
// different principals never collide.
func scopedKey(p auth.Principal, key string) (string, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return "", errorf(InvalidArgument,
			"idempotencyKey is required: send the same key when retrying the same request",
			"缺少幂等键（idempotencyKey）：重试同一请求时请使用同一个键")
	}
	if len(key) > MaxIdempotencyKeyLen || !utf8.ValidString(key) {
		return "", errorf(InvalidArgument,
			fmt.Sprintf("idempotencyKey must be valid UTF-8 of at most %d bytes", MaxIdempotencyKeyLen),
			fmt.Sprintf("幂等键须为不超过 %d 字节的 UTF-8 文本", MaxIdempotencyKeyLen))
	}
	return p.Scope() + ":" + key, nil
}
