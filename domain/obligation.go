package domain

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// ObligationKey identifies one unit's duty on one task: task × unit × role.
// Embedded in every obligation command and event; its JSON fields are
// "plan", "task", "unit" and "role".
type ObligationKey struct {
	Plan PlanID `json:"plan"`
	Task TaskNo `json:"task"`
	Unit UnitID `json:"unit"`
	Role Role   `json:"role"`
	// Part tells apart two duties of the same unit in the same role on one
	// task, which the plan gives in separate brackets, each with its own
	// text: 0 for the first (or only) one, else the number of the bracket
	// (2 and up) that gives it. Existing keys have Part 0, so their stream
	// names and events are unchanged.
	Part int `json:"part,omitempty"`
}

// MaxPart bounds ObligationKey.Part.
const MaxPart = 999

// Stream returns the obligation's stream name. Commands that embed the key
// implement Command.Stream through it.
func (k ObligationKey) Stream() string {
	return ObligationPartStream(k.Plan, k.Task, k.Unit, k.Role, k.Part)
}

// Key returns k itself. Every obligation event embeds its ObligationKey,
// which serialises as the event's leading plan, task, unit and role fields
// and, through this method, implements ObligationEvent.Key.
func (k ObligationKey) Key() ObligationKey { return k }

// Path returns a readable form, e.g. "chifeng-air/10/bureau.transport/LEAD".
// (It is not String, which embedding would promote to every command and
// event and so hide their fields from fmt.)
func (k ObligationKey) Path() string {
	path := string(k.Plan) + "/" + strconv.Itoa(int(k.Task)) + "/" + string(k.Unit) + "/" + string(k.Role)
	if k.Part > 0 {
		path += "/part" + strconv.Itoa(k.Part)
	}
	return path
}

// ValidateKey checks every part of the key.
func (k ObligationKey) ValidateKey() error {
	return firstErr(k.Plan.Validate(), k.Task.Validate(), k.Unit.Validate(), k.Role.Validate(), validatePart(k.Part))
}

// validatePart accepts 0 (the first duty) and bracket numbers 2…MaxPart.
func validatePart(n int) error {
	if n == 0 || (n >= 2 && n <= MaxPart) {
		return nil
	}
	return errorf(ErrInvalidArgument, "duty part %d: want 0 or 2–%d", n, MaxPart)
}

// ObligationStatus is an obligation's state as the ledger knows it.
// "Overdue" is not a status: it depends on the clock and is computed by the
// read side (see Obligation.Overdue).
type ObligationStatus string

// The obligation statuses. For an assigned, not withdrawn obligation the
// first that applies wins: verified, completion_claimed, sent_back
// (review.go), rejected, extended, open.
const (
	// StatusUnassigned (the empty string): no ResponsibilityAssigned yet;
	// the zero Obligation's status.
	StatusUnassigned ObligationStatus = ""
	// StatusOpen: assigned, nothing below applies.
	StatusOpen ObligationStatus = "open"
	// StatusExtended: open, and some milestone's due date was extended.
	StatusExtended ObligationStatus = "extended"
	// StatusCompletionClaimed: a completion claim (of the whole or of a
	// milestone) awaits verification.
	StatusCompletionClaimed ObligationStatus = "completion_claimed"
	// StatusVerified: the whole obligation, or every one of its milestones,
	// is verified complete. The obligation is closed.
	StatusVerified ObligationStatus = "verified"
	// StatusRejected: a claim (of the whole or of a milestone) was rejected,
	// has not been claimed again, and no claim is pending; the work is still
	// owed.
	StatusRejected ObligationStatus = "rejected"
	// StatusWithdrawn: the responsibility was withdrawn.
	StatusWithdrawn ObligationStatus = "withdrawn"
	// StatusReassigned: the responsibility passed to another unit or role.
	// Commands treat it as withdrawn.
	StatusReassigned ObligationStatus = "reassigned"
)

// ClaimState is the completion state of a milestone or of the whole
// obligation.
type ClaimState string

// The claim states.
const (
	// ClaimNone (the empty string): never claimed.
	ClaimNone ClaimState = ""
	// ClaimPending: a completion claim awaits verification.
	ClaimPending ClaimState = "claimed"
	// ClaimVerified: the claim was verified. Final.
	ClaimVerified ClaimState = "verified"
	// ClaimRejected: the last claim was rejected; a new one may follow.
	ClaimRejected ClaimState = "rejected"
)

// Milestone is something an obligation owes by a date.
type Milestone struct {
	ID   MilestoneID
	What string
	// Due is the current due date, after extensions.
	Due Date
	// OriginalDue is the baseline due date: as scheduled, or as last
	// rescheduled. Extensions do not change it.
	OriginalDue Date
	// Extended is true when a granted extension moved Due past OriginalDue.
	Extended bool
	// Completion is the milestone's own completion state; verifying the
	// whole obligation verifies every milestone.
	Completion ClaimState
	// CompletedAt is when the pending or verified claim says the work was
	// achieved (the claim's effective time); zero otherwise.
	CompletedAt time.Time
	// ClaimRecordedAt is when the ledger recorded that claim; a claim
	// backdated by its unit has CompletedAt before ClaimRecordedAt.
	ClaimRecordedAt time.Time
	// VerifiedAt is when the completion was verified.
	VerifiedAt time.Time
	// Slipped lists the due dates recorded as slipped, in order.
	Slipped []Date
	// Extensions lists the granted extensions, in order.
	Extensions []ExtensionGrant
	// ClaimEventID is the CompletionClaimed event behind CompletedAt (the
	// whole obligation's claim when its verification completed the
	// milestone); zero when CompletedAt is zero.
	ClaimEventID uuid.UUID
	// VerifiedEventID is the CompletionVerified event behind VerifiedAt.
	VerifiedEventID uuid.UUID
}

// ExtensionGrant is one granted extension of a milestone. Scoring needs
// when it was granted: a slip of a due date that an extension had already
// moved costs nothing.
type ExtensionGrant struct {
	// EventID is the ExtensionGranted event.
	EventID uuid.UUID
	// PreviousDue is the due date the grant moved, Due the new one.
	PreviousDue Date
	Due         Date
	// GrantedAt is the grant's effective time, RecordedAt when the ledger
	// recorded it; they differ when the grant was entered backdated.
	GrantedAt  time.Time
	RecordedAt time.Time
}

// PeriodReport is one progress report, by the period it covers, for the
// periodic-report rules of scoring and the report history.
type PeriodReport struct {
	// Period is the month the report covers.
	Period  YearMonth
	Percent Percent
	// EventID is the ProgressReported event.
	EventID uuid.UUID
	// ReportedAt is the report's effective time, RecordedAt when the ledger
	// recorded it.
	ReportedAt Instant
	RecordedAt Instant
	// ReturnedEventID is the WorkSentBack that returned the report for
	// revision, ReturnedAt when it was recorded; zero when it was not.
	ReturnedEventID uuid.UUID
	ReturnedAt      Instant
}

// ReportDeadline is the last day a report for month period may be
// recorded in time when reports are due deadlineDays after the end of the
// month they cover.
func ReportDeadline(period YearMonth, deadlineDays int) Date {
	return period.LastDay().AddDays(deadlineDays)
}

// LateAfter reports whether the report was recorded after its period's
// reporting deadline (deadlineDays after the end of the month it covers).
// A negative deadlineDays sets no deadline: nothing is late.
func (r PeriodReport) LateAfter(deadlineDays int) bool {
	return deadlineDays >= 0 && ReportDeadline(r.Period, deadlineDays).PassedAt(r.RecordedAt.Time())
}

// Holding is one span during which the unit held the obligation: from an
// assignment to the withdrawal or reassignment that ended it.
type Holding struct {
	// From is the effective time of the ResponsibilityAssigned.
	From time.Time
	// StartsOn is the assignment's StartsOn, if any.
	StartsOn Date
	// Until is the effective time of the withdrawal or reassignment that
	// ended the holding; zero while the unit holds the obligation.
	Until time.Time
	// AssignedEventID and EndedEventID are the events that began and
	// ended the holding (EndedEventID zero while held).
	AssignedEventID uuid.UUID
	EndedEventID    uuid.UUID
}

// ExtensionRequest is a pending request for a later due date.
type ExtensionRequest struct {
	Milestone    MilestoneID
	CurrentDue   Date
	RequestedDue Date
	Reason       string
	RequestedAt  time.Time
}

// Slip is a recorded DeadlineSlipped.
type Slip struct {
	Milestone   MilestoneID
	Due         Date
	OriginalDue Date
	RecordedAt  time.Time
	// EventID is the DeadlineSlipped event.
	EventID uuid.UUID
	// EnteredAt is when the ledger recorded the slip (RecordedAt is the
	// moment it speaks of: the end of the due date); the appeal window
	// runs from it.
	EnteredAt time.Time
}

// Finding is an inspection finding against the obligation.
type Finding struct {
	No         int
	Kind       FindingKind
	Severity   Severity
	Summary    string
	RecordedAt time.Time
	// RectifyBy is the rectification due date; zero when none is required.
	RectifyBy Date
	// Rectified is true once RectificationCompleted is applied.
	Rectified   bool
	RectifiedAt time.Time
	// EventID is the FindingRecorded event; RectifyByEventID the event
	// that set the current RectifyBy (FindingRecorded or
	// RectificationDue; zero when none is required); RectifiedEventID the
	// RectificationCompleted event.
	EventID          uuid.UUID
	RectifyByEventID uuid.UUID
	RectifiedEventID uuid.UUID
	// RectificationVerified is true once an inspector verified the
	// reported rectification (RectificationVerified, at
	// RectificationVerifiedAt).
	RectificationVerified        bool
	RectificationVerifiedAt      time.Time
	RectificationVerifiedEventID uuid.UUID
	// RectificationRejections counts the reported rectifications an
	// inspector sent back; the latest reason and event are kept. A
	// rejection reopens the rectification.
	RectificationRejections      int
	RectificationRejectedReason  string
	RectificationRejectedEventID uuid.UUID
	// RectificationSlips lists the RectificationSlipped events, one per
	// rectification date that passed unrectified.
	RectificationSlips []RectificationSlip
	// EnteredAt is when the ledger recorded the finding; the appeal window
	// runs from it.
	EnteredAt time.Time
}

// Obligation is the aggregate of one unit's duty on one task (task × unit ×
// role), on stream obligation-<plan>-<no>-<unit>-<role>. Everything about
// that duty happens here, so units reporting on the same task never contend
// on one stream. The zero Obligation is unassigned.
//
// Rules, with the errors that enforce them:
//   - Every command but AssignResponsibility needs an assigned obligation
//     (ErrNotFound) and fails with ErrWithdrawn once it is withdrawn or
//     reassigned.
//   - Commands from a unit (ReportProgress, RequestExtension,
//     ClaimCompletion, CompleteRectification) may name an ActingUnit; when
//     set it must be the obligation's unit (ErrNotHolder). Plan office,
//     inspectors and the system leave it empty.
//   - AssignResponsibility on an assigned obligation fails
//     (ErrAlreadyExists); on a withdrawn or reassigned one it re-opens it
//     (Reopened), keeping its milestones, progress, claims, pending request,
//     slips and findings as they were. The stream names task × unit × role,
//     so refusing would bar the unit from that role on that task for good.
//   - Once verified complete the obligation is closed: progress reports,
//     extension requests and grants, claims and new milestones fail with
//     ErrObligationClosed. Findings, rectification, slips for late work and
//     refusals of a stale extension request still record.
//   - Progress is 0–100 (ErrInvalidProgress). A report may repeat or raise
//     the last figure; it may lower it only with a note explaining the
//     correction (ErrInvalidProgress otherwise), so honest corrections are
//     possible and silent regressions are not. A report covers a month
//     (default: that of its effective time), never a later one.
//   - An extension request names a milestone (ErrUnknownMilestone) and a
//     date after its current due date (ErrExtensionNotLater); one request
//     may be pending at a time (ErrExtensionPending). Grant and refuse need
//     a pending request (ErrNoPendingExtension); a grant may set another
//     date, still later than the current due date.
//   - A claim covers one milestone, or the whole obligation when Milestone
//     is empty; it may not repeat a pending claim (ErrClaimPending) or a
//     verified completion (ErrAlreadyVerified). Verify and reject need a
//     pending claim (ErrNoClaim); a completion is verified at most once
//     (ErrAlreadyVerified).
//   - RecordSlip records DeadlineSlipped for a milestone whose due date has
//     ended (ErrNotYetDue otherwise) and returns no events when that slip is
//     already recorded or the work is verified complete on a claim both
//     achieved and recorded before the due date ended. A claim awaiting
//     verification, or recorded late however it is dated, does not stop a
//     slip: claims count when verified. The watcher can call it repeatedly.
type Obligation struct {
	// Key identifies the obligation, set by the first ResponsibilityAssigned.
	Key    ObligationKey
	Status ObligationStatus
	// Basis and StartsOn are from the latest ResponsibilityAssigned.
	Basis    string
	StartsOn Date
	// Term counts assignments: 1 for the first, +1 per re-opening.
	Term int
	// Holdings lists the spans the unit held the obligation, one per term,
	// in order.
	Holdings []Holding
	// AssignedAt is the effective time of the latest assignment.
	AssignedAt time.Time
	// ReassignedFrom is the obligation this one took over, if any.
	ReassignedFrom *ObligationKey
	// ReassignedTo is where the duty went, while Status is reassigned.
	ReassignedTo *ObligationKey
	// Milestones, in scheduling order.
	Milestones []Milestone
	// Progress is the current progress: the percentage of the report for
	// the latest period reported, the last recorded of that period's
	// reports (a late report about an earlier month does not overwrite
	// it). ProgressAt is that report's effective time, ProgressPeriod its
	// period; Reports the number of progress reports.
	Progress       Percent
	ProgressAt     time.Time
	ProgressPeriod YearMonth
	Reports        int
	// PeriodReports lists every progress report with the period it
	// covers, in recording order.
	PeriodReports ReportList
	// PendingExtension is the request awaiting a decision, if any.
	PendingExtension *ExtensionRequest
	// Completion is the state of the whole-obligation claim; it becomes
	// verified also when every milestone is verified.
	Completion  ClaimState
	CompletedAt time.Time
	VerifiedAt  time.Time
	// ClaimRecordedAt is when the ledger recorded the claim behind
	// CompletedAt.
	ClaimRecordedAt time.Time
	// ClaimEventID is the CompletionClaimed event behind CompletedAt (for a
	// completion by milestones, the latest milestone's claim);
	// VerifiedEventID the CompletionVerified event behind VerifiedAt.
	ClaimEventID    uuid.UUID
	VerifiedEventID uuid.UUID
	// Slips and Findings, in recording order.
	Slips    []Slip
	Findings []Finding
	// Reminders lists the reminders recorded (催办, escalations), in
	// recording order.
	Reminders []Reminder
	// Evidence lists the evidence files attached to reports, claims and
	// rectifications, in recording order.
	Evidence []Attachment
	// Review holds send-backs, the comment thread and the lead's
	// sign-off (see review.go).
	Review Review
	// Appeals lists the appeals (申诉) filed against the obligation's
	// slips and findings, in filing order.
	Appeals []Appeal

	version uint64
}

// Version implements VersionedAggregate.
func (o *Obligation) Version() uint64 { return o.version }

// Assigned reports whether the obligation was ever assigned.
func (o *Obligation) Assigned() bool { return o.Status != StatusUnassigned }

// Active reports whether the unit currently holds the obligation.
func (o *Obligation) Active() bool {
	return o.Assigned() && o.Status != StatusWithdrawn && o.Status != StatusReassigned
}

// Closed reports whether the obligation is verified complete.
func (o *Obligation) Closed() bool { return o.Completion == ClaimVerified }

// Milestone returns the milestone with that ID.
func (o *Obligation) Milestone(id MilestoneID) (Milestone, bool) {
	if i := o.milestoneIndex(id); i >= 0 {
		return o.Milestones[i], true
	}
	return Milestone{}, false
}

// checkDue requires a due date; what names whose it is, for the error.
func checkDue(due Date, what string) error {
	if due.IsZero() {
		return errorf(ErrInvalidDate, "%s has no due date", what)
	}
	return nil
}

// ClaimOf returns the completion state of what a claim names: the whole
// obligation when id is empty, else the milestone with that ID (false when
// there is none).
func (o *Obligation) ClaimOf(id MilestoneID) (ClaimState, bool) {
	if id == "" {
		return o.Completion, true
	}
	m, ok := o.Milestone(id)
	return m.Completion, ok
}

func (o *Obligation) milestoneIndex(id MilestoneID) int {
	for i := range o.Milestones {
		if o.Milestones[i].ID == id {
			return i
		}
	}
	return -1
}

// Finding returns the finding with that number.
func (o *Obligation) Finding(no int) (Finding, bool) {
	if no >= 1 && no <= len(o.Findings) {
		return o.Findings[no-1], true
	}
	return Finding{}, false
}

// slipDue reports whether a slip of milestone ms would be recorded at t,
// without the not-yet-due check.
func (o *Obligation) slipDue(ms *Milestone, t time.Time) bool {
	end := ms.Due.EndOf()
	if t.Before(end) {
		return false
	}
	for _, d := range ms.Slipped {
		if d == ms.Due {
			return false
		}
	}
	return !verifiedInTime(ms.Completion, ms.CompletedAt, ms.ClaimRecordedAt, end) &&
		!verifiedInTime(o.Completion, o.CompletedAt, o.ClaimRecordedAt, end)
}

// verifiedInTime reports whether a completion in state s is verified on a
// claim achieved (at) and recorded (recorded) before end. A claim awaiting
// verification, or recorded after end however it is dated, is not.
func verifiedInTime(s ClaimState, at, recorded time.Time, end time.Time) bool {
	return s == ClaimVerified && at.Before(end) && recorded.Before(end)
}

// DueSlips lists the milestones for which RecordSlip at t would record a
// DeadlineSlipped. The deadline watcher uses it; it is empty for an
// obligation that is not active.
func (o *Obligation) DueSlips(t time.Time) []MilestoneID {
	if !o.Active() {
		return nil
	}
	var out []MilestoneID
	for i := range o.Milestones {
		if o.slipDue(&o.Milestones[i], t) {
			out = append(out, o.Milestones[i].ID)
		}
	}
	return out
}

// Overdue lists the milestones that are overdue at t: the due date has
// ended and no completion is verified. A claim awaiting verification does
// not take a milestone out (claims count when verified; see
// AwaitingVerification). An inactive obligation has none.
func (o *Obligation) Overdue(t time.Time) []MilestoneID {
	if !o.Active() || o.Closed() {
		return nil
	}
	var out []MilestoneID
	for _, ms := range o.Milestones {
		if ms.Due.PassedAt(t) && ms.Completion != ClaimVerified {
			out = append(out, ms.ID)
		}
	}
	return out
}

// AwaitingVerification reports whether milestone ms is claimed complete,
// by its own claim or the whole obligation's, and the claim awaits an
// inspector's verification.
func (o *Obligation) AwaitingVerification(ms Milestone) bool {
	return ms.Completion == ClaimPending || (ms.Completion != ClaimVerified && o.Completion == ClaimPending)
}

// progressThrough returns the current progress as of period: the figure
// of the report for the latest period not after it, the last recorded of
// that period's reports; 0 when there is none.
func (o *Obligation) progressThrough(period YearMonth) Percent {
	var best *PeriodReport
	for _, r := range o.PeriodReports.All() {
		if r.Period.FirstDay().After(period.FirstDay()) {
			continue
		}
		if best == nil || !r.Period.FirstDay().Before(best.Period.FirstDay()) {
			best = r
		}
	}
	if best == nil {
		return 0
	}
	return best.Percent
}

// ---- commands ----

// AssignResponsibility makes the unit hold the role on the task, or
// re-opens a withdrawn or reassigned obligation. Command handling should
// check that the task and unit are registered (other aggregates).
type AssignResponsibility struct {
	ObligationKey
	// Basis quotes the plan's wording, e.g. "牵头" or "各旗县区人民政府落实".
	Basis string
	// StartsOn is when the duty begins, for "从2026年1月1日起"; zero if at once.
	StartsOn Date
	// ReassignedFrom is the obligation this one takes over (set by Handoff).
	ReassignedFrom *ObligationKey
}

// Validate implements Command.
func (c AssignResponsibility) Validate() error {
	if err := firstErr(c.ValidateKey(), checkText("basis", c.Basis, MaxNoteLen, false)); err != nil {
		return err
	}
	if f := c.ReassignedFrom; f != nil {
		if err := f.ValidateKey(); err != nil {
			return err
		}
		if f.Plan != c.Plan || f.Task != c.Task || *f == c.ObligationKey {
			return errorf(ErrInvalidArgument, "obligation %s cannot take over %s", c.ObligationKey.Path(), f.Path())
		}
	}
	return nil
}

// ReassignResponsibility passes the duty to another unit or role on the same
// task. Decided on the old obligation; Handoff also decides the new one.
type ReassignResponsibility struct {
	ObligationKey
	ToUnit UnitID
	ToRole Role
	Reason string
}

// To returns the key of the obligation the duty passes to: the same part
// (a later bracket's duty stays that bracket's) of the new unit and role.
func (c ReassignResponsibility) To() ObligationKey {
	return ObligationKey{Plan: c.Plan, Task: c.Task, Unit: c.ToUnit, Role: c.ToRole, Part: c.Part}
}

// Validate implements Command.
func (c ReassignResponsibility) Validate() error {
	if err := firstErr(c.ValidateKey(), c.ToUnit.Validate(), c.ToRole.Validate(), checkText("reason", c.Reason, MaxNoteLen, false)); err != nil {
		return err
	}
	if c.To() == c.ObligationKey {
		return errorf(ErrNoChange, "reassigning %s to itself", c.ObligationKey.Path())
	}
	return nil
}

// WithdrawResponsibility ends the unit's duty.
type WithdrawResponsibility struct {
	ObligationKey
	Reason string
}

// Validate implements Command.
func (c WithdrawResponsibility) Validate() error {
	return firstErr(c.ValidateKey(), checkText("reason", c.Reason, MaxNoteLen, false))
}

// ScheduleMilestone adds something due by a date.
type ScheduleMilestone struct {
	ObligationKey
	Milestone MilestoneID
	What      string
	Due       Date
}

// Validate implements Command.
func (c ScheduleMilestone) Validate() error {
	return firstErr(c.ValidateKey(), c.Milestone.Validate(), checkText("what", c.What, MaxNoteLen, false),
		checkDue(c.Due, "milestone "+string(c.Milestone)))
}

// RescheduleMilestone changes a milestone's baseline due date (an
// administrative correction, e.g. after the plan was amended; not an
// extension).
type RescheduleMilestone struct {
	ObligationKey
	Milestone MilestoneID
	Due       Date
	Reason    string
}

// Validate implements Command.
func (c RescheduleMilestone) Validate() error {
	return firstErr(c.ValidateKey(), c.Milestone.Validate(), checkText("reason", c.Reason, MaxNoteLen, false),
		checkDue(c.Due, "milestone "+string(c.Milestone)))
}

// ReportProgress reports the percentage done.
type ReportProgress struct {
	ObligationKey
	// ActingUnit is the reporting unit, if a unit reports; empty for the
	// plan office or an inspector.
	ActingUnit UnitID
	Percent    Percent
	// Period is the month the report covers; zero means the Shanghai month
	// of the command's effective time. It may not be a later month.
	Period YearMonth
	// Note explains the report; required when lowering the last figure.
	Note string
	// Attachments are the evidence files sent with the report.
	Attachments []EvidenceRef
}

// Validate implements Command.
func (c ReportProgress) Validate() error {
	return firstErr(c.ValidateKey(), validActing(c.ActingUnit), c.Percent.Validate(), checkText("note", c.Note, MaxNoteLen, false), ValidateAttachments(c.Attachments))
}

// RequestExtension asks for a milestone's due date to move to Due.
type RequestExtension struct {
	ObligationKey
	ActingUnit UnitID
	Milestone  MilestoneID
	Due        Date
	// Reason says why; required.
	Reason string
}

// Validate implements Command.
func (c RequestExtension) Validate() error {
	return firstErr(c.ValidateKey(), validActing(c.ActingUnit), c.Milestone.Validate(), checkText("reason", c.Reason, MaxNoteLen, true),
		checkDue(c.Due, "extension request"))
}

// GrantExtension grants the pending request. Due, when set, grants another
// date than requested; zero grants the requested date.
type GrantExtension struct {
	ObligationKey
	Due  Date
	Note string
}

// Validate implements Command.
func (c GrantExtension) Validate() error {
	return firstErr(c.ValidateKey(), checkText("note", c.Note, MaxNoteLen, false))
}

// RefuseExtension refuses the pending request.
type RefuseExtension struct {
	ObligationKey
	Reason string
}

// Validate implements Command.
func (c RefuseExtension) Validate() error {
	return firstErr(c.ValidateKey(), checkText("reason", c.Reason, MaxNoteLen, false))
}

// RecordSlip records that a milestone's current due date passed without
// completion. Issued by the deadline watcher (actor "system") with Meta.Now
// as the time of the check; idempotent.
type RecordSlip struct {
	ObligationKey
	Milestone MilestoneID
}

// Validate implements Command.
func (c RecordSlip) Validate() error { return firstErr(c.ValidateKey(), c.Milestone.Validate()) }

// ClaimCompletion claims a milestone, or the whole obligation when Milestone
// is empty, complete. Meta.EffectiveAt is when it was achieved (defaults to
// now).
type ClaimCompletion struct {
	ObligationKey
	ActingUnit UnitID
	Milestone  MilestoneID
	Evidence   string
	// Attachments are the evidence files sent with the claim.
	Attachments []EvidenceRef
}

// Validate implements Command.
func (c ClaimCompletion) Validate() error {
	return firstErr(c.ValidateKey(), validActing(c.ActingUnit), validOptionalMilestone(c.Milestone), checkText("evidence", c.Evidence, MaxNoteLen, false), ValidateAttachments(c.Attachments))
}

// VerifyCompletion verifies the pending claim for Milestone (empty: the
// whole obligation).
type VerifyCompletion struct {
	ObligationKey
	Milestone MilestoneID
	Note      string
}

// Validate implements Command.
func (c VerifyCompletion) Validate() error {
	return firstErr(c.ValidateKey(), validOptionalMilestone(c.Milestone), checkText("note", c.Note, MaxNoteLen, false))
}

// RejectCompletion rejects the pending claim for Milestone (empty: the whole
// obligation).
type RejectCompletion struct {
	ObligationKey
	Milestone MilestoneID
	// Reason says why; required.
	Reason string
}

// Validate implements Command.
func (c RejectCompletion) Validate() error {
	return firstErr(c.ValidateKey(), validOptionalMilestone(c.Milestone), checkText("reason", c.Reason, MaxNoteLen, true))
}

// RecordFinding records an inspector's finding; RectifyBy, when set,
// requires rectification by that date.
type RecordFinding struct {
	ObligationKey
	Kind      FindingKind
	Severity  Severity
	Summary   string
	RectifyBy Date
}

// Validate implements Command.
func (c RecordFinding) Validate() error {
	return firstErr(c.ValidateKey(), c.Kind.Validate(), c.Severity.Validate(), checkText("summary", c.Summary, MaxNoteLen, true))
}

// SetRectificationDue requires (or moves) a finding's rectification date.
type SetRectificationDue struct {
	ObligationKey
	Finding int
	Due     Date
	// Reason says why; optional here, required by the application layer
	// when a date is moved.
	Reason string
}

// Validate implements Command.
func (c SetRectificationDue) Validate() error {
	if err := c.ValidateKey(); err != nil {
		return err
	}
	if c.Finding < 1 {
		return errorf(ErrInvalidArgument, "finding number %d is not positive", c.Finding)
	}
	if err := checkText("reason", c.Reason, MaxNoteLen, false); err != nil {
		return err
	}
	return checkDue(c.Due, "rectification")
}

// CompleteRectification records that a finding was rectified.
type CompleteRectification struct {
	ObligationKey
	ActingUnit UnitID
	Finding    int
	Note       string
	// Attachments are the evidence files of the rectification.
	Attachments []EvidenceRef
}

// Validate implements Command.
func (c CompleteRectification) Validate() error {
	if err := firstErr(c.ValidateKey(), validActing(c.ActingUnit), checkText("note", c.Note, MaxNoteLen, false), ValidateAttachments(c.Attachments)); err != nil {
		return err
	}
	if c.Finding < 1 {
		return errorf(ErrInvalidArgument, "finding number %d is not positive", c.Finding)
	}
	return nil
}

func validActing(u UnitID) error {
	if u == "" {
		return nil
	}
	return u.Validate()
}

func validOptionalMilestone(id MilestoneID) error {
	if id == "" {
		return nil
	}
	return id.Validate()
}

// ---- decisions ----

// precheck runs the checks every obligation command but Assign shares:
// Meta, command fields, routing, assigned (ErrNotFound), acting unit
// (ErrNotHolder), not withdrawn (ErrWithdrawn).
func (o *Obligation) precheck(c Command, k ObligationKey, acting UnitID, m Meta) error {
	if err := firstErr(m.validate(), c.Validate(), o.routed(k)); err != nil {
		return err
	}
	if !o.Assigned() {
		return errorf(ErrNotFound, "obligation %s is not assigned", k.Path())
	}
	if acting != "" && acting != o.Key.Unit {
		return errorf(ErrNotHolder, "unit %s does not hold obligation %s", acting, o.Key.Path())
	}
	switch o.Status {
	case StatusWithdrawn:
		return errorf(ErrWithdrawn, "obligation %s was withdrawn", o.Key.Path())
	case StatusReassigned:
		return errorf(ErrWithdrawn, "obligation %s was reassigned to %s", o.Key.Path(), o.ReassignedTo.Path())
	}
	return nil
}

func (o *Obligation) routed(k ObligationKey) error {
	if o.Assigned() && o.Key != k {
		return errorf(ErrInvalidArgument, "command for obligation %s sent to obligation %s", k.Path(), o.Key.Path())
	}
	return nil
}

func (o *Obligation) open() error {
	if o.Closed() {
		return errorf(ErrObligationClosed, "obligation %s is verified complete", o.Key.Path())
	}
	return nil
}

func (o *Obligation) milestone(id MilestoneID) (*Milestone, error) {
	i := o.milestoneIndex(id)
	if i < 0 {
		return nil, errorf(ErrUnknownMilestone, "obligation %s has no milestone %q", o.Key.Path(), id)
	}
	return &o.Milestones[i], nil
}

func (o *Obligation) finding(no int) (*Finding, error) {
	if no < 1 || no > len(o.Findings) {
		return nil, errorf(ErrUnknownFinding, "obligation %s has no finding %d", o.Key.Path(), no)
	}
	return &o.Findings[no-1], nil
}

func one(e EventData) ([]EventData, error) { return []EventData{e}, nil }

// AssignResponsibility decides an AssignResponsibility command. Errors:
// ErrAlreadyExists (already held).
func (o *Obligation) AssignResponsibility(c AssignResponsibility, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), o.routed(c.ObligationKey)); err != nil {
		return nil, err
	}
	if o.Active() {
		return nil, errorf(ErrAlreadyExists, "obligation %s is already assigned", o.Key.Path())
	}
	return one(ResponsibilityAssigned{
		ObligationKey:  c.ObligationKey,
		Basis:          c.Basis,
		StartsOn:       c.StartsOn,
		ReassignedFrom: c.ReassignedFrom,
		Reopened:       o.Assigned(),
	})
}

// ReassignResponsibility decides a ReassignResponsibility command on the old
// obligation. Errors: ErrNotFound, ErrWithdrawn, ErrNoChange.
func (o *Obligation) ReassignResponsibility(c ReassignResponsibility, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	return one(ResponsibilityReassigned{ObligationKey: c.ObligationKey, ToUnit: c.ToUnit, ToRole: c.ToRole, Reason: c.Reason})
}

// Handoff decides a reassignment on both obligations: from records
// ResponsibilityReassigned; to (the obligation of c.To(), possibly
// unassigned or withdrawn) records ResponsibilityAssigned with
// ReassignedFrom, unless it is already active, and MilestoneScheduled for
// each of from's unverified milestones it lacks, with their current due
// dates, unless it is closed. Command handling appends toEvents first, then
// fromEvents, each with its own idempotency key.
func Handoff(from, to *Obligation, c ReassignResponsibility, m Meta) (fromEvents, toEvents []EventData, err error) {
	if fromEvents, err = from.ReassignResponsibility(c, m); err != nil {
		return nil, nil, err
	}
	k := c.To()
	if err := to.routed(k); err != nil {
		return nil, nil, err
	}
	if !to.Active() {
		fk := from.Key
		evs, err := to.AssignResponsibility(AssignResponsibility{
			ObligationKey: k, Basis: from.Basis, StartsOn: from.StartsOn, ReassignedFrom: &fk,
		}, m)
		if err != nil {
			return nil, nil, err
		}
		toEvents = append(toEvents, evs...)
	}
	if !to.Closed() {
		for _, ms := range from.Milestones {
			if ms.Completion == ClaimVerified || to.milestoneIndex(ms.ID) >= 0 {
				continue
			}
			toEvents = append(toEvents, MilestoneScheduled{ObligationKey: k, Milestone: ms.ID, What: ms.What, Due: ms.Due})
		}
	}
	return fromEvents, toEvents, nil
}

// WithdrawResponsibility decides a WithdrawResponsibility command. Errors:
// ErrNotFound, ErrWithdrawn.
func (o *Obligation) WithdrawResponsibility(c WithdrawResponsibility, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	return one(ResponsibilityWithdrawn{ObligationKey: c.ObligationKey, Reason: c.Reason})
}

// ScheduleMilestone decides a ScheduleMilestone command. Errors:
// ErrNotFound, ErrWithdrawn, ErrObligationClosed, ErrAlreadyExists (same ID).
func (o *Obligation) ScheduleMilestone(c ScheduleMilestone, m Meta) ([]EventData, error) {
	if err := firstErr(o.precheck(c, c.ObligationKey, "", m), o.open()); err != nil {
		return nil, err
	}
	if o.milestoneIndex(c.Milestone) >= 0 {
		return nil, errorf(ErrAlreadyExists, "obligation %s already has milestone %q", o.Key.Path(), c.Milestone)
	}
	return one(MilestoneScheduled{ObligationKey: c.ObligationKey, Milestone: c.Milestone, What: c.What, Due: c.Due})
}

// RescheduleMilestone decides a RescheduleMilestone command. Errors:
// ErrNotFound, ErrWithdrawn, ErrObligationClosed, ErrUnknownMilestone,
// ErrAlreadyVerified, ErrNoChange.
func (o *Obligation) RescheduleMilestone(c RescheduleMilestone, m Meta) ([]EventData, error) {
	if err := firstErr(o.precheck(c, c.ObligationKey, "", m), o.open()); err != nil {
		return nil, err
	}
	ms, err := o.milestone(c.Milestone)
	if err != nil {
		return nil, err
	}
	if ms.Completion == ClaimVerified {
		return nil, errorf(ErrAlreadyVerified, "milestone %q of %s is verified complete", ms.ID, o.Key.Path())
	}
	if ms.Due == c.Due && ms.OriginalDue == c.Due {
		return nil, errorf(ErrNoChange, "milestone %q of %s is already due %s", ms.ID, o.Key.Path(), c.Due)
	}
	return one(MilestoneRescheduled{ObligationKey: c.ObligationKey, Milestone: c.Milestone, PreviousDue: ms.Due, Due: c.Due, Reason: c.Reason})
}

// ReportProgress decides a ReportProgress command. Errors: ErrNotFound,
// ErrNotHolder, ErrWithdrawn, ErrObligationClosed, ErrInvalidProgress.
func (o *Obligation) ReportProgress(c ReportProgress, m Meta) ([]EventData, error) {
	if err := firstErr(o.precheck(c, c.ObligationKey, c.ActingUnit, m), o.open()); err != nil {
		return nil, err
	}
	eff := DateOf(m.Effective())
	period := c.Period
	if period.IsZero() {
		period = YearMonthOf(m.Effective())
	}
	if period.FirstDay().After(eff) {
		return nil, errorf(ErrInvalidArgument, "a report on %s cannot cover the later month %s", eff, period)
	}
	prev := o.progressThrough(period)
	if c.Percent < prev && checkText("note", c.Note, MaxNoteLen, true) != nil {
		return nil, errorf(ErrInvalidProgress, "progress %d%% is below the last reported %d%%; a lower report needs a note explaining the correction", int(c.Percent), int(prev))
	}
	return one(ProgressReported{ObligationKey: c.ObligationKey, Percent: c.Percent, Previous: prev, Period: period, Note: c.Note, Attachments: c.Attachments})
}

// RequestExtension decides a RequestExtension command. Errors: ErrNotFound,
// ErrNotHolder, ErrWithdrawn, ErrObligationClosed, ErrUnknownMilestone,
// ErrAlreadyVerified, ErrExtensionPending, ErrExtensionNotLater.
func (o *Obligation) RequestExtension(c RequestExtension, m Meta) ([]EventData, error) {
	if err := firstErr(o.precheck(c, c.ObligationKey, c.ActingUnit, m), o.open()); err != nil {
		return nil, err
	}
	ms, err := o.milestone(c.Milestone)
	if err != nil {
		return nil, err
	}
	if ms.Completion == ClaimVerified {
		return nil, errorf(ErrAlreadyVerified, "milestone %q of %s is verified complete", ms.ID, o.Key.Path())
	}
	if p := o.PendingExtension; p != nil {
		return nil, errorf(ErrExtensionPending, "obligation %s already has a pending request for milestone %q until %s", o.Key.Path(), p.Milestone, p.RequestedDue)
	}
	if !c.Due.After(ms.Due) {
		return nil, errorf(ErrExtensionNotLater, "milestone %q of %s is due %s; an extension to %s is not later", ms.ID, o.Key.Path(), ms.Due, c.Due)
	}
	return one(ExtensionRequested{ObligationKey: c.ObligationKey, Milestone: c.Milestone, CurrentDue: ms.Due, RequestedDue: c.Due, Reason: c.Reason})
}

// GrantExtension decides a GrantExtension command. Errors: ErrNotFound,
// ErrWithdrawn, ErrNoPendingExtension, ErrObligationClosed,
// ErrAlreadyVerified, ErrExtensionNotLater.
func (o *Obligation) GrantExtension(c GrantExtension, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	p := o.PendingExtension
	if p == nil {
		return nil, errorf(ErrNoPendingExtension, "obligation %s has no pending extension request", o.Key.Path())
	}
	if err := o.open(); err != nil {
		return nil, err
	}
	ms, err := o.milestone(p.Milestone)
	if err != nil {
		return nil, err
	}
	if ms.Completion == ClaimVerified {
		return nil, errorf(ErrAlreadyVerified, "milestone %q of %s is verified complete", ms.ID, o.Key.Path())
	}
	due := c.Due
	if due.IsZero() {
		due = p.RequestedDue
	}
	if !due.After(ms.Due) {
		return nil, errorf(ErrExtensionNotLater, "milestone %q of %s is due %s; an extension to %s is not later", ms.ID, o.Key.Path(), ms.Due, due)
	}
	return one(ExtensionGranted{ObligationKey: c.ObligationKey, Milestone: p.Milestone, PreviousDue: ms.Due, RequestedDue: p.RequestedDue, Due: due, Note: c.Note})
}

// RefuseExtension decides a RefuseExtension command. Errors: ErrNotFound,
// ErrWithdrawn, ErrNoPendingExtension.
func (o *Obligation) RefuseExtension(c RefuseExtension, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	p := o.PendingExtension
	if p == nil {
		return nil, errorf(ErrNoPendingExtension, "obligation %s has no pending extension request", o.Key.Path())
	}
	return one(ExtensionRefused{ObligationKey: c.ObligationKey, Milestone: p.Milestone, RequestedDue: p.RequestedDue, Reason: c.Reason})
}

// RecordSlip decides a RecordSlip command at m.Now. It returns no events
// when the slip is already recorded for the milestone's current due date or
// the work is verified complete on a claim achieved and recorded before
// that date ended. Errors: ErrNotFound,
// ErrWithdrawn, ErrUnknownMilestone, ErrNotYetDue.
func (o *Obligation) RecordSlip(c RecordSlip, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	ms, err := o.milestone(c.Milestone)
	if err != nil {
		return nil, err
	}
	if !ms.Due.PassedAt(m.Now) {
		return nil, errorf(ErrNotYetDue, "milestone %q of %s is due %s, which has not ended", ms.ID, o.Key.Path(), ms.Due)
	}
	if !o.slipDue(ms, m.Now) {
		return nil, nil
	}
	return one(DeadlineSlipped{ObligationKey: c.ObligationKey, Milestone: ms.ID, Due: ms.Due, OriginalDue: ms.OriginalDue})
}

// ClaimCompletion decides a ClaimCompletion command. Errors: ErrNotFound,
// ErrNotHolder, ErrWithdrawn, ErrObligationClosed, ErrUnknownMilestone,
// ErrAlreadyVerified, ErrClaimPending.
func (o *Obligation) ClaimCompletion(c ClaimCompletion, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, c.ActingUnit, m); err != nil {
		return nil, err
	}
	state, what := o.Completion, "obligation "+o.Key.Path()
	if c.Milestone != "" {
		ms, err := o.milestone(c.Milestone)
		if err != nil {
			return nil, err
		}
		state, what = ms.Completion, fmt.Sprintf("milestone %q of %s", ms.ID, o.Key.Path())
	}
	switch {
	case state == ClaimVerified:
		return nil, errorf(ErrAlreadyVerified, "%s is already verified complete", what)
	case o.Closed():
		return nil, o.open()
	case state == ClaimPending:
		return nil, errorf(ErrClaimPending, "%s already has a completion claim awaiting verification", what)
	}
	return one(CompletionClaimed{ObligationKey: c.ObligationKey, Milestone: c.Milestone, Evidence: c.Evidence, Attachments: c.Attachments})
}

// pendingClaim checks a verify or reject: the target exists, is not
// verified (ErrAlreadyVerified) and has a pending claim (ErrNoClaim).
func (o *Obligation) pendingClaim(id MilestoneID) error {
	state, what := o.Completion, "obligation "+o.Key.Path()
	if id != "" {
		ms, err := o.milestone(id)
		if err != nil {
			return err
		}
		state, what = ms.Completion, fmt.Sprintf("milestone %q of %s", ms.ID, o.Key.Path())
	}
	switch state {
	case ClaimVerified:
		return errorf(ErrAlreadyVerified, "%s is already verified complete", what)
	case ClaimPending:
		return nil
	}
	return errorf(ErrNoClaim, "%s has no completion claim awaiting verification", what)
}

// VerifyCompletion decides a VerifyCompletion command. Errors: ErrNotFound,
// ErrWithdrawn, ErrUnknownMilestone, ErrAlreadyVerified, ErrNoClaim.
func (o *Obligation) VerifyCompletion(c VerifyCompletion, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	if err := o.pendingClaim(c.Milestone); err != nil {
		return nil, err
	}
	return one(CompletionVerified{ObligationKey: c.ObligationKey, Milestone: c.Milestone, Note: c.Note})
}

// RejectCompletion decides a RejectCompletion command. Errors: ErrNotFound,
// ErrWithdrawn, ErrUnknownMilestone, ErrAlreadyVerified, ErrNoClaim.
func (o *Obligation) RejectCompletion(c RejectCompletion, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	if err := o.pendingClaim(c.Milestone); err != nil {
		return nil, err
	}
	return one(CompletionRejected{ObligationKey: c.ObligationKey, Milestone: c.Milestone, Reason: c.Reason})
}

// RecordFinding decides a RecordFinding command; the finding is numbered
// after the last. Errors: ErrNotFound, ErrWithdrawn.
func (o *Obligation) RecordFinding(c RecordFinding, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	return one(FindingRecorded{
		ObligationKey: c.ObligationKey,
		Finding:       len(o.Findings) + 1,
		Kind:          c.Kind,
		Severity:      c.Severity,
		Summary:       c.Summary,
		RectifyBy:     c.RectifyBy,
	})
}

// SetRectificationDue decides a SetRectificationDue command. Errors:
// ErrNotFound, ErrWithdrawn, ErrUnknownFinding, ErrAlreadyRectified,
// ErrNoChange.
func (o *Obligation) SetRectificationDue(c SetRectificationDue, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	f, err := o.finding(c.Finding)
	if err != nil {
		return nil, err
	}
	if f.Rectified {
		return nil, errorf(ErrAlreadyRectified, "finding %d of %s is already rectified", f.No, o.Key.Path())
	}
	if f.RectifyBy == c.Due {
		return nil, errorf(ErrNoChange, "finding %d of %s is already to be rectified by %s", f.No, o.Key.Path(), c.Due)
	}
	return one(RectificationDue{ObligationKey: c.ObligationKey, Finding: c.Finding, Due: c.Due, Reason: c.Reason})
}

// CompleteRectification decides a CompleteRectification command. Errors:
// ErrNotFound, ErrNotHolder, ErrWithdrawn, ErrUnknownFinding,
// ErrNoRectification, ErrAlreadyRectified.
func (o *Obligation) CompleteRectification(c CompleteRectification, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, c.ActingUnit, m); err != nil {
		return nil, err
	}
	f, err := o.finding(c.Finding)
	if err != nil {
		return nil, err
	}
	if f.Rectified {
		return nil, errorf(ErrAlreadyRectified, "finding %d of %s is already rectified", f.No, o.Key.Path())
	}
	if f.RectifyBy.IsZero() {
		return nil, errorf(ErrNoRectification, "finding %d of %s requires no rectification", f.No, o.Key.Path())
	}
	return one(RectificationCompleted{ObligationKey: c.ObligationKey, Finding: c.Finding, Note: c.Note, Attachments: c.Attachments})
}

// ---- fold ----

// Apply implements Aggregate.
func (o *Obligation) Apply(e *Event, data EventData) error {
	v, err := advance(o.version, e, "obligation")
	if err != nil {
		return err
	}
	p, ok := data.(ObligationEvent)
	if !ok {
		return unexpected("obligation", data)
	}
	if _, first := data.(ResponsibilityAssigned); !first || o.Assigned() {
		if !o.Assigned() || p.Key() != o.Key {
			return unexpected("obligation "+o.Key.Path(), data)
		}
	}
	if err := o.fold(e, e.Effective(), data); err != nil {
		return err
	}
	o.refresh()
	o.version = v
	return nil
}

// stamp is what folding an obligation payload takes from its envelope.
type stamp struct {
	// id is the event's ID.
	id uuid.UUID
	// at is the event's effective time.
	at time.Time
	// recorded is its recorded time; for an event not yet stored (no
	// recorded time), the effective time.
	recorded time.Time
}

// stampOf returns the stamp of event e at its effective time t.
func stampOf(e *Event, t time.Time) stamp {
	recorded := e.RecordedAt
	if recorded.IsZero() {
		recorded = t
	}
	return stamp{id: e.ID, at: t, recorded: recorded}
}

// fold applies one obligation payload of event e at its effective time t.
func (o *Obligation) fold(e *Event, t time.Time, data EventData) error {
	s := stampOf(e, t)
	if handled, err := o.foldReview(e, s, data); handled {
		return err
	}
	switch d := data.(type) {
	case ResponsibilityAssigned:
		o.foldAssigned(d, s)
	case ResponsibilityReassigned:
		to := d.To()
		o.Status, o.ReassignedTo = StatusReassigned, &to
		o.endHolding(s)
	case ResponsibilityWithdrawn:
		o.Status = StatusWithdrawn
		o.endHolding(s)
	case MilestoneScheduled:
		return o.foldScheduled(d)
	case MilestoneRescheduled:
		return o.foldRescheduled(d)
	case ProgressReported:
		o.foldProgress(d, s)
		o.foldAttachments(AttachedToReport, d.Attachments, "", 0, s)
	case ExtensionRequested:
		o.PendingExtension = &ExtensionRequest{
			Milestone: d.Milestone, CurrentDue: d.CurrentDue, RequestedDue: d.RequestedDue, Reason: d.Reason, RequestedAt: s.at,
		}
	case ExtensionGranted:
		return o.foldGranted(d, s)
	case ExtensionRefused:
		o.PendingExtension = nil
	case DeadlineSlipped:
		return o.foldSlipped(d, s)
	case CompletionClaimed:
		o.foldAttachments(AttachedToClaim, d.Attachments, d.Milestone, 0, s)
		return o.foldClaimed(d, s)
	case CompletionVerified:
		return o.foldVerified(d, s)
	case CompletionRejected:
		return o.foldRejected(d)
	case FindingRecorded:
		return o.foldFinding(d, s)
	case RectificationDue:
		return o.foldRectificationDue(d, s)
	case RectificationCompleted:
		o.foldAttachments(AttachedToRectification, d.Attachments, "", d.Finding, s)
		return o.foldRectified(d, s)
	case ReminderRecorded:
		o.foldReminder(d, s)
	case ReminderDelivered:
		return o.foldDelivered(d)
	case RectificationVerified:
		return o.foldRectificationReview(d, d.Finding, true, "", s)
	case RectificationRejected:
		return o.foldRectificationReview(d, d.Finding, false, d.Reason, s)
	case RectificationSlipped:
		return o.foldRectificationSlipped(d, s)
	case AppealFiled:
		return o.foldAppealFiled(d, s)
	case AppealRuled:
		return o.foldAppealRuled(d, s)
	default:
		return unexpected("obligation", data)
	}
	return nil
}

// milestoneNamed returns the milestone an event names, or an
// ErrUnexpectedEvent error when the obligation has none of that ID.
func (o *Obligation) milestoneNamed(data EventData, id MilestoneID) (*Milestone, error) {
	i := o.milestoneIndex(id)
	if i < 0 {
		return nil, fmt.Errorf("obligation %s: %T names unknown milestone %q: %w", o.Key.Path(), data, id, ErrUnexpectedEvent)
	}
	// Copies of the aggregate share the slice: change a fresh one.
	o.Milestones = slices.Clone(o.Milestones)
	return &o.Milestones[i], nil
}

// findingNamed returns the finding an event names, or an
// ErrUnexpectedEvent error when the obligation has none of that number.
func (o *Obligation) findingNamed(data EventData, no int) (*Finding, error) {
	if no < 1 || no > len(o.Findings) {
		return nil, fmt.Errorf("obligation %s: %T names unknown finding %d: %w", o.Key.Path(), data, no, ErrUnexpectedEvent)
	}
	// Copies of the aggregate share the slice: change a fresh one.
	o.Findings = slices.Clone(o.Findings)
	return &o.Findings[no-1], nil
}

// foldAssigned opens a new term: the obligation is held from s.at.
func (o *Obligation) foldAssigned(d ResponsibilityAssigned, s stamp) {
	o.Key, o.Status, o.Basis, o.StartsOn = d.Key(), StatusOpen, d.Basis, d.StartsOn
	o.Term++
	o.AssignedAt = s.at
	o.Holdings = append(o.Holdings, Holding{From: s.at, StartsOn: d.StartsOn, AssignedEventID: s.id})
	o.ReassignedFrom, o.ReassignedTo = nil, nil
	if d.ReassignedFrom != nil {
		f := *d.ReassignedFrom
		o.ReassignedFrom = &f
	}
}

// foldScheduled adds a milestone; its ID must be new.
func (o *Obligation) foldScheduled(d MilestoneScheduled) error {
	if o.milestoneIndex(d.Milestone) >= 0 {
		return fmt.Errorf("obligation %s: milestone %q scheduled twice: %w", o.Key.Path(), d.Milestone, ErrUnexpectedEvent)
	}
	o.Milestones = append(o.Milestones, Milestone{ID: d.Milestone, What: d.What, Due: d.Due, OriginalDue: d.Due})
	return nil
}

// foldRescheduled sets a milestone's baseline due date, dropping any
// extension.
func (o *Obligation) foldRescheduled(d MilestoneRescheduled) error {
	m, err := o.milestoneNamed(d, d.Milestone)
	if err != nil {
		return err
	}
	m.Due, m.OriginalDue, m.Extended = d.Due, d.Due, false
	return nil
}

// foldProgress records a progress report for its period (the month of
// s.at when the report names none). It becomes the current progress
// unless it speaks of an earlier period than the current one.
func (o *Obligation) foldProgress(d ProgressReported, s stamp) {
	o.Reports++
	period := d.Period
	if period.IsZero() {
		period = YearMonthOf(s.at)
	}
	if o.ProgressPeriod.IsZero() || !period.FirstDay().Before(o.ProgressPeriod.FirstDay()) {
		o.Progress, o.ProgressAt, o.ProgressPeriod = d.Percent, s.at, period
	}
	o.PeriodReports.Append(PeriodReport{Period: period, Percent: d.Percent, EventID: s.id, ReportedAt: InstantOf(s.at), RecordedAt: InstantOf(s.recorded)})
	o.resubmitted(SendBackReport, s)
}

// foldGranted moves a milestone's due date and clears the pending request.
func (o *Obligation) foldGranted(d ExtensionGranted, s stamp) error {
	m, err := o.milestoneNamed(d, d.Milestone)
	if err != nil {
		return err
	}
	m.Due = d.Due
	m.Extended = m.Due != m.OriginalDue
	m.Extensions = append(m.Extensions, ExtensionGrant{EventID: s.id, PreviousDue: d.PreviousDue, Due: d.Due, GrantedAt: s.at, RecordedAt: s.recorded})
	o.PendingExtension = nil
	return nil
}

// foldSlipped records a missed due date on the milestone and the obligation.
func (o *Obligation) foldSlipped(d DeadlineSlipped, s stamp) error {
	m, err := o.milestoneNamed(d, d.Milestone)
	if err != nil {
		return err
	}
	m.Slipped = append(m.Slipped, d.Due)
	o.Slips = append(o.Slips, Slip{Milestone: d.Milestone, Due: d.Due, OriginalDue: d.OriginalDue, RecordedAt: s.at, EventID: s.id, EnteredAt: s.recorded})
	return nil
}

// foldClaimed marks the claimed milestone, or the whole obligation,
// pending verification.
func (o *Obligation) foldClaimed(d CompletionClaimed, s stamp) error {
	o.resubmitted(SendBackClaim, s)
	if d.Milestone == "" {
		o.Completion, o.CompletedAt, o.ClaimRecordedAt, o.ClaimEventID = ClaimPending, s.at, s.recorded, s.id
		return nil
	}
	m, err := o.milestoneNamed(d, d.Milestone)
	if err != nil {
		return err
	}
	m.Completion, m.CompletedAt, m.ClaimRecordedAt, m.ClaimEventID = ClaimPending, s.at, s.recorded, s.id
	return nil
}

// foldVerified verifies the claimed milestone (closing the obligation when
// it was the last), or the whole obligation and with it every milestone.
func (o *Obligation) foldVerified(d CompletionVerified, s stamp) error {
	if d.Milestone == "" {
		o.verifyAll(s)
		return nil
	}
	m, err := o.milestoneNamed(d, d.Milestone)
	if err != nil {
		return err
	}
	m.Completion, m.VerifiedAt, m.VerifiedEventID = ClaimVerified, s.at, s.id
	o.completeIfAllVerified(s.at, s.id)
	return nil
}

// verifyAll verifies the whole obligation; every milestone not yet verified
// takes the obligation's claim.
func (o *Obligation) verifyAll(s stamp) {
	o.Completion, o.VerifiedAt, o.VerifiedEventID = ClaimVerified, s.at, s.id
	o.Milestones = slices.Clone(o.Milestones) // copies of the aggregate share the slice
	for i := range o.Milestones {
		m := &o.Milestones[i]
		if m.Completion != ClaimVerified {
			m.Completion, m.CompletedAt, m.VerifiedAt = ClaimVerified, o.CompletedAt, s.at
			m.ClaimRecordedAt, m.ClaimEventID, m.VerifiedEventID = o.ClaimRecordedAt, o.ClaimEventID, s.id
		}
	}
}

// foldRejected rejects the claim on a milestone, or on the whole
// obligation, forgetting its completion time.
func (o *Obligation) foldRejected(d CompletionRejected) error {
	if d.Milestone == "" {
		o.Completion, o.CompletedAt, o.ClaimRecordedAt, o.ClaimEventID = ClaimRejected, time.Time{}, time.Time{}, uuid.UUID{}
		return nil
	}
	m, err := o.milestoneNamed(d, d.Milestone)
	if err != nil {
		return err
	}
	m.Completion, m.CompletedAt, m.ClaimRecordedAt, m.ClaimEventID = ClaimRejected, time.Time{}, time.Time{}, uuid.UUID{}
	return nil
}

// foldFinding adds the next finding in sequence.
func (o *Obligation) foldFinding(d FindingRecorded, s stamp) error {
	if d.Finding != len(o.Findings)+1 {
		return fmt.Errorf("obligation %s: finding %d out of sequence: %w", o.Key.Path(), d.Finding, ErrUnexpectedEvent)
	}
	f := Finding{
		No: d.Finding, Kind: d.Kind, Severity: d.Severity, Summary: d.Summary, RecordedAt: s.at, RectifyBy: d.RectifyBy, EventID: s.id,
		EnteredAt: s.recorded,
	}
	if !d.RectifyBy.IsZero() {
		f.RectifyByEventID = s.id
	}
	o.Findings = append(o.Findings, f)
	return nil
}

// foldRectificationDue sets or moves a finding's rectification date.
func (o *Obligation) foldRectificationDue(d RectificationDue, s stamp) error {
	f, err := o.findingNamed(d, d.Finding)
	if err != nil {
		return err
	}
	f.RectifyBy, f.RectifyByEventID = d.Due, s.id
	return nil
}

// foldRectified marks a finding rectified at s.at.
func (o *Obligation) foldRectified(d RectificationCompleted, s stamp) error {
	f, err := o.findingNamed(d, d.Finding)
	if err != nil {
		return err
	}
	f.Rectified, f.RectifiedAt, f.RectifiedEventID = true, s.at, s.id
	return nil
}

// completeIfAllVerified closes the obligation when its last milestone is
// verified (by event id at t); its completion time is the latest
// milestone's.
func (o *Obligation) completeIfAllVerified(t time.Time, id uuid.UUID) {
	if len(o.Milestones) == 0 || o.Completion == ClaimVerified {
		return
	}
	var latest, recorded time.Time
	var claim uuid.UUID
	for _, m := range o.Milestones {
		if m.Completion != ClaimVerified {
			return
		}
		if m.CompletedAt.After(latest) {
			latest, recorded, claim = m.CompletedAt, m.ClaimRecordedAt, m.ClaimEventID
		}
	}
	o.Completion, o.CompletedAt, o.VerifiedAt = ClaimVerified, latest, t
	o.ClaimRecordedAt, o.ClaimEventID, o.VerifiedEventID = recorded, claim, id
}

// endHolding closes the current holding at s.at, by event s.id.
func (o *Obligation) endHolding(s stamp) {
	if n := len(o.Holdings); n > 0 && o.Holdings[n-1].Until.IsZero() {
		o.Holdings = slices.Clone(o.Holdings) // copies of the aggregate share the slice
		o.Holdings[n-1].Until, o.Holdings[n-1].EndedEventID = s.at, s.id
	}
}

// refresh recomputes Status of an active obligation from its state.
func (o *Obligation) refresh() {
	if !o.Active() {
		return
	}
	claimed, rejected, extended := o.Completion == ClaimPending, o.Completion == ClaimRejected, false
	for _, m := range o.Milestones {
		claimed = claimed || m.Completion == ClaimPending
		rejected = rejected || m.Completion == ClaimRejected
		extended = extended || m.Extended
	}
	switch {
	case o.Completion == ClaimVerified:
		o.Status = StatusVerified
	case claimed:
		o.Status = StatusCompletionClaimed
	case o.Review.Pending != 0:
		o.Status = StatusSentBack
	case rejected:
		o.Status = StatusRejected
	case extended:
		o.Status = StatusExtended
	default:
		o.Status = StatusOpen
	}
}
