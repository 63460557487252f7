package app

import (
	"errors"
	"slices"

	"taskledger/domain"
	"taskledger/internal/msg"
)

// Code classifies an error of the application layer. Every door shows it:
// the API as extensions.code, the CLI in its message.
type Code string

// The codes. Domain errors keep their own codes (domain.ErrorCode), which
// use the same words.
const (
	// InvalidArgument: the input is malformed or refused as input.
	InvalidArgument Code = "INVALID_ARGUMENT"
	// NotFound: what the input names does not exist.
	NotFound Code = "NOT_FOUND"
	// Conflict: the ledger's current state refuses the request.
	Conflict Code = "CONFLICT"
	// Forbidden: the principal may not do this.
	Forbidden Code = "FORBIDDEN"
	// Unauthenticated: the request needs a principal and has none.
	Unauthenticated Code = "UNAUTHENTICATED"
	// IdempotencyConflict: the idempotency key already recorded a
	// different request.
	IdempotencyConflict Code = "IDEMPOTENCY_CONFLICT"
	// LockedOut: too many failed logins; the account is locked for a
	// while.
	LockedOut Code = "LOCKED_OUT"
)

// Error is a refusal by the application layer: a message of the catalogue
// (internal/msg), with its texts in English and in Chinese. Its messages
// are safe to show to the caller.
type Error struct {
	// Code classifies the refusal.
	Code Code
	// Msg says what is wrong, in English.
	Msg string
	// MsgZH says the same in Chinese.
	MsgZH string
	// Key is the message's code in the catalogue (internal/msg), which
	// docs/errors.md lists.
	Key msg.Key
	// Field is the path of the use case input's field the refusal
	// concerns, in the input's own field names in lowerCamel (e.g.
	// ["due"], ["obligation", "unit"]); nil when it concerns the input as
	// a whole. Explain fills it for refusals marked anywhere in an
	// error's chain.
	Field []string
}

// Error returns the English message.
func (e *Error) Error() string { return e.Msg }

// Chinese returns the Chinese message, or the English one when there is
// none.
func (e *Error) Chinese() string {
	if e.MsgZH == "" {
		return e.Msg
	}
	return e.MsgZH
}

// Text returns the message in lang: Chinese unless lang is English.
func (e *Error) Text(lang msg.Lang) string {
	if lang == msg.EN {
		return e.Msg
	}
	return e.Chinese()
}

// fail makes the error of a catalogued message: its code is the entry's
// class, its texts the entry's texts filled with args.
func fail(key msg.Key, args msg.Args) *Error {
	c := msg.Default()
	return &Error{Code: Code(c.ClassOf(key)), Key: key, Msg: c.Text(msg.EN, key, args), MsgZH: c.Text(msg.ZH, key, args)}
}

// at marks e as concerning the input field at path and returns it. Use it
// on a refusal just made (fail), which nothing else shares.
func (e *Error) at(path ...string) *Error {
	e.Field = path
	return e
}

// fieldError marks the error it wraps as concerning the input field at
// path (any path the wrapped error names lies below it).
type fieldError struct {
	path []string
	err  error
}

func (f *fieldError) Error() string { return f.err.Error() }
func (f *fieldError) Unwrap() error { return f.err }

// inField marks err, of any origin (a domain refusal, a helper's), as
// concerning the input field at path; a field err already names becomes
// a part of it (inField(err, "obligation") over ["unit"] names
// ["obligation", "unit"]). An application error stays one (a marked
// copy); a nil err stays nil.
func inField(err error, path ...string) error {
	switch e := err.(type) {
	case nil:
		return nil
	case *Error:
		marked := *e
		marked.Field = append(slices.Clip(path), e.Field...)
		return &marked
	case *fieldError:
		return &fieldError{path: append(slices.Clip(path), e.path...), err: e.err}
	}
	return &fieldError{path: path, err: err}
}

// fieldPath is the input field err concerns: the paths marked along its
// chain, outermost first, down to the application error's own; nil when
// none is marked.
func fieldPath(err error) []string {
	var path []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		if f, ok := e.(*fieldError); ok {
			path = append(path, f.path...)
			continue
		}
		if ae, ok := e.(*Error); ok {
			path = append(path, ae.Field...)
			break
		}
	}
	if len(path) == 0 {
		return nil
	}
	return path
}

// kindFields names, for a use case, the input field each kind of domain
// refusal concerns: refusals the domain makes while deciding (an unknown
// milestone, a due date not later) know no input field of their own.
type kindFields map[*domain.Error][]string

// mark marks err as concerning the field its domain kind names, unless
// err already names a field or concerns no listed kind.
func (m kindFields) mark(err error) error {
	var de *domain.Error
	if err == nil || fieldPath(err) != nil || !errors.As(err, &de) {
		return err
	}
	if path, ok := m[de.Kind()]; ok {
		return inField(err, path...)
	}
	return err
}

// result marks a use case's refusal (mark) and passes its result on.
func (m kindFields) result(res Result, err error) (Result, error) {
	return res, m.mark(err)
}

// CodeOf returns the code of an application or domain error in err's
// chain, or "" for an internal failure.
func CodeOf(err error) Code {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	if c := domain.CodeOf(err); c != "" {
		return Code(c)
	}
	return ""
}
