package scoring

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

// The cases of docs/scoring.md, "Work sent back for revision".

// sendBack sends the latest report, or the pending claim of milestone,
// back at now.
func (b *ob) sendBack(now time.Time, target domain.SendBackTarget, milestone domain.MilestoneID) uuid.UUID {
	return b.at(now, domain.SendBackWork{ObligationKey: b.key, Target: target, Milestone: milestone, Reasons: "数据口径不一致"})
}

// A report sent back does not count as reporting: March, reported in time
// on 28 March and sent back on 2 April, is missed (−1) until the unit
// reports March again, and the line cites the report and the send-back.
// A resubmission by the deadline (10 April) makes it; one after it is
// late and still costs −1.
func TestReportSentBackDoesNotCountUntilResubmitted(t *testing.T) {
	b, assigned := lateReportOb(t)
	march := b.report(cst(2025, 3, 28, 10, 0), 2025, time.March, 12)
	back := b.sendBack(cst(2025, 4, 2, 9, 0), domain.SendBackReport, "")
	in := Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}, AsOf: august1}

	c := cardOf(t, compute(t, in, Default(), KindBureau), transport)
	checkCard(t, c, "99", base100(), want{"bureau.report.missed", "-1", ids(assigned, march, back)})
	if l := c.Lines[1]; !strings.Contains(l.ZH, "2025-03（报告被退回修改，未重报）") {
		t.Fatalf("line: %s", l.ZH)
	}

	// As of 1 April the send-back had not happened: March counts, 100.
	early := in
	early.AsOf = cst(2025, 4, 1, 12, 0)
	checkCard(t, cardOf(t, compute(t, early, Default(), KindBureau), transport), "100", base100())

	// Resubmitted on 8 April, by the deadline: 100.
	resubmitted := newOb(t, transport.ID, 10, domain.RoleLead)
	resubmitted.assign(cst(2025, 1, 1, 9, 0))
	resubmitted.reportMonths(2025, time.January, time.February, time.March)
	resubmitted.sendBack(cst(2025, 4, 2, 9, 0), domain.SendBackReport, "")
	resubmitted.report(cst(2025, 4, 8, 9, 0), 2025, time.March, 15)
	resubmitted.reportMonths(2025, time.April, time.May, time.June, time.July)
	in.Obligations = []*domain.Obligation{resubmitted.o}
	checkCard(t, cardOf(t, compute(t, in, Default(), KindBureau), transport), "100", base100())
}

// A claim sent back is no claim: the milestone due 30 June, claimed on
// 20 June and sent back on 25 June, slips on 1 July (−5 as LEAD) although
// it is claimed again on 10 July and verified: completed late is late.
// Verified on the first claim it would have cost nothing.
func TestClaimSentBackThenCompletedLateIsLate(t *testing.T) {
	duty := func() *ob {
		b := newOb(t, transport.ID, 10, domain.RoleLead)
		b.assign(cst(2025, 1, 2, 9, 0))
		b.milestone(cst(2025, 1, 2, 9, 0), "m1", "完成", date(2025, 6, 30))
		return b
	}
	cardFor := func(b *ob) Card {
		in := Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}}
		return cardOf(t, compute(t, in, quiet(), KindBureau), transport)
	}

	inTime := duty()
	inTime.complete(cst(2025, 6, 20, 10, 0), "m1")
	checkCard(t, cardFor(inTime), "100", base100())

	b := duty()
	b.at(cst(2025, 6, 20, 10, 0), domain.ClaimCompletion{ObligationKey: b.key, ActingUnit: b.key.Unit, Milestone: "m1"})
	b.sendBack(cst(2025, 6, 25, 10, 0), domain.SendBackClaim, "m1")
	if _, err := domain.Decide(b.o, domain.VerifyCompletion{ObligationKey: b.key, Milestone: "m1"},
		domain.Meta{Actor: "inspector", Now: cst(2025, 6, 26, 10, 0), IdempotencyKey: "v"}); domain.CodeOf(err) != domain.Conflict {
		t.Fatalf("verifying a claim sent back: %v", err)
	}
	slip := b.slip(cst(2025, 7, 1, 0, 5), "m1")
	b.complete(cst(2025, 7, 10, 10, 0), "m1")
	checkCard(t, cardFor(b), "95", base100(), want{"bureau.slip.lead", "-5", ids(slip)})
}
