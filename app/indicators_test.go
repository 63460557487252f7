package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/domain"
)

// Bad indicator input gets a clear error, in English and Chinese, and
// records nothing.
func TestIndicatorInputRefused(t *testing.T) {
	f := imported(t) // registered 2025-03-10
	f.now = time.Date(2025, 8, 20, 10, 0, 0, 0, shanghai)
	ctx := context.Background()
	before := f.head()
	cases := []struct {
		name string
		in   app.IndicatorInput
		want string // in the Chinese message
	}{
		{"negative concentration", app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2025-07", Value: -3, ValidDays: 31}, "负数"},
		{"good days over valid days", app.IndicatorInput{Unit: "宁城县", Metric: "good_day_ratio", Period: "2025-07", ValidDays: 20, GoodDays: 21}, "优良天数 21 天多于有效天数 20 天"},
		{"valid days over the days of the month", app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2025-06", Value: 20, ValidDays: 31}, "超过了2025-06的 30 天"},
		{"valid days over the days so far", app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2025-08", Value: 20, ValidDays: 21}, "截至今天"},
		{"no valid days", app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2025-07", Value: 20}, "有效天数"},
		{"a day in the future", app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2025-08-21", Value: 20, ValidDays: 1}, "还没有到"},
		{"a day that does not exist", app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2025-02-30", Value: 20, ValidDays: 1}, "不存在"},
		{"two valid days in a day", app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2025-08-01", Value: 20, ValidDays: 2}, "超过了2025-08-01"},
		{"a bare good-day ratio", app.IndicatorInput{Unit: "宁城县", Metric: "good_day_ratio", Period: "2025-07", Value: 90, ValidDays: 31}, "不直接录入比例"},
		{"heavy days over valid days", app.IndicatorInput{Unit: "宁城县", Metric: "heavy_pollution_days", Period: "2025-07", Value: 5, ValidDays: 4}, "多于有效天数"},
		{"tonnes with valid days", app.IndicatorInput{Unit: "全市", Metric: "nox_reduction", Period: "2025-07", Value: 5, ValidDays: 4}, "以吨计"},
		{"unknown metric", app.IndicatorInput{Unit: "宁城县", Metric: "so2", Period: "2025-07", Value: 5, ValidDays: 4}, "不是以下之一"},
		{"a bad period", app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2025/07", Value: 5, ValidDays: 4}, "既不是月份"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.IdempotencyKey = "bad-" + string(rune('a'+i))
			_, err := f.svc.RecordIndicator(ctx, operator, c.in)
			f.refused(err, app.InvalidArgument, before)
			var ae *app.Error
			if !errors.As(err, &ae) || !strings.Contains(ae.Chinese(), c.want) {
				t.Fatalf("error %v (zh %q) does not say %q", err, ae.Chinese(), c.want)
			}
		})
	}
	if _, ok := f.views.Views().Catalog.Unit(domain.CityUnit("chifeng-air")); ok {
		t.Fatal("a refused city figure registered the city unit")
	}
}

// A county's monthly and daily values keep their day counts; the first
// city-wide figure registers the plan's city unit, named after nothing but
// 全市 when the plan has no issuer, and later ones reuse it.
func TestIndicatorsWithDaysAndCityFigures(t *testing.T) {
	f := imported(t)
	f.now = time.Date(2025, 8, 20, 10, 0, 0, 0, shanghai)
	ctx := context.Background()
	inputs := []app.IndicatorInput{
		{Unit: "宁城县", Metric: "good_day_ratio", Period: "2025-07", ValidDays: 30, GoodDays: 27, IdempotencyKey: "a"},
		{Unit: "宁城县", Metric: "pm25", Period: "2025-08-19", Value: 41, ValidDays: 1, IdempotencyKey: "b"},
		{Unit: "全市", Metric: "pm25", Period: "2025-07", Value: 18, ValidDays: 31, IdempotencyKey: "c"},
		{Unit: "city", Metric: "nox_reduction", Period: "2025-06", Value: 320.5, IdempotencyKey: "d"},
	}
	for _, in := range inputs {
		if _, err := f.svc.RecordIndicator(ctx, operator, in); err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
	}
	f.sync()
	v := f.views.Views()
	city, ok := v.Catalog.Unit(domain.CityUnit("chifeng-air"))
	if !ok || city.Kind != domain.KindCity || city.Name != "全市" {
		t.Fatalf("city unit %+v", city)
	}
	got := v.Indicators.Year("", 2025)
	if len(got) != 4 {
		t.Fatalf("%d measurements: %+v", len(got), got)
	}
	byUnit := map[domain.UnitID]int{}
	for _, m := range got {
		byUnit[m.Unit]++
		switch {
		case m.Metric == domain.MetricGoodDayRatio && (m.ValidDays != 30 || m.GoodDays != 27 || m.Value != 90):
			t.Errorf("good-day ratio %+v", m)
		case m.Metric == domain.MetricPM25 && m.Unit == "county.ningcheng" && m.Day != domain.MustDate(2025, 8, 19):
			t.Errorf("daily pm25 %+v", m)
		}
	}
	if byUnit["county.ningcheng"] != 2 || byUnit[city.ID] != 2 {
		t.Fatalf("per unit %v", byUnit)
	}
	// The same key again is a duplicate; the city is not registered twice.
	res, err := f.svc.RecordIndicator(ctx, operator, inputs[2])
	if err != nil || !res.Duplicate {
		t.Fatalf("replay: %+v %v", res, err)
	}
}
