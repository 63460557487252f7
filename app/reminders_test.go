package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/projections/scoring"
)

// recordedReminder is a ReminderRecorded as stored.
type recordedReminder struct {
	domain.ReminderRecorded
	event domain.Event
}

// reminders returns every reminder on record, in log order.
func (f *fixture) reminders() []recordedReminder {
	f.t.Helper()
	events, err := f.store.ReadAll(context.Background(), 0, 1<<20)
	if err != nil {
		f.t.Fatal(err)
	}
	reg := domain.DefaultRegistry()
	var out []recordedReminder
	for _, e := range events {
		if e.Type != "ReminderRecorded" {
			continue
		}
		d, err := reg.Decode(&e)
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, recordedReminder{d.(domain.ReminderRecorded), e})
	}
	return out
}

// tick ticks at the given Shanghai day and hour as the system and returns
// the reminders recorded.
func (f *fixture) tick(y int, m time.Month, d, h int) []app.Result {
	f.t.Helper()
	f.now = time.Date(y, m, d, h, 0, 0, 0, shanghai)
	out, err := f.svc.Tick(context.Background(), auth.SystemPrincipal())
	if err != nil {
		f.t.Fatalf("tick at %s: %v", f.now, err)
	}
	f.sync()
	return out.Reminders
}

// escalatedCounty finds an implementing duty of 宁城县 on a task with a
// lead unit, and a milestone of it due at the end of 2025.
func (f *fixture) escalatedCounty() (domain.ObligationKey, domain.UnitID) {
	f.t.Helper()
	leads := map[domain.TaskNo]domain.UnitID{}
	all := f.views.Views().Obligations.All()
	for _, ob := range all {
		if ob.Key.Role == domain.RoleLead {
			leads[ob.Key.Task] = ob.Key.Unit
		}
	}
	for _, ob := range all {
		if ob.Key.Unit != "county.ningcheng" || ob.Key.Role != domain.RoleImplementing || leads[ob.Key.Task] == "" {
			continue
		}
		for _, m := range ob.Milestones {
			if m.Due == domain.MustDate(2025, 12, 31) {
				return ob.Key, leads[ob.Key.Task]
			}
		}
	}
	f.t.Fatal("no implementing duty of 宁城县 with a lead unit and a 2025 year-end milestone")
	return domain.ObligationKey{}, ""
}

// A milestone due at the end of 2025 is reminded a week before, reminded
// again once overdue, escalated to its task's lead unit after seven days
// overdue and to the office after fourteen; each tick records only what is
// new, by the system at the ledger's time.
func TestRemindersEscalateInOrderOnce(t *testing.T) {
	f := imported(t)
	k, lead := f.escalatedCounty()

	if got := f.tick(2025, 12, 23, 9); len(got) != 0 {
		t.Fatalf("8 days before the due date: %d reminders", len(got))
	}
	steps := []struct {
		day  time.Time
		want domain.ReminderKind
	}{
		{time.Date(2025, 12, 24, 9, 0, 0, 0, shanghai), domain.ReminderDueSoon},
		{time.Date(2026, 1, 2, 9, 0, 0, 0, shanghai), domain.ReminderOverdue},
		{time.Date(2026, 1, 7, 9, 0, 0, 0, shanghai), domain.ReminderEscalatedLead},
		{time.Date(2026, 1, 14, 9, 0, 0, 0, shanghai), domain.ReminderEscalatedOffice},
	}
	for _, s := range steps {
		d := s.day
		got := f.tick(d.Year(), d.Month(), d.Day(), 9)
		if len(got) == 0 {
			t.Fatalf("%s: no reminders recorded, want %s", d.Format(time.DateOnly), s.want)
		}
		head := f.head()
		if again := f.tick(d.Year(), d.Month(), d.Day(), 15); len(again) != 0 || f.head() != head {
			t.Fatalf("%s: a second tick recorded %d reminders, %d events", d.Format(time.DateOnly), len(again), f.head()-head)
		}
	}
	var kinds []string
	for _, r := range f.reminders() {
		if r.Key() != k {
			continue
		}
		kinds = append(kinds, string(r.Kind))
		if r.event.Actor != "system" {
			t.Errorf("%s recorded by %q", r.Kind, r.event.Actor)
		}
		switch r.Kind {
		case domain.ReminderEscalatedLead:
			if r.To != lead || r.DaysOverdue != 7 || !r.event.RecordedAt.Equal(steps[2].day) {
				t.Errorf("escalation to %s after %d days at %s; want %s after 7 days at %s", r.To, r.DaysOverdue, r.event.RecordedAt, lead, steps[2].day)
			}
		case domain.ReminderEscalatedOffice:
			if r.To != "" || r.DaysOverdue != 14 {
				t.Errorf("office escalation to %q after %d days", r.To, r.DaysOverdue)
			}
		}
	}
	if got := strings.Join(kinds, " "); got != "due_soon overdue escalated_lead escalated_office" {
		t.Fatalf("reminders of %s: %s", k.Path(), got)
	}
	// The lead unit's own duty is not escalated to itself.
	for _, r := range f.reminders() {
		if r.Role == domain.RoleLead && r.Kind == domain.ReminderEscalatedLead {
			t.Fatalf("a lead duty %s was escalated to lead %s", r.Key().Path(), r.To)
		}
	}
}

// A milestone due before the plan's tracking start is to be backfilled:
// no reminder about it, ever.
func TestRemindersRespectTrackingStart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.now = time.Date(2026, 3, 1, 9, 0, 0, 0, shanghai)
	if _, err := f.svc.ImportPlan(ctx, operator, app.ImportInput{Text: chifengText(t), Plan: "chifeng-air"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	f.tick(2026, 3, 20, 9)
	f.tick(2027, 12, 28, 9)
	got := f.tick(2028, 1, 20, 9)
	if len(got) == 0 {
		t.Fatal("no reminder in January 2028 for the deadlines of 2027")
	}
	for _, r := range f.reminders() {
		if r.Due.Before(domain.MustDate(2026, 3, 1)) {
			t.Fatalf("%s reminder about %s due %s, before tracking began on 2026-03-01", r.Kind, r.Milestone, r.Due)
		}
	}
}

// The window comes from the scheme adopted for the due date's year.
func TestReminderWindowIsTheSchemes(t *testing.T) {
	f := imported(t)
	k, _ := f.escalatedCounty()
	s := scoring.Default()
	s.Version = 3
	s.Reminders = &scoring.ReminderRule{BeforeDays: 10, EscalateDays: 3}
	if _, err := f.svc.AdoptScheme(context.Background(), committee, app.SchemeInput{Year: 2025, Document: string(s.Canonical()), IdempotencyKey: "s"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	f.tick(2025, 12, 21, 9)
	f.tick(2026, 1, 3, 9)
	var kinds []string
	for _, r := range f.reminders() {
		if r.Key() == k {
			kinds = append(kinds, string(r.Kind)+"@"+domain.DateOf(r.event.RecordedAt).String())
		}
	}
	if got := strings.Join(kinds, " "); got != "due_soon@2025-12-21 overdue@2026-01-03 escalated_lead@2026-01-03" {
		t.Fatalf("with a 10-day window and 3-day escalation: %s", got)
	}
}

// A milestone claimed complete is not reminded: the unit has answered.
func TestClaimedMilestoneIsNotReminded(t *testing.T) {
	f := imported(t)
	k, _ := f.escalatedCounty()
	f.now = time.Date(2025, 12, 1, 9, 0, 0, 0, shanghai)
	if _, err := f.svc.ClaimCompletion(context.Background(), ningcheng, app.ClaimInput{Obligation: app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}, IdempotencyKey: "c"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	f.tick(2026, 1, 20, 9)
	for _, r := range f.reminders() {
		if r.Key() == k {
			t.Fatalf("a claimed duty got a %s reminder", r.Kind)
		}
	}
}

// A channel's delivery is recorded once; a delivery of a reminder that is
// not on record, or by a unit, is refused and records nothing.
func TestRecordDelivery(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	f.tick(2026, 1, 2, 9)
	r := f.reminders()[0]
	in := app.DeliveryInput{Obligation: r.Key(), Reminder: r.event.ID, Channel: "webhook"}
	first, err := f.svc.RecordDelivery(ctx, auth.SystemPrincipal(), in)
	if err != nil || len(first.Events) != 1 || first.Events[0].Type != "ReminderDelivered" {
		t.Fatalf("first delivery: %+v, %v", first, err)
	}
	head := f.head()
	if _, err := f.svc.RecordDelivery(ctx, auth.SystemPrincipal(), in); err != nil || f.head() != head {
		t.Fatalf("a repeated delivery: err %v, %d new events", err, f.head()-head)
	}
	bad := in
	bad.Reminder = uuid.New()
	_, err = f.svc.RecordDelivery(ctx, auth.SystemPrincipal(), bad)
	f.refused(err, app.InvalidArgument, head)
	_, err = f.svc.RecordDelivery(ctx, ningcheng, in)
	f.refused(err, app.Forbidden, head)
	other := in
	other.Channel = "smtp"
	if res, err := f.svc.RecordDelivery(ctx, auth.SystemPrincipal(), other); err != nil || len(res.Events) != 1 {
		t.Fatalf("delivery on a second channel: %+v, %v", res, err)
	}
}
