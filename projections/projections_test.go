package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"taskledger/audit"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/eventstore/storetest"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

var start = ledgertest.Shanghai(2025, time.January, 2, 9)

// scenario records a small year: reports, an extension, a backdated report,
// a claim and a verification, a slip, a finding and indicators.
func scenario(t *testing.T, s eventstore.Store) []domain.ObligationKey {
	b := ledgertest.New(t, s, start)
	keys := b.SmallPlan()
	lead, ca, cb, sup := keys[0], keys[1], keys[2], keys[3]
	b.At(ledgertest.Shanghai(2025, time.March, 5, 10))
	b.Do(domain.ReportProgress{ObligationKey: lead, ActingUnit: lead.Unit, Percent: 30, Note: "排查完成"}, "bureau.eco")
	b.Do(domain.ReportProgress{ObligationKey: ca, ActingUnit: ca.Unit, Percent: 50}, "county.a")
	b.Do(domain.RequestExtension{ObligationKey: cb, ActingUnit: cb.Unit, Milestone: "m1", Due: ledgertest.Date(2025, time.September, 30), Reason: "资金未到位"}, "county.b")
	b.Do(domain.GrantExtension{ObligationKey: cb}, "office")
	// A report recorded in May about February: backdated beyond the grace.
	m := b.Meta("bureau.eco")
	m.Now = ledgertest.Shanghai(2025, time.May, 20, 9)
	m.EffectiveAt = ledgertest.Shanghai(2025, time.February, 28, 18)
	b.DoMeta(domain.ReportProgress{ObligationKey: sup, ActingUnit: sup.Unit, Percent: 10}, m)
	b.At(ledgertest.Shanghai(2025, time.June, 20, 9))
	b.Do(domain.ClaimCompletion{ObligationKey: ca, ActingUnit: ca.Unit, Evidence: "验收报告"}, "county.a")
	b.At(ledgertest.Shanghai(2025, time.July, 2, 9))
	b.Do(domain.VerifyCompletion{ObligationKey: ca}, "inspector")
	b.Do(domain.RecordSlip{ObligationKey: lead, Milestone: "m1"}, "system")
	b.Do(domain.RecordFinding{ObligationKey: lead, Kind: domain.FindingKind("false_report"), Severity: domain.Severity("major"), Summary: "台账与现场不符", RectifyBy: ledgertest.Date(2025, time.August, 31)}, "inspector")
	for month := time.January; month <= time.June; month++ {
		ym, _ := domain.NewYearMonth(2025, month)
		b.Do(domain.RecordIndicator{Unit: "county.a", Metric: domain.MetricPM25, Period: ym, Value: 20 + float64(month), ValidDays: 28}, "monitoring")
	}
	return keys
}

// dump renders everything the read models answer, in a stable order.
func dump(t *testing.T, v *projections.Views, now time.Time) string {
	t.Helper()
	plans := v.Catalog.Plans()
	out := map[string]any{
		"plans":      plans,
		"units":      units(v),
		"obligation": v.Obligations.All(),
		"views":      v.Obligations.Views(projections.Filter{}, now, 30),
		"indicators": append(v.Indicators.Year("", 2024), v.Indicators.Year("", 2025)...),
		"position":   v.Position(),
	}
	for _, p := range plans {
		out["tasks-"+string(p.ID)] = v.Catalog.Tasks(p.ID)
	}
	if v.Audit == nil { // read models built by BuildAsOf
		return marshal(t, out)
	}
	out["backdated"] = v.Audit.BackdatedCount()
	for _, p := range plans {
		for _, task := range v.Catalog.Tasks(p.ID) {
			out["audit-"+string(p.ID)+"-"+task.Title] = v.Audit.TaskPositions(p.ID, task.No)
		}
	}
	for _, u := range v.Catalog.Units() {
		out["audit-unit-"+string(u.ID)] = v.Audit.UnitPositions(u.ID)
	}
	return marshal(t, out)
}

// marshal renders a dump as indented JSON.
func marshal(t *testing.T, out map[string]any) string {
	t.Helper()
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// units lists the units without their indicator maps, which JSON cannot
// key; the indicators model is dumped on its own.
func units(v *projections.Views) []string {
	var out []string
	for _, u := range v.Catalog.Units() {
		out = append(out, fmt.Sprint(u.ID, u.Kind, u.Name, u.FormerNames, u.Aliases, u.MergedInto, len(u.Indicators), u.Version()))
	}
	return out
}

func newRunner(s eventstore.Store, dir string) *projections.Runner {
	return projections.NewRunner(s, domain.DefaultRegistry(), projections.NewViews(projections.Config{}),
		projections.RunnerConfig{SnapshotDir: dir, SnapshotEvery: 5, Logger: slog.New(slog.DiscardHandler)})
}

func TestIncrementalEqualsRebuild(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	r := newRunner(s, "")
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	scenario(t, s) // appended while the runner is live
	head, _ := s.Head(ctx)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.WaitFor(wctx, head); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := projections.BuildAt(ctx, s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	now := ledgertest.Shanghai(2025, time.August, 1, 0)
	if live, full := dump(t, r.Views(), now), dump(t, rebuilt, now); live != full {
		t.Fatalf("live read models differ from a rebuild:\nlive: %s\nrebuild: %s", live, full)
	}
}

func TestRestartFromSnapshotEqualsRebuild(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	dir := t.TempDir()
	scenario(t, s)
	first := newRunner(s, dir)
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// More events after the snapshot.
	b := ledgertest.New(t, s, ledgertest.Shanghai(2025, time.September, 1, 9))
	b.Do(domain.ReportProgress{ObligationKey: ledgertest.Obligation("p", 2, "bureau.eco", domain.RoleSupport), Percent: 60}, "office")

	second := newRunner(s, dir)
	second.Restore(ctx)
	head, _ := s.Head(ctx)
	restored := second.Views().Position()
	if restored == 0 || restored >= head {
		t.Fatalf("restored at position %d with head %d: the snapshot was not used", restored, head)
	}
	n, err := second.CatchUp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(n) != head-restored {
		t.Fatalf("caught up %d events, want %d (only those after the snapshot)", n, head-restored)
	}
	rebuilt, err := projections.BuildAt(ctx, s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	now := ledgertest.Shanghai(2025, time.October, 1, 0)
	if a, b := dump(t, second.Views(), now), dump(t, rebuilt, now); a != b {
		t.Fatalf("restart from snapshot differs from a rebuild:\n%s\n%s", a, b)
	}
}

func TestSnapshotOfAnotherLogIsIgnored(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := memory.New()
	scenario(t, a)
	r := newRunner(a, dir)
	if _, err := r.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.SnapshotAll(ctx); err != nil {
		t.Fatal(err)
	}
	other := memory.New()
	scenario(t, other) // same shape, different event IDs and hashes
	r2 := newRunner(other, dir)
	r2.Restore(ctx)
	if p := r2.Views().Position(); p != 0 {
		t.Fatalf("a snapshot of another log was restored at position %d", p)
	}
}

// copyPrefix copies the first n events of s into a new store, as a log cut
// short at n would be.
func copyPrefix(t *testing.T, s eventstore.Store, n uint64) eventstore.Store {
	t.Helper()
	ctx := context.Background()
	all, err := s.ReadAll(ctx, 0, int(n))
	if err != nil {
		t.Fatal(err)
	}
	c := memory.New()
	for _, e := range all {
		e.Position, e.Hash, e.PrevHash = 0, domain.Hash{}, domain.Hash{}
		if _, err := c.Append(ctx, e.Stream, eventstore.Any(), []domain.Event{e}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestAsOfEqualsReplayToThatPoint(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	scenario(t, s)
	head, _ := s.Head(ctx)
	reg := domain.DefaultRegistry()
	now := ledgertest.Shanghai(2025, time.December, 1, 0)
	for _, pos := range []uint64{1, 10, head / 2, head - 3, head} {
		asOf, err := projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{Position: pos})
		if err != nil {
			t.Fatal(err)
		}
		replayed, err := projections.BuildAt(ctx, copyPrefix(t, s, pos), reg, projections.Config{}, projections.Cut{})
		if err != nil {
			t.Fatal(err)
		}
		if a, b := dump(t, asOf, now), dump(t, replayed, now); a != b {
			t.Fatalf("as of position %d differs from replaying %d events:\n%s\n%s", pos, pos, a, b)
		}
	}
	// As of a recorded time: everything recorded by 2025-03-31.
	cutTime := ledgertest.Shanghai(2025, time.March, 31, 23)
	asOf, err := projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{Time: cutTime})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := s.ReadAll(ctx, 0, 0)
	var n uint64
	for _, e := range all {
		if !e.RecordedAt.After(cutTime) {
			n = e.Position
		}
	}
	replayed, err := projections.BuildAt(ctx, copyPrefix(t, s, n), reg, projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := dump(t, asOf, now), dump(t, replayed, now); a != b {
		t.Fatalf("as of %s differs from replaying to it", cutTime)
	}
	ob, _ := asOf.Obligations.Get(ledgertest.Obligation("p", 1, "county.a", domain.RoleImplementing).Stream())
	if ob.Progress != 50 || ob.Completion != domain.ClaimNone {
		t.Fatalf("as of March county A shows progress %d and completion %q", ob.Progress, ob.Completion)
	}
}

func TestObligationViews(t *testing.T) {
	s := memory.New()
	keys := scenario(t, s)
	v, err := projections.BuildAt(context.Background(), s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	get := func(now time.Time, k domain.ObligationKey) projections.ObligationView {
		for _, ov := range v.Obligations.Views(projections.Filter{Unit: k.Unit}, now, 30) {
			if ov.Stream == k.Stream() {
				return ov
			}
		}
		t.Fatalf("no view of %s", k.Stream())
		return projections.ObligationView{}
	}
	lead, ca, cb, sup := keys[0], keys[1], keys[2], keys[3]
	cases := []struct {
		name   string
		now    time.Time
		key    domain.ObligationKey
		status string
		light  projections.Light
	}{
		{"far from due", ledgertest.Shanghai(2025, time.April, 1, 9), lead, "open", projections.Green},
		{"within 30 days", ledgertest.Shanghai(2025, time.June, 10, 9), lead, "open", projections.Yellow},
		{"due day itself", ledgertest.Shanghai(2025, time.June, 30, 23), lead, "open", projections.Yellow},
		{"overdue", ledgertest.Shanghai(2025, time.July, 1, 0), lead, "overdue", projections.Red},
		{"verified", ledgertest.Shanghai(2025, time.August, 1, 9), ca, "verified", projections.Green},
		{"extended, not yet due", ledgertest.Shanghai(2025, time.August, 1, 9), cb, "extended", projections.Green},
		{"extended, then overdue", ledgertest.Shanghai(2025, time.October, 1, 9), cb, "overdue", projections.Red},
		{"support, later due", ledgertest.Shanghai(2025, time.August, 1, 9), sup, "open", projections.Green},
	}
	for _, c := range cases {
		ov := get(c.now, c.key)
		if ov.Status != c.status || ov.Light != c.light {
			t.Errorf("%s: status %s light %s, want %s %s", c.name, ov.Status, ov.Light, c.status, c.light)
		}
	}
	ov := get(ledgertest.Shanghai(2025, time.August, 1, 9), lead)
	if ov.LastReport == nil || ov.LastReport.Percent != 30 || ov.LastReport.Note != "排查完成" || ov.Slips != 1 || ov.Findings != 1 {
		t.Fatalf("lead view %+v", ov)
	}
	overdue := v.Obligations.Views(projections.Filter{Status: "overdue"}, ledgertest.Shanghai(2025, time.August, 1, 9), 30)
	if len(overdue) != 1 || overdue[0].Stream != lead.Stream() {
		t.Fatalf("overdue filter gives %d obligations", len(overdue))
	}
	dueSoon := v.Obligations.Views(projections.Filter{DueBefore: ledgertest.Date(2025, time.October, 1)}, ledgertest.Shanghai(2025, time.August, 1, 9), 30)
	if len(dueSoon) != 2 { // lead (June, still owed) and county B (September)
		t.Fatalf("due before October: %d obligations", len(dueSoon))
	}
	if v.Audit.BackdatedCount() != 1 {
		t.Fatalf("%d backdated events flagged, want 1", v.Audit.BackdatedCount())
	}
	if len(v.Audit.TaskPositions("p", 2)) != 4 { // registered, assigned, milestone, report
		t.Fatalf("task 2 audit positions %v", v.Audit.TaskPositions("p", 2))
	}
	if got := v.Indicators.Year("county.a", 2025); len(got) != 6 || got[5].Value != 26 {
		t.Fatalf("indicators %+v", got)
	}
}

func TestModelStopsAtAnEventItCannotApply(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	keys := scenario(t, s)
	r := newRunner(s, "")
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	// A progress report appended straight to the store on an obligation that
	// was never assigned: the domain fold refuses it.
	bad := storetest.NewEvent("ProgressReported", "")
	bad.Payload = []byte(`{"plan":"p","task":9,"unit":"county.a","role":"IMPLEMENTING","percent":10}`)
	res, err := s.Append(ctx, ledgertest.Obligation("p", 9, "county.a", domain.RoleImplementing).Stream(), eventstore.Any(), []domain.Event{bad})
	if err != nil {
		t.Fatal(err)
	}
	b := ledgertest.New(t, s, ledgertest.Shanghai(2025, time.September, 1, 9))
	b.Do(domain.ReportProgress{ObligationKey: keys[3], Percent: 70}, "office")

	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = r.WaitFor(wctx, res.Position+1)
	if err == nil || !strings.Contains(err.Error(), "obligations") || !strings.Contains(err.Error(), "position "+itoa(res.Position)) {
		t.Fatalf("waiting past a bad event: %v; want the obligations model's failure naming position %d", err, res.Position)
	}
	if p := r.Views().Obligations.Position(); p != res.Position-1 {
		t.Fatalf("obligations model is at %d; it must stop just before the bad event at %d", p, res.Position)
	}
	if p := r.Views().Catalog.Position(); p != res.Position+1 {
		t.Fatalf("the catalog, which ignores the event, is at %d, want %d", p, res.Position+1)
	}
	if errors.Is(r.Failure(), context.Canceled) {
		t.Fatal("failure is a cancellation")
	}
}

func itoa(u uint64) string { b, _ := json.Marshal(u); return string(b) }

// Current progress is the latest period's report: a late report about
// March, recorded in July after June's, does not overwrite June's figure;
// it is in the history, flagged late (its deadline was 10 April). A
// milestone claimed after its due date stays overdue, claimed and
// awaiting verification.
func TestViewsCurrentProgressLateReportsAndClaims(t *testing.T) {
	ym := func(m time.Month) domain.YearMonth { y, _ := domain.NewYearMonth(2025, m); return y }
	s := memory.New()
	b := ledgertest.New(t, s, start)
	lead := b.SmallPlan()[0]
	b.At(ledgertest.Shanghai(2025, time.June, 28, 9))
	b.Do(domain.ReportProgress{ObligationKey: lead, ActingUnit: lead.Unit, Percent: 60}, "bureau.eco")
	b.At(ledgertest.Shanghai(2025, time.July, 20, 9))
	b.Do(domain.ReportProgress{ObligationKey: lead, ActingUnit: lead.Unit, Percent: 30, Period: ym(time.March)}, "bureau.eco")
	b.Do(domain.ClaimCompletion{ObligationKey: lead, ActingUnit: lead.Unit, Milestone: "m1"}, "bureau.eco")
	v, err := projections.BuildAt(context.Background(), s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	views := v.Obligations.Views(projections.Filter{Unit: lead.Unit, Plan: lead.Plan, Task: lead.Task}, ledgertest.Shanghai(2025, time.August, 1, 9), 30)
	var ov projections.ObligationView
	for _, x := range views {
		if x.Stream == lead.Stream() {
			ov = x
		}
	}
	if ov.Progress != 60 || ov.LastReport == nil || ov.LastReport.Percent != 60 || ov.LastReport.Period != ym(time.June) || ov.LastReport.Late {
		t.Fatalf("progress %d, current report %+v; want June's 60%%, in time", ov.Progress, ov.LastReport)
	}
	if h := ov.History(); len(h) != 2 || h[0].Late || !h[1].Late || h[1].Percent != 30 {
		t.Fatalf("history %+v; want June in time, then March late", h)
	}
	m := ov.Milestones[0]
	if !m.Overdue || !m.AwaitingVerification || m.Light != projections.Red || ov.Light != projections.Red {
		t.Fatalf("claimed after due: %+v", m)
	}
}

// The views, the audit trail and the default scheme judge reports late by
// the same deadline.
func TestOneReportDeadline(t *testing.T) {
	d := scoring.Default().Deductions.MissedReport.Deadline()
	if got := projections.NewViews(projections.Config{}).Config.ReportDeadlineDays; got != d || audit.DefaultReportDeadlineDays != d {
		t.Fatalf("views %d, audit %d, default scheme %d days", got, audit.DefaultReportDeadlineDays, d)
	}
}
