package scoring

import (
	"strings"
	"testing"

	"taskledger/domain"
)

// transportSlip is 交通运输局's LEAD duty on task 10, due 30 June 2025,
// slipped the next morning.
func transportSlip(t *testing.T) (*ob, Input) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2025, 1, 2, 9, 0))
	b.milestone(cst(2025, 1, 2, 9, 0), "m1", "建成", date(2025, 6, 30))
	return b, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}
}

// An appeal against a slip: pending, the deduction stands and the line
// says so; overturned, it is removed as of positions after the ruling; a
// result as of before the ruling still shows it, pending.
func TestAppealOverturnedRemovesTheDeduction(t *testing.T) {
	b, in := transportSlip(t)
	slip := b.slip(cst(2025, 7, 1, 0, 5), "m1")
	filed := b.at(cst(2025, 7, 5, 9, 0), domain.FileAppeal{ObligationKey: b.key, ActingUnit: transport.ID, Target: slip, Reasons: "施工许可延误，非本单位原因", WindowDays: 15})
	in.AsOf = cst(2025, 7, 20, 0, 0)
	pending := cardOf(t, compute(t, in, quiet(), KindBureau), transport)
	checkCard(t, pending, "95", base100(), want{"bureau.slip.lead", "-5", ids(slip, filed)})
	l := pending.Lines[1]
	if l.Appeal == nil || l.Appeal.State != AppealPending || l.Appeal.Filed != filed || !strings.Contains(l.ZH, "待考核委员会裁决") || !strings.Contains(l.EN, "awaiting") {
		t.Fatalf("pending appeal not shown: %+v\n%s", l.Appeal, dump(pending))
	}
	if l.Target != slip {
		t.Errorf("line target %s, want the slip %s", l.Target, slip)
	}
	if pending.Slips != 1 {
		t.Errorf("slips %d while pending, want 1", pending.Slips)
	}

	ruled := b.at(cst(2025, 7, 25, 9, 0), domain.RuleAppeal{ObligationKey: b.key, Appeal: 1, Outcome: domain.AppealOverturned, Reasons: "经核查属实"})
	in.AsOf = cst(2025, 8, 1, 0, 0)
	after := cardOf(t, compute(t, in, quiet(), KindBureau), transport)
	checkCard(t, after, "100", base100(), want{"bureau.slip.lead", "0", ids(slip, filed, ruled)})
	l = after.Lines[1]
	if l.Appeal == nil || l.Appeal.State != AppealOverturned || l.Appeal.Ruling != "经核查属实" || l.Appeal.Ruled == nil || *l.Appeal.Ruled != ruled {
		t.Fatalf("overturned appeal not shown: %+v", l.Appeal)
	}
	if !strings.Contains(l.ZH, "撤销") || after.Slips != 0 {
		t.Errorf("overturned line %q, slips %d", l.ZH, after.Slips)
	}
	// Judged as of a moment before the ruling, even from the obligation
	// folded to today, the appeal is pending and the deduction stands.
	in.AsOf = cst(2025, 7, 20, 0, 0)
	checkCard(t, cardOf(t, compute(t, in, quiet(), KindBureau), transport), "95", base100(), want{"bureau.slip.lead", "-5", ids(slip, filed)})
	// By the end of the year the slip would also be late: the lateness
	// line rests on the same slip and goes with it.
	in.AsOf = endOf2025
	year := cardOf(t, compute(t, in, quiet(), KindBureau), transport)
	checkCard(t, year, "100", base100(), want{"bureau.slip.lead", "0", nil}, want{"bureau.slip.late", "0", nil})
}

func TestAppealUpheldKeepsTheDeduction(t *testing.T) {
	b, in := transportSlip(t)
	slip := b.slip(cst(2025, 7, 1, 0, 5), "m1")
	filed := b.at(cst(2025, 7, 5, 9, 0), domain.FileAppeal{ObligationKey: b.key, Target: slip, Reasons: "r", WindowDays: 15})
	ruled := b.at(cst(2025, 7, 25, 9, 0), domain.RuleAppeal{ObligationKey: b.key, Appeal: 1, Outcome: domain.AppealUpheld, Reasons: "理由不成立"})
	in.AsOf = cst(2025, 8, 1, 0, 0)
	c := cardOf(t, compute(t, in, quiet(), KindBureau), transport)
	checkCard(t, c, "95", base100(), want{"bureau.slip.lead", "-5", ids(slip, filed, ruled)})
	if a := c.Lines[1].Appeal; a == nil || a.State != AppealUpheld || !strings.Contains(c.Lines[1].ZH, "维持") {
		t.Fatalf("upheld appeal not shown: %+v", a)
	}
}

// An overturned false-report finding lifts its deduction and the grade cap.
func TestAppealOverturnedFalseReportLiftsTheCap(t *testing.T) {
	b, in := transportSlip(t)
	f := b.finding(cst(2025, 5, 10, 9, 0), domain.FindingFalseReport, "虚报进度", domain.Date{})
	in.AsOf = cst(2025, 5, 20, 0, 0)
	capped := cardOf(t, compute(t, in, quiet(), KindBureau), transport)
	if !capped.GradeCapped || capped.Total.String() != "80" {
		t.Fatalf("before the appeal: total %s capped %v", capped.Total, capped.GradeCapped)
	}
	filed := b.at(cst(2025, 5, 20, 9, 0), domain.FileAppeal{ObligationKey: b.key, Target: f, Reasons: "数据口径差异", WindowDays: 15})
	ruled := b.at(cst(2025, 5, 28, 9, 0), domain.RuleAppeal{ObligationKey: b.key, Appeal: 1, Outcome: domain.AppealOverturned, Reasons: "不构成虚假报告"})
	in.AsOf = cst(2025, 6, 1, 0, 0)
	c := cardOf(t, compute(t, in, quiet(), KindBureau), transport)
	checkCard(t, c, "100", base100(), want{"bureau.false_report", "0", ids(f, filed, ruled)})
	if c.GradeCapped || c.Grade != "优秀" {
		t.Errorf("grade %s capped %v after the overturn", c.Grade, c.GradeCapped)
	}
}

// Under a scheme that opts in to verified rectification, a reported
// rectification counts once verified; a rejected one stays open, and the
// watcher's slip is cited. Without the opt-in the report counts as before.
func TestRectificationCountsWhenVerifiedUnderOptIn(t *testing.T) {
	b, in := transportSlip(t)
	f := b.finding(cst(2025, 5, 10, 9, 0), domain.FindingOther, "台账不全", date(2025, 6, 30))
	done := b.at(cst(2025, 6, 20, 9, 0), domain.CompleteRectification{ObligationKey: b.key, ActingUnit: transport.ID, Finding: 1, Note: "已补齐"})
	in.AsOf = cst(2025, 7, 10, 0, 0)
	strict := quiet()
	strict.Rectification = &RectificationRule{VerifiedOnly: true}
	checkCard(t, cardOf(t, compute(t, in, quiet(), KindBureau), transport), "100", base100())
	checkCard(t, cardOf(t, compute(t, in, strict, KindBureau), transport), "98", base100(), want{"bureau.rectification.overdue", "-2", ids(f)})

	b.at(cst(2025, 7, 10, 9, 0), domain.VerifyRectification{ObligationKey: b.key, Finding: 1})
	in.AsOf = cst(2025, 7, 11, 0, 0)
	checkCard(t, cardOf(t, compute(t, in, strict, KindBureau), transport), "100", base100())
	_ = done

	// A rejected rectification stays open: the slip is recorded and cited.
	r, rin := transportSlip(t)
	rf := r.finding(cst(2025, 5, 10, 9, 0), domain.FindingOther, "台账不全", date(2025, 6, 30))
	r.at(cst(2025, 6, 20, 9, 0), domain.CompleteRectification{ObligationKey: r.key, Finding: 1})
	r.at(cst(2025, 6, 25, 9, 0), domain.RejectRectification{ObligationKey: r.key, Finding: 1, Reason: "材料不实"})
	slipped := r.at(cst(2025, 7, 1, 0, 5), domain.RecordRectificationSlip{ObligationKey: r.key, Finding: 1})
	rin.AsOf = cst(2025, 7, 10, 0, 0)
	checkCard(t, cardOf(t, compute(t, rin, quiet(), KindBureau), transport), "98", base100(), want{"bureau.rectification.overdue", "-2", ids(rf, slipped)})
}

func TestAppealWindowSetting(t *testing.T) {
	if got := Default().AppealSettings().WindowDays; got != 15 {
		t.Errorf("default appeal window %d, want 15", got)
	}
	s := Default()
	s.Appeals = &AppealRule{WindowDays: 400}
	if err := s.Validate(); err == nil {
		t.Error("a 400-day appeal window validates")
	}
	s.Appeals = &AppealRule{WindowDays: 30}
	p, err := Parse(s.Canonical())
	if err != nil || p.AppealSettings().WindowDays != 30 {
		t.Fatalf("round trip: %v %+v", err, p.Appeals)
	}
	if strings.Contains(string(Default().Canonical()), "appeals") {
		t.Error("the default scheme's document changed: it gained an appeals field")
	}
}
