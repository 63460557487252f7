package domain

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// Rectification (整改) of a finding is an obligation of its own: the unit
// reports it done (RectificationCompleted), an inspector verifies it
// (RectificationVerified) or rejects it with reasons
// (RectificationRejected, which leaves it open), an inspector may move its
// date (RectificationDue), and when the date passes unrectified the
// deadline watcher records RectificationSlipped.

// The rectification errors.
var (
	// ErrNotRectified: verify or reject a rectification the unit has not
	// reported.
	ErrNotRectified = sentinel(Conflict, "rectification not reported")
	// ErrRectificationVerified: the rectification is already verified.
	ErrRectificationVerified = sentinel(Conflict, "rectification already verified")
)

// RectificationVerified records that an inspector verified a finding's
// reported rectification. Stream: obligation-….
type RectificationVerified struct {
	ObligationKey
	Finding int    `json:"finding"`
	Note    string `json:"note,omitempty"`
}

// EventType implements EventData.
func (RectificationVerified) EventType() string { return "RectificationVerified" }

// RectificationRejected records that an inspector sent a reported
// rectification back, with reasons; the rectification is open again.
// Stream: obligation-….
type RectificationRejected struct {
	ObligationKey
	Finding int    `json:"finding"`
	Reason  string `json:"reason"`
}

// EventType implements EventData.
func (RectificationRejected) EventType() string { return "RectificationRejected" }

// RectificationSlipped records that a finding's rectification date (Due)
// passed without a rectification reported by then. Stream: obligation-….
type RectificationSlipped struct {
	ObligationKey
	Finding int  `json:"finding"`
	Due     Date `json:"due"`
}

// EventType implements EventData.
func (RectificationSlipped) EventType() string { return "RectificationSlipped" }

// RectificationSlip is a recorded RectificationSlipped.
type RectificationSlip struct {
	Due        Date
	RecordedAt time.Time
	EventID    uuid.UUID
}

// VerifyRectification verifies a finding's reported rectification.
type VerifyRectification struct {
	ObligationKey
	Finding int
	Note    string
}

// Validate implements Command.
func (c VerifyRectification) Validate() error {
	return firstErr(c.ValidateKey(), positiveFinding(c.Finding), checkText("note", c.Note, MaxNoteLen, false))
}

// RejectRectification sends a reported rectification back, with reasons.
type RejectRectification struct {
	ObligationKey
	Finding int
	Reason  string
}

// Validate implements Command.
func (c RejectRectification) Validate() error {
	return firstErr(c.ValidateKey(), positiveFinding(c.Finding), checkText("reason", c.Reason, MaxNoteLen, true))
}

// RecordRectificationSlip records RectificationSlipped for a finding whose
// rectification date has passed.
type RecordRectificationSlip struct {
	ObligationKey
	Finding int
}

// Validate implements Command.
func (c RecordRectificationSlip) Validate() error {
	return firstErr(c.ValidateKey(), positiveFinding(c.Finding))
}

func positiveFinding(no int) error {
	if no < 1 {
		return errorf(ErrInvalidArgument, "finding number %d is not positive", no)
	}
	return nil
}

// reportedRectification returns a finding whose rectification was reported
// and awaits review. Errors: ErrUnknownFinding, ErrNoRectification,
// ErrRectificationVerified, ErrNotRectified.
func (o *Obligation) reportedRectification(no int) (*Finding, error) {
	f, err := o.finding(no)
	if err != nil {
		return nil, err
	}
	switch {
	case f.RectifyBy.IsZero():
		return nil, errorf(ErrNoRectification, "finding %d of %s requires no rectification", f.No, o.Key.Path())
	case f.RectificationVerified:
		return nil, errorf(ErrRectificationVerified, "the rectification of finding %d of %s is already verified", f.No, o.Key.Path())
	case !f.Rectified:
		return nil, errorf(ErrNotRectified, "the rectification of finding %d of %s has not been reported", f.No, o.Key.Path())
	}
	return f, nil
}

// VerifyRectification decides a VerifyRectification command. Errors:
// ErrNotFound, ErrWithdrawn, ErrUnknownFinding, ErrNoRectification,
// ErrRectificationVerified, ErrNotRectified.
func (o *Obligation) VerifyRectification(c VerifyRectification, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	if _, err := o.reportedRectification(c.Finding); err != nil {
		return nil, err
	}
	return one(RectificationVerified{ObligationKey: c.ObligationKey, Finding: c.Finding, Note: c.Note})
}

// RejectRectification decides a RejectRectification command; the errors
// are VerifyRectification's.
func (o *Obligation) RejectRectification(c RejectRectification, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	if _, err := o.reportedRectification(c.Finding); err != nil {
		return nil, err
	}
	return one(RectificationRejected{ObligationKey: c.ObligationKey, Finding: c.Finding, Reason: c.Reason})
}

// RectificationSlipDue reports whether a RectificationSlipped is due for
// finding f at t: its rectification date has ended, no rectification was
// reported before it ended, and no slip at that date is on record.
func (f Finding) RectificationSlipDue(t time.Time) bool {
	if f.RectifyBy.IsZero() || !f.RectifyBy.PassedAt(t) {
		return false
	}
	if f.Rectified && f.RectifiedAt.Before(f.RectifyBy.EndOf()) {
		return false
	}
	for _, s := range f.RectificationSlips {
		if s.Due == f.RectifyBy {
			return false
		}
	}
	return true
}

// RecordRectificationSlip decides a RecordRectificationSlip command: no
// events when no slip is due (see Finding.RectificationSlipDue), so the
// watcher can call it repeatedly. Errors: ErrNotFound, ErrUnknownFinding,
// ErrNoRectification, ErrNotYetDue.
func (o *Obligation) RecordRectificationSlip(c RecordRectificationSlip, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), o.routed(c.ObligationKey)); err != nil {
		return nil, err
	}
	if !o.Assigned() {
		return nil, errorf(ErrNotFound, "obligation %s is not assigned", c.Path())
	}
	f, err := o.finding(c.Finding)
	if err != nil {
		return nil, err
	}
	if f.RectifyBy.IsZero() {
		return nil, errorf(ErrNoRectification, "finding %d of %s requires no rectification", f.No, o.Key.Path())
	}
	if !f.RectifyBy.PassedAt(m.Now) {
		return nil, errorf(ErrNotYetDue, "the rectification of finding %d of %s is due %s", f.No, o.Key.Path(), f.RectifyBy)
	}
	if !f.RectificationSlipDue(m.Now) {
		return nil, nil
	}
	return one(RectificationSlipped{ObligationKey: c.ObligationKey, Finding: c.Finding, Due: f.RectifyBy})
}

// foldRectificationReview applies a verification or rejection.
func (o *Obligation) foldRectificationReview(data EventData, no int, verified bool, reason string, s stamp) error {
	// Copies of the aggregate share the slice: change a fresh one.
	o.Findings = slices.Clone(o.Findings)
	f, err := o.findingNamed(data, no)
	if err != nil {
		return err
	}
	if verified {
		f.RectificationVerified, f.RectificationVerifiedAt, f.RectificationVerifiedEventID = true, s.at, s.id
		return nil
	}
	f.Rectified, f.RectifiedAt, f.RectifiedEventID = false, time.Time{}, uuid.UUID{}
	f.RectificationRejections++
	f.RectificationRejectedReason, f.RectificationRejectedEventID = reason, s.id
	return nil
}

// foldRectificationSlipped records a missed rectification date.
func (o *Obligation) foldRectificationSlipped(d RectificationSlipped, s stamp) error {
	o.Findings = slices.Clone(o.Findings)
	f, err := o.findingNamed(d, d.Finding)
	if err != nil {
		return err
	}
	f.RectificationSlips = append(f.RectificationSlips, RectificationSlip{Due: d.Due, RecordedAt: s.recorded, EventID: s.id})
	return nil
}
