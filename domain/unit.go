package domain

import (
	"math"
	"strings"
)

// Unit is the aggregate of a responsible unit (责任单位), on stream
// unit-<unit>: its registration, names, merger into a successor, and — for
// counties and the city — its indicators. The zero Unit is an
// unregistered unit.
type Unit struct {
	// ID identifies the unit, set by UnitRegistered.
	ID UnitID
	// Registered is true once UnitRegistered is applied.
	Registered bool
	Kind       UnitKind
	// Name is the current official name; FormerNames are earlier ones,
	// oldest first.
	Name        string
	FormerNames []string
	Aliases     []string
	// Jurisdiction is the place the unit belongs to, when recorded.
	Jurisdiction string
	// MergedInto is the successor once the unit was merged; the unit then
	// takes no more commands.
	MergedInto UnitID
	// SplitInto lists the units it was split into, if it was; MergedInto
	// is then the heir of its duties.
	SplitInto []UnitID
	// Indicators holds the latest value per metric and period; Readings
	// the same with day counts.
	Indicators map[IndicatorKey]float64
	Readings   map[IndicatorKey]Reading

	version uint64
}

// IndicatorKey identifies one indicator value of a unit: a metric for a
// month, or for a day of it (Day set).
type IndicatorKey struct {
	Metric Metric
	Period YearMonth
	Day    Date
}

// Version implements VersionedAggregate.
func (u *Unit) Version() uint64 { return u.version }

// RegisterUnit registers a unit. Allowed once per unit.
type RegisterUnit struct {
	Unit    UnitID
	Kind    UnitKind
	Name    string
	Aliases []string
	// Jurisdiction is the place the unit belongs to, e.g. 包头市; optional.
	Jurisdiction string
}

// Stream implements Command.
func (c RegisterUnit) Stream() string { return UnitStream(c.Unit) }

// Validate implements Command.
func (c RegisterUnit) Validate() error {
	if err := firstErr(c.Unit.Validate(), c.Kind.Validate(), checkText("name", c.Name, MaxNameLen, true),
		checkText("jurisdiction", c.Jurisdiction, MaxNameLen, false)); err != nil {
		return err
	}
	for _, a := range c.Aliases {
		if err := checkText("alias", a, MaxNameLen, true); err != nil {
			return err
		}
	}
	return nil
}

// RegisterUnit decides a RegisterUnit command. Errors: ErrAlreadyExists.
func (u *Unit) RegisterUnit(c RegisterUnit, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), u.routed(c.Unit)); err != nil {
		return nil, err
	}
	if u.Registered {
		return nil, errorf(ErrAlreadyExists, "unit %s is already registered", u.ID)
	}
	return []EventData{UnitRegistered{Unit: c.Unit, Kind: c.Kind, Name: c.Name, Aliases: c.Aliases, Jurisdiction: c.Jurisdiction}}, nil
}

// RenameUnit gives a unit a new official name.
type RenameUnit struct {
	Unit   UnitID
	Name   string
	Reason string
}

// Stream implements Command.
func (c RenameUnit) Stream() string { return UnitStream(c.Unit) }

// Validate implements Command.
func (c RenameUnit) Validate() error {
	return firstErr(c.Unit.Validate(), checkText("name", c.Name, MaxNameLen, true), checkText("reason", c.Reason, MaxNoteLen, false))
}

// RenameUnit decides a RenameUnit command. Errors: ErrNotFound, ErrMerged,
// ErrNoChange (same name).
func (u *Unit) RenameUnit(c RenameUnit, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), u.routed(c.Unit), u.live(c.Unit)); err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.Name) == strings.TrimSpace(u.Name) {
		return nil, errorf(ErrNoChange, "unit %s is already named %s", u.ID, u.Name)
	}
	return []EventData{UnitRenamed{Unit: c.Unit, OldName: u.Name, NewName: c.Name, Reason: c.Reason}}, nil
}

// MergeUnit merges a unit into a successor. Command handling should check
// that Into is registered and not itself merged (another aggregate).
type MergeUnit struct {
	Unit   UnitID
	Into   UnitID
	Reason string
}

// Stream implements Command.
func (c MergeUnit) Stream() string { return UnitStream(c.Unit) }

// Validate implements Command.
func (c MergeUnit) Validate() error {
	if err := firstErr(c.Unit.Validate(), c.Into.Validate(), checkText("reason", c.Reason, MaxNoteLen, false)); err != nil {
		return err
	}
	if c.Unit == c.Into {
		return errorf(ErrSelfMerge, "unit %s cannot be merged into itself", c.Unit)
	}
	return nil
}

// MergeUnit decides a MergeUnit command. Errors: ErrSelfMerge, ErrNotFound,
// ErrMerged (already merged).
func (u *Unit) MergeUnit(c MergeUnit, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), u.routed(c.Unit), u.live(c.Unit)); err != nil {
		return nil, err
	}
	return []EventData{UnitMerged{Unit: c.Unit, Into: c.Into, Reason: c.Reason}}, nil
}

// RecordIndicator records an indicator of a county, or of the city as a
// whole, for a month or (Day set) one day. The same reading again is
// refused (ErrAlreadyExists); a different reading for a period already
// measured is recorded as a revision.
type RecordIndicator struct {
	Unit   UnitID
	Metric Metric
	// Period is the month; for a daily value, the month of Day.
	Period YearMonth
	// Day is the day of a daily value; zero for a monthly one.
	Day Date
	// Value is the figure. For good_day_ratio it is left zero: the event's
	// ratio is computed from GoodDays and ValidDays.
	Value float64
	// ValidDays is the number of valid days the value covers (required for
	// pm25, good_day_ratio and heavy_pollution_days; none for tonnages).
	ValidDays int
	// GoodDays is the number of good days (good_day_ratio only).
	GoodDays int
	Source   string
}

// Stream implements Command.
func (c RecordIndicator) Stream() string { return UnitStream(c.Unit) }

// periodDays is the number of days the command's period spans.
func (c RecordIndicator) periodDays() int {
	if !c.Day.IsZero() {
		return 1
	}
	return c.Period.Days()
}

// Validate implements Command. Ranges: pm25 0–1000 μg/m³; valid days 1 to
// the days of the period; good days and heavy-pollution days whole numbers
// no more than the valid days; tonnages 0–10,000,000 t with no day counts.
func (c RecordIndicator) Validate() error {
	if err := firstErr(c.Unit.Validate(), c.Metric.Validate(), checkText("source", c.Source, MaxNameLen, false)); err != nil {
		return err
	}
	if c.Period.IsZero() {
		return errorf(ErrInvalidIndicator, "indicator period is required")
	}
	if !c.Day.IsZero() && c.Day.MonthOf() != c.Period {
		return errorf(ErrInvalidIndicator, "day %s does not lie in the period %s", c.Day, c.Period)
	}
	v := c.Value
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return errorf(ErrInvalidIndicator, "%s value %v is not a non-negative number", c.Metric, v)
	}
	if !c.Metric.DayCounted() {
		return c.validateTonnes()
	}
	return c.validateDays()
}

// validateTonnes checks an emission figure: a tonnage with no day counts.
func (c RecordIndicator) validateTonnes() error {
	if c.ValidDays != 0 || c.GoodDays != 0 {
		return errorf(ErrInvalidIndicator, "%s is a tonnage and takes no valid or good days", c.Metric)
	}
	if c.Value > 1e7 {
		return errorf(ErrInvalidIndicator, "%s %v t is implausible (over 10,000,000 t)", c.Metric, c.Value)
	}
	return nil
}

// validateDays checks an air-quality figure against its day counts.
func (c RecordIndicator) validateDays() error {
	span := c.periodDays()
	switch {
	case c.ValidDays < 1:
		return errorf(ErrInvalidIndicator, "%s needs the number of valid days it covers (at least 1)", c.Metric)
	case c.ValidDays > span:
		return errorf(ErrInvalidIndicator, "%d valid days is more than the %d day(s) of %s", c.ValidDays, span, c.periodText())
	case c.GoodDays < 0:
		return errorf(ErrInvalidIndicator, "good days %d is negative", c.GoodDays)
	case c.GoodDays != 0 && c.Metric != MetricGoodDayRatio:
		return errorf(ErrInvalidIndicator, "%s takes no good days", c.Metric)
	}
	v := c.Value
	switch c.Metric {
	case MetricPM25:
		if v > 1000 {
			return errorf(ErrInvalidIndicator, "pm25 %v μg/m³ is implausible (over 1000)", v)
		}
	case MetricGoodDayRatio:
		if v != 0 {
			return errorf(ErrInvalidIndicator, "good_day_ratio is recorded as good days and valid days, not as a ratio")
		}
		if c.GoodDays > c.ValidDays {
			return errorf(ErrInvalidIndicator, "%d good days is more than the %d valid days", c.GoodDays, c.ValidDays)
		}
	case MetricHeavyPollutionDays:
		if v != math.Trunc(v) || v > float64(c.ValidDays) {
			return errorf(ErrInvalidIndicator, "heavy_pollution_days %v is not a whole number of days within the %d valid days", v, c.ValidDays)
		}
	}
	return nil
}

// periodText names the period: the day, or the month.
func (c RecordIndicator) periodText() string {
	if !c.Day.IsZero() {
		return c.Day.String()
	}
	return c.Period.String()
}

// event returns the IndicatorMeasured the command records, the ratio of a
// good-day count computed here.
func (c RecordIndicator) event(revision bool) IndicatorMeasured {
	v := c.Value
	if c.Metric == MetricGoodDayRatio {
		v = float64(c.GoodDays) * 100 / float64(c.ValidDays)
	}
	return IndicatorMeasured{
		Unit: c.Unit, Metric: c.Metric, Period: c.Period, Day: datePtr(c.Day), Value: v,
		ValidDays: c.ValidDays, GoodDays: c.GoodDays, Source: c.Source, Revision: revision,
	}
}

// RecordIndicator decides a RecordIndicator command. Errors: ErrNotFound,
// ErrMerged, ErrInvalidIndicator (neither a county nor the city, or a
// period that has not begun by the command's time), ErrAlreadyExists (the
// same reading already recorded).
func (u *Unit) RecordIndicator(c RecordIndicator, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), u.routed(c.Unit), u.live(c.Unit)); err != nil {
		return nil, err
	}
	if u.Kind != KindCounty && u.Kind != KindCity {
		return nil, errorf(ErrInvalidIndicator, "unit %s is a %s, neither a county nor the city", u.ID, u.Kind)
	}
	if today := DateOf(m.Now); c.Day.After(today) || c.Period.FirstDay().After(today) {
		return nil, errorf(ErrInvalidIndicator, "%s is in the future (today is %s)", c.periodText(), today)
	}
	e := c.event(false)
	k := IndicatorKey{Metric: c.Metric, Period: c.Period, Day: c.Day}
	prev, seen := u.reading(k)
	if seen && prev == readingOf(e) {
		return nil, errorf(ErrAlreadyExists, "%s %s of %s is already recorded as %v", c.Metric, c.periodText(), u.ID, prev.Value)
	}
	e.Revision = seen
	return []EventData{e}, nil
}

// reading returns the latest reading of a key; a snapshot from before
// Readings existed has only the value.
func (u *Unit) reading(k IndicatorKey) (Reading, bool) {
	if r, ok := u.Readings[k]; ok {
		return r, true
	}
	v, ok := u.Indicators[k]
	return Reading{Value: v}, ok
}

// Reading is one recorded indicator value with its day counts, as the
// event gives them (zero days on events from before day counts).
type Reading struct {
	Value     float64
	ValidDays int
	GoodDays  int
}

func readingOf(e IndicatorMeasured) Reading {
	return Reading{Value: e.Value, ValidDays: e.ValidDays, GoodDays: e.GoodDays}
}

func (u *Unit) routed(id UnitID) error {
	if u.Registered && u.ID != id {
		return errorf(ErrInvalidArgument, "command for unit %s sent to unit %s", id, u.ID)
	}
	return nil
}

// live checks the unit is registered and not merged.
func (u *Unit) live(id UnitID) error {
	if !u.Registered {
		return errorf(ErrNotFound, "unit %s is not registered", id)
	}
	if u.MergedInto != "" {
		return errorf(ErrMerged, "unit %s was merged into %s", u.ID, u.MergedInto)
	}
	return nil
}

// Apply implements Aggregate.
func (u *Unit) Apply(e *Event, data EventData) error {
	v, err := advance(u.version, e, "unit")
	if err != nil {
		return err
	}
	switch d := data.(type) {
	case UnitRegistered:
		if u.Registered {
			return unexpected("unit "+string(u.ID), data)
		}
		u.ID, u.Registered, u.Kind, u.Name = d.Unit, true, d.Kind, d.Name
		u.Aliases = append([]string(nil), d.Aliases...)
		u.Jurisdiction = d.Jurisdiction
	case UnitRenamed:
		if err := u.applies(d.Unit, data); err != nil {
			return err
		}
		u.FormerNames = append(u.FormerNames, u.Name)
		u.Name = d.NewName
	case UnitMerged:
		if err := u.applies(d.Unit, data); err != nil {
			return err
		}
		u.MergedInto = d.Into
	case UnitSplit:
		if err := u.applies(d.Unit, data); err != nil {
			return err
		}
		u.MergedInto, u.SplitInto = d.Heir, append([]UnitID(nil), d.Into...)
	case IndicatorMeasured:
		if err := u.applies(d.Unit, data); err != nil {
			return err
		}
		if u.Indicators == nil {
			u.Indicators = make(map[IndicatorKey]float64)
		}
		if u.Readings == nil {
			u.Readings = make(map[IndicatorKey]Reading)
		}
		k := IndicatorKey{Metric: d.Metric, Period: d.Period, Day: d.DayOf()}
		u.Indicators[k] = d.Value
		u.Readings[k] = readingOf(d)
	default:
		return unexpected("unit", data)
	}
	u.version = v
	return nil
}

func (u *Unit) applies(id UnitID, data EventData) error {
	if !u.Registered || id != u.ID {
		return unexpected("unit "+string(u.ID), data)
	}
	return nil
}
