package app

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// ReminderStep is one reminder the process manager finds due for a
// milestone.
type ReminderStep struct {
	Kind        domain.ReminderKind
	To          domain.UnitID
	DaysOverdue int
}

// ReminderSteps lists, in order, the reminders due at today for milestone
// m of an obligation held in role, under rule: one BeforeDays days before
// the due date (until it ends), one once it is overdue, an escalation to
// each of leads after EscalateDays overdue (not for a lead or joint
// holder, who has no other lead), and one to the supervising office after
// twice EscalateDays. It is a pure function of its arguments.
func ReminderSteps(m domain.Milestone, role domain.Role, leads []domain.UnitID, today domain.Date, rule scoring.ReminderRule) []ReminderStep {
	if today.After(m.Due) {
		return overdueSteps(today.DaysSince(m.Due), role, leads, rule)
	}
	if !today.Before(m.Due.AddDays(-rule.BeforeDays)) {
		return []ReminderStep{{Kind: domain.ReminderDueSoon}}
	}
	return nil
}

// overdueSteps lists the reminders due days after a due date.
func overdueSteps(days int, role domain.Role, leads []domain.UnitID, rule scoring.ReminderRule) []ReminderStep {
	steps := []ReminderStep{{Kind: domain.ReminderOverdue, DaysOverdue: days}}
	if days >= rule.EscalateDays && role != domain.RoleLead && role != domain.RoleJoint {
		for _, u := range leads {
			steps = append(steps, ReminderStep{Kind: domain.ReminderEscalatedLead, To: u, DaysOverdue: days})
		}
	}
	if days >= 2*rule.EscalateDays {
		steps = append(steps, ReminderStep{Kind: domain.ReminderEscalatedOffice, DaysOverdue: days})
	}
	return steps
}

// reminderNamespace derives a reminder's idempotency key from what it is
// about, keeping the key short whatever the stream name's length.
var reminderNamespace = uuid.MustParse("3d0c8f4e-5b1a-4c7e-9f2d-6a8b7c5d4e31")

// reminderRequest is what a reminder's idempotency key is bound to: the
// milestone at its due date, the kind and the recipient. The days overdue
// are left out, so that the same reminder found a day later is the same
// request.
type reminderRequest struct {
	Obligation domain.ObligationKey
	Milestone  domain.MilestoneID
	Due        domain.Date
	Kind       domain.ReminderKind
	To         domain.UnitID
}

// remind records every reminder due at the layer's clock, as p, for the
// milestones due on or after their plan's tracking start that are neither
// claimed nor verified complete. Reminders already on record are not
// recorded again.
func (s *Service) remind(ctx context.Context, p auth.Principal, at time.Time) ([]Result, error) {
	v := s.current()
	all := v.Obligations.All()
	leads := leadUnits(all)
	today := domain.DateOf(at)
	var out []Result
	for _, ob := range all {
		if !ob.Active() || ob.Closed() {
			continue
		}
		recorded, err := s.remindObligation(ctx, p, v, ob, leads[projections.TaskKey{Plan: ob.Key.Plan, Task: ob.Key.Task}], today)
		out = append(out, recorded...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// remindObligation records the reminders due today for one obligation's
// milestones.
func (s *Service) remindObligation(ctx context.Context, p auth.Principal, v *projections.Views, ob domain.Obligation, leads []domain.UnitID, today domain.Date) ([]Result, error) {
	pl, _ := v.Catalog.Plan(ob.Key.Plan)
	start := pl.TrackingStart()
	var out []Result
	for _, m := range ob.Milestones {
		if !start.IsZero() && m.Due.Before(start) || ob.Answered(m) {
			continue
		}
		scheme, err := v.SchemeFor(ob.Key.Plan, m.Due.Year(), "", 0)
		if err != nil {
			return out, err
		}
		for _, step := range ReminderSteps(m, ob.Key.Role, leads, today, scheme.ReminderSettings()) {
			if ob.Reminded(m.ID, m.Due, step.Kind, step.To) {
				continue
			}
			res, err := s.recordReminder(ctx, p, ob.Key, m, step)
			if err != nil {
				return out, fmt.Errorf("remind %s of milestone %s (%s): %w", ob.Key.Path(), m.ID, step.Kind, err)
			}
			if len(res.Events) > 0 && !res.Duplicate {
				out = append(out, res)
			}
		}
	}
	return out, nil
}

// recordReminder records one reminder under a key made of what it is
// about, so a second tick finds the first one's events.
func (s *Service) recordReminder(ctx context.Context, p auth.Principal, k domain.ObligationKey, m domain.Milestone, step ReminderStep) (Result, error) {
	about := fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s", k.Stream(), m.ID, m.Due, step.Kind, step.To)
	key, err := scopedKey(p, "reminder:"+uuid.NewSHA1(reminderNamespace, []byte(about)).String())
	if err != nil {
		return Result{}, err
	}
	req := reminderRequest{Obligation: k, Milestone: m.ID, Due: m.Due, Kind: step.Kind, To: step.To}
	cmd := domain.RecordReminder{ObligationKey: k, Milestone: m.ID, Kind: step.Kind, To: step.To, DaysOverdue: step.DaysOverdue}
	return s.dispatchFor(ctx, p, key, req, time.Time{}, cmd)
}

// leadUnits maps each task to the units holding it as LEAD, in stream
// order.
func leadUnits(all []domain.Obligation) map[projections.TaskKey][]domain.UnitID {
	out := map[projections.TaskKey][]domain.UnitID{}
	for _, ob := range all {
		if ob.Active() && ob.Key.Role == domain.RoleLead {
			k := projections.TaskKey{Plan: ob.Key.Plan, Task: ob.Key.Task}
			out[k] = append(out[k], ob.Key.Unit)
		}
	}
	return out
}

// DeliveryInput names a reminder a channel accepted.
type DeliveryInput struct {
	// Obligation is the reminder's obligation, Reminder its event ID.
	Obligation domain.ObligationKey
	Reminder   uuid.UUID
	// Channel names the outside channel, e.g. "webhook".
	Channel string
}

// RecordDelivery records that a channel accepted a reminder, so that it is
// never delivered there again. Recording it twice records nothing new.
// Only the system (the outbox) and the operator may.
func (s *Service) RecordDelivery(ctx context.Context, p auth.Principal, in DeliveryInput) (Result, error) {
	if err := s.authorize(ctx, p, RecordSlips); err != nil {
		return Result{}, err
	}
	key, err := scopedKey(p, fmt.Sprintf("delivery:%s:%s", in.Reminder, in.Channel))
	if err != nil {
		return Result{}, err
	}
	return s.dispatch(ctx, p, key, time.Time{}, domain.RecordDelivery{ObligationKey: in.Obligation, Reminder: in.Reminder, Channel: in.Channel})
}
