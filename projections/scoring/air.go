package scoring

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/projections/airquality"
)

// metricOrder lists the air-quality metrics in the order cards show them.
func metricOrder() []domain.Metric {
	return []domain.Metric{domain.MetricPM25, domain.MetricGoodDayRatio, domain.MetricHeavyPollutionDays}
}

// metricWords names a metric and its unit in Chinese and English.
func metricWords(m domain.Metric) (zh, en, unit string) {
	switch m {
	case domain.MetricPM25:
		return "PM2.5年均浓度", "annual mean PM2.5", "μg/m³"
	case domain.MetricGoodDayRatio:
		return "优良天数比率", "good-day ratio", "%"
	default:
		return "重度及以上污染天数", "heavy-pollution days", "天"
	}
}

// monthKey identifies one county's value of a metric for a month, or for
// a day of it (day set).
type monthKey struct {
	unit   domain.UnitID
	metric domain.Metric
	month  domain.YearMonth
	day    domain.Date
}

// airScorer scores the counties' air quality for one year.
type airScorer struct {
	in Input
	s  Scheme
	// latest holds the winning (latest) measurement of each county, metric
	// and month of the year.
	latest map[monthKey]IndicatorValue
}

// newAirScorer keeps the latest revision of every monthly value of the
// assessment year. Two different measurements at the same log position,
// or two baselines for the same county, metric and year, are an error.
func newAirScorer(in Input, s Scheme) (*airScorer, error) {
	a := &airScorer{in: in, s: s, latest: map[monthKey]IndicatorValue{}}
	for _, v := range in.Indicators {
		if v.Period.Year() != in.Year {
			continue
		}
		k := monthKey{v.Unit, v.Metric, v.Period, v.Day}
		prev, seen := a.latest[k]
		switch {
		case !seen || v.Position > prev.Position:
			a.latest[k] = v
		case v.Position == prev.Position && (v.EventID != prev.EventID || v.Value != prev.Value || v.ValidDays != prev.ValidDays || v.GoodDays != prev.GoodDays):
			return nil, fmt.Errorf("two %s measurements of %s for %s at log position %d: cannot tell which is the latest", v.Metric, v.Unit, v.Period, v.Position)
		}
	}
	type baselineKey struct {
		unit   domain.UnitID
		metric domain.Metric
		year   int
	}
	seen := map[baselineKey]bool{}
	for _, b := range in.Baselines {
		k := baselineKey{b.Unit, b.Metric, b.Year}
		if seen[k] {
			return nil, fmt.Errorf("two %d baselines of %s for %s", b.Year, b.Metric, b.Unit)
		}
		seen[k] = true
	}
	return a, nil
}

// target picks the plan target that scores a county's metric in the year:
// the county's own target if the plan sets one for that metric, else the
// plan-wide one; among several, the one due soonest (targets due before
// the year are ignored, targets with no date come last).
func (a *airScorer) target(unit domain.UnitID, m domain.Metric) (domain.PlanTarget, bool, error) {
	pick := func(scope domain.UnitID) (domain.PlanTarget, bool, error) {
		var cands []domain.PlanTarget
		for _, t := range a.in.Targets {
			if t.Unit == scope && t.Metric == string(m) && (t.By.IsZero() || t.By.Year() >= a.in.Year) {
				cands = append(cands, t)
			}
		}
		if len(cands) == 0 {
			return domain.PlanTarget{}, false, nil
		}
		sort.SliceStable(cands, func(i, j int) bool { return byOrder(cands[i].By, cands[j].By) })
		if len(cands) > 1 && cands[0].By == cands[1].By {
			where := "the plan area"
			if scope != "" {
				where = string(scope)
			}
			return domain.PlanTarget{}, false, fmt.Errorf("the plan sets two %s targets for %s due %q", m, where, cands[0].By)
		}
		return cands[0], true, nil
	}
	t, ok, err := pick(unit)
	if err != nil || ok {
		return t, ok, err
	}
	return pick("")
}

// byOrder orders due dates soonest first, the zero date last.
func byOrder(a, b domain.Date) bool {
	switch {
	case a.IsZero():
		return false
	case b.IsZero():
		return true
	}
	return a.Before(b)
}

// lines returns the county's air-quality lines, one per metric with a
// positive weight, in metricOrder.
func (a *airScorer) lines(unit domain.UnitID) ([]Line, error) {
	var out []Line
	for _, m := range metricOrder() {
		rule := a.s.County.AirQuality.Metric(m)
		if rule.Weight == 0 {
			continue
		}
		l, err := a.metricLine(unit, m, rule)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// annualValue is a county's annual value of a metric, how it was taken
// (for the line's words) and the measurements behind it.
type annualValue struct {
	value        *big.Rat
	howZH, howEN string
	// noteZH and noteEN end the line (missing months, under the legacy
	// rule).
	noteZH, noteEN string
	events         []uuid.UUID
}

// metricLine scores one metric against its target. The annual value is
// taken under the scheme's rule (see annualHJ663 and annualByMonths). A
// missing target, a missing or unassessable baseline or an unassessable
// annual value give 0 points, and the line says why.
func (a *airScorer) metricLine(unit domain.UnitID, m domain.Metric, rule MetricRule) (Line, error) {
	zhName, enName, unitWord := metricWords(m)
	enUnit := unitWord
	if m == domain.MetricHeavyPollutionDays {
		enUnit = " days"
	}
	line := Line{Rule: prefixAir + "." + string(m), Metric: m}
	zero := func(zh, en string) Line {
		line.Points = 0
		line.ZH = fmt.Sprintf("%s：%s，得0/%s分", zhName, zh, rule.Weight)
		line.EN = fmt.Sprintf("%s: %s; 0 of %s points", enName, en, rule.Weight)
		return line
	}
	t, ok, err := a.target(unit, m)
	if err != nil {
		return Line{}, err
	}
	if !ok {
		return zero("规划未设定该项目标，不得分", "the plan sets no target for it, so it scores nothing"), nil
	}
	scopeZH, scopeEN := "全市目标", "city-wide target"
	if t.Unit != "" {
		scopeZH, scopeEN = "本旗县区目标", "the county's own target"
	}

	av, whyZH, whyEN := a.annual(unit, m)
	line.Events = append(line.Events, av.events...)
	if av.value == nil {
		return zero(whyZH, whyEN), nil
	}
	annual := av.value
	howZH, howEN, missZH, missEN := av.howZH, av.howEN, av.noteZH, av.noteEN

	// The threshold the annual value must meet.
	threshold := floatRat(t.Value)
	atLeast := t.Comparator == domain.AtLeast
	var goalZH, goalEN string
	switch t.Comparator {
	case domain.AtMost:
		goalZH, goalEN = fmt.Sprintf("≤%s%s", fmtRat(threshold), unitWord), fmt.Sprintf("at most %s%s", fmtRat(threshold), enUnit)
	case domain.AtLeast:
		goalZH, goalEN = fmt.Sprintf("≥%s%s", fmtRat(threshold), unitWord), fmt.Sprintf("at least %s%s", fmtRat(threshold), enUnit)
	case domain.ReduceByPercent:
		b, ok := a.baseline(unit, m, t.BaselineYear)
		if !ok {
			return zero(fmt.Sprintf("目标为比%d年下降%s%%（%s），但缺少%d年基准值，无法评估，不得分", t.BaselineYear, fmtRat(threshold), scopeZH, t.BaselineYear),
				fmt.Sprintf("the target is a %s%% fall from %d (%s) but the %d baseline is missing, so it cannot be assessed and scores nothing", fmtRat(threshold), t.BaselineYear, scopeEN, t.BaselineYear)), nil
		}
		base, bZH, bEN := a.baselineValue(b)
		if base == nil {
			return zero(fmt.Sprintf("目标为比%d年下降%s%%（%s），但%d年基准值不可评价（%s），不得分", t.BaselineYear, fmtRat(threshold), scopeZH, t.BaselineYear, bZH),
				fmt.Sprintf("the target is a %s%% fall from %d (%s) but the %d baseline is not assessable (%s), so it scores nothing", fmtRat(threshold), t.BaselineYear, scopeEN, t.BaselineYear, bEN)), nil
		}
		line.Events = appendID(line.Events, b.EventID)
		pct := threshold
		threshold = new(big.Rat).Mul(base, new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).Quo(pct, big.NewRat(100, 1))))
		srcZH, srcEN := "", ""
		if bZH != "" {
			srcZH, srcEN = "，"+bZH, ", "+bEN
		}
		goalZH = fmt.Sprintf("比%d年（%s%s%s）下降%s%%，即≤%s%s", t.BaselineYear, fmtRat(base), unitWord, srcZH, fmtRat(pct), fmtRat(threshold), unitWord)
		goalEN = fmt.Sprintf("a %s%% fall from %d (%s%s%s), i.e. at most %s%s", fmtRat(pct), t.BaselineYear, fmtRat(base), enUnit, srcEN, fmtRat(threshold), enUnit)
	default:
		return Line{}, fmt.Errorf("target for %s of %s: comparator %q is not at_most, at_least or reduce_by_pct", m, unit, t.Comparator)
	}

	// How far it falls short, and the points.
	miss := new(big.Rat).Sub(annual, threshold)
	if atLeast {
		miss.Neg(miss)
	}
	if miss.Sign() < 0 {
		miss.SetInt64(0)
	}
	var points Points
	switch {
	case miss.Sign() == 0:
		points = rule.Weight
	case rule.ZeroAtMiss == 0:
		points = 0
	default:
		share := new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).Quo(miss, rule.ZeroAtMiss.rat()))
		if share.Sign() < 0 {
			share.SetInt64(0)
		}
		points = roundPoints(new(big.Rat).Mul(rule.Weight.rat(), share))
	}
	line.Points = points
	resultZH, resultEN := "达标", "met"
	if miss.Sign() > 0 {
		resultZH = fmt.Sprintf("未达标，差%s%s", fmtRat(miss), unitWord)
		resultEN = fmt.Sprintf("missed by %s%s", fmtRat(miss), enUnit)
		if rule.ZeroAtMiss > 0 {
			resultZH += fmt.Sprintf("（差%s%s时得0分，按比例计分）", rule.ZeroAtMiss, unitWord)
			resultEN += fmt.Sprintf(" (0 points at a miss of %s%s, linear in between)", rule.ZeroAtMiss, enUnit)
		} else {
			resultZH += "（该项不达标即不得分）"
			resultEN += " (all or nothing)"
		}
	}
	line.ZH = fmt.Sprintf("%s%s%s（%s），目标%s（%s），%s，得%s/%s分%s",
		zhName, fmtRat(annual), unitWord, howZH, goalZH, scopeZH, resultZH, points, rule.Weight, missZH)
	line.EN = fmt.Sprintf("%s %s%s (%s), target %s (%s): %s; %s of %s points%s",
		enName, fmtRat(annual), enUnit, howEN, goalEN, scopeEN, resultEN, points, rule.Weight, missEN)
	return line, nil
}

// endedMonths returns how many months of the year have ended by as-of.
func (a *airScorer) endedMonths() time.Month {
	n := time.Month(0)
	for mo := time.January; mo <= time.December; mo++ {
		ym, _ := domain.NewYearMonth(a.in.Year, mo)
		if a.in.AsOf.Before(ym.LastDay().EndOf()) {
			break
		}
		n = mo
	}
	return n
}

// annual returns the county's annual value of the metric under the
// scheme's rule, or a nil value and why it cannot be scored.
func (a *airScorer) annual(unit domain.UnitID, m domain.Metric) (annualValue, string, string) {
	if a.s.County.AirQuality.Annual == AnnualHJ663 {
		return a.annualHJ663(unit, m)
	}
	return a.annualByMonths(unit, m)
}

// annualHJ663 takes the annual value over valid days (HJ 663): the
// months ended by as-of, each with its minimum of valid days, and 324 for
// a full year; see package airquality.
func (a *airScorer) annualHJ663(unit domain.UnitID, m domain.Metric) (annualValue, string, string) {
	f := airquality.Annual(a.readings(unit, m, a.in.Year), m, a.in.Year, a.endedMonths())
	av := annualValue{events: f.Events}
	if !f.Assessable {
		return av, "不可评价（" + f.ReasonZH + "），不得分", "not assessable (" + f.ReasonEN + "), so it scores nothing"
	}
	av.value = f.Value
	spanZH, spanEN := "全年", "the year"
	if !f.FullYear() {
		spanZH, spanEN = fmt.Sprintf("1–%d月累计", int(f.Through)), fmt.Sprintf("January–%s to date", f.Through)
	}
	switch m {
	case domain.MetricGoodDayRatio:
		av.howZH = fmt.Sprintf("%s优良%s天/有效%d天", spanZH, fmtRat(f.GoodDays), f.ValidDays)
		av.howEN = fmt.Sprintf("%s: %s good of %d valid days", spanEN, fmtRat(f.GoodDays), f.ValidDays)
	case domain.MetricPM25:
		av.howZH = fmt.Sprintf("%s%d个有效天均值", spanZH, f.ValidDays)
		av.howEN = fmt.Sprintf("mean over %s's %d valid days", spanEN, f.ValidDays)
	default:
		av.howZH = fmt.Sprintf("%s有效%d天", spanZH, f.ValidDays)
		av.howEN = fmt.Sprintf("%s, %d valid days", spanEN, f.ValidDays)
	}
	return av, "", ""
}

// readings returns the county's latest readings of a metric in a year.
func (a *airScorer) readings(unit domain.UnitID, m domain.Metric, year int) []airquality.Reading {
	var out []airquality.Reading
	for k, v := range a.latest {
		if k.unit == unit && k.metric == m && k.month.Year() == year {
			out = append(out, readingOf(v))
		}
	}
	return out
}

func readingOf(v IndicatorValue) airquality.Reading {
	return airquality.Reading{Metric: v.Metric, Period: v.Period, Day: v.Day, Value: v.Value, ValidDays: v.ValidDays, GoodDays: v.GoodDays, EventID: v.EventID}
}

// annualByMonths is the rule of schemes written before HJ 663 scoring
// (no "annual" field): the mean of the measured months (PM2.5, good-day
// ratio) or their sum (heavy-pollution days), over the months ended by
// as-of, with at least min_months measured. Daily values are left out.
func (a *airScorer) annualByMonths(unit domain.UnitID, m domain.Metric) (annualValue, string, string) {
	var expected, missing []string
	var values []IndicatorValue
	for mo := time.January; mo <= a.endedMonths(); mo++ {
		ym, _ := domain.NewYearMonth(a.in.Year, mo)
		expected = append(expected, ym.String())
		if v, ok := a.latest[monthKey{unit, m, ym, domain.Date{}}]; ok {
			values = append(values, v)
		} else {
			missing = append(missing, ym.String())
		}
	}
	var av annualValue
	for _, v := range values {
		av.events = append(av.events, v.EventID)
	}
	if len(missing) > 0 {
		av.noteZH = fmt.Sprintf("；缺少月份：%s", strings.Join(missing, "、"))
		av.noteEN = fmt.Sprintf("; missing months: %s", strings.Join(missing, ", "))
	}
	if len(expected) == 0 {
		return av, fmt.Sprintf("截至评估时点%d年尚无已结束的月份", a.in.Year), fmt.Sprintf("no month of %d had ended as of the assessment", a.in.Year)
	}
	if min := a.s.County.AirQuality.MinMonths; len(values) < min {
		return av, fmt.Sprintf("仅有%d个月的监测数据，至少需要%d个月%s", len(values), min, av.noteZH),
			fmt.Sprintf("only %d month(s) measured, at least %d needed%s", len(values), min, av.noteEN)
	}
	annual := new(big.Rat)
	for _, v := range values {
		annual.Add(annual, floatRat(v.Value))
	}
	av.howZH, av.howEN = fmt.Sprintf("%d个月合计", len(values)), fmt.Sprintf("sum of %d month(s)", len(values))
	if m != domain.MetricHeavyPollutionDays {
		annual.Quo(annual, big.NewRat(int64(len(values)), 1))
		av.howZH, av.howEN = fmt.Sprintf("%d个月均值", len(values)), fmt.Sprintf("mean of %d month(s)", len(values))
	}
	av.value = annual
	return av, "", ""
}

// baselineValue returns a baseline's value and the words citing it. Under
// HJ 663 a baseline given with its year's readings is that year's annual
// figure; nil when it is not assessable, the words then saying why.
func (a *airScorer) baselineValue(b Baseline) (*big.Rat, string, string) {
	if a.s.County.AirQuality.Annual != AnnualHJ663 || len(b.Readings) == 0 {
		return floatRat(b.Value), b.Source, b.Source
	}
	f := airquality.Annual(b.Readings, b.Metric, b.Year, time.December)
	if !f.Assessable {
		return nil, f.ReasonZH, f.ReasonEN
	}
	return f.Value, fmt.Sprintf("%d个有效天均值", f.ValidDays), fmt.Sprintf("mean over %d valid days", f.ValidDays)
}

// baseline returns the county's value of the metric in the year.
func (a *airScorer) baseline(unit domain.UnitID, m domain.Metric, year int) (Baseline, bool) {
	for _, b := range a.in.Baselines {
		if b.Unit == unit && b.Metric == m && b.Year == year {
			return b, true
		}
	}
	return Baseline{}, false
}

// floatRat returns the exact rational of a float's shortest decimal form,
// so 27.3 is 273/10, not the binary approximation.
func floatRat(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, 64))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// fmtRat writes r with at most two decimals (rounded half away from zero),
// without trailing zeros.
func fmtRat(r *big.Rat) string {
	return roundPoints(r).String()
}
