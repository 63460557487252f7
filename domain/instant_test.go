package domain

import (
	"encoding/json"
	"testing"
	"time"
)

// An Instant gives back the moment it was made from (in UTC), the zero
// time included, the Unix epoch included, and reads and writes JSON as a
// time.Time does.
func TestInstantKeepsTheMoment(t *testing.T) {
	for _, at := range []time.Time{
		{},
		time.Unix(0, 0),
		time.Date(2025, 3, 2, 9, 0, 0, 123456789, Shanghai()),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2262, 4, 11, 0, 0, 0, 0, time.UTC),
	} {
		i := InstantOf(at)
		if got := i.Time(); !got.Equal(at) || got.IsZero() != at.IsZero() || i.IsZero() != at.IsZero() {
			t.Errorf("%v: back as %v (zero %v)", at, got, i.IsZero())
		}
		b, err := json.Marshal(i)
		want, _ := json.Marshal(at.UTC())
		if err != nil || string(b) != string(want) {
			t.Errorf("%v: JSON %s, want %s (%v)", at, b, want, err)
		}
		var back Instant
		if err := json.Unmarshal(b, &back); err != nil || back != i {
			t.Errorf("%v: JSON read back as %v (%v)", at, back.Time(), err)
		}
	}
}
