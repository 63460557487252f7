package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/projections"
)

// ledTask is a task of the imported plan with one LEAD and at least two
// SUPPORT duties held by other units, and a county carrying it out.
type ledTask struct {
	lead      domain.ObligationKey
	supports  []domain.ObligationKey
	implement domain.ObligationKey
}

func (f *fixture) ledTask() ledTask {
	f.t.Helper()
	byTask := map[domain.TaskNo][]domain.ObligationKey{}
	for _, ob := range f.views.Views().Obligations.All() {
		byTask[ob.Key.Task] = append(byTask[ob.Key.Task], ob.Key)
	}
	for _, keys := range byTask {
		var lt ledTask
		leads := 0
		for _, k := range keys {
			switch k.Role {
			case domain.RoleLead:
				lt.lead = k
				leads++
			case domain.RoleSupport:
				lt.supports = append(lt.supports, k)
			case domain.RoleImplementing:
				lt.implement = k
			}
		}
		if leads == 1 && len(lt.supports) >= 2 && lt.implement.Unit != "" && !holds(lt.supports, lt.lead.Unit) {
			return lt
		}
	}
	f.t.Fatal("the plan has no task with one lead, two supporters and a county")
	return ledTask{}
}

func holds(keys []domain.ObligationKey, u domain.UnitID) bool {
	for _, k := range keys {
		if k.Unit == u {
			return true
		}
	}
	return false
}

// unitOf is a token of the unit's own kind.
func unitOf(k domain.ObligationKey) auth.Principal {
	role := auth.Bureau
	if strings.HasPrefix(string(k.Unit), "county.") {
		role = auth.County
	}
	return auth.Principal{TokenID: "t-" + string(k.Unit), Role: role, Unit: k.Unit, Name: string(k.Unit)}
}

func refOf(k domain.ObligationKey) app.ObligationRef {
	return app.ObligationRef{Task: int(k.Task), Unit: string(k.Unit), Role: string(k.Role)}
}

func (f *fixture) view(k domain.ObligationKey) projections.ObligationView {
	f.t.Helper()
	f.sync()
	for _, v := range f.views.Views().Obligations.Views(projections.Filter{Plan: k.Plan, Task: k.Task}, f.now, 30) {
		if v.ObligationKey == k {
			return v
		}
	}
	f.t.Fatalf("no view of %s", k.Path())
	return projections.ObligationView{}
}

func (f *fixture) must(res app.Result, err error) app.Result {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	f.sync()
	return res
}

func TestSendBackRules(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	lt := f.ledTask()
	lead, sup := unitOf(lt.lead), lt.supports[0]
	f.must(f.svc.ReportProgress(ctx, unitOf(sup), app.ReportInput{Obligation: refOf(sup), Percent: 30, IdempotencyKey: "r1"}))
	before := f.head()
	back := app.SendBackInput{Obligation: refOf(sup), Target: "report", Reasons: "数据口径与台账不一致", IdempotencyKey: "b1"}

	_, err := f.svc.SendBack(ctx, unitOf(sup), back)
	f.refused(err, app.OwnWork, before)
	_, err = f.svc.SendBack(ctx, unitOf(lt.supports[1]), back)
	f.refused(err, app.NotLead, before)
	_, err = f.svc.SendBack(ctx, committee, back)
	f.refused(err, app.Forbidden, before)
	empty := back
	empty.Reasons = " \n "
	_, err = f.svc.SendBack(ctx, lead, empty)
	f.refused(err, app.InvalidArgument, before)
	var ae *app.Error
	if !errors.As(err, &ae) || !strings.Contains(ae.MsgZH, "退回理由不能为空") {
		t.Fatalf("empty reasons: %v", err)
	}
	county := back
	county.Obligation = refOf(lt.implement)
	_, err = f.svc.SendBack(ctx, lead, county)
	f.refused(err, app.NotLead, before) // a lead reviews supporters, not counties
	claim := back
	claim.Target = "claim"
	_, err = f.svc.SendBack(ctx, lead, claim)
	f.refused(err, app.Conflict, before) // no claim pending

	res := f.must(f.svc.SendBack(ctx, lead, back))
	if e := res.Events[0]; e.Type != "WorkSentBack" || e.Actor != lead.Actor() {
		t.Fatalf("recorded %s by %s", e.Type, e.Actor)
	}
	if v := f.view(sup); v.Status != string(domain.StatusSentBack) || len(v.Review.SendBacks) != 1 || v.Review.SendBacks[0].By != lt.lead.Unit {
		t.Fatalf("after send-back: status %s, review %+v", v.Status, v.Review)
	}
	again, err := f.svc.SendBack(ctx, lead, back)
	if err != nil || !again.Duplicate {
		t.Fatalf("same key, same request: %+v, %v", again, err)
	}
	other := back
	other.Reasons = "另一理由"
	_, err = f.svc.SendBack(ctx, lead, other)
	f.refused(err, app.IdempotencyConflict, f.head())
	other.IdempotencyKey = "b2"
	_, err = f.svc.SendBack(ctx, lead, other)
	f.refused(err, app.Conflict, f.head())
	if !errors.As(err, &ae) || !strings.Contains(ae.MsgZH, "正等待重新报送") || !strings.Contains(ae.Msg, "awaiting resubmission") {
		t.Fatalf("sent back twice: %v / %s", err, ae.MsgZH)
	}

	f.must(f.svc.ReportProgress(ctx, unitOf(sup), app.ReportInput{Obligation: refOf(sup), Percent: 35, Note: "已按意见修改", IdempotencyKey: "r2"}))
	if v := f.view(sup); v.Status == string(domain.StatusSentBack) || v.Review.SendBacks[0].ResubmittedAt.IsZero() {
		t.Fatalf("after resubmission: status %s, review %+v", v.Status, v.Review)
	}
}

func TestClaimSentBackCannotBeVerified(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	k := f.duty()
	f.must(f.svc.ClaimCompletion(ctx, ningcheng, app.ClaimInput{Obligation: refOf(k), Evidence: "验收报告", IdempotencyKey: "c1"}))
	f.must(f.svc.SendBack(ctx, inspector, app.SendBackInput{Obligation: refOf(k), Target: "claim", Reasons: "佐证材料不全", IdempotencyKey: "b1"}))
	if v := f.view(k); v.Status != string(domain.StatusSentBack) {
		t.Fatalf("status %s", v.Status)
	}
	before := f.head()
	_, err := f.svc.VerifyCompletion(ctx, inspector, app.ClaimDecisionInput{Obligation: refOf(k), IdempotencyKey: "v1"})
	f.refused(err, app.Conflict, before)
	f.must(f.svc.ClaimCompletion(ctx, ningcheng, app.ClaimInput{Obligation: refOf(k), Evidence: "补充材料", IdempotencyKey: "c2"}))
	f.must(f.svc.VerifyCompletion(ctx, inspector, app.ClaimDecisionInput{Obligation: refOf(k), IdempotencyKey: "v2"}))
	if v := f.view(k); v.Status != string(domain.StatusVerified) {
		t.Fatalf("status %s", v.Status)
	}
}

func TestLeadClaimWaitsForSignOff(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	lt := f.ledTask()
	lead := unitOf(lt.lead)
	claim := app.ClaimInput{Obligation: refOf(lt.lead), Evidence: "全部完成", IdempotencyKey: "c1"}
	before := f.head()
	_, err := f.svc.ClaimCompletion(ctx, lead, claim)
	f.refused(err, app.SignOffPending, before)
	var ae *app.Error
	errors.As(err, &ae)
	for _, s := range lt.supports {
		u, _ := f.views.Views().Catalog.Unit(s.Unit)
		if !strings.Contains(ae.MsgZH, u.Name) || !strings.Contains(ae.Msg, u.Name) {
			t.Fatalf("the refusal does not name %s: %s / %s", u.Name, ae.MsgZH, ae.Msg)
		}
	}

	first, rest := lt.supports[0], lt.supports[1:]
	sign := app.SignOffInput{Obligation: refOf(first), Note: "同意", IdempotencyKey: "s-" + string(first.Unit)}
	_, err = f.svc.SignOffPart(ctx, lead, sign)
	f.refused(err, app.Conflict, before) // nothing reported yet
	_, err = f.svc.SignOffPart(ctx, inspector, sign)
	f.refused(err, app.Forbidden, before)
	_, err = f.svc.SignOffPart(ctx, unitOf(first), sign)
	f.refused(err, app.OwnWork, before)

	f.must(f.svc.ReportProgress(ctx, unitOf(first), app.ReportInput{Obligation: refOf(first), Percent: 100, IdempotencyKey: "r1"}))
	reporter := lead
	reporter.Person = auth.Person{ID: "a1", Name: "张三"}
	before = f.head()
	_, err = f.svc.SignOffPart(ctx, reporter, sign)
	f.refused(err, app.Forbidden, before) // a reporter's account, not the leader's
	leader := reporter
	leader.Leader = true
	f.must(f.svc.SignOffPart(ctx, leader, sign))
	if v := f.view(first); v.Review.SignOff == nil || v.Review.SignOff.By != lt.lead.Unit {
		t.Fatalf("sign-off %+v", v.Review.SignOff)
	}
	before = f.head()
	again := sign
	again.IdempotencyKey = "s2"
	_, err = f.svc.SignOffPart(ctx, lead, again)
	f.refused(err, app.Conflict, before) // already signed off
	_, err = f.svc.ClaimCompletion(ctx, lead, claim)
	f.refused(err, app.SignOffPending, before) // the others are not
	for _, s := range rest {
		f.must(f.svc.WithdrawResponsibility(ctx, operator, app.WithdrawInput{Obligation: refOf(s), Reason: "职责调整", IdempotencyKey: "w-" + string(s.Unit)}))
	}
	f.must(f.svc.ClaimCompletion(ctx, lead, claim))

	// A part sent back loses its sign-off.
	f.must(f.svc.SendBack(ctx, lead, app.SendBackInput{Obligation: refOf(first), Target: "report", Reasons: "需补充", IdempotencyKey: "b1"}))
	if v := f.view(first); v.Review.SignOff != nil {
		t.Fatalf("a part sent back kept its sign-off %+v", v.Review.SignOff)
	}
	// The recorded claim, retried with its key, is the same result.
	retried, err := f.svc.ClaimCompletion(ctx, lead, claim)
	if err != nil || !retried.Duplicate {
		t.Fatalf("retried claim: %+v, %v", retried, err)
	}
}

func TestCommentThread(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	lt := f.ledTask()
	sup := lt.supports[0]
	post := func(p auth.Principal, text string, reply int, key string) (app.Result, error) {
		in := app.CommentInput{Obligation: refOf(sup), Text: text, IdempotencyKey: key}
		if reply != 0 {
			in.ReplyTo = &reply
		}
		return f.svc.PostComment(ctx, p, in)
	}
	f.must(post(unitOf(sup), "本月进展已报送", 0, "c1"))
	f.must(post(unitOf(lt.lead), "请补充监测数据", 1, "c2"))
	f.must(post(inspector, "同意牵头单位意见", 2, "c3"))
	f.must(post(committee, "已阅", 0, "c4"))
	before := f.head()
	_, err := post(unitOf(lt.supports[1]), "旁观意见", 0, "c5")
	f.refused(err, app.NotLead, before)
	_, err = post(unitOf(sup), "", 0, "c6")
	f.refused(err, app.InvalidArgument, before)
	_, err = post(unitOf(sup), strings.Repeat("长", domain.MaxCommentLen+1), 0, "c7")
	f.refused(err, app.InvalidArgument, before)
	_, err = post(unitOf(sup), "回复", 99, "c8")
	f.refused(err, app.NotFound, before)
	_, err = post(auth.Anonymous(), "匿名", 0, "c9")
	f.refused(err, app.Unauthenticated, before)
	zero := 0
	_, err = f.svc.PostComment(ctx, unitOf(sup), app.CommentInput{Obligation: refOf(sup), Text: "回复", ReplyTo: &zero, IdempotencyKey: "c10"})
	f.refused(err, app.InvalidArgument, before) // a reply names a comment from 1; 0 is not "none"
	_, err = f.svc.SendBack(ctx, unitOf(lt.lead), app.SendBackInput{Obligation: refOf(sup), Target: "report", Report: &zero, Reasons: "r", IdempotencyKey: "b0"})
	f.refused(err, app.InvalidArgument, before) // a report is numbered from 1; 0 is not "the latest"

	v := f.view(sup)
	if len(v.Review.Comments) != 4 || v.Review.Comments[2].ReplyTo != 2 || v.Review.Comments[1].By != lt.lead.Unit || v.Review.Comments[2].By != "" {
		t.Fatalf("thread %+v", v.Review.Comments)
	}
}

func TestLedDuties(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	lt := f.ledTask()
	got, err := f.svc.LedDuties(ctx, unitOf(lt.lead), app.LedDutiesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]domain.ObligationKey{lt.implement}, lt.supports...) {
		found := false
		for _, v := range got {
			found = found || v.ObligationKey == want
		}
		if !found {
			t.Fatalf("the lead's duties miss %s", want.Path())
		}
	}
	for _, v := range got {
		if v.Unit == lt.lead.Unit {
			t.Fatalf("the lead's own duty %s is listed", v.Path())
		}
	}
	_, err = f.svc.LedDuties(ctx, unitOf(lt.supports[0]), app.LedDutiesInput{Unit: string(lt.lead.Unit)})
	if app.CodeOf(err) != app.Forbidden {
		t.Fatalf("another unit's led duties: %v", err)
	}
	if _, err := f.svc.LedDuties(ctx, inspector, app.LedDutiesInput{Unit: string(lt.lead.Unit)}); err != nil {
		t.Fatal(err)
	}
}

// The review actions are in the role matrix, and a refusal names them in
// Chinese.
func TestReviewActionsInTheMatrix(t *testing.T) {
	for _, c := range []struct {
		a       app.Action
		allowed []auth.Role
		zh      string
	}{
		{app.SendBackWork, []auth.Role{auth.Coordinator, auth.Bureau, auth.County, auth.Inspector, auth.Operator}, "退回报告或完成申报"},
		{app.CommentOn, []auth.Role{auth.Coordinator, auth.Bureau, auth.County, auth.Inspector, auth.Committee, auth.Operator}, "对任务责任发表意见"},
		{app.SignOffParts, []auth.Role{auth.Bureau, auth.County}, "签收配合单位的工作"},
		{app.ReadLedDuties, []auth.Role{auth.Coordinator, auth.Bureau, auth.County, auth.Inspector, auth.Committee, auth.Operator}, "查看所牵头任务的各单位责任"},
	} {
		if !slices.Contains(app.Actions(), c.a) {
			t.Errorf("%q is not in Actions()", c.a)
		}
		for _, r := range []auth.Role{auth.Coordinator, auth.Bureau, auth.County, auth.Inspector, auth.Committee, auth.Operator, auth.System} {
			if got, want := app.Allowed(c.a, r), slices.Contains(c.allowed, r); got != want {
				t.Errorf("%q for %s: allowed %v, want %v", c.a, r, got, want)
			}
		}
		err := app.Authorize(auth.Principal{TokenID: "t", Role: auth.System, Name: "system"}, c.a)
		var ae *app.Error
		if !errors.As(err, &ae) || !strings.Contains(ae.MsgZH, c.zh) {
			t.Errorf("%q refused as %v", c.a, err)
		}
	}
	if !app.UnitScoped(app.ReadLedDuties) || app.UnitScoped(app.SendBackWork) {
		t.Error("ledDuties is a unit's own; sending back is another unit's work")
	}
}
