package transport

import (
	"strings"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"
)

// Code is the extensions.code every error in a response carries.
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

// InternalMessage is all a client learns of an internal failure.
const InternalMessage = "internal error: the server could not complete the request (it has been logged)"

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
