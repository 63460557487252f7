package graphql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"taskledger/app"
	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
)

// Code is the extensions.code of an API error.
type Code string

// The error codes.
const (
	// CodeInvalidArgument: the request is malformed or refused as input
	// (also unparsable documents, failed validation and exceeded limits).
	CodeInvalidArgument Code = "INVALID_ARGUMENT"
	// CodeNotFound: what the request names does not exist.
	CodeNotFound Code = "NOT_FOUND"
	// CodeConflict: the ledger's current state refuses the change.
	CodeConflict Code = "CONFLICT"
	// CodeForbidden: the token's role or unit may not do this.
	CodeForbidden Code = "FORBIDDEN"
	// CodeUnauthenticated: a token is needed, or the one sent is invalid.
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	// CodeInternal: the server failed; the message says nothing more.
	CodeInternal Code = "INTERNAL"
)

// internalMessage is all a client learns of an internal failure.
const internalMessage = "internal error: the server could not complete the request (it has been logged)"

// apiError is an error with a code, shown to clients as message and
// extensions.code.
type apiError struct {
	code Code
	msg  string
	// kind refines INVALID_ARGUMENT for request errors: syntax,
	// validation or limit.
	kind string
	err  error
}

func (e *apiError) Error() string { return e.msg }
func (e *apiError) Unwrap() error { return e.err }

// Extensions implements graph-gophers' extensions interface.
func (e *apiError) Extensions() map[string]any {
	m := map[string]any{"code": string(e.code)}
	if e.kind != "" {
		m["kind"] = e.kind
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
		return &apiError{code: Code(appErr.Code), msg: appErr.Msg, err: err}, false
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

// queryErrorCode returns a query error's extensions.code, or "".
func queryErrorCode(qe *gqlerrors.QueryError) Code {
	if qe.Extensions == nil {
		return ""
	}
	c, _ := qe.Extensions["code"].(string)
	return Code(c)
}

// requestError builds a response error for a request refused before
// execution.
func requestError(code Code, kind, msg string) *gqlerrors.QueryError {
	ext := map[string]any{"code": string(code)}
	if kind != "" {
		ext["kind"] = kind
	}
	return &gqlerrors.QueryError{Message: msg, Extensions: ext}
}

// isLimitMessage reports whether an engine error is one of its limits
// (depth, length, selections, overlap).
func isLimitMessage(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "depth") || strings.Contains(m, "exceeds the maximum") || strings.Contains(m, "too many selections") || strings.Contains(m, "overlap")
}
