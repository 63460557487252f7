package app

import (
	"errors"

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
