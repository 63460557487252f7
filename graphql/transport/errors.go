package transport

import (
	"strings"
	"unicode/utf8"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	msgs "taskledger/internal/msg"
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
	// CodeCostLimited: the operation costs more than the limit (too many
	// fields, or too many distinct as-of moments); it was refused before
	// it ran. Its kind is "limit".
	CodeCostLimited Code = "GRAPHQL_COST_LIMITED"
)

// Bounds on what an error response holds, so that no response echoes
// unbounded input back: at most MaxErrors errors (the last saying how many
// more were left out), each message at most MaxErrorMessageBytes (cut at a
// character boundary, ending in "…"; so is extensions.messageZH) with at
// most MaxErrorLocations locations.
const (
	MaxErrors            = 20
	MaxErrorMessageBytes = 1024
	MaxErrorLocations    = 8
)

// boundErrors applies MaxErrors, MaxErrorMessageBytes and
// MaxErrorLocations to a response's errors, in place where it can; the
// error that counts those left out is worded in lang.
func boundErrors(errs []*gqlerrors.QueryError, lang msgs.Lang) []*gqlerrors.QueryError {
	if len(errs) > MaxErrors {
		left := len(errs) - (MaxErrors - 1)
		code := queryErrorCode(errs[0])
		if code == "" {
			code = CodeInvalidArgument
		}
		more := catalogued(lang, code, "", refusal{msgs.APIErrorsOmitted, msgs.Args{"Count": left}})
		more.Extensions["omitted"] = left
		errs = append(errs[:MaxErrors-1:MaxErrors-1], more)
	}
	for _, e := range errs {
		e.Message = truncateText(e.Message, MaxErrorMessageBytes)
		if zh, ok := e.Extensions["messageZH"].(string); ok {
			e.Extensions["messageZH"] = truncateText(zh, MaxErrorMessageBytes)
		}
		if len(e.Locations) > MaxErrorLocations {
			e.Locations = e.Locations[:MaxErrorLocations]
		}
	}
	return errs
}

// truncateText cuts s to at most max bytes at a UTF-8 character boundary,
// ending it with "…" when it was cut.
func truncateText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	cut := max - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// internalError is all a client learns of an internal failure: the
// catalogue's message (the failure itself is logged), in lang.
func internalError(lang msgs.Lang) *gqlerrors.QueryError {
	return catalogued(lang, CodeInternal, "", refusal{key: msgs.LedgerInternal})
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

// refusal is a request error worded from the message catalogue: a key
// and the arguments of its placeholders.
type refusal struct {
	key  msgs.Key
	args msgs.Args
}

// catalogued builds the response error of a request refused before
// execution, worded in lang, with extensions.messageCode and
// extensions.messageZH beside code and kind.
func catalogued(lang msgs.Lang, code Code, kind string, r refusal) *gqlerrors.QueryError {
	qe := requestError(code, kind, msgs.Text(lang, r.key, r.args))
	addCatalogue(qe, r)
	return qe
}

// addCatalogue adds a message's code and Chinese text to an error's
// extensions.
func addCatalogue(qe *gqlerrors.QueryError, r refusal) {
	if qe.Extensions == nil {
		qe.Extensions = map[string]any{}
	}
	qe.Extensions["messageCode"] = string(r.key)
	qe.Extensions["messageZH"] = msgs.Text(msgs.ZH, r.key, r.args)
}

// documentRefusal wraps the parser's or engine's own English wording of a
// refused document in the catalogue message of its kind.
func documentRefusal(kind, detail string) refusal {
	key := msgs.APIQueryInvalid
	switch kind {
	case "syntax":
		key = msgs.APIQuerySyntax
	case "limit":
		key = msgs.APIQueryLimit
	}
	return refusal{key, msgs.Args{"Detail": detail}}
}
