package domain

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestRecordReminderDecisions(t *testing.T) {
	remind := func(k ReminderKind, to UnitID, days int) RecordReminder {
		return RecordReminder{ObligationKey: kCounty, Milestone: "2025", Kind: k, To: to, DaysOverdue: days}
	}
	soon, late := cst(2025, 12, 26, 9, 0), cst(2026, 1, 8, 9, 0)
	overdue := ReminderRecorded{ObligationKey: kCounty, Milestone: "2025", Due: due2025, Kind: ReminderOverdue, DaysOverdue: 1}
	runDecide(t, []decideCase{
		{name: "due soon", given: []any{assigned, m2025}, cmd: remind(ReminderDueSoon, "", 0), now: soon,
			events: []EventData{ReminderRecorded{ObligationKey: kCounty, Milestone: "2025", Due: due2025, Kind: ReminderDueSoon}}},
		{name: "due soon, but overdue", given: []any{assigned, m2025}, cmd: remind(ReminderDueSoon, "", 0), now: afterDue, want: ErrInvalidArgument},
		{name: "overdue before the date ended", given: []any{assigned, m2025}, cmd: remind(ReminderOverdue, "", 0), now: afterDue.Add(-time.Nanosecond), want: ErrNotYetDue},
		{name: "overdue", given: []any{assigned, m2025}, cmd: remind(ReminderOverdue, "", 1), now: afterDue, events: []EventData{overdue}},
		{name: "overdue again", given: []any{assigned, m2025, overdue}, cmd: remind(ReminderOverdue, "", 8), now: late, noEvents: true},
		{name: "escalated to the lead", given: []any{assigned, m2025, overdue}, cmd: remind(ReminderEscalatedLead, "bureau.transport", 8), now: late,
			events: []EventData{ReminderRecorded{ObligationKey: kCounty, Milestone: "2025", Due: due2025, Kind: ReminderEscalatedLead, To: "bureau.transport", DaysOverdue: 8}}},
		{name: "escalation to the lead names it", given: []any{assigned, m2025}, cmd: remind(ReminderEscalatedLead, "", 8), now: late, want: ErrInvalidArgument},
		{name: "only the lead escalation names a unit", given: []any{assigned, m2025}, cmd: remind(ReminderEscalatedOffice, "bureau.transport", 8), now: late, want: ErrInvalidArgument},
		{name: "unknown kind", given: []any{assigned, m2025}, cmd: remind("nag", "", 0), now: late, want: ErrInvalidArgument},
		{name: "negative days", given: []any{assigned, m2025}, cmd: remind(ReminderOverdue, "", -1), now: late, want: ErrInvalidArgument},
		{name: "unknown milestone", given: []any{assigned, m2025}, cmd: RecordReminder{ObligationKey: kCounty, Milestone: "x", Kind: ReminderOverdue}, now: late, want: ErrUnknownMilestone},
		{name: "withdrawn", given: []any{assigned, m2025, withdrawn}, cmd: remind(ReminderOverdue, "", 8), now: late, want: ErrWithdrawn},
		{name: "claimed", given: []any{assigned, m2025, CompletionClaimed{ObligationKey: kCounty, Milestone: "2025"}}, cmd: remind(ReminderOverdue, "", 8), now: late, noEvents: true},
		{name: "whole claimed", given: []any{assigned, m2025, claimAll}, cmd: remind(ReminderOverdue, "", 8), now: late, noEvents: true},
		{name: "claim rejected", given: []any{assigned, m2025, claimAll, CompletionRejected{ObligationKey: kCounty, Reason: "r"}}, cmd: remind(ReminderOverdue, "", 8), now: late,
			events: []EventData{ReminderRecorded{ObligationKey: kCounty, Milestone: "2025", Due: due2025, Kind: ReminderOverdue, DaysOverdue: 8}}},
	})
}

// A delivery names a reminder of the obligation by its event ID and is
// recorded once per channel, also after a withdrawal.
func TestRecordDeliveryDecisions(t *testing.T) {
	id := uuid.MustParse("0f0e0d0c-0b0a-4908-8706-050403020100")
	o := &Obligation{}
	apply := func(eid uuid.UUID, d EventData) {
		t.Helper()
		e := &Event{ID: eid, Version: o.Version() + 1, RecordedAt: base, Type: d.EventType()}
		if err := o.Apply(e, d); err != nil {
			t.Fatal(err)
		}
	}
	apply(uuid.New(), assigned)
	apply(uuid.New(), m2025)
	apply(id, ReminderRecorded{ObligationKey: kCounty, Milestone: "2025", Due: due2025, Kind: ReminderOverdue})
	m := metaAt(base)
	deliver := RecordDelivery{ObligationKey: kCounty, Reminder: id, Channel: "webhook"}
	got, err := Decide(o, deliver, m)
	if err != nil || len(got) != 1 || got[0] != (ReminderDelivered{ObligationKey: kCounty, Reminder: id, Channel: "webhook"}) {
		t.Fatalf("first delivery: %v, %v", got, err)
	}
	apply(uuid.New(), withdrawn)
	apply(uuid.New(), got[0])
	if got, err := Decide(o, deliver, m); err != nil || len(got) != 0 {
		t.Fatalf("a repeated delivery: %v, %v", got, err)
	}
	if got, err := Decide(o, RecordDelivery{ObligationKey: kCounty, Reminder: id, Channel: "smtp"}, m); err != nil || len(got) != 1 {
		t.Fatalf("another channel on a withdrawn obligation: %v, %v", got, err)
	}
	for name, c := range map[string]RecordDelivery{
		"unknown reminder": {ObligationKey: kCounty, Reminder: uuid.New(), Channel: "webhook"},
		"no reminder":      {ObligationKey: kCounty, Channel: "webhook"},
		"no channel":       {ObligationKey: kCounty, Reminder: id},
	} {
		if got, err := Decide(o, c, m); CodeOf(err) != ErrInvalidArgument.Code || got != nil {
			t.Errorf("%s: %v, %v", name, got, err)
		}
	}
	if r := o.Reminders[0]; len(r.Delivered) != 1 || r.Delivered[0] != "webhook" || r.EventID != id {
		t.Fatalf("folded reminder %+v", r)
	}
}
