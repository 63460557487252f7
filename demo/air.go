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

// airMonth is one county's (or the city's) simulated month: its valid
// monitoring days, the mean PM2.5 over them, the good days among them and
// the heavily polluted days.
type airMonth struct {
	validDays, goodDays int
	pm25, heavyDays     float64
}

// value returns the figure for a metric (0 for the good-day ratio, which
// is recorded as good and valid days).
func (a airMonth) value(m domain.Metric) float64 {
	switch m {
	case domain.MetricPM25:
		return a.pm25
	case domain.MetricHeavyPollutionDays:
		return a.heavyDays
	}
	return 0
}

// reading returns the command recording a metric of the month.
func (a airMonth) reading(id domain.UnitID, m domain.Metric, period domain.YearMonth) domain.RecordIndicator {
	c := domain.RecordIndicator{Unit: id, Metric: m, Period: period, Value: a.value(m), ValidDays: a.validDays}
	if m == domain.MetricGoodDayRatio {
		c.GoodDays = a.goodDays
	}
	return c
}

// metrics lists the recorded metrics in recording order.
func metrics() []domain.Metric {
	return []domain.Metric{domain.MetricPM25, domain.MetricGoodDayRatio, domain.MetricHeavyPollutionDays}
}

// airYear simulates a county's (or the city's) twelve months. A station
// loses a day or two of data now and then (maintenance, power cuts), so
// valid days fall a little short of the month's days, never below what
// HJ 663 needs.
func (r *runner) airYear(u domain.Unit) [12]airMonth {
	rng := r.rng("air:" + string(u.ID))
	var factor float64
	switch {
	case u.Kind == domain.KindCity: // the city's own stations, mostly urban
		factor = 0.92 + 0.06*rng.Float64()
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
		valid := domain.MustDate(r.opts.Year, m, 1).LastOfMonth().Day() - max(0, rng.IntN(6)-3)
		days := float64(valid)
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
		out[i] = airMonth{validDays: valid, goodDays: int(good), pm25: pm, heavyDays: heavy}
	}
	return out
}

// planIndicators schedules the monthly monitoring bulletins (early the next
// month) for the city as a whole and the counties holding the plan's
// obligations, the quarterly NOx and VOCs reductions, and restatements of
// two months.
func (r *runner) planIndicators(active []domain.Obligation, setup *rand.Rand) {
	counties := r.airCounties(active)
	if len(counties) == 0 {
		return
	}
	city := r.cityUnit()
	units := append([]domain.Unit{city}, counties...)
	years := make([][12]airMonth, len(units))
	for i, c := range units {
		years[i] = r.airYear(c)
	}
	// The city unit is registered before anything is recorded on it.
	r.schedule(r.date(time.January, 5).StartOf().Add(9*time.Hour), func(at time.Time) error { return r.registerCity(at, city) })
	var bulletins [12]time.Time
	for i := range bulletins {
		first := domain.MustDate(r.opts.Year, time.Month(i+1), 1).LastOfMonth().AddDays(1)
		bulletins[i] = first.AddDays(u(setup, 3, 7)).StartOf().Add(9*time.Hour + 30*time.Minute)
		period, _ := domain.NewYearMonth(r.opts.Year, time.Month(i+1))
		month := i
		r.schedule(bulletins[i], func(at time.Time) error {
			for ci, c := range units {
				for _, m := range metrics() {
					if err := r.indicator(at, years[ci][month].reading(c.ID, m, period), false); err != nil {
						return err
					}
				}
				if (month+1)%3 == 0 {
					if err := r.reductions(at, c, period); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	r.planBaselines(counties, years[1:], setup)
	r.planEmissionBaselines(city, setup)
	// Restatements: a month's PM2.5 corrected with the bulletin after next.
	seen := map[[2]int]bool{}
	for k := 0; k < 2; k++ {
		ci, month := 1+setup.IntN(len(counties)), setup.IntN(9)
		if seen[[2]int{ci, month}] {
			continue
		}
		seen[[2]int{ci, month}] = true
		orig := years[ci][month]
		revised := orig
		revised.pm25 = orig.pm25 + float64(u(setup, 1, 3))
		if setup.IntN(2) == 0 && orig.pm25 > 4 {
			revised.pm25 = orig.pm25 - float64(u(setup, 1, 3))
		}
		period, _ := domain.NewYearMonth(r.opts.Year, time.Month(month+1))
		id := units[ci].ID
		r.schedule(bulletins[month+1].Add(2*time.Hour), func(at time.Time) error {
			return r.indicator(at, revised.reading(id, domain.MetricPM25, period), true)
		})
	}
}

// airCounties returns the live counties holding the plan's obligations
// (every live county if none does), ordered by ID.
func (r *runner) airCounties(active []domain.Obligation) []domain.Unit {
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
	sort.Slice(counties, func(i, j int) bool { return counties[i].ID < counties[j].ID })
	return counties
}

// cityUnit is the plan's city unit (全市), named after the plan's issuer.
func (r *runner) cityUnit() domain.Unit {
	name := "全市"
	if p, ok := r.views.Catalog.Plan(r.opts.Plan); ok && strings.HasSuffix(p.Issuer, "人民政府") && p.Issuer != "人民政府" {
		name = strings.TrimSuffix(p.Issuer, "人民政府")
	}
	return domain.Unit{ID: domain.CityUnit(r.opts.Plan), Kind: domain.KindCity, Name: name}
}

// registerCity registers the city unit, unless the ledger has it.
func (r *runner) registerCity(at time.Time, city domain.Unit) error {
	if _, ok := r.views.Catalog.Unit(city.ID); ok {
		return nil
	}
	now := r.now(at)
	return r.record(domain.UnitStream(city.ID), step{
		domain.RegisterUnit{Unit: city.ID, Kind: domain.KindCity, Name: city.Name},
		r.meta("office", now, now),
	})
}

// reductions records a unit's NOx and VOCs reductions (tonnes) of the
// quarter ending with period: the city's own totals from its emission
// inventory, and each county's.
func (r *runner) reductions(at time.Time, unit domain.Unit, period domain.YearMonth) error {
	rng := r.rng("reduction:" + string(unit.ID) + ":" + period.String())
	scale := 1.0
	if unit.Kind == domain.KindCity {
		scale = 8
	}
	for _, m := range []struct {
		metric domain.Metric
		base   float64
	}{{domain.MetricNOxReduction, 40}, {domain.MetricVOCsReduction, 18}} {
		v := math.Round(m.base*scale*(0.6+0.8*rng.Float64())*10) / 10
		if err := r.indicator(at, domain.RecordIndicator{Unit: unit.ID, Metric: m.metric, Period: period, Value: v}, false); err != nil {
			return err
		}
	}
	return nil
}

// indicator records one indicator, unless the reading is already on record
// or the unit cannot take it.
func (r *runner) indicator(at time.Time, c domain.RecordIndicator, revision bool) error {
	unit, ok := r.views.Catalog.Unit(c.Unit)
	if !ok || unit.MergedInto != "" || (unit.Kind != domain.KindCounty && unit.Kind != domain.KindCity) {
		return nil
	}
	k := domain.IndicatorKey{Metric: c.Metric, Period: c.Period, Day: c.Day}
	prev, seen := unit.Readings[k]
	want := domain.Reading{Value: c.Value, ValidDays: c.ValidDays, GoodDays: c.GoodDays}
	if c.Metric == domain.MetricGoodDayRatio && c.ValidDays > 0 {
		want.Value = float64(c.GoodDays) * 100 / float64(c.ValidDays)
	}
	if (seen && prev == want) || (revision && !seen) {
		return nil
	}
	c.Source = r.text.source(revision)
	now := r.now(at)
	return r.record(domain.UnitStream(c.Unit), step{c, r.meta("monitoring", now, now)})
}

// planEmissionBaselines records, early in the year, the city's emissions
// in the baseline year of the plan's NOx and VOCs targets and its
// reductions in the years between, so the targets can be put in tonnes.
func (r *runner) planEmissionBaselines(city domain.Unit, setup *rand.Rand) {
	plan, ok := r.views.Catalog.Plan(r.opts.Plan)
	if !ok {
		return
	}
	at := r.date(time.January, 6).StartOf().Add(10*time.Hour + 30*time.Minute)
	for _, t := range plan.Targets {
		emissions, reduction, total := emissionMetrics(t.Metric)
		if t.Unit != "" || t.Comparator != domain.ReduceByPercent || total == 0 || t.BaselineYear >= r.opts.Year {
			continue
		}
		base := math.Round(total * (0.9 + 0.2*setup.Float64()))
		yearly := math.Round(base * t.Value / 100 / 5 * (0.7 + 0.3*setup.Float64()))
		from := t.BaselineYear
		r.schedule(at, func(at time.Time) error {
			for y := from; y < r.opts.Year; y++ {
				period, err := domain.NewYearMonth(y, time.December)
				if err != nil {
					return err
				}
				m, v := reduction, yearly
				if y == from {
					m, v = emissions, base
				}
				if err := r.indicator(at, domain.RecordIndicator{Unit: city.ID, Metric: m, Period: period, Value: v}, false); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// emissionMetrics returns, for a target's emissions metric, the metrics
// recorded for it and a plausible city total (tonnes a year); 0 for any
// other metric.
func emissionMetrics(metric string) (emissions, reduction domain.Metric, total float64) {
	switch domain.Metric(metric) {
	case domain.MetricNOxEmissions:
		return domain.MetricNOxEmissions, domain.MetricNOxReduction, 62000
	case domain.MetricVOCsEmissions:
		return domain.MetricVOCsEmissions, domain.MetricVOCsReduction, 41000
	}
	return "", "", 0
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
				c := months[i].reading(id, metric, period)
				if metric == domain.MetricGoodDayRatio {
					c.GoodDays = min(c.ValidDays, int(math.Round(float64(c.GoodDays)*scale)))
				} else {
					c.Value = math.Round(c.Value * scale)
				}
				if metric == domain.MetricHeavyPollutionDays {
					c.Value = min(c.Value, float64(c.ValidDays))
				}
				if err := r.indicator(at, c, false); err != nil {
					return err
				}
			}
			return nil
		})
	}
}
