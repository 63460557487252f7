package projections_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

func TestScorecardsFromReadModelsAndAsOf(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	scenario(t, s)
	reg := domain.DefaultRegistry()
	end := ledgertest.Shanghai(2025, time.December, 31, 23)
	v, err := projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Scorecards("p", 2025, scoring.KindBureau, "", 0, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cards) != 1 || res.Cards[0].Unit != "bureau.eco" {
		t.Fatalf("bureau cards %+v", res.Cards)
	}
	card := res.Cards[0]
	rules := map[string]bool{}
	for _, l := range card.Lines {
		rules[l.Rule] = true
	}
	if !rules["bureau.slip.lead"] || !rules["bureau.false_report"] || card.Grade != "不合格" {
		t.Fatalf("bureau card: grade %s, rules %v", card.Grade, rules)
	}
	// The same scorecard as of June 2025, before the slip and the finding.
	june := ledgertest.Shanghai(2025, time.June, 15, 12)
	early, err := projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{Time: june})
	if err != nil {
		t.Fatal(err)
	}
	res2, err := early.Scorecards("p", 2025, scoring.KindBureau, "", 0, june)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range res2.Cards[0].Lines {
		if strings.Contains(l.Rule, "slip") || strings.Contains(l.Rule, "false_report") {
			t.Fatalf("as of June the card already has %s", l.Rule)
		}
	}
	// Byte-identical when computed twice.
	again, _ := v.Scorecards("p", 2025, scoring.KindBureau, "", 0, end)
	if string(again.JSON()) != string(res.JSON()) {
		t.Fatal("the same read models gave two different scorecards")
	}
	if _, err := v.Scorecards("p", 2025, scoring.KindBureau, "no-such-scheme", 0, end); err == nil {
		t.Fatal("an unknown scheme was accepted")
	}
}
