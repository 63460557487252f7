// Package redact removes secrets from text bound for logs and error
// messages: passwords in URLs (esdb://user:pass@host, postgres://…),
// password=… and token=… parameters (URL queries and key=value
// connection strings), bearer tokens, and taskledger's own tokens (tl_…).
// Handler applies it to every record a slog.Logger writes.
package redact

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
)

// Mask replaces what Redact removes.
const Mask = "REDACTED"

// The patterns are compiled once and never change.
var (
	// scheme://user:password@ — the password goes, the user stays.
	urlPassword = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.\-]*://[^\s/:@]*):[^\s@/]*@`)
	// password=…, token=… in a query string or a key=value DSN.
	secretParam = regexp.MustCompile(`(?i)\b(password|passwd|pwd|pass|secret|token|access_token|api_key|apikey|sslpassword)=('[^']*'|"[^"]*"|[^\s&;,]+)`)
	// Authorization: Bearer …
	bearer = regexp.MustCompile(`(?i)\b(bearer\s+)[^\s"',;]+`)
	// taskledger tokens (auth.TokenPrefix).
	ledgerToken = regexp.MustCompile(`\btl_[A-Za-z0-9_\-]{6,}`)
)

// Redact returns s with every secret it recognises replaced by Mask.
func Redact(s string) string {
	s = urlPassword.ReplaceAllString(s, "${1}:"+Mask+"@")
	s = secretParam.ReplaceAllString(s, "${1}="+Mask)
	s = bearer.ReplaceAllString(s, "${1}"+Mask)
	s = ledgerToken.ReplaceAllString(s, "tl_"+Mask)
	return s
}

// Error returns err with its message redacted, or nil. The result keeps
// err in its chain (errors.Is and errors.As still see it); only Error()
// changes.
func Error(err error) error {
	if err == nil {
		return nil
	}
	return &redacted{msg: Redact(err.Error()), err: err}
}

type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// Handler wraps a slog.Handler so that the message and every string,
// error and fmt.Stringer attribute (in groups too) are redacted before
// they reach it.
type Handler struct{ next slog.Handler }

// NewHandler returns a Handler over next. Wrapping a Handler again
// returns it as it is.
func NewHandler(next slog.Handler) slog.Handler {
	if h, ok := next.(*Handler); ok {
		return h
	}
	return &Handler{next: next}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(Attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = Attr(a)
	}
	return &Handler{next: h.next.WithAttrs(clean)}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name)}
}

// Attr returns a with its value redacted: strings, errors and
// fmt.Stringers become redacted strings, groups are redacted member by
// member, other values become redacted strings only when their text holds
// a secret, and numbers, times and durations are left alone.
func Attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Redact(v.String()))
	case slog.KindGroup:
		members := v.Group()
		clean := make([]any, len(members))
		for i, m := range members {
			clean[i] = Attr(m)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, Redact(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, Redact(x.String()))
		case []byte:
			return slog.String(a.Key, Redact(string(x)))
		default:
			// Other values keep their kind unless their text holds a
			// secret.
			if text := fmt.Sprint(x); Redact(text) != text {
				return slog.String(a.Key, Redact(text))
			}
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
