// Package airquality computes a unit's annual air-quality figures from its
// recorded measurements the way HJ 663-2013 (环境空气质量评价技术规范)
// evaluates a calendar year: over days, not over months.
//
//   - PM2.5: the mean over all valid days, so a month counts with its number
//     of valid days (有效天数), not as one twelfth of the year.
//   - Good-day ratio (优良天数比例): good days / valid days, summed over the
//     year, in percent.
//   - Heavy-pollution days: the days counted.
//   - Emission tonnages (NOx and VOCs reductions and emissions): summed.
//
// Validity follows the data-validity rule HJ 663 takes from GB 3095-2012
// (table 4) for an annual statistic: at least 324 valid days in the year
// and at least 27 in every month (25 in February). A figure short of it is
// not assessable and carries no value. A year that has not ended yet is
// evaluated over its ended months (a year-to-date figure): each of those
// months must have its minimum; the 324-day rule applies to the full year.
//
// Arithmetic is exact (rationals from each value's decimal form), so the
// figures a scorecard cites are reproducible to the last digit.
package airquality

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

// The validity minimums for an annual figure (GB 3095-2012 table 4, as
// HJ 663-2013 applies it).
const (
	// MinYearDays is the fewest valid days of a full year.
	MinYearDays = 324
	// MinMonthDays is the fewest valid days of a month other than February.
	MinMonthDays = 27
	// MinFebruaryDays is the fewest valid days of February.
	MinFebruaryDays = 25
)

// MinDays returns the fewest valid days month m needs.
func MinDays(m time.Month) int {
	if m == time.February {
		return MinFebruaryDays
	}
	return MinMonthDays
}

// Reading is one recorded value, the latest revision for its unit, metric
// and period (a month, or a day of it when Day is set).
type Reading struct {
	Metric domain.Metric
	Period domain.YearMonth
	Day    domain.Date
	Value  float64
	// ValidDays and GoodDays are the event's day counts; 0 valid days on a
	// day-counted metric marks a value from before day counts, which covers
	// every day of its period.
	ValidDays int
	GoodDays  int
	EventID   uuid.UUID
}

// Figure is one metric's figure for a year (or the year to date).
type Figure struct {
	Metric domain.Metric
	Year   int
	// Through is the last month the figure covers: December for a full
	// year.
	Through time.Month
	// Assessable is false when the data do not meet the validity rule (or
	// there are none); Value is then nil and Reason says why.
	Assessable bool
	// Value is the annual mean PM2.5 (μg/m³), the good-day ratio (percent),
	// the heavy-pollution days or the tonnes.
	Value *big.Rat
	// ValidDays is the number of valid days covered; GoodDays the good days
	// among them (good-day ratio; fractional only for old ratio values).
	ValidDays int
	GoodDays  *big.Rat
	// Measured counts the months with a value; ShortMonths lists the months
	// (YYYY-MM) below their minimum of valid days, missing ones included.
	Measured    int
	ShortMonths []string
	// ReasonZH and ReasonEN say why a figure is not assessable.
	ReasonZH, ReasonEN string
	// Events are the measurements behind the figure, in period order.
	Events []uuid.UUID
}

// FullYear reports whether the figure covers the whole year.
func (f Figure) FullYear() bool { return f.Through == time.December }

// monthSum is what one month contributes: valid days, the weighted sum of
// values (value × valid days, or the plain sum for counts and tonnes) and
// good days.
type monthSum struct {
	valid   int
	weighed *big.Rat
	good    *big.Rat
	events  []uuid.UUID
}

// Annual computes the figure of metric m over the months January–through
// of year from a unit's readings (readings of other metrics, years or later
// months are ignored). A month's monthly reading stands for the month; when
// it has none, its daily readings are combined.
func Annual(readings []Reading, m domain.Metric, year int, through time.Month) Figure {
	f := Figure{Metric: m, Year: year, Through: through}
	if through < time.January {
		f.ReasonZH, f.ReasonEN = fmt.Sprintf("%d年尚无已结束的月份", year), fmt.Sprintf("no month of %d has ended", year)
		return f
	}
	months := byMonth(readings, m, year, through)
	total := monthSum{weighed: new(big.Rat), good: new(big.Rat)}
	for mo := time.January; mo <= through; mo++ {
		s, ok := months[mo]
		if !ok {
			f.ShortMonths = append(f.ShortMonths, ym(year, mo))
			continue
		}
		f.Measured++
		if m.DayCounted() && s.valid < MinDays(mo) {
			f.ShortMonths = append(f.ShortMonths, ym(year, mo))
		}
		total.valid += s.valid
		total.weighed.Add(total.weighed, s.weighed)
		total.good.Add(total.good, s.good)
		f.Events = append(f.Events, s.events...)
	}
	f.ValidDays = total.valid
	if m == domain.MetricGoodDayRatio {
		f.GoodDays = total.good
	}
	if m.DayCounted() {
		return assess(f, total)
	}
	if f.Measured == 0 {
		f.ReasonZH, f.ReasonEN = "未记录", "nothing recorded"
		return f
	}
	f.Assessable, f.Value = true, total.weighed
	return f
}

// assess applies the validity rule to a day-counted figure and, when it
// holds, computes the value.
func assess(f Figure, total monthSum) Figure {
	switch {
	case f.Measured == 0:
		f.ReasonZH, f.ReasonEN = "未记录", "nothing recorded"
		return f
	case len(f.ShortMonths) > 0:
		f.ReasonZH = fmt.Sprintf("有效天数不足（每月至少%d天，2月至少%d天）：%s", MinMonthDays, MinFebruaryDays, strings.Join(f.ShortMonths, "、"))
		f.ReasonEN = fmt.Sprintf("too few valid days (at least %d a month, %d in February): %s", MinMonthDays, MinFebruaryDays, strings.Join(f.ShortMonths, ", "))
		return f
	case f.FullYear() && f.ValidDays < MinYearDays:
		f.ReasonZH = fmt.Sprintf("全年有效天数%d天，不足%d天", f.ValidDays, MinYearDays)
		f.ReasonEN = fmt.Sprintf("%d valid days in the year, fewer than %d", f.ValidDays, MinYearDays)
		return f
	}
	f.Assessable = true
	days := big.NewRat(int64(f.ValidDays), 1)
	switch f.Metric {
	case domain.MetricPM25:
		f.Value = new(big.Rat).Quo(total.weighed, days)
	case domain.MetricGoodDayRatio:
		f.Value = new(big.Rat).Mul(new(big.Rat).Quo(total.good, days), big.NewRat(100, 1))
	default:
		f.Value = total.weighed
	}
	return f
}

// byMonth sums the readings of metric m per month, a monthly reading
// taking precedence over the month's daily ones.
func byMonth(readings []Reading, m domain.Metric, year int, through time.Month) map[time.Month]monthSum {
	sorted := make([]Reading, 0, len(readings))
	for _, r := range readings {
		if r.Metric == m && r.Period.Year() == year && r.Period.Month() <= through {
			sorted = append(sorted, r)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Day.Before(sorted[j].Day) })
	monthly := map[time.Month]bool{}
	for _, r := range sorted {
		if r.Day.IsZero() {
			monthly[r.Period.Month()] = true
		}
	}
	out := map[time.Month]monthSum{}
	for _, r := range sorted {
		mo := r.Period.Month()
		if monthly[mo] && !r.Day.IsZero() {
			continue
		}
		s, ok := out[mo]
		if !ok {
			s = monthSum{weighed: new(big.Rat), good: new(big.Rat)}
		}
		valid, weighed, good := contribution(r)
		s.valid += valid
		s.weighed.Add(s.weighed, weighed)
		s.good.Add(s.good, good)
		s.events = append(s.events, r.EventID)
		out[mo] = s
	}
	return out
}

// contribution is one reading's valid days, weighted value and good days.
// A reading from before day counts covers every day of its period, and an
// old good-day ratio stands for that share of them.
func contribution(r Reading) (valid int, weighed, good *big.Rat) {
	v := Rat(r.Value)
	valid, good = r.ValidDays, big.NewRat(int64(r.GoodDays), 1)
	if r.Metric.DayCounted() && valid == 0 {
		valid = r.Period.Days()
		if !r.Day.IsZero() {
			valid = 1
		}
		if r.Metric == domain.MetricGoodDayRatio {
			good = new(big.Rat).Quo(new(big.Rat).Mul(v, big.NewRat(int64(valid), 1)), big.NewRat(100, 1))
		}
	}
	if r.Metric == domain.MetricPM25 {
		return valid, new(big.Rat).Mul(v, big.NewRat(int64(valid), 1)), good
	}
	return valid, v, good
}

// Rat returns the exact rational of a float's shortest decimal form, so
// 27.3 is 273/10, not the binary approximation.
func Rat(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, 64))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// Format writes r with at most the given decimals (rounded half away from
// zero), without trailing zeros.
func Format(r *big.Rat, decimals int) string {
	if r == nil {
		return ""
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
	h := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	num, den := new(big.Int).Abs(h.Num()), h.Denom()
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Lsh(rem, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if h.Sign() < 0 && q.Sign() != 0 {
		q.Neg(q)
	}
	s := new(big.Rat).SetFrac(q, scale).FloatString(decimals)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func ym(year int, m time.Month) string { return fmt.Sprintf("%04d-%02d", year, int(m)) }
