package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// ReminderKind says what a reminder (催办) is about and to whom it goes.
type ReminderKind string

// The reminder kinds, in the order a late milestone meets them.
const (
	// ReminderDueSoon (催办) reminds the holder that a milestone is due
	// within the scheme's reminder window.
	ReminderDueSoon ReminderKind = "due_soon"
	// ReminderOverdue (逾期催办) reminds the holder that a milestone's due
	// date has passed with no verified completion.
	ReminderOverdue ReminderKind = "overdue"
	// ReminderEscalatedLead (升级督办) tells the task's lead unit (To) that
	// a milestone of one of its supporters or implementers is still
	// overdue.
	ReminderEscalatedLead ReminderKind = "escalated_lead"
	// ReminderEscalatedOffice (升级督办) tells the supervising office that
	// a milestone is still overdue.
	ReminderEscalatedOffice ReminderKind = "escalated_office"
)

// Validate reports whether k is a defined kind.
func (k ReminderKind) Validate() error {
	switch k {
	case ReminderDueSoon, ReminderOverdue, ReminderEscalatedLead, ReminderEscalatedOffice:
		return nil
	}
	return errorf(ErrInvalidArgument, "reminder kind %q is not due_soon, overdue, escalated_lead or escalated_office", string(k))
}

// afterDue reports whether the kind speaks of a due date that has passed.
func (k ReminderKind) afterDue() bool { return k != ReminderDueSoon }

// MaxChannelLen bounds the name of a delivery channel, in bytes.
const MaxChannelLen = 64

// ReminderRecorded records a reminder (催办) about one milestone of the
// obligation at its current due date. To is the unit reminded when that is
// not the holder: the task's lead unit for escalated_lead; empty for the
// holder itself and for the supervising office (escalated_office).
// DaysOverdue counts whole days since the due date. Stream: obligation-….
type ReminderRecorded struct {
	ObligationKey
	Milestone   MilestoneID  `json:"milestone"`
	Due         Date         `json:"due"`
	Kind        ReminderKind `json:"kind"`
	To          UnitID       `json:"to,omitempty"`
	DaysOverdue int          `json:"days_overdue,omitempty"`
}

// EventType implements EventData.
func (ReminderRecorded) EventType() string { return "ReminderRecorded" }

// ReminderDelivered records that the reminder recorded as event Reminder
// was handed to the outside channel Channel (e.g. "webhook", "smtp") and
// accepted there. Stream: obligation-….
type ReminderDelivered struct {
	ObligationKey
	Reminder uuid.UUID `json:"reminder"`
	Channel  string    `json:"channel"`
}

// EventType implements EventData.
func (ReminderDelivered) EventType() string { return "ReminderDelivered" }

// Reminder is a recorded reminder and where it has been delivered.
type Reminder struct {
	Milestone   MilestoneID
	Due         Date
	Kind        ReminderKind
	To          UnitID
	DaysOverdue int
	// EventID is the ReminderRecorded event, RecordedAt its recorded time.
	EventID    uuid.UUID
	RecordedAt time.Time
	// Delivered lists the channels that accepted it, in order.
	Delivered []string
}

// RecordReminder records a reminder about a milestone at its current due
// date. The process manager decides when one is due; the obligation
// decides whether it is new.
type RecordReminder struct {
	ObligationKey
	Milestone   MilestoneID
	Kind        ReminderKind
	To          UnitID
	DaysOverdue int
}

// Validate implements Command.
func (c RecordReminder) Validate() error {
	var to error
	if c.To != "" {
		to = c.To.Validate()
	}
	if c.To != "" && c.Kind != ReminderEscalatedLead {
		to = errorf(ErrInvalidArgument, "a %s reminder names no recipient unit", c.Kind)
	}
	if c.To == "" && c.Kind == ReminderEscalatedLead {
		to = errorf(ErrInvalidArgument, "an escalation to the lead unit names the lead unit")
	}
	var days error
	if c.DaysOverdue < 0 {
		days = errorf(ErrInvalidArgument, "days overdue %d is negative", c.DaysOverdue)
	}
	return firstErr(c.ValidateKey(), c.Milestone.Validate(), c.Kind.Validate(), to, days)
}

// RecordDelivery records that a channel accepted a reminder.
type RecordDelivery struct {
	ObligationKey
	Reminder uuid.UUID
	Channel  string
}

// Validate implements Command.
func (c RecordDelivery) Validate() error {
	var id error
	if c.Reminder == uuid.Nil {
		id = errorf(ErrInvalidArgument, "a delivery names the reminder event")
	}
	return firstErr(c.ValidateKey(), id, checkText("channel", c.Channel, MaxChannelLen, true))
}

// Reminded reports whether a reminder of kind to unit to about milestone ms
// at due date due is on record.
func (o *Obligation) Reminded(ms MilestoneID, due Date, kind ReminderKind, to UnitID) bool {
	for _, r := range o.Reminders {
		if r.Milestone == ms && r.Due == due && r.Kind == kind && r.To == to {
			return true
		}
	}
	return false
}

// Answered reports whether the holder has answered for milestone m: its
// completion, or the whole obligation's, is claimed or verified. Such a
// milestone is not reminded.
func (o *Obligation) Answered(m Milestone) bool {
	answered := func(c ClaimState) bool { return c == ClaimPending || c == ClaimVerified }
	return answered(o.Completion) || answered(m.Completion)
}

// reminderIndex returns the index of the reminder recorded as event id,
// or -1.
func (o *Obligation) reminderIndex(id uuid.UUID) int {
	for i := range o.Reminders {
		if o.Reminders[i].EventID == id {
			return i
		}
	}
	return -1
}

// RecordReminder decides a RecordReminder command at m.Now. It returns no
// events when the same reminder (milestone, due date, kind, recipient) is
// on record or the milestone's completion is claimed or verified: the
// holder has answered. A due_soon reminder needs a due date not yet ended,
// the others one that has ended. Errors: ErrNotFound, ErrWithdrawn,
// ErrUnknownMilestone, ErrNotYetDue, ErrInvalidArgument.
func (o *Obligation) RecordReminder(c RecordReminder, m Meta) ([]EventData, error) {
	if err := o.precheck(c, c.ObligationKey, "", m); err != nil {
		return nil, err
	}
	ms, err := o.milestone(c.Milestone)
	if err != nil {
		return nil, err
	}
	passed := ms.Due.PassedAt(m.Now)
	switch {
	case c.Kind.afterDue() && !passed:
		return nil, errorf(ErrNotYetDue, "milestone %q of %s is due %s, which has not ended", ms.ID, o.Key.Path(), ms.Due)
	case !c.Kind.afterDue() && passed:
		return nil, errorf(ErrInvalidArgument, "milestone %q of %s was due %s: it is overdue, not due soon", ms.ID, o.Key.Path(), ms.Due)
	}
	if o.Answered(*ms) || o.Reminded(ms.ID, ms.Due, c.Kind, c.To) {
		return nil, nil
	}
	return one(ReminderRecorded{ObligationKey: c.ObligationKey, Milestone: ms.ID, Due: ms.Due, Kind: c.Kind, To: c.To, DaysOverdue: c.DaysOverdue})
}

// RecordDelivery decides a RecordDelivery command. It returns no events
// when the channel's delivery is on record. A withdrawn obligation still
// records deliveries of the reminders it had. Errors: ErrNotFound,
// ErrInvalidArgument (no such reminder).
func (o *Obligation) RecordDelivery(c RecordDelivery, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), o.routed(c.ObligationKey)); err != nil {
		return nil, err
	}
	if !o.Assigned() {
		return nil, errorf(ErrNotFound, "obligation %s is not assigned", c.Path())
	}
	i := o.reminderIndex(c.Reminder)
	if i < 0 {
		return nil, errorf(ErrInvalidArgument, "obligation %s has no reminder %s", o.Key.Path(), c.Reminder)
	}
	for _, ch := range o.Reminders[i].Delivered {
		if ch == c.Channel {
			return nil, nil
		}
	}
	return one(ReminderDelivered{ObligationKey: c.ObligationKey, Reminder: c.Reminder, Channel: c.Channel})
}

// foldReminder adds a recorded reminder.
func (o *Obligation) foldReminder(d ReminderRecorded, s stamp) {
	o.Reminders = append(o.Reminders, Reminder{
		Milestone: d.Milestone, Due: d.Due, Kind: d.Kind, To: d.To, DaysOverdue: d.DaysOverdue, EventID: s.id, RecordedAt: s.recorded,
	})
}

// foldDelivered marks a reminder delivered on a channel.
func (o *Obligation) foldDelivered(d ReminderDelivered) error {
	i := o.reminderIndex(d.Reminder)
	if i < 0 {
		return fmt.Errorf("obligation %s: delivery of unknown reminder %s: %w", o.Key.Path(), d.Reminder, ErrUnexpectedEvent)
	}
	// Copies of the aggregate share the slice: change a fresh one.
	o.Reminders = slices.Clone(o.Reminders)
	o.Reminders[i].Delivered = append(slices.Clip(o.Reminders[i].Delivered), d.Channel)
	return nil
}
