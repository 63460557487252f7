package domain

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	due2025   = MustDate(2025, 12, 31)
	assigned  = ResponsibilityAssigned{ObligationKey: kCounty, Basis: "落实"}
	withdrawn = ResponsibilityWithdrawn{ObligationKey: kCounty, Reason: "调整"}
	m2025     = MilestoneScheduled{ObligationKey: kCounty, Milestone: "2025", What: "完成", Due: due2025}
	m2024     = MilestoneScheduled{ObligationKey: kCounty, Milestone: "2024", What: "投入运行", Due: MustDate(2024, 12, 31)}
	claimAll  = CompletionClaimed{ObligationKey: kCounty}
	verifyAll = CompletionVerified{ObligationKey: kCounty}
	requested = ExtensionRequested{ObligationKey: kCounty, Milestone: "2025", CurrentDue: due2025, RequestedDue: due2025.AddDays(90), Reason: "资金"}
	finding1  = FindingRecorded{ObligationKey: kCounty, Finding: 1, Kind: FindingFalseReport, Severity: SeveritySevere, Summary: "弄虚作假", RectifyBy: MustDate(2025, 6, 30)}
	finding2  = FindingRecorded{ObligationKey: kCounty, Finding: 2, Kind: FindingOther, Severity: SeverityMinor, Summary: "台账不全"}
)

// afterDue is the first instant 2025-12-31 is over in Shanghai.
var afterDue = cst(2026, 1, 1, 0, 0)

func TestAssignAndWithdraw(t *testing.T) {
	other := kCounty
	other.Unit = "county.aohan"
	reopened := assigned
	reopened.Reopened = true
	runDecide(t, []decideCase{
		{name: "assign", cmd: AssignResponsibility{ObligationKey: kCounty, Basis: "落实"}, events: []EventData{assigned}},
		{name: "assign twice", given: []any{assigned}, cmd: AssignResponsibility{ObligationKey: kCounty}, want: ErrAlreadyExists},
		{name: "assign after withdrawal re-opens", given: []any{assigned, withdrawn}, cmd: AssignResponsibility{ObligationKey: kCounty, Basis: "落实"}, events: []EventData{reopened}},
		{name: "assign after reassignment re-opens", given: []any{assigned, ResponsibilityReassigned{ObligationKey: kCounty, ToUnit: "county.aohan", ToRole: RoleImplementing}},
			cmd: AssignResponsibility{ObligationKey: kCounty, Basis: "落实"}, events: []EventData{reopened}},
		{name: "assign bad role", cmd: AssignResponsibility{ObligationKey: ObligationKey{Plan: "p", Task: 1, Unit: "u", Role: "OWNER"}}, want: ErrInvalidRole},
		{name: "assign bad task", cmd: AssignResponsibility{ObligationKey: ObligationKey{Plan: "p", Task: -1, Unit: "u", Role: RoleLead}}, want: ErrInvalidTaskNo},
		{name: "take over from another task", cmd: AssignResponsibility{ObligationKey: kCounty, ReassignedFrom: &ObligationKey{Plan: "chifeng-air", Task: 11, Unit: "county.aohan", Role: RoleImplementing}}, want: ErrInvalidArgument},
		{name: "take over from itself", cmd: AssignResponsibility{ObligationKey: kCounty, ReassignedFrom: &ObligationKey{Plan: "chifeng-air", Task: 10, Unit: "county.ningcheng", Role: RoleImplementing}}, want: ErrInvalidArgument},
		{name: "take over", cmd: AssignResponsibility{ObligationKey: kCounty, ReassignedFrom: &other}},
		{name: "withdraw", given: []any{assigned}, cmd: WithdrawResponsibility{ObligationKey: kCounty, Reason: "调整"}, events: []EventData{withdrawn}},
		{name: "withdraw unassigned", cmd: WithdrawResponsibility{ObligationKey: kCounty}, want: ErrNotFound},
		{name: "withdraw twice", given: []any{assigned, withdrawn}, cmd: WithdrawResponsibility{ObligationKey: kCounty}, want: ErrWithdrawn},
		{name: "withdraw verified", given: []any{assigned, claimAll, verifyAll}, cmd: WithdrawResponsibility{ObligationKey: kCounty}},
		{name: "reassign", given: []any{assigned}, cmd: ReassignResponsibility{ObligationKey: kCounty, ToUnit: "county.aohan", ToRole: RoleImplementing},
			events: []EventData{ResponsibilityReassigned{ObligationKey: kCounty, ToUnit: "county.aohan", ToRole: RoleImplementing}}},
		{name: "reassign to itself", given: []any{assigned}, cmd: ReassignResponsibility{ObligationKey: kCounty, ToUnit: "county.ningcheng", ToRole: RoleImplementing}, want: ErrNoChange},
		{name: "reassign to other role", given: []any{assigned}, cmd: ReassignResponsibility{ObligationKey: kCounty, ToUnit: "county.ningcheng", ToRole: RoleLead}},
		{name: "misrouted command", given: []any{assigned}, cmd: misrouted{ReportProgress{ObligationKey: other, Percent: 5}, kCounty.Stream()}, want: ErrInvalidArgument},
	})
}

// misrouted sends a command to another stream's aggregate.
type misrouted struct {
	ReportProgress
	stream string
}

func (m misrouted) Stream() string { return m.stream }

func TestNothingHappensToAWithdrawnResponsibility(t *testing.T) {
	k := kCounty
	cmds := []Command{
		WithdrawResponsibility{ObligationKey: k},
		ReassignResponsibility{ObligationKey: k, ToUnit: "county.aohan", ToRole: RoleImplementing},
		ScheduleMilestone{ObligationKey: k, Milestone: "new", Due: due2025},
		RescheduleMilestone{ObligationKey: k, Milestone: "2025", Due: due2025.AddDays(1)},
		ReportProgress{ObligationKey: k, Percent: 50},
		ReportProgress{ObligationKey: k, ActingUnit: "county.ningcheng", Percent: 50},
		RequestExtension{ObligationKey: k, Milestone: "2025", Due: due2025.AddDays(30), Reason: "r"},
		GrantExtension{ObligationKey: k},
		RefuseExtension{ObligationKey: k},
		RecordSlip{ObligationKey: k, Milestone: "2025"},
		ClaimCompletion{ObligationKey: k},
		VerifyCompletion{ObligationKey: k},
		RejectCompletion{ObligationKey: k, Reason: "r"},
		RecordFinding{ObligationKey: k, Kind: FindingOther, Severity: SeverityMinor, Summary: "s"},
		SetRectificationDue{ObligationKey: k, Finding: 1, Due: due2025},
		CompleteRectification{ObligationKey: k, Finding: 1},
	}
	for _, end := range []struct {
		name  string
		event EventData
	}{
		{"withdrawn", withdrawn},
		{"reassigned", ResponsibilityReassigned{ObligationKey: k, ToUnit: "county.aohan", ToRole: RoleImplementing}},
	} {
		var cases []decideCase
		for _, c := range cmds {
			cases = append(cases, decideCase{
				name:  end.name + "/" + reflect.TypeOf(c).Name(),
				given: []any{assigned, m2025, requested, claimAll, finding1, end.event},
				cmd:   c, now: afterDue, want: ErrWithdrawn,
			})
		}
		runDecide(t, cases)
	}
	// Every obligation command was tried.
	seen := map[string]bool{}
	for _, c := range cmds {
		seen[reflect.TypeOf(c).Name()] = true
	}
	if len(seen) != 15 {
		t.Fatalf("tried %d command types, want every one but AssignResponsibility (15)", len(seen))
	}
}

func TestCommandsOnUnassignedObligation(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "progress", cmd: ReportProgress{ObligationKey: kCounty, Percent: 5}, want: ErrNotFound},
		{name: "milestone", cmd: ScheduleMilestone{ObligationKey: kCounty, Milestone: "x", Due: due2025}, want: ErrNotFound},
		{name: "slip", cmd: RecordSlip{ObligationKey: kCounty, Milestone: "x"}, want: ErrNotFound},
		{name: "finding", cmd: RecordFinding{ObligationKey: kCounty, Kind: FindingOther, Severity: SeverityMinor, Summary: "s"}, want: ErrNotFound},
	})
}

func TestMilestoneDecisions(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "schedule", given: []any{assigned}, cmd: ScheduleMilestone{ObligationKey: kCounty, Milestone: "2025", What: "完成", Due: due2025}, events: []EventData{m2025}},
		{name: "schedule twice", given: []any{assigned, m2025}, cmd: ScheduleMilestone{ObligationKey: kCounty, Milestone: "2025", Due: due2025}, want: ErrAlreadyExists},
		{name: "schedule without due", given: []any{assigned}, cmd: ScheduleMilestone{ObligationKey: kCounty, Milestone: "2025"}, want: ErrInvalidDate},
		{name: "schedule bad id", given: []any{assigned}, cmd: ScheduleMilestone{ObligationKey: kCounty, Milestone: "a b", Due: due2025}, want: ErrInvalidID},
		{name: "schedule when closed", given: []any{assigned, claimAll, verifyAll}, cmd: ScheduleMilestone{ObligationKey: kCounty, Milestone: "x", Due: due2025}, want: ErrObligationClosed},
		{name: "reschedule", given: []any{assigned, m2025}, cmd: RescheduleMilestone{ObligationKey: kCounty, Milestone: "2025", Due: MustDate(2026, 6, 30), Reason: "方案修订"},
			events: []EventData{MilestoneRescheduled{ObligationKey: kCounty, Milestone: "2025", PreviousDue: due2025, Due: MustDate(2026, 6, 30), Reason: "方案修订"}}},
		{name: "reschedule earlier", given: []any{assigned, m2025}, cmd: RescheduleMilestone{ObligationKey: kCounty, Milestone: "2025", Due: MustDate(2025, 6, 30)}},
		{name: "reschedule to same date", given: []any{assigned, m2025}, cmd: RescheduleMilestone{ObligationKey: kCounty, Milestone: "2025", Due: due2025}, want: ErrNoChange},
		{name: "reschedule unknown", given: []any{assigned, m2025}, cmd: RescheduleMilestone{ObligationKey: kCounty, Milestone: "2030", Due: due2025}, want: ErrUnknownMilestone},
		{name: "reschedule verified milestone", given: []any{assigned, m2025, m2024, CompletionClaimed{ObligationKey: kCounty, Milestone: "2024"}, CompletionVerified{ObligationKey: kCounty, Milestone: "2024"}},
			cmd: RescheduleMilestone{ObligationKey: kCounty, Milestone: "2024", Due: due2025}, want: ErrAlreadyVerified},
	})
}

func TestProgressDecisions(t *testing.T) {
	march := YearMonth{2025, time.March}
	at40 := ProgressReported{ObligationKey: kCounty, Percent: 40, Period: march}
	report := func(p Percent, note string) ReportProgress {
		return ReportProgress{ObligationKey: kCounty, ActingUnit: "county.ningcheng", Percent: p, Note: note}
	}
	runDecide(t, []decideCase{
		{name: "first report", given: []any{assigned}, cmd: report(40, ""), events: []EventData{at40}},
		{name: "zero", given: []any{assigned}, cmd: report(0, "")},
		{name: "hundred", given: []any{assigned, at40}, cmd: report(100, ""),
			events: []EventData{ProgressReported{ObligationKey: kCounty, Percent: 100, Previous: 40, Period: march}}},
		{name: "for an earlier month", given: []any{assigned}, cmd: ReportProgress{ObligationKey: kCounty, Percent: 10, Period: YearMonth{2025, time.February}},
			events: []EventData{ProgressReported{ObligationKey: kCounty, Percent: 10, Period: YearMonth{2025, time.February}}}},
		{name: "for a later month", given: []any{assigned}, cmd: ReportProgress{ObligationKey: kCounty, Percent: 10, Period: YearMonth{2025, time.April}}, want: ErrInvalidArgument},
		{name: "backdated, month of the effective time", given: []any{assigned}, cmd: ReportProgress{ObligationKey: kCounty, Percent: 10},
			meta:   &Meta{Actor: "a", Now: base, EffectiveAt: cst(2025, 1, 31, 23, 0)},
			events: []EventData{ProgressReported{ObligationKey: kCounty, Percent: 10, Period: YearMonth{2025, time.January}}}},
		{name: "negative", given: []any{assigned}, cmd: report(-1, ""), want: ErrInvalidProgress},
		{name: "over 100", given: []any{assigned}, cmd: report(101, ""), want: ErrInvalidProgress},
		{name: "same again", given: []any{assigned, at40}, cmd: report(40, "")},
		{name: "lower without note", given: []any{assigned, at40}, cmd: report(30, " "), want: ErrInvalidProgress},
		{name: "lower with note", given: []any{assigned, at40}, cmd: report(30, "上次多报了一个项目")},
		{name: "by the plan office", given: []any{assigned}, cmd: ReportProgress{ObligationKey: kCounty, Percent: 10}},
		{name: "by another unit", given: []any{assigned}, cmd: ReportProgress{ObligationKey: kCounty, ActingUnit: "county.aohan", Percent: 10}, want: ErrNotHolder},
		{name: "bad acting unit", given: []any{assigned}, cmd: ReportProgress{ObligationKey: kCounty, ActingUnit: "Aohan", Percent: 10}, want: ErrInvalidID},
		{name: "after verification", given: []any{assigned, claimAll, verifyAll}, cmd: report(100, ""), want: ErrObligationClosed},
		{name: "while claim pending", given: []any{assigned, claimAll}, cmd: report(100, "")},
	})
}

func TestExtensionDecisions(t *testing.T) {
	later := due2025.AddDays(90)
	request := func(d Date) RequestExtension {
		return RequestExtension{ObligationKey: kCounty, ActingUnit: "county.ningcheng", Milestone: "2025", Due: d, Reason: "资金"}
	}
	granted := ExtensionGranted{ObligationKey: kCounty, Milestone: "2025", PreviousDue: due2025, RequestedDue: later, Due: later}
	runDecide(t, []decideCase{
		{name: "request", given: []any{assigned, m2025}, cmd: request(later), events: []EventData{requested}},
		{name: "request same date", given: []any{assigned, m2025}, cmd: request(due2025), want: ErrExtensionNotLater},
		{name: "request earlier", given: []any{assigned, m2025}, cmd: request(due2025.AddDays(-1)), want: ErrExtensionNotLater},
		{name: "request unknown milestone", given: []any{assigned, m2025}, cmd: RequestExtension{ObligationKey: kCounty, Milestone: "2030", Due: later, Reason: "r"}, want: ErrUnknownMilestone},
		{name: "request while pending", given: []any{assigned, m2025, requested}, cmd: request(later.AddDays(1)), want: ErrExtensionPending},
		{name: "request by another unit", given: []any{assigned, m2025}, cmd: RequestExtension{ObligationKey: kCounty, ActingUnit: "county.aohan", Milestone: "2025", Due: later, Reason: "r"}, want: ErrNotHolder},
		{name: "request without reason", given: []any{assigned, m2025}, cmd: request(later).withReason(""), want: ErrInvalidArgument},
		{name: "request when closed", given: []any{assigned, m2025, claimAll, verifyAll}, cmd: request(later), want: ErrObligationClosed},
		{name: "request after the due date passed", given: []any{assigned, m2025}, cmd: request(later), now: afterDue.Add(48 * time.Hour)},
		{name: "request for verified milestone", given: []any{assigned, m2025, m2024, CompletionClaimed{ObligationKey: kCounty, Milestone: "2025"}, CompletionVerified{ObligationKey: kCounty, Milestone: "2025"}},
			cmd: request(later), want: ErrAlreadyVerified},
		{name: "grant", given: []any{assigned, m2025, requested}, cmd: GrantExtension{ObligationKey: kCounty}, events: []EventData{granted}},
		{name: "grant other date", given: []any{assigned, m2025, requested}, cmd: GrantExtension{ObligationKey: kCounty, Due: due2025.AddDays(30), Note: "只给30天"},
			events: []EventData{ExtensionGranted{ObligationKey: kCounty, Milestone: "2025", PreviousDue: due2025, RequestedDue: later, Due: due2025.AddDays(30), Note: "只给30天"}}},
		{name: "grant earlier date", given: []any{assigned, m2025, requested}, cmd: GrantExtension{ObligationKey: kCounty, Due: due2025.AddDays(-3)}, want: ErrExtensionNotLater},
		{name: "grant without request", given: []any{assigned, m2025}, cmd: GrantExtension{ObligationKey: kCounty}, want: ErrNoPendingExtension},
		{name: "grant twice", given: []any{assigned, m2025, requested, granted}, cmd: GrantExtension{ObligationKey: kCounty}, want: ErrNoPendingExtension},
		{name: "grant when closed", given: []any{assigned, m2025, requested, claimAll, verifyAll}, cmd: GrantExtension{ObligationKey: kCounty}, want: ErrObligationClosed},
		{name: "grant after reschedule past request", given: []any{assigned, m2025, requested,
			MilestoneRescheduled{ObligationKey: kCounty, Milestone: "2025", PreviousDue: due2025, Due: later.AddDays(1)}},
			cmd: GrantExtension{ObligationKey: kCounty}, want: ErrExtensionNotLater},
		{name: "refuse", given: []any{assigned, m2025, requested}, cmd: RefuseExtension{ObligationKey: kCounty, Reason: "理由不足"},
			events: []EventData{ExtensionRefused{ObligationKey: kCounty, Milestone: "2025", RequestedDue: later, Reason: "理由不足"}}},
		{name: "refuse without request", given: []any{assigned, m2025}, cmd: RefuseExtension{ObligationKey: kCounty}, want: ErrNoPendingExtension},
		{name: "refuse stale request when closed", given: []any{assigned, m2025, requested, claimAll, verifyAll}, cmd: RefuseExtension{ObligationKey: kCounty}},
		{name: "request again after refusal", given: []any{assigned, m2025, requested, ExtensionRefused{ObligationKey: kCounty, Milestone: "2025", RequestedDue: later}}, cmd: request(later)},
	})
}

func (c RequestExtension) withReason(r string) RequestExtension { c.Reason = r; return c }

func TestCompletionDecisions(t *testing.T) {
	claim := func(id MilestoneID) ClaimCompletion {
		return ClaimCompletion{ObligationKey: kCounty, ActingUnit: "county.ningcheng", Milestone: id, Evidence: "验收"}
	}
	claimed25 := CompletionClaimed{ObligationKey: kCounty, Milestone: "2025", Evidence: "验收"}
	verified25 := CompletionVerified{ObligationKey: kCounty, Milestone: "2025"}
	rejected25 := CompletionRejected{ObligationKey: kCounty, Milestone: "2025", Reason: "材料不全"}
	runDecide(t, []decideCase{
		{name: "claim whole", given: []any{assigned, m2025}, cmd: claim(""), events: []EventData{CompletionClaimed{ObligationKey: kCounty, Evidence: "验收"}}},
		{name: "claim milestone", given: []any{assigned, m2025}, cmd: claim("2025"), events: []EventData{claimed25}},
		{name: "claim unknown milestone", given: []any{assigned, m2025}, cmd: claim("2030"), want: ErrUnknownMilestone},
		{name: "claim while pending", given: []any{assigned, m2025, claimed25}, cmd: claim("2025"), want: ErrClaimPending},
		{name: "claim whole while pending", given: []any{assigned, claimAll}, cmd: claim(""), want: ErrClaimPending},
		{name: "claim whole while milestone pending", given: []any{assigned, m2025, claimed25}, cmd: claim("")},
		{name: "claim verified milestone", given: []any{assigned, m2025, m2024, claimed25, verified25}, cmd: claim("2025"), want: ErrAlreadyVerified},
		{name: "claim verified obligation", given: []any{assigned, m2025, claimAll, verifyAll}, cmd: claim(""), want: ErrAlreadyVerified},
		{name: "claim by another unit", given: []any{assigned}, cmd: ClaimCompletion{ObligationKey: kCounty, ActingUnit: "county.aohan"}, want: ErrNotHolder},
		{name: "claim again after rejection", given: []any{assigned, m2025, claimed25, rejected25}, cmd: claim("2025")},
		{name: "verify", given: []any{assigned, m2025, claimed25}, cmd: VerifyCompletion{ObligationKey: kCounty, Milestone: "2025"}, events: []EventData{verified25}},
		{name: "verify whole", given: []any{assigned, claimAll}, cmd: VerifyCompletion{ObligationKey: kCounty}, events: []EventData{verifyAll}},
		{name: "verify without claim", given: []any{assigned, m2025}, cmd: VerifyCompletion{ObligationKey: kCounty, Milestone: "2025"}, want: ErrNoClaim},
		{name: "verify whole without claim", given: []any{assigned}, cmd: VerifyCompletion{ObligationKey: kCounty}, want: ErrNoClaim},
		{name: "verify twice", given: []any{assigned, m2025, m2024, claimed25, verified25}, cmd: VerifyCompletion{ObligationKey: kCounty, Milestone: "2025"}, want: ErrAlreadyVerified},
		{name: "verify whole twice", given: []any{assigned, claimAll, verifyAll}, cmd: VerifyCompletion{ObligationKey: kCounty}, want: ErrAlreadyVerified},
		{name: "verify after rejection", given: []any{assigned, m2025, claimed25, rejected25}, cmd: VerifyCompletion{ObligationKey: kCounty, Milestone: "2025"}, want: ErrNoClaim},
		{name: "verify unknown milestone", given: []any{assigned, m2025}, cmd: VerifyCompletion{ObligationKey: kCounty, Milestone: "x"}, want: ErrUnknownMilestone},
		{name: "reject", given: []any{assigned, m2025, claimed25}, cmd: RejectCompletion{ObligationKey: kCounty, Milestone: "2025", Reason: "材料不全"}, events: []EventData{rejected25}},
		{name: "reject without reason", given: []any{assigned, m2025, claimed25}, cmd: RejectCompletion{ObligationKey: kCounty, Milestone: "2025"}, want: ErrInvalidArgument},
		{name: "reject without claim", given: []any{assigned, m2025}, cmd: RejectCompletion{ObligationKey: kCounty, Milestone: "2025", Reason: "r"}, want: ErrNoClaim},
		{name: "reject verified", given: []any{assigned, claimAll, verifyAll}, cmd: RejectCompletion{ObligationKey: kCounty, Reason: "r"}, want: ErrAlreadyVerified},
	})
}

func TestRecordSlipDecisions(t *testing.T) {
	slip := RecordSlip{ObligationKey: kCounty, Milestone: "2025"}
	slipped := DeadlineSlipped{ObligationKey: kCounty, Milestone: "2025", Due: due2025, OriginalDue: due2025}
	later := due2025.AddDays(90)
	granted := ExtensionGranted{ObligationKey: kCounty, Milestone: "2025", PreviousDue: due2025, RequestedDue: later, Due: later}
	onTime, late := cst(2025, 12, 20, 9, 0), cst(2026, 1, 5, 9, 0)
	runDecide(t, []decideCase{
		{name: "not yet due", given: []any{assigned, m2025}, cmd: slip, now: afterDue.Add(-time.Nanosecond), want: ErrNotYetDue},
		{name: "due ended", given: []any{assigned, m2025}, cmd: slip, now: afterDue, events: []EventData{slipped}},
		{name: "already recorded", given: []any{assigned, m2025, slipped}, cmd: slip, now: afterDue.Add(72 * time.Hour), noEvents: true},
		{name: "unknown milestone", given: []any{assigned, m2025}, cmd: RecordSlip{ObligationKey: kCounty, Milestone: "x"}, now: afterDue, want: ErrUnknownMilestone},
		{name: "verified on time", given: []any{assigned, m2025, at(onTime, CompletionClaimed{ObligationKey: kCounty, Milestone: "2025"}),
			at(late, CompletionVerified{ObligationKey: kCounty, Milestone: "2025"})}, cmd: slip, now: late, noEvents: true},
		{name: "whole verified on time", given: []any{assigned, m2025, at(onTime, claimAll), at(onTime, verifyAll)}, cmd: slip, now: late, noEvents: true},
		// Claims count when verified: a claim awaiting verification when the
		// date passes does not stop the slip (scoring clears it once the
		// claim, made in time, is verified).
		{name: "claimed on time, awaiting verification", given: []any{assigned, m2025, at(onTime, CompletionClaimed{ObligationKey: kCounty, Milestone: "2025"})},
			cmd: slip, now: late, events: []EventData{slipped}},
		{name: "whole claimed on time, awaiting verification", given: []any{assigned, m2025, at(onTime, claimAll)}, cmd: slip, now: late, events: []EventData{slipped}},
		{name: "claimed on time, verified before the watcher looked", given: []any{assigned, m2025, at(onTime, claimAll), at(late, verifyAll)}, cmd: slip, now: late, noEvents: true},
		// A claim recorded after the date, backdated to before it, does not
		// stop the slip even once verified.
		{name: "claimed late backdated, awaiting verification", given: []any{assigned, m2025,
			backdatedTo(late, onTime, CompletionClaimed{ObligationKey: kCounty, Milestone: "2025"})}, cmd: slip, now: late, events: []EventData{slipped}},
		{name: "claimed late backdated, verified", given: []any{assigned, m2025,
			backdatedTo(late, onTime, claimAll), at(late, verifyAll)}, cmd: slip, now: late, events: []EventData{slipped}},
		{name: "claimed late", given: []any{assigned, m2025, at(late, CompletionClaimed{ObligationKey: kCounty, Milestone: "2025"})}, cmd: slip, now: late, events: []EventData{slipped}},
		{name: "verified late", given: []any{assigned, m2025, at(late, claimAll), at(late, verifyAll)}, cmd: slip, now: late, events: []EventData{slipped}},
		{name: "claim on time rejected", given: []any{assigned, m2025, at(onTime, CompletionClaimed{ObligationKey: kCounty, Milestone: "2025"}),
			at(late, CompletionRejected{ObligationKey: kCounty, Milestone: "2025", Reason: "r"})}, cmd: slip, now: late, events: []EventData{slipped}},
		{name: "extended, new date not over", given: []any{assigned, m2025, requested, granted}, cmd: slip, now: late, want: ErrNotYetDue},
		{name: "extended date passed too", given: []any{assigned, m2025, slipped, requested, granted}, cmd: slip, now: later.EndOf(),
			events: []EventData{DeadlineSlipped{ObligationKey: kCounty, Milestone: "2025", Due: later, OriginalDue: due2025}}},
	})
}

func TestFindingDecisions(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "record", given: []any{assigned}, cmd: RecordFinding{ObligationKey: kCounty, Kind: FindingFalseReport, Severity: SeveritySevere, Summary: "弄虚作假", RectifyBy: MustDate(2025, 6, 30)},
			events: []EventData{finding1}},
		{name: "numbered after the last", given: []any{assigned, finding1}, cmd: RecordFinding{ObligationKey: kCounty, Kind: FindingOther, Severity: SeverityMinor, Summary: "台账不全"},
			events: []EventData{finding2}},
		{name: "bad kind", given: []any{assigned}, cmd: RecordFinding{ObligationKey: kCounty, Kind: "lazy", Severity: SeverityMinor, Summary: "s"}, want: ErrInvalidArgument},
		{name: "bad severity", given: []any{assigned}, cmd: RecordFinding{ObligationKey: kCounty, Kind: FindingOther, Severity: "huge", Summary: "s"}, want: ErrInvalidArgument},
		{name: "no summary", given: []any{assigned}, cmd: RecordFinding{ObligationKey: kCounty, Kind: FindingOther, Severity: SeverityMinor}, want: ErrInvalidArgument},
		{name: "on a verified obligation", given: []any{assigned, claimAll, verifyAll}, cmd: RecordFinding{ObligationKey: kCounty, Kind: FindingFalseReport, Severity: SeveritySevere, Summary: "虚报完成"}},
		{name: "rectification due of unknown finding", given: []any{assigned, finding1}, cmd: SetRectificationDue{ObligationKey: kCounty, Finding: 2, Due: due2025}, want: ErrUnknownFinding},
		{name: "set rectification due", given: []any{assigned, finding1, finding2}, cmd: SetRectificationDue{ObligationKey: kCounty, Finding: 2, Due: due2025},
			events: []EventData{RectificationDue{ObligationKey: kCounty, Finding: 2, Due: due2025}}},
		{name: "move rectification due", given: []any{assigned, finding1}, cmd: SetRectificationDue{ObligationKey: kCounty, Finding: 1, Due: due2025}},
		{name: "same rectification due", given: []any{assigned, finding1}, cmd: SetRectificationDue{ObligationKey: kCounty, Finding: 1, Due: MustDate(2025, 6, 30)}, want: ErrNoChange},
		{name: "rectification due finding 0", given: []any{assigned, finding1}, cmd: SetRectificationDue{ObligationKey: kCounty, Finding: 0, Due: due2025}, want: ErrInvalidArgument},
		{name: "rectify", given: []any{assigned, finding1}, cmd: CompleteRectification{ObligationKey: kCounty, ActingUnit: "county.ningcheng", Finding: 1, Note: "已整改"},
			events: []EventData{RectificationCompleted{ObligationKey: kCounty, Finding: 1, Note: "已整改"}}},
		{name: "rectify twice", given: []any{assigned, finding1, RectificationCompleted{ObligationKey: kCounty, Finding: 1}}, cmd: CompleteRectification{ObligationKey: kCounty, Finding: 1}, want: ErrAlreadyRectified},
		{name: "move due after rectified", given: []any{assigned, finding1, RectificationCompleted{ObligationKey: kCounty, Finding: 1}}, cmd: SetRectificationDue{ObligationKey: kCounty, Finding: 1, Due: due2025}, want: ErrAlreadyRectified},
		{name: "rectify without requirement", given: []any{assigned, finding1, finding2}, cmd: CompleteRectification{ObligationKey: kCounty, Finding: 2}, want: ErrNoRectification},
		{name: "rectify unknown", given: []any{assigned}, cmd: CompleteRectification{ObligationKey: kCounty, Finding: 1}, want: ErrUnknownFinding},
		{name: "rectify by another unit", given: []any{assigned, finding1}, cmd: CompleteRectification{ObligationKey: kCounty, ActingUnit: "county.aohan", Finding: 1}, want: ErrNotHolder},
	})
}

// TestObligationLifecycleFold decides each command on the folded state,
// applies what it decides, and checks the state a projection would read.
func TestObligationLifecycleFold(t *testing.T) {
	o := &Obligation{}
	if o.Status != StatusUnassigned || o.Assigned() || o.Active() {
		t.Fatal("the zero obligation is not unassigned")
	}
	step := func(now time.Time, effective time.Time, c Command) {
		t.Helper()
		m := metaAt(now)
		m.EffectiveAt = effective
		evs, err := Decide(o, c, m)
		if err != nil {
			t.Fatalf("%T: %v", c, err)
		}
		applyAt(t, o, m.Effective(), evs)
	}
	k := kCounty
	me := UnitID("county.ningcheng")
	d24, d25 := MustDate(2024, 12, 31), due2025

	step(base, time.Time{}, AssignResponsibility{ObligationKey: k, Basis: "各旗县区人民政府落实"})
	step(base, time.Time{}, ScheduleMilestone{ObligationKey: k, Milestone: "operational", What: "投入运行", Due: d24})
	step(base, time.Time{}, ScheduleMilestone{ObligationKey: k, Milestone: "done", What: "完成", Due: d25})
	if o.Status != StatusOpen || o.Term != 1 || len(o.Milestones) != 2 || o.Key != k {
		t.Fatalf("after assignment: %+v", o)
	}
	step(base, time.Time{}, ReportProgress{ObligationKey: k, ActingUnit: me, Percent: 30})
	step(base.Add(time.Hour), time.Time{}, ReportProgress{ObligationKey: k, ActingUnit: me, Percent: 45, Note: "季度"})
	if o.Progress != 45 || o.Reports != 2 || !o.ProgressAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("progress: %d after %d reports at %s", o.Progress, o.Reports, o.ProgressAt)
	}

	// The first milestone slips; the watcher's second run records nothing.
	slipAt := cst(2025, 1, 1, 0, 5)
	if got := o.DueSlips(slipAt); !reflect.DeepEqual(got, []MilestoneID{"operational"}) {
		t.Fatalf("DueSlips = %v", got)
	}
	if got := o.Overdue(slipAt); !reflect.DeepEqual(got, []MilestoneID{"operational"}) {
		t.Fatalf("Overdue = %v", got)
	}
	step(slipAt, time.Time{}, RecordSlip{ObligationKey: k, Milestone: "operational"})
	if evs, err := o.RecordSlip(RecordSlip{ObligationKey: k, Milestone: "operational"}, metaAt(slipAt.Add(time.Hour))); err != nil || evs != nil {
		t.Fatalf("second slip: %v, %v", evs, err)
	}
	if len(o.Slips) != 1 || o.Slips[0].Due != d24 || len(o.DueSlips(slipAt)) != 0 {
		t.Fatalf("slips: %+v", o.Slips)
	}

	// Extension of the second milestone, granted for less than asked.
	step(cst(2025, 11, 1, 9, 0), time.Time{}, RequestExtension{ObligationKey: k, ActingUnit: me, Milestone: "done", Due: MustDate(2026, 6, 30), Reason: "资金"})
	if o.PendingExtension == nil || o.PendingExtension.RequestedDue != MustDate(2026, 6, 30) {
		t.Fatalf("pending: %+v", o.PendingExtension)
	}
	step(cst(2025, 11, 5, 9, 0), time.Time{}, GrantExtension{ObligationKey: k, Due: MustDate(2026, 3, 31)})
	ms, _ := o.Milestone("done")
	if o.PendingExtension != nil || ms.Due != MustDate(2026, 3, 31) || ms.OriginalDue != d25 || !ms.Extended || o.Status != StatusExtended {
		t.Fatalf("after grant: %+v status %s", ms, o.Status)
	}

	// The operational milestone is claimed (late), rejected, claimed again, verified.
	step(cst(2025, 2, 1, 9, 0), time.Time{}, ClaimCompletion{ObligationKey: k, ActingUnit: me, Milestone: "operational"})
	if o.Status != StatusCompletionClaimed {
		t.Fatalf("status %s, want completion_claimed", o.Status)
	}
	step(cst(2025, 2, 10, 9, 0), time.Time{}, RejectCompletion{ObligationKey: k, Milestone: "operational", Reason: "未联网"})
	if o.Status != StatusRejected {
		t.Fatalf("status %s, want rejected", o.Status)
	}
	step(cst(2025, 3, 1, 9, 0), time.Time{}, ClaimCompletion{ObligationKey: k, ActingUnit: me, Milestone: "operational"})
	step(cst(2025, 3, 5, 9, 0), time.Time{}, VerifyCompletion{ObligationKey: k, Milestone: "operational"})
	op, _ := o.Milestone("operational")
	if op.Completion != ClaimVerified || !op.CompletedAt.Equal(cst(2025, 3, 1, 9, 0)) || !op.VerifiedAt.Equal(cst(2025, 3, 5, 9, 0)) {
		t.Fatalf("operational: %+v", op)
	}
	if o.Status != StatusExtended || o.Closed() {
		t.Fatalf("status %s closed %v with one milestone left", o.Status, o.Closed())
	}

	// An inspector finds a false report and requires rectification.
	step(cst(2025, 4, 1, 9, 0), time.Time{}, RecordFinding{ObligationKey: k, Kind: FindingFalseReport, Severity: SeverityMajor, Summary: "虚报进度"})
	step(cst(2025, 4, 1, 9, 0), time.Time{}, SetRectificationDue{ObligationKey: k, Finding: 1, Due: MustDate(2025, 5, 31)})
	step(cst(2025, 5, 20, 9, 0), time.Time{}, CompleteRectification{ObligationKey: k, ActingUnit: me, Finding: 1})
	if f, ok := o.Finding(1); !ok || !f.Rectified || f.RectifyBy != MustDate(2025, 5, 31) || f.Kind != FindingFalseReport {
		t.Fatalf("finding: %+v", f)
	}

	// The rest is claimed after the extended due date, backdated to before
	// it, and verified later: the claim was not in the ledger when the date
	// passed, so the milestone slips (claims count when verified, and a
	// backdated claim cannot undo a slip), and the obligation closes.
	achieved := cst(2026, 3, 30, 17, 0)
	step(cst(2026, 4, 3, 9, 0), achieved, ClaimCompletion{ObligationKey: k, ActingUnit: me, Milestone: "done", Evidence: "验收报告"})
	if got := o.DueSlips(cst(2026, 4, 3, 9, 0)); !slices.Equal(got, []MilestoneID{"done"}) {
		t.Fatalf("a completion claimed late and backdated does not slip: %v", got)
	}
	step(cst(2026, 4, 10, 9, 0), time.Time{}, VerifyCompletion{ObligationKey: k, Milestone: "done"})
	if o.Status != StatusVerified || !o.Closed() || o.Completion != ClaimVerified || !o.CompletedAt.Equal(achieved) {
		t.Fatalf("closing: status %s completion %s at %s", o.Status, o.Completion, o.CompletedAt)
	}
	if got := o.Overdue(cst(2027, 1, 1, 0, 0)); got != nil {
		t.Fatalf("a verified obligation is overdue: %v", got)
	}
	if _, err := o.ReportProgress(ReportProgress{ObligationKey: k, Percent: 100}, metaAt(cst(2026, 5, 1, 0, 0))); !errors.Is(err, ErrObligationClosed) {
		t.Fatalf("report after closing: %v", err)
	}
	if o.Version() != 17 {
		t.Fatalf("version %d, want 17", o.Version())
	}

	// Withdrawal and re-opening keep the history.
	step(cst(2026, 6, 1, 9, 0), time.Time{}, WithdrawResponsibility{ObligationKey: k})
	if o.Status != StatusWithdrawn || o.Active() {
		t.Fatalf("after withdrawal: %s", o.Status)
	}
	step(cst(2026, 7, 1, 9, 0), time.Time{}, AssignResponsibility{ObligationKey: k})
	if o.Status != StatusVerified || o.Term != 2 || len(o.Slips) != 1 || len(o.Findings) != 1 || o.Progress != 45 {
		t.Fatalf("after re-opening: %+v", o)
	}
}

func TestWholeVerificationVerifiesEveryMilestone(t *testing.T) {
	claimedAt, verifiedAt := cst(2025, 6, 1, 9, 0), cst(2025, 6, 5, 9, 0)
	o := given(t, kCounty.Stream(), assigned, m2024, m2025, at(claimedAt, claimAll), at(verifiedAt, verifyAll)).(*Obligation)
	for _, ms := range o.Milestones {
		if ms.Completion != ClaimVerified || !ms.CompletedAt.Equal(claimedAt) || !ms.VerifiedAt.Equal(verifiedAt) {
			t.Errorf("milestone %s: %+v", ms.ID, ms)
		}
	}
	if o.Status != StatusVerified {
		t.Fatalf("status %s", o.Status)
	}
}

func TestHandoff(t *testing.T) {
	to := kCounty
	to.Unit = "county.aohan"
	from := given(t, kCounty.Stream(), assigned, m2024, m2025,
		CompletionClaimed{ObligationKey: kCounty, Milestone: "2024"}, CompletionVerified{ObligationKey: kCounty, Milestone: "2024"}).(*Obligation)
	cmd := ReassignResponsibility{ObligationKey: kCounty, ToUnit: to.Unit, ToRole: to.Role, Reason: "区划调整"}
	m := metaAt(base)

	fromEvs, toEvs, err := Handoff(from, &Obligation{}, cmd, m)
	if err != nil {
		t.Fatal(err)
	}
	fk := kCounty
	wantTo := []EventData{
		ResponsibilityAssigned{ObligationKey: to, Basis: "落实", ReassignedFrom: &fk},
		MilestoneScheduled{ObligationKey: to, Milestone: "2025", What: "完成", Due: due2025},
	}
	if !reflect.DeepEqual(toEvs, wantTo) {
		t.Fatalf("to events\n%+v\nwant\n%+v", toEvs, wantTo)
	}
	if !reflect.DeepEqual(fromEvs, []EventData{ResponsibilityReassigned{ObligationKey: kCounty, ToUnit: to.Unit, ToRole: to.Role, Reason: "区划调整"}}) {
		t.Fatalf("from events %+v", fromEvs)
	}
	applyAt(t, from, base, fromEvs)
	if from.Status != StatusReassigned || *from.ReassignedTo != to {
		t.Fatalf("from: %s %v", from.Status, from.ReassignedTo)
	}
	succ := &Obligation{}
	applyAt(t, succ, base, toEvs)
	if succ.ReassignedFrom == nil || *succ.ReassignedFrom != kCounty || len(succ.Milestones) != 1 {
		t.Fatalf("successor: %+v", succ)
	}

	// Handing off to an obligation the unit already holds only adds the
	// milestones it lacks.
	from2 := given(t, kCounty.Stream(), assigned, m2024, m2025).(*Obligation)
	holder := given(t, to.Stream(), ResponsibilityAssigned{ObligationKey: to},
		MilestoneScheduled{ObligationKey: to, Milestone: "2025", Due: due2025}).(*Obligation)
	_, toEvs, err = Handoff(from2, holder, cmd, m)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(toEvs, []EventData{MilestoneScheduled{ObligationKey: to, Milestone: "2024", What: "投入运行", Due: MustDate(2024, 12, 31)}}) {
		t.Fatalf("to an active holder: %+v", toEvs)
	}
	// A handoff from a withdrawn obligation is refused.
	gone := given(t, kCounty.Stream(), assigned, withdrawn).(*Obligation)
	if _, _, err := Handoff(gone, &Obligation{}, cmd, m); !errors.Is(err, ErrWithdrawn) {
		t.Fatalf("handoff from withdrawn: %v", err)
	}
	// The successor must be the obligation the command names.
	wrong := given(t, kLead.Stream(), ResponsibilityAssigned{ObligationKey: kLead}).(*Obligation)
	if _, _, err := Handoff(from2, wrong, cmd, m); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("handoff to the wrong obligation: %v", err)
	}
}

func TestObligationApplyRefusesForeignEvents(t *testing.T) {
	o := given(t, kCounty.Stream(), assigned).(*Obligation)
	for name, data := range map[string]EventData{
		"another obligation's": ProgressReported{ObligationKey: kLead, Percent: 5},
		"a unit event":         UnitRenamed{Unit: "county.ningcheng"},
		"unknown milestone":    DeadlineSlipped{ObligationKey: kCounty, Milestone: "x", Due: due2025},
		"finding out of order": FindingRecorded{ObligationKey: kCounty, Finding: 3},
	} {
		if err := o.Apply(&Event{Version: o.Version() + 1}, data); !errors.Is(err, ErrUnexpectedEvent) {
			t.Errorf("%s: %v", name, err)
		}
	}
	fresh := &Obligation{}
	if err := fresh.Apply(&Event{Version: 1}, ProgressReported{ObligationKey: kCounty}); !errors.Is(err, ErrUnexpectedEvent) {
		t.Errorf("progress before assignment: %v", err)
	}
	if err := fresh.Apply(nil, assigned); !errors.Is(err, ErrUnexpectedEvent) {
		t.Errorf("nil event: %v", err)
	}
}

func TestObligationClaimOf(t *testing.T) {
	o := &Obligation{Completion: ClaimRejected, Milestones: []Milestone{
		{ID: "2024", Completion: ClaimVerified},
		{ID: "2025", Completion: ClaimPending},
		{ID: "2026"},
	}}
	tests := []struct {
		id    MilestoneID
		want  ClaimState
		found bool
	}{
		{"", ClaimRejected, true},
		{"2024", ClaimVerified, true},
		{"2025", ClaimPending, true},
		{"2026", ClaimNone, true},
		{"2027", ClaimNone, false},
	}
	for _, tt := range tests {
		got, found := o.ClaimOf(tt.id)
		if got != tt.want || found != tt.found {
			t.Errorf("ClaimOf(%q) = %q, %v; want %q, %v", tt.id, got, found, tt.want, tt.found)
		}
	}
}

func TestCommandsRequireDueDates(t *testing.T) {
	tests := []struct {
		cmd  Command
		want string
	}{
		{ScheduleMilestone{ObligationKey: kCounty, Milestone: "2025"}, "milestone 2025 has no due date"},
		{RescheduleMilestone{ObligationKey: kCounty, Milestone: "2025"}, "milestone 2025 has no due date"},
		{RequestExtension{ObligationKey: kCounty, Milestone: "2025", Reason: "资金"}, "extension request has no due date"},
		{SetRectificationDue{ObligationKey: kCounty, Finding: 1}, "rectification has no due date"},
	}
	for _, tt := range tests {
		err := tt.cmd.Validate()
		if !errors.Is(err, ErrInvalidDate) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%T.Validate() = %v, want ErrInvalidDate %q", tt.cmd, err, tt.want)
		}
	}
	if err := checkDue(due2025, "milestone 2025"); err != nil {
		t.Errorf("checkDue with a date: %v", err)
	}
}

// Current progress is the report for the latest period, then the latest
// recorded within that period: a late report about March, recorded in July
// after June's, does not overwrite June's figure, and needs no note for
// being below it.
func TestCurrentProgressIsTheLatestPeriods(t *testing.T) {
	march, june := YearMonth{2025, time.March}, YearMonth{2025, time.June}
	o := given(t, kCounty.Stream(), assigned,
		at(cst(2025, 6, 28, 9, 0), ProgressReported{ObligationKey: kCounty, Percent: 60, Period: june}),
		at(cst(2025, 7, 20, 9, 0), ProgressReported{ObligationKey: kCounty, Percent: 30, Previous: 0, Period: march}),
	).(*Obligation)
	if o.Progress != 60 || o.ProgressPeriod != june || !o.ProgressAt.Equal(cst(2025, 6, 28, 9, 0)) || o.Reports != 2 {
		t.Fatalf("progress %d%% of %s at %s after %d reports; want June's 60%%", o.Progress, o.ProgressPeriod, o.ProgressAt, o.Reports)
	}
	// Another report for June, recorded later, replaces June's figure.
	applyAt(t, o, cst(2025, 7, 21, 9, 0), []EventData{ProgressReported{ObligationKey: kCounty, Percent: 65, Previous: 60, Period: june}})
	if o.Progress != 65 {
		t.Fatalf("progress %d%%, want June's second report, 65%%", o.Progress)
	}
	// A late report on April is judged against the figure as of April
	// (March's 30%), not June's: 40% needs no note; 20% does.
	c := ReportProgress{ObligationKey: kCounty, Percent: 40, Period: YearMonth{2025, time.April}}
	evs, err := o.ReportProgress(c, metaAt(cst(2025, 7, 22, 9, 0)))
	if err != nil || len(evs) != 1 || evs[0].(ProgressReported).Previous != 30 {
		t.Fatalf("late April report: %v %v", evs, err)
	}
	c.Percent = 20
	if _, err := o.ReportProgress(c, metaAt(cst(2025, 7, 22, 9, 0))); !errors.Is(err, ErrInvalidProgress) {
		t.Fatalf("late April report below March without a note: %v", err)
	}
}

// A milestone claimed complete stays overdue until the claim is verified.
func TestClaimAwaitingVerificationStaysOverdue(t *testing.T) {
	o := given(t, kCounty.Stream(), assigned, m2025,
		at(cst(2025, 12, 20, 9, 0), CompletionClaimed{ObligationKey: kCounty, Milestone: "2025"})).(*Obligation)
	ms, _ := o.Milestone("2025")
	if got := o.Overdue(afterDue); !slices.Equal(got, []MilestoneID{"2025"}) || !o.AwaitingVerification(ms) {
		t.Fatalf("overdue %v, awaiting verification %v", got, o.AwaitingVerification(ms))
	}
	applyAt(t, o, afterDue, []EventData{CompletionVerified{ObligationKey: kCounty, Milestone: "2025"}})
	ms, _ = o.Milestone("2025")
	if got := o.Overdue(afterDue); got != nil || o.AwaitingVerification(ms) {
		t.Fatalf("verified: overdue %v, awaiting verification %v", got, o.AwaitingVerification(ms))
	}
}

// Folding an event into the aggregate leaves the copies readers hold as
// they were: the read models hand out copies, which share the aggregate's
// slices, while events are applied.
func TestFoldsLeaveHeldCopiesUnchanged(t *testing.T) {
	agg := given(t, kCounty.Stream(), assigned, m2025).(*Obligation)
	held := *agg // what a reader got from the read model
	applyAt(t, agg, afterDue, []EventData{DeadlineSlipped{ObligationKey: kCounty, Milestone: "2025", Due: due2025, OriginalDue: due2025}})
	if len(agg.Milestones[0].Slipped) != 1 || len(agg.Slips) != 1 {
		t.Fatalf("the aggregate did not take the slip: %+v", agg.Milestones[0])
	}
	if len(held.Milestones[0].Slipped) != 0 || len(held.Slips) != 0 {
		t.Fatalf("the slip reached the held copy: %+v", held.Milestones[0])
	}
	held = *agg
	applyAt(t, agg, afterDue, []EventData{CompletionClaimed{ObligationKey: kCounty}, CompletionVerified{ObligationKey: kCounty}})
	if held.Milestones[0].Completion != ClaimNone || agg.Milestones[0].Completion != ClaimVerified {
		t.Fatalf("verifying the whole obligation: held %v, aggregate %v", held.Milestones[0].Completion, agg.Milestones[0].Completion)
	}
}
