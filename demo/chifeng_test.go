package demo_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"taskledger/command"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/planimport"
	"taskledger/planparse"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// chifengPlan is the plan `taskledger demo` and `make run` import.
const chifengPlan = domain.PlanID("chifeng-air")

// chifeng imports the bundled Chifeng plan as `taskledger demo` does, on a
// clock in December 2024, and records seed's simulated 2025.
func chifeng(t testing.TB, seed int64) (ledger, demo.Stats, *projections.Views) {
	t.Helper()
	ctx := context.Background()
	src, err := os.ReadFile("../examples/chifeng-air-quality-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	p, err := planparse.ParseBytes(src, planparse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := memory.New()
	reg := domain.DefaultRegistry()
	h := command.NewHandler(s, reg)
	views := projections.NewViews(projections.Config{})
	if _, err := planimport.Import(ctx, h, views, p, src, planimport.Options{Plan: chifengPlan, Actor: "office",
		Now: time.Date(2024, time.December, 1, 9, 0, 0, 0, domain.Shanghai())}); err != nil {
		t.Fatal(err)
	}
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if views, err = projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{}); err != nil {
		t.Fatal(err)
	}
	st, err := demo.Generate(ctx, ledgertest.DirectLedger{H: h}, views, demo.Options{Seed: seed, Year: 2025, Plan: chifengPlan})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return ledger{store: s, h: h, setup: head}, st, views
}

// yearFigures is what a simulated year on the bundled plan looks like as of
// mid-January of the next year.
type yearFigures struct {
	// due and slipped count the county milestones due in the year (by
	// their original due date: an extension does not take one out) and
	// those of them that slipped.
	due, slipped int
	// counties counts the county cards; passing those graded 合格 or
	// better, good those better than 合格.
	counties, passing, good int
	// slips is the mean of the counties' charged slips, mostSlips the
	// largest.
	slips     float64
	mostSlips int
	// bestBureau and failingBureau are set when a bureau has the best
	// grade, or a failing one.
	bestBureau, failingBureau bool
}

// judge reads a simulated year on the bundled plan as the scorecards show
// it as of 15 January 2026 (the end of that day, as `scorecard --as-of
// 2026-01-15` does).
func judge(t *testing.T, l ledger) yearFigures {
	t.Helper()
	ctx := context.Background()
	asOf := time.Date(2026, time.January, 16, 0, 0, 0, 0, domain.Shanghai()).Add(-time.Nanosecond)
	v, err := projections.BuildAt(ctx, l.store, l.h.Registry(), projections.Config{}, projections.Cut{Time: asOf})
	if err != nil {
		t.Fatal(err)
	}
	scheme := scoring.Default()
	var y yearFigures
	counties := map[domain.UnitID]bool{}
	for _, u := range v.Catalog.Units() {
		if u.Kind == domain.KindCounty {
			counties[u.ID] = true
		}
	}
	for _, ob := range v.Obligations.All() {
		if ob.Key.Plan != chifengPlan || !counties[ob.Key.Unit] || !slices.Contains(scheme.County.Delivery.Roles, ob.Key.Role) {
			continue
		}
		for _, m := range ob.Milestones {
			if m.OriginalDue.Year() != 2025 {
				continue
			}
			y.due++
			if slices.ContainsFunc(m.Slipped, func(d domain.Date) bool { return d.Year() == 2025 }) {
				y.slipped++
			}
		}
	}

	grade := func(name string) int { // 0 for the best grade
		return slices.IndexFunc(scheme.Grades, func(g scoring.Grade) bool { return g.Name == name })
	}
	pass := len(scheme.Grades) - 2 // 合格, the lowest passing grade
	res, err := v.Scorecards(chifengPlan, 2025, scoring.KindCounty, "", 0, asOf)
	if err != nil {
		t.Fatal(err)
	}
	slips := 0
	for _, c := range res.Cards {
		t.Logf("%s %s %s, %d slips", c.Name, c.Total, c.Grade, c.Slips)
		if g := grade(c.Grade); g <= pass {
			y.passing++
			if g < pass {
				y.good++
			}
		}
		slips += c.Slips
		y.mostSlips = max(y.mostSlips, c.Slips)
	}
	y.counties = len(res.Cards)
	y.slips = float64(slips) / float64(max(1, y.counties))
	if res, err = v.Scorecards(chifengPlan, 2025, scoring.KindBureau, "", 0, asOf); err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cards {
		y.bestBureau = y.bestBureau || grade(c.Grade) == 0
		y.failingBureau = y.failingBureau || grade(c.Grade) > pass
	}
	t.Logf("%+v", y)
	if y.due < 100 || y.counties < 10 {
		t.Fatalf("%d county milestones due in 2025, %d county cards: is this the bundled plan?", y.due, y.counties)
	}
	return y
}

// The default seed's year on the bundled plan, which `make run` shows a
// newcomer first, reads as a plausible year, not as broken software: as of
// mid-January most counties pass, a few do better, their slipped
// milestones are a small share of those due, the bureaus spread from the
// best grade to failing, and every kind of trouble is still there to be
// audited and scored.
func TestChifengDefaultSeedIsPlausible(t *testing.T) {
	l, st, views := chifeng(t, 1)
	everyKindOfTrouble(t, l, st, views)
	y := judge(t, l)
	if share := float64(y.slipped) / float64(y.due); share >= 0.20 || y.slipped == 0 {
		t.Errorf("%d of %d county milestones due in 2025 slipped (%.0f%%); want some, and under 20%%", y.slipped, y.due, 100*share)
	}
	if y.passing*3 < y.counties*2 {
		t.Errorf("%d of %d counties pass (合格 or better) as of 2026-01-15; want at least two thirds", y.passing, y.counties)
	}
	if y.good == 0 || y.good == y.counties {
		t.Errorf("%d of %d counties graded better than 合格; want some, not all", y.good, y.counties)
	}
	if y.slips < 1 || y.slips > 5 || y.mostSlips > 8 {
		t.Errorf("counties slip %.1f milestones on average, at most %d; want 1–5 on average and none above 8", y.slips, y.mostSlips)
	}
	if !y.bestBureau || !y.failingBureau {
		t.Errorf("bureau grades: the best %v, a failing one %v; want a spread from the best to failing", y.bestBureau, y.failingBureau)
	}
}

// Other seeds are plausible too: the default seed is not a lucky draw.
func TestChifengOtherSeedsArePlausible(t *testing.T) {
	if testing.Short() {
		t.Skip("three simulated years")
	}
	for _, seed := range []int64{2, 3, 4} {
		l, _, _ := chifeng(t, seed)
		y := judge(t, l)
		if share := float64(y.slipped) / float64(y.due); share >= 0.20 {
			t.Errorf("seed %d: %d of %d county milestones due in 2025 slipped (%.0f%%)", seed, y.slipped, y.due, 100*share)
		}
		if y.passing*3 < y.counties*2 {
			t.Errorf("seed %d: %d of %d counties pass", seed, y.passing, y.counties)
		}
	}
}
