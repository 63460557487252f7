package domain

import (
	"errors"
	"fmt"
)

// ErrorCode classifies a domain error for callers such as the GraphQL API,
// which maps it to an error extension code or an HTTP status.
type ErrorCode string

// The error codes. Every *Error carries exactly one.
const (
	// InvalidArgument: the command itself is malformed (bad ID, date,
	// percentage, missing field…). Retrying it unchanged cannot succeed.
	InvalidArgument ErrorCode = "INVALID_ARGUMENT"
	// NotFound: the aggregate, milestone, finding or scheme the command
	// refers to does not exist.
	NotFound ErrorCode = "NOT_FOUND"
	// Conflict: the command is well-formed but the aggregate's current state
	// refuses it (already registered, withdrawn, already verified…).
	Conflict ErrorCode = "CONFLICT"
	// Forbidden: the acting unit may not do this (it does not hold the
	// obligation).
	Forbidden ErrorCode = "FORBIDDEN"
)

// Error is a typed domain error. The sentinel values below are *Error too;
// a decision returns a fresh *Error with a specific message whose kind is
// one sentinel, so both errors.Is(err, ErrWithdrawn) and
// errors.As(err, &domainErr) work, also through fmt.Errorf("…: %w") wrapping.
type Error struct {
	// Code classifies the error.
	Code ErrorCode
	// Msg is a human-readable explanation, safe to show to the caller.
	Msg string
	// kind is the sentinel this error is an instance of; nil for a sentinel.
	kind *Error
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel this error is an instance of, if any.
func (e *Error) Unwrap() error {
	if e.kind == nil {
		return nil
	}
	return e.kind
}

// Kind returns the sentinel this error is an instance of, or e itself when
// e is a sentinel.
func (e *Error) Kind() *Error {
	if e.kind == nil {
		return e
	}
	return e.kind
}

func sentinel(code ErrorCode, msg string) *Error { return &Error{Code: code, Msg: msg} }

// errorf returns a new *Error of the given kind with a formatted message.
func errorf(kind *Error, format string, args ...any) *Error {
	return &Error{Code: kind.Code, Msg: fmt.Sprintf(format, args...), kind: kind}
}

// CodeOf returns the code of the first *Error in err's chain, or "" when
// err is nil or not a domain error (an internal failure).
func CodeOf(err error) ErrorCode {
	var de *Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}

// Sentinel errors, for errors.Is. Grouped by code.
var (
	// ErrInvalidArgument is the generic malformed-command error (missing or
	// oversized text, bad metric, bad JSON document…).
	ErrInvalidArgument = sentinel(InvalidArgument, "invalid argument")
	// ErrInvalidID: a PlanID, UnitID or MilestoneID is malformed.
	ErrInvalidID = sentinel(InvalidArgument, "invalid identifier")
	// ErrInvalidDate: a date or month is malformed or out of range.
	ErrInvalidDate = sentinel(InvalidArgument, "invalid date")
	// ErrInvalidRole: a role is not LEAD, JOINT, SUPPORT or IMPLEMENTING.
	ErrInvalidRole = sentinel(InvalidArgument, "invalid role")
	// ErrInvalidUnitKind: a unit kind is not bureau, county, body or city.
	ErrInvalidUnitKind = sentinel(InvalidArgument, "invalid unit kind")
	// ErrInvalidTaskNo: a task number is not positive.
	ErrInvalidTaskNo = sentinel(InvalidArgument, "invalid task number")
	// ErrInvalidProgress: a percentage outside 0–100, or a report lowering
	// progress without a note explaining the correction.
	ErrInvalidProgress = sentinel(InvalidArgument, "invalid progress")
	// ErrInvalidIndicator: an indicator metric, period or value is invalid,
	// or the unit is not a county.
	ErrInvalidIndicator = sentinel(InvalidArgument, "invalid indicator measurement")
	// ErrExtensionNotLater: an extension does not move the due date later.
	ErrExtensionNotLater = sentinel(InvalidArgument, "extension does not move the due date later")
	// ErrNoChange: a rename, reschedule or amendment changes nothing.
	ErrNoChange = sentinel(InvalidArgument, "nothing would change")
	// ErrSelfMerge: a unit cannot be merged into itself.
	ErrSelfMerge = sentinel(InvalidArgument, "a unit cannot be merged into itself")

	// ErrNotFound: the aggregate has not been registered or assigned.
	ErrNotFound = sentinel(NotFound, "not found")
	// ErrUnknownMilestone: the obligation has no milestone with that ID.
	ErrUnknownMilestone = sentinel(NotFound, "unknown milestone")
	// ErrUnknownFinding: the obligation has no finding with that number.
	ErrUnknownFinding = sentinel(NotFound, "unknown finding")
	// ErrUnknownScheme: the plan has not adopted that scoring scheme version.
	ErrUnknownScheme = sentinel(NotFound, "unknown scoring scheme")

	// ErrAlreadyExists: a registration, assignment, milestone, scheme
	// adoption, scorecard or measurement that is already recorded.
	ErrAlreadyExists = sentinel(Conflict, "already exists")
	// ErrWithdrawn: the responsibility was withdrawn (or reassigned to
	// another unit or role); nothing more happens to it until it is
	// assigned again.
	ErrWithdrawn = sentinel(Conflict, "responsibility withdrawn")
	// ErrAlreadyVerified: the completion was already verified.
	ErrAlreadyVerified = sentinel(Conflict, "completion already verified")
	// ErrObligationClosed: the obligation is verified complete and takes no
	// more reports, claims, extensions or milestones.
	ErrObligationClosed = sentinel(Conflict, "obligation closed")
	// ErrNoPendingExtension: grant or refuse without a pending request.
	ErrNoPendingExtension = sentinel(Conflict, "no pending extension request")
	// ErrExtensionPending: a request while another is still pending.
	ErrExtensionPending = sentinel(Conflict, "an extension request is already pending")
	// ErrNoClaim: verify or reject without a pending completion claim.
	ErrNoClaim = sentinel(Conflict, "no pending completion claim")
	// ErrClaimPending: a completion claim while the same claim is pending.
	ErrClaimPending = sentinel(Conflict, "a completion claim is already pending")
	// ErrNotYetDue: a deadline slip recorded before the due date has ended.
	ErrNotYetDue = sentinel(Conflict, "milestone not yet due")
	// ErrMerged: the unit has been merged into another and is read-only.
	ErrMerged = sentinel(Conflict, "unit merged")
	// ErrAlreadyRectified: the finding's rectification is already complete.
	ErrAlreadyRectified = sentinel(Conflict, "rectification already completed")
	// ErrNoRectification: no rectification was required for the finding.
	ErrNoRectification = sentinel(Conflict, "no rectification required")

	// ErrNotHolder: the acting unit does not hold the obligation.
	ErrNotHolder = sentinel(Forbidden, "acting unit does not hold this obligation")
)

// ErrUnexpectedEvent is returned by Apply when an event does not belong to
// the aggregate (wrong type, wrong identity, out-of-order version). It means
// a corrupt or misrouted stream, not a bad command, so it is not an *Error.
var ErrUnexpectedEvent = errors.New("unexpected event")
