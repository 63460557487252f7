package projections

import (
	"testing"
	"time"

	"taskledger/domain"
)

// A year's measurements come ordered by unit, metric, month (October
// after February) and day, a month's monthly value before its days.
func TestIndicatorsYearOrder(t *testing.T) {
	in := newIndicators()
	ym := func(m time.Month) domain.YearMonth {
		v, err := domain.NewYearMonth(2025, m)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	day := func(m time.Month, d int) *domain.Date {
		v := domain.MustDate(2025, m, d)
		return &v
	}
	measured := []domain.IndicatorMeasured{
		{Unit: "county.b", Metric: domain.MetricPM25, Period: ym(1), Value: 1},
		{Unit: "county.a", Metric: domain.MetricPM25, Period: ym(10), Value: 2},
		{Unit: "county.a", Metric: domain.MetricPM25, Period: ym(2), Day: day(2, 3), Value: 3},
		{Unit: "county.a", Metric: domain.MetricPM25, Period: ym(2), Value: 4},
		{Unit: "county.a", Metric: domain.MetricPM25, Period: ym(2), Day: day(2, 1), Value: 5},
		{Unit: "county.a", Metric: domain.MetricGoodDayRatio, Period: ym(12), Value: 6},
	}
	for i, m := range measured {
		if err := in.Apply(&domain.Event{Position: uint64(i + 1)}, m); err != nil {
			t.Fatal(err)
		}
	}
	var got []float64
	for _, m := range in.Year("", 2025) {
		got = append(got, m.Value)
	}
	want := []float64{6, 4, 5, 3, 2, 1}
	if domain.MetricGoodDayRatio > domain.MetricPM25 {
		want = []float64{4, 5, 3, 2, 6, 1}
	}
	if len(got) != len(want) {
		t.Fatalf("values %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("values %v, want %v", got, want)
		}
	}
}
