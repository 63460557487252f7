package scoring

import (
	"strings"
	"testing"
	"time"

	"taskledger/domain"
)

// A LEAD milestone due 30 June, slipped, achieved 20 days late: −5.
func TestLeadSlip(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2025, 1, 2, 9, 0))
	b.milestone(cst(2025, 1, 2, 9, 0), "done", "完成老旧车辆淘汰", date(2025, 6, 30))
	slip := b.slip(cst(2025, 7, 1, 0, 5), "done")
	b.complete(cst(2025, 7, 20, 9, 0), "done")

	r := compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, quiet(), KindBureau)
	c := cardOf(t, r, transport)
	checkCard(t, c, "95", base100(), want{"bureau.slip.lead", "-5", ids(slip)})
	if c.Grade != "优秀" || c.Rank != 1 || c.Slips != 1 {
		t.Fatalf("grade %s rank %d slips %d", c.Grade, c.Rank, c.Slips)
	}
	if l := c.Lines[1]; l.Obligation != "chifeng-air/10/bureau.transport/LEAD" || !strings.Contains(l.ZH, "牵头") || !strings.Contains(l.EN, "2025-06-30") {
		t.Fatalf("line %+v", l)
	}
}

// The same slip as SUPPORT costs 3; JOINT costs as LEAD.
func TestSupportAndJointSlips(t *testing.T) {
	sup := newOb(t, industry.ID, 10, domain.RoleSupport)
	sup.assign(cst(2025, 1, 2, 9, 0))
	sup.milestone(cst(2025, 1, 2, 9, 0), "done", "配合完成", date(2025, 6, 30))
	s1 := sup.slip(cst(2025, 7, 1, 0, 5), "done")

	joint := newOb(t, ecology.ID, 11, domain.RoleJoint)
	joint.assign(cst(2025, 1, 2, 9, 0))
	joint.milestone(cst(2025, 1, 2, 9, 0), "done", "共同完成", date(2025, 6, 30))
	s2 := joint.slip(cst(2025, 7, 1, 0, 5), "done")

	r := compute(t, Input{AsOf: cst(2025, 7, 15, 0, 0), Units: []Unit{industry, ecology}, Obligations: []*domain.Obligation{sup.o, joint.o}}, quiet(), KindBureau)
	checkCard(t, cardOf(t, r, industry), "97", base100(), want{"bureau.slip.support", "-3", ids(s1)})
	checkCard(t, cardOf(t, r, ecology), "95", base100(), want{"bureau.slip.joint", "-5", ids(s2)})
}

// Lateness: −1 per full 30 days beyond the first 30, at most −5 per slip.
func TestLatenessIncrementsAndCap(t *testing.T) {
	due := date(2025, 3, 31)
	for _, c := range []struct {
		name     string
		achieved int // days after the due date; -1: never
		pending  bool
		late     string // "" for no lateness line
		total    string
	}{
		{"29 days", 29, false, "", "95"},
		{"59 days", 59, false, "", "95"},
		{"60 days", 60, false, "-1", "94"},
		{"89 days", 89, false, "-1", "94"},
		{"90 days", 90, false, "-2", "93"},
		{"180 days", 180, false, "-5", "90"},
		{"210 days hits the cap", 210, false, "-5", "90"},
		// Claims count when verified: a claim awaiting verification does
		// not stop the clock, which runs to as-of (275 days).
		{"pending claim does not stop the clock", 95, true, "-5", "90"},
		{"never achieved: to the last day before as-of (275 days)", -1, false, "-5", "90"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newOb(t, transport.ID, 10, domain.RoleLead)
			b.assign(cst(2025, 1, 2, 9, 0))
			b.milestone(cst(2025, 1, 2, 9, 0), "m", "建成", due)
			slip := b.slip(cst(2025, 4, 1, 0, 5), "m")
			lines := []want{base100(), {"bureau.slip.lead", "-5", ids(slip)}}
			if c.achieved >= 0 {
				at := due.AddDays(c.achieved).StartOf().Add(15 * time.Hour)
				cited := ids(slip)
				claim := b.at(at, domain.ClaimCompletion{ObligationKey: b.key, ActingUnit: b.key.Unit, Milestone: "m"})
				if !c.pending {
					verify := b.at(at.Add(time.Hour), domain.VerifyCompletion{ObligationKey: b.key, Milestone: "m"})
					cited = ids(slip, claim, verify)
				}
				if c.late != "" {
					lines = append(lines, want{"bureau.slip.late", c.late, cited})
				}
			} else if c.late != "" {
				lines = append(lines, want{"bureau.slip.late", c.late, ids(slip)})
			}
			r := compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, quiet(), KindBureau)
			card := cardOf(t, r, transport)
			checkCard(t, card, c.total, lines...)
			if c.achieved < 0 && !strings.Contains(card.Lines[2].EN, "275 days late") {
				t.Fatalf("lateness line: %s", card.Lines[2].EN)
			}
		})
	}
}

// An extension granted before the due date: no slip, no cost. If the
// extended date is missed too, that slip costs, late from the new date.
func TestExtensionGrantedBeforeDue(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2025, 1, 2, 9, 0))
	b.milestone(cst(2025, 1, 2, 9, 0), "m", "建成", date(2025, 6, 30))
	b.request(cst(2025, 6, 1, 9, 0), "m", date(2025, 9, 30))
	b.grant(cst(2025, 6, 10, 9, 0))
	b.complete(cst(2025, 9, 15, 9, 0), "m")
	r := compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, quiet(), KindBureau)
	checkCard(t, cardOf(t, r, transport), "100", base100())

	late := newOb(t, industry.ID, 10, domain.RoleLead)
	late.assign(cst(2025, 1, 2, 9, 0))
	late.milestone(cst(2025, 1, 2, 9, 0), "m", "建成", date(2025, 6, 30))
	late.request(cst(2025, 6, 1, 9, 0), "m", date(2025, 9, 30))
	late.grant(cst(2025, 6, 10, 9, 0))
	slip := late.slip(cst(2025, 10, 1, 0, 5), "m")
	claim, verify := late.complete(cst(2025, 11, 29, 9, 0), "m") // 60 days after 30 September
	r = compute(t, Input{Units: []Unit{industry}, Obligations: []*domain.Obligation{late.o}}, quiet(), KindBureau)
	checkCard(t, cardOf(t, r, industry), "94", base100(),
		want{"bureau.slip.lead", "-5", ids(slip)}, want{"bureau.slip.late", "-1", ids(slip, claim, verify)})
}

// An extension granted after the due date does not excuse the slip, and
// lateness runs from the original date.
func TestExtensionGrantedAfterDue(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2025, 1, 2, 9, 0))
	b.milestone(cst(2025, 1, 2, 9, 0), "m", "建成", date(2025, 6, 30))
	slip := b.slip(cst(2025, 7, 1, 0, 5), "m")
	b.request(cst(2025, 7, 2, 9, 0), "m", date(2025, 9, 30))
	b.grant(cst(2025, 7, 5, 9, 0))
	claim, verify := b.complete(cst(2025, 8, 29, 9, 0), "m") // 60 days after 30 June
	r := compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, quiet(), KindBureau)
	checkCard(t, cardOf(t, r, transport), "94", base100(),
		want{"bureau.slip.lead", "-5", ids(slip)}, want{"bureau.slip.late", "-1", ids(slip, claim, verify)})
}

// A grant entered after the slip but backdated to before the due date:
// under granted_by "recorded" (the default) it does not excuse the slip;
// under "effective" it does, and the card says so at no cost.
func TestBackdatedGrant(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2025, 1, 2, 9, 0))
	b.milestone(cst(2025, 1, 2, 9, 0), "m", "建成", date(2025, 6, 30))
	b.request(cst(2025, 6, 20, 9, 0), "m", date(2025, 9, 30))
	slip := b.slip(cst(2025, 7, 1, 0, 5), "m")
	grant := b.backdated(cst(2025, 7, 5, 9, 0), cst(2025, 6, 25, 9, 0), domain.GrantExtension{ObligationKey: b.key})
	b.complete(cst(2025, 8, 1, 9, 0), "m")
	in := Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}

	checkCard(t, cardOf(t, compute(t, in, quiet(), KindBureau), transport), "95", base100(), want{"bureau.slip.lead", "-5", ids(slip)})

	eff := quiet()
	eff.Deductions.Extension.GrantedBy = GrantedByEffective
	c := cardOf(t, compute(t, in, eff, KindBureau), transport)
	checkCard(t, c, "100", base100(), want{"bureau.slip.excused", "0", ids(slip, grant)})
	if c.Slips != 0 {
		t.Fatalf("an excused slip counts as a slip: %d", c.Slips)
	}
}

// A milestone that slips, is extended late, and slips again is charged
// once, late from its first due date, citing both slips.
func TestMilestoneSlippingTwiceIsChargedOnce(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2025, 1, 2, 9, 0))
	b.milestone(cst(2025, 1, 2, 9, 0), "m", "建成", date(2025, 3, 31))
	s1 := b.slip(cst(2025, 4, 1, 0, 5), "m")
	b.request(cst(2025, 4, 2, 9, 0), "m", date(2025, 5, 31))
	b.grant(cst(2025, 4, 3, 9, 0))
	s2 := b.slip(cst(2025, 6, 1, 0, 5), "m")
	claim, verify := b.complete(cst(2025, 6, 29, 9, 0), "m") // 90 days after 31 March
	r := compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, quiet(), KindBureau)
	checkCard(t, cardOf(t, r, transport), "93", base100(),
		want{"bureau.slip.lead", "-5", ids(s1, s2)}, want{"bureau.slip.late", "-2", ids(s1, claim, verify)})
}

// Missed monthly reports: −1 each, at most −10 per obligation and year;
// owed only for whole months held, from StartsOn, and before
// verification or withdrawal.
func TestMissedReports(t *testing.T) {
	jan2 := cst(2025, 1, 1, 9, 0)
	t.Run("nine missed", func(t *testing.T) {
		b := newOb(t, transport.ID, 10, domain.RoleLead)
		assigned := b.assign(jan2)
		b.reportMonths(2025, time.January, time.February, time.March)
		c := cardOf(t, compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, Default(), KindBureau), transport)
		checkCard(t, c, "91", base100(), want{"bureau.report.missed", "-9", ids(assigned)})
		if !strings.Contains(c.Lines[1].ZH, "2025-04、2025-05") || !strings.Contains(c.Lines[1].EN, "2025-12") {
			t.Fatalf("line: %s / %s", c.Lines[1].ZH, c.Lines[1].EN)
		}
	})
	t.Run("twelve missed, capped at ten", func(t *testing.T) {
		b := newOb(t, transport.ID, 10, domain.RoleLead)
		assigned := b.assign(jan2)
		c := cardOf(t, compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, Default(), KindBureau), transport)
		checkCard(t, c, "90", base100(), want{"bureau.report.missed", "-10", ids(assigned)})
		if !strings.Contains(c.Lines[1].EN, "capped") {
			t.Fatalf("line: %s", c.Lines[1].EN)
		}
	})
	t.Run("starts on 1 July", func(t *testing.T) {
		b := newOb(t, transport.ID, 10, domain.RoleLead)
		assigned := b.assignFrom(jan2, date(2025, 7, 1))
		b.reportMonths(2025, time.July, time.August, time.September)
		checkCard(t, cardOf(t, compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, Default(), KindBureau), transport),
			"97", base100(), want{"bureau.report.missed", "-3", ids(assigned)})
	})
	t.Run("assigned mid-March: owed from April", func(t *testing.T) {
		b := newOb(t, transport.ID, 10, domain.RoleLead)
		assigned := b.assign(cst(2025, 3, 15, 9, 0))
		b.reportMonths(2025, time.March, time.April, time.May, time.June, time.July, time.August)
		checkCard(t, cardOf(t, compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, Default(), KindBureau), transport),
			"96", base100(), want{"bureau.report.missed", "-4", ids(assigned)})
	})
	t.Run("verified in May: nothing owed after April", func(t *testing.T) {
		b := newOb(t, transport.ID, 10, domain.RoleLead)
		b.assign(jan2)
		b.reportMonths(2025, time.January, time.February, time.March, time.April)
		b.at(cst(2025, 5, 10, 9, 0), domain.ClaimCompletion{ObligationKey: b.key, ActingUnit: b.key.Unit})
		b.at(cst(2025, 5, 20, 9, 0), domain.VerifyCompletion{ObligationKey: b.key})
		checkCard(t, cardOf(t, compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, Default(), KindBureau), transport),
			"100", base100())
	})
	t.Run("withdrawn in June, re-assigned in September", func(t *testing.T) {
		b := newOb(t, transport.ID, 10, domain.RoleLead)
		first := b.assign(jan2)
		b.reportMonths(2025, time.January, time.February, time.March)
		b.at(cst(2025, 6, 10, 9, 0), domain.WithdrawResponsibility{ObligationKey: b.key})
		second := b.assign(cst(2025, 9, 1, 8, 0))
		b.reportMonths(2025, time.September, time.October)
		// Owed: January–May (April, May missed) and September–December
		// (November, December missed).
		checkCard(t, cardOf(t, compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, Default(), KindBureau), transport),
			"96", base100(), want{"bureau.report.missed", "-4", ids(first, second)})
	})
	t.Run("quarterly", func(t *testing.T) {
		b := newOb(t, transport.ID, 10, domain.RoleLead)
		assigned := b.assign(jan2)
		b.reportMonths(2025, time.February, time.August)
		s := Default()
		s.Deductions.MissedReport.Period = PeriodQuarter
		c := cardOf(t, compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, s, KindBureau), transport)
		checkCard(t, c, "98", base100(), want{"bureau.report.missed", "-2", ids(assigned)})
		if !strings.Contains(c.Lines[1].EN, "2025-Q2, 2025-Q4") {
			t.Fatalf("line: %s", c.Lines[1].EN)
		}
	})
	t.Run("as of mid-year: only ended months", func(t *testing.T) {
		b := newOb(t, transport.ID, 10, domain.RoleLead)
		assigned := b.assign(jan2)
		b.reportMonths(2025, time.January)
		// As of 15 July: January–June owed; June's report, filed on the
		// 28th, counts; the others are missed.
		b.reportMonths(2025, time.June)
		checkCard(t, cardOf(t, compute(t, Input{AsOf: cst(2025, 7, 15, 0, 0), Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, Default(), KindBureau), transport),
			"96", base100(), want{"bureau.report.missed", "-4", ids(assigned)})
	})
}

// A confirmed false report: −20 and the grade capped at 不合格.
func TestFalseReport(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2025, 1, 2, 9, 0))
	f := b.finding(cst(2025, 5, 1, 9, 0), domain.FindingFalseReport, "虚报淘汰车辆数", domain.Date{})
	b.finding(cst(2025, 5, 2, 9, 0), domain.FindingOther, "台账不全", domain.Date{})
	r := compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, quiet(), KindBureau)
	c := cardOf(t, r, transport)
	checkCard(t, c, "80", base100(), want{"bureau.false_report", "-20", ids(f)})
	if c.Grade != "不合格" || !c.GradeCapped {
		t.Fatalf("grade %s capped %v, want 不合格 capped", c.Grade, c.GradeCapped)
	}
}

// Overdue rectification: −2 for one never done and one done late; none
// for one done in time or not yet due.
func TestOverdueRectification(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2025, 1, 2, 9, 0))
	f1 := b.finding(cst(2025, 5, 1, 9, 0), domain.FindingOther, "未整改", date(2025, 6, 30))
	f2 := b.finding(cst(2025, 5, 1, 9, 0), domain.FindingOther, "逾期整改", date(2025, 6, 30))
	b.finding(cst(2025, 5, 1, 9, 0), domain.FindingOther, "按期整改", date(2025, 6, 30))
	f4 := b.finding(cst(2025, 5, 1, 9, 0), domain.FindingOther, "期限后移", domain.Date{})
	due4 := b.at(cst(2025, 5, 3, 9, 0), domain.SetRectificationDue{ObligationKey: b.key, Finding: 4, Due: date(2025, 8, 31)})
	b.finding(cst(2025, 12, 1, 9, 0), domain.FindingOther, "未到期", date(2026, 2, 28))
	late := b.at(cst(2025, 7, 10, 9, 0), domain.CompleteRectification{ObligationKey: b.key, ActingUnit: b.key.Unit, Finding: 2})
	b.at(cst(2025, 6, 20, 9, 0), domain.CompleteRectification{ObligationKey: b.key, ActingUnit: b.key.Unit, Finding: 3})
	r := compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, quiet(), KindBureau)
	checkCard(t, cardOf(t, r, transport), "94", base100(),
		want{"bureau.rectification.overdue", "-2", ids(f1)},
		want{"bureau.rectification.overdue", "-2", ids(f2, late)},
		want{"bureau.rectification.overdue", "-2", ids(f4, due4)})
}

// Deductions beyond the base stop at the floor, 0.
func TestFloorAtZero(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2025, 1, 2, 9, 0))
	lines := []want{base100()}
	for i := 0; i < 6; i++ {
		f := b.finding(cst(2025, 5, 1+i, 9, 0), domain.FindingFalseReport, "虚报", domain.Date{})
		lines = append(lines, want{"bureau.false_report", "-20", ids(f)})
	}
	lines = append(lines, want{"bureau.floor", "20", nil})
	c := cardOf(t, compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, quiet(), KindBureau), transport)
	checkCard(t, c, "0", lines...)
	if c.Grade != "不合格" {
		t.Fatalf("grade %s", c.Grade)
	}
}

// Only the assessment year counts: a slip due, a finding recorded or a
// rectification due in another year is not on the 2025 card.
func TestOnlyTheAssessmentYearCounts(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	b.assign(cst(2024, 1, 2, 9, 0))
	b.milestone(cst(2024, 1, 2, 9, 0), "2024", "投入运行", date(2024, 12, 31))
	b.slip(cst(2025, 1, 1, 0, 5), "2024")
	b.finding(cst(2024, 11, 1, 9, 0), domain.FindingFalseReport, "虚报", date(2024, 12, 15))
	in := Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}
	checkCard(t, cardOf(t, compute(t, in, quiet(), KindBureau), transport), "100", base100())
	in.Year, in.AsOf = 2024, cst(2025, 1, 2, 0, 0)
	c := cardOf(t, compute(t, in, quiet(), KindBureau), transport)
	if c.Total.String() != "73" { // −5 slip, −20 false report, −2 rectification
		t.Fatalf("2024 total %s\n%s", c.Total, dump(c))
	}
}

// Grades at their exact thresholds.
func TestGradesAtThresholds(t *testing.T) {
	for _, c := range []struct {
		deduct string
		total  string
		grade  string
	}{
		{"10", "90", "优秀"},
		{"10.01", "89.99", "良好"},
		{"20", "80", "良好"},
		{"20.01", "79.99", "合格"},
		{"40", "60", "合格"},
		{"40.01", "59.99", "不合格"},
		{"0", "100", "优秀"},
	} {
		t.Run(c.total, func(t *testing.T) {
			s := quiet()
			p, err := ParsePoints(c.deduct)
			if err != nil {
				t.Fatal(err)
			}
			s.Deductions.Slip.Lead = p
			b := newOb(t, transport.ID, 10, domain.RoleLead)
			b.assign(cst(2025, 1, 2, 9, 0))
			b.milestone(cst(2025, 1, 2, 9, 0), "m", "建成", date(2025, 12, 1))
			b.slip(cst(2025, 12, 2, 0, 5), "m")
			card := cardOf(t, compute(t, Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}, s, KindBureau), transport)
			if card.Total.String() != c.total || card.Grade != c.grade {
				t.Fatalf("total %s grade %s, want %s %s", card.Total, card.Grade, c.total, c.grade)
			}
		})
	}
}

// Ranking: by grade, then total, then fewer slips, then unit id.
func TestRankingTies(t *testing.T) {
	jan := cst(2025, 1, 1, 9, 0)
	// a: one LEAD slip, every report made: 95, one slip.
	a := newOb(t, "bureau.a", 10, domain.RoleLead)
	a.assign(jan)
	a.milestone(jan, "m", "建成", date(2025, 6, 30))
	a.milestone(jan, "n", "验收", date(2026, 6, 30))
	a.slip(cst(2025, 7, 1, 0, 5), "m")
	a.complete(cst(2025, 7, 10, 9, 0), "m")
	a.reportMonths(2025, allMonths()...)
	// b and c: five missed reports each: 95, no slip; tied, so by id.
	b := newOb(t, "bureau.b", 10, domain.RoleSupport)
	b.assign(jan)
	b.reportMonths(2025, time.January, time.February, time.March, time.April, time.May, time.June, time.July)
	c := newOb(t, "bureau.c", 10, domain.RoleSupport)
	c.assign(jan)
	c.reportMonths(2025, time.January, time.February, time.March, time.April, time.May, time.June, time.July)
	// d: a false report: 80 but capped at 不合格, so below e's 76 (合格).
	d := newOb(t, "bureau.d", 10, domain.RoleSupport)
	d.assign(jan)
	d.reportMonths(2025, allMonths()...)
	d.finding(cst(2025, 5, 1, 9, 0), domain.FindingFalseReport, "虚报", domain.Date{})
	e := newOb(t, "bureau.e", 10, domain.RoleLead)
	e.assign(jan)
	e.reportMonths(2025, time.January, time.February)
	// e: four LEAD slips, and March–June unreported until all four were
	// verified in July: 100 − 20 − 4 = 76.
	for _, id := range []string{"x", "y", "z", "w"} {
		e.milestone(jan, id, "建成"+id, date(2025, 6, 30))
	}
	for _, id := range []string{"x", "y", "z", "w"} {
		e.slip(cst(2025, 7, 1, 0, 5), id)
	}
	for _, id := range []string{"x", "y", "z", "w"} {
		e.complete(cst(2025, 7, 5, 9, 0), id)
	}
	units := []Unit{
		{ID: "bureau.e", Name: "E", Kind: domain.KindBureau}, {ID: "bureau.d", Name: "D", Kind: domain.KindBureau},
		{ID: "bureau.c", Name: "C", Kind: domain.KindBureau}, {ID: "bureau.b", Name: "B", Kind: domain.KindBureau},
		{ID: "bureau.a", Name: "A", Kind: domain.KindBureau}, customs,
	}
	body := newOb(t, customs.ID, 10, domain.RoleSupport)
	body.assign(jan)
	r := compute(t, Input{Units: units, Obligations: []*domain.Obligation{a.o, b.o, c.o, d.o, e.o, body.o}}, Default(), KindBureau)
	var got []string
	for _, card := range r.Cards {
		got = append(got, string(card.Unit)+" "+card.Total.String()+" "+card.Grade)
	}
	wantOrder := []string{"bureau.b 95 优秀", "bureau.c 95 优秀", "bureau.a 95 优秀", "bureau.e 76 合格", "bureau.d 80 不合格"}
	if strings.Join(got, "; ") != strings.Join(wantOrder, "; ") {
		t.Fatalf("ranking\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantOrder, "\n"))
	}
	for i, card := range r.Cards {
		if card.Rank != i+1 {
			t.Fatalf("card %s has rank %d at position %d", card.Unit, card.Rank, i+1)
		}
	}
}

// A county's LEAD duty is not on a bureau card, and bodies are not scored.
func TestKindsAndRoles(t *testing.T) {
	b := newOb(t, transport.ID, 10, domain.RoleImplementing)
	b.assign(cst(2025, 1, 2, 9, 0))
	b.milestone(cst(2025, 1, 2, 9, 0), "m", "建成", date(2025, 6, 30))
	b.slip(cst(2025, 7, 1, 0, 5), "m")
	body := newOb(t, customs.ID, 10, domain.RoleSupport)
	body.assign(cst(2025, 1, 2, 9, 0))
	r := compute(t, Input{Units: []Unit{transport, customs}, Obligations: []*domain.Obligation{b.o, body.o}}, quiet(), KindBureau)
	if len(r.Cards) != 1 {
		t.Fatalf("%d cards, want the bureau's only", len(r.Cards))
	}
	checkCard(t, r.Cards[0], "100", base100())
}
