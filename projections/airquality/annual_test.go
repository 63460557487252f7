package airquality

import (
	"math/big"
	"testing"
	"time"

	"taskledger/domain"
)

func month(m time.Month) domain.YearMonth {
	ym, err := domain.NewYearMonth(2025, m)
	if err != nil {
		panic(err)
	}
	return ym
}

func monthly(metric domain.Metric, m time.Month, v float64, valid, good int) Reading {
	return Reading{Metric: metric, Period: month(m), Value: v, ValidDays: valid, GoodDays: good}
}

func wantValue(t *testing.T, f Figure, want *big.Rat) {
	t.Helper()
	if !f.Assessable || f.Value == nil {
		t.Fatalf("%s not assessable: %s", f.Metric, f.ReasonEN)
	}
	if f.Value.Cmp(want) != 0 {
		t.Fatalf("%s = %s (%s), want %s (%s)", f.Metric, f.Value.RatString(), Format(f.Value, 3), want.RatString(), Format(want, 3))
	}
}

// January: 40 μg/m³ over 30 valid days; February: 20 over 25. The mean of
// the two monthly means would be 30; over days it is
// (40×30 + 20×25) / 55 = 1700/55 = 340/11 ≈ 30.91.
func TestPM25IsMeanOverValidDays(t *testing.T) {
	rs := []Reading{monthly(domain.MetricPM25, time.January, 40, 30, 0), monthly(domain.MetricPM25, time.February, 20, 25, 0)}
	f := Annual(rs, domain.MetricPM25, 2025, time.February)
	wantValue(t, f, big.NewRat(340, 11))
	if f.ValidDays != 55 || f.FullYear() || len(f.Events) != 2 {
		t.Fatalf("figure %+v", f)
	}
}

// January: 20 good days of 30 valid; February: 25 of 25. Good days over
// valid days: 45/55 = 81.82%, not the mean of 66.67% and 100%.
func TestGoodDayRatioIsGoodDaysOverValidDays(t *testing.T) {
	rs := []Reading{monthly(domain.MetricGoodDayRatio, time.January, 66.67, 30, 20), monthly(domain.MetricGoodDayRatio, time.February, 100, 25, 25)}
	f := Annual(rs, domain.MetricGoodDayRatio, 2025, time.February)
	wantValue(t, f, big.NewRat(900, 11))
	if f.GoodDays.Cmp(big.NewRat(45, 1)) != 0 || f.ValidDays != 55 {
		t.Fatalf("good %v valid %d", f.GoodDays, f.ValidDays)
	}
}

// Values from before day counts count with every day of their month:
// (31.5×31 + 20×28) / 59 = 1536.5/59 = 3073/118. An old ratio of 50% in
// January stands for 15.5 good days of 31.
func TestOldValuesCountWithTheDaysOfTheirMonth(t *testing.T) {
	rs := []Reading{monthly(domain.MetricPM25, time.January, 31.5, 0, 0), monthly(domain.MetricPM25, time.February, 20, 0, 0)}
	wantValue(t, Annual(rs, domain.MetricPM25, 2025, time.February), big.NewRat(3073, 118))
	g := Annual([]Reading{monthly(domain.MetricGoodDayRatio, time.January, 50, 0, 0)}, domain.MetricGoodDayRatio, 2025, time.January)
	wantValue(t, g, big.NewRat(50, 1))
	if g.GoodDays.Cmp(big.NewRat(31, 2)) != 0 || g.ValidDays != 31 {
		t.Fatalf("good %v valid %d", g.GoodDays, g.ValidDays)
	}
}

// A month with a monthly value ignores its daily values; a month without
// one combines them: February's 25 daily values of 12 are a month of 25
// valid days at 12. (40×30 + 12×25) / 55 = 1500/55 = 300/11.
func TestDailyValuesMakeUpAMonthWithoutAMonthlyValue(t *testing.T) {
	rs := []Reading{monthly(domain.MetricPM25, time.January, 40, 30, 0),
		{Metric: domain.MetricPM25, Period: month(time.January), Day: domain.MustDate(2025, time.January, 5), Value: 300, ValidDays: 1}}
	for d := 1; d <= 25; d++ {
		rs = append(rs, Reading{Metric: domain.MetricPM25, Period: month(time.February), Day: domain.MustDate(2025, time.February, d), Value: 12, ValidDays: 1})
	}
	f := Annual(rs, domain.MetricPM25, 2025, time.February)
	wantValue(t, f, big.NewRat(300, 11))
	if f.ValidDays != 55 {
		t.Fatalf("valid days %d", f.ValidDays)
	}
}

func TestTooFewValidDaysIsNotAssessable(t *testing.T) {
	cases := []struct {
		name    string
		rs      []Reading
		through time.Month
		short   []string
	}{
		{"January with 26 valid days", []Reading{monthly(domain.MetricPM25, time.January, 30, 26, 0)}, time.January, []string{"2025-01"}},
		{"February with 24 valid days", []Reading{monthly(domain.MetricPM25, time.January, 30, 27, 0), monthly(domain.MetricPM25, time.February, 30, 24, 0)}, time.February, []string{"2025-02"}},
		{"a month missing", []Reading{monthly(domain.MetricPM25, time.February, 30, 28, 0)}, time.February, []string{"2025-01"}},
	}
	for _, c := range cases {
		f := Annual(c.rs, domain.MetricPM25, 2025, c.through)
		if f.Assessable || f.Value != nil || f.ReasonZH == "" {
			t.Errorf("%s: assessable %+v", c.name, f)
		}
		if len(f.ShortMonths) != len(c.short) || f.ShortMonths[0] != c.short[0] {
			t.Errorf("%s: short months %v, want %v", c.name, f.ShortMonths, c.short)
		}
	}
	if f := Annual(nil, domain.MetricPM25, 2025, time.March); f.Assessable || f.ReasonEN != "nothing recorded" {
		t.Errorf("no data: %+v", f)
	}
}

// Every month at its minimum (27 days, February 25) makes 322 valid days,
// short of the 324 a year needs; 28 days a month (333) is enough.
func TestFullYearNeeds324ValidDays(t *testing.T) {
	year := func(days int) []Reading {
		var rs []Reading
		for m := time.January; m <= time.December; m++ {
			d := days
			if m == time.February {
				d = MinFebruaryDays
			}
			rs = append(rs, monthly(domain.MetricHeavyPollutionDays, m, 1, d, 0))
		}
		return rs
	}
	f := Annual(year(27), domain.MetricHeavyPollutionDays, 2025, time.December)
	if f.Assessable || f.ValidDays != 322 || len(f.ShortMonths) != 0 {
		t.Fatalf("322 days: %+v", f)
	}
	g := Annual(year(28), domain.MetricHeavyPollutionDays, 2025, time.December)
	wantValue(t, g, big.NewRat(12, 1))
	if g.ValidDays != 333 || !g.FullYear() {
		t.Fatalf("333 days: %+v", g)
	}
}

func TestTonnesAreSummed(t *testing.T) {
	rs := []Reading{monthly(domain.MetricNOxReduction, time.March, 120.5, 0, 0), monthly(domain.MetricNOxReduction, time.September, 80.25, 0, 0),
		monthly(domain.MetricVOCsReduction, time.March, 7, 0, 0)}
	wantValue(t, Annual(rs, domain.MetricNOxReduction, 2025, time.December), big.NewRat(20075, 100))
	if f := Annual(rs, domain.MetricNOxReduction, 2025, time.February); f.Assessable {
		t.Fatalf("nothing by February: %+v", f)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		r    *big.Rat
		d    int
		want string
	}{{big.NewRat(340, 11), 1, "30.9"}, {big.NewRat(900, 11), 2, "81.82"}, {big.NewRat(25, 1), 1, "25"}, {big.NewRat(1, 8), 2, "0.13"}, {big.NewRat(-1, 8), 2, "-0.13"}} {
		if got := Format(c.r, c.d); got != c.want {
			t.Errorf("Format(%s, %d) = %s, want %s", c.r.RatString(), c.d, got, c.want)
		}
	}
}
