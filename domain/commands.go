package domain

import (
	"fmt"
	"strings"
)

// Command is a request to change one aggregate. Commands are plain structs;
// the aggregate's decision method of the same name takes the command and a
// Meta and returns the events it causes, never changing the aggregate.
type Command interface {
	// Stream names the stream of the aggregate the command acts on.
	Stream() string
	// Validate checks the command's own fields, without looking at any
	// state; it returns an *Error with code InvalidArgument. Decisions call
	// it first, so callers need not, but an API may to fail early.
	Validate() error
}

// VersionedAggregate is an Aggregate that knows the version of the last
// event folded into it, which command handling passes to the store as the
// expected version of its append. Every aggregate in this package is one.
type VersionedAggregate interface {
	Aggregate
	// Version is the stream version of the last applied event, 0 if none.
	Version() uint64
}

// NewAggregate returns the empty aggregate for a stream name: a *Plan,
// *Task, *Unit or *Obligation. Fold the stream's events into it, then
// Decide.
func NewAggregate(stream string) (VersionedAggregate, error) {
	ref, err := ParseStream(stream)
	if err != nil {
		return nil, err
	}
	switch ref.Kind {
	case StreamPlan:
		return &Plan{}, nil
	case StreamTask:
		return &Task{}, nil
	case StreamUnit:
		return &Unit{}, nil
	default:
		return &Obligation{}, nil
	}
}

// Decide routes a command to the decision method of agg, which must be the
// aggregate of cmd.Stream(). It returns the events to append (possibly none)
// or a typed error.
//
// ReassignResponsibility decided here yields only the old obligation's
// event; use Handoff to also decide the successor's.
func Decide(agg Aggregate, cmd Command, m Meta) ([]EventData, error) {
	switch c := cmd.(type) {
	case RegisterPlan:
		return on(agg, cmd, func(p *Plan) ([]EventData, error) { return p.RegisterPlan(c, m) })
	case AdoptScheme:
		return on(agg, cmd, func(p *Plan) ([]EventData, error) { return p.AdoptScheme(c, m) })
	case PublishScorecard:
		return on(agg, cmd, func(p *Plan) ([]EventData, error) { return p.PublishScorecard(c, m) })
	case RegisterTask:
		return on(agg, cmd, func(t *Task) ([]EventData, error) { return t.RegisterTask(c, m) })
	case AmendTask:
		return on(agg, cmd, func(t *Task) ([]EventData, error) { return t.AmendTask(c, m) })
	case RegisterUnit:
		return on(agg, cmd, func(u *Unit) ([]EventData, error) { return u.RegisterUnit(c, m) })
	case RenameUnit:
		return on(agg, cmd, func(u *Unit) ([]EventData, error) { return u.RenameUnit(c, m) })
	case MergeUnit:
		return on(agg, cmd, func(u *Unit) ([]EventData, error) { return u.MergeUnit(c, m) })
	case RecordIndicator:
		return on(agg, cmd, func(u *Unit) ([]EventData, error) { return u.RecordIndicator(c, m) })
	case AssignResponsibility:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.AssignResponsibility(c, m) })
	case ReassignResponsibility:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.ReassignResponsibility(c, m) })
	case WithdrawResponsibility:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.WithdrawResponsibility(c, m) })
	case ScheduleMilestone:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.ScheduleMilestone(c, m) })
	case RescheduleMilestone:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RescheduleMilestone(c, m) })
	case ReportProgress:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.ReportProgress(c, m) })
	case RequestExtension:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RequestExtension(c, m) })
	case GrantExtension:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.GrantExtension(c, m) })
	case RefuseExtension:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RefuseExtension(c, m) })
	case RecordSlip:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RecordSlip(c, m) })
	case ClaimCompletion:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.ClaimCompletion(c, m) })
	case VerifyCompletion:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.VerifyCompletion(c, m) })
	case RejectCompletion:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RejectCompletion(c, m) })
	case RecordFinding:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RecordFinding(c, m) })
	case SetRectificationDue:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.SetRectificationDue(c, m) })
	case CompleteRectification:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.CompleteRectification(c, m) })
	case RecordReminder:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RecordReminder(c, m) })
	case RecordDelivery:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RecordDelivery(c, m) })
	case SendBackWork:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.SendBackWork(c, m) })
	case PostComment:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.PostComment(c, m) })
	case SignOffPart:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.SignOffPart(c, m) })
	case VerifyRectification:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.VerifyRectification(c, m) })
	case RejectRectification:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RejectRectification(c, m) })
	case RecordRectificationSlip:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RecordRectificationSlip(c, m) })
	case FileAppeal:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.FileAppeal(c, m) })
	case RuleAppeal:
		return on(agg, cmd, func(o *Obligation) ([]EventData, error) { return o.RuleAppeal(c, m) })
	case IssueBulletin:
		return on(agg, cmd, func(p *Plan) ([]EventData, error) { return p.IssueBulletin(c, m) })
	case SplitUnit:
		return on(agg, cmd, func(u *Unit) ([]EventData, error) { return u.SplitUnit(c, m) })
	}
	return nil, errorf(ErrInvalidArgument, "unknown command %T", cmd)
}

// on runs decide if agg is the aggregate type the command needs.
func on[T Aggregate](agg Aggregate, cmd Command, decide func(T) ([]EventData, error)) ([]EventData, error) {
	a, ok := agg.(T)
	if !ok {
		return nil, errorf(ErrInvalidArgument, "command %T cannot act on %T", cmd, agg)
	}
	return decide(a)
}

// Fold decodes each event with reg and applies it to agg, in order.
func Fold(agg Aggregate, reg *Registry, events []Event) error {
	for i := range events {
		e := &events[i]
		data, err := reg.Decode(e)
		if err != nil {
			return err
		}
		if err := agg.Apply(e, data); err != nil {
			return err
		}
	}
	return nil
}

// validate checks what every decision needs from Meta: an actor, the
// current time, and an effective time not in the future.
func (m Meta) validate() error {
	if strings.TrimSpace(m.Actor) == "" {
		return errorf(ErrInvalidArgument, "meta: actor is required")
	}
	if m.Now.IsZero() {
		return errorf(ErrInvalidArgument, "meta: the current time is required")
	}
	if m.EffectiveAt.After(m.Now) {
		return errorf(ErrInvalidArgument, "meta: effective time %s is in the future (now %s)",
			m.EffectiveAt.Format("2006-01-02T15:04:05Z07:00"), m.Now.Format("2006-01-02T15:04:05Z07:00"))
	}
	return nil
}

// advance checks an event's version against the aggregate's and returns the
// new version. Events not yet stored (version 0) advance by one.
func advance(cur uint64, e *Event, what string) (uint64, error) {
	if e == nil {
		return 0, fmt.Errorf("%s: apply nil event: %w", what, ErrUnexpectedEvent)
	}
	if e.Version != 0 && e.Version != cur+1 {
		return 0, fmt.Errorf("%s: event %s has version %d, want %d: %w", what, e.ID, e.Version, cur+1, ErrUnexpectedEvent)
	}
	return cur + 1, nil
}

func unexpected(what string, data EventData) error {
	return fmt.Errorf("%s: cannot apply %T: %w", what, data, ErrUnexpectedEvent)
}
