package projections_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// The city's figures come from the city unit's own records, never from
// the counties; county figures are each county's own; NOx reductions are
// summed from the year after the baseline and compared with 10% of the
// baseline year's emissions.
func TestAirQualityViewCityBesideCounties(t *testing.T) {
	s := memory.New()
	b := ledgertest.New(t, s, ledgertest.Shanghai(2025, time.January, 2, 9))
	const plan = domain.PlanID("air")
	city := domain.CityUnit(plan)
	b.Do(domain.RegisterPlan{Plan: plan, Title: "空气质量方案", Targets: []domain.PlanTarget{
		{Metric: "nox_emissions", Comparator: domain.ReduceByPercent, Value: 10, BaselineYear: 2020},
	}}, "office")
	b.Do(domain.RegisterUnit{Unit: city, Kind: domain.KindCity, Name: "赤峰市"}, "office")
	b.Do(domain.RegisterUnit{Unit: "county.a", Kind: domain.KindCounty, Name: "甲县"}, "office")
	b.Do(domain.RegisterUnit{Unit: "county.b", Kind: domain.KindCounty, Name: "乙县"}, "office")
	b.At(ledgertest.Shanghai(2025, time.March, 3, 9))
	jan, _ := domain.NewYearMonth(2025, time.January)
	feb, _ := domain.NewYearMonth(2025, time.February)
	rec := func(u domain.UnitID, m domain.Metric, ym domain.YearMonth, v float64, valid, good int) {
		b.Do(domain.RecordIndicator{Unit: u, Metric: m, Period: ym, Value: v, ValidDays: valid, GoodDays: good}, "monitoring")
	}
	// City: 28 over 31 days, 22 over 28 → (868 + 616)/59 = 1484/59.
	rec(city, domain.MetricPM25, jan, 28, 31, 0)
	rec(city, domain.MetricPM25, feb, 22, 28, 0)
	rec(city, domain.MetricGoodDayRatio, jan, 0, 31, 25)
	rec(city, domain.MetricGoodDayRatio, feb, 0, 28, 26)
	// County A: 40 and 10; county B records too few days in February.
	rec("county.a", domain.MetricPM25, jan, 40, 31, 0)
	rec("county.a", domain.MetricPM25, feb, 10, 28, 0)
	rec("county.b", domain.MetricPM25, jan, 30, 31, 0)
	rec("county.b", domain.MetricPM25, feb, 30, 20, 0)
	// NOx: 2020 emissions 12,000 t; reductions 500 t in 2021 and 400 t in 2025.
	for _, r := range []struct {
		y int
		m domain.Metric
		v float64
	}{{2020, domain.MetricNOxEmissions, 12000}, {2021, domain.MetricNOxReduction, 500}, {2025, domain.MetricNOxReduction, 400}} {
		ym, _ := domain.NewYearMonth(r.y, time.December)
		if r.y == 2025 {
			ym = jan
		}
		rec(city, r.m, ym, r.v, 0, 0)
	}
	v, err := projections.BuildAt(context.Background(), s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := v.AirQuality(plan, 2025, time.February)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Unit != city || rows[1].Unit != "county.a" || rows[2].Unit != "county.b" {
		t.Fatalf("rows %+v", rows)
	}
	pm := rows[0].Figures[0]
	if !pm.Assessable || pm.Value.Cmp(big.NewRat(1484, 59)) != 0 || pm.ValidDays != 59 {
		t.Fatalf("city pm25 %+v", pm)
	}
	if gd := rows[0].Figures[1]; !gd.Assessable || gd.Value.Cmp(big.NewRat(5100, 59)) != 0 {
		t.Fatalf("city good-day ratio %+v", gd)
	}
	if a := rows[1].Figures[0]; a.Value.Cmp(big.NewRat(31*40+28*10, 59)) != 0 {
		t.Fatalf("county a pm25 %+v", a)
	}
	if bb := rows[2].Figures[0]; bb.Assessable || len(bb.ShortMonths) != 1 || bb.ShortMonths[0] != "2025-02" {
		t.Fatalf("county b pm25 %+v", bb)
	}
	nox := rows[0].Emissions[0]
	if nox.Pollutant != "nox" || nox.Status != projections.EmissionNotMet || nox.Required.Cmp(big.NewRat(1200, 1)) != 0 ||
		nox.ReducedSince.Cmp(big.NewRat(900, 1)) != 0 || nox.Reduced.Value.Cmp(big.NewRat(400, 1)) != 0 {
		t.Fatalf("city nox %+v", nox)
	}
	// County A falls under the plan-wide target but has no 2020 emissions.
	if st := rows[1].Emissions[0].Status; st != projections.EmissionNoBaseline {
		t.Fatalf("county a nox status %s", st)
	}
	if st := rows[0].Emissions[1].Status; st != projections.EmissionNoTarget {
		t.Fatalf("vocs status %s", st)
	}
	if _, err := v.AirQuality("nope", 2025, time.February); err == nil {
		t.Fatal("unknown plan: no error")
	}

	// The city unit holds figures but no card: counties are scored on
	// their own figures, as of 1 March over January and February.
	res, err := v.Scorecards(plan, 2025, scoring.KindCounty, "", 0, ledgertest.Shanghai(2025, time.March, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cards) != 2 || res.SchemeVersion != 3 {
		t.Fatalf("%d county cards under v%d", len(res.Cards), res.SchemeVersion)
	}
	for _, c := range res.Cards {
		if c.Unit == city {
			t.Fatal("the city unit got a county card")
		}
	}
}
