package auth

import "context"

type sessionKey struct{}

// WithSession returns ctx carrying the principal of a dashboard session
// that the dashboard has checked (cookie and, for a POST, its CSRF
// token). The API acts as it for a request without an Authorization
// header. Only code in the same process can set it: no request field
// does.
func WithSession(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, sessionKey{}, p)
}

// SessionOf returns the principal WithSession put in ctx.
func SessionOf(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(sessionKey{}).(Principal)
	return p, ok
}
