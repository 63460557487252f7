package bulletin_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"taskledger/bulletin"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// smallLedger records the small plan on 2025-01-10, a completion of county
// A's duty done on 2025-05-20 (41 days before its due date), and a second
// milestone of the bureau's supporting duty due 2025-07-15. It returns the
// read models as of 2025-07-01 12:00, Beijing time.
func smallLedger(t *testing.T) (*projections.Views, uint64, time.Time) {
	t.Helper()
	ctx := context.Background()
	s := memory.New()
	t.Cleanup(func() { s.Close() })
	b := ledgertest.New(t, s, ledgertest.Shanghai(2025, time.January, 10, 9))
	keys := b.SmallPlan()
	b.Do(domain.ScheduleMilestone{ObligationKey: keys[3], Milestone: "m2", What: "监测站点联网", Due: ledgertest.Date(2025, time.July, 15)}, "office")
	b.At(ledgertest.Shanghai(2025, time.May, 21, 10))
	m := b.Meta("county:a")
	m.EffectiveAt = ledgertest.Shanghai(2025, time.May, 20, 16)
	b.DoMeta(domain.ClaimCompletion{ObligationKey: keys[1], ActingUnit: "county.a", Milestone: "m1", Evidence: "验收报告"}, m)
	b.At(ledgertest.Shanghai(2025, time.May, 25, 10))
	b.Do(domain.VerifyCompletion{ObligationKey: keys[1], Milestone: "m1", Note: "核实"}, "inspector")
	asOf := ledgertest.Shanghai(2025, time.July, 1, 12)
	b.At(ledgertest.Shanghai(2025, time.August, 1, 9))
	b.Do(domain.ScheduleMilestone{ObligationKey: keys[0], Milestone: "later", What: "复查", Due: ledgertest.Date(2025, time.July, 10)}, "office")
	v, err := projections.BuildAt(ctx, s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{Time: asOf})
	if err != nil {
		t.Fatal(err)
	}
	return v, v.Position(), asOf
}

func compute(t *testing.T) bulletin.Bulletin {
	t.Helper()
	v, pos, asOf := smallLedger(t)
	period, err := domain.ParseBulletinPeriod("2025Q2")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bulletin.Compute(v, bulletin.Request{Plan: "p", Period: period, Number: 2, AsOf: asOf, Position: pos})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestContentListsOverdueSoonDueEarlyAndRankings(t *testing.T) {
	b := compute(t)
	want := bulletin.Counts{Duties: 4, Completed: 1, Overdue: 2, SoonDue: 1, CompletedInPeriod: 1, Early: 1}
	if b.Counts != want {
		t.Fatalf("counts %+v, want %+v", b.Counts, want)
	}
	// Overdue on 2025-07-01: the bureau's lead duty and county B's, one day
	// each; the milestone scheduled after the as-of point is not there.
	if got := b.Overdue; got[0].Unit != "bureau.eco" || got[0].Days != 1 || got[1].Unit != "county.b" || got[1].UnitName != "乙县" {
		t.Fatalf("overdue %+v", got)
	}
	if s := b.SoonDue[0]; s.Milestone != "m2" || s.Days != 14 || s.Task != 2 {
		t.Fatalf("soon due %+v", s)
	}
	if e := b.Early[0]; e.Unit != "county.a" || e.Days != 41 || e.Done.String() != "2025-05-20" {
		t.Fatalf("early %+v", e)
	}
	if len(b.Units) != 2 || b.Units[0].Overdue != 1 {
		t.Fatalf("units %+v", b.Units)
	}
	if len(b.Rankings) != 2 || b.Rankings[0].Kind != scoring.KindCounty || len(b.Rankings[0].Rows) != 2 || len(b.Rankings[1].Rows) != 1 {
		t.Fatalf("rankings %+v", b.Rankings)
	}
	if b.NumberText() != "2025年第2期" || b.Period.Chinese() != "2025年第二季度" {
		t.Fatalf("number %s, period %s", b.NumberText(), b.Period.Chinese())
	}
}

func TestPDFIsByteIdenticalAndEmbedsTheFont(t *testing.T) {
	one, err := bulletin.PDF(compute(t))
	if err != nil {
		t.Fatal(err)
	}
	two, err := bulletin.PDF(compute(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one, two) {
		t.Fatalf("two renders of the same bulletin differ (%d and %d bytes)", len(one), len(two))
	}
	if !bytes.HasPrefix(one, []byte("%PDF-")) || !bytes.Contains(one, []byte("/FontFile2")) {
		t.Fatal("the PDF does not embed a TrueType font")
	}
	if !bytes.Contains(one, []byte("D:20250701")) {
		t.Fatal("the PDF's dates are not the as-of instant")
	}
	if len(one) > 2<<20 {
		t.Fatalf("the PDF is %d bytes: the font was not subset", len(one))
	}
	if out := os.Getenv("BULLETIN_PDF_OUT"); out != "" {
		if err := os.WriteFile(out, one, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHTMLPrintPage(t *testing.T) {
	page, err := bulletin.HTML(compute(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"测试方案落实情况通报", "2025年第2期", "2025年第二季度", "乙县（落实）", "监测站点联网", "旗县区", "@page"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("print page lacks %q", want)
		}
	}
	if out := os.Getenv("BULLETIN_HTML_OUT"); out != "" {
		if err := os.WriteFile(out, page, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPeriods(t *testing.T) {
	for in, want := range map[string]string{"2026-11": "2026-11", "2026q4": "2026Q4", "2026-Q1": "2026Q1"} {
		p, err := domain.ParseBulletinPeriod(in)
		if err != nil || p.String() != want {
			t.Errorf("%s → %v, %v; want %s", in, p, err, want)
		}
	}
	p, _ := domain.ParseBulletinPeriod("2026Q1")
	if p.First().String() != "2026-01-01" || p.Last().String() != "2026-03-31" {
		t.Errorf("2026Q1 spans %s–%s", p.First(), p.Last())
	}
	for _, bad := range []string{"", "2026", "2026-13", "2026Q5", "2026-1", "26-11", "2026/11", "1899-01"} {
		if _, err := domain.ParseBulletinPeriod(bad); err == nil {
			t.Errorf("period %q accepted", bad)
		}
	}
}
