package app

import (
	"context"
	"fmt"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/planimport"
	"taskledger/planparse"
)

// MaxPlanTextBytes bounds the text of one imported plan.
const MaxPlanTextBytes = 512 << 10

// ImportInput is a plan document to record.
type ImportInput struct {
	// Text is the plan document (UTF-8 or GB18030 text).
	Text []byte
	// Plan is the plan's id in the ledger, e.g. "chifeng-air".
	Plan string
	// Issuer names the body that issued the plan, if known.
	Issuer string
	// AllowPartial records the plan even when the parser could not read
	// every numbered item (see planimport.Options.AllowPartial).
	AllowPartial bool
	// TrackingFrom is the day the ledger starts tracking the plan; zero
	// means the day of the import. Milestones due before it are to be
	// backfilled, not slipped. It is set when a plan is first imported.
	TrackingFrom domain.Date
}

// ImportResult says what an import recorded.
type ImportResult struct {
	Result
	// Report lists each recorded change and what was already on record.
	Report planimport.Report
	// Warnings are what the parser could not settle.
	Warnings []planparse.Warning
}

// ImportPlan parses a plan document and records its units, tasks, duties
// and milestones, recording only what the ledger does not already hold.
func (s *Service) ImportPlan(ctx context.Context, p auth.Principal, in ImportInput) (ImportResult, error) {
	if err := cleanFields(nameText("issuer", "发文机关", &in.Issuer)); err != nil {
		return ImportResult{}, err
	}
	if err := s.authorize(ctx, p, ImportPlan); err != nil {
		return ImportResult{}, err
	}
	plan, err := s.parsePlan(in)
	if err != nil {
		return ImportResult{}, err
	}
	if err := s.checkTrackingFrom(in); err != nil {
		return ImportResult{}, err
	}
	rep, err := planimport.Import(ctx, s.commands, s.current(), plan, in.Text, planimport.Options{
		Plan: domain.PlanID(in.Plan), Issuer: in.Issuer, Actor: p.Actor(), Now: s.clock.Now(), AllowPartial: in.AllowPartial,
		TrackingFrom: in.TrackingFrom,
	})
	if err != nil {
		return ImportResult{Report: rep}, err
	}
	out := ImportResult{Report: rep, Warnings: plan.Warnings}
	out.Position = rep.Position
	out.Positions = make([]uint64, 0, len(rep.Changes))
	for _, c := range rep.Changes {
		out.Positions = append(out.Positions, c.Position)
	}
	out.Duplicate = len(rep.Changes) == 0
	out.Summary = importSummary(rep)
	return out, nil
}

// checkTrackingFrom refuses a tracking start in the future, before 1970,
// or for a plan already registered with another one: a plan's tracking
// start is set once, when it is first imported.
func (s *Service) checkTrackingFrom(in ImportInput) error {
	if in.TrackingFrom.IsZero() {
		return nil
	}
	today := domain.DateOf(s.clock.Now())
	switch {
	case in.TrackingFrom.After(today):
		return errorf(InvalidArgument, fmt.Sprintf("the tracking start %s is in the future", in.TrackingFrom),
			fmt.Sprintf("跟踪起始日 %s 还没有到", in.TrackingFrom))
	case in.TrackingFrom.StartOf().Before(earliest):
		return errorf(InvalidArgument, fmt.Sprintf("the tracking start %s is not a date this ledger can hold", in.TrackingFrom),
			fmt.Sprintf("跟踪起始日 %s 不是有效的日期", in.TrackingFrom))
	}
	if pl, ok := s.current().Catalog.Plan(domain.PlanID(in.Plan)); ok && pl.TrackingStart() != in.TrackingFrom {
		return errorf(InvalidArgument,
			fmt.Sprintf("plan %s is already tracked from %s; a tracking start is set when a plan is first imported", in.Plan, pl.TrackingStart()),
			fmt.Sprintf("方案 %s 已自 %s 起跟踪；跟踪起始日只能在首次导入时设定", in.Plan, pl.TrackingStart()))
	}
	return nil
}

// parsePlan checks the input and parses the document.
func (s *Service) parsePlan(in ImportInput) (*planparse.Plan, error) {
	if len(in.Text) > MaxPlanTextBytes {
		return nil, errorf(InvalidArgument, fmt.Sprintf("the plan text is %d bytes, more than %d", len(in.Text), MaxPlanTextBytes),
			fmt.Sprintf("方案文本有 %d 字节，超过上限 %d 字节", len(in.Text), MaxPlanTextBytes))
	}
	id := domain.PlanID(in.Plan)
	if err := id.Validate(); err != nil {
		return nil, err
	}
	plan, err := planparse.ParseBytes(in.Text, planparse.Options{})
	if err != nil {
		return nil, errorf(InvalidArgument, fmt.Sprintf("the plan text cannot be parsed: %v", err), fmt.Sprintf("无法解析方案文本：%v", err))
	}
	return plan, nil
}

// importSummary says in a line what an import recorded.
func importSummary(rep planimport.Report) string {
	if len(rep.Changes) == 0 {
		return fmt.Sprintf("nothing to record: the ledger already holds this text (%d items unchanged)", rep.Unchanged)
	}
	return fmt.Sprintf("recorded %d events (%s); %d items unchanged", len(rep.Changes), planimport.Summary(rep), rep.Unchanged)
}
