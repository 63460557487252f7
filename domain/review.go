package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Review (审核) on an obligation: work sent back for revision (退回修改),
// the comment thread, and the lead unit's sign-off of a supporting part.
//
// A send-back names the obligation's latest progress report or its
// pending completion claim. While it awaits resubmission the obligation's
// status is sent_back. The unit resubmits a report by reporting again (the
// next report is the revision) and a claim by claiming again. A claim sent
// back is no longer pending, like a rejected one: it cannot be verified
// and does not count as completion. A report sent back is marked returned;
// scoring no longer counts it as reporting (see docs/scoring.md).
//
// A supporting (SUPPORT) part is signed off by the task's lead unit after
// the supporter has reported or claimed; a send-back withdraws the
// sign-off, so a revised part is signed off again.

// StatusSentBack: work was sent back for revision (退回修改) and the
// unit has not resubmitted it yet; a pending claim or a verified
// completion takes precedence.
const StatusSentBack ObligationStatus = "sent_back"

// MaxCommentLen bounds a comment's text, in characters.
const MaxCommentLen = 2000

// SendBackTarget says what a send-back returns: a report or a claim.
type SendBackTarget string

// The send-back targets.
const (
	// SendBackReport returns a progress report (by its number).
	SendBackReport SendBackTarget = "report"
	// SendBackClaim returns the pending completion claim.
	SendBackClaim SendBackTarget = "claim"
)

// Validate reports whether t is a defined target.
func (t SendBackTarget) Validate() error {
	switch t {
	case SendBackReport, SendBackClaim:
		return nil
	}
	return errorf(ErrInvalidArgument, "send-back target %q is not report or claim", string(t))
}

// The review errors.
var (
	// ErrUnknownReport: the obligation has no report of that number.
	ErrUnknownReport = sentinel(NotFound, "unknown report")
	// ErrUnknownComment: a reply names a comment the thread does not hold.
	ErrUnknownComment = sentinel(NotFound, "unknown comment")
	// ErrNotLatestReport: a send-back names a report other than the latest.
	ErrNotLatestReport = sentinel(Conflict, "only the latest report can be sent back")
	// ErrSentBackPending: the obligation already awaits a resubmission.
	ErrSentBackPending = sentinel(Conflict, "work already sent back and awaiting resubmission")
	// ErrNothingToSignOff: sign-off of a part with no report or claim yet.
	ErrNothingToSignOff = sentinel(Conflict, "nothing reported or claimed to sign off")
	// ErrAlreadySignedOff: the part is already signed off.
	ErrAlreadySignedOff = sentinel(Conflict, "part already signed off")
	// ErrNotSupporting: sign-off of a duty that is not a SUPPORT duty.
	ErrNotSupporting = sentinel(InvalidArgument, "only a supporting duty is signed off")
	// ErrOwnWork: a unit sending back or signing off its own work.
	ErrOwnWork = sentinel(Forbidden, "a unit cannot review its own work")
)

// WorkSentBack records work sent back for revision (退回修改): the report
// numbered Report (from 1, in recording order) or the pending claim (of
// Milestone, or of the whole obligation when it is empty). By is the lead
// unit that sent it back; empty when an inspector or the office did (the
// envelope's actor says who). Stream: obligation-….
type WorkSentBack struct {
	ObligationKey
	Target    SendBackTarget `json:"target"`
	Report    int            `json:"report,omitempty"`
	Milestone MilestoneID    `json:"milestone,omitempty"`
	Reasons   string         `json:"reasons"`
	By        UnitID         `json:"by,omitempty"`
}

// EventType implements EventData.
func (WorkSentBack) EventType() string { return "WorkSentBack" }

// CommentPosted records comment number Comment (from 1) on the
// obligation's thread, optionally a reply to an earlier one. By is the
// unit the author acts for; empty for inspectors, the office and the
// committee. Stream: obligation-….
type CommentPosted struct {
	ObligationKey
	Comment int    `json:"comment"`
	Text    string `json:"text"`
	ReplyTo int    `json:"reply_to,omitempty"`
	By      UnitID `json:"by,omitempty"`
}

// EventType implements EventData.
func (CommentPosted) EventType() string { return "CommentPosted" }

// PartSignedOff records the task's lead unit By signing off this
// supporting duty's part (签收). Stream: obligation-….
type PartSignedOff struct {
	ObligationKey
	By   UnitID `json:"by"`
	Note string `json:"note,omitempty"`
}

// EventType implements EventData.
func (PartSignedOff) EventType() string { return "PartSignedOff" }

// SendBack is one recorded send-back.
type SendBack struct {
	Target    SendBackTarget
	Report    int
	Milestone MilestoneID
	Reasons   string
	By        UnitID
	Actor     string
	// EventID is the WorkSentBack event, RecordedAt its recorded time.
	EventID    uuid.UUID
	RecordedAt time.Time
	// ResubmittedEventID is the report or claim that answered it, and
	// ResubmittedAt when it was recorded; zero while awaited.
	ResubmittedEventID uuid.UUID
	ResubmittedAt      time.Time
}

// Comment is one comment of an obligation's thread.
type Comment struct {
	No         int
	Text       string
	ReplyTo    int
	By         UnitID
	Actor      string
	EventID    uuid.UUID
	RecordedAt time.Time
}

// SignOff is the lead unit's sign-off of a supporting part.
type SignOff struct {
	By         UnitID
	Note       string
	Actor      string
	EventID    uuid.UUID
	RecordedAt time.Time
}

// Review is an obligation's review state.
type Review struct {
	// SendBacks lists every send-back, in order; Pending is the index+1
	// of the one awaiting resubmission, 0 when none is.
	SendBacks []SendBack
	Pending   int
	// Comments is the thread, in order.
	Comments []Comment
	// SignOff is the current sign-off; nil when the part is not signed
	// off, or was sent back since.
	SignOff *SignOff
}

// PendingSendBack returns the send-back awaiting resubmission, if any.
func (r Review) PendingSendBack() (SendBack, bool) {
	if r.Pending == 0 {
		return SendBack{}, false
	}
	return r.SendBacks[r.Pending-1], true
}

// Submitted reports whether the unit has anything for a lead to sign
// off: a progress report, or a completion claim pending or verified.
func (o *Obligation) Submitted() bool {
	if o.Reports > 0 || o.Completion == ClaimPending || o.Completion == ClaimVerified {
		return true
	}
	for _, m := range o.Milestones {
		if m.Completion == ClaimPending || m.Completion == ClaimVerified {
			return true
		}
	}
	return false
}

// ---- commands ----

// SendBackWork sends a report or the pending claim back for revision.
// ActingUnit is the lead unit sending it back (empty for an inspector or
// the office); it may not be the obligation's own unit.
type SendBackWork struct {
	ObligationKey
	ActingUnit UnitID
	Target     SendBackTarget
	// Report is the report's number; 0 means the latest.
	Report    int
	Milestone MilestoneID
	Reasons   string
}

// Validate implements Command.
func (c SendBackWork) Validate() error {
	var report error
	if c.Report < 0 {
		report = errorf(ErrInvalidArgument, "report number %d is negative", c.Report)
	}
	if c.Target == SendBackClaim && c.Report != 0 {
		report = errorf(ErrInvalidArgument, "a claim send-back names no report")
	}
	if c.Target == SendBackReport && c.Milestone != "" {
		report = errorf(ErrInvalidArgument, "a report send-back names no milestone")
	}
	return firstErr(c.ValidateKey(), validActing(c.ActingUnit), c.Target.Validate(), report,
		validOptionalMilestone(c.Milestone), checkText("reasons", c.Reasons, MaxNoteLen, true))
}

// PostComment adds a comment to the obligation's thread. ActingUnit is the
// author's unit, if a unit writes.
type PostComment struct {
	ObligationKey
	ActingUnit UnitID
	Text       string
	ReplyTo    int
}

// Validate implements Command.
func (c PostComment) Validate() error {
	var reply error
	if c.ReplyTo < 0 {
		reply = errorf(ErrInvalidArgument, "reply-to comment number %d is negative", c.ReplyTo)
	}
	return firstErr(c.ValidateKey(), validActing(c.ActingUnit), reply, checkText("text", c.Text, MaxCommentLen, true))
}

// SignOffPart records the lead unit ActingUnit signing off this supporting
// duty's part.
type SignOffPart struct {
	ObligationKey
	ActingUnit UnitID
	Note       string
}

// Validate implements Command.
func (c SignOffPart) Validate() error {
	var by error
	if c.ActingUnit == "" {
		by = errorf(ErrInvalidArgument, "a sign-off names the lead unit")
	}
	return firstErr(c.ValidateKey(), by, validActing(c.ActingUnit), checkText("note", c.Note, MaxNoteLen, false))
}

// ---- decisions ----

// notOwn refuses a review by the obligation's own unit.
func (o *Obligation) notOwn(by UnitID, what string) error {
	if by != "" && by == o.Key.Unit {
		return errorf(ErrOwnWork, "unit %s cannot %s its own obligation %s", by, what, o.Key.Path())
	}
	return nil
}

// SendBackWork decides a SendBackWork command. Errors: ErrNotFound,
// ErrWithdrawn, ErrObligationClosed, ErrOwnWork, ErrSentBackPending,
// ErrUnknownReport, ErrNotLatestReport, ErrUnknownMilestone,
// ErrAlreadyVerified, ErrNoClaim.
func (o *Obligation) SendBackWork(c SendBackWork, m Meta) ([]EventData, error) {
	if err := firstErr(o.precheck(c, c.ObligationKey, "", m), o.open(), o.notOwn(c.ActingUnit, "send back")); err != nil {
		return nil, err
	}
	if p, ok := o.Review.PendingSendBack(); ok {
		return nil, errorf(ErrSentBackPending, "obligation %s already has its %s sent back, awaiting resubmission", o.Key.Path(), p.Target)
	}
	ev := WorkSentBack{ObligationKey: c.ObligationKey, Target: c.Target, Milestone: c.Milestone, Reasons: c.Reasons, By: c.ActingUnit}
	if c.Target == SendBackClaim {
		if err := o.pendingClaim(c.Milestone); err != nil {
			return nil, err
		}
		return one(ev)
	}
	n := o.PeriodReports.Len()
	switch {
	case n == 0 || c.Report > n:
		return nil, errorf(ErrUnknownReport, "obligation %s has %d reports, no report %d", o.Key.Path(), n, max(c.Report, 1))
	case c.Report != 0 && c.Report != n:
		return nil, errorf(ErrNotLatestReport, "report %d of %s is not its latest (%d)", c.Report, o.Key.Path(), n)
	}
	ev.Report = n
	return one(ev)
}

// PostComment decides a PostComment command. Errors: ErrNotFound,
// ErrWithdrawn, ErrUnknownComment.
func (o *Obligation) PostComment(c PostComment, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	if c.ReplyTo > len(o.Review.Comments) {
		return nil, errorf(ErrUnknownComment, "obligation %s has %d comments, no comment %d", o.Key.Path(), len(o.Review.Comments), c.ReplyTo)
	}
	return one(CommentPosted{ObligationKey: c.ObligationKey, Comment: len(o.Review.Comments) + 1, Text: c.Text, ReplyTo: c.ReplyTo, By: c.ActingUnit})
}

// SignOffPart decides a SignOffPart command. Errors: ErrNotFound,
// ErrWithdrawn, ErrNotSupporting, ErrOwnWork, ErrSentBackPending,
// ErrNothingToSignOff, ErrAlreadySignedOff.
func (o *Obligation) SignOffPart(c SignOffPart, m Meta) ([]EventData, error) {
	if err := firstErr(o.precheck(c, c.ObligationKey, "", m), o.notOwn(c.ActingUnit, "sign off")); err != nil {
		return nil, err
	}
	switch {
	case o.Key.Role != RoleSupport:
		return nil, errorf(ErrNotSupporting, "obligation %s is a %s duty, not a supporting one", o.Key.Path(), o.Key.Role)
	case o.Review.Pending != 0:
		return nil, errorf(ErrSentBackPending, "obligation %s was sent back and awaits resubmission", o.Key.Path())
	case o.Review.SignOff != nil:
		return nil, errorf(ErrAlreadySignedOff, "obligation %s is already signed off by %s", o.Key.Path(), o.Review.SignOff.By)
	case !o.Submitted():
		return nil, errorf(ErrNothingToSignOff, "obligation %s has no report or claim to sign off", o.Key.Path())
	}
	return one(PartSignedOff{ObligationKey: c.ObligationKey, By: c.ActingUnit, Note: c.Note})
}

// ---- fold ----

// foldReview applies a review payload of event e; handled is false for
// any other payload.
func (o *Obligation) foldReview(e *Event, s stamp, data EventData) (handled bool, err error) {
	switch d := data.(type) {
	case WorkSentBack:
		return true, o.foldSentBack(d, e.Actor, s)
	case CommentPosted:
		return true, o.foldComment(d, e.Actor, s)
	case PartSignedOff:
		o.Review.SignOff = &SignOff{By: d.By, Note: d.Note, Actor: e.Actor, EventID: s.id, RecordedAt: s.recorded}
		return true, nil
	}
	return false, nil
}

// foldSentBack records a send-back: a returned report is marked, a
// returned claim stops pending (as a rejected one does), and any sign-off
// is withdrawn.
func (o *Obligation) foldSentBack(d WorkSentBack, actor string, s stamp) error {
	switch d.Target {
	case SendBackReport:
		if d.Report < 1 || d.Report > o.PeriodReports.Len() {
			return fmt.Errorf("obligation %s: WorkSentBack names unknown report %d: %w", o.Key.Path(), d.Report, ErrUnexpectedEvent)
		}
		// The read side shares the reports with views: Update changes a copy.
		o.PeriodReports.Update(d.Report-1, func(r *PeriodReport) {
			r.ReturnedEventID, r.ReturnedAt = s.id, InstantOf(s.recorded)
		})
	case SendBackClaim:
		if err := o.foldRejected(CompletionRejected{ObligationKey: d.ObligationKey, Milestone: d.Milestone}); err != nil {
			return err
		}
	}
	o.Review.SendBacks = append(o.Review.SendBacks, SendBack{
		Target: d.Target, Report: d.Report, Milestone: d.Milestone, Reasons: d.Reasons, By: d.By, Actor: actor, EventID: s.id, RecordedAt: s.recorded,
	})
	o.Review.Pending = len(o.Review.SendBacks)
	o.Review.SignOff = nil
	return nil
}

// resubmitted marks the pending send-back of target answered by event s.
func (o *Obligation) resubmitted(target SendBackTarget, s stamp) {
	if o.Review.Pending == 0 {
		return
	}
	if o.Review.SendBacks[o.Review.Pending-1].Target != target {
		return
	}
	o.Review.SendBacks = slices.Clone(o.Review.SendBacks)
	sb := &o.Review.SendBacks[o.Review.Pending-1]
	sb.ResubmittedEventID, sb.ResubmittedAt = s.id, s.recorded
	o.Review.Pending = 0
}

// foldComment adds the next comment of the thread.
func (o *Obligation) foldComment(d CommentPosted, actor string, s stamp) error {
	if d.Comment != len(o.Review.Comments)+1 || d.ReplyTo >= d.Comment {
		return fmt.Errorf("obligation %s: comment %d out of sequence: %w", o.Key.Path(), d.Comment, ErrUnexpectedEvent)
	}
	o.Review.Comments = append(o.Review.Comments, Comment{
		No: d.Comment, Text: d.Text, ReplyTo: d.ReplyTo, By: d.By, Actor: actor, EventID: s.id, RecordedAt: s.recorded,
	})
	return nil
}

// SendBackLabel names a send-back target in Chinese: 进展报告 or 完成申报.
func SendBackLabel(t SendBackTarget) string {
	if t == SendBackClaim {
		return "完成申报"
	}
	return "进展报告"
}
