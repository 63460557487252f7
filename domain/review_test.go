package domain

import (
	"strings"
	"testing"
)

var (
	kSupport  = ObligationKey{Plan: "chifeng-air", Task: 10, Unit: "bureau.eco", Role: RoleSupport}
	supAssign = ResponsibilityAssigned{ObligationKey: kSupport, Basis: "配合"}
	report1   = ProgressReported{ObligationKey: kCounty, Percent: 40, Period: YearMonthOf(base)}
	report2   = ProgressReported{ObligationKey: kCounty, Percent: 60, Period: YearMonthOf(base)}
	supReport = ProgressReported{ObligationKey: kSupport, Percent: 50, Period: YearMonthOf(base)}
)

func TestSendBackDecisions(t *testing.T) {
	sentBackReport := WorkSentBack{ObligationKey: kCounty, Target: SendBackReport, Report: 2, Reasons: "数据不实"}
	runDecide(t, []decideCase{
		{name: "latest report by default", given: []any{assigned, report1, report2},
			cmd:    SendBackWork{ObligationKey: kCounty, Target: SendBackReport, Reasons: "数据不实"},
			events: []EventData{sentBackReport}},
		{name: "an earlier report", given: []any{assigned, report1, report2},
			cmd: SendBackWork{ObligationKey: kCounty, Target: SendBackReport, Report: 1, Reasons: "x"}, want: ErrNotLatestReport},
		{name: "no report", given: []any{assigned},
			cmd: SendBackWork{ObligationKey: kCounty, Target: SendBackReport, Reasons: "x"}, want: ErrUnknownReport},
		{name: "empty reasons", given: []any{assigned, report1},
			cmd: SendBackWork{ObligationKey: kCounty, Target: SendBackReport, Reasons: "  "}, want: ErrInvalidArgument},
		{name: "own unit", given: []any{assigned, report1},
			cmd: SendBackWork{ObligationKey: kCounty, ActingUnit: kCounty.Unit, Target: SendBackReport, Reasons: "x"}, want: ErrOwnWork},
		{name: "already sent back", given: []any{assigned, report1, report2, sentBackReport},
			cmd: SendBackWork{ObligationKey: kCounty, Target: SendBackReport, Reasons: "x"}, want: ErrSentBackPending},
		{name: "resubmitted then sent back again", given: []any{assigned, report1, sentBackReport0(1), report2},
			cmd: SendBackWork{ObligationKey: kCounty, Target: SendBackReport, Reasons: "x"}},
		{name: "pending claim", given: []any{assigned, m2025, claimAll},
			cmd:    SendBackWork{ObligationKey: kCounty, ActingUnit: "bureau.transport", Target: SendBackClaim, Reasons: "佐证不足"},
			events: []EventData{WorkSentBack{ObligationKey: kCounty, Target: SendBackClaim, Reasons: "佐证不足", By: "bureau.transport"}}},
		{name: "no pending claim", given: []any{assigned, m2025},
			cmd: SendBackWork{ObligationKey: kCounty, Target: SendBackClaim, Reasons: "x"}, want: ErrNoClaim},
		{name: "verified", given: []any{assigned, m2025, claimAll, verifyAll},
			cmd: SendBackWork{ObligationKey: kCounty, Target: SendBackClaim, Reasons: "x"}, want: ErrObligationClosed},
		{name: "withdrawn", given: []any{assigned, report1, withdrawn},
			cmd: SendBackWork{ObligationKey: kCounty, Target: SendBackReport, Reasons: "x"}, want: ErrWithdrawn},
		{name: "bad target", given: []any{assigned, report1},
			cmd: SendBackWork{ObligationKey: kCounty, Target: "finding", Reasons: "x"}, want: ErrInvalidArgument},
	})
}

func sentBackReport0(n int) WorkSentBack {
	return WorkSentBack{ObligationKey: kCounty, Target: SendBackReport, Report: n, Reasons: "重报"}
}

func TestClaimSentBackIsNoLongerPending(t *testing.T) {
	o := given(t, kCounty.Stream(), assigned, m2025, claimAll,
		WorkSentBack{ObligationKey: kCounty, Target: SendBackClaim, Reasons: "佐证不足"}).(*Obligation)
	if o.Status != StatusSentBack || o.Completion != ClaimRejected || !o.CompletedAt.IsZero() {
		t.Fatalf("status %s, completion %s at %v", o.Status, o.Completion, o.CompletedAt)
	}
	if _, err := o.VerifyCompletion(VerifyCompletion{ObligationKey: kCounty}, metaAt(base)); CodeOf(err) != Conflict {
		t.Fatalf("verify after send-back: %v", err)
	}
	applyAt(t, o, base, []EventData{claimAll})
	if o.Status != StatusCompletionClaimed || o.Review.Pending != 0 || o.Review.SendBacks[0].ResubmittedEventID != (o.ClaimEventID) {
		t.Fatalf("after resubmission: status %s, review %+v", o.Status, o.Review)
	}
}

func TestReportSentBackUntilNextReport(t *testing.T) {
	o := given(t, kCounty.Stream(), assigned, report1, sentBackReport0(1)).(*Obligation)
	if o.Status != StatusSentBack || o.PeriodReports.At(0).ReturnedAt.IsZero() {
		t.Fatalf("status %s, report %+v", o.Status, o.PeriodReports.Slice())
	}
	// A claim does not answer a returned report.
	applyAt(t, o, base, []EventData{claimAll})
	if o.Review.Pending == 0 {
		t.Fatal("a claim resubmitted a returned report")
	}
	applyAt(t, o, base, []EventData{report2})
	if o.Review.Pending != 0 || o.Status != StatusCompletionClaimed {
		t.Fatalf("after the next report: status %s, pending %d", o.Status, o.Review.Pending)
	}
}

func TestCommentThread(t *testing.T) {
	first := CommentPosted{ObligationKey: kCounty, Comment: 1, Text: "请补充佐证"}
	long := strings.Repeat("字", MaxCommentLen+1)
	runDecide(t, []decideCase{
		{name: "first", given: []any{assigned}, cmd: PostComment{ObligationKey: kCounty, Text: "请补充佐证"}, events: []EventData{first}},
		{name: "reply", given: []any{assigned, first}, cmd: PostComment{ObligationKey: kCounty, ActingUnit: kCounty.Unit, Text: "已补充", ReplyTo: 1},
			events: []EventData{CommentPosted{ObligationKey: kCounty, Comment: 2, Text: "已补充", ReplyTo: 1, By: kCounty.Unit}}},
		{name: "reply to unknown", given: []any{assigned, first}, cmd: PostComment{ObligationKey: kCounty, Text: "x", ReplyTo: 2}, want: ErrUnknownComment},
		{name: "empty", given: []any{assigned}, cmd: PostComment{ObligationKey: kCounty, Text: " \n"}, want: ErrInvalidArgument},
		{name: "oversize", given: []any{assigned}, cmd: PostComment{ObligationKey: kCounty, Text: long}, want: ErrInvalidArgument},
		{name: "unassigned", cmd: PostComment{ObligationKey: kCounty, Text: "x"}, want: ErrNotFound},
	})
}

func TestSignOffDecisions(t *testing.T) {
	signed := PartSignedOff{ObligationKey: kSupport, By: "bureau.transport", Note: "同意"}
	sentBack := WorkSentBack{ObligationKey: kSupport, Target: SendBackReport, Report: 1, Reasons: "x", By: "bureau.transport"}
	runDecide(t, []decideCase{
		{name: "after a report", given: []any{supAssign, supReport},
			cmd: SignOffPart{ObligationKey: kSupport, ActingUnit: "bureau.transport", Note: "同意"}, events: []EventData{signed}},
		{name: "nothing submitted", given: []any{supAssign},
			cmd: SignOffPart{ObligationKey: kSupport, ActingUnit: "bureau.transport"}, want: ErrNothingToSignOff},
		{name: "twice", given: []any{supAssign, supReport, signed},
			cmd: SignOffPart{ObligationKey: kSupport, ActingUnit: "bureau.transport"}, want: ErrAlreadySignedOff},
		{name: "sent back", given: []any{supAssign, supReport, signed, sentBack},
			cmd: SignOffPart{ObligationKey: kSupport, ActingUnit: "bureau.transport"}, want: ErrSentBackPending},
		{name: "own part", given: []any{supAssign, supReport},
			cmd: SignOffPart{ObligationKey: kSupport, ActingUnit: kSupport.Unit}, want: ErrOwnWork},
		{name: "not a supporting duty", given: []any{assigned, report1},
			cmd: SignOffPart{ObligationKey: kCounty, ActingUnit: "bureau.transport"}, want: ErrNotSupporting},
		{name: "no lead named", given: []any{supAssign, supReport},
			cmd: SignOffPart{ObligationKey: kSupport}, want: ErrInvalidArgument},
	})
	o := given(t, kSupport.Stream(), supAssign, supReport, signed, sentBack).(*Obligation)
	if o.Review.SignOff != nil {
		t.Fatalf("a send-back kept the sign-off %+v", o.Review.SignOff)
	}
}
