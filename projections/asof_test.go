package projections_test

import (
	"context"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
)

func TestPositionAtIsTheEndOfThePrefixRecordedByAnInstant(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	defer s.Close()
	if pos, err := projections.PositionAt(ctx, s, time.Now()); err != nil || pos != 0 {
		t.Fatalf("empty log: position %d, err %v", pos, err)
	}
	b := ledgertest.New(t, s, ledgertest.Shanghai(2025, time.January, 6, 9))
	for d := 0; d < 7; d++ { // one event a day, 6–12 January, 09:00
		b.At(ledgertest.Shanghai(2025, time.January, 6+d, 9)).Do(domain.RegisterUnit{
			Unit: domain.UnitID("county.u" + string(rune('a'+d))), Kind: domain.KindCounty, Name: "县" + string(rune('甲'+d)),
		}, "office")
	}
	cases := []struct {
		at   time.Time
		want uint64
	}{
		{ledgertest.Shanghai(2025, time.January, 5, 23), 0},
		{ledgertest.Shanghai(2025, time.January, 6, 9), 1},
		{ledgertest.Shanghai(2025, time.January, 9, 8), 3},
		{ledgertest.Shanghai(2025, time.January, 9, 9), 4},
		{ledgertest.Shanghai(2025, time.January, 12, 9), 7},
		{ledgertest.Shanghai(2026, time.January, 1, 0), 7},
	}
	for _, c := range cases {
		got, err := projections.PositionAt(ctx, s, c.at)
		if err != nil || got != c.want {
			t.Errorf("PositionAt(%s) = %d, %v; want %d", c.at.Format(time.RFC3339), got, err, c.want)
		}
	}
	// A cut by time keeps exactly that prefix, and nothing when it is empty.
	v, err := projections.BuildAt(ctx, s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{Time: ledgertest.Shanghai(2025, time.January, 9, 8)})
	if err != nil || v.Position() != 3 {
		t.Fatalf("built as of 9 January 08:00: position %d, err %v; want 3", v.Position(), err)
	}
	v, err = projections.BuildAt(ctx, s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{Time: ledgertest.Shanghai(2024, time.June, 1, 0)})
	if err != nil || v.Position() != 0 {
		t.Fatalf("built as of a time before the log: position %d, err %v; want 0", v.Position(), err)
	}
}
