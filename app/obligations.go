package app

import (
	"context"
	"strings"
	"time"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/msg"
)

// ObligationRef names one unit's duty on one task. Plan may be empty (the
// default plan); Unit is an id, a name or an alias, and may be empty for a
// bureau or county principal acting for its own unit.
type ObligationRef struct {
	Plan string
	Task int
	Unit string
	Role string
	// Part picks a later duty of the same unit and role on the task, one a
	// later bracket of the plan gives (domain.ObligationKey.Part); 0 is the
	// first.
	Part int
}

// obligation resolves a reference for a principal and action: the default
// plan, the principal's own unit for unit-bound roles (refusing another),
// a unit id, name or alias otherwise.
func (s *Service) obligation(p auth.Principal, a Action, ref ObligationRef) (domain.ObligationKey, error) {
	plan, err := s.planRef(ref.Plan)
	if err != nil {
		return domain.ObligationKey{}, inField(err, "obligation")
	}
	unit, err := s.obligationUnit(p, ref.Unit)
	if err != nil {
		return domain.ObligationKey{}, err
	}
	if unit, err = OwnUnit(p, a, unit); err != nil {
		return domain.ObligationKey{}, err
	}
	if unit == "" {
		return domain.ObligationKey{}, fail(msg.ObligationUnitRequired, nil).at("obligation", "unit")
	}
	k := domain.ObligationKey{Plan: plan, Task: domain.TaskNo(ref.Task), Unit: unit, Role: domain.Role(strings.ToUpper(strings.TrimSpace(ref.Role))), Part: ref.Part}
	return k, inField(keyField(k), "obligation")
}

// keyField checks every part of an obligation key, naming the part it
// refuses (the ObligationRef field).
func keyField(k domain.ObligationKey) error {
	parts := []struct {
		name string
		err  error
	}{{"plan", k.Plan.Validate()}, {"task", k.Task.Validate()}, {"unit", k.Unit.Validate()}, {"role", k.Role.Validate()}, {"part", k.ValidateKey()}}
	for _, part := range parts {
		if part.err != nil {
			return inField(part.err, part.name)
		}
	}
	return nil
}

// obligationUnit reads a unit reference: an id as given, a name or alias
// resolved through the catalog. A unit-bound principal's reference is
// always resolved, so that its own unit's name means its own unit.
func (s *Service) obligationUnit(p auth.Principal, ref string) (domain.UnitID, error) {
	if ref == "" {
		return "", nil
	}
	unit := domain.UnitID(ref)
	if unit.Validate() != nil || p.Role.UnitBound() {
		if u, err := s.current().Catalog.ResolveUnit(ref); err == nil {
			unit = u.ID
		}
	}
	return unit, nil
}

// registered checks, on the authoritative streams, that an assignment's
// task and unit exist and that the unit was not merged away. A refusal of
// the task names ["obligation", "task"]; one of the unit names unitField,
// the input field that gave it.
func (s *Service) registered(ctx context.Context, k domain.ObligationKey, unitField ...string) error {
	var t domain.Task
	if _, _, err := s.commands.Load(ctx, domain.TaskStream(k.Plan, k.Task), &t); err != nil {
		return err
	}
	if !t.Registered {
		return fail(msg.TaskNotRegistered, msg.Args{"Plan": k.Plan, "Task": k.Task}).at("obligation", "task")
	}
	var u domain.Unit
	if _, _, err := s.commands.Load(ctx, domain.UnitStream(k.Unit), &u); err != nil {
		return err
	}
	if !u.Registered {
		return fail(msg.UnitNotRegistered, msg.Args{"Unit": k.Unit}).at(unitField...)
	}
	if u.MergedInto != "" {
		return fail(msg.UnitMerged, msg.Args{"Unit": k.Unit, "Into": u.MergedInto, "UnitZH": u.Name, "IntoZH": s.unitName(u.MergedInto)}).at(unitField...)
	}
	return nil
}

// stamp is the moment an input says it speaks of, with the input's name
// for it; a nil moment means now.
type stamp struct {
	field string
	at    *time.Time
}

// atRecording is the stamp of inputs that speak of the moment they are recorded.
var atRecording = stamp{}

// prepared is an obligation command ready to dispatch: the principal's
// scoped key, the moment the input speaks of and the command.
type prepared struct {
	scoped    string
	effective time.Time
	cmd       domain.Command
}

// onObligation is the common path of the obligation use cases: prepare the
// command, then dispatch it.
func (s *Service) onObligation(ctx context.Context, p auth.Principal, a Action, ref ObligationRef, key string, st stamp,
	build func(domain.ObligationKey, window) (domain.Command, error)) (Result, error) {
	pr, err := s.prepare(ctx, p, a, ref, key, st, build)
	if err != nil {
		return Result{}, err
	}
	return obligationFields.result(s.dispatch(ctx, p, pr.scoped, pr.effective, pr.cmd))
}

// obligationFields names the obligation field in the domain's refusal of a
// duty never assigned.
var obligationFields = kindFields{domain.ErrNotFound: {"obligation"}}

// prepare authorizes, resolves the obligation, scopes the key, checks the
// moment the input speaks of against the plan's window and builds the
// command, recording nothing.
func (s *Service) prepare(ctx context.Context, p auth.Principal, a Action, ref ObligationRef, key string, st stamp,
	build func(domain.ObligationKey, window) (domain.Command, error)) (prepared, error) {
	scoped, err := s.admit(ctx, p, a, key)
	if err != nil {
		return prepared{}, err
	}
	k, err := s.obligation(p, a, ref)
	if err != nil {
		return prepared{}, err
	}
	w, err := s.dateWindow(ctx, k.Plan, s.clock.Now())
	if err != nil {
		return prepared{}, err
	}
	effective, err := w.instant(st.field, st.at)
	if err != nil {
		return prepared{}, err
	}
	cmd, err := build(k, w)
	if err != nil {
		return prepared{}, err
	}
	return prepared{scoped: scoped, effective: effective, cmd: cmd}, nil
}

// AssignInput asks to assign a duty.
type AssignInput struct {
	Obligation     ObligationRef
	Basis          string
	StartsOn       domain.Date
	IdempotencyKey string
}

// AssignResponsibility assigns a unit a role on a registered task.
func (s *Service) AssignResponsibility(ctx context.Context, p auth.Principal, in AssignInput) (Result, error) {
	if err := cleanFields(freeText("basis", "依据", &in.Basis)); err != nil {
		return Result{}, err
	}
	return s.onObligation(ctx, p, Assign, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		cmd := domain.AssignResponsibility{ObligationKey: k, Basis: in.Basis, StartsOn: in.StartsOn}
		if err := cmd.Validate(); err != nil {
			return nil, err
		}
		return cmd, s.registered(ctx, k, "obligation", "unit")
	})
}

// WithdrawInput asks to withdraw a duty.
type WithdrawInput struct {
	Obligation     ObligationRef
	Reason         string
	IdempotencyKey string
}

// WithdrawResponsibility withdraws a unit's duty.
func (s *Service) WithdrawResponsibility(ctx context.Context, p auth.Principal, in WithdrawInput) (Result, error) {
	if err := cleanFields(freeText("reason", "理由", &in.Reason)); err != nil {
		return Result{}, err
	}
	return s.onObligation(ctx, p, Withdraw, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		return domain.WithdrawResponsibility{ObligationKey: k, Reason: in.Reason}, nil
	})
}

// ReportInput is a progress report.
type ReportInput struct {
	Obligation ObligationRef
	Percent    int
	// Period is the month the report covers ("2025-06"); empty means the
	// month of the effective time.
	Period string
	Note   string
	// EffectiveAt is the moment the report speaks of; nil means now. It
	// lies within the plan's period and not in the future.
	EffectiveAt    *time.Time
	IdempotencyKey string
	// Attachments are evidence files uploaded before (UploadEvidence).
	Attachments []EvidenceHandle
}

// ReportProgress records a unit's progress report.
func (s *Service) ReportProgress(ctx context.Context, p auth.Principal, in ReportInput) (Result, error) {
	pr, err := s.reportCommand(ctx, p, in)
	if err != nil {
		return Result{}, err
	}
	// The range of percent was checked; the domain's other progress
	// refusal is a lower figure without a note saying why.
	return obligationFields.result(kindFields{domain.ErrInvalidProgress: {"note"}}.result(s.dispatch(ctx, p, pr.scoped, pr.effective, pr.cmd)))
}

// reportCommand checks a progress report and builds its command: the rules
// of ReportProgress short of recording (bulk reports check every row with
// them before recording any).
func (s *Service) reportCommand(ctx context.Context, p auth.Principal, in ReportInput) (prepared, error) {
	if err := cleanFields(freeText("note", "备注", &in.Note)); err != nil {
		return prepared{}, err
	}
	return s.prepare(ctx, p, Report, in.Obligation, in.IdempotencyKey, stamp{"effectiveAt", in.EffectiveAt}, func(k domain.ObligationKey, w window) (domain.Command, error) {
		cmd := domain.ReportProgress{ObligationKey: k, ActingUnit: acting(p), Percent: domain.Percent(in.Percent), Note: in.Note}
		if err := cmd.Percent.Validate(); err != nil {
			return nil, inField(err, "percent")
		}
		refs, err := s.EvidenceRefs(ctx, in.Attachments)
		if err != nil {
			return nil, inField(err, "attachments")
		}
		cmd.Attachments = refs
		if in.Period != "" {
			period, err := domain.ParseYearMonth(in.Period)
			if err != nil {
				return nil, inField(err, "period")
			}
			if err := w.month("period", period); err != nil {
				return nil, err
			}
			cmd.Period = period
		}
		return cmd, nil
	})
}

// ExtensionRequestInput asks for a later due date.
type ExtensionRequestInput struct {
	Obligation     ObligationRef
	Milestone      string
	Due            domain.Date
	Reason         string
	IdempotencyKey string
}

// RequestExtension records a unit's request for a later due date.
func (s *Service) RequestExtension(ctx context.Context, p auth.Principal, in ExtensionRequestInput) (Result, error) {
	if err := cleanFields(freeText("reason", "理由", &in.Reason)); err != nil {
		return Result{}, err
	}
	return extensionFields.result(s.onObligation(ctx, p, RequestExtension, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		return domain.RequestExtension{ObligationKey: k, ActingUnit: acting(p), Milestone: domain.MilestoneID(in.Milestone), Due: in.Due, Reason: in.Reason}, milestoneField(in.Milestone, true)
	}))
}

// ExtensionDecisionInput grants or refuses a pending extension request.
type ExtensionDecisionInput struct {
	Obligation ObligationRef
	Grant      bool
	// Due overrides the requested date when granting; zero keeps it.
	Due            domain.Date
	Note           string
	IdempotencyKey string
}

// DecideExtension grants or refuses the pending extension request.
func (s *Service) DecideExtension(ctx context.Context, p auth.Principal, in ExtensionDecisionInput) (Result, error) {
	if err := cleanFields(freeText("note", "说明", &in.Note)); err != nil {
		return Result{}, err
	}
	return extensionFields.result(s.onObligation(ctx, p, DecideExtension, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		if in.Grant {
			return domain.GrantExtension{ObligationKey: k, Due: in.Due, Note: in.Note}, nil
		}
		if !in.Due.IsZero() {
			return nil, fail(msg.ExtensionRefusalDue, nil).at("due")
		}
		return domain.RefuseExtension{ObligationKey: k, Reason: in.Note}, nil
	}))
}

// ClaimInput claims a milestone (or the whole duty) done.
type ClaimInput struct {
	Obligation ObligationRef
	Milestone  string
	Evidence   string
	// AchievedAt is when the work was done; nil means now. It lies within
	// the plan's period and not in the future.
	AchievedAt     *time.Time
	IdempotencyKey string
	// Attachments are evidence files uploaded before (UploadEvidence);
	// Evidence is the claim's own words about them.
	Attachments []EvidenceHandle
}

// ClaimCompletion records a unit's completion claim. A lead's claim (a
// LEAD or JOINT duty) is refused with SIGNOFF_PENDING until every
// supporting duty on its task is signed off (review.go).
func (s *Service) ClaimCompletion(ctx context.Context, p auth.Principal, in ClaimInput) (Result, error) {
	if err := cleanFields(freeText("evidence", "证据", &in.Evidence)); err != nil {
		return Result{}, err
	}
	return claimFields.result(s.onObligation(ctx, p, Claim, in.Obligation, in.IdempotencyKey, stamp{"achievedAt", in.AchievedAt}, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		if err := firstOf(milestoneField(in.Milestone, false), s.leadClaim(ctx, p, k, in.IdempotencyKey)); err != nil {
			return nil, err
		}
		refs, err := s.EvidenceRefs(ctx, in.Attachments)
		if err != nil {
			return nil, inField(err, "attachments")
		}
		return domain.ClaimCompletion{ObligationKey: k, ActingUnit: acting(p), Milestone: domain.MilestoneID(in.Milestone), Evidence: in.Evidence, Attachments: refs}, nil
	}))
}

// ClaimDecisionInput verifies or rejects a pending claim.
type ClaimDecisionInput struct {
	Obligation ObligationRef
	Milestone  string
	// Note explains a verification; Reason is required for a rejection.
	Note           string
	IdempotencyKey string
}

// VerifyCompletion verifies a pending completion claim.
func (s *Service) VerifyCompletion(ctx context.Context, p auth.Principal, in ClaimDecisionInput) (Result, error) {
	if err := cleanFields(freeText("note", "说明", &in.Note)); err != nil {
		return Result{}, err
	}
	return claimFields.result(s.onObligation(ctx, p, Verify, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		return domain.VerifyCompletion{ObligationKey: k, Milestone: domain.MilestoneID(in.Milestone), Note: in.Note}, milestoneField(in.Milestone, false)
	}))
}

// RejectCompletion rejects a pending completion claim, with a reason.
func (s *Service) RejectCompletion(ctx context.Context, p auth.Principal, in ClaimDecisionInput) (Result, error) {
	if err := cleanFields(freeText("reason", "理由", &in.Note).at("note")); err != nil {
		return Result{}, err
	}
	return claimFields.result(s.onObligation(ctx, p, Reject, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		return domain.RejectCompletion{ObligationKey: k, Milestone: domain.MilestoneID(in.Milestone), Reason: in.Note}, milestoneField(in.Milestone, false)
	}))
}

// extensionFields and claimFields name the input fields of the domain's
// refusals of extension requests and decisions, and of completion claims
// and decisions.
var (
	extensionFields = kindFields{domain.ErrUnknownMilestone: {"milestone"}, domain.ErrInvalidDate: {"due"}, domain.ErrExtensionNotLater: {"due"}}
	claimFields     = kindFields{domain.ErrUnknownMilestone: {"milestone"}}
)

// milestoneField checks a milestone id an input gives (required, or
// optional: empty names the whole duty), naming the milestone field.
func milestoneField(id string, required bool) error {
	if id == "" && !required {
		return nil
	}
	return inField(domain.MilestoneID(id).Validate(), "milestone")
}

// FindingInput is an inspection finding.
type FindingInput struct {
	Obligation     ObligationRef
	Kind           string
	Severity       string
	Summary        string
	RectifyBy      domain.Date
	IdempotencyKey string
}

// RecordFinding records an inspector's finding on a duty.
func (s *Service) RecordFinding(ctx context.Context, p auth.Principal, in FindingInput) (Result, error) {
	if err := cleanFields(freeText("summary", "摘要", &in.Summary)); err != nil {
		return Result{}, err
	}
	return s.onObligation(ctx, p, RecordFinding, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		cmd := domain.RecordFinding{
			ObligationKey: k, Kind: domain.FindingKind(strings.ToLower(in.Kind)),
			Severity: domain.Severity(strings.ToLower(in.Severity)), Summary: in.Summary, RectifyBy: in.RectifyBy,
		}
		return cmd, firstOf(inField(cmd.Kind.Validate(), "kind"), inField(cmd.Severity.Validate(), "severity"))
	})
}
