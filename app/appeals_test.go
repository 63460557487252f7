package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/domain"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// findingOn records a false-report finding on 宁城县's duty, to be
// rectified by rectifyBy, and returns the duty's reference and the
// finding's event ID.
func (f *fixture) findingOn(rectifyBy domain.Date) (app.ObligationRef, string) {
	f.t.Helper()
	k := f.duty()
	ref := app.ObligationRef{Task: int(k.Task), Unit: string(k.Unit), Role: string(k.Role)}
	res, err := f.svc.RecordFinding(context.Background(), inspector, app.FindingInput{
		Obligation: ref, Kind: "false_report", Severity: "major", Summary: "虚报进度", RectifyBy: rectifyBy, IdempotencyKey: "finding-1",
	})
	if err != nil {
		f.t.Fatalf("record finding: %v", err)
	}
	f.sync()
	return ref, res.Events[0].ID.String()
}

// countyCard returns 宁城县's county card for 2025 as of now.
func (f *fixture) countyCard() scoring.Card {
	f.t.Helper()
	r, err := f.views.Views().Scorecards("chifeng-air", 2025, scoring.KindCounty, "", 0, f.now)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, c := range r.Cards {
		if c.Unit == "county.ningcheng" {
			return c
		}
	}
	f.t.Fatal("no card for 宁城县")
	return scoring.Card{}
}

func lineOf(t *testing.T, c scoring.Card, rule string) scoring.Line {
	t.Helper()
	for _, l := range c.Lines {
		if l.Rule == rule {
			return l
		}
	}
	t.Fatalf("no %s line on %s's card", rule, c.Unit)
	return scoring.Line{}
}

func TestAppealFiledRuledAndTheScoreFollows(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	ref, target := f.findingOn(domain.Date{})
	own := app.ObligationRef{Task: ref.Task, Role: ref.Role}

	before := f.countyCard()
	if l := lineOf(t, before, "county.delivery.false_report"); l.Points.String() != "-12" || l.Target.String() != target {
		t.Fatalf("false-report line %s target %s, want -12 on %s", l.Points, l.Target, target)
	}

	f.now = f.now.Add(24 * time.Hour)
	filed, err := f.svc.FileAppeal(ctx, ningcheng, app.AppealInput{Obligation: own, Target: target, Reasons: "数据口径不同，并非虚报", IdempotencyKey: "appeal-1"})
	if err != nil {
		t.Fatalf("file appeal: %v", err)
	}
	f.sync()
	again, err := f.svc.FileAppeal(ctx, ningcheng, app.AppealInput{Obligation: own, Target: target, Reasons: "数据口径不同，并非虚报", IdempotencyKey: "appeal-1"})
	if err != nil || !again.Duplicate || again.Events[0].ID != filed.Events[0].ID {
		t.Fatalf("the same key and request: %v duplicate=%v", err, again.Duplicate)
	}
	h := f.head()
	_, err = f.svc.FileAppeal(ctx, ningcheng, app.AppealInput{Obligation: own, Target: target, Reasons: "另一理由", IdempotencyKey: "appeal-1"})
	f.refused(err, app.IdempotencyConflict, h)
	_, err = f.svc.FileAppeal(ctx, ningcheng, app.AppealInput{Obligation: own, Target: target, Reasons: "再次申诉", IdempotencyKey: "appeal-2"})
	f.refused(err, app.Conflict, h)
	if zh := err.(*app.Error).Chinese(); !strings.Contains(zh, "等待裁决") {
		t.Errorf("pending-appeal refusal in Chinese: %q", zh)
	}

	pending := lineOf(t, f.countyCard(), "county.delivery.false_report")
	if pending.Points.String() != "-12" || pending.Appeal == nil || pending.Appeal.State != scoring.AppealPending {
		t.Fatalf("pending: %s %+v", pending.Points, pending.Appeal)
	}
	list, err := f.svc.Appeals(ctx, committee, app.AppealFilter{})
	if err != nil || len(list) != 1 || list[0].Appeal.No != 1 || !strings.Contains(list[0].About, "虚报进度") {
		t.Fatalf("appeals for the committee: %v %+v", err, list)
	}
	asOfPending := f.now

	f.now = f.now.Add(24 * time.Hour)
	_, err = f.svc.RuleAppeal(ctx, committee, app.RulingInput{Obligation: ref, Appeal: 1, Outcome: "overturned", Reasons: "经复核，数据口径差异不构成虚报", IdempotencyKey: "rule-1"})
	if err != nil {
		t.Fatalf("rule: %v", err)
	}
	f.sync()
	h = f.head()
	_, err = f.svc.RuleAppeal(ctx, committee, app.RulingInput{Obligation: ref, Appeal: 1, Outcome: "upheld", Reasons: "改判", IdempotencyKey: "rule-2"})
	f.refused(err, app.Conflict, h)

	after := f.countyCard()
	l := lineOf(t, after, "county.delivery.false_report")
	if l.Points.String() != "0" || l.Appeal == nil || l.Appeal.State != scoring.AppealOverturned || after.GradeCapped {
		t.Fatalf("after the overturn: %s %+v capped=%v", l.Points, l.Appeal, after.GradeCapped)
	}
	if len(l.Events) != 3 {
		t.Errorf("the line cites %d events, want the finding, the appeal and the ruling", len(l.Events))
	}
	// As of before the ruling the deduction still shows, appeal pending.
	r, err := projections.ScorecardsAt(ctx, f.store, domain.DefaultRegistry(), projections.Config{}, "chifeng-air", 2025, scoring.KindCounty, "", 0, f.head(), asOfPending)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Cards {
		if c.Unit == "county.ningcheng" {
			if l := lineOf(t, c, "county.delivery.false_report"); l.Points.String() != "-12" || l.Appeal == nil || l.Appeal.State != scoring.AppealPending {
				t.Fatalf("as of before the ruling: %s %+v", l.Points, l.Appeal)
			}
		}
	}
	if list, _ := f.svc.Appeals(ctx, committee, app.AppealFilter{}); len(list) != 0 {
		t.Errorf("a ruled appeal is still listed as pending: %+v", list)
	}
}

func TestAppealRefusals(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	ref, target := f.findingOn(domain.Date{})
	own := app.ObligationRef{Task: ref.Task, Role: ref.Role}
	h := f.head()
	cases := []struct {
		name string
		run  func() error
		code app.Code
	}{
		{"empty reasons", func() error {
			_, err := f.svc.FileAppeal(ctx, ningcheng, app.AppealInput{Obligation: own, Target: target, Reasons: "  ", IdempotencyKey: "a"})
			return err
		}, app.InvalidArgument},
		{"not an event id", func() error {
			_, err := f.svc.FileAppeal(ctx, ningcheng, app.AppealInput{Obligation: own, Target: "finding 1", Reasons: "r", IdempotencyKey: "a"})
			return err
		}, app.InvalidArgument},
		{"another unit's deduction", func() error {
			_, err := f.svc.FileAppeal(ctx, county("county.aohan"), app.AppealInput{Obligation: ref, Target: target, Reasons: "r", IdempotencyKey: "a"})
			return err
		}, app.Forbidden},
		{"the inspector may not appeal", func() error {
			_, err := f.svc.FileAppeal(ctx, inspector, app.AppealInput{Obligation: ref, Target: target, Reasons: "r", IdempotencyKey: "a"})
			return err
		}, app.Forbidden},
		{"not a slip or finding of the duty", func() error {
			_, err := f.svc.FileAppeal(ctx, ningcheng, app.AppealInput{Obligation: own, Target: "6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8", Reasons: "r", IdempotencyKey: "a"})
			return err
		}, app.NotFound},
		{"a unit may not rule", func() error {
			_, err := f.svc.RuleAppeal(ctx, ningcheng, app.RulingInput{Obligation: own, Appeal: 1, Outcome: "overturned", Reasons: "r", IdempotencyKey: "r"})
			return err
		}, app.Forbidden},
		{"the inspector may not rule", func() error {
			_, err := f.svc.RuleAppeal(ctx, inspector, app.RulingInput{Obligation: ref, Appeal: 1, Outcome: "overturned", Reasons: "r", IdempotencyKey: "r"})
			return err
		}, app.Forbidden},
		{"ruling without reasons", func() error {
			_, err := f.svc.RuleAppeal(ctx, committee, app.RulingInput{Obligation: ref, Appeal: 1, Outcome: "upheld", IdempotencyKey: "r"})
			return err
		}, app.InvalidArgument},
		{"ruling an unknown outcome", func() error {
			_, err := f.svc.RuleAppeal(ctx, committee, app.RulingInput{Obligation: ref, Appeal: 1, Outcome: "partly", Reasons: "r", IdempotencyKey: "r"})
			return err
		}, app.InvalidArgument},
		{"ruling an appeal not filed", func() error {
			_, err := f.svc.RuleAppeal(ctx, committee, app.RulingInput{Obligation: ref, Appeal: 1, Outcome: "upheld", Reasons: "r", IdempotencyKey: "r"})
			return err
		}, app.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			f.refused(err, c.code, h)
			if ae, ok := err.(*app.Error); !ok || ae.MsgZH == "" {
				t.Errorf("refusal without a Chinese message: %#v", err)
			}
		})
	}

	// The window: 15 days (the default scheme) after the day the finding
	// was recorded, to the end of that day.
	f.now = time.Date(2025, 3, 25, 23, 59, 0, 0, shanghai)
	if _, err := f.svc.FileAppeal(ctx, ningcheng, app.AppealInput{Obligation: own, Target: target, Reasons: "r", IdempotencyKey: "last-day"}); err != nil {
		t.Fatalf("on the last day of the window: %v", err)
	}
	f2 := imported(t)
	ref2, target2 := f2.findingOn(domain.Date{})
	f2.now = time.Date(2025, 3, 26, 0, 0, 0, 0, shanghai)
	h2 := f2.head()
	_, err := f2.svc.FileAppeal(ctx, ningcheng, app.AppealInput{Obligation: app.ObligationRef{Task: ref2.Task, Role: ref2.Role}, Target: target2, Reasons: "r", IdempotencyKey: "late"})
	f2.refused(err, app.Conflict, h2)
	if zh := err.(*app.Error).Chinese(); !strings.Contains(zh, "申诉期限已过") {
		t.Errorf("window refusal in Chinese: %q", zh)
	}
}

func TestRectificationLifecycle(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	ref, _ := f.findingOn(domain.MustDate(2025, 4, 30))
	own := app.ObligationRef{Task: ref.Task, Role: ref.Role}
	h := f.head()

	_, err := f.svc.VerifyRectification(ctx, inspector, app.RectificationInput{Obligation: ref, Finding: 1, IdempotencyKey: "v0"})
	f.refused(err, app.Conflict, h)
	_, err = f.svc.ReportRectification(ctx, county("county.aohan"), app.RectificationInput{Obligation: ref, Finding: 1, Note: "n", IdempotencyKey: "x"})
	f.refused(err, app.Forbidden, h)
	_, err = f.svc.ReportRectification(ctx, inspector, app.RectificationInput{Obligation: ref, Finding: 1, Note: "n", IdempotencyKey: "x"})
	f.refused(err, app.Forbidden, h)
	_, err = f.svc.MoveRectificationDue(ctx, inspector, app.RectificationDueInput{Obligation: ref, Finding: 1, Due: domain.MustDate(2025, 5, 31), IdempotencyKey: "m0"})
	f.refused(err, app.InvalidArgument, h)

	if _, err := f.svc.ReportRectification(ctx, ningcheng, app.RectificationInput{Obligation: own, Finding: 1, Note: "已整改", IdempotencyKey: "rep-1"}); err != nil {
		t.Fatal(err)
	}
	h = f.head()
	_, err = f.svc.RejectRectification(ctx, inspector, app.RectificationInput{Obligation: ref, Finding: 1, IdempotencyKey: "rej-0"})
	f.refused(err, app.InvalidArgument, h)
	if _, err := f.svc.RejectRectification(ctx, inspector, app.RectificationInput{Obligation: ref, Finding: 1, Note: "佐证不足", IdempotencyKey: "rej-1"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	items, err := f.svc.Rectifications(ctx, ningcheng, app.RectificationFilter{})
	if err != nil || len(items) != 1 || items[0].State != app.RectificationOpen || items[0].Finding.RectificationRejectedReason != "佐证不足" {
		t.Fatalf("after the rejection: %v %+v", err, items)
	}
	if _, err := f.svc.MoveRectificationDue(ctx, inspector, app.RectificationDueInput{Obligation: ref, Finding: 1, Due: domain.MustDate(2025, 5, 31), Reason: "需补充材料", IdempotencyKey: "m1"}); err != nil {
		t.Fatal(err)
	}

	// The date passes unrectified: Tick records one slip, once, and the
	// card deducts for the overdue rectification.
	f.now = time.Date(2025, 6, 1, 9, 0, 0, 0, shanghai)
	f.sync()
	res, err := f.svc.Tick(ctx, operator)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RectificationSlips) != 1 {
		t.Fatalf("tick recorded %d rectification slips, want 1", len(res.RectificationSlips))
	}
	slip := res.RectificationSlips[0].Events[0]
	if slip.Type != "RectificationSlipped" || !strings.Contains(string(slip.Payload), `"due":"2025-05-31"`) {
		t.Fatalf("slip %s %s", slip.Type, slip.Payload)
	}
	f.sync()
	if res, err := f.svc.Tick(ctx, operator); err != nil || len(res.RectificationSlips) != 0 {
		t.Fatalf("a second tick: %v, %d slips", err, len(res.RectificationSlips))
	}
	l := lineOf(t, f.countyCard(), "county.delivery.rectification.overdue")
	if !strings.Contains(strings.Join(idStrings(l.Events), ","), slip.ID.String()) {
		t.Errorf("the overdue-rectification line does not cite the slip: %v", l.Events)
	}
	items, _ = f.svc.Rectifications(ctx, ningcheng, app.RectificationFilter{})
	if len(items) != 1 || items[0].State != app.RectificationOverdue {
		t.Fatalf("overdue state: %+v", items)
	}

	if _, err := f.svc.ReportRectification(ctx, ningcheng, app.RectificationInput{Obligation: own, Finding: 1, Note: "补充整改", IdempotencyKey: "rep-2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.VerifyRectification(ctx, inspector, app.RectificationInput{Obligation: ref, Finding: 1, Note: "属实", IdempotencyKey: "v1"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	if items, _ := f.svc.Rectifications(ctx, inspector, app.RectificationFilter{}); len(items) != 0 {
		t.Fatalf("a verified rectification is still open: %+v", items)
	}
}

func idStrings[T interface{ String() string }](xs []T) []string {
	var out []string
	for _, x := range xs {
		out = append(out, x.String())
	}
	return out
}
