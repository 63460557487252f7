package scoring

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"taskledger/domain"
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

// monthKey identifies one county's monthly value of a metric.
type monthKey struct {
	unit   domain.UnitID
	metric domain.Metric
	month  domain.YearMonth
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
		k := monthKey{v.Unit, v.Metric, v.Period}
		prev, seen := a.latest[k]
		switch {
		case !seen || v.Position > prev.Position:
			a.latest[k] = v
		case v.Position == prev.Position && (v.EventID != prev.EventID || v.Value != prev.Value):
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

// metricLine scores one metric. The annual value is the mean of the
// measured months (PM2.5, good-day ratio) or their sum (heavy-pollution
// days), over the months of the year that have ended by as-of. A missing
// target, a missing baseline, no ended month or too few measured months
// give 0 points, and the line says why.
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

	// The months of the year that have ended by as-of, and their values.
	var expected, missing []string
	var values []IndicatorValue
	for mo := time.January; mo <= time.December; mo++ {
		ym, _ := domain.NewYearMonth(a.in.Year, mo)
		if a.in.AsOf.Before(ym.LastDay().EndOf()) {
			break
		}
		expected = append(expected, ym.String())
		if v, ok := a.latest[monthKey{unit, m, ym}]; ok {
			values = append(values, v)
		} else {
			missing = append(missing, ym.String())
		}
	}
	for _, v := range values {
		line.Events = append(line.Events, v.EventID)
	}
	missZH, missEN := "", ""
	if len(missing) > 0 {
		missZH = fmt.Sprintf("；缺少月份：%s", strings.Join(missing, "、"))
		missEN = fmt.Sprintf("; missing months: %s", strings.Join(missing, ", "))
	}
	if len(expected) == 0 {
		return zero(fmt.Sprintf("截至评估时点%d年尚无已结束的月份", a.in.Year), fmt.Sprintf("no month of %d had ended as of the assessment", a.in.Year)), nil
	}
	if len(values) < a.s.County.AirQuality.MinMonths {
		return zero(fmt.Sprintf("仅有%d个月的监测数据，至少需要%d个月%s", len(values), a.s.County.AirQuality.MinMonths, missZH),
			fmt.Sprintf("only %d month(s) measured, at least %d needed%s", len(values), a.s.County.AirQuality.MinMonths, missEN)), nil
	}

	// The annual value, exactly.
	annual := new(big.Rat)
	for _, v := range values {
		annual.Add(annual, floatRat(v.Value))
	}
	howZH, howEN := fmt.Sprintf("%d个月合计", len(values)), fmt.Sprintf("sum of %d month(s)", len(values))
	if m != domain.MetricHeavyPollutionDays {
		annual.Quo(annual, big.NewRat(int64(len(values)), 1))
		howZH, howEN = fmt.Sprintf("%d个月均值", len(values)), fmt.Sprintf("mean of %d month(s)", len(values))
	}

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
		line.Events = appendID(line.Events, b.EventID)
		base := floatRat(b.Value)
		pct := threshold
		threshold = new(big.Rat).Mul(base, new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).Quo(pct, big.NewRat(100, 1))))
		src := ""
		if b.Source != "" {
			src = "，" + b.Source
		}
		goalZH = fmt.Sprintf("比%d年（%s%s%s）下降%s%%，即≤%s%s", t.BaselineYear, fmtRat(base), unitWord, src, fmtRat(pct), fmtRat(threshold), unitWord)
		goalEN = fmt.Sprintf("a %s%% fall from %d (%s%s%s), i.e. at most %s%s", fmtRat(pct), t.BaselineYear, fmtRat(base), enUnit, strings.ReplaceAll(src, "，", ", "), fmtRat(threshold), enUnit)
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
