package msg

import "context"

type langKey struct{}

// WithLang returns ctx carrying the language a request's messages are
// shown in.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, langKey{}, l)
}

// LangOf returns the language ctx carries, Chinese when none.
func LangOf(ctx context.Context) Lang {
	if l, ok := ctx.Value(langKey{}).(Lang); ok && l != "" {
		return l
	}
	return ZH
}
