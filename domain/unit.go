package domain

import (
	"math"
	"strings"
)

// Unit is the aggregate of a responsible unit (责任单位), on stream
// unit-<unit>: its registration, names, merger into a successor, and — for
// counties — its monthly air-quality indicators. The zero Unit is an
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
	// Indicators holds the latest value per metric and month.
	Indicators map[IndicatorKey]float64

	version uint64
}

// IndicatorKey identifies one monthly indicator value of a county.
type IndicatorKey struct {
	Metric Metric
	Period YearMonth
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

// RecordIndicator records a county's monthly air-quality indicator. The
// same value again is refused (ErrAlreadyExists); a different value for a
// month already measured is recorded as a revision.
type RecordIndicator struct {
	Unit   UnitID
	Metric Metric
	Period YearMonth
	Value  float64
	Source string
}

// Stream implements Command.
func (c RecordIndicator) Stream() string { return UnitStream(c.Unit) }

// Validate implements Command. Ranges: pm25 0–1000 μg/m³; good_day_ratio
// 0–100 (percent); heavy_pollution_days a whole number 0–31.
func (c RecordIndicator) Validate() error {
	if err := firstErr(c.Unit.Validate(), c.Metric.Validate(), checkText("source", c.Source, MaxNameLen, false)); err != nil {
		return err
	}
	if c.Period.IsZero() {
		return errorf(ErrInvalidIndicator, "indicator period is required")
	}
	v := c.Value
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return errorf(ErrInvalidIndicator, "%s value %v is not a non-negative number", c.Metric, v)
	}
	switch c.Metric {
	case MetricPM25:
		if v > 1000 {
			return errorf(ErrInvalidIndicator, "pm25 %v μg/m³ is implausible (over 1000)", v)
		}
	case MetricGoodDayRatio:
		if v > 100 {
			return errorf(ErrInvalidIndicator, "good_day_ratio %v%% is over 100", v)
		}
	case MetricHeavyPollutionDays:
		if v != math.Trunc(v) || v > 31 {
			return errorf(ErrInvalidIndicator, "heavy_pollution_days %v is not a whole number of days in a month", v)
		}
	}
	return nil
}

// RecordIndicator decides a RecordIndicator command. Errors: ErrNotFound,
// ErrMerged, ErrInvalidIndicator (not a county), ErrAlreadyExists (same
// value already recorded).
func (u *Unit) RecordIndicator(c RecordIndicator, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), u.routed(c.Unit), u.live(c.Unit)); err != nil {
		return nil, err
	}
	if u.Kind != KindCounty {
		return nil, errorf(ErrInvalidIndicator, "unit %s is a %s, not a county", u.ID, u.Kind)
	}
	prev, seen := u.Indicators[IndicatorKey{c.Metric, c.Period}]
	if seen && prev == c.Value {
		return nil, errorf(ErrAlreadyExists, "%s %s of %s is already recorded as %v", c.Metric, c.Period, u.ID, prev)
	}
	return []EventData{IndicatorMeasured{
		Unit: c.Unit, Metric: c.Metric, Period: c.Period, Value: c.Value, Source: c.Source, Revision: seen,
	}}, nil
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
	case IndicatorMeasured:
		if err := u.applies(d.Unit, data); err != nil {
			return err
		}
		if u.Indicators == nil {
			u.Indicators = make(map[IndicatorKey]float64)
		}
		u.Indicators[IndicatorKey{d.Metric, d.Period}] = d.Value
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
