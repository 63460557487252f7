package scoring

import (
	"slices"
	"testing"
	"time"

	"taskledger/domain"
)

func month(y int, m time.Month) domain.YearMonth {
	ym, err := domain.NewYearMonth(y, m)
	if err != nil {
		panic(err)
	}
	return ym
}

// The index lists each month's reports in recording order, across
// updates, and a frozen copy does not see later ones.
func TestReportIndex(t *testing.T) {
	reports := domain.ReportListOf(
		domain.PeriodReport{Period: month(2025, 3)}, domain.PeriodReport{Period: month(2025, 1)}, domain.PeriodReport{Period: month(2025, 3)},
	)
	var ix ReportIndex
	ix.Update(&reports)
	frozen := ix.Frozen()
	reports.Append(domain.PeriodReport{Period: month(2025, 2)})
	reports.Append(domain.PeriodReport{Period: month(2025, 1)})
	ix.Update(&reports)

	q1 := func(ix *ReportIndex) []int32 { return ix.within(date(2025, 1, 1), date(2025, 3, 31)) }
	if got, want := q1(&ix), []int32{0, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("Q1: %v, want %v", got, want)
	}
	if got, want := ix.within(date(2025, 1, 1), date(2025, 1, 31)), []int32{1, 4}; !slices.Equal(got, want) {
		t.Errorf("January: %v, want %v", got, want)
	}
	if got := ix.within(date(2025, 4, 1), date(2025, 4, 30)); len(got) != 0 {
		t.Errorf("April: %v, want none", got)
	}
	if got, want := q1(frozen), []int32{0, 1, 2}; !slices.Equal(got, want) || frozen.Len() != 3 {
		t.Errorf("frozen Q1: %v (%d indexed), want %v (3)", got, frozen.Len(), want)
	}
	if ix.Len() != 5 {
		t.Errorf("indexed %d, want 5", ix.Len())
	}

	// Fewer reports than indexed: it starts over.
	first := domain.ReportListOf(*reports.At(0))
	ix.Update(&first)
	if got := q1(&ix); !slices.Equal(got, []int32{0}) || ix.Len() != 1 {
		t.Errorf("after starting over: %v (%d indexed), want [0] (1)", got, ix.Len())
	}
}

// Scorecards read through the index equal those read from every report
// (compute checks it) where the order of a period's reports decides the
// line: a month reported late twice cites the first late report, and a
// quarter made by a report of its last month after a late one of its
// first month counts as made.
func TestIndexedReportsKeepTheRecordingOrder(t *testing.T) {
	b, assigned := lateReportOb(t)
	first := b.report(cst(2025, 7, 20, 10, 0), 2025, time.March, 12)
	b.report(cst(2025, 7, 25, 10, 0), 2025, time.March, 13)
	in := Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{b.o}, AsOf: august1}
	checkCard(t, cardOf(t, compute(t, in, Default(), KindBureau), transport), "99",
		base100(), want{"bureau.report.missed", "-1", ids(assigned, first)})

	q := newOb(t, transport.ID, 10, domain.RoleLead)
	q.assign(cst(2025, 1, 1, 9, 0))
	q.report(cst(2025, 4, 20, 10, 0), 2025, time.January, 5) // after Q1's deadline
	q.report(cst(2025, 3, 28, 10, 0), 2025, time.March, 10)  // in time
	q.reportMonths(2025, time.May, time.August)
	s := Default()
	s.Deductions.MissedReport.Period = PeriodQuarter
	in = Input{Units: []Unit{transport}, Obligations: []*domain.Obligation{q.o}, AsOf: cst(2025, 10, 1, 0, 0)}
	checkCard(t, cardOf(t, compute(t, in, s, KindBureau), transport), "100", base100())
}
