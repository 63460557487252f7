package graphql

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"taskledger/app"
	"taskledger/graphql/transport"
	"taskledger/internal/msg"
)

// Code is the extensions.code of an API error.
type Code = transport.Code

// The error codes (see package transport).
const (
	CodeInvalidArgument = transport.CodeInvalidArgument
	CodeNotFound        = transport.CodeNotFound
	CodeConflict        = transport.CodeConflict
	CodeForbidden       = transport.CodeForbidden
	CodeUnauthenticated = transport.CodeUnauthenticated
	CodeInternal        = transport.CodeInternal
	CodeCostLimited     = transport.CodeCostLimited
)

// apiError is an error with a code, shown to clients as message and
// extensions.code.
type apiError struct {
	code Code
	msg  string
	// kind refines INVALID_ARGUMENT for request errors: syntax,
	// validation or limit.
	kind string
	err  error
	// zh is the message in Chinese, for a catalogued message; shown as
	// extensions.messageZH.
	zh string
	// key is the message's catalogue code, shown as
	// extensions.messageCode, and args fill its placeholders.
	key  msg.Key
	args msg.Args
}

func (e *apiError) Error() string { return e.msg }
func (e *apiError) Unwrap() error { return e.err }

// Extensions implements graph-gophers' extensions interface.
func (e *apiError) Extensions() map[string]any {
	m := map[string]any{"code": string(e.code)}
	if e.kind != "" {
		m["kind"] = e.kind
	}
	if e.zh != "" {
		m["messageZH"] = e.zh
	}
	if e.key != "" {
		m["messageCode"] = string(e.key)
	}
	return m
}

func newError(code Code, format string, args ...any) *apiError {
	return &apiError{code: code, msg: fmt.Sprintf(format, args...)}
}

// refuse is the API error of a catalogue message; classify words it in
// the request's language.
func refuse(key msg.Key, args msg.Args) *apiError {
	c := msg.Default()
	return &apiError{code: Code(c.ClassOf(key)), key: key, args: args,
		msg: c.Text(msg.EN, key, args), zh: c.Text(msg.ZH, key, args)}
}

func invalidf(format string, args ...any) *apiError {
	return newError(CodeInvalidArgument, format, args...)
}

// classify turns any resolver error into an apiError, worded in lang.
// Refusals the application layer explains (its own, the domain's, a
// missing or reused idempotency key, contention, a timeout) keep their
// catalogue code and safe messages through any wrapping; other failures
// become INTERNAL with a generic message, and internal reports whether the
// original should be logged.
func classify(err error, lang msg.Lang) (e *apiError, internal bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		if ae.key != "" {
			in := *ae
			in.msg = msg.Text(lang, ae.key, ae.args)
			ae = &in
		}
		return ae, ae.code == CodeInternal
	}
	if x := app.Explain(err); x != nil {
		return &apiError{code: Code(x.Code), msg: x.Text(lang), err: err, zh: x.Chinese(), key: x.Key}, false
	}
	return &apiError{code: CodeInternal, msg: msg.Text(lang, msg.LedgerInternal, nil), err: err, key: msg.LedgerInternal, zh: msg.Text(msg.ZH, msg.LedgerInternal, nil)}, true
}

// resolverError words a resolver's error for the client (the transport's
// Config.ResolverError), logging what it hides.
func (s *Server) resolverError(ctx context.Context, path []any, err error) (string, map[string]any) {
	ae, internal := classify(err, msg.LangOf(ctx))
	if internal {
		s.logger.Error("request failed", "path", fmt.Sprint(path), "err", err)
	}
	return ae.msg, ae.Extensions()
}

// errPanic stands for a resolver's panic when it is worded for the client,
// which learns only that the server failed.
var errPanic = errors.New("a resolver panicked")

// panicHandler turns a resolver panic into an INTERNAL error that says
// nothing about the panic; panicLogger logs it.
type panicHandler struct {
	logger interface{ Error(string, ...any) }
}

// MakePanicError implements the engine's PanicHandler.
func (h panicHandler) MakePanicError(ctx context.Context, value any) *gqlerrors.QueryError {
	e, _ := classify(errPanic, msg.LangOf(ctx))
	return &gqlerrors.QueryError{Message: e.msg, Extensions: e.Extensions()}
}

type panicLogger struct {
	logger interface{ Error(string, ...any) }
}

// LogPanic implements the engine's Logger.
func (l panicLogger) LogPanic(ctx context.Context, value any) {
	l.logger.Error("panic in a resolver", "panic", fmt.Sprint(value), "stack", string(debug.Stack()))
}
