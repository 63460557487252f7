package scoring

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

// The plan's targets (二、主要目标): city-wide, and the counties' own for
// 宁城县 and 元宝山区, which replace the city's for those metrics.
func planTargets() []domain.PlanTarget {
	by := date(2025, 12, 31)
	return []domain.PlanTarget{
		{Metric: "pm25", Comparator: domain.AtMost, Value: 25, By: by, Text: "PM2.5浓度控制在25μg/m3及以下"},
		{Metric: "good_day_ratio", Comparator: domain.AtLeast, Value: 94.5, By: by, Text: "优良天数比率达到94.5%以上"},
		{Metric: "heavy_pollution_days", Comparator: domain.AtMost, Value: 0, By: by, Text: "不出现重度及以上污染天气"},
		{Metric: "nox_emissions", Comparator: domain.ReduceByPercent, Value: 10, BaselineYear: 2020, By: by},
		{Unit: ningcheng.ID, Metric: "pm25", Comparator: domain.ReduceByPercent, Value: 26.8, BaselineYear: 2020, By: by},
		{Unit: ningcheng.ID, Metric: "good_day_ratio", Comparator: domain.AtLeast, Value: 87.0, By: by},
		{Unit: yuanbao.ID, Metric: "pm25", Comparator: domain.ReduceByPercent, Value: 26.8, BaselineYear: 2020, By: by},
		{Unit: yuanbao.ID, Metric: "good_day_ratio", Comparator: domain.AtLeast, Value: 91.9, By: by},
	}
}

// measured returns monthly values of a metric from January on, each at
// its own log position, and their event IDs.
func measured(u Unit, m domain.Metric, pos uint64, values ...float64) ([]IndicatorValue, []uuid.UUID) {
	var out []IndicatorValue
	var evs []uuid.UUID
	for i, v := range values {
		ym, _ := domain.NewYearMonth(2025, time.Month(i+1))
		id := domain.DeriveEventID(fmt.Sprintf("%s/%s/%s/%d", u.ID, m, ym, pos), 0)
		out = append(out, IndicatorValue{Unit: u.ID, Metric: m, Period: ym, Value: v, EventID: id, Position: pos + uint64(i)})
		evs = append(evs, id)
	}
	return out, evs
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// clean gives a county a year of air that meets the city targets.
func clean(u Unit) []IndicatorValue {
	a, _ := measured(u, domain.MetricPM25, 1000, repeat(20, 12)...)
	b, _ := measured(u, domain.MetricGoodDayRatio, 2000, repeat(96, 12)...)
	c, _ := measured(u, domain.MetricHeavyPollutionDays, 3000, repeat(0, 12)...)
	return append(append(a, b...), c...)
}

func airMet() []want {
	return []want{{"county.air.pm25", "20", nil}, {"county.air.good_day_ratio", "10", nil}, {"county.air.heavy_pollution_days", "10", nil}}
}

func delivery60() want {
	return want{rule: "county.delivery.base", points: "60", events: []uuid.UUID{}}
}

// Delivery deductions are counted out of 100 and scaled to 60 points.
func TestCountyDeliveryScaling(t *testing.T) {
	b := newOb(t, hongshan.ID, 12, domain.RoleImplementing)
	b.assign(cst(2025, 1, 2, 9, 0))
	b.milestone(cst(2025, 1, 2, 9, 0), "m", "完成燃煤锅炉淘汰", date(2025, 6, 30))
	slip := b.slip(cst(2025, 7, 1, 0, 5), "m")
	b.complete(cst(2025, 7, 10, 9, 0), "m")
	// A bureau-side LEAD duty of the county is not on its card.
	lead := newOb(t, hongshan.ID, 13, domain.RoleLead)
	lead.assign(cst(2025, 1, 2, 9, 0))
	lead.milestone(cst(2025, 1, 2, 9, 0), "m", "建成", date(2025, 6, 30))
	lead.slip(cst(2025, 7, 1, 0, 5), "m")
	in := Input{Units: []Unit{hongshan, transport}, Obligations: []*domain.Obligation{b.o, lead.o}, Indicators: clean(hongshan), Targets: planTargets()}
	r := compute(t, in, quiet(), KindCounty)
	if len(r.Cards) != 1 {
		t.Fatalf("%d county cards, want 1", len(r.Cards))
	}
	c := cardOf(t, r, hongshan)
	checkCard(t, c, "97", append([]want{delivery60(), {"county.delivery.slip.implementing", "-3", ids(slip)}}, airMet()...)...)
	if !strings.Contains(c.Lines[1].EN, "scaled by 60/100: -3") {
		t.Fatalf("line: %s", c.Lines[1].EN)
	}

	// Another scale: weight 50 out of 30 scales −5 to −8.33 and −2 to −3.33.
	s := quiet()
	s.County.Delivery.Weight, s.County.Delivery.OutOf = Whole(50), Whole(30)
	f := b.finding(cst(2025, 3, 1, 9, 0), domain.FindingOther, "整改", date(2025, 4, 30))
	c = cardOf(t, compute(t, in, s, KindCounty), hongshan)
	checkCard(t, c, "78.34", append([]want{{"county.delivery.base", "50", nil}, {"county.delivery.slip.implementing", "-8.33", ids(slip)},
		{"county.delivery.rectification.overdue", "-3.33", ids(f)}}, airMet()...)...)
}

// Task delivery does not fall below 0; air quality still counts.
func TestCountyDeliveryFloor(t *testing.T) {
	b := newOb(t, hongshan.ID, 12, domain.RoleImplementing)
	b.assign(cst(2025, 1, 2, 9, 0))
	lines := []want{delivery60()}
	for i := 0; i < 6; i++ {
		f := b.finding(cst(2025, 5, 1+i, 9, 0), domain.FindingFalseReport, "虚报", domain.Date{})
		lines = append(lines, want{"county.delivery.false_report", "-12", ids(f)})
	}
	lines = append(lines, want{"county.delivery.floor", "12", nil})
	c := cardOf(t, compute(t, Input{Units: []Unit{hongshan}, Obligations: []*domain.Obligation{b.o}, Indicators: clean(hongshan), Targets: planTargets()}, quiet(), KindCounty), hongshan)
	checkCard(t, c, "40", append(lines, airMet()...)...)
	// 40 earns 不合格 anyway: the cap did not lower it.
	if c.Grade != "不合格" || c.GradeCapped {
		t.Fatalf("grade %s capped %v", c.Grade, c.GradeCapped)
	}
}

// City targets with partial credit, under the monthly rule: PM2.5 26 (the
// mean of six months at 24 and six at 28; 1 over 25: 16/20), good days
// 93.5% (1 short of 94.5: 8/10), 2 heavy days (6/10).
func TestCountyAirQualityCityTargets(t *testing.T) {
	pm, pmIDs := measured(hongshan, domain.MetricPM25, 100, append(repeat(24, 6), repeat(28, 6)...)...)
	gd, gdIDs := measured(hongshan, domain.MetricGoodDayRatio, 200, repeat(93.5, 12)...)
	hd, hdIDs := measured(hongshan, domain.MetricHeavyPollutionDays, 300, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	in := Input{Units: []Unit{hongshan}, Indicators: append(append(pm, gd...), hd...), Targets: planTargets()}
	c := cardOf(t, compute(t, in, monthly(), KindCounty), hongshan)
	checkCard(t, c, "90", delivery60(),
		want{"county.air.pm25", "16", pmIDs}, want{"county.air.good_day_ratio", "8", gdIDs}, want{"county.air.heavy_pollution_days", "6", hdIDs})
	if l := c.Lines[1]; !strings.Contains(l.ZH, "26μg/m³") || !strings.Contains(l.EN, "missed by 1μg/m³") || !strings.Contains(l.EN, "city-wide") {
		t.Fatalf("pm25 line: %s / %s", l.ZH, l.EN)
	}
	if c.Grade != "优秀" {
		t.Fatalf("grade %s", c.Grade)
	}
}

// 宁城县 and 元宝山区 are held to their own targets: PM2.5 −26.8% vs 2020
// and good days ≥ 87.0% / ≥ 91.9%; the city's "no heavy-pollution days"
// still applies.
func TestCountyAirQualityOwnTargets(t *testing.T) {
	ncBase := domain.DeriveEventID("baseline/ningcheng", 0)
	ybBase := domain.DeriveEventID("baseline/yuanbaoshan", 0)
	ncPM, ncPMIDs := measured(ningcheng, domain.MetricPM25, 100, repeat(29, 12)...) // ≤ 40 × 0.732 = 29.28: met
	ncGD, ncGDIDs := measured(ningcheng, domain.MetricGoodDayRatio, 200, repeat(88, 12)...)
	ncHD, _ := measured(ningcheng, domain.MetricHeavyPollutionDays, 300, repeat(0, 12)...)
	ybPM, ybPMIDs := measured(yuanbao, domain.MetricPM25, 400, repeat(27.62, 12)...) // 35 × 0.732 = 25.62: 2 over, 12/20
	ybGD, ybGDIDs := measured(yuanbao, domain.MetricGoodDayRatio, 500, repeat(90.9, 12)...)
	ybHD, _ := measured(yuanbao, domain.MetricHeavyPollutionDays, 600, repeat(0, 12)...)
	var values []IndicatorValue
	for _, v := range [][]IndicatorValue{ncPM, ncGD, ncHD, ybPM, ybGD, ybHD} {
		values = append(values, v...)
	}
	in := Input{
		Units:      []Unit{ningcheng, yuanbao},
		Indicators: values,
		Targets:    planTargets(),
		Baselines: []Baseline{
			{Unit: ningcheng.ID, Metric: domain.MetricPM25, Year: 2020, Value: 40, Source: "2020年环境质量公报", EventID: ncBase},
			{Unit: yuanbao.ID, Metric: domain.MetricPM25, Year: 2020, Value: 35, EventID: ybBase},
		},
	}
	r := compute(t, in, quiet(), KindCounty)
	nc := cardOf(t, r, ningcheng)
	checkCard(t, nc, "100", delivery60(),
		want{"county.air.pm25", "20", append(ncPMIDs, ncBase)}, want{"county.air.good_day_ratio", "10", ncGDIDs}, want{"county.air.heavy_pollution_days", "10", nil})
	if l := nc.Lines[1]; !strings.Contains(l.ZH, "比2020年（40μg/m³，2020年环境质量公报）下降26.8%，即≤29.28μg/m³") || !strings.Contains(l.EN, "the county's own target") {
		t.Fatalf("ningcheng pm25 line: %s / %s", l.ZH, l.EN)
	}
	yb := cardOf(t, r, yuanbao)
	checkCard(t, yb, "90", delivery60(),
		want{"county.air.pm25", "12", append(ybPMIDs, ybBase)}, want{"county.air.good_day_ratio", "8", ybGDIDs}, want{"county.air.heavy_pollution_days", "10", nil})
	if r.Cards[0].Unit != ningcheng.ID || r.Cards[1].Unit != yuanbao.ID {
		t.Fatalf("ranking %s, %s", r.Cards[0].Unit, r.Cards[1].Unit)
	}

	// Held to the city targets instead, 宁城县 would miss PM2.5 by 4 and
	// good days by 6.5: the county targets did replace them.
	var city []domain.PlanTarget
	for _, tg := range planTargets() {
		if tg.Unit == "" {
			city = append(city, tg)
		}
	}
	in.Targets = city
	checkCard(t, cardOf(t, compute(t, in, quiet(), KindCounty), ningcheng), "74", delivery60(),
		want{"county.air.pm25", "4", ncPMIDs}, want{"county.air.good_day_ratio", "0", ncGDIDs}, want{"county.air.heavy_pollution_days", "10", nil})
}

// Without the 2020 baseline a reduce_by_pct target cannot be assessed:
// the line says so and awards 0, never full marks.
func TestCountyMissingBaseline(t *testing.T) {
	pm, _ := measured(ningcheng, domain.MetricPM25, 100, repeat(10, 12)...)
	gd, _ := measured(ningcheng, domain.MetricGoodDayRatio, 200, repeat(99, 12)...)
	hd, _ := measured(ningcheng, domain.MetricHeavyPollutionDays, 300, repeat(0, 12)...)
	in := Input{Units: []Unit{ningcheng}, Indicators: append(append(pm, gd...), hd...), Targets: planTargets(),
		Baselines: []Baseline{{Unit: ningcheng.ID, Metric: domain.MetricPM25, Year: 2015, Value: 60}}}
	c := cardOf(t, compute(t, in, quiet(), KindCounty), ningcheng)
	checkCard(t, c, "80", delivery60(), want{"county.air.pm25", "0", nil}, want{"county.air.good_day_ratio", "10", nil}, want{"county.air.heavy_pollution_days", "10", nil})
	if l := c.Lines[1]; !strings.Contains(l.EN, "2020 baseline is missing") || !strings.Contains(l.ZH, "缺少2020年基准值") {
		t.Fatalf("line: %s / %s", l.ZH, l.EN)
	}
}

// Under the monthly rule: missing months are named; the annual value is
// over the months measured; the latest revision of a month wins; too few
// months score 0; a metric the plan sets no target for scores 0.
func TestCountyMonths(t *testing.T) {
	pm, pmIDs := measured(hongshan, domain.MetricPM25, 100, repeat(20, 10)...) // January–October
	first := IndicatorValue{Unit: hongshan.ID, Metric: domain.MetricPM25, Period: pm[0].Period, Value: 80, EventID: domain.DeriveEventID("first", 0), Position: 1}
	gd, gdIDs := measured(hongshan, domain.MetricGoodDayRatio, 200, repeat(96, 12)...)
	// The March good-day ratio, first 90, is revised to 96 later.
	gd[2].Position = 5000
	early := IndicatorValue{Unit: hongshan.ID, Metric: domain.MetricGoodDayRatio, Period: gd[2].Period, Value: 90, EventID: domain.DeriveEventID("early", 0), Position: 2}
	other := IndicatorValue{Unit: hongshan.ID, Metric: domain.MetricPM25, Period: domain.YearMonth{}, Value: 99, EventID: domain.DeriveEventID("other-year", 0), Position: 3}
	other.Period, _ = domain.NewYearMonth(2024, time.December)
	var targets []domain.PlanTarget
	for _, tg := range planTargets() {
		if tg.Metric != "heavy_pollution_days" {
			targets = append(targets, tg)
		}
	}
	in := Input{Units: []Unit{hongshan}, Indicators: append(append([]IndicatorValue{early, first, other}, gd...), pm...), Targets: targets}
	c := cardOf(t, compute(t, in, monthly(), KindCounty), hongshan)
	checkCard(t, c, "90", delivery60(), want{"county.air.pm25", "20", pmIDs}, want{"county.air.good_day_ratio", "10", gdIDs},
		want{"county.air.heavy_pollution_days", "0", nil})
	if l := c.Lines[1]; !strings.Contains(l.ZH, "缺少月份：2025-11、2025-12") || !strings.Contains(l.EN, "mean of 10 month(s)") {
		t.Fatalf("pm25 line: %s / %s", l.ZH, l.EN)
	}
	if l := c.Lines[3]; !strings.Contains(l.EN, "sets no target") {
		t.Fatalf("heavy line: %s", l.EN)
	}

	s := monthly()
	s.County.AirQuality.MinMonths = 11
	c = cardOf(t, compute(t, in, s, KindCounty), hongshan)
	if l := c.Lines[1]; l.Points != 0 || !strings.Contains(l.EN, "only 10 month(s) measured, at least 11 needed") {
		t.Fatalf("pm25 line with min 11 months: %s %s", l.Points, l.EN)
	}

	// As of 15 March only January and February have ended.
	in.AsOf = cst(2025, 3, 15, 0, 0)
	c = cardOf(t, compute(t, in, monthly(), KindCounty), hongshan)
	if l := c.Lines[1]; l.Points != Whole(20) || len(l.Events) != 2 || strings.Contains(l.EN, "missing") {
		t.Fatalf("pm25 line as of 15 March: %s %v %s", l.Points, l.Events, l.EN)
	}
	in.AsOf = cst(2025, 1, 20, 0, 0)
	c = cardOf(t, compute(t, in, monthly(), KindCounty), hongshan)
	if l := c.Lines[1]; l.Points != 0 || !strings.Contains(l.EN, "no month of 2025 had ended") {
		t.Fatalf("pm25 line as of 20 January: %s %s", l.Points, l.EN)
	}
}

func TestCountyAmbiguousInputs(t *testing.T) {
	two := append(planTargets(), domain.PlanTarget{Metric: "pm25", Comparator: domain.AtMost, Value: 30, By: date(2025, 12, 31)})
	if _, err := Compute(Input{Year: 2025, AsOf: endOf2025, Units: []Unit{hongshan}, Targets: two}, quiet(), KindCounty); err == nil || !strings.Contains(err.Error(), "two pm25 targets") {
		t.Fatalf("two targets: %v", err)
	}
	// A later-dated target is used only when none is due sooner.
	later := append(planTargets(), domain.PlanTarget{Metric: "pm25", Comparator: domain.AtMost, Value: 22, By: date(2030, 12, 31)})
	c := cardOf(t, compute(t, Input{Units: []Unit{hongshan}, Indicators: clean(hongshan), Targets: later}, quiet(), KindCounty), hongshan)
	if !strings.Contains(c.Lines[1].EN, "at most 25") {
		t.Fatalf("line: %s", c.Lines[1].EN)
	}
	v := clean(hongshan)
	dup := v[0]
	dup.EventID, dup.Value = domain.DeriveEventID("dup", 0), 50
	if _, err := Compute(Input{Year: 2025, AsOf: endOf2025, Units: []Unit{hongshan}, Indicators: append(v, dup), Targets: planTargets()}, quiet(), KindCounty); err == nil {
		t.Fatal("two measurements at one position: no error")
	}
	bl := []Baseline{{Unit: ningcheng.ID, Metric: domain.MetricPM25, Year: 2020, Value: 40}, {Unit: ningcheng.ID, Metric: domain.MetricPM25, Year: 2020, Value: 41}}
	if _, err := Compute(Input{Year: 2025, AsOf: endOf2025, Units: []Unit{ningcheng}, Targets: planTargets(), Baselines: bl}, quiet(), KindCounty); err == nil {
		t.Fatal("two baselines: no error")
	}
}
