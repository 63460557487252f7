package audit

import (
	"slices"
	"testing"
	"time"

	"taskledger/domain"
)

// A progress report recorded after its period's reporting deadline (10
// days after the end of the month it covers, by default) is flagged late;
// one recorded on the deadline day is not.
func TestLateReportFlag(t *testing.T) {
	k := domain.ObligationKey{Plan: "p", Task: 1, Unit: "county.a", Role: domain.RoleImplementing}
	march, _ := domain.NewYearMonth(2025, time.March)
	report := func(pos uint64, recorded time.Time) (*domain.Event, domain.EventData) {
		e := &domain.Event{Position: pos, Stream: k.Stream(), RecordedAt: recorded, EffectiveAt: recorded}
		return e, domain.ProgressReported{ObligationKey: k, Percent: 30, Period: march}
	}
	sh := domain.Shanghai()
	for _, c := range []struct {
		name     string
		recorded time.Time
		days     int
		late     bool
	}{
		{"on the deadline day", time.Date(2025, time.April, 10, 23, 0, 0, 0, sh), DefaultReportDeadlineDays, false},
		{"the day after", time.Date(2025, time.April, 11, 0, 0, 0, 0, sh), DefaultReportDeadlineDays, true},
		{"in July", time.Date(2025, time.July, 20, 9, 0, 0, 0, sh), DefaultReportDeadlineDays, true},
		{"no deadline", time.Date(2025, time.July, 20, 9, 0, 0, 0, sh), -1, false},
	} {
		f := NewFlagger(0).WithReportDeadline(c.days)
		f.Apply(report(1, c.recorded))
		if got := slices.Contains(f.Flags(1), FlagLate); got != c.late {
			t.Errorf("%s: late %v, want %v (flags %v)", c.name, got, c.late, f.Flags(1))
		}
	}
}

// Daily values of one month are each their own record: none supersedes
// another; a second value for the same day does.
func TestDailyIndicatorsAreNotSuperseded(t *testing.T) {
	jan, _ := domain.NewYearMonth(2025, time.January)
	d1, d2 := domain.MustDate(2025, time.January, 1), domain.MustDate(2025, time.January, 2)
	f := NewFlagger(0)
	at := time.Date(2025, time.January, 3, 9, 0, 0, 0, domain.Shanghai())
	for i, d := range []*domain.Date{&d1, &d2, &d2} {
		e := &domain.Event{Position: uint64(i + 1), Stream: "unit-county.a", RecordedAt: at, EffectiveAt: at}
		f.Apply(e, domain.IndicatorMeasured{Unit: "county.a", Metric: domain.MetricPM25, Period: jan, Day: d, Value: float64(30 + i), ValidDays: 1})
	}
	if slices.Contains(f.Flags(1), FlagSuperseded) || !slices.Contains(f.Flags(2), FlagSuperseded) || slices.Contains(f.Flags(3), FlagSuperseded) {
		t.Fatalf("flags %v %v %v", f.Flags(1), f.Flags(2), f.Flags(3))
	}
	got := Summarize(domain.IndicatorMeasured{Unit: "county.a", Metric: domain.MetricGoodDayRatio, Period: jan, Value: 80, ValidDays: 30, GoodDays: 24}, Names{Unit: func(domain.UnitID) string { return "甲县" }})
	if got != "甲县 2025-01 优良天数比例为24/30天" {
		t.Fatalf("summary %q", got)
	}
}
