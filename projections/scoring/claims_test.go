package scoring

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

// The hand-computed cases of docs/scoring.md, "Claims count when verified"
// and "Missed periodic report": every expected number below is worked out
// from the rule in the comment beside it, not read off the code.

// ningchengAir gives 宁城县 a year of air that meets its targets (PM2.5 20
// against 40 × (1 − 26.8%) = 29.28, good days 96% ≥ 87%, no heavy days):
// 20 + 10 + 10 = 40 points, so its total is its delivery score + 40.
func ningchengAir(in Input) Input {
	in.Indicators = clean(ningcheng)
	in.Targets = planTargets()
	in.Baselines = []Baseline{{Unit: ningcheng.ID, Metric: domain.MetricPM25, Year: 2020, Value: 40, Source: "2020年环境质量公报"}}
	return in
}

// ningchengDuty is 宁城县's IMPLEMENTING duty on task 10 with three
// milestones, q1, q2 and q3, due 31 March, 30 June and 30 September 2025.
// The tests record each slip the morning after its due date, as the
// watcher does when nothing is verified by then.
func ningchengDuty(t *testing.T) *ob {
	b := newOb(t, ningcheng.ID, 10, domain.RoleImplementing)
	b.assign(cst(2025, 1, 2, 9, 0))
	b.milestone(cst(2025, 1, 2, 9, 0), "q1", "阶段任务一", date(2025, 3, 31))
	b.milestone(cst(2025, 1, 2, 9, 0), "q2", "阶段任务二", date(2025, 6, 30))
	b.milestone(cst(2025, 1, 2, 9, 0), "q3", "阶段任务三", date(2025, 9, 30))
	return b
}

// ningchengCard scores 宁城县's obligation as of the end of 2025 under the
// default scheme without the missed-report rule.
func ningchengCard(t *testing.T, b *ob) Card {
	t.Helper()
	in := ningchengAir(Input{Units: []Unit{ningcheng}, Obligations: []*domain.Obligation{b.o}})
	return cardOf(t, compute(t, in, quiet(), KindCounty), ningcheng)
}

func airMetNingcheng() []want {
	return []want{{"county.air.pm25", "20", nil}, {"county.air.good_day_ratio", "10", nil}, {"county.air.heavy_pollution_days", "10", nil}}
}

// The 宁城县 gaming scenario: three milestones slip; in December the
// county claims all three complete, backdated to their due dates, and
// nobody verifies. The claims lift nothing. Verified, they stop the
// lateness clock on the day they were recorded, not on the day they claim.
func TestNingchengBackdatedClaimsDoNotLiftTheScore(t *testing.T) {
	b := ningchengDuty(t)
	s1 := b.slip(cst(2025, 4, 1, 0, 5), "q1")
	s2 := b.slip(cst(2025, 7, 1, 0, 5), "q2")
	s3 := b.slip(cst(2025, 10, 1, 0, 5), "q3")

	// Honest, nothing claimed, as of 2026-01-01 (clock to 2025-12-31):
	//   slips 3 × 5 = 15 (of 100)
	//   lateness: q1 275 days → ⌊(275−30)/30⌋ = 8 steps, capped at 5
	//             q2 184 days → ⌊(184−30)/30⌋ = 5 → 5
	//             q3  92 days → ⌊(92−30)/30⌋  = 2 → 2
	//   deductions 15 + 12 = 27; delivery 60 × (100 − 27)/100 = 43.8
	//   lines scaled by 60/100: −3 −3 −3 −3 −1.2, and 60 − 15 − 1.2 = 43.8
	//   total 43.8 + air 40 = 83.8
	honest := []want{delivery60(),
		{"county.delivery.slip.implementing", "-3", ids(s1)}, {"county.delivery.slip.late", "-3", ids(s1)},
		{"county.delivery.slip.implementing", "-3", ids(s2)}, {"county.delivery.slip.late", "-3", ids(s2)},
		{"county.delivery.slip.implementing", "-3", ids(s3)}, {"county.delivery.slip.late", "-1.2", ids(s3)},
	}
	checkCard(t, ningchengCard(t, b), "83.8", append(honest, airMetNingcheng()...)...)

	// On 20 December the county claims the three, each backdated to its
	// due date at 15:00. Unverified, they change nothing: 83.8 again.
	// (Before: the pending claims stopped the clock at the due dates, no
	// lateness at all: 60 − 9 = 51, total 91.)
	claimed := cst(2025, 12, 20, 10, 0)
	var claims []uuid.UUID
	for _, m := range []struct {
		id  string
		due domain.Date
	}{{"q1", date(2025, 3, 31)}, {"q2", date(2025, 6, 30)}, {"q3", date(2025, 9, 30)}} {
		claims = append(claims, b.backdated(claimed, m.due.StartOf().Add(15*time.Hour),
			domain.ClaimCompletion{ObligationKey: b.key, ActingUnit: b.key.Unit, Milestone: domain.MilestoneID(m.id), Evidence: "验收"}))
	}
	c := ningchengCard(t, b)
	checkCard(t, c, "83.8", append(honest, airMetNingcheng()...)...)
	if c.Slips != 3 {
		t.Fatalf("slips %d, want 3", c.Slips)
	}

	// An inspector verifies the three on 22 December. The claims were
	// recorded on 20 December, after every due date: the slips stand, and
	// the clock stops on 20 December (not on the backdated due dates):
	//   q1 264 days → ⌊234/30⌋ = 7 steps, capped at 5
	//   q2 173 days → ⌊143/30⌋ = 4 → 4
	//   q3  81 days → ⌊51/30⌋  = 1 → 1
	//   deductions 15 + 10 = 25; delivery 60 × 75/100 = 45
	//   lines −3 −3 −3 −2.4 −3 −0.6; total 45 + 40 = 85
	var verified []uuid.UUID
	for _, id := range []string{"q1", "q2", "q3"} {
		verified = append(verified, b.at(cst(2025, 12, 22, 10, 0), domain.VerifyCompletion{ObligationKey: b.key, Milestone: domain.MilestoneID(id)}))
	}
	checkCard(t, ningchengCard(t, b), "85", append([]want{delivery60(),
		{"county.delivery.slip.implementing", "-3", ids(s1)}, {"county.delivery.slip.late", "-3", ids(s1, claims[0], verified[0])},
		{"county.delivery.slip.implementing", "-3", ids(s2)}, {"county.delivery.slip.late", "-2.4", ids(s2, claims[1], verified[1])},
		{"county.delivery.slip.implementing", "-3", ids(s3)}, {"county.delivery.slip.late", "-0.6", ids(s3, claims[2], verified[2])},
	}, airMetNingcheng()...)...)
}

// Claims made in time and verified after the due date: until verified, the
// slips and their lateness stand (83.8, as above); once verified, the
// slips are cleared at no cost: 60 + 40 = 100.
func TestNingchengClaimsMadeInTimeCountWhenVerified(t *testing.T) {
	b := ningchengDuty(t)
	c1 := b.at(cst(2025, 3, 28, 10, 0), domain.ClaimCompletion{ObligationKey: b.key, ActingUnit: b.key.Unit, Milestone: "q1", Evidence: "验收"})
	s1 := b.slip(cst(2025, 4, 1, 0, 5), "q1")
	c2 := b.at(cst(2025, 6, 27, 10, 0), domain.ClaimCompletion{ObligationKey: b.key, ActingUnit: b.key.Unit, Milestone: "q2", Evidence: "验收"})
	s2 := b.slip(cst(2025, 7, 1, 0, 5), "q2")
	c3 := b.at(cst(2025, 9, 26, 10, 0), domain.ClaimCompletion{ObligationKey: b.key, ActingUnit: b.key.Unit, Milestone: "q3", Evidence: "验收"})
	s3 := b.slip(cst(2025, 10, 1, 0, 5), "q3")

	// Unverified as of 2026-01-01: the same deductions as never claimed.
	c := ningchengCard(t, b)
	checkCard(t, c, "83.8", append([]want{delivery60(),
		{"county.delivery.slip.implementing", "-3", ids(s1)}, {"county.delivery.slip.late", "-3", ids(s1)},
		{"county.delivery.slip.implementing", "-3", ids(s2)}, {"county.delivery.slip.late", "-3", ids(s2)},
		{"county.delivery.slip.implementing", "-3", ids(s3)}, {"county.delivery.slip.late", "-1.2", ids(s3)},
	}, airMetNingcheng()...)...)

	// Verified on 22 December: each claim was recorded before its due date
	// ended, so each slip is cleared, 0 points; 60 + 40 = 100, no slips.
	v1 := b.at(cst(2025, 12, 22, 10, 0), domain.VerifyCompletion{ObligationKey: b.key, Milestone: "q1"})
	v2 := b.at(cst(2025, 12, 22, 10, 0), domain.VerifyCompletion{ObligationKey: b.key, Milestone: "q2"})
	v3 := b.at(cst(2025, 12, 22, 10, 0), domain.VerifyCompletion{ObligationKey: b.key, Milestone: "q3"})
	c = ningchengCard(t, b)
	checkCard(t, c, "100", append([]want{delivery60(),
		{"county.delivery.slip.cleared", "0", ids(s1, c1, v1)},
		{"county.delivery.slip.cleared", "0", ids(s2, c2, v2)},
		{"county.delivery.slip.cleared", "0", ids(s3, c3, v3)},
	}, airMetNingcheng()...)...)
	if c.Slips != 0 || !strings.Contains(c.Lines[1].ZH, "经核验") {
		t.Fatalf("slips %d; line %s", c.Slips, c.Lines[1].ZH)
	}
}

// lateReportOb is a bureau's LEAD duty reporting January–July 2025 on the
// 28th of each month, except March; as of 1 August, January–July are
// owed.
func lateReportOb(t *testing.T) (*ob, uuid.UUID) {
	b := newOb(t, transport.ID, 10, domain.RoleLead)
	assigned := b.assign(cst(2025, 1, 1, 9, 0))
	b.reportMonths(2025, time.January, time.February, time.April, time.May, time.June, time.July)
	return b, assigned
}

var august1 = cst(2025, 8, 1, 0, 0)

// A report recorded after its reporting deadline (10 days after the end of
// the month) is flagged late and does not remove the deduction earned.
func TestLateReportDoesNotEraseTheDeduction(t *testing.T) {
	b, assigned := lateReportOb(t)
	in := Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}, AsOf: august1}

	// March unreported: 1 missed report × 1 = −1; 100 − 1 = 99.
	checkCard(t, cardOf(t, compute(t, in, Default(), KindBureau), transport), "99",
		base100(), want{"bureau.report.missed", "-1", ids(assigned)})

	// March reported on 20 July, past its deadline of 10 April: still −1,
	// now as a late report, citing it; 99. (Before: it made the report, 100.)
	late := b.report(cst(2025, 7, 20, 10, 0), 2025, time.March, 12)
	c := cardOf(t, compute(t, in, Default(), KindBureau), transport)
	checkCard(t, c, "99", base100(), want{"bureau.report.missed", "-1", ids(assigned, late)})
	if l := c.Lines[1]; !strings.Contains(l.ZH, "逾期补报：2025-03（2025-07-20）") || !strings.Contains(l.EN, "late") {
		t.Fatalf("line: %s / %s", l.ZH, l.EN)
	}

	// Under a scheme written for version 1 (no deadline_days) a report
	// recorded any time makes its month: 100.
	v1 := Default()
	v1.Deductions.MissedReport.DeadlineDays = nil
	checkCard(t, cardOf(t, compute(t, in, v1, KindBureau), transport), "100", base100())
}

// A report recorded on the deadline day itself (10 April for March) is in
// time: 100.
func TestReportOnTheDeadlineDayIsInTime(t *testing.T) {
	b, _ := lateReportOb(t)
	b.report(cst(2025, 4, 10, 23, 0), 2025, time.March, 12)
	in := Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}, AsOf: august1}
	checkCard(t, cardOf(t, compute(t, in, Default(), KindBureau), transport), "100", base100())
}
