package projections

import (
	"cmp"
	"encoding/gob"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/projections/airquality"
)

// Measurement is one indicator value of a county or the city for a month
// (or a day of it, Day set), with its day counts and the event that
// recorded it. A restated period keeps only the latest value.
type Measurement struct {
	Unit   domain.UnitID
	Metric domain.Metric
	Period domain.YearMonth
	Day    domain.Date
	Value  float64
	// ValidDays and GoodDays are the event's day counts (0 on events from
	// before day counts, see domain.IndicatorMeasured).
	ValidDays  int
	GoodDays   int
	EventID    uuid.UUID
	Position   uint64
	RecordedAt time.Time
	Revisions  int
}

// Reading returns the measurement as the annual computation takes it.
func (m Measurement) Reading() airquality.Reading {
	return airquality.Reading{Metric: m.Metric, Period: m.Period, Day: m.Day, Value: m.Value, ValidDays: m.ValidDays, GoodDays: m.GoodDays, EventID: m.EventID}
}

type indicatorKey struct {
	Unit   domain.UnitID
	Metric domain.Metric
	Period domain.YearMonth
	Day    domain.Date
}

func keyOf(m Measurement) indicatorKey { return indicatorKey{m.Unit, m.Metric, m.Period, m.Day} }

// Indicators is the read model of measured indicators per unit and period.
type Indicators struct {
	cursor
	values map[indicatorKey]Measurement
}

func newIndicators() *Indicators {
	return &Indicators{values: map[indicatorKey]Measurement{}}
}

// Name implements Model.
func (in *Indicators) Name() string { return "indicators" }

// Apply implements Model.
func (in *Indicators) Apply(e *domain.Event, data domain.EventData) error {
	m, ok := data.(domain.IndicatorMeasured)
	if !ok {
		return in.pass(e)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := in.check(e); err != nil {
		return err
	}
	v := Measurement{Unit: m.Unit, Metric: m.Metric, Period: m.Period, Day: m.DayOf(), Value: m.Value,
		ValidDays: m.ValidDays, GoodDays: m.GoodDays, EventID: e.ID, Position: e.Position, RecordedAt: e.RecordedAt}
	k := keyOf(v)
	prev, seen := in.values[k]
	if seen {
		v.Revisions = prev.Revisions + 1
	}
	in.values[k] = v
	in.pos.Store(e.Position)
	return nil
}

// Year returns the measurements of a year (every unit when unit is empty),
// ordered by unit, metric, month and day (a month's monthly value first).
func (in *Indicators) Year(unit domain.UnitID, year int) []Measurement {
	in.mu.RLock()
	var out []Measurement
	for k, v := range in.values {
		if k.Period.Year() == year && (unit == "" || k.Unit == unit) {
			out = append(out, v)
		}
	}
	in.mu.RUnlock()
	// The key (unit, metric, month, day) is a measurement's own in the
	// model, so this order is total.
	slices.SortFunc(out, func(a, b Measurement) int {
		if c := cmp.Compare(a.Unit, b.Unit); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Metric, b.Metric); c != 0 {
			return c
		}
		// Months in date order, which is their "YYYY-MM" text's order
		// (the zero month, "", first).
		if c := a.Period.FirstDay().Compare(b.Period.FirstDay()); c != 0 {
			return c
		}
		return a.Day.Compare(b.Day)
	})
	return out
}

type indicatorsState struct {
	Pos    uint64
	Values []Measurement
}

func (in *Indicators) state() any { return indicatorsState{} }

func (in *Indicators) encode(enc *gob.Encoder) error {
	in.mu.RLock()
	defer in.mu.RUnlock()
	vals := make([]Measurement, 0, len(in.values))
	for _, v := range in.values {
		vals = append(vals, v)
	}
	return enc.Encode(indicatorsState{in.pos.Load(), vals})
}

func (in *Indicators) decode(dec *gob.Decoder) error {
	var s indicatorsState
	if err := dec.Decode(&s); err != nil {
		return fmt.Errorf("indicators snapshot: %w", err)
	}
	values := make(map[indicatorKey]Measurement, len(s.Values))
	for _, v := range s.Values {
		values[keyOf(v)] = v
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.pos.Store(s.Pos)
	in.values = values
	return nil
}
