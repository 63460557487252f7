package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"taskledger/auth"
	"taskledger/command"
	"taskledger/domain"
	"taskledger/internal/msg"
	"taskledger/projections"
)

// Review (审核): sending work back for revision (退回修改), the comment
// thread on an obligation, and the lead unit's sign-off (签收) of its
// supporters' parts.
//
// Who leads a task is read from the plan's roles: the units holding an
// active LEAD (牵头) duty on it, or JOINT (共同负责) where the plan names
// no 牵头 and all share the lead. Its supporters are the units holding an
// active SUPPORT (配合) duty on the same task. Counties that carry a task
// out (IMPLEMENTING) answer to the office and inspectors, not to the lead.

// The review codes, beside the common ones (errors.go).
const (
	// OwnWork: a unit tried to send back or sign off its own work.
	OwnWork Code = "OWN_WORK"
	// NotLead: a unit acted as the lead of a task it does not lead, or on
	// a duty that is not a supporting one.
	NotLead Code = "NOT_LEAD"
	// SignOffPending: the lead claimed its task done while a supporting
	// part was not signed off.
	SignOffPending Code = "SIGNOFF_PENDING"
)

// SendBackInput sends a report or the pending completion claim back.
type SendBackInput struct {
	Obligation ObligationRef
	// Target is "report" or "claim".
	Target string
	// Report is the report's number (from 1, in recording order); nil
	// means the latest. Only the latest report may be sent back.
	Report *int
	// Milestone names the claimed milestone; empty for the whole duty.
	Milestone string
	// Reasons say what must be revised; required.
	Reasons        string
	IdempotencyKey string
}

// SendBack records work sent back for revision. Inspectors and the
// coordinator office may send back any unit's work; a bureau or county
// only a supporting part of a task it leads, never its own.
func (s *Service) SendBack(ctx context.Context, p auth.Principal, in SendBackInput) (Result, error) {
	if err := cleanFields(freeText("reasons", "退回理由", &in.Reasons)); err != nil {
		return Result{}, err
	}
	if err := requiredText("reasons", "退回理由", in.Reasons, domain.MaxNoteLen); err != nil {
		return Result{}, inField(err, "reasons")
	}
	if in.Report != nil && *in.Report < 1 {
		return Result{}, fail(msg.APIReportNumber, nil).at("report")
	}
	target := domain.SendBackTarget(strings.ToLower(strings.TrimSpace(in.Target)))
	if target.Validate() != nil {
		return Result{}, fail(msg.ReviewTargetInvalid, msg.Args{"Target": in.Target}).at("target")
	}
	res, err := sendBackFields.result(s.onObligation(ctx, p, SendBackWork, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		if err := s.unlessRetried(ctx, p, k, in.IdempotencyKey, func() error { return s.asReviewer(ctx, p, k, "send back", "退回") }); err != nil {
			return nil, err
		}
		return domain.SendBackWork{ObligationKey: k, ActingUnit: acting(p), Target: target, Report: numberOrZero(in.Report),
			Milestone: domain.MilestoneID(in.Milestone), Reasons: in.Reasons}, milestoneField(in.Milestone, false)
	}))
	return res, inChinese(err)
}

// CommentInput posts a comment on an obligation's thread.
type CommentInput struct {
	Obligation ObligationRef
	Text       string
	// ReplyTo is the number of the comment answered (from 1); nil for none.
	ReplyTo        *int
	IdempotencyKey string
}

// PostComment adds a comment to an obligation's thread. A bureau or
// county comments on its own duties and on every duty of a task it leads;
// inspectors, the office and the committee on any.
func (s *Service) PostComment(ctx context.Context, p auth.Principal, in CommentInput) (Result, error) {
	if err := cleanFields(freeText("text", "意见", &in.Text)); err != nil {
		return Result{}, err
	}
	if err := requiredText("text", "意见", in.Text, domain.MaxCommentLen); err != nil {
		return Result{}, inField(err, "text")
	}
	if in.ReplyTo != nil && *in.ReplyTo < 1 {
		return Result{}, fail(msg.ReviewReplyInvalid, nil).at("replyTo")
	}
	res, err := kindFields{domain.ErrUnknownComment: {"replyTo"}}.result(s.onObligation(ctx, p, CommentOn, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		if p.Role.UnitBound() && k.Unit != p.Unit {
			if err := s.unlessRetried(ctx, p, k, in.IdempotencyKey, func() error { return s.leads(ctx, p.Unit, k, "comment on", "发表意见") }); err != nil {
				return nil, err
			}
		}
		return domain.PostComment{ObligationKey: k, ActingUnit: acting(p), Text: in.Text, ReplyTo: numberOrZero(in.ReplyTo)}, nil
	}))
	return res, inChinese(err)
}

// sendBackFields names the input fields of the domain's refusals of a
// send-back.
var sendBackFields = kindFields{domain.ErrUnknownReport: {"report"}, domain.ErrNotLatestReport: {"report"}, domain.ErrUnknownMilestone: {"milestone"}}

// SignOffInput signs off a supporter's part.
type SignOffInput struct {
	Obligation     ObligationRef
	Note           string
	IdempotencyKey string
}

// SignOffPart records the lead unit signing off a supporting duty on a
// task it leads, after the supporter reported or claimed.
func (s *Service) SignOffPart(ctx context.Context, p auth.Principal, in SignOffInput) (Result, error) {
	if err := cleanFields(freeText("note", "签收意见", &in.Note)); err != nil {
		return Result{}, err
	}
	if err := leaderSigns(p); err != nil {
		return Result{}, err
	}
	res, err := s.onObligation(ctx, p, SignOffParts, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		if err := s.unlessRetried(ctx, p, k, in.IdempotencyKey, func() error { return s.asReviewer(ctx, p, k, "sign off", "签收") }); err != nil {
			return nil, err
		}
		return domain.SignOffPart{ObligationKey: k, ActingUnit: p.Unit, Note: in.Note}, nil
	})
	return res, inChinese(err)
}

// leaderSigns refuses a sign-off by a person who is not their unit's
// leader: with personal accounts, only the account role leader signs off a
// supporter's part for the unit. Machine tokens act for the unit as a
// whole, under the role matrix alone.
func leaderSigns(p auth.Principal) error {
	if p.Person.ID != "" && !p.Leader {
		return fail(msg.ReviewSignOffLeader, nil)
	}
	return nil
}

// unlessRetried runs check unless the principal's key already recorded
// events on k's stream: a retried request is answered by what it recorded
// (or refused as another request under the same key), whatever changed
// since, so the same key and request always get the same result.
func (s *Service) unlessRetried(ctx context.Context, p auth.Principal, k domain.ObligationKey, key string, check func() error) error {
	scoped, err := scopedKey(p, key)
	if err != nil {
		return err
	}
	var ob domain.Obligation
	_, history, err := s.commands.Load(ctx, k.Stream(), &ob)
	if err != nil {
		return fmt.Errorf("load %s: %w", k.Path(), err)
	}
	if len(command.RecordedBy(history, scoped)) > 0 {
		return nil
	}
	return check()
}

// leadClaim checks a completion claim on k: a lead's claim waits for its
// supporters' sign-off (supportersSignedOff); a retry of a recorded claim
// is not checked again.
func (s *Service) leadClaim(ctx context.Context, p auth.Principal, k domain.ObligationKey, key string) error {
	if k.Role != domain.RoleLead && k.Role != domain.RoleJoint {
		return nil
	}
	return s.unlessRetried(ctx, p, k, key, func() error { return s.supportersSignedOff(ctx, k) })
}

// asReviewer checks that a bureau or county principal reviews a
// supporting duty of a task it leads, and not its own; other roles pass
// (the role matrix already admitted them).
func (s *Service) asReviewer(ctx context.Context, p auth.Principal, k domain.ObligationKey, what, whatZH string) error {
	if !p.Role.UnitBound() {
		return nil
	}
	if k.Unit == p.Unit {
		return fail(msg.ReviewOwnWork, msg.Args{"What": what, "WhatZH": whatZH})
	}
	if k.Role != domain.RoleSupport {
		return fail(msg.ReviewNotSupporting, msg.Args{"What": what, "WhatZH": whatZH, "Role": k.Role})
	}
	return s.leads(ctx, p.Unit, k, what, whatZH)
}

// leads checks, on the unit's own obligation streams, that unit holds an
// active LEAD or JOINT duty on k's task.
func (s *Service) leads(ctx context.Context, unit domain.UnitID, k domain.ObligationKey, what, whatZH string) error {
	for _, r := range []domain.Role{domain.RoleLead, domain.RoleJoint} {
		var ob domain.Obligation
		if _, _, err := s.commands.Load(ctx, domain.ObligationStream(k.Plan, k.Task, unit, r), &ob); err != nil {
			return fmt.Errorf("load the lead's duty: %w", err)
		}
		if ob.Active() {
			return nil
		}
	}
	return fail(msg.ReviewNotLead, msg.Args{"Unit": s.unitName(unit), "Task": k.Task, "What": what, "WhatZH": whatZH})
}

// supportersSignedOff checks a lead's completion claim: every active
// supporting duty on the task must be signed off. The supporting duties
// are those the read models know; each is checked on its own stream.
func (s *Service) supportersSignedOff(ctx context.Context, k domain.ObligationKey) error {
	if k.Role != domain.RoleLead && k.Role != domain.RoleJoint {
		return nil
	}
	var unsigned []string
	for _, sk := range s.supportingDuties(k) {
		var ob domain.Obligation
		if _, _, err := s.commands.Load(ctx, sk.Stream(), &ob); err != nil {
			return fmt.Errorf("load supporting duty %s: %w", sk.Path(), err)
		}
		if ob.Active() && ob.Review.SignOff == nil {
			unsigned = append(unsigned, s.unitName(sk.Unit))
		}
	}
	if len(unsigned) == 0 {
		return nil
	}
	return fail(msg.ReviewSignOffPending, msg.Args{"Units": strings.Join(unsigned, ", "), "UnitsZH": strings.Join(unsigned, "、"), "Task": k.Task})
}

// supportingDuties lists the SUPPORT duties on k's task, by stream order.
func (s *Service) supportingDuties(k domain.ObligationKey) []domain.ObligationKey {
	var out []domain.ObligationKey
	for _, v := range s.current().Obligations.Views(projections.Filter{Plan: k.Plan, Task: k.Task}, s.clock.Now(), 0) {
		if v.Role == domain.RoleSupport && v.Unit != k.Unit {
			out = append(out, v.ObligationKey)
		}
	}
	return out
}

// LedDutiesInput asks for the duties on the tasks a unit leads.
type LedDutiesInput struct {
	// Unit is the lead unit (id, name or alias); empty for a bureau or
	// county principal's own unit.
	Unit string
	// Plan limits the tasks to one plan; empty for every plan.
	Plan string
}

// LedDuties lists, for every task the unit leads (an active LEAD or JOINT
// duty), the other units' duties on it, as seen now: a lead's view of its
// supporters' and implementers' progress. Ordered as the obligations
// query orders them.
func (s *Service) LedDuties(ctx context.Context, p auth.Principal, in LedDutiesInput) ([]projections.ObligationView, error) {
	if err := s.authorize(ctx, p, ReadLedDuties); err != nil {
		return nil, err
	}
	unit, err := UnitRef(p, ReadLedDuties, in.Unit, s.ResolveUnit)
	if err != nil {
		return nil, err
	}
	if unit == "" {
		return nil, fail(msg.ReviewUnitRequired, nil)
	}
	var plan domain.PlanID
	if in.Plan != "" {
		if plan, err = s.Plan(in.Plan); err != nil {
			return nil, err
		}
	}
	v, now := s.current(), s.clock.Now()
	var out []projections.ObligationView
	for _, own := range v.Obligations.Views(projections.Filter{Unit: unit, Plan: plan}, now, v.Config.YellowDays) {
		if (own.Role != domain.RoleLead && own.Role != domain.RoleJoint) || own.Status == string(domain.StatusWithdrawn) || own.Status == string(domain.StatusReassigned) {
			continue
		}
		for _, d := range v.Obligations.Views(projections.Filter{Plan: own.Plan, Task: own.Task}, now, v.Config.YellowDays) {
			if d.Unit != unit {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// unitName is a unit's display name, or its id when the catalog has none.
func (s *Service) unitName(u domain.UnitID) string {
	if x, ok := s.current().Catalog.Unit(u); ok && x.Name != "" {
		return x.Name
	}
	return string(u)
}

// reviewZH words the domain's review refusals in Chinese.
var reviewZH = []struct {
	kind *domain.Error
	zh   string
}{
	{domain.ErrSentBackPending, "该项工作已退回修改，正等待重新报送"},
	{domain.ErrNotLatestReport, "只能退回最近一次进展报告"},
	{domain.ErrUnknownReport, "没有这一次进展报告"},
	{domain.ErrNoClaim, "没有待核验的完成申报可以退回"},
	{domain.ErrAlreadyVerified, "该项工作已核验完成"},
	{domain.ErrObligationClosed, "该项责任已核验办结，不能再退回"},
	{domain.ErrNothingToSignOff, "配合单位尚未报送进展或申报完成，暂不能签收"},
	{domain.ErrAlreadySignedOff, "该配合单位的工作已经签收"},
	{domain.ErrUnknownComment, "没有这条意见，无法回复"},
	{domain.ErrWithdrawn, "该项责任已撤销或调整"},
	{domain.ErrNotFound, "该项责任尚未分配"},
	{domain.ErrUnknownMilestone, "没有这个节点"},
}

// inChinese gives a domain refusal of the review use cases its Chinese
// words, keeping its code, English message and the input field it names;
// other errors pass as they are.
func inChinese(err error) error {
	var de *domain.Error
	if err == nil || !errors.As(err, &de) {
		return err
	}
	for _, x := range reviewZH {
		if errors.Is(err, x.kind) {
			return &Error{Code: Code(de.Code), Msg: de.Msg, MsgZH: x.zh, Field: fieldPath(err)}
		}
	}
	return err
}

// requiredText refuses empty or oversize text, in English and Chinese.
func requiredText(field, fieldZH, text string, max int) error {
	if strings.TrimSpace(text) == "" {
		return fail(msg.TextRequired, msg.Args{"Field": field, "FieldZH": fieldZH})
	}
	if n := utf8.RuneCountInString(text); n > max {
		return fail(msg.TextTooLong, msg.Args{"Field": field, "FieldZH": fieldZH, "Len": n, "Max": max})
	}
	return nil
}

// numberOrZero is a numbered reference as the domain takes it: 0 when the
// input names none.
func numberOrZero(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}
