package app

import (
	"context"
	"errors"
	"slices"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/internal/msg"
)

// domainKeys names the catalogue code of each kind of domain error.
var domainKeys = map[*domain.Error]msg.Key{
	domain.ErrInvalidArgument:       msg.DomainInvalidArgument,
	domain.ErrInvalidID:             msg.DomainInvalidID,
	domain.ErrInvalidDate:           msg.DomainInvalidDate,
	domain.ErrInvalidRole:           msg.DomainInvalidRole,
	domain.ErrInvalidUnitKind:       msg.DomainInvalidUnitKind,
	domain.ErrInvalidTaskNo:         msg.DomainInvalidTaskNo,
	domain.ErrInvalidProgress:       msg.DomainInvalidProgress,
	domain.ErrInvalidIndicator:      msg.DomainInvalidIndicator,
	domain.ErrExtensionNotLater:     msg.DomainExtensionNotLater,
	domain.ErrNoChange:              msg.DomainNoChange,
	domain.ErrSelfMerge:             msg.DomainSelfMerge,
	domain.ErrNotSupporting:         msg.DomainNotSupporting,
	domain.ErrNotFound:              msg.DomainNotFound,
	domain.ErrUnknownMilestone:      msg.DomainUnknownMilestone,
	domain.ErrUnknownFinding:        msg.DomainUnknownFinding,
	domain.ErrUnknownScheme:         msg.DomainUnknownScheme,
	domain.ErrUnknownAppeal:         msg.DomainUnknownAppeal,
	domain.ErrUnknownAppealTarget:   msg.DomainUnknownAppealTarget,
	domain.ErrUnknownReport:         msg.DomainUnknownReport,
	domain.ErrUnknownComment:        msg.DomainUnknownComment,
	domain.ErrAlreadyExists:         msg.DomainAlreadyExists,
	domain.ErrWithdrawn:             msg.DomainWithdrawn,
	domain.ErrAlreadyVerified:       msg.DomainAlreadyVerified,
	domain.ErrObligationClosed:      msg.DomainObligationClosed,
	domain.ErrNoPendingExtension:    msg.DomainNoPendingExtension,
	domain.ErrExtensionPending:      msg.DomainExtensionPending,
	domain.ErrNoClaim:               msg.DomainNoClaim,
	domain.ErrClaimPending:          msg.DomainClaimPending,
	domain.ErrNotYetDue:             msg.DomainNotYetDue,
	domain.ErrMerged:                msg.DomainMerged,
	domain.ErrAlreadyRectified:      msg.DomainAlreadyRectified,
	domain.ErrNoRectification:       msg.DomainNoRectification,
	domain.ErrNotRectified:          msg.DomainNotRectified,
	domain.ErrRectificationVerified: msg.DomainRectificationVerified,
	domain.ErrAppealPending:         msg.DomainAppealPending,
	domain.ErrAppealRuled:           msg.DomainAppealRuled,
	domain.ErrAppealWindowClosed:    msg.DomainAppealWindowClosed,
	domain.ErrNotLatestReport:       msg.DomainNotLatestReport,
	domain.ErrSentBackPending:       msg.DomainSentBackPending,
	domain.ErrNothingToSignOff:      msg.DomainNothingToSignOff,
	domain.ErrAlreadySignedOff:      msg.DomainAlreadySignedOff,
	domain.ErrNotHolder:             msg.DomainNotHolder,
	domain.ErrOwnWork:               msg.DomainOwnWork,
}

// domainClassKeys is the code of a domain error whose kind domainKeys
// does not list.
var domainClassKeys = map[domain.ErrorCode]msg.Key{
	domain.InvalidArgument: msg.DomainInvalidArgument,
	domain.NotFound:        msg.DomainNotFound,
	domain.Conflict:        msg.DomainConflict,
	domain.Forbidden:       msg.DomainForbidden,
}

// Explain words the refusal err carries for a person, from the catalogue:
// an application error as it is; a domain error under its kind's code,
// in Chinese from the catalogue followed by the domain's own, more
// specific sentence in parentheses, and in English with that sentence; the command and store errors a caller can act on
// (a missing or reused idempotency key, contention, a timeout). Its Field
// is the input field the refusal concerns, as marked along err's chain.
// It returns nil for an internal failure, which no door explains beyond
// "internal error".
func Explain(err error) *Error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		if path := fieldPath(err); !slices.Equal(path, ae.Field) {
			marked := *ae
			marked.Field = path
			return &marked
		}
		return ae
	}
	var de *domain.Error
	if errors.As(err, &de) {
		key, ok := domainKeys[de.Kind()]
		if !ok {
			key = domainClassKeys[de.Code]
		}
		e := fail(key, nil)
		e.Code, e.Msg, e.Field = Code(de.Code), de.Msg, fieldPath(err)
		if de.Kind() != de && de.Msg != de.Kind().Msg {
			// The domain's sentence names what it refused (an id, a
			// date): the Chinese text quotes it rather than lose it.
			e.MsgZH += "（" + de.Msg + "）"
		}
		return e
	}
	switch {
	case errors.Is(err, command.ErrNoIdempotencyKey):
		return fail(msg.IdempotencyKeyRequired, nil)
	case errors.Is(err, command.ErrIdempotencyConflict):
		return fail(msg.IdempotencyKeyReused, nil)
	case errors.Is(err, command.ErrContention), errors.Is(err, eventstore.ErrWrongExpectedVersion):
		return fail(msg.LedgerContention, nil)
	case errors.Is(err, eventstore.ErrDuplicateMismatch):
		return fail(msg.LedgerDuplicateMismatch, nil)
	case errors.Is(err, context.DeadlineExceeded):
		return fail(msg.LedgerTimeout, nil)
	case errors.Is(err, context.Canceled):
		return fail(msg.LedgerCancelled, nil)
	}
	return nil
}
