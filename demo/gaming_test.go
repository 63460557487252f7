package demo_test

import (
	"context"
	"testing"
	"time"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// The measurement behind issue 14 on a simulated year (seed 3): 宁城县
// claims up to three of its slipped milestones complete, backdated to their due
// dates, and nobody verifies. Its score does not move.
func TestNingchengBackdatedClaimsDoNotLiftItsScore(t *testing.T) {
	l, _, _ := chifeng(t, 3)
	ctx := context.Background()
	asOf := time.Date(2026, time.February, 3, 0, 0, 0, 0, domain.Shanghai())
	total := func() string {
		v, err := projections.BuildAt(ctx, l.store, l.h.Registry(), projections.Config{}, projections.Cut{Time: asOf})
		if err != nil {
			t.Fatal(err)
		}
		res, err := v.Scorecards(chifengPlan, 2025, scoring.KindCounty, "", 0, asOf)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Cards {
			if c.Unit == "county.ningcheng" {
				return c.Total.String()
			}
		}
		t.Fatal("no card for 宁城县")
		return ""
	}
	before := total()
	v, err := projections.BuildAt(ctx, l.store, l.h.Registry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	claims := 0
	for _, ob := range v.Obligations.Views(projections.Filter{Unit: "county.ningcheng", Plan: chifengPlan}, asOf, 30) {
		for _, m := range ob.Milestones {
			if claims == 3 || len(m.Slipped) == 0 || m.Completion != domain.ClaimNone && m.Completion != domain.ClaimRejected {
				continue
			}
			meta := domain.Meta{Actor: "county.ningcheng", Now: time.Date(2026, time.February, 2, 9, claims, 0, 0, domain.Shanghai()),
				EffectiveAt: m.Slipped[0].StartOf().Add(15 * time.Hour), IdempotencyKey: "gaming-" + ob.Stream + string(m.ID)}
			if _, err := command.Dispatch(ctx, l.h, domain.ClaimCompletion{ObligationKey: ob.ObligationKey, ActingUnit: ob.Unit, Milestone: m.ID, Evidence: "已完成"}, meta); err != nil {
				t.Fatal(err)
			}
			claims++
		}
	}
	after := total()
	t.Logf("宁城县 %s before, %s after %d unverified claims backdated to their due dates", before, after, claims)
	if claims == 0 || after != before {
		t.Fatalf("%d backdated claims moved 宁城县 from %s to %s", claims, before, after)
	}
}
