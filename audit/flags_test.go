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
