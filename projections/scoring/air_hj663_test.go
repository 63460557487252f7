package scoring

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/projections/airquality"
)

// withDays returns monthly values of a metric from January on, each with
// its valid days (and good days, for the good-day ratio), and their IDs.
func withDays(u Unit, m domain.Metric, year int, pos uint64, values []float64, valid, good []int) ([]IndicatorValue, []uuid.UUID) {
	var out []IndicatorValue
	var evs []uuid.UUID
	for i, v := range values {
		ym, _ := domain.NewYearMonth(year, time.Month(i+1))
		id := domain.DeriveEventID(fmt.Sprintf("%s/%s/%s/%d/days", u.ID, m, ym, pos), 0)
		iv := IndicatorValue{Unit: u.ID, Metric: m, Period: ym, Value: v, ValidDays: valid[i], EventID: id, Position: pos + uint64(i)}
		if good != nil {
			iv.GoodDays = good[i]
		}
		out = append(out, iv)
		evs = append(evs, id)
	}
	return out, evs
}

// halfYear is six values of a then six of b.
func halfYear[T any](a, b T) []T { return append(repeat2(a, 6), repeat2(b, 6)...) }

func repeat2[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// The worked example of docs/scoring.md. 红山区 in 2025: January–June at
// 30 μg/m³ over 30 valid days (February 28), July–December at 20 over 27.
//
//	valid days   30×5 + 28 + 27×6 = 178 + 162 = 340 (≥ 324, every month at its minimum)
//	PM2.5        (30×178 + 20×162) / 340 = 8580/340 = 25.24 → misses 25 by 4/17
//	             points 20 × (1 − (4/17)/5) = 20 × 81/85 = 19.06
//	good days    24 a month in the first half (of 30, February of 28), all 27 after:
//	             (24×6 + 27×6) / 340 = 306/340 = 90% → misses 94.5 by 4.5: 10 × 0.1 = 1
//	heavy days   2 in January, 1 in December = 3 → 10 × (1 − 3/5) = 4
//
// Total 60 + 19.06 + 1 + 4 = 84.06 (良好). The mean of the monthly means
// would have been exactly 25 (full marks) and the mean of the monthly
// ratios 90.48%: weighting by days is what moves the score.
func hongshanDays() ([]IndicatorValue, [3][]uuid.UUID) {
	valid := halfYear(30, 27)
	valid[1] = 28
	pm, pmIDs := withDays(hongshan, domain.MetricPM25, 2025, 100, halfYear(30.0, 20.0), valid, nil)
	good := halfYear(24, 27)
	ratios := make([]float64, 12)
	for i := range ratios {
		ratios[i] = float64(good[i]) * 100 / float64(valid[i])
	}
	gd, gdIDs := withDays(hongshan, domain.MetricGoodDayRatio, 2025, 200, ratios, valid, good)
	heavy := make([]float64, 12)
	heavy[0], heavy[11] = 2, 1
	hd, hdIDs := withDays(hongshan, domain.MetricHeavyPollutionDays, 2025, 300, heavy, valid, nil)
	return append(append(pm, gd...), hd...), [3][]uuid.UUID{pmIDs, gdIDs, hdIDs}
}

func TestHJ663AnnualFiguresScoreOverDays(t *testing.T) {
	values, evs := hongshanDays()
	in := Input{Units: []Unit{hongshan}, Indicators: values, Targets: planTargets()}
	c := cardOf(t, compute(t, in, quiet(), KindCounty), hongshan)
	checkCard(t, c, "84.06", delivery60(),
		want{"county.air.pm25", "19.06", evs[0]}, want{"county.air.good_day_ratio", "1", evs[1]}, want{"county.air.heavy_pollution_days", "4", evs[2]})
	if c.Grade != "良好" {
		t.Fatalf("grade %s", c.Grade)
	}
	for i, w := range []string{"25.24μg/m³（全年340个有效天均值）", "90%（全年优良306天/有效340天）", "3天（全年有效340天）"} {
		if l := c.Lines[i+1]; !strings.Contains(l.ZH, w) {
			t.Errorf("line %d: %s, want %s", i+1, l.ZH, w)
		}
	}
	// The same values under the monthly rule of earlier scheme documents.
	checkCard(t, cardOf(t, compute(t, in, monthly(), KindCounty), hongshan), "85.95", delivery60(),
		want{"county.air.pm25", "20", evs[0]}, want{"county.air.good_day_ratio", "1.95", evs[1]}, want{"county.air.heavy_pollution_days", "4", evs[2]})
}

// A month short of its minimum of valid days, or a year short of 324,
// leaves the figure not assessable: 0 points and the line says why.
func TestHJ663TooFewValidDays(t *testing.T) {
	values, _ := hongshanDays()
	for i := range values {
		if values[i].Metric == domain.MetricPM25 && values[i].Period.Month() == time.November {
			values[i].ValidDays = 26
		}
	}
	in := Input{Units: []Unit{hongshan}, Indicators: values, Targets: planTargets()}
	c := cardOf(t, compute(t, in, quiet(), KindCounty), hongshan)
	if l := c.Lines[1]; l.Points != 0 || !strings.Contains(l.ZH, "不可评价") || !strings.Contains(l.ZH, "2025-11") || len(l.Events) != 12 {
		t.Fatalf("pm25 line: %s %s %d events", l.Points, l.ZH, len(l.Events))
	}

	// Every month at its minimum (27, February 25) is 322 days: too few.
	valid := repeat2(27, 12)
	valid[1] = 25
	pm, _ := withDays(hongshan, domain.MetricPM25, 2025, 100, repeat(20, 12), valid, nil)
	c = cardOf(t, compute(t, Input{Units: []Unit{hongshan}, Indicators: pm, Targets: planTargets()}, quiet(), KindCounty), hongshan)
	if l := c.Lines[1]; l.Points != 0 || !strings.Contains(l.EN, "322 valid days in the year, fewer than 324") {
		t.Fatalf("pm25 line at 322 days: %s %s", l.Points, l.EN)
	}
}

// Before the year ends the figure covers the ended months; as of 15
// March that is January (30 days at 30) and February (28 at 30): 30
// μg/m³ over 58 days, missing 25 by 5: 0 of 20.
func TestHJ663YearToDate(t *testing.T) {
	values, evs := hongshanDays()
	in := Input{Units: []Unit{hongshan}, Indicators: values, Targets: planTargets(), AsOf: cst(2025, 3, 15, 0, 0)}
	c := cardOf(t, compute(t, in, quiet(), KindCounty), hongshan)
	l := c.Lines[1]
	if l.Points != 0 || !strings.Contains(l.ZH, "30μg/m³（1–2月累计58个有效天均值）") || len(l.Events) != 2 || l.Events[0] != evs[0][0] {
		t.Fatalf("pm25 line as of 15 March: %s %s %v", l.Points, l.ZH, l.Events)
	}
}

// Under HJ 663 a baseline given with its year's readings is that year's
// figure over valid days. 宁城县's 2020: old monthly values (no day
// counts, so each month counts with all its days), 40 μg/m³ in the 182
// days January–June and 30 in the 184 days July–December of the leap year:
// (40×182 + 30×184)/366 = 12800/366 = 34.97; −26.8% gives ≤ 25.6.
func TestHJ663BaselineFromReadings(t *testing.T) {
	var base []airquality.Reading
	for i, v := range halfYear(40.0, 30.0) {
		ym, _ := domain.NewYearMonth(2020, time.Month(i+1))
		base = append(base, airquality.Reading{Metric: domain.MetricPM25, Period: ym, Value: v})
	}
	valid := repeat2(30, 12)
	valid[1] = 28
	pm, pmIDs := withDays(ningcheng, domain.MetricPM25, 2025, 100, repeat(25.5, 12), valid, nil)
	baseID := domain.DeriveEventID("baseline/ningcheng", 0)
	in := Input{Units: []Unit{ningcheng}, Indicators: pm, Targets: planTargets(),
		Baselines: []Baseline{{Unit: ningcheng.ID, Metric: domain.MetricPM25, Year: 2020, Value: 35, EventID: baseID, Readings: base}}}
	c := cardOf(t, compute(t, in, quiet(), KindCounty), ningcheng)
	l := c.Lines[1]
	if l.Points != Whole(20) || !strings.Contains(l.ZH, "比2020年（34.97μg/m³，366个有效天均值）下降26.8%，即≤25.6μg/m³") {
		t.Fatalf("pm25 line: %s %s", l.Points, l.ZH)
	}
	if len(l.Events) != 13 || l.Events[0] != pmIDs[0] || l.Events[12] != baseID {
		t.Fatalf("events %v", l.Events)
	}
	// A baseline year with a month missing is not assessable.
	in.Baselines[0].Readings = base[1:]
	l = cardOf(t, compute(t, in, quiet(), KindCounty), ningcheng).Lines[1]
	if l.Points != 0 || !strings.Contains(l.ZH, "2020年基准值不可评价") || !strings.Contains(l.ZH, "2020-01") {
		t.Fatalf("pm25 line with a short baseline year: %s %s", l.Points, l.ZH)
	}
}

// A scheme document written before version 3 (no "annual" field, with
// min_months) still parses and scores by monthly means, so scorecards
// already published under it recompute byte for byte.
func TestVersion2DocumentKeepsTheMonthlyRule(t *testing.T) {
	doc := strings.Replace(strings.Replace(string(defaultScheme), `"version": 3`, `"version": 2`, 1), `"annual": "hj663"`, `"min_months": 1`, 1)
	s, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 2 || s.County.AirQuality.Annual != "" || s.County.AirQuality.MinMonths != 1 {
		t.Fatalf("parsed %+v", s.County.AirQuality)
	}
	values, _ := hongshanDays()
	s.Deductions.MissedReport.Points = 0
	got := cardOf(t, compute(t, Input{Units: []Unit{hongshan}, Indicators: values, Targets: planTargets()}, s, KindCounty), hongshan)
	if got.Total.String() != "85.95" {
		t.Fatalf("total %s under v2", got.Total)
	}
}
