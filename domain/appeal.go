package domain

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// Appeals (申诉): a unit appeals a deduction against it — a deadline slip
// or an inspection finding on one of its obligations — within the
// scheme's appeal window, with reasons; the assessment committee rules,
// upholding the deduction or overturning it, with reasons. An appeal and
// its ruling live on the obligation's stream, beside the event appealed.

// The appeal errors.
var (
	// ErrUnknownAppeal: the obligation has no appeal with that number.
	ErrUnknownAppeal = sentinel(NotFound, "unknown appeal")
	// ErrUnknownAppealTarget: the event appealed is not a slip or a
	// finding of the obligation.
	ErrUnknownAppealTarget = sentinel(NotFound, "no such slip or finding to appeal")
	// ErrAppealPending: an appeal against the same event awaits a ruling.
	ErrAppealPending = sentinel(Conflict, "an appeal against this event is already pending")
	// ErrAppealRuled: the appeal (or an earlier appeal against the same
	// event) was ruled; a ruling is final.
	ErrAppealRuled = sentinel(Conflict, "appeal already ruled")
	// ErrAppealWindowClosed: the scheme's appeal window after the event
	// has ended.
	ErrAppealWindowClosed = sentinel(Conflict, "appeal window closed")
)

// AppealTargetKind says what an appeal is against.
type AppealTargetKind string

// The appeal targets.
const (
	// AppealSlip appeals a DeadlineSlipped (and the slip and lateness
	// deductions resting on it).
	AppealSlip AppealTargetKind = "slip"
	// AppealFinding appeals a FindingRecorded (and the false-report and
	// overdue-rectification deductions resting on it).
	AppealFinding AppealTargetKind = "finding"
)

// AppealOutcome is the committee's ruling.
type AppealOutcome string

// The rulings.
const (
	// AppealUpheld: the deduction stands.
	AppealUpheld AppealOutcome = "upheld"
	// AppealOverturned: the deduction is removed.
	AppealOverturned AppealOutcome = "overturned"
)

// Validate reports whether o is a defined outcome.
func (o AppealOutcome) Validate() error {
	switch o {
	case AppealUpheld, AppealOverturned:
		return nil
	}
	return errorf(ErrInvalidArgument, "appeal outcome %q is not %q or %q", string(o), AppealUpheld, AppealOverturned)
}

// AppealFiled records a unit's appeal, numbered from 1 on the obligation,
// against the event Target (a DeadlineSlipped or FindingRecorded of the
// same obligation, as Kind says). Stream: obligation-….
type AppealFiled struct {
	ObligationKey
	Appeal  int              `json:"appeal"`
	Target  uuid.UUID        `json:"target"`
	Kind    AppealTargetKind `json:"kind"`
	Reasons string           `json:"reasons"`
}

// EventType implements EventData.
func (AppealFiled) EventType() string { return "AppealFiled" }

// AppealRuled records the committee's ruling on an appeal. Stream:
// obligation-….
type AppealRuled struct {
	ObligationKey
	Appeal  int           `json:"appeal"`
	Outcome AppealOutcome `json:"outcome"`
	Reasons string        `json:"reasons"`
}

// EventType implements EventData.
func (AppealRuled) EventType() string { return "AppealRuled" }

// Appeal is a filed appeal and its ruling, if any.
type Appeal struct {
	No      int
	Target  uuid.UUID
	Kind    AppealTargetKind
	Reasons string
	// FiledAt is when the appeal was recorded; EventID its AppealFiled.
	FiledAt time.Time
	EventID uuid.UUID
	// Outcome is empty while the appeal is pending.
	Outcome      AppealOutcome
	RulingReason string
	RuledAt      time.Time
	RuledEventID uuid.UUID
}

// Pending reports whether the appeal awaits a ruling.
func (a Appeal) Pending() bool { return a.Outcome == "" }

// FileAppeal appeals the slip or finding event Target. WindowDays is the
// scheme's appeal window: the appeal must be recorded by the end of the
// WindowDays-th day after the day the target was recorded (Asia/Shanghai).
type FileAppeal struct {
	ObligationKey
	ActingUnit UnitID
	Target     uuid.UUID
	Reasons    string
	WindowDays int
}

// Validate implements Command.
func (c FileAppeal) Validate() error {
	if err := firstErr(c.ValidateKey(), validActing(c.ActingUnit), checkText("reasons", c.Reasons, MaxNoteLen, true)); err != nil {
		return err
	}
	if c.Target == (uuid.UUID{}) {
		return errorf(ErrInvalidArgument, "the event appealed is required")
	}
	if c.WindowDays < 0 {
		return errorf(ErrInvalidArgument, "appeal window of %d days is negative", c.WindowDays)
	}
	return nil
}

// RuleAppeal rules on a pending appeal.
type RuleAppeal struct {
	ObligationKey
	Appeal  int
	Outcome AppealOutcome
	Reasons string
}

// Validate implements Command.
func (c RuleAppeal) Validate() error {
	if err := firstErr(c.ValidateKey(), c.Outcome.Validate(), checkText("reasons", c.Reasons, MaxNoteLen, true)); err != nil {
		return err
	}
	if c.Appeal < 1 {
		return errorf(ErrInvalidArgument, "appeal number %d is not positive", c.Appeal)
	}
	return nil
}

// AppealTarget returns what event id is on the obligation — a slip or a
// finding — and when the ledger recorded it.
func (o *Obligation) AppealTarget(id uuid.UUID) (AppealTargetKind, time.Time, bool) {
	for _, s := range o.Slips {
		if s.EventID == id {
			return AppealSlip, s.EnteredAt, true
		}
	}
	for _, f := range o.Findings {
		if f.EventID == id {
			return AppealFinding, f.EnteredAt, true
		}
	}
	return "", time.Time{}, false
}

// AppealOf returns the latest appeal against event id, if any.
func (o *Obligation) AppealOf(id uuid.UUID) (Appeal, bool) {
	for i := len(o.Appeals) - 1; i >= 0; i-- {
		if o.Appeals[i].Target == id {
			return o.Appeals[i], true
		}
	}
	return Appeal{}, false
}

// AppealDeadline returns the end of the appeal window for an event
// recorded at t: the end of the windowDays-th day after t's day.
func AppealDeadline(t time.Time, windowDays int) time.Time {
	return DateOf(t).AddDays(windowDays).EndOf()
}

// FileAppeal decides a FileAppeal command. The obligation may have been
// withdrawn or reassigned since: its deductions still count. Errors:
// ErrNotFound, ErrNotHolder, ErrUnknownAppealTarget, ErrAppealPending,
// ErrAppealRuled, ErrAppealWindowClosed.
func (o *Obligation) FileAppeal(c FileAppeal, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), o.routed(c.ObligationKey)); err != nil {
		return nil, err
	}
	if !o.Assigned() {
		return nil, errorf(ErrNotFound, "obligation %s is not assigned", c.Path())
	}
	if c.ActingUnit != "" && c.ActingUnit != o.Key.Unit {
		return nil, errorf(ErrNotHolder, "unit %s does not hold obligation %s", c.ActingUnit, o.Key.Path())
	}
	kind, at, ok := o.AppealTarget(c.Target)
	if !ok {
		return nil, errorf(ErrUnknownAppealTarget, "obligation %s has no slip or finding %s", o.Key.Path(), c.Target)
	}
	if a, ok := o.AppealOf(c.Target); ok {
		if a.Pending() {
			return nil, errorf(ErrAppealPending, "appeal %d against %s of %s awaits a ruling", a.No, c.Target, o.Key.Path())
		}
		return nil, errorf(ErrAppealRuled, "appeal %d against %s of %s was ruled %s; a ruling is final", a.No, c.Target, o.Key.Path(), a.Outcome)
	}
	if end := AppealDeadline(at, c.WindowDays); !m.Now.Before(end) {
		return nil, errorf(ErrAppealWindowClosed, "the appeal window for %s of %s (%d days) ended on %s",
			c.Target, o.Key.Path(), c.WindowDays, DateOf(end.Add(-time.Nanosecond)))
	}
	return one(AppealFiled{ObligationKey: c.ObligationKey, Appeal: len(o.Appeals) + 1, Target: c.Target, Kind: kind, Reasons: c.Reasons})
}

// RuleAppeal decides a RuleAppeal command. Errors: ErrNotFound,
// ErrUnknownAppeal, ErrAppealRuled.
func (o *Obligation) RuleAppeal(c RuleAppeal, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), o.routed(c.ObligationKey)); err != nil {
		return nil, err
	}
	if !o.Assigned() {
		return nil, errorf(ErrNotFound, "obligation %s is not assigned", c.Path())
	}
	if c.Appeal > len(o.Appeals) {
		return nil, errorf(ErrUnknownAppeal, "obligation %s has no appeal %d", o.Key.Path(), c.Appeal)
	}
	if a := o.Appeals[c.Appeal-1]; !a.Pending() {
		return nil, errorf(ErrAppealRuled, "appeal %d of %s was already ruled %s", a.No, o.Key.Path(), a.Outcome)
	}
	return one(AppealRuled{ObligationKey: c.ObligationKey, Appeal: c.Appeal, Outcome: c.Outcome, Reasons: c.Reasons})
}

// foldAppealFiled adds the next appeal in sequence.
func (o *Obligation) foldAppealFiled(d AppealFiled, s stamp) error {
	if d.Appeal != len(o.Appeals)+1 {
		return unexpected("obligation "+o.Key.Path()+" (appeal out of sequence)", d)
	}
	o.Appeals = append(o.Appeals, Appeal{No: d.Appeal, Target: d.Target, Kind: d.Kind, Reasons: d.Reasons, FiledAt: s.recorded, EventID: s.id})
	return nil
}

// foldAppealRuled records a ruling.
func (o *Obligation) foldAppealRuled(d AppealRuled, s stamp) error {
	if d.Appeal < 1 || d.Appeal > len(o.Appeals) {
		return unexpected("obligation "+o.Key.Path()+" (ruling on unknown appeal)", d)
	}
	// Copies of the aggregate share the slice: change a fresh one.
	o.Appeals = slices.Clone(o.Appeals)
	a := &o.Appeals[d.Appeal-1]
	a.Outcome, a.RulingReason, a.RuledAt, a.RuledEventID = d.Outcome, d.Reasons, s.recorded, s.id
	return nil
}
