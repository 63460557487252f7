package app_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/projections"
)

// fixture is a ledger on a memory store with an application layer whose
// clock the test sets.
type fixture struct {
	t     *testing.T
	store eventstore.Store
	svc   *app.Service
	views app.PulledViews
	now   time.Time
}

var shanghai = domain.Shanghai()

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, store: memory.New(), now: time.Date(2025, 3, 10, 9, 0, 0, 0, shanghai)}
	reg := domain.DefaultRegistry()
	runner := projections.NewRunner(f.store, reg, projections.NewViews(projections.Config{}), projections.RunnerConfig{})
	f.views = app.PulledViews{Runner: runner}
	tokens := auth.InMemory(strings.NewReader(strings.Repeat("0123456789abcdef", 64)), func() time.Time { return f.now })
	svc, err := app.New(app.Config{Store: f.store, Registry: reg, Views: f.views, Clock: app.ClockFunc(func() time.Time { return f.now }), Tokens: tokens,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	t.Cleanup(func() { f.store.Close() })
	return f
}

func chifengText(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../examples/chifeng-air-quality-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var operator = auth.LocalOperator("tester", "")

// imported returns a fixture holding the Chifeng plan, imported by the
// operator.
func imported(t *testing.T) *fixture {
	f := newFixture(t)
	if _, err := f.svc.ImportPlan(context.Background(), operator, app.ImportInput{Text: chifengText(t), Plan: "chifeng-air"}); err != nil {
		t.Fatalf("import: %v", err)
	}
	f.sync()
	return f
}

func (f *fixture) sync() {
	f.t.Helper()
	if err := f.views.Sync(context.Background(), 0); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) head() uint64 {
	f.t.Helper()
	h, err := f.store.Head(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// refused checks that err carries code and that the ledger's head did not
// move from before.
func (f *fixture) refused(err error, code app.Code, before uint64) {
	f.t.Helper()
	if err == nil {
		f.t.Fatalf("want %s, got success", code)
	}
	if got := app.CodeOf(err); got != code {
		f.t.Fatalf("want %s, got %s: %v", code, got, err)
	}
	if h := f.head(); h != before {
		f.t.Fatalf("a refused request recorded %d events", h-before)
	}
}

func county(unit domain.UnitID) auth.Principal {
	return auth.Principal{TokenID: "t-" + string(unit), Role: auth.County, Unit: unit, Name: "county@" + string(unit)}
}

var (
	ningcheng = county("county.ningcheng")
	bureau    = auth.Principal{TokenID: "t-eco", Role: auth.Bureau, Unit: "bureau.ecology-environment", Name: "bureau@eco"}
	committee = auth.Principal{TokenID: "t-cm", Role: auth.Committee, Name: "committee"}
	inspector = auth.Principal{TokenID: "t-in", Role: auth.Inspector, Name: "inspector"}
)

// duty finds one implementing duty of 宁城县 in the imported plan.
func (f *fixture) duty() domain.ObligationKey {
	f.t.Helper()
	for _, ob := range f.views.Views().Obligations.All() {
		if ob.Key.Unit == "county.ningcheng" && ob.Key.Role == domain.RoleImplementing {
			return ob.Key
		}
	}
	f.t.Fatal("宁城县 has no implementing duty")
	return domain.ObligationKey{}
}

func TestImportIsTheOfficesAndRecordsTheOperator(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.svc.ImportPlan(ctx, bureau, app.ImportInput{Text: chifengText(t), Plan: "chifeng-air"})
	f.refused(err, app.Forbidden, 0)
	_, err = f.svc.ImportPlan(ctx, auth.Anonymous(), app.ImportInput{Text: chifengText(t), Plan: "chifeng-air"})
	f.refused(err, app.Unauthenticated, 0)

	res, err := f.svc.ImportPlan(ctx, auth.LocalOperator("root", "张三"), app.ImportInput{Text: chifengText(t), Plan: "chifeng-air"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Changes) == 0 || res.Position != f.head() {
		t.Fatalf("import recorded %d changes ending at %d; head %d", len(res.Report.Changes), res.Position, f.head())
	}
	events, err := f.store.ReadAll(ctx, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Actor != "operator:张三/os:root" || !e.RecordedAt.Equal(f.now) {
			t.Fatalf("event %s recorded by %q at %s; want the operator and the layer's clock %s", e.Type, e.Actor, e.RecordedAt, f.now)
		}
	}
}

func TestReportTakesTimeFromTheClockAndActorFromThePrincipal(t *testing.T) {
	f := imported(t)
	k := f.duty()
	f.now = time.Date(2025, 4, 2, 10, 30, 0, 0, shanghai)
	res, err := f.svc.ReportProgress(context.Background(), ningcheng, app.ReportInput{
		Obligation: app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}, Percent: 40, Note: "进展顺利", IdempotencyKey: "r1",
	})
	if err != nil {
		t.Fatal(err)
	}
	e := res.Events[0]
	if e.Type != "ProgressReported" || e.Actor != ningcheng.Actor() || !e.RecordedAt.Equal(f.now) {
		t.Fatalf("recorded %s by %q at %s; want ProgressReported by %q at %s", e.Type, e.Actor, e.RecordedAt, ningcheng.Actor(), f.now)
	}
	if e.Stream != k.Stream() {
		t.Fatalf("a county reporting with no unit reported on %s, not its own duty %s", e.Stream, k.Stream())
	}
}

func TestUnitsActOnlyForThemselves(t *testing.T) {
	f := imported(t)
	k := f.duty()
	before := f.head()
	ref := app.ObligationRef{Task: int(k.Task), Unit: string(k.Unit), Role: string(k.Role)}
	ctx := context.Background()

	other := county("county.aohan")
	_, err := f.svc.ReportProgress(ctx, other, app.ReportInput{Obligation: ref, Percent: 10, IdempotencyKey: "x"})
	f.refused(err, app.Forbidden, before)
	_, err = f.svc.ClaimCompletion(ctx, other, app.ClaimInput{Obligation: ref, IdempotencyKey: "x"})
	f.refused(err, app.Forbidden, before)
	_, err = f.svc.VerifyCompletion(ctx, ningcheng, app.ClaimDecisionInput{Obligation: ref, IdempotencyKey: "x"})
	f.refused(err, app.Forbidden, before)
	_, err = f.svc.PublishScorecard(ctx, bureau, app.PublishInput{Year: 2025, Kind: "county", IdempotencyKey: "x"})
	f.refused(err, app.Forbidden, before)
	_, err = f.svc.Tick(ctx, ningcheng)
	f.refused(err, app.Forbidden, before)
	_, err = f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 10})
	f.refused(err, app.InvalidArgument, before) // no idempotency key
}

func TestPublishJudgesAtAPastInstantNeverAFutureOne(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	past := f.now.Add(time.Hour) // after the import
	f.now = f.now.Add(48 * time.Hour)
	before := f.head()
	_, err := f.svc.PublishScorecard(ctx, committee, app.PublishInput{Year: 2025, Kind: "county", AsOf: ptr(f.now.Add(time.Hour)), IdempotencyKey: "p"})
	f.refused(err, app.InvalidArgument, before)

	pub, err := f.svc.PublishScorecard(ctx, committee, app.PublishInput{Year: 2025, Kind: "county", AsOf: &past, IdempotencyKey: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Adopted || !pub.AsOf.Equal(past) || len(pub.Scorecards.Cards) != 12 {
		t.Fatalf("publication: adopted %v, as of %s, %d cards; want the default scheme adopted first, as of %s, 12 counties", pub.Adopted, pub.AsOf, len(pub.Scorecards.Cards), past)
	}
	head := f.head()
	f.sync()
	again, err := f.svc.PublishScorecard(ctx, committee, app.PublishInput{Year: 2025, Kind: "county", AsOf: &past, IdempotencyKey: "p"})
	if err != nil || !again.Duplicate || f.head() != head {
		t.Fatalf("a retried publication: duplicate %v, err %v, %d new events", again.Duplicate, err, f.head()-head)
	}
}

func TestTickRecordsSlipsAtTheLedgersTime(t *testing.T) {
	f := imported(t)
	f.now = time.Date(2026, 1, 5, 8, 0, 0, 0, shanghai)
	out, err := f.svc.Tick(context.Background(), auth.SystemPrincipal())
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Outcome.Recorded) == 0 {
		t.Fatal("no slips recorded in January 2026 for 2025's deadlines")
	}
	for _, r := range out.Outcome.Recorded {
		if e := r.Events[0]; !e.RecordedAt.Equal(f.now) || e.Actor != "system" {
			t.Fatalf("slip recorded at %s by %q; want %s by system", e.RecordedAt, e.Actor, f.now)
		}
	}
}

func TestTokensNameRegisteredUnitsOfTheirKind(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	cases := []struct {
		name string
		in   app.TokenInput
		who  auth.Principal
		code app.Code
	}{
		{"unknown unit", app.TokenInput{Role: "county", Unit: "不存在县"}, operator, app.NotFound},
		{"county role for a bureau", app.TokenInput{Role: "county", Unit: "生态环境局"}, operator, app.InvalidArgument},
		{"bureau role for a county", app.TokenInput{Role: "bureau", Unit: "宁城县"}, operator, app.InvalidArgument},
		{"unknown role", app.TokenInput{Role: "mayor"}, operator, app.InvalidArgument},
		{"not the operator", app.TokenInput{Role: "inspector"}, committee, app.Forbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, _, err := f.svc.CreateToken(ctx, c.who, c.in); app.CodeOf(err) != c.code {
				t.Fatalf("want %s, got %v", c.code, err)
			}
		})
	}
	_, rec, err := f.svc.CreateToken(ctx, operator, app.TokenInput{Role: "county", Unit: "宁城县"})
	if err != nil || rec.Unit != "county.ningcheng" {
		t.Fatalf("a county token for 宁城县 by name: %+v, %v", rec, err)
	}
	if list, err := f.svc.ListTokens(ctx, operator); err != nil || len(list) != 1 {
		t.Fatalf("%d tokens on record, err %v; want the one made", len(list), err)
	}
}

func TestSimulationNeverEntersARealLedger(t *testing.T) {
	f := imported(t)
	before := f.head()
	_, err := f.svc.Simulate(context.Background(), operator, app.SimulateInput{Plan: "chifeng-air", PlanText: chifengText(t), Seed: 7, Year: 2025})
	f.refused(err, app.Conflict, before)

	// A simulated principal cannot slip in through another use case either.
	fake := auth.SimulatedPrincipal(auth.Committee, "", "committee")
	_, err = f.svc.PublishScorecard(context.Background(), fake, app.PublishInput{Year: 2025, Kind: "county", IdempotencyKey: "s"})
	f.refused(err, app.Conflict, before)
}

func TestSimulationCreatesASimulatedLedger(t *testing.T) {
	if testing.Short() {
		t.Skip("records a simulated year")
	}
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.svc.Simulate(ctx, bureau, app.SimulateInput{Plan: "chifeng-air", PlanText: chifengText(t), Seed: 1, Year: 2025})
	f.refused(err, app.Forbidden, 0)

	out, err := f.svc.Simulate(ctx, operator, app.SimulateInput{Plan: "chifeng-air", PlanText: chifengText(t), Seed: 1, Year: 2025})
	if err != nil {
		t.Fatal(err)
	}
	if out.Imported == nil || out.Stats.Total == 0 || len(out.Published) != 2 {
		t.Fatalf("simulation: imported %v, %d events, %d publications", out.Imported != nil, out.Stats.Total, len(out.Published))
	}
	events, err := f.store.ReadAll(ctx, 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if !strings.HasPrefix(e.Actor, auth.SimulatedPrefix) {
			t.Fatalf("event %d (%s) of a simulation recorded by %q, not marked simulated", e.Position, e.Type, e.Actor)
		}
	}
	if first := events[0].RecordedAt; first.Year() != 2024 {
		t.Fatalf("the simulated import was recorded at %s, not on the simulated clock before 2025", first)
	}
	// Recorded time never goes back: a second simulation of the same year
	// would record in the ledger's past, and is refused.
	before := f.head()
	_, err = f.svc.Simulate(ctx, operator, app.SimulateInput{Plan: "chifeng-air", PlanText: chifengText(t), Seed: 2, Year: 2025})
	f.refused(err, app.Conflict, before)

	// Visitors of a demo act on it in real time: the application layer
	// lets them (the duty's own state may still refuse a report).
	f.sync()
	_, err = f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{
		Obligation: app.ObligationRef{Task: int(f.duty().Task), Role: "IMPLEMENTING"}, Percent: 100, IdempotencyKey: "visitor",
	})
	if ae := new(app.Error); errors.As(err, &ae) {
		t.Fatalf("a visitor's report on a demo ledger refused by the application layer: %v", err)
	}
}

func TestAKeyIsBoundToItsRequest(t *testing.T) {
	f := imported(t)
	k := f.duty()
	ctx := context.Background()
	ref := app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}
	first, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 30, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	head := f.head()
	again, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 30, IdempotencyKey: "k"})
	if err != nil || !again.Duplicate || again.Events[0].ID != first.Events[0].ID || f.head() != head {
		t.Fatalf("the same request again: duplicate %v, err %v, %d new events", again.Duplicate, err, f.head()-head)
	}
	_, err = f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 60, IdempotencyKey: "k"})
	f.refused(err, app.IdempotencyConflict, head)
	// Another principal's same key is its own.
	other := county("county.ningcheng")
	other.TokenID = "another-token"
	if res, err := f.svc.ReportProgress(ctx, other, app.ReportInput{Obligation: ref, Percent: 60, IdempotencyKey: "k"}); err != nil || res.Duplicate {
		t.Fatalf("another token's key: duplicate %v, err %v", res.Duplicate, err)
	}
}

func TestTokensExpireAndOnlyTheOperatorRevokes(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	if _, _, err := f.svc.CreateToken(ctx, operator, app.TokenInput{Role: "inspector", ValidFor: time.Minute}); app.CodeOf(err) != app.InvalidArgument {
		t.Fatalf("a token valid for a minute: %v", err)
	}
	_, rec, err := f.svc.CreateToken(ctx, operator, app.TokenInput{Role: "inspector", ValidFor: 30 * 24 * time.Hour})
	if err != nil || !rec.Expiry().Equal(f.now.UTC().Add(30*24*time.Hour)) {
		t.Fatalf("a 30-day token: expires %s, err %v", rec.Expiry(), err)
	}
	if _, err := f.svc.RevokeToken(ctx, committee, rec.ID); app.CodeOf(err) != app.Forbidden {
		t.Fatalf("the committee revoking a token: %v", err)
	}
	if _, err := f.svc.RevokeToken(ctx, operator, "no-such-id"); app.CodeOf(err) != app.NotFound {
		t.Fatalf("revoking an unknown id: %v", err)
	}
	got, err := f.svc.RevokeToken(ctx, operator, rec.ID)
	if err != nil || got.State(f.now) != "revoked" {
		t.Fatalf("revoked: %+v, %v", got, err)
	}
}

func ptr[T any](v T) *T { return &v }

// Dates nobody could mean are refused with a clear error and record
// nothing; a zero time is refused, never read as now.
func TestDatesOutsideThePlansWindowAreRefused(t *testing.T) {
	f := imported(t) // registered 2025-03-10
	k := f.duty()
	ctx := context.Background()
	f.now = time.Date(2025, 8, 20, 10, 0, 0, 0, shanghai)
	ref := app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}
	before := f.head()
	cases := []struct {
		name string
		do   func() error
	}{
		{"achievedAt in 2010", func() error {
			_, err := f.svc.ClaimCompletion(ctx, ningcheng, app.ClaimInput{Obligation: ref, AchievedAt: ptr(time.Date(2010, 5, 1, 0, 0, 0, 0, shanghai)), IdempotencyKey: "a"})
			return err
		}},
		{"effectiveAt in 1969", func() error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 10, EffectiveAt: ptr(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)), IdempotencyKey: "b"})
			return err
		}},
		{"effectiveAt 0001-01-01", func() error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 10, EffectiveAt: ptr(time.Time{}), IdempotencyKey: "c"})
			return err
		}},
		{"effectiveAt tomorrow", func() error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 10, EffectiveAt: ptr(f.now.Add(24 * time.Hour)), IdempotencyKey: "d"})
			return err
		}},
		{"period 2019-01", func() error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 10, Period: "2019-01", IdempotencyKey: "e"})
			return err
		}},
		{"period next month", func() error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 10, Period: "2025-09", IdempotencyKey: "f"})
			return err
		}},
		{"an indicator for 2027", func() error {
			_, err := f.svc.RecordIndicator(ctx, operator, app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2027-01", Value: 30, ValidDays: 31, IdempotencyKey: "g"})
			return err
		}},
		{"an indicator for 2019", func() error {
			_, err := f.svc.RecordIndicator(ctx, operator, app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2019-01", Value: 30, ValidDays: 31, IdempotencyKey: "h"})
			return err
		}},
		{"a publication as of 0001-01-01", func() error {
			_, err := f.svc.PublishScorecard(ctx, committee, app.PublishInput{Year: 2025, Kind: "county", AsOf: ptr(time.Time{}), IdempotencyKey: "i"})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { f.refused(c.do(), app.InvalidArgument, before) })
	}
	// Within the window: a report backdated to a month before the plan
	// reached the ledger (within the lookback) and this month's indicator.
	if _, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 10, Period: "2025-01",
		EffectiveAt: ptr(time.Date(2025, 1, 31, 12, 0, 0, 0, shanghai)), Note: "一月进展", IdempotencyKey: "ok"}); err != nil {
		t.Fatalf("a report for January, backdated within the plan's window: %v", err)
	}
	if _, err := f.svc.RecordIndicator(ctx, operator, app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2025-07", Value: 30, ValidDays: 31, IdempotencyKey: "ok"}); err != nil {
		t.Fatalf("July's indicator in August: %v", err)
	}
}

// The read rules a resolver applies are the application layer's: a county
// reads its own unit's records only, and learns nothing of other units.
func TestUnitScopedReads(t *testing.T) {
	resolve := func(ref string) (domain.UnitID, error) {
		if ref == "宁城县" {
			return "county.ningcheng", nil
		}
		return "", domain.ErrNotFound
	}
	own := domain.ObligationKey{Plan: "chifeng-air", Task: 10, Unit: "county.ningcheng", Role: domain.RoleImplementing}.Stream()
	other := domain.ObligationKey{Plan: "chifeng-air", Task: 10, Unit: "county.aohan", Role: domain.RoleImplementing}.Stream()
	cases := []struct {
		name string
		err  error
		want app.Code
	}{
		{"county, own stream", app.OwnStream(ningcheng, app.ReadAudit, own), ""},
		{"county, another unit's stream", app.OwnStream(ningcheng, app.ReadAudit, other), app.Forbidden},
		{"county, a malformed stream", app.OwnStream(ningcheng, app.ReadAudit, "nonsense"), app.Forbidden},
		{"inspector, any stream", app.OwnStream(inspector, app.ReadAudit, other), ""},
		{"county, a whole task", app.WholeTask(ningcheng, app.ReadAudit), app.Forbidden},
		{"inspector, a whole task", app.WholeTask(inspector, app.ReadAudit), ""},
		{"county, an unknown unit", second(app.UnitRef(ningcheng, app.ReadObligations, "不存在县", resolve)), app.Forbidden},
		{"inspector, an unknown unit", second(app.UnitRef(inspector, app.ReadObligations, "不存在县", resolve)), app.NotFound},
		{"county, its own name", second(app.UnitRef(ningcheng, app.ReadObligations, "宁城县", resolve)), ""},
	}
	for _, c := range cases {
		if got := app.CodeOf(c.err); got != c.want {
			t.Errorf("%s: %q (%v), want %q", c.name, got, c.err, c.want)
		}
	}
	if u, _ := app.UnitRef(ningcheng, app.ReadObligations, "", resolve); u != "county.ningcheng" {
		t.Errorf("a county naming no unit reads %q, not its own", u)
	}
}

func second[T any](_ T, err error) error { return err }

// A plan imported after some of its deadlines passed does not slip them:
// they are to be backfilled, grey and unscored, until the unit reports on
// them; deadlines from the tracking start on slip as usual.
func TestTrackingStartLeavesEarlierDeadlinesToBackfill(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.now = time.Date(2026, 3, 1, 9, 0, 0, 0, shanghai)
	if _, err := f.svc.ImportPlan(ctx, operator, app.ImportInput{Text: chifengText(t), Plan: "chifeng-air"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	f.now = f.now.Add(24 * time.Hour)
	out, err := f.svc.Tick(ctx, auth.SystemPrincipal())
	if err != nil || len(out.Outcome.Recorded) != 0 {
		t.Fatalf("the day after importing the plan, tick recorded %d slips (err %v); its 2025 deadlines passed before tracking began", len(out.Outcome.Recorded), err)
	}
	f.sync()
	backfill, red := 0, 0
	for _, v := range f.views.Views().Obligations.Views(projections.Filter{Plan: "chifeng-air"}, f.now, 7) {
		for _, m := range v.Milestones {
			switch {
			case m.ToBackfill && (m.Overdue || m.Light != projections.Grey || !m.Due.Before(domain.DateOf(time.Date(2026, 3, 1, 12, 0, 0, 0, shanghai)))):
				t.Fatalf("milestone %s due %s: to backfill but overdue %v, light %s", m.ID, m.Due, m.Overdue, m.Light)
			case m.ToBackfill:
				backfill++
			case m.Overdue:
				red++
			}
		}
	}
	if backfill == 0 || red != 0 {
		t.Fatalf("%d milestones to backfill and %d overdue; want the 2025 deadlines to backfill and none overdue", backfill, red)
	}
	// Deadlines after the tracking start slip when they pass.
	f.now = time.Date(2028, 1, 5, 9, 0, 0, 0, shanghai)
	if out, err = f.svc.Tick(ctx, auth.SystemPrincipal()); err != nil || len(out.Outcome.Recorded) == 0 {
		t.Fatalf("in 2028, %d slips recorded (err %v); want the deadlines of 2026–2027", len(out.Outcome.Recorded), err)
	}
}

func TestTrackingFromIsSetOnceAndNotInTheFuture(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.now = time.Date(2026, 3, 1, 9, 0, 0, 0, shanghai)
	in := app.ImportInput{Text: chifengText(t), Plan: "chifeng-air", TrackingFrom: domain.MustDate(2026, time.June, 1)}
	_, err := f.svc.ImportPlan(ctx, operator, in)
	f.refused(err, app.InvalidArgument, 0)
	in.TrackingFrom = domain.MustDate(2025, time.January, 1)
	if _, err := f.svc.ImportPlan(ctx, operator, in); err != nil {
		t.Fatal(err)
	}
	f.sync()
	head := f.head()
	in.TrackingFrom = domain.MustDate(2025, time.June, 1)
	_, err = f.svc.ImportPlan(ctx, operator, in)
	f.refused(err, app.InvalidArgument, head)
	// Tracked from 2025: its year-end deadlines slip.
	f.now = f.now.Add(24 * time.Hour)
	if out, err := f.svc.Tick(ctx, auth.SystemPrincipal()); err != nil || len(out.Outcome.Recorded) == 0 {
		t.Fatalf("a plan tracked from 2025: %d slips recorded in March 2026 (err %v)", len(out.Outcome.Recorded), err)
	}
}
