package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/planimport"
	"taskledger/planparse"
)

// MaxPlanTextBytes bounds the text of one imported plan.
const MaxPlanTextBytes = 512 << 10

// MaxRegistryBytes bounds a unit registry file given with an import.
const MaxRegistryBytes = 1 << 20

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
	// Registry is a unit registry file (JSON, see planparse.LoadRegistry)
	// that seeds the plan's units. It is used only when it describes the
	// plan's jurisdiction. Empty means the embedded registry of the plan's
	// jurisdiction, if one ships (Chifeng's), else none.
	Registry []byte
	// NoRegistry treats every unit the plan names as new, even where an
	// embedded registry of its jurisdiction ships. It excludes Registry.
	NoRegistry bool
	// Jurisdiction overrides the place the plan governs, which is otherwise
	// read from its title or issuer line ("赤峰市", "包头市", "安徽省").
	Jurisdiction string
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
	if err := cleanFields(nameText("issuer", "发文机关", &in.Issuer), nameText("jurisdiction", "行政区域", &in.Jurisdiction)); err != nil {
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
	if errors.Is(err, planimport.ErrForeignUnit) {
		return ImportResult{Report: rep}, errorf(InvalidArgument, err.Error(),
			fmt.Sprintf("单位名录给出的单位标识已属于另一行政区域的单位，不同行政区域的单位不能合并；请改用本地区的标识（%v）", err))
	}
	if errors.Is(err, planimport.ErrPartial) {
		return ImportResult{Report: rep}, partialError(plan, err)
	}
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
	out.Summary = importSummary(rep) + warningsSummary(plan.Warnings)
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
	reg, err := importRegistry(in)
	if err != nil {
		return nil, err
	}
	plan, err := planparse.ParseBytes(in.Text, planparse.Options{Registry: reg, Jurisdiction: in.Jurisdiction})
	if err != nil {
		return nil, errorf(InvalidArgument, fmt.Sprintf("the plan text cannot be parsed: %v", err), fmt.Sprintf("无法解析方案文本：%v", err))
	}
	return plan, nil
}

// importRegistry loads the registry an import names: nil for the default,
// an empty one for NoRegistry, else the given file. A file that does not
// load is refused, naming what is wrong.
func importRegistry(in ImportInput) (*planparse.Registry, error) {
	switch {
	case in.NoRegistry && len(in.Registry) > 0:
		return nil, errorf(InvalidArgument, "give a unit registry or ask for none, not both", "单位名录与“不使用名录”不能同时指定")
	case in.NoRegistry:
		return planparse.EmptyRegistry(), nil
	case len(in.Registry) == 0:
		return nil, nil
	case len(in.Registry) > MaxRegistryBytes:
		return nil, errorf(InvalidArgument, fmt.Sprintf("the unit registry is %d bytes, more than %d", len(in.Registry), MaxRegistryBytes),
			fmt.Sprintf("单位名录有 %d 字节，超过上限 %d 字节", len(in.Registry), MaxRegistryBytes))
	}
	reg, err := planparse.LoadRegistry(bytes.NewReader(in.Registry))
	if err != nil {
		return nil, errorf(InvalidArgument, fmt.Sprintf("the unit registry cannot be read: %v", err), fmt.Sprintf("无法读取单位名录：%v", err))
	}
	for _, u := range reg.Units() {
		if err := domain.UnitID(u.ID).Validate(); err != nil {
			return nil, errorf(InvalidArgument, fmt.Sprintf("the unit registry names %s with an id the ledger cannot hold: %v", u.Name, err),
				fmt.Sprintf("单位名录中“%s”的标识 %q 不符合要求（只能使用小写字母、数字、“.”、“_”和“-”）", u.Name, u.ID))
		}
	}
	return reg, nil
}

// importSummary says in a line what an import recorded.
func importSummary(rep planimport.Report) string {
	if len(rep.Changes) == 0 {
		return fmt.Sprintf("nothing to record: the ledger already holds this text (%d items unchanged)", rep.Unchanged)
	}
	return fmt.Sprintf("recorded %d events (%s); %d items unchanged", len(rep.Changes), planimport.Summary(rep), rep.Unchanged)
}
