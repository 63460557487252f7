package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"taskledger/auth"
	"taskledger/command"
	"taskledger/domain"
	"taskledger/internal/msg"
)

// Plan changes: the office schedules and reschedules milestones, passes a
// duty from one unit to another, and renames, merges and splits units.
// When a unit is merged or split, its open duties pass to the unit the
// office names (the successor, or the heir of a split) by the same
// handoff as a reassignment, so the successor carries them and their
// unverified milestones, and the old unit's trail names where each went.

// latestDue and earliestDue bound a milestone's due date: dates nobody
// could mean are refused rather than recorded.
const (
	earliestDueYear = 1990
	latestDueYear   = 2100
)

// ScheduleInput adds a milestone to a duty.
type ScheduleInput struct {
	Obligation ObligationRef
	// Milestone is the milestone's id within the duty, e.g. "m2".
	Milestone string
	// What is what is due, in the plan's words.
	What           string
	Due            domain.Date
	IdempotencyKey string
}

// ScheduleMilestone records a new milestone on a unit's duty (office only).
func (s *Service) ScheduleMilestone(ctx context.Context, p auth.Principal, in ScheduleInput) (Result, error) {
	if err := cleanFields(freeText("what", "事项", &in.What)); err != nil {
		return Result{}, err
	}
	if err := checkDueDate(in.Due); err != nil {
		return Result{}, err
	}
	return summarize(s.onObligation(ctx, p, ChangePlan, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		id := strings.TrimSpace(in.Milestone)
		return domain.ScheduleMilestone{ObligationKey: k, Milestone: domain.MilestoneID(id), What: in.What, Due: in.Due}, milestoneField(id, true)
	}))(fmt.Sprintf("已新增里程碑 %s，期限 %s", in.Milestone, in.Due), fmt.Sprintf("scheduled milestone %s due %s", in.Milestone, in.Due))
}

// RescheduleInput moves a milestone's due date, with the reason.
type RescheduleInput struct {
	Obligation ObligationRef
	Milestone  string
	Due        domain.Date
	// Reason is required: it is shown in the duty's history.
	Reason         string
	IdempotencyKey string
}

// RescheduleMilestone records a new baseline due date for a milestone
// (office only). Unlike an extension it may move the date either way; the
// reason is required and kept in the event.
func (s *Service) RescheduleMilestone(ctx context.Context, p auth.Principal, in RescheduleInput) (Result, error) {
	if err := cleanFields(freeText("reason", "理由", &in.Reason)); err != nil {
		return Result{}, err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return Result{}, fail(msg.ChangeReasonRequired, nil).at("reason")
	}
	if err := checkDueDate(in.Due); err != nil {
		return Result{}, err
	}
	return summarize(rescheduleFields.result(s.onObligation(ctx, p, ChangePlan, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		id := strings.TrimSpace(in.Milestone)
		return domain.RescheduleMilestone{ObligationKey: k, Milestone: domain.MilestoneID(id), Due: in.Due, Reason: in.Reason}, milestoneField(id, true)
	})))(fmt.Sprintf("里程碑 %s 的期限已调整为 %s（理由：%s）", in.Milestone, in.Due, in.Reason), fmt.Sprintf("milestone %s rescheduled to %s", in.Milestone, in.Due))
}

// rescheduleFields names the input fields of the domain's refusals of a
// rescheduled milestone.
var rescheduleFields = kindFields{domain.ErrUnknownMilestone: {"milestone"}, domain.ErrNoChange: {"due"}}

// checkDueDate refuses a missing due date or one outside the years a plan
// can speak of (the input's due).
func checkDueDate(d domain.Date) error {
	if d.IsZero() {
		return fail(msg.ChangeDueRequired, nil).at("due")
	}
	if y := d.Year(); y < earliestDueYear || y > latestDueYear {
		return fail(msg.ChangeDueOutOfRange, msg.Args{"Due": d, "From": earliestDueYear, "To": latestDueYear}).at("due")
	}
	return nil
}

// ReassignInput passes a duty from one unit (Obligation.Unit) to another.
type ReassignInput struct {
	Obligation ObligationRef
	// ToUnit is the unit taking the duty over: an id, name or alias.
	ToUnit string
	// ToRole is the role it takes; empty means the same role.
	ToRole         string
	Reason         string
	IdempotencyKey string
}

// ReassignResponsibility passes a unit's duty to another unit (office
// only): the new holder's obligation opens with the old one's unverified
// milestones, and the old one closes as reassigned.
func (s *Service) ReassignResponsibility(ctx context.Context, p auth.Principal, in ReassignInput) (Result, error) {
	if err := cleanFields(freeText("reason", "理由", &in.Reason)); err != nil {
		return Result{}, err
	}
	pr, err := s.prepare(ctx, p, ChangePlan, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		to, err := s.knownUnit(in.ToUnit, "toUnit")
		if err != nil {
			return nil, err
		}
		role := k.Role
		if r := strings.TrimSpace(in.ToRole); r != "" {
			role = domain.Role(strings.ToUpper(r))
		}
		if err := role.Validate(); err != nil {
			return nil, inField(err, "toRole")
		}
		cmd := domain.ReassignResponsibility{ObligationKey: k, ToUnit: to, ToRole: role, Reason: in.Reason}
		if cmd.To() == k {
			return nil, fail(msg.ChangeSameHolder, msg.Args{"Unit": to, "UnitZH": s.unitName(to), "Role": role})
		}
		if err := cmd.Validate(); err != nil {
			return nil, err
		}
		return cmd, s.registered(ctx, cmd.To(), "toUnit")
	})
	if err != nil {
		return Result{}, err
	}
	cmd := pr.cmd.(domain.ReassignResponsibility)
	return summarize(s.handoff(ctx, p, pr.scoped, cmd))(fmt.Sprintf("任务责任已转交%s", s.unitName(cmd.ToUnit)), fmt.Sprintf("duty reassigned to %s", cmd.ToUnit))
}

// summarize gives a use case's result its summary, Chinese first.
func summarize(res Result, err error) func(zh, en string) (Result, error) {
	return func(zh, en string) (Result, error) {
		if err == nil {
			res.Summary = zh + " · " + en
		}
		return res, err
	}
}

// handoff records a reassignment on both obligations: the new holder's
// first, then the old one's, each under its own key derived from scoped. A
// repeated request finds the old obligation's events and returns them.
func (s *Service) handoff(ctx context.Context, p auth.Principal, scoped string, cmd domain.ReassignResponsibility) (Result, error) {
	fromKey, toKey := scoped+"#from", scoped+"#to"
	fromMeta, err := s.meta(p, fromKey, cmd, time.Time{})
	if err != nil {
		return Result{}, err
	}
	fromStream := cmd.ObligationKey.Stream() // a later part has a stream of its own
	var from domain.Obligation
	_, history, err := s.commands.Load(ctx, fromStream, &from)
	if err != nil {
		return Result{}, err
	}
	if prior := command.RecordedBy(history, fromKey); len(prior) > 0 {
		if command.SameRequest(prior, fromMeta) != nil {
			return Result{}, errIdempotencyConflict()
		}
		return Result{Events: prior, Position: prior[len(prior)-1].Position, Duplicate: true}, nil
	}
	toMeta, err := s.meta(p, toKey, cmd, time.Time{})
	if err != nil {
		return Result{}, err
	}
	to := cmd.To()
	toRes, err := command.Execute(ctx, s.commands, to.Stream(), toMeta,
		func() *domain.Obligation { return &domain.Obligation{} },
		func(o *domain.Obligation) ([]domain.EventData, error) {
			var fresh domain.Obligation
			if _, _, err := s.commands.Load(ctx, fromStream, &fresh); err != nil {
				return nil, err
			}
			_, evs, err := domain.Handoff(&fresh, o, cmd, toMeta)
			return evs, err
		})
	if err != nil {
		return Result{}, err
	}
	res, err := s.dispatchFor(ctx, p, fromKey, cmd, time.Time{}, cmd)
	if err != nil {
		return Result{}, err
	}
	res.Events = append(toRes.Events, res.Events...)
	return res, nil
}

// knownUnit resolves a unit reference that must name a registered unit;
// field is the input field that gives it.
func (s *Service) knownUnit(ref, field string) (domain.UnitID, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", fail(msg.UnitRequired, msg.Args{"Field": field}).at(field)
	}
	u, err := s.current().Catalog.ResolveUnit(ref)
	if err != nil {
		return "", fail(msg.UnitUnknownName, msg.Args{"Field": field, "Name": ref}).at(field)
	}
	return u.ID, nil
}

// RenameInput gives a unit a new official name.
type RenameInput struct {
	Unit           string
	Name           string
	Reason         string
	IdempotencyKey string
}

// RenameUnit records a unit's new official name (office only); the old
// name stays a name the unit is found by, and its history is unchanged.
func (s *Service) RenameUnit(ctx context.Context, p auth.Principal, in RenameInput) (Result, error) {
	if err := cleanFields(nameText("name", "名称", &in.Name), freeText("reason", "理由", &in.Reason)); err != nil {
		return Result{}, err
	}
	scoped, err := s.admit(ctx, p, ChangePlan, in.IdempotencyKey)
	if err != nil {
		return Result{}, err
	}
	unit, err := s.knownUnit(in.Unit, "unit")
	if err != nil {
		return Result{}, err
	}
	if other, err := s.current().Catalog.ResolveUnit(in.Name); err == nil && other.ID != unit {
		return Result{}, fail(msg.ChangeNameTaken, msg.Args{"Name": in.Name, "Other": other.ID}).at("name")
	}
	return summarize(kindFields{domain.ErrNoChange: {"name"}}.result(s.dispatch(ctx, p, scoped, time.Time{}, domain.RenameUnit{Unit: unit, Name: in.Name, Reason: in.Reason})))(
		fmt.Sprintf("单位已更名为%s", in.Name), fmt.Sprintf("unit %s renamed %s", unit, in.Name))
}

// MergeInput merges a unit into a successor.
type MergeInput struct {
	Unit           string
	Into           string
	Reason         string
	IdempotencyKey string
}

// MergeResult says what a merger recorded.
type MergeResult struct {
	Result
	// Handed are the open duties passed to the successor.
	Handed []domain.ObligationKey
}

// MergeUnits merges a unit into a successor (office only): its open duties
// pass to the successor, then the unit is recorded as merged and takes no
// more commands. Its past record stays its own; views and the audit trail
// name the successor.
func (s *Service) MergeUnits(ctx context.Context, p auth.Principal, in MergeInput) (MergeResult, error) {
	if err := cleanFields(freeText("reason", "理由", &in.Reason)); err != nil {
		return MergeResult{}, err
	}
	scoped, err := s.admit(ctx, p, ChangePlan, in.IdempotencyKey)
	if err != nil {
		return MergeResult{}, err
	}
	unit, err := s.knownUnit(in.Unit, "unit")
	if err != nil {
		return MergeResult{}, err
	}
	into, err := s.knownUnit(in.Into, "into")
	if err != nil {
		return MergeResult{}, err
	}
	if unit == into {
		return MergeResult{}, fail(msg.ChangeSelfMerge, msg.Args{"Unit": unit, "UnitZH": s.unitName(unit)}).at("into")
	}
	if err := s.liveUnit(ctx, into); err != nil {
		return MergeResult{}, inField(err, "into")
	}
	cmd := domain.MergeUnit{Unit: unit, Into: into, Reason: in.Reason}
	if err := cmd.Validate(); err != nil {
		return MergeResult{}, err
	}
	return s.retire(ctx, p, scoped, unit, into, in.Reason, cmd)
}

// retire hands a unit's open duties to heir, then records cmd (the merger
// or split) on the unit's stream.
func (s *Service) retire(ctx context.Context, p auth.Principal, scoped string, unit, heir domain.UnitID, reason string, cmd domain.Command) (MergeResult, error) {
	var out MergeResult
	for _, ob := range s.openDuties(unit) {
		k := ob.Key
		re := domain.ReassignResponsibility{ObligationKey: k, ToUnit: heir, ToRole: k.Role, Reason: reason}
		if _, err := s.handoff(ctx, p, scoped+"#"+k.Path(), re); err != nil {
			return MergeResult{}, fmt.Errorf("hand %s to %s: %w", k.Path(), heir, err)
		}
		out.Handed = append(out.Handed, k)
	}
	res, err := s.dispatch(ctx, p, scoped, time.Time{}, cmd)
	if err != nil {
		return MergeResult{}, err
	}
	res.Summary = fmt.Sprintf("%s的 %d 项未办结任务责任已转交%s · %d open duties of %s handed to %s",
		s.unitName(unit), len(out.Handed), s.unitName(heir), len(out.Handed), unit, heir)
	out.Result = res
	return out, nil
}

// openDuties lists a unit's obligations that are still held and not
// closed, in key order.
func (s *Service) openDuties(unit domain.UnitID) []domain.Obligation {
	var out []domain.Obligation
	for _, ob := range s.current().Obligations.All() {
		if ob.Key.Unit == unit && ob.Active() && !ob.Closed() {
			out = append(out, ob)
		}
	}
	return out
}

// liveUnit checks, on the unit's stream, that it is registered and was
// neither merged nor split away.
func (s *Service) liveUnit(ctx context.Context, id domain.UnitID) error {
	var u domain.Unit
	if _, _, err := s.commands.Load(ctx, domain.UnitStream(id), &u); err != nil {
		return err
	}
	if !u.Registered {
		return fail(msg.UnitNotRegistered, msg.Args{"Unit": id})
	}
	if u.MergedInto != "" {
		return fail(msg.UnitMerged, msg.Args{"Unit": id, "Into": u.MergedInto, "UnitZH": u.Name, "IntoZH": s.unitName(u.MergedInto)})
	}
	return nil
}

// SplitPart is one unit a split unit becomes: an existing unit (Unit names
// it by id, name or alias), or a new one (Unit is its new id and Name its
// official name; it is registered with the divided unit's kind).
type SplitPart struct {
	Unit string
	Name string
}

// SplitInput divides a unit into several.
type SplitInput struct {
	Unit string
	Into []SplitPart
	// Heir is the part that takes over the open duties and the history:
	// its id or name, as given in Into.
	Heir           string
	Reason         string
	IdempotencyKey string
}

// SplitUnit divides a unit into two or more (office only). New parts are
// registered first; the unit's open duties pass to the heir the office
// names (the others take up duties by reassignment as the office decides);
// then the split is recorded and the unit takes no more commands. Views
// and the audit trail follow the heir.
func (s *Service) SplitUnit(ctx context.Context, p auth.Principal, in SplitInput) (MergeResult, error) {
	if err := cleanFields(freeText("reason", "理由", &in.Reason)); err != nil {
		return MergeResult{}, err
	}
	scoped, err := s.admit(ctx, p, ChangePlan, in.IdempotencyKey)
	if err != nil {
		return MergeResult{}, err
	}
	unit, err := s.knownUnit(in.Unit, "unit")
	if err != nil {
		return MergeResult{}, err
	}
	old, _ := s.current().Catalog.Unit(unit)
	parts, fresh, err := s.splitParts(ctx, old, in.Into)
	if err != nil {
		return MergeResult{}, err
	}
	heir, err := heirOf(in.Heir, in.Into, parts)
	if err != nil {
		return MergeResult{}, err
	}
	cmd := domain.SplitUnit{Unit: unit, Into: parts, Heir: heir, Reason: in.Reason}
	if err := cmd.Validate(); err != nil {
		return MergeResult{}, err
	}
	if res, done, err := s.repeated(ctx, p, unit, scoped, cmd); done || err != nil {
		return MergeResult{Result: res}, err
	}
	if err := s.liveUnit(ctx, unit); err != nil {
		return MergeResult{}, err
	}
	for _, reg := range fresh {
		if _, err := s.dispatchFor(ctx, p, scoped+"#register:"+string(reg.Unit), in, time.Time{}, reg); err != nil {
			return MergeResult{}, fmt.Errorf("register %s: %w", reg.Unit, err)
		}
	}
	return s.retire(ctx, p, scoped, unit, heir, in.Reason, cmd)
}

// splitParts resolves the parts of a split: existing live units, or new
// ones to register (returned as commands, recorded by the caller).
func (s *Service) splitParts(ctx context.Context, old domain.Unit, in []SplitPart) ([]domain.UnitID, []domain.RegisterUnit, error) {
	var ids []domain.UnitID
	var fresh []domain.RegisterUnit
	for i := range in {
		part, at := &in[i], strconv.Itoa(i)
		if err := cleanFields(nameText("into.name", "新单位名称", &part.Name).at("into", at, "name")); err != nil {
			return nil, nil, err
		}
		if u, err := s.current().Catalog.ResolveUnit(strings.TrimSpace(part.Unit)); err == nil {
			if err := s.liveUnit(ctx, u.ID); err != nil {
				return nil, nil, inField(err, "into", at, "unit")
			}
			ids = append(ids, u.ID)
			continue
		}
		reg := domain.RegisterUnit{Unit: domain.UnitID(strings.TrimSpace(part.Unit)), Kind: old.Kind, Name: part.Name, Jurisdiction: old.Jurisdiction}
		if err := reg.Validate(); err != nil {
			return nil, nil, fail(msg.ChangeSplitUnknown, msg.Args{"Unit": part.Unit, "Reason": err.Error()}).at("into", at, "unit")
		}
		ids = append(ids, reg.Unit)
		fresh = append(fresh, reg)
	}
	return ids, fresh, nil
}

// heirOf finds the part the input names as heir, by the reference or the
// name it was given with.
func heirOf(ref string, in []SplitPart, ids []domain.UnitID) (domain.UnitID, error) {
	ref = strings.TrimSpace(ref)
	for i, part := range in {
		if ref != "" && (ref == strings.TrimSpace(part.Unit) || ref == part.Name || ref == string(ids[i])) {
			return ids[i], nil
		}
	}
	return "", fail(msg.ChangeHeirUnknown, msg.Args{"Unit": ref}).at("heir")
}

// repeated answers a split whose key the unit's stream already holds: the
// events it recorded, or IDEMPOTENCY_CONFLICT for another request.
func (s *Service) repeated(ctx context.Context, p auth.Principal, unit domain.UnitID, scoped string, request any) (Result, bool, error) {
	var u domain.Unit
	_, history, err := s.commands.Load(ctx, domain.UnitStream(unit), &u)
	if err != nil {
		return Result{}, false, err
	}
	prior := command.RecordedBy(history, scoped)
	if len(prior) == 0 {
		return Result{}, false, nil
	}
	meta, err := s.meta(p, scoped, request, time.Time{})
	if err != nil {
		return Result{}, false, err
	}
	if command.SameRequest(prior, meta) != nil {
		return Result{}, true, errIdempotencyConflict()
	}
	return Result{Events: prior, Position: prior[len(prior)-1].Position, Duplicate: true}, true, nil
}
