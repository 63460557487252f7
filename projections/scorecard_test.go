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

func TestPublishedScorecardReproducesAndLaterChangesShow(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	keys := scenario(t, s)
	reg := domain.DefaultRegistry()
	head, _ := s.Head(ctx)
	asOf := ledgertest.Shanghai(2026, time.January, 31, 23)
	res, err := projections.ScorecardsAt(ctx, s, reg, projections.Config{}, "p", 2025, scoring.KindBureau, "", 0, head, asOf)
	if err != nil {
		t.Fatal(err)
	}
	b := ledgertest.New(t, s, ledgertest.Shanghai(2026, time.January, 5, 9))
	def := scoring.Default()
	b.Do(domain.AdoptScheme{Plan: "p", Scheme: def.ID, Version: def.Version, Year: 2025, Document: def.Canonical()}, "committee")
	b.Do(domain.PublishScorecard{Plan: "p", Year: 2025, Kind: "bureau", Scheme: res.Scheme, SchemeVersion: res.SchemeVersion, AsOfPosition: head, AsOf: asOf, Digest: res.Digest()}, "committee")
	// Later, the support obligation's milestone is found to have slipped.
	b.Do(domain.RecordSlip{ObligationKey: keys[3], Milestone: "m1"}, "system")

	v, err := projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	pubs := v.Catalog.Published("p")
	if len(pubs) != 1 || pubs[0].Digest != res.Digest() {
		t.Fatalf("published scorecards %+v", pubs)
	}
	again, ok, err := projections.Reproduce(ctx, s, reg, projections.Config{}, pubs[0])
	if err != nil || !ok {
		t.Fatalf("the published scorecard does not reproduce: ok %v, err %v", ok, err)
	}
	now, err := v.Scorecards("p", 2025, scoring.KindBureau, "", 0, asOf)
	if err != nil {
		t.Fatal(err)
	}
	changes := scoring.Diff(again, now)
	if len(changes) == 0 {
		t.Fatal("a slip recorded after publication shows no difference")
	}
	for _, c := range changes {
		if c.Unit != "" && c.Unit != "bureau.eco" {
			t.Fatalf("a change for %s, which nothing touched: %+v", c.Unit, c)
		}
	}
}

// The obligations model hands the scorecards an index of every
// obligation's reports by month, kept as reports are folded and rebuilt
// from a snapshot; the cards computed through it equal those computed by
// reading every report.
func TestScoringInputIndexesReports(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	scenario(t, s)
	reg := domain.DefaultRegistry()
	end := ledgertest.Shanghai(2026, time.January, 31, 23)
	built, err := projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	restored := projections.NewViews(projections.Config{})
	dir := t.TempDir()
	for i, m := range built.Models() {
		if err := projections.SaveSnapshot(ctx, dir, s, m); err != nil {
			t.Fatal(err)
		}
		if err := projections.LoadSnapshot(ctx, dir, s, restored.Models()[i]); err != nil {
			t.Fatal(err)
		}
	}
	for name, v := range map[string]*projections.Views{"built": built, "restored": restored} {
		in, err := v.ScoringInput("p", 2025, end)
		if err != nil {
			t.Fatal(err)
		}
		reports := 0
		for _, o := range in.Obligations {
			ix := in.Reports[o.Key]
			if ix == nil || ix.Len() != o.PeriodReports.Len() {
				t.Fatalf("%s: %s: index %v of %d reports", name, o.Key.Path(), ix, o.PeriodReports.Len())
			}
			reports += o.PeriodReports.Len()
		}
		if reports == 0 {
			t.Fatalf("%s: the scenario holds no reports", name)
		}
		for _, k := range []scoring.Kind{scoring.KindBureau, scoring.KindCounty} {
			indexed, err := scoring.Compute(in, scoring.Default(), k)
			if err != nil {
				t.Fatal(err)
			}
			full := in
			full.Reports = nil
			want, err := scoring.Compute(full, scoring.Default(), k)
			if err != nil {
				t.Fatal(err)
			}
			if string(indexed.JSON()) != string(want.JSON()) {
				t.Fatalf("%s, %s: the indexed scorecards differ:\n%s\nwant\n%s", name, k, indexed.JSON(), want.JSON())
			}
		}
	}
}
