package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/msg"
)

// Rectification (整改): a finding with a rectification date is an
// obligation of its own. The unit reports it done, an inspector verifies
// it or sends it back with reasons (it stays open), an inspector may move
// its date with a reason, and Tick records RectificationSlipped when the
// date passes unrectified. docs/scoring.md says what it costs.

// RectificationInput names one finding's rectification and says something
// about it: the unit's note when reporting, the inspector's note when
// verifying, the reasons (required) when rejecting.
type RectificationInput struct {
	Obligation     ObligationRef
	Finding        int
	Note           string
	IdempotencyKey string
	// Attachments are evidence files (佐证材料) uploaded before, for a
	// unit's report only (UploadEvidence); ignored by the other uses.
	Attachments []EvidenceHandle
}

// requireText refuses empty text with a message in English and Chinese.
func requireText(field, fieldZH, s string) error {
	if strings.TrimSpace(s) == "" {
		return fail(msg.TextReasonRequired, msg.Args{"Field": field, "FieldZH": fieldZH})
	}
	return nil
}

// findingNumber refuses a finding number below 1 (the input's finding).
func findingNumber(no int) error {
	if no < 1 {
		return fail(msg.FindingNumberInvalid, msg.Args{"No": no}).at("finding")
	}
	return nil
}

// ReportRectification records a unit's report that a finding was
// rectified (RectificationCompleted). Only the obligation's unit may.
func (s *Service) ReportRectification(ctx context.Context, p auth.Principal, in RectificationInput) (Result, error) {
	if err := firstOf(cleanFields(freeText("note", "说明", &in.Note)), findingNumber(in.Finding)); err != nil {
		return Result{}, err
	}
	return s.explained(rectificationFields.result(s.onObligation(ctx, p, ReportRectification, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		refs, err := s.EvidenceRefs(ctx, in.Attachments)
		if err != nil {
			return nil, inField(err, "attachments")
		}
		return domain.CompleteRectification{ObligationKey: k, ActingUnit: acting(p), Finding: in.Finding, Note: in.Note, Attachments: refs}, nil
	})))
}

// VerifyRectification records an inspector's verification of a reported
// rectification.
func (s *Service) VerifyRectification(ctx context.Context, p auth.Principal, in RectificationInput) (Result, error) {
	if err := firstOf(cleanFields(freeText("note", "说明", &in.Note)), findingNumber(in.Finding)); err != nil {
		return Result{}, err
	}
	return s.explained(rectificationFields.result(s.onObligation(ctx, p, ReviewRectification, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		return domain.VerifyRectification{ObligationKey: k, Finding: in.Finding, Note: in.Note}, nil
	})))
}

// RejectRectification sends a reported rectification back with reasons
// (Note, required); the rectification stays open.
func (s *Service) RejectRectification(ctx context.Context, p auth.Principal, in RectificationInput) (Result, error) {
	if err := firstOf(cleanFields(freeText("reason", "理由", &in.Note).at("note")), findingNumber(in.Finding), inField(requireText("reason", "退回理由", in.Note), "note")); err != nil {
		return Result{}, err
	}
	return s.explained(rectificationFields.result(s.onObligation(ctx, p, ReviewRectification, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		return domain.RejectRectification{ObligationKey: k, Finding: in.Finding, Reason: in.Note}, nil
	})))
}

// RectificationDueInput moves a finding's rectification date, with a
// reason.
type RectificationDueInput struct {
	Obligation     ObligationRef
	Finding        int
	Due            domain.Date
	Reason         string
	IdempotencyKey string
}

// MoveRectificationDue sets or moves a finding's rectification date
// (RectificationDue). The reason is required and shown in the history.
func (s *Service) MoveRectificationDue(ctx context.Context, p auth.Principal, in RectificationDueInput) (Result, error) {
	if err := firstOf(cleanFields(freeText("reason", "理由", &in.Reason)), findingNumber(in.Finding), inField(requireText("reason", "调整理由", in.Reason), "reason")); err != nil {
		return Result{}, err
	}
	if in.Due.IsZero() {
		return Result{}, fail(msg.RectificationDueNeeded, nil).at("due")
	}
	return s.explained(rectificationFields.result(s.onObligation(ctx, p, ReviewRectification, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		return domain.SetRectificationDue{ObligationKey: k, Finding: in.Finding, Due: in.Due, Reason: in.Reason}, nil
	})))
}

// rectificationFields names the input fields of the domain's refusals of
// rectification use cases.
var rectificationFields = kindFields{domain.ErrUnknownFinding: {"finding"}, domain.ErrNoChange: {"due"}}

// explained passes a result on with its error worded by explain.
func (s *Service) explained(res Result, err error) (Result, error) { return res, explain(err) }

// firstOf returns the first non-nil error.
func firstOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// rectificationNamespace derives a rectification slip's idempotency key.
var rectificationNamespace = uuid.MustParse("8e2b6f1a-7c3d-4b9e-a5f0-2d1c4e6b8a97")

// slipRectifications records RectificationSlipped for every finding whose
// rectification date has passed unrectified at at, as p. A slip already on
// record is not recorded again: the key names the finding and the date.
func (s *Service) slipRectifications(ctx context.Context, p auth.Principal, at time.Time) ([]Result, error) {
	var out []Result
	for _, ob := range s.current().Obligations.All() {
		for _, f := range ob.Findings {
			if !f.RectificationSlipDue(at) {
				continue
			}
			about := fmt.Sprintf("%s\x00%d\x00%s", ob.Key.Stream(), f.No, f.RectifyBy)
			key, err := scopedKey(p, "rectification-slip:"+uuid.NewSHA1(rectificationNamespace, []byte(about)).String())
			if err != nil {
				return out, err
			}
			cmd := domain.RecordRectificationSlip{ObligationKey: ob.Key, Finding: f.No}
			res, err := s.dispatchFor(ctx, p, key, struct {
				Key     domain.ObligationKey
				Finding int
				Due     domain.Date
			}{ob.Key, f.No, f.RectifyBy}, time.Time{}, cmd)
			if err != nil {
				return out, fmt.Errorf("record rectification slip of %s finding %d: %w", ob.Key.Path(), f.No, err)
			}
			if len(res.Events) > 0 && !res.Duplicate {
				out = append(out, res)
			}
		}
	}
	return out, nil
}

// RectificationState says where a rectification stands.
type RectificationState string

// The rectification states.
const (
	// RectificationOpen: not reported (or sent back) and not yet due.
	RectificationOpen RectificationState = "open"
	// RectificationOverdue: not reported (or sent back) and the date has
	// passed.
	RectificationOverdue RectificationState = "overdue"
	// RectificationReported: reported, awaiting an inspector.
	RectificationReported RectificationState = "reported"
	// RectificationVerified: verified by an inspector.
	RectificationVerified RectificationState = "verified"
)

// RectificationItem is one finding that requires rectification.
type RectificationItem struct {
	Obligation domain.ObligationKey
	Finding    domain.Finding
	State      RectificationState
}

// RectificationFilter selects rectifications: a plan (empty: every plan),
// a unit (for a bureau or county principal, its own), and whether verified
// ones are listed too.
type RectificationFilter struct {
	Plan       string
	Unit       string
	AlsoClosed bool
}

// Rectifications lists the findings that require rectification, open
// first (overdue, then reported, then open), by obligation and finding. A
// bureau or county principal sees only its own unit's.
func (s *Service) Rectifications(ctx context.Context, p auth.Principal, f RectificationFilter) ([]RectificationItem, error) {
	obs, err := s.readableObligations(ctx, p, f.Plan, f.Unit)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out []RectificationItem
	for _, ob := range obs {
		for _, fd := range ob.Findings {
			if fd.RectifyBy.IsZero() {
				continue
			}
			st := rectificationState(fd, now)
			if st == RectificationVerified && !f.AlsoClosed {
				continue
			}
			out = append(out, RectificationItem{Obligation: ob.Key, Finding: fd, State: st})
		}
	}
	return out, nil
}

func rectificationState(f domain.Finding, now time.Time) RectificationState {
	switch {
	case f.RectificationVerified:
		return RectificationVerified
	case f.Rectified:
		return RectificationReported
	case f.RectifyBy.PassedAt(now):
		return RectificationOverdue
	}
	return RectificationOpen
}

// readableObligations returns the obligations a principal may read, of a
// plan (empty: every plan) and unit (empty: every unit; a bureau or county
// principal's own unit whatever it names), ordered by stream.
func (s *Service) readableObligations(ctx context.Context, p auth.Principal, plan, unit string) ([]domain.Obligation, error) {
	if err := s.authorize(ctx, p, ReadAppeals); err != nil {
		return nil, err
	}
	v := s.current()
	var planID domain.PlanID
	if plan != "" {
		id, err := s.knownPlan(v, plan)
		if err != nil {
			return nil, err
		}
		planID = id
	}
	u, err := UnitRef(p, ReadAppeals, unit, s.ResolveUnit)
	if err != nil {
		return nil, err
	}
	var out []domain.Obligation
	for _, ob := range v.Obligations.All() {
		if (planID != "" && ob.Key.Plan != planID) || (u != "" && ob.Key.Unit != u) {
			continue
		}
		out = append(out, ob)
	}
	return out, nil
}
