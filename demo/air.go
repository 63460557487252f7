package demo

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"taskledger/domain"
)

// worseCounties are the counties the Chifeng plan holds to separate, weaker
// air-quality targets (宁城县 and 元宝山区): their simulated air is a bit
// worse. Matched by unit ID or name.
func worseCounty(u domain.Unit) bool {
	switch u.ID {
	case "county.ningcheng", "county.yuanbaoshan":
		return true
	}
	return strings.Contains(u.Name, "宁城") || strings.Contains(u.Name, "元宝山")
}

// seasonalPM25 is a city-wide monthly PM2.5 baseline in μg/m³ for a northern
// city: worst in the heating season (mid-October to mid-April), spring dust
// in March and April, cleanest in summer. Its yearly mean is about 26.
func seasonalPM25(m time.Month) float64 {
	return [12]float64{38, 35, 31, 29, 23, 17, 15, 14, 17, 23, 31, 37}[m-1]
}

// airMonth is one county's simulated month.
type airMonth struct {
	pm25, goodDayRatio, heavyDays float64
}

// value returns the figure for a metric.
func (a airMonth) value(m domain.Metric) float64 {
	switch m {
	case domain.MetricPM25:
		return a.pm25
	case domain.MetricGoodDayRatio:
		return a.goodDayRatio
	}
	return a.heavyDays
}

// metrics lists the recorded metrics in recording order.
func metrics() []domain.Metric {
	return []domain.Metric{domain.MetricPM25, domain.MetricGoodDayRatio, domain.MetricHeavyPollutionDays}
}

// airYear simulates a county's twelve months.
func (r *runner) airYear(u domain.Unit) [12]airMonth {
	rng := r.rng("air:" + string(u.ID))
	var factor float64
	switch {
	case worseCounty(u):
		factor = 1.22 + 0.08*rng.Float64()
	case strings.HasSuffix(u.Name, "区"): // urban districts
		factor = 0.98 + 0.08*rng.Float64()
	default: // banners and counties, mostly rural and pastoral
		factor = 0.78 + 0.17*rng.Float64()
	}
	var out [12]airMonth
	for i := range out {
		m := time.Month(i + 1)
		days := float64(domain.MustDate(r.opts.Year, m, 1).LastOfMonth().Day())
		noise := math.Max(-0.15, math.Min(0.15, rng.NormFloat64()*0.07))
		pm := math.Max(5, math.Round(seasonalPM25(m)*factor*(1+noise)))
		ratio := 100 - 0.6*math.Max(0, pm-12) + rng.NormFloat64()*1.5
		if m >= time.March && m <= time.May {
			ratio -= 4 * rng.Float64() // dust
		}
		ratio = math.Max(45, math.Min(100, ratio))
		good := math.Round(days * ratio / 100)
		heavy := 0.0
		if pm >= 30 {
			heavy = math.Max(0, math.Round((pm-28)/9+rng.NormFloat64()*0.8))
		}
		if (m == time.March || m == time.April) && rng.Float64() < 0.25 {
			heavy++ // a sandstorm
		}
		heavy = math.Min(heavy, days-good)
		out[i] = airMonth{pm25: pm, goodDayRatio: math.Round(good/days*1000) / 10, heavyDays: heavy}
	}
	return out
}

// planIndicators schedules the monthly monitoring bulletins (early the next
// month) for the counties holding the plan's obligations, and restatements
// of two months.
func (r *runner) planIndicators(active []domain.Obligation, setup *rand.Rand) {
	holds := map[domain.UnitID]bool{}
	for _, ob := range active {
		holds[ob.Key.Unit] = true
	}
	var counties, all []domain.Unit
	for _, u := range r.views.Catalog.Units() { // ordered by ID
		if u.Kind != domain.KindCounty || u.MergedInto != "" {
			continue
		}
		all = append(all, u)
		if holds[u.ID] {
			counties = append(counties, u)
		}
	}
	if len(counties) == 0 {
		counties = all
	}
	if len(counties) == 0 {
		return
	}
	sort.Slice(counties, func(i, j int) bool { return counties[i].ID < counties[j].ID })
	years := make([][12]airMonth, len(counties))
	for i, c := range counties {
		years[i] = r.airYear(c)
	}
	var bulletins [12]time.Time
	for i := range bulletins {
		first := domain.MustDate(r.opts.Year, time.Month(i+1), 1).LastOfMonth().AddDays(1)
		bulletins[i] = first.AddDays(u(setup, 3, 7)).StartOf().Add(9*time.Hour + 30*time.Minute)
		period, _ := domain.NewYearMonth(r.opts.Year, time.Month(i+1))
		month := i
		r.schedule(bulletins[i], func(at time.Time) error {
			for ci, c := range counties {
				for _, m := range metrics() {
					if err := r.indicator(at, c.ID, m, period, years[ci][month].value(m), false); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	r.planBaselines(counties, years, setup)
	// Restatements: a month's PM2.5 corrected with the bulletin after next.
	seen := map[[2]int]bool{}
	for k := 0; k < 2; k++ {
		ci, month := setup.IntN(len(counties)), setup.IntN(9)
		if seen[[2]int{ci, month}] {
			continue
		}
		seen[[2]int{ci, month}] = true
		orig := years[ci][month].pm25
		revised := orig + float64(u(setup, 1, 3))
		if setup.IntN(2) == 0 && orig > 4 {
			revised = orig - float64(u(setup, 1, 3))
		}
		period, _ := domain.NewYearMonth(r.opts.Year, time.Month(month+1))
		id := counties[ci].ID
		r.schedule(bulletins[month+1].Add(2*time.Hour), func(at time.Time) error {
			return r.indicator(at, id, domain.MetricPM25, period, revised, true)
		})
	}
}

// indicator records one county indicator, unless the value is already on
// record or the unit cannot take it.
func (r *runner) indicator(at time.Time, id domain.UnitID, m domain.Metric, period domain.YearMonth, v float64, revision bool) error {
	unit, ok := r.views.Catalog.Unit(id)
	if !ok || unit.MergedInto != "" || unit.Kind != domain.KindCounty {
		return nil
	}
	prev, seen := unit.Indicators[domain.IndicatorKey{Metric: m, Period: period}]
	if (seen && prev == v) || (revision && !seen) {
		return nil
	}
	now := r.now(at)
	return r.record(domain.UnitStream(id), step{
		domain.RecordIndicator{Unit: id, Metric: m, Period: period, Value: v, Source: r.text.source(revision)},
		r.meta("monitoring", now, now),
	})
}

// planBaselines records, early in the year, the baseline-year months that
// the plan's "−x% vs 20xx" county targets are measured against, simulated
// so that the counties end the year near their targets, some above and some
// below.
func (r *runner) planBaselines(counties []domain.Unit, years [][12]airMonth, setup *rand.Rand) {
	plan, ok := r.views.Catalog.Plan(r.opts.Plan)
	if !ok {
		return
	}
	at := r.date(time.January, 6).StartOf().Add(10 * time.Hour)
	for _, t := range plan.Targets {
		if t.Comparator != domain.ReduceByPercent || t.Unit == "" || t.BaselineYear >= r.opts.Year || t.Value <= 0 || t.Value >= 100 {
			continue
		}
		ci := -1
		for i, c := range counties {
			if c.ID == t.Unit {
				ci = i
			}
		}
		metric := domain.Metric(t.Metric)
		if ci < 0 || metric.Validate() != nil {
			continue
		}
		// The year's values are (1 − Value%) of the baseline, give or take
		// a few percent either way.
		scale := (1 + (setup.Float64()*0.08 - 0.04)) / (1 - t.Value/100)
		id, year, months := counties[ci].ID, t.BaselineYear, years[ci]
		r.schedule(at, func(at time.Time) error {
			for i := range months {
				period, err := domain.NewYearMonth(year, time.Month(i+1))
				if err != nil {
					return err
				}
				v := math.Round(months[i].value(metric) * scale)
				if err := r.indicator(at, id, metric, period, v, false); err != nil {
					return err
				}
			}
			return nil
		})
	}
}
