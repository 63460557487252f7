package domain

import (
	"math"
	"time"
)

// Instant is a moment held as Unix nanoseconds: eight bytes and no
// pointer, for records kept by the million (a duty's reports), which the
// garbage collector then need not scan. The zero Instant is the zero time;
// the Unix epoch itself, whose nanoseconds are 0, is held as math.MinInt64,
// a moment before 1678 that the ledger never records. JSON and gob see a
// time.Time's form.
type Instant int64

// epochInstant stands for 1970-01-01T00:00:00Z.
const epochInstant Instant = math.MinInt64

// InstantOf returns t as an Instant; the zero time gives the zero Instant.
// t must lie in the years 1678–2262, as every time the ledger records does.
func InstantOf(t time.Time) Instant {
	if t.IsZero() {
		return 0
	}
	if ns := t.UnixNano(); ns != 0 {
		return Instant(ns)
	}
	return epochInstant
}

// Time returns the moment in UTC, or the zero time for the zero Instant.
func (i Instant) Time() time.Time {
	switch i {
	case 0:
		return time.Time{}
	case epochInstant:
		return time.Unix(0, 0).UTC()
	}
	return time.Unix(0, int64(i)).UTC()
}

// IsZero reports whether i is the zero Instant.
func (i Instant) IsZero() bool { return i == 0 }

// MarshalJSON writes the moment as time.Time does.
func (i Instant) MarshalJSON() ([]byte, error) { return i.Time().MarshalJSON() }

// UnmarshalJSON reads a moment written as time.Time writes it.
func (i *Instant) UnmarshalJSON(b []byte) error {
	var t time.Time
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	*i = InstantOf(t)
	return nil
}
