package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"taskledger/command"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
)

const plan = domain.PlanID("city-air")

// ledger is a store holding an imported test plan.
type ledger struct {
	store *memory.Store
	h     *command.Handler
	// setup is the log position of the last imported event.
	setup uint64
}

// cityPlan imports a plan shaped like a city's air-quality plan: six
// bureaus, six counties (宁城县 and 元宝山区 among them), ten tasks each led
// by one bureau and supported by another, every other task carried out by
// all counties — fifty obligations — with milestones due through 2025, one
// due in 2027, and some tasks without deadlines.
func cityPlan(t testing.TB) ledger {
	t.Helper()
	s := memory.New()
	b := ledgertest.New(t, s, ledgertest.Shanghai(2024, time.December, 1, 9))
	b.Do(domain.RegisterPlan{Plan: plan, Title: "某市空气质量持续改善行动实施方案"}, "office")
	bureaus := []struct {
		id   domain.UnitID
		name string
	}{
		{"bureau.eco", "生态环境局"}, {"bureau.dev", "发展改革委"}, {"bureau.ind", "工业和信息化局"},
		{"bureau.housing", "住房和城乡建设局"}, {"bureau.transport", "交通运输局"}, {"bureau.agri", "农牧局"},
	}
	counties := []struct {
		id   domain.UnitID
		name string
	}{
		{"county.hongshan", "红山区"}, {"county.yuanbaoshan", "元宝山区"}, {"county.songshan", "松山区"},
		{"county.ningcheng", "宁城县"}, {"county.aohan", "敖汉旗"}, {"county.linxi", "林西县"},
	}
	for _, u := range bureaus {
		b.Do(domain.RegisterUnit{Unit: u.id, Kind: domain.KindBureau, Name: u.name}, "office")
	}
	for _, u := range counties {
		b.Do(domain.RegisterUnit{Unit: u.id, Kind: domain.KindCounty, Name: u.name}, "office")
	}
	d := ledgertest.Date
	milestones := [][]domain.Date{
		{d(2025, time.March, 31)},
		{d(2025, time.June, 30)},
		{d(2025, time.September, 30)},
		{d(2025, time.December, 31)},
		{d(2025, time.December, 31)},
		nil,
		{d(2025, time.December, 31), d(2027, time.December, 31)},
		{d(2025, time.June, 30), d(2025, time.December, 31)},
		nil,
		{d(2025, time.October, 31)},
	}
	titles := []string{"淘汰燃煤锅炉", "推进清洁取暖", "工业企业超低排放改造", "扬尘综合治理", "机动车污染防治",
		"秸秆综合利用", "挥发性有机物治理", "城中村散煤清零", "完善监测体系", "重污染天气应对"}
	for i, title := range titles {
		task := i + 1
		b.Do(domain.RegisterTask{Plan: plan, Task: domain.TaskNo(task), Title: title}, "office")
		keys := []domain.ObligationKey{
			ledgertest.Obligation(plan, task, bureaus[i%6].id, domain.RoleLead),
			ledgertest.Obligation(plan, task, bureaus[(i+1)%6].id, domain.RoleSupport),
		}
		if i%2 == 1 {
			for _, c := range counties {
				keys = append(keys, ledgertest.Obligation(plan, task, c.id, domain.RoleImplementing))
			}
		}
		for _, k := range keys {
			b.Do(domain.AssignResponsibility{ObligationKey: k, Basis: k.Role.Label()}, "office")
			for j, due := range milestones[i] {
				id := domain.MilestoneID(due.String())
				b.Do(domain.ScheduleMilestone{ObligationKey: k, Milestone: id, What: title + "阶段任务" + string(rune('一'+j)), Due: due}, "office")
			}
		}
	}
	head, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ledger{store: s, h: b.Handler(), setup: head}
}

// generate runs the simulation on l and returns its stats and read models.
func generate(t testing.TB, l ledger, seed int64, scale int) (demo.Stats, *projections.Views) {
	t.Helper()
	ctx := context.Background()
	views, err := projections.BuildAt(ctx, l.store, l.h.Registry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := demo.Generate(ctx, ledgertest.DirectLedger{H: l.h}, views, demo.Options{Seed: seed, Year: 2025, Scale: scale, Plan: plan})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return st, views
}

// simulated returns the events after the import.
func (l ledger) simulated(t testing.TB) []domain.Event {
	t.Helper()
	evs, err := l.store.ReadAll(context.Background(), l.setup, 0)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func decode(t testing.TB, reg *domain.Registry, e *domain.Event) domain.EventData {
	t.Helper()
	d, err := reg.Decode(e)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSameSeedSameEvents(t *testing.T) {
	a, b := cityPlan(t), cityPlan(t)
	sa, _ := generate(t, a, 7, 1)
	sb, _ := generate(t, b, 7, 1)
	if !reflect.DeepEqual(sa, sb) {
		t.Fatalf("stats differ:\n%v\n%v", sa, sb)
	}
	ea, eb := a.simulated(t), b.simulated(t)
	if len(ea) != len(eb) || len(ea) != sa.Total {
		t.Fatalf("%d and %d events, stats say %d", len(ea), len(eb), sa.Total)
	}
	for i := range ea {
		x, y := &ea[i], &eb[i]
		if x.ID != y.ID || x.Type != y.Type || x.Stream != y.Stream || x.Version != y.Version || x.Position != y.Position ||
			x.Actor != y.Actor || !bytes.Equal(x.Payload, y.Payload) ||
			!x.RecordedAt.Equal(y.RecordedAt) || !x.EffectiveAt.Equal(y.EffectiveAt) {
			t.Fatalf("event %d differs:\n%+v\n%+v", i, x, y)
		}
	}
}

func TestOtherSeedOtherEvents(t *testing.T) {
	a, b := cityPlan(t), cityPlan(t)
	generate(t, a, 7, 1)
	generate(t, b, 8, 1)
	ea, eb := a.simulated(t), b.simulated(t)
	same := len(ea) == len(eb)
	for i := 0; same && i < len(ea); i++ {
		same = ea[i].ID == eb[i].ID && bytes.Equal(ea[i].Payload, eb[i].Payload) && ea[i].RecordedAt.Equal(eb[i].RecordedAt)
	}
	if same {
		t.Fatal("seeds 7 and 8 gave the same events")
	}
}

func TestEveryKindOfActivity(t *testing.T) {
	l := cityPlan(t)
	st, views := generate(t, l, 1, 1)
	t.Logf("scale 1 on %d obligations:\n%s", len(views.Obligations.All()), st)
	everyKindOfTrouble(t, l, st, views)

	// 宁城县 and 元宝山区 breathe worse air than the others, and winter is
	// worse than summer.
	mean := func(unit domain.UnitID, months ...time.Month) float64 {
		var sum float64
		var n int
		for _, m := range views.Indicators.Year(unit, 2025) {
			if m.Metric != domain.MetricPM25 {
				continue
			}
			for _, mo := range months {
				if m.Period.Month() == mo {
					sum += m.Value
					n++
				}
			}
		}
		return sum / float64(n)
	}
	all := []time.Month{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	worse := (mean("county.ningcheng", all...) + mean("county.yuanbaoshan", all...)) / 2
	others := (mean("county.aohan", all...) + mean("county.linxi", all...) + mean("county.songshan", all...)) / 3
	if worse <= others {
		t.Errorf("PM2.5: worse counties %.1f, others %.1f", worse, others)
	}
	if w, s := mean("county.hongshan", 1, 2, 12), mean("county.hongshan", 6, 7, 8); w <= s*1.5 {
		t.Errorf("PM2.5 in 红山区: winter %.1f, summer %.1f", w, s)
	}
	airFigures(t, views)
}

// airFigures checks the simulated air: the city (全市) has figures of its
// own beside the counties, every figure carries valid days enough for
// HJ 663, and NOx and VOCs reductions are recorded for every unit.
func airFigures(t *testing.T, views *projections.Views) {
	t.Helper()
	rows, err := views.AirQuality(plan, 2025, time.December)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 || rows[0].Unit != domain.CityUnit(plan) || rows[0].Kind != domain.KindCity {
		t.Fatalf("%d rows, first %s", len(rows), rows[0].Unit)
	}
	for _, row := range rows {
		for _, f := range row.Figures {
			if !f.Assessable || f.ValidDays < 324 || f.ValidDays > 365 {
				t.Errorf("%s %s: assessable %v over %d valid days (%s)", row.Unit, f.Metric, f.Assessable, f.ValidDays, f.ReasonEN)
			}
		}
		for _, e := range row.Emissions {
			if !e.Reduced.Assessable || e.Reduced.Measured != 4 {
				t.Errorf("%s %s reductions: %+v", row.Unit, e.Pollutant, e.Reduced)
			}
		}
	}
	if city, county := rows[0].Figures[0].Value, rows[1].Figures[0].Value; city.Cmp(county) == 0 {
		t.Errorf("the city's PM2.5 equals a county's: %s", city.RatString())
	}
}

// everyKindOfTrouble checks that a simulated year shows every kind of
// activity and trouble the audit trails and scorecards have to show.
func everyKindOfTrouble(t *testing.T, l ledger, st demo.Stats, views *projections.Views) {
	t.Helper()
	for _, typ := range []string{
		"ProgressReported", "ExtensionRequested", "ExtensionGranted", "ExtensionRefused", "DeadlineSlipped",
		"CompletionClaimed", "CompletionVerified", "CompletionRejected", "FindingRecorded",
		"RectificationCompleted", "IndicatorMeasured",
	} {
		if st.Events[typ] == 0 {
			t.Errorf("no %s", typ)
		}
	}
	reg := l.h.Registry()
	var grantedBefore, grantedAfter, falseReport, revision, backdated, lowered, reclaimed, lateClaim int
	rejected, slipped := map[string]bool{}, map[string]bool{}
	for _, e := range l.simulated(t) {
		switch d := decode(t, reg, &e).(type) {
		case domain.ExtensionGranted:
			if e.EffectiveAt.Before(d.PreviousDue.EndOf()) {
				grantedBefore++
			} else {
				grantedAfter++
			}
		case domain.FindingRecorded:
			if d.Kind == domain.FindingFalseReport {
				falseReport++
			}
		case domain.IndicatorMeasured:
			if d.Revision {
				revision++
			}
		case domain.ProgressReported:
			if e.RecordedAt.Sub(e.EffectiveAt) > 14*24*time.Hour {
				backdated++
			}
			if d.Percent < d.Previous {
				lowered++
				if d.Note == "" {
					t.Errorf("lowered report without a note: %s", e.Payload)
				}
			}
		case domain.DeadlineSlipped:
			slipped[e.Stream+"/"+string(d.Milestone)] = true
		case domain.CompletionRejected:
			rejected[e.Stream+"/"+string(d.Milestone)] = true
		case domain.CompletionClaimed:
			if rejected[e.Stream+"/"+string(d.Milestone)] {
				reclaimed++
			}
			if d.Milestone != "" && slipped[e.Stream+"/"+string(d.Milestone)] {
				lateClaim++
			}
		}
	}
	for name, n := range map[string]int{
		"extension granted before the due date": grantedBefore, "extension granted after the due date": grantedAfter,
		"false-report finding": falseReport, "restated indicator": revision, "late, backdated report": backdated,
		"lowered report": lowered, "claim again after a rejection": reclaimed, "claim after a slip": lateClaim,
	} {
		if n == 0 {
			t.Errorf("no %s", name)
		}
	}
	var overdue int
	end := time.Date(2026, time.January, 1, 0, 0, 0, 0, domain.Shanghai())
	for _, ob := range views.Obligations.All() {
		for _, f := range ob.Findings {
			if !f.Rectified && !f.RectifyBy.IsZero() && f.RectifyBy.PassedAt(end) {
				overdue++
			}
		}
	}
	if overdue == 0 {
		t.Error("no rectification overdue at the end of the year")
	}
}

// texts returns the free-text fields of a payload.
func texts(t testing.TB, payload []byte) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range []string{"note", "reason", "evidence", "summary", "source"} {
		if s, ok := m[k].(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

func TestLabelledAndWithinTheYear(t *testing.T) {
	l := cityPlan(t)
	generate(t, l, 3, 2)
	loc := domain.Shanghai()
	start := time.Date(2025, time.January, 1, 0, 0, 0, 0, loc)
	yearEnd := time.Date(2026, time.January, 1, 0, 0, 0, 0, loc)
	closing := time.Date(2026, time.February, 1, 0, 0, 0, 0, loc)
	reg := l.h.Registry()
	var prev time.Time
	for _, e := range l.simulated(t) {
		if !strings.HasPrefix(e.Actor, demo.ActorPrefix) {
			t.Errorf("%s at %d: actor %q", e.Type, e.Position, e.Actor)
		}
		for _, s := range texts(t, e.Payload) {
			if !strings.HasPrefix(s, demo.NotePrefix) {
				t.Errorf("%s at %d: text %q is not labelled", e.Type, e.Position, s)
			}
		}
		if e.RecordedAt.Before(start) || !e.RecordedAt.Before(closing) {
			t.Errorf("%s at %d recorded %s", e.Type, e.Position, e.RecordedAt)
		}
		if e.EffectiveAt.Before(start) || e.EffectiveAt.After(e.RecordedAt) {
			t.Errorf("%s at %d effective %s, recorded %s", e.Type, e.Position, e.EffectiveAt, e.RecordedAt)
		}
		if e.RecordedAt.Before(prev) {
			t.Errorf("%s at %d recorded %s, before the previous event (%s)", e.Type, e.Position, e.RecordedAt, prev)
		}
		prev = e.RecordedAt
		switch actor := strings.TrimPrefix(e.Actor, demo.ActorPrefix); actor {
		case "office", "inspector", "monitoring":
		case "system":
			if e.EffectiveAt.After(yearEnd) {
				t.Errorf("slip at %d effective %s", e.Position, e.EffectiveAt)
			}
		default: // a unit
			if !e.EffectiveAt.Before(yearEnd) {
				t.Errorf("%s by %s at %d effective %s", e.Type, actor, e.Position, e.EffectiveAt)
			}
		}
		switch d := decode(t, reg, &e).(type) {
		case domain.ProgressReported:
			if d.Period.Year() != 2025 {
				t.Errorf("report at %d covers %s", e.Position, d.Period)
			}
		case domain.IndicatorMeasured:
			if d.Period.Year() != 2025 {
				t.Errorf("indicator at %d covers %s", e.Position, d.Period)
			}
		}
	}
}

func TestScaleMultipliesReports(t *testing.T) {
	one, _ := generate(t, cityPlan(t), 5, 1)
	three, _ := generate(t, cityPlan(t), 5, 3)
	ratio := float64(three.Events["ProgressReported"]) / float64(one.Events["ProgressReported"])
	t.Logf("reports: %d at scale 1, %d at scale 3", one.Events["ProgressReported"], three.Events["ProgressReported"])
	if ratio < 2.6 || ratio > 3.05 {
		t.Errorf("scale 3 gives %.2f× the reports of scale 1", ratio)
	}
	for _, typ := range []string{"CompletionClaimed", "ExtensionGranted", "FindingRecorded", "IndicatorMeasured", "DeadlineSlipped"} {
		if one.Events[typ] != three.Events[typ] {
			t.Errorf("%s: %d at scale 1, %d at scale 3", typ, one.Events[typ], three.Events[typ])
		}
	}
}

// The read models kept current during the simulation equal those rebuilt
// from the log.
func TestViewsMatchRebuild(t *testing.T) {
	l := cityPlan(t)
	_, views := generate(t, l, 11, 2)
	rebuilt, err := projections.BuildAt(context.Background(), l.store, l.h.Registry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	if views.Position() != rebuilt.Position() {
		t.Fatalf("positions %d and %d", views.Position(), rebuilt.Position())
	}
	if !reflect.DeepEqual(views.Obligations.All(), rebuilt.Obligations.All()) {
		t.Error("obligations differ from a rebuild")
	}
	if !reflect.DeepEqual(views.Catalog.Units(), rebuilt.Catalog.Units()) {
		t.Error("units differ from a rebuild")
	}
	if !reflect.DeepEqual(views.Indicators.Year("", 2025), rebuilt.Indicators.Year("", 2025)) {
		t.Error("indicators differ from a rebuild")
	}
}

func TestSmallPlan(t *testing.T) {
	s := memory.New()
	b := ledgertest.New(t, s, ledgertest.Shanghai(2024, time.December, 1, 9))
	b.SmallPlan()
	views, err := projections.BuildAt(context.Background(), s, b.Handler().Registry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := demo.Generate(context.Background(), ledgertest.DirectLedger{H: b.Handler()}, views, demo.Options{Seed: 1, Year: 2025, Plan: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Events["ProgressReported"] == 0 || st.Events["IndicatorMeasured"] < 2*3*12 {
		t.Errorf("small plan:\n%s", st)
	}
}

func TestSameSeedTwiceOnOneLedger(t *testing.T) {
	l := cityPlan(t)
	generate(t, l, 9, 1)
	views, err := projections.BuildAt(context.Background(), l.store, l.h.Registry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = demo.Generate(context.Background(), ledgertest.DirectLedger{H: l.h}, views, demo.Options{Seed: 9, Year: 2025, Plan: plan})
	if !errors.Is(err, demo.ErrAlreadyGenerated) {
		t.Fatalf("second run: %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	l := cityPlan(t)
	views, err := projections.BuildAt(context.Background(), l.store, l.h.Registry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []demo.Options{
		{Seed: 1, Year: 2025, Plan: "nope"},
		{Seed: 1, Year: 2025, Plan: plan, Scale: -1},
		{Seed: 1, Plan: plan},
		{Seed: 1, Year: 2025},
	} {
		if _, err := demo.Generate(context.Background(), ledgertest.DirectLedger{H: l.h}, views, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	head, _ := l.store.Head(context.Background())
	if head != l.setup {
		t.Errorf("bad options recorded %d events", head-l.setup)
	}
}

// BenchmarkGenerate measures a simulated year of the fifty-obligation test
// plan at scale 10 (about 5,000 events) into the in-memory store.
func BenchmarkGenerate(b *testing.B) {
	var events int
	for b.Loop() {
		b.StopTimer()
		l := cityPlan(b)
		views, err := projections.BuildAt(context.Background(), l.store, l.h.Registry(), projections.Config{}, projections.Cut{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := demo.Generate(context.Background(), ledgertest.DirectLedger{H: l.h}, views, demo.Options{Seed: 1, Year: 2025, Scale: 10, Plan: plan})
		if err != nil {
			b.Fatal(err)
		}
		events += st.Total
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
