package projections_test

import (
	"context"
	"testing"
	"time"

	"taskledger/demo"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
	"taskledger/projections/scoring"
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

// simulatedYear returns a store holding a small plan and a simulated
// 2025, and the registry to read it with.
func simulatedYear(t *testing.T) (*memory.Store, *domain.Registry) {
	t.Helper()
	ctx := context.Background()
	s := memory.New()
	t.Cleanup(func() { _ = s.Close() })
	b := ledgertest.New(t, s, ledgertest.Shanghai(2024, time.December, 1, 9))
	b.SmallPlan()
	reg := domain.DefaultRegistry()
	views, err := projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, ledgertest.DirectLedger{H: b.Handler()}, views, demo.Options{Seed: 1, Year: 2025, Plan: "p"}); err != nil {
		t.Fatal(err)
	}
	return s, reg
}

// BuildAsOf gives the read models BuildAt gives but for the audit index,
// which it leaves out, and the year's scorecards as of each cut are the
// same from both.
func TestBuildAsOfIsBuildAtWithoutTheAuditIndex(t *testing.T) {
	ctx := context.Background()
	s, reg := simulatedYear(t)
	for _, at := range []time.Time{ledgertest.Shanghai(2025, time.June, 30, 23), ledgertest.Shanghai(2026, time.January, 20, 0)} {
		cut := projections.Cut{Time: at}
		full, err := projections.BuildAt(ctx, s, reg, projections.Config{}, cut)
		if err != nil {
			t.Fatal(err)
		}
		asOf, err := projections.BuildAsOf(ctx, s, reg, projections.Config{}, cut)
		if err != nil {
			t.Fatal(err)
		}
		if asOf.Audit != nil || len(asOf.Models()) != len(full.Models())-1 {
			t.Fatalf("as of %s: BuildAsOf built the audit index too", at)
		}
		for _, kind := range []scoring.Kind{scoring.KindBureau, scoring.KindCounty} {
			a, err := asOf.Scorecards("p", 2025, kind, "", 0, at)
			if err != nil {
				t.Fatal(err)
			}
			f, err := full.Scorecards("p", 2025, kind, "", 0, at)
			if err != nil {
				t.Fatal(err)
			}
			if a.Digest() != f.Digest() || len(a.Cards) == 0 {
				t.Fatalf("as of %s: %s scorecards differ without the audit index (%d cards)", at, kind, len(a.Cards))
			}
		}
		full.Audit = nil
		if dump(t, asOf, at) != dump(t, full, at) {
			t.Fatalf("as of %s: the read models but the audit index differ", at)
		}
	}
}

// In a simulated year, effective times run against the recording order
// (late reports backdated to their months, slips speaking of due dates):
// as of any instant, the views are those of replaying the prefix of the
// log recorded by then.
func TestAsOfASimulatedYearIsTheReplayOfItsPrefix(t *testing.T) {
	ctx := context.Background()
	s, reg := simulatedYear(t)
	for _, at := range []time.Time{
		ledgertest.Shanghai(2025, time.February, 14, 12),
		ledgertest.Shanghai(2025, time.June, 30, 23),
		ledgertest.Shanghai(2025, time.December, 31, 23),
		ledgertest.Shanghai(2026, time.January, 20, 0),
	} {
		asOf, err := projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{Time: at})
		if err != nil {
			t.Fatalf("as of %s: %v", at, err)
		}
		pos, err := projections.PositionAt(ctx, s, at)
		if err != nil {
			t.Fatal(err)
		}
		replayed, err := projections.BuildAt(ctx, copyPrefix(t, s, pos), reg, projections.Config{}, projections.Cut{})
		if err != nil {
			t.Fatal(err)
		}
		if a, r := dump(t, asOf, at), dump(t, replayed, at); a != r {
			t.Fatalf("as of %s differs from replaying the %d events recorded by then", at.Format(time.RFC3339), pos)
		}
	}
}
