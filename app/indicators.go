package app

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/msg"
)

// CityRefs are the words that name a plan's whole area (全市) as the unit
// of an indicator, before or after its city unit is registered.
var cityRefs = []string{"全市", "city"}

// IndicatorInput is one indicator of a county, or of the city as a whole,
// for a month or a day.
type IndicatorInput struct {
	// Plan is the plan whose period the measurement must lie in; empty
	// means the default plan.
	Plan string
	// Unit is a county's id, name or alias, or "全市" (or "city") for the
	// plan's whole area.
	Unit   string
	Metric string
	// Period is the month ("2025-06") or the day ("2025-06-15") the value
	// covers.
	Period string
	// Value is the figure: PM2.5 in μg/m³, heavy-pollution days, or tonnes
	// for the NOx and VOCs metrics. The good-day ratio takes none: it is
	// GoodDays over ValidDays.
	Value float64
	// ValidDays is the number of valid days (有效天数) the value covers,
	// required for pm25, good_day_ratio and heavy_pollution_days.
	ValidDays int
	// GoodDays is the number of good days (优良天数), for good_day_ratio.
	GoodDays       int
	Source         string
	IdempotencyKey string
}

// RecordIndicator records a measured indicator. The first figure recorded
// for the whole city (全市) registers the plan's city unit.
func (s *Service) RecordIndicator(ctx context.Context, p auth.Principal, in IndicatorInput) (Result, error) {
	if err := cleanFields(nameText("source", "数据来源", &in.Source)); err != nil {
		return Result{}, err
	}
	scoped, err := s.admit(ctx, p, RecordIndicator, in.IdempotencyKey)
	if err != nil {
		return Result{}, err
	}
	plan, err := s.planRef(in.Plan)
	if err != nil {
		return Result{}, err
	}
	cmd, err := s.indicatorCommand(ctx, plan, in)
	if err != nil {
		return Result{}, err
	}
	if cmd.Unit == domain.CityUnit(plan) {
		if err := s.ensureCity(ctx, p, plan, scoped); err != nil {
			return Result{}, err
		}
	}
	return s.dispatch(ctx, p, scoped, time.Time{}, cmd)
}

// indicatorCommand reads and checks the input: the unit, the period
// within the plan's window, and the value against its day counts.
func (s *Service) indicatorCommand(ctx context.Context, plan domain.PlanID, in IndicatorInput) (domain.RecordIndicator, error) {
	metric := domain.Metric(strings.ToLower(strings.TrimSpace(in.Metric)))
	if metric.Validate() != nil {
		return domain.RecordIndicator{}, fail(msg.IndicatorMetric, msg.Args{"Metric": in.Metric, "Metrics": metricList()}).at("metric")
	}
	unit, err := s.indicatorUnit(plan, in.Unit)
	if err != nil {
		return domain.RecordIndicator{}, inField(err, "unit")
	}
	cmd := domain.RecordIndicator{Unit: unit, Metric: metric, Value: in.Value, ValidDays: in.ValidDays, GoodDays: in.GoodDays, Source: in.Source}
	now := s.clock.Now()
	if cmd.Period, cmd.Day, err = s.indicatorPeriod(ctx, plan, in.Period, now); err != nil {
		return cmd, err
	}
	if err := checkValue(cmd); err != nil {
		return cmd, err
	}
	return cmd, checkDays(cmd, now)
}

// indicatorUnit resolves the unit: the plan's city unit for "全市", else a
// county (or the city unit) by id, name or alias.
func (s *Service) indicatorUnit(plan domain.PlanID, ref string) (domain.UnitID, error) {
	ref = strings.TrimSpace(ref)
	for _, c := range cityRefs {
		if strings.EqualFold(ref, c) {
			return domain.CityUnit(plan), nil
		}
	}
	unit := domain.UnitID(ref)
	if unit.Validate() == nil {
		return unit, nil
	}
	return s.ResolveUnit(ref)
}

// indicatorPeriod reads "YYYY-MM" or "YYYY-MM-DD" and checks it lies in
// the plan's window and, for a day, is not after today.
func (s *Service) indicatorPeriod(ctx context.Context, plan domain.PlanID, text string, now time.Time) (domain.YearMonth, domain.Date, error) {
	text = strings.TrimSpace(text)
	w, err := s.dateWindow(ctx, plan, now)
	if err != nil {
		return domain.YearMonth{}, domain.Date{}, err
	}
	if len(text) != len("2006-01-02") {
		period, err := domain.ParseYearMonth(text)
		if err != nil {
			return period, domain.Date{}, fail(msg.IndicatorPeriod, msg.Args{"Period": text}).at("period")
		}
		return period, domain.Date{}, w.month("period", period)
	}
	day, err := domain.ParseDate(text)
	if err != nil {
		return domain.YearMonth{}, day, fail(msg.IndicatorDay, msg.Args{"Period": text}).at("period")
	}
	if today := domain.DateOf(now); day.After(today) {
		return domain.YearMonth{}, day, fail(msg.IndicatorDayFuture, msg.Args{"Day": day, "Today": today}).at("period")
	}
	return day.MonthOf(), day, w.month("period", day.MonthOf())
}

// checkValue refuses a value (the input's value) that cannot be: not a finite non-negative
// number, a good-day ratio given as a ratio, an implausible figure.
func checkValue(c domain.RecordIndicator) error {
	v := c.Value
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
		return fail(msg.IndicatorNegative, msg.Args{"Metric": c.Metric, "MetricZH": metricZH(c.Metric), "Value": v}).at("value")
	case c.Metric == domain.MetricGoodDayRatio && v != 0:
		return fail(msg.IndicatorRatio, nil).at("value")
	case c.Metric == domain.MetricPM25 && v > 1000:
		return fail(msg.IndicatorPM25, msg.Args{"Value": v}).at("value")
	case c.Metric == domain.MetricHeavyPollutionDays && v != math.Trunc(v):
		return fail(msg.IndicatorHeavyWhole, msg.Args{"Value": v}).at("value")
	}
	return nil
}

// checkDays checks the day counts against the period: tonnages take none;
// an air-quality figure needs 1 to the period's days (for a month in
// progress, the days so far), good days no more than valid days,
// heavy-pollution days no more than valid days; a refusal names the
// input field at fault.
func checkDays(c domain.RecordIndicator, now time.Time) error {
	if !c.Metric.DayCounted() {
		if c.ValidDays != 0 || c.GoodDays != 0 {
			field := "validDays"
			if c.ValidDays == 0 {
				field = "goodDays"
			}
			return fail(msg.IndicatorTonnes, msg.Args{"Metric": c.Metric, "MetricZH": metricZH(c.Metric)}).at(field)
		}
		return nil
	}
	span, spanEN, spanZH := periodSpan(c, now)
	switch {
	case c.ValidDays < 1:
		return fail(msg.IndicatorValidDays, msg.Args{"Metric": c.Metric, "MetricZH": metricZH(c.Metric)}).at("validDays")
	case c.ValidDays > span:
		return fail(msg.IndicatorValidSpan, msg.Args{"Valid": c.ValidDays, "Days": span, "Span": spanEN, "SpanZH": spanZH}).at("validDays")
	case c.GoodDays < 0:
		return fail(msg.IndicatorGoodNegative, msg.Args{"Good": c.GoodDays}).at("goodDays")
	case c.GoodDays > 0 && c.Metric != domain.MetricGoodDayRatio:
		return fail(msg.IndicatorNoGoodDays, msg.Args{"Metric": c.Metric, "MetricZH": metricZH(c.Metric)}).at("goodDays")
	case c.GoodDays > c.ValidDays:
		return fail(msg.IndicatorGoodOverValid, msg.Args{"Good": c.GoodDays, "Valid": c.ValidDays}).at("goodDays")
	case c.Metric == domain.MetricHeavyPollutionDays && c.Value > float64(c.ValidDays):
		return fail(msg.IndicatorHeavyOver, msg.Args{"Value": c.Value, "Valid": c.ValidDays}).at("value")
	}
	return nil
}

// periodSpan returns how many days the period can have valid data for,
// and names it in English and Chinese: 1 for a day, the month's days, or
// the days so far of the month in progress.
func periodSpan(c domain.RecordIndicator, now time.Time) (int, string, string) {
	if !c.Day.IsZero() {
		return 1, c.Day.String(), c.Day.String()
	}
	today := domain.DateOf(now)
	if today.MonthOf() == c.Period {
		return today.Day(), c.Period.String() + " so far", c.Period.String() + "截至今天"
	}
	return c.Period.Days(), c.Period.String(), c.Period.String()
}

// ensureCity registers the plan's city unit (kind city, named after the
// plan's issuer, else 全市) unless the ledger already has it.
func (s *Service) ensureCity(ctx context.Context, p auth.Principal, plan domain.PlanID, scopedKey string) error {
	id := domain.CityUnit(plan)
	if _, ok := s.current().Catalog.Unit(id); ok {
		return nil
	}
	name := "全市"
	if pl, ok := s.current().Catalog.Plan(plan); ok {
		if j := strings.TrimSuffix(pl.Issuer, "人民政府"); j != pl.Issuer && j != "" {
			name = j
		}
	}
	_, err := s.dispatch(ctx, p, scopedKey+"/city-unit", time.Time{}, domain.RegisterUnit{Unit: id, Kind: domain.KindCity, Name: name})
	if errors.Is(err, domain.ErrAlreadyExists) {
		return nil
	}
	return err
}

// metricList names the metrics an input may give.
func metricList() string {
	var names []string
	for _, m := range domain.Metrics() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// metricZH names a metric in Chinese.
func metricZH(m domain.Metric) string {
	switch m {
	case domain.MetricPM25:
		return "PM2.5 浓度"
	case domain.MetricGoodDayRatio:
		return "优良天数比例"
	case domain.MetricHeavyPollutionDays:
		return "重度及以上污染天数"
	case domain.MetricNOxReduction:
		return "氮氧化物减排量"
	case domain.MetricVOCsReduction:
		return "挥发性有机物减排量"
	case domain.MetricNOxEmissions:
		return "氮氧化物排放量"
	case domain.MetricVOCsEmissions:
		return "挥发性有机物排放量"
	}
	return string(m)
}
