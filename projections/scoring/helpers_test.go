package scoring

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

const plan = domain.PlanID("chifeng-air")

func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, domain.Shanghai())
}

func date(y int, m time.Month, d int) domain.Date { return domain.MustDate(y, m, d) }

// endOf2025 is the usual as-of: the first instant of 2026 in Shanghai.
var endOf2025 = cst(2026, 1, 1, 0, 0)

// ob builds one obligation by deciding real commands and applying the
// events they produce, each with an explicit time and a known event ID.
type ob struct {
	t   *testing.T
	o   *domain.Obligation
	key domain.ObligationKey
	n   int
}

func newOb(t *testing.T, unit domain.UnitID, task int, role domain.Role) *ob {
	return &ob{t: t, o: &domain.Obligation{}, key: domain.ObligationKey{Plan: plan, Task: domain.TaskNo(task), Unit: unit, Role: role}}
}

// at decides c at now (effective now) and returns the ID of its event.
func (b *ob) at(now time.Time, c domain.Command) uuid.UUID { return b.backdated(now, time.Time{}, c) }

// backdated decides c at now with effective time eff (zero: now).
func (b *ob) backdated(now, eff time.Time, c domain.Command) uuid.UUID {
	b.t.Helper()
	m := domain.Meta{Actor: "tester", Now: now, EffectiveAt: eff, IdempotencyKey: fmt.Sprintf("%s#%d", b.key.Path(), b.n)}
	evs, err := domain.Decide(b.o, c, m)
	if err != nil {
		b.t.Fatalf("%s: %T: %v", b.key.Path(), c, err)
	}
	if len(evs) != 1 {
		b.t.Fatalf("%s: %T decided %d events, want 1", b.key.Path(), c, len(evs))
	}
	b.n++
	id := domain.DeriveEventID(m.IdempotencyKey, 0)
	e := &domain.Event{ID: id, Version: b.o.Version() + 1, RecordedAt: now, EffectiveAt: m.Effective(), Type: evs[0].EventType()}
	if err := b.o.Apply(e, evs[0]); err != nil {
		b.t.Fatalf("%s: apply %T: %v", b.key.Path(), evs[0], err)
	}
	return id
}

func (b *ob) assign(now time.Time) uuid.UUID {
	return b.at(now, domain.AssignResponsibility{ObligationKey: b.key, Basis: b.key.Role.Label()})
}

func (b *ob) assignFrom(now time.Time, startsOn domain.Date) uuid.UUID {
	return b.at(now, domain.AssignResponsibility{ObligationKey: b.key, StartsOn: startsOn})
}

func (b *ob) milestone(now time.Time, id, what string, due domain.Date) uuid.UUID {
	return b.at(now, domain.ScheduleMilestone{ObligationKey: b.key, Milestone: domain.MilestoneID(id), What: what, Due: due})
}

func (b *ob) slip(now time.Time, id string) uuid.UUID {
	return b.at(now, domain.RecordSlip{ObligationKey: b.key, Milestone: domain.MilestoneID(id)})
}

// complete claims milestone id achieved at now and verifies it an hour
// later; it returns the claim's and the verification's IDs.
func (b *ob) complete(now time.Time, id string) (claim, verify uuid.UUID) {
	claim = b.at(now, domain.ClaimCompletion{ObligationKey: b.key, ActingUnit: b.key.Unit, Milestone: domain.MilestoneID(id), Evidence: "验收"})
	verify = b.at(now.Add(time.Hour), domain.VerifyCompletion{ObligationKey: b.key, Milestone: domain.MilestoneID(id)})
	return claim, verify
}

func (b *ob) request(now time.Time, id string, due domain.Date) uuid.UUID {
	return b.at(now, domain.RequestExtension{ObligationKey: b.key, ActingUnit: b.key.Unit, Milestone: domain.MilestoneID(id), Due: due, Reason: "资金未到位"})
}

func (b *ob) grant(now time.Time) uuid.UUID {
	return b.at(now, domain.GrantExtension{ObligationKey: b.key})
}

func (b *ob) report(now time.Time, y int, m time.Month, pct int) uuid.UUID {
	ym, _ := domain.NewYearMonth(y, m)
	return b.at(now, domain.ReportProgress{ObligationKey: b.key, ActingUnit: b.key.Unit, Percent: domain.Percent(pct), Period: ym})
}

// reportMonths files a report for each month on its 28th.
func (b *ob) reportMonths(y int, months ...time.Month) {
	for _, m := range months {
		b.report(cst(y, m, 28, 10, 0), y, m, 5*int(m))
	}
}

func allMonths() []time.Month {
	var out []time.Month
	for m := time.January; m <= time.December; m++ {
		out = append(out, m)
	}
	return out
}

func (b *ob) finding(now time.Time, kind domain.FindingKind, summary string, rectifyBy domain.Date) uuid.UUID {
	return b.at(now, domain.RecordFinding{ObligationKey: b.key, Kind: kind, Severity: domain.SeverityMajor, Summary: summary, RectifyBy: rectifyBy})
}

// quiet is the default scheme without the missed-report rule, for tests
// of other rules.
func quiet() Scheme {
	s := Default()
	s.Deductions.MissedReport.Points = 0
	return s
}

// monthly is quiet() under the air-quality rule of scheme documents
// before version 3 of the default: the mean of the monthly values, at
// least one month measured.
func monthly() Scheme {
	s := quiet()
	s.County.AirQuality.Annual, s.County.AirQuality.MinMonths = "", 1
	return s
}

var (
	transport = Unit{ID: "bureau.transport", Name: "赤峰市交通运输局", Kind: domain.KindBureau}
	industry  = Unit{ID: "bureau.industry", Name: "赤峰市工业和信息化局", Kind: domain.KindBureau}
	ecology   = Unit{ID: "bureau.ecology", Name: "赤峰市生态环境局", Kind: domain.KindBureau}
	hongshan  = Unit{ID: "county.hongshan", Name: "红山区人民政府", Kind: domain.KindCounty}
	ningcheng = Unit{ID: "county.ningcheng", Name: "宁城县人民政府", Kind: domain.KindCounty}
	yuanbao   = Unit{ID: "county.yuanbaoshan", Name: "元宝山区人民政府", Kind: domain.KindCounty}
	customs   = Unit{ID: "body.customs", Name: "赤峰海关", Kind: domain.KindBody}
)

// compute runs Compute and fails the test on error. It computes twice,
// reading the obligations' reports in full and through an index of them by
// month (Input.Reports, as the read model hands it), and fails unless both
// give the same result to the byte.
func compute(t *testing.T, in Input, s Scheme, kind Kind) Result {
	t.Helper()
	if in.Year == 0 {
		in.Year = 2025
	}
	if in.AsOf.IsZero() {
		in.AsOf = endOf2025
	}
	in.Reports = nil
	r, err := Compute(in, s, kind)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	in.Reports = map[domain.ObligationKey]*ReportIndex{}
	for _, o := range in.Obligations {
		if o == nil {
			continue
		}
		ix := &ReportIndex{}
		ix.Update(&o.PeriodReports)
		in.Reports[o.Key] = ix
	}
	indexed, err := Compute(in, s, kind)
	if err != nil {
		t.Fatalf("Compute with reports indexed: %v", err)
	}
	if got, want := string(indexed.JSON()), string(r.JSON()); got != want {
		t.Fatalf("Compute with reports indexed differs from reading them all:\n%s\nwant\n%s", got, want)
	}
	return r
}

func cardOf(t *testing.T, r Result, u Unit) Card {
	t.Helper()
	for _, c := range r.Cards {
		if c.Unit == u.ID {
			return c
		}
	}
	t.Fatalf("no card for %s in %s", u.ID, r.JSON())
	return Card{}
}

// want is an expected line: rule, points (as text) and cited events.
type want struct {
	rule   string
	points string
	events []uuid.UUID
}

// checkCard asserts a card's total and exact lines (rule, points, events).
func checkCard(t *testing.T, c Card, total string, lines ...want) {
	t.Helper()
	if c.Total.String() != total {
		t.Errorf("%s: total %s, want %s\n%s", c.Unit, c.Total, total, dump(c))
	}
	var sum Points
	for _, l := range c.Lines {
		sum += l.Points
	}
	if sum != c.Total {
		t.Errorf("%s: lines sum to %s, total is %s", c.Unit, sum, c.Total)
	}
	if len(c.Lines) != len(lines) {
		t.Fatalf("%s: %d lines, want %d\n%s", c.Unit, len(c.Lines), len(lines), dump(c))
	}
	for i, w := range lines {
		l := c.Lines[i]
		if l.Rule != w.rule || l.Points.String() != w.points {
			t.Errorf("%s line %d: %s %s, want %s %s\n%s", c.Unit, i, l.Rule, l.Points, w.rule, w.points, dump(c))
		}
		if w.events != nil && !slices.Equal(l.Events, w.events) {
			t.Errorf("%s line %d (%s): events %v, want %v", c.Unit, i, l.Rule, l.Events, w.events)
		}
		if strings.TrimSpace(l.ZH) == "" || strings.TrimSpace(l.EN) == "" {
			t.Errorf("%s line %d (%s) lacks an explanation", c.Unit, i, l.Rule)
		}
	}
}

func dump(c Card) string {
	var sb strings.Builder
	for _, l := range c.Lines {
		fmt.Fprintf(&sb, "  %s %s %v\n    %s\n    %s\n", l.Rule, l.Points, l.Events, l.ZH, l.EN)
	}
	return sb.String()
}

func ids(xs ...uuid.UUID) []uuid.UUID { return xs }

func base100() want { return want{rule: "bureau.base", points: "100", events: []uuid.UUID{}} }
