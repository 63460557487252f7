package graphql

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"taskledger/app"
	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/graphql/transport"
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

// internalMessage is all a client learns of an internal failure.
const internalMessage = transport.InternalMessage

// apiError is an error with a code, shown to clients as message and
// extensions.code.
type apiError struct {
	code Code
	msg  string
	// kind refines INVALID_ARGUMENT for request errors: syntax,
	// validation or limit.
	kind string
	err  error
	// zh is the message in Chinese, shown as extensions.messageZh, for
	// the application layer's refusals that carry one.
	zh string
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
		m["messageZh"] = e.zh
	}
	return m
}

func newError(code Code, format string, args ...any) *apiError {
	return &apiError{code: code, msg: fmt.Sprintf(format, args...)}
}

func invalidf(format string, args ...any) *apiError {
	return newError(CodeInvalidArgument, format, args...)
}

// domainCode maps domain error codes onto API codes.
func domainCode(c domain.ErrorCode) Code {
	switch c {
	case domain.InvalidArgument:
		return CodeInvalidArgument
	case domain.NotFound:
		return CodeNotFound
	case domain.Conflict:
		return CodeConflict
	case domain.Forbidden:
		return CodeForbidden
	}
	return CodeInternal
}

// classify turns any resolver error into an apiError. Domain errors keep
// their (safe) messages through any wrapping; failures that are not the
// caller's fault become INTERNAL with a generic message, and internal
// reports whether the original should be logged.
func classify(err error) (e *apiError, internal bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae, ae.code == CodeInternal
	}
	var appErr *app.Error
	if errors.As(err, &appErr) {
		return &apiError{code: Code(appErr.Code), msg: appErr.Msg, err: err, zh: appErr.MsgZH}, false
	}
	if c := domain.CodeOf(err); c != "" {
		var de *domain.Error
		errors.As(err, &de)
		return &apiError{code: domainCode(c), msg: de.Msg, err: err}, false
	}
	switch {
	case errors.Is(err, command.ErrNoIdempotencyKey):
		return &apiError{code: CodeInvalidArgument, msg: "idempotencyKey is required", err: err}, false
	case errors.Is(err, command.ErrContention), errors.Is(err, eventstore.ErrWrongExpectedVersion):
		return &apiError{code: CodeConflict, msg: "the record changed concurrently on every attempt; retry with the same idempotencyKey", err: err}, false
	case errors.Is(err, eventstore.ErrDuplicateMismatch):
		return &apiError{code: CodeConflict, msg: "this idempotencyKey was already used for a different request", err: err}, false
	case errors.Is(err, context.DeadlineExceeded):
		return &apiError{code: CodeInternal, msg: "the request took too long and was stopped; a mutation may or may not have been recorded: retry it with the same idempotencyKey", err: err}, false
	case errors.Is(err, context.Canceled):
		return &apiError{code: CodeInternal, msg: "the request was cancelled", err: err}, false
	}
	return &apiError{code: CodeInternal, msg: internalMessage, err: err}, true
}

// resolverError words a resolver's error for the client (the transport's
// Config.ResolverError), logging what it hides.
func (s *Server) resolverError(ctx context.Context, path []any, err error) (string, map[string]any) {
	ae, internal := classify(err)
	if internal {
		s.logger.Error("request failed", "path", fmt.Sprint(path), "err", err)
	}
	return ae.msg, ae.Extensions()
}

// panicHandler turns a resolver panic into an INTERNAL error that says
// nothing about the panic; panicLogger logs it.
type panicHandler struct {
	logger interface{ Error(string, ...any) }
}

// MakePanicError implements the engine's PanicHandler.
func (h panicHandler) MakePanicError(ctx context.Context, value any) *gqlerrors.QueryError {
	return &gqlerrors.QueryError{Message: internalMessage, Extensions: map[string]any{"code": string(CodeInternal)}}
}

type panicLogger struct {
	logger interface{ Error(string, ...any) }
}

// LogPanic implements the engine's Logger.
func (l panicLogger) LogPanic(ctx context.Context, value any) {
	l.logger.Error("panic in a resolver", "panic", fmt.Sprint(value), "stack", string(debug.Stack()))
}
