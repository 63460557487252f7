package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/msg"
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
		return ImportResult{Report: rep}, fail(msg.ImportForeignUnitID, msg.Args{"Reason": err.Error()})
	}
	if errors.Is(err, planimport.ErrPartial) {
		return ImportResult{Report: rep}, inField(partialError(plan, err), "text")
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
		return fail(msg.ImportTrackingFuture, msg.Args{"Date": in.TrackingFrom}).at("trackingFrom")
	case in.TrackingFrom.StartOf().Before(earliest):
		return fail(msg.ImportTrackingInvalid, msg.Args{"Date": in.TrackingFrom}).at("trackingFrom")
	}
	if pl, ok := s.current().Catalog.Plan(domain.PlanID(in.Plan)); ok && pl.TrackingStart() != in.TrackingFrom {
		return fail(msg.ImportTrackingSet, msg.Args{"Plan": in.Plan, "Date": pl.TrackingStart()}).at("trackingFrom")
	}
	return nil
}

// parsePlan checks the input and parses the document.
func (s *Service) parsePlan(in ImportInput) (*planparse.Plan, error) {
	if len(in.Text) > MaxPlanTextBytes {
		return nil, fail(msg.ImportTextTooLarge, msg.Args{"Size": len(in.Text), "Max": MaxPlanTextBytes}).at("text")
	}
	id := domain.PlanID(in.Plan)
	if err := id.Validate(); err != nil {
		return nil, inField(err, "plan")
	}
	reg, err := importRegistry(in)
	if err != nil {
		return nil, err
	}
	plan, err := planparse.ParseBytes(in.Text, planparse.Options{Registry: reg, Jurisdiction: in.Jurisdiction})
	if err != nil {
		return nil, fail(msg.ImportTextUnparsable, msg.Args{"Reason": err.Error()}).at("text")
	}
	return plan, nil
}

// importRegistry loads the registry an import names: nil for the default,
// an empty one for NoRegistry, else the given file. A file that does not
// load is refused, naming what is wrong.
func importRegistry(in ImportInput) (*planparse.Registry, error) {
	switch {
	case in.NoRegistry && len(in.Registry) > 0:
		return nil, fail(msg.ImportRegistryBoth, nil)
	case in.NoRegistry:
		return planparse.EmptyRegistry(), nil
	case len(in.Registry) == 0:
		return nil, nil
	case len(in.Registry) > MaxRegistryBytes:
		return nil, fail(msg.ImportRegistryLarge, msg.Args{"Size": len(in.Registry), "Max": MaxRegistryBytes}).at("registry")
	}
	reg, err := planparse.LoadRegistry(bytes.NewReader(in.Registry))
	if err != nil {
		return nil, fail(msg.ImportRegistryBad, msg.Args{"Reason": err.Error()}).at("registry")
	}
	for _, u := range reg.Units() {
		if err := domain.UnitID(u.ID).Validate(); err != nil {
			return nil, fail(msg.ImportRegistryBadID, msg.Args{"Name": u.Name, "ID": u.ID, "Reason": err.Error()}).at("registry")
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
