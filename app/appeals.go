package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/msg"
	"taskledger/projections/scoring"
)

// Appeals (申诉): a unit appeals a deduction against it — the slip or the
// finding a scorecard line rests on — within the scheme's appeal window,
// with reasons; the assessment committee upholds or overturns it, with
// reasons. The scorecard line shows the appeal and the ruling, and an
// overturned deduction no longer counts (docs/scoring.md).

// AppealInput files an appeal. Target is the ID of the slip or finding
// event appealed: a scorecard line's appealTarget.
type AppealInput struct {
	Obligation     ObligationRef
	Target         string
	Reasons        string
	IdempotencyKey string
}

// FileAppeal records a unit's appeal (AppealFiled). Only the obligation's
// own unit may appeal, once per slip or finding, by the end of the
// scheme's appeal window (days after the day the event was recorded; the
// scheme of that year decides).
func (s *Service) FileAppeal(ctx context.Context, p auth.Principal, in AppealInput) (Result, error) {
	if err := firstOf(cleanFields(freeText("reasons", "申诉理由", &in.Reasons)), inField(requireText("reasons", "申诉理由", in.Reasons), "reasons")); err != nil {
		return Result{}, err
	}
	target, err := uuid.Parse(strings.TrimSpace(in.Target))
	if err != nil || target == (uuid.UUID{}) {
		return Result{}, fail(msg.AppealTargetInvalid, msg.Args{"Target": in.Target}).at("target")
	}
	res, err := kindFields{domain.ErrUnknownAppealTarget: {"target"}}.result(s.onObligation(ctx, p, FileAppeal, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		days, err := s.appealWindow(k, target)
		if err != nil {
			return nil, err
		}
		return domain.FileAppeal{ObligationKey: k, ActingUnit: acting(p), Target: target, Reasons: in.Reasons, WindowDays: days}, nil
	}))
	return res, explain(err)
}

// appealWindow returns the appeal window of the scheme for the year the
// target was recorded in (the current year when the read model does not
// know it yet; the domain then refuses an unknown target).
func (s *Service) appealWindow(k domain.ObligationKey, target uuid.UUID) (int, error) {
	v := s.current()
	year := domain.DateOf(s.clock.Now()).Year()
	if ob, ok := v.Obligations.Get(k.Stream()); ok {
		if _, at, ok := ob.AppealTarget(target); ok {
			year = domain.DateOf(at).Year()
		}
	}
	scheme, err := v.SchemeFor(k.Plan, year, "", 0)
	if err != nil {
		return 0, err
	}
	return scheme.AppealSettings().WindowDays, nil
}

// RulingInput rules on an appeal: Outcome is "upheld" (the deduction
// stands) or "overturned" (it is removed); Reasons are required.
type RulingInput struct {
	Obligation     ObligationRef
	Appeal         int
	Outcome        string
	Reasons        string
	IdempotencyKey string
}

// RuleAppeal records the committee's ruling (AppealRuled). An appeal is
// ruled once.
func (s *Service) RuleAppeal(ctx context.Context, p auth.Principal, in RulingInput) (Result, error) {
	if err := firstOf(cleanFields(freeText("reasons", "裁决理由", &in.Reasons)), inField(requireText("reasons", "裁决理由", in.Reasons), "reasons")); err != nil {
		return Result{}, err
	}
	outcome := domain.AppealOutcome(strings.ToLower(strings.TrimSpace(in.Outcome)))
	if outcome.Validate() != nil {
		return Result{}, fail(msg.AppealOutcomeInvalid, msg.Args{"Outcome": in.Outcome}).at("outcome")
	}
	if in.Appeal < 1 {
		return Result{}, fail(msg.AppealNumberInvalid, msg.Args{"No": in.Appeal}).at("appeal")
	}
	res, err := kindFields{domain.ErrUnknownAppeal: {"appeal"}}.result(s.onObligation(ctx, p, RuleAppeal, in.Obligation, in.IdempotencyKey, atRecording, func(k domain.ObligationKey, _ window) (domain.Command, error) {
		return domain.RuleAppeal{ObligationKey: k, Appeal: in.Appeal, Outcome: outcome, Reasons: in.Reasons}, nil
	}))
	return res, explain(err)
}

// explain words the domain's refusals of rectification and appeals in
// Chinese as well, naming the input field err names; other errors pass
// unchanged.
func explain(err error) error {
	var de *domain.Error
	if err == nil || !errors.As(err, &de) {
		return err
	}
	zh, ok := refusalsZH[de.Kind()]
	if !ok {
		return err
	}
	return &Error{Code: Code(de.Code), Msg: de.Msg, MsgZH: zh, Field: fieldPath(err)}
}

// refusalsZH words the domain's refusals of rectification and appeals in
// Chinese.
var refusalsZH = map[*domain.Error]string{
	domain.ErrAppealWindowClosed:    "申诉期限已过，不能再提出申诉",
	domain.ErrAppealPending:         "针对该事项的申诉正在等待裁决，不能重复申诉",
	domain.ErrAppealRuled:           "该申诉已经裁决，裁决为最终结果",
	domain.ErrUnknownAppealTarget:   "该任务责任下没有这项逾期或督查问题，无法申诉",
	domain.ErrUnknownAppeal:         "没有这项申诉",
	domain.ErrNotHolder:             "只能就本单位的任务责任办理",
	domain.ErrNotRectified:          "单位尚未报送整改情况",
	domain.ErrRectificationVerified: "该整改已经核验",
	domain.ErrAlreadyRectified:      "该问题已报送整改",
	domain.ErrNoRectification:       "该问题无需整改",
	domain.ErrUnknownFinding:        "没有这项督查问题",
	domain.ErrNotYetDue:             "整改期限尚未届满",
	domain.ErrNoChange:              "新期限与现有期限相同",
	domain.ErrNotFound:              "该任务责任尚未分配",
	domain.ErrWithdrawn:             "该任务责任已撤销或调整",
}

// AppealFilter selects appeals: a plan (empty: every plan), a unit (a
// bureau or county principal: its own), and whether ruled appeals are
// listed too.
type AppealFilter struct {
	Plan      string
	Unit      string
	AlsoRuled bool
}

// AppealItem is one appeal with what it is against.
type AppealItem struct {
	Obligation domain.ObligationKey
	// UnitName is the unit's registered name.
	UnitName string
	Appeal   domain.Appeal
	// About says in Chinese what was appealed (the slip's milestone and
	// due date, or the finding's number and summary).
	About string
	// TargetAt is when the appealed event was recorded.
	TargetAt time.Time
}

// Appeals lists appeals, pending first, then by filing time. A bureau or
// county principal sees only its own unit's.
func (s *Service) Appeals(ctx context.Context, p auth.Principal, f AppealFilter) ([]AppealItem, error) {
	obs, err := s.readableObligations(ctx, p, f.Plan, f.Unit)
	if err != nil {
		return nil, err
	}
	var pending, ruled []AppealItem
	for _, ob := range obs {
		for _, a := range ob.Appeals {
			it := AppealItem{Obligation: ob.Key, UnitName: s.unitName(ob.Key.Unit), Appeal: a, About: appealAbout(ob, a.Target)}
			_, it.TargetAt, _ = ob.AppealTarget(a.Target)
			if a.Pending() {
				pending = append(pending, it)
			} else if f.AlsoRuled {
				ruled = append(ruled, it)
			}
		}
	}
	byFiling := func(xs []AppealItem) {
		sort.SliceStable(xs, func(i, j int) bool { return xs[i].Appeal.FiledAt.Before(xs[j].Appeal.FiledAt) })
	}
	byFiling(pending)
	byFiling(ruled)
	return append(pending, ruled...), nil
}

// appealAbout says in Chinese what an appeal is against.
func appealAbout(ob domain.Obligation, target uuid.UUID) string {
	for _, sl := range ob.Slips {
		if sl.EventID == target {
			what := string(sl.Milestone)
			if m, ok := ob.Milestone(sl.Milestone); ok && m.What != "" {
				what = m.What
			}
			return fmt.Sprintf("第%d项任务里程碑「%s」逾期（期限%s）", ob.Key.Task, what, sl.Due)
		}
	}
	for _, fd := range ob.Findings {
		if fd.EventID == target {
			return fmt.Sprintf("第%d项任务第%d号督查问题：%s", ob.Key.Task, fd.No, fd.Summary)
		}
	}
	return "未知事项"
}

// OwnScorecard computes a bureau's or county's own scorecard for a year as
// of now, so that the unit sees each deduction against it and can appeal
// it (the lines give the slip or finding to name). Only a unit's own
// principal may; the card's Rank is 0, since an unpublished ranking is the
// committee's to show.
func (s *Service) OwnScorecard(ctx context.Context, p auth.Principal, plan string, year int) (scoring.Card, error) {
	if err := s.authorize(ctx, p, ReadAppeals); err != nil {
		return scoring.Card{}, err
	}
	if !p.Role.UnitBound() {
		return scoring.Card{}, fail(msg.ScoreOwnCardOnly, nil)
	}
	v := s.current()
	id, err := s.knownPlan(v, plan)
	if err != nil {
		return scoring.Card{}, err
	}
	kind := scoring.KindBureau
	if u, ok := v.Catalog.Unit(p.Unit); ok && u.Kind == domain.KindCounty {
		kind = scoring.KindCounty
	}
	res, err := v.Scorecards(id, year, kind, "", 0, s.clock.Now())
	if err != nil {
		return scoring.Card{}, err
	}
	for _, c := range res.Cards {
		if c.Unit == p.Unit {
			c.Rank = 0
			return c, nil
		}
	}
	return scoring.Card{}, fail(msg.ScoreNoCard, msg.Args{"Unit": p.Unit, "Kind": kind, "Year": year})
}
