package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"taskledger/domain"
)

// temperament is how a unit goes about its monthly reports.
type temperament int

const (
	// diligent units report near the end of every month.
	diligent temperament = iota
	// sloppy units skip months and are sometimes late.
	sloppy
	// tardy units report most months weeks after the month, backdated to
	// it.
	tardy
)

// habit is how the units of a temperament report: they skip a share skip
// of each obligation's monthly reports, and file a share late of the
// others weeks after the month, backdated to it. With perYear set, a unit
// skips at most about perYear reports a year over all its obligations, and
// files at most about as many late: a report recorded after its month's
// reporting deadline costs as a missed one, and an office that files many
// weeks late learns it.
type habit struct{ skip, perYear, late float64 }

// profile is how the units of a kind behave: their reporting habits by
// temperament, the share of their obligations that see no activity at all
// from the unit during the year (at most one per unit), and the share of
// their milestones due in the year that meet each kind of trouble (see
// assignOutcomes).
type profile struct {
	habits [3]habit
	silent float64
	quotas []quota
}

// quota is the share of milestones with an outcome.
type quota struct {
	out  outcome
	frac float64
}

// bureauProfile is for bureaus (and bodies), which hold a handful of
// obligations each, except the lead bureaus that hold dozens: as for
// counties, how many reports an office misses a year depends on the
// office, not on how many duties it reports on.
var bureauProfile = profile{
	habits: [3]habit{
		diligent: {skip: 0.03, perYear: 1.5},
		sloppy:   {skip: 0.35, perYear: 8, late: 0.15},
		tardy:    {skip: 0.10, perYear: 3, late: 1},
	},
	silent: 0.06,
	quotas: []quota{{grantBefore, 0.08}, {refused, 0.03}, {grantAfter, 0.03}, {lateClaim, 0.04}, {slipOnly, 0.04}},
}

// countyProfile is for county governments. Each carries the standing
// directive (各旗县区人民政府落实) on nearly every task: some 28 obligations,
// most with one milestone at the plan's horizon, all on its card. At a
// bureau's shares a sloppy county would miss over a hundred monthly reports
// and every county would slip four or five milestones a year, which with
// its air-quality points fails most counties. So a county's office misses
// a few of its 300-odd reports a year (how many depends on the office, not
// on how many duties it reports on) and, when tardy, files some of them on
// time; about a third of the counties neglect one duty for the year; and
// two or three of a county's milestones slip.
var countyProfile = profile{
	habits: [3]habit{
		diligent: {skip: 0.03, perYear: 1.5},
		sloppy:   {skip: 0.35, perYear: 8, late: 0.15},
		tardy:    {skip: 0.10, perYear: 3, late: 0.6},
	},
	silent: 0.015,
	quotas: []quota{{grantBefore, 0.08}, {refused, 0.03}, {grantAfter, 0.02}, {lateClaim, 0.02}, {slipOnly, 0.015}},
}

// profileOf returns the profile of a county's or another unit's
// obligations.
func profileOf(county bool) profile {
	if county {
		return countyProfile
	}
	return bureauProfile
}

// obSim is the simulation's plan for one obligation.
type obSim struct {
	key    domain.ObligationKey
	stream string
	unit   string // actor name of the holding unit, without ActorPrefix
	title  string
	temper temperament
	// county is set when the unit is a county government.
	county bool
	// skip is the chance that a month's report is not made, lateShare
	// that it is made weeks late.
	skip, lateShare float64
	rng             *rand.Rand
	// silent obligations see no activity from their unit.
	silent bool
	// The progress the unit reports rises from p0 at the start of the year
	// to goal at goalAt.
	p0, goal domain.Percent
	goalAt   time.Time
	// correction is set by a false-report finding: the next report
	// corrects the figure downwards.
	correction bool
	// claimed counts the milestones (or the whole obligation) whose claim
	// is planned; finish is the latest planned completion.
	claimed map[domain.MilestoneID]bool
	finish  time.Time
	// late holds the months whose report is planned weeks late, with the
	// instant it is backdated to; filed marks the months reported.
	late  map[domain.YearMonth]time.Time
	filed map[domain.YearMonth]bool
}

// outcome is what becomes of a milestone due within the year.
type outcome int

const (
	onTime      outcome = iota // claimed before the due date
	lateClaim                  // slips, then claimed
	slipOnly                   // slips, never claimed in the year
	grantBefore                // extension requested and granted before the due date
	grantAfter                 // extension requested, granted after the due date slipped
	refused                    // extension requested and refused
)

// msSim is a milestone due within the year (or already overdue).
type msSim struct {
	ob   *obSim
	id   domain.MilestoneID
	what string
	due  domain.Date
	out  outcome
}

// claimPlan is a planned first completion claim.
type claimPlan struct {
	ob       *obSim
	ms       domain.MilestoneID // empty: the whole obligation
	what     string
	at       time.Time // recorded
	achieved time.Time // effective
	reject   bool
}

// u returns a uniform integer in [lo, hi].
func u(rng *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + rng.IntN(hi-lo+1)
}

// date returns the date m/d of the simulated year.
func (r *runner) date(m time.Month, d int) domain.Date { return domain.MustDate(r.opts.Year, m, d) }

// work returns a working-hours instant (08:00–17:59) on day d.
func (r *runner) work(d domain.Date, rng *rand.Rand) time.Time {
	return d.StartOf().Add(time.Duration(8+rng.IntN(10))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
}

// between returns a date uniformly in [lo, hi] (lo when hi is earlier).
func between(rng *rand.Rand, lo, hi domain.Date) domain.Date {
	return lo.AddDays(u(rng, 0, hi.DaysSince(lo)))
}

func laterDate(a, b domain.Date) domain.Date {
	if a.After(b) {
		return a
	}
	return b
}

func earlierDate(a, b domain.Date) domain.Date {
	if a.Before(b) {
		return a
	}
	return b
}

// lastClaimDay is the last day of the year on which a unit files a first
// completion claim: later claims would leave the inspectors no time to
// review them, and the unit none to claim again after a rejection, within
// the year.
func (r *runner) lastClaimDay() domain.Date { return r.date(time.December, 20) }

// claimBy is the last day for an on-time first claim of a milestone due d:
// three days before it, and not after lastClaimDay. (Drawing on-time claims
// up to d−3 for a milestone due at the end of the year would let planClaim
// drop the ones after lastClaimDay, and those milestones would slip.)
func (r *runner) claimBy(d domain.Date) domain.Date {
	return earlierDate(d.AddDays(-3), r.lastClaimDay())
}

// plan reads the plan from the read models and fills the agenda.
func (r *runner) plan() error {
	if _, ok := r.views.Catalog.Plan(r.opts.Plan); !ok {
		return fmt.Errorf("demo: plan %s: %w", r.opts.Plan, domain.ErrNotFound)
	}
	titles := map[domain.TaskNo]string{}
	for _, t := range r.views.Catalog.Tasks(r.opts.Plan) {
		titles[t.No] = short(t.Title, 24)
	}
	var active []domain.Obligation
	for _, ob := range r.views.Obligations.All() { // ordered by stream
		if ob.Key.Plan == r.opts.Plan && ob.Active() {
			active = append(active, ob)
		}
	}
	if len(active) == 0 {
		return fmt.Errorf("demo: plan %s has no active obligations: %w", r.opts.Plan, domain.ErrNotFound)
	}
	setup := r.rng("setup")
	yearLast := r.date(time.December, 31)

	// Deadline checks come first, so that at equal times they run first.
	for m := time.February; m <= time.December+1; m++ {
		at := time.Date(r.opts.Year, m, 1, 0, 0, 0, 0, r.loc)
		r.schedule(at, r.slipCheck)
	}
	r.planIndicators(active, setup)

	tempers := map[domain.UnitID]temperament{}
	neglects := map[domain.UnitID]bool{}
	county := func(id domain.UnitID) bool {
		u, ok := r.views.Catalog.Unit(id)
		return ok && u.Kind == domain.KindCounty
	}
	var obs []*obSim
	var states []domain.Obligation
	for _, ob := range active {
		if ob.Closed() {
			continue
		}
		t, ok := tempers[ob.Key.Unit]
		if !ok {
			t = r.temperament(ob.Key.Unit)
			tempers[ob.Key.Unit] = t
		}
		title := titles[ob.Key.Task]
		if title == "" {
			title = fmt.Sprintf("任务%d", int(ob.Key.Task))
		}
		o := &obSim{
			key: ob.Key, stream: ob.Key.Stream(), unit: string(ob.Key.Unit), title: title, temper: t,
			county: county(ob.Key.Unit), rng: r.rng("obligation:" + ob.Key.Stream()), claimed: map[domain.MilestoneID]bool{},
			late: map[domain.YearMonth]time.Time{}, filed: map[domain.YearMonth]bool{},
		}
		// A unit neglects at most one of its duties for the whole year.
		neglect := o.rng.Float64() < profileOf(o.county).silent && !neglects[ob.Key.Unit]
		neglects[ob.Key.Unit] = neglects[ob.Key.Unit] || neglect
		o.silent = neglect || (!ob.StartsOn.IsZero() && ob.StartsOn.After(yearLast))
		obs = append(obs, o)
		states = append(states, ob)
	}
	reporting := map[domain.UnitID]int{}
	for _, o := range obs {
		if !o.silent {
			reporting[o.key.Unit]++
		}
	}
	for _, o := range obs {
		h := profileOf(o.county).habits[o.temper]
		o.skip, o.lateShare = h.skip, h.late
		if h.perYear > 0 {
			o.skip = math.Min(o.skip, h.perYear/(12*float64(max(1, reporting[o.key.Unit]))))
			o.lateShare = math.Min(o.lateShare, h.perYear/(12*float64(max(1, reporting[o.key.Unit]))))
		}
	}

	// Milestones due within the year, or overdue: their outcomes.
	var cands []*msSim
	for i, o := range obs {
		if o.silent {
			continue
		}
		for _, m := range states[i].Milestones {
			if m.Completion == domain.ClaimVerified || m.Completion == domain.ClaimPending || m.Due.After(yearLast) {
				continue
			}
			cands = append(cands, &msSim{ob: o, id: m.ID, what: m.What, due: m.Due})
		}
	}
	setup.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, kind := range []bool{false, true} {
		var group []*msSim
		for _, c := range cands {
			if c.ob.county == kind {
				group = append(group, c)
			}
		}
		assignOutcomes(group, profileOf(kind).quotas)
	}
	var claims []*claimPlan
	for _, c := range cands {
		claims = append(claims, r.planMilestone(c)...)
	}
	// Some obligations without milestones are one-off duties finished in
	// the year.
	for i, o := range obs {
		if o.silent || len(states[i].Milestones) > 0 || o.rng.Float64() >= 0.22 {
			continue
		}
		if c := r.planClaim(o, "", "", between(o.rng, r.date(time.June, 10), r.date(time.December, 10))); c != nil {
			claims = append(claims, c)
		}
	}
	if len(claims) >= 2 {
		order := slices.Clone(claims)
		setup.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		k := max(1, int(math.Round(0.15*float64(len(order)))))
		for _, c := range order[:k] {
			c.reject = true
		}
	}
	for _, c := range claims {
		r.schedule(c.at, r.claimAction(c.ob, c.ms, c.what, c.achieved, c.reject))
	}

	for i, o := range obs {
		r.planProgress(o, states[i])
	}
	r.planFindings(obs, setup)
	for i, o := range obs {
		if !o.silent {
			r.planReports(o, states[i])
		}
	}
	return nil
}

// temperament draws a unit's reporting habit.
func (r *runner) temperament(id domain.UnitID) temperament {
	x := r.rng("unit:" + string(id)).Float64()
	switch {
	case x < 0.45:
		return diligent
	case x < 0.75:
		return sloppy
	}
	return tardy
}

// assignOutcomes gives the shuffled candidates their outcomes: a share of
// each kind of trouble (at least one of each while at least half stay on
// time), the rest on time.
func assignOutcomes(cands []*msSim, quotas []quota) {
	n := len(cands)
	budget := n - (n+1)/2
	i := 0
	for _, q := range quotas {
		for k := max(1, int(math.Round(q.frac*float64(n)))); k > 0 && budget > 0; k-- {
			cands[i].out = q.out
			i++
			budget--
		}
	}
}

// planMilestone schedules what happens to one milestone and returns its
// planned claims.
func (r *runner) planMilestone(c *msSim) []*claimPlan {
	o, rng, d := c.ob, c.ob.rng, c.due
	jan6, yearLast := r.date(time.January, 6), r.date(time.December, 31)
	if d.Before(r.date(time.January, 25)) { // too close or overdue: nothing can happen before it
		switch c.out {
		case onTime:
			c.out = lateClaim
		case grantBefore, refused:
			c.out = grantAfter
		}
	}
	var out []*claimPlan
	claim := func(day domain.Date) {
		if cp := r.planClaim(o, c.id, c.what, day); cp != nil {
			out = append(out, cp)
		}
	}
	lateDay := func() domain.Date {
		if d.Before(r.date(time.January, 1)) {
			return between(rng, r.date(time.January, 10), r.date(time.March, 31))
		}
		return d.AddDays(u(rng, 10, 50))
	}
	requested := func(from domain.Date) domain.Date { return from.AddDays(u(rng, 60, 150)).LastOfMonth() }
	switch c.out {
	case onTime:
		claim(between(rng, laterDate(r.date(time.January, 10), d.AddDays(-40)), r.claimBy(d)))
	case lateClaim:
		claim(lateDay())
	case grantBefore, refused:
		req := between(rng, laterDate(jan6, d.AddDays(-50)), laterDate(jan6, d.AddDays(-20)))
		decide := req.AddDays(u(rng, 3, min(20, d.DaysSince(req)-1)))
		want := requested(d)
		r.schedule(r.work(req, rng), r.requestAction(o, c.id, want))
		if c.out == refused {
			r.schedule(r.work(decide, rng), r.decideAction(o, c.id, false, domain.Date{}))
			// Refused, some units push on and finish in time after all;
			// others finish late, or not within the year.
			x, by := rng.Float64(), r.claimBy(d)
			switch {
			case x < 0.4 && !decide.AddDays(3).After(by):
				claim(between(rng, laterDate(decide.AddDays(3), d.AddDays(-25)), by))
			case x < 0.7:
				claim(lateDay())
			}
			break
		}
		grant := want
		if rng.Float64() < 0.3 {
			if g := d.AddDays(u(rng, 30, 55)).LastOfMonth(); g.After(d) && g.Before(want) {
				grant = g
			}
		}
		r.schedule(r.work(decide, rng), r.decideAction(o, c.id, true, grant))
		if !grant.After(yearLast) && rng.Float64() < 0.8 {
			claim(between(rng, laterDate(decide.AddDays(3), grant.AddDays(-25)), r.claimBy(grant)))
		}
	case grantAfter:
		var req domain.Date
		if d.Before(r.date(time.January, 20)) {
			req = between(rng, jan6, r.date(time.January, 16))
		} else {
			req = laterDate(jan6, d.AddDays(-u(rng, 3, 15)))
		}
		// Decided after the deadline check that follows the due date, so
		// the slip is on record first.
		check := laterDate(d.LastOfMonth().AddDays(1), r.date(time.February, 1))
		decide := laterDate(check, req).AddDays(u(rng, 3, 20))
		want := requested(laterDate(d, r.date(time.January, 1)))
		r.schedule(r.work(req, rng), r.requestAction(o, c.id, want))
		r.schedule(r.work(decide, rng), r.decideAction(o, c.id, true, want))
		if !want.After(yearLast) && rng.Float64() < 0.7 {
			claim(between(rng, laterDate(decide.AddDays(3), want.AddDays(-25)), r.claimBy(want)))
		}
	}
	return out
}

// planClaim plans a first claim filed on day, unless that is too late in
// the year.
func (r *runner) planClaim(o *obSim, ms domain.MilestoneID, what string, day domain.Date) *claimPlan {
	if day.After(r.lastClaimDay()) {
		return nil
	}
	at := r.work(day, o.rng)
	achieved := at.Add(-time.Duration(o.rng.IntN(48)) * time.Hour)
	if achieved.Before(r.yearStart) {
		achieved = r.yearStart
	}
	if achieved.After(o.finish) {
		o.finish = achieved
	}
	o.claimed[ms] = true
	return &claimPlan{ob: o, ms: ms, what: what, at: at, achieved: achieved}
}

// planProgress sets the progress curve: finishers reach 99% at their last
// completion (the claim brings 100%), the others stop short.
func (r *runner) planProgress(o *obSim, ob domain.Obligation) {
	o.p0 = ob.Progress
	finisher := len(ob.Milestones) == 0 && o.claimed[""]
	if len(ob.Milestones) > 0 {
		finisher = true
		for _, m := range ob.Milestones {
			if m.Completion != domain.ClaimVerified && !o.claimed[m.ID] {
				finisher = false
			}
		}
	}
	if finisher && !o.finish.IsZero() {
		o.goal, o.goalAt = 99, o.finish
	} else {
		future := false
		for _, m := range ob.Milestones {
			future = future || m.Due.After(r.date(time.December, 31))
		}
		lo, hi := 55, 95
		if future {
			lo, hi = 35, 80
		}
		o.goal, o.goalAt = domain.Percent(u(o.rng, lo, hi)), r.lastUnitDay
	}
	if o.goal < o.p0 {
		o.goal = o.p0
	}
}

// planReports schedules the monthly reports of one obligation.
func (r *runner) planReports(o *obSim, ob domain.Obligation) {
	rng := o.rng
	lastLate := domain.DateOf(r.tailEnd).AddDays(-2)
	for m := time.January; m <= time.December; m++ {
		ym, _ := domain.NewYearMonth(r.opts.Year, m)
		last := ym.LastDay()
		if !ob.StartsOn.IsZero() && last.Before(ob.StartsOn) {
			continue
		}
		if rng.Float64() < o.skip {
			continue
		}
		late := rng.Float64() < o.lateShare
		var day domain.Date
		switch o.temper {
		case diligent:
			day = r.date(m, u(rng, 23, 28))
		default:
			day = r.date(m, u(rng, 26, last.Day()))
		}
		if !late {
			r.schedule(r.work(day, rng), r.reportAction(o, ym, time.Time{}))
			continue
		}
		eff := r.date(m, u(rng, 24, last.Day())).StartOf().Add(17*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
		rec := earlierDate(last.AddDays(u(rng, 12, 40)), lastLate)
		o.late[ym] = eff
		r.schedule(r.work(rec, rng), r.reportAction(o, ym, eff))
	}
}

// rectification outcomes of findings, in turn.
const (
	rectifyOnTime = iota
	rectifyNever
	rectifyLate
)

// planFindings schedules two inspection rounds (May and October).
func (r *runner) planFindings(obs []*obSim, setup *rand.Rand) {
	var pool []*obSim
	for _, o := range obs {
		if !o.silent {
			pool = append(pool, o)
		}
	}
	setup.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	n := min(max(4, len(obs)/35), len(pool))
	// With two false reports (the first two findings), one concerns a
	// county and the other a bureau when there are both, so that both
	// rankings show the grade cap; most obligations are counties', and
	// both would usually fall on counties.
	if n >= 8 && pool[0].county == pool[1].county {
		for j := 2; j < len(pool); j++ {
			if pool[j].county != pool[0].county {
				pool[1], pool[j] = pool[j], pool[1]
				break
			}
		}
	}
	pattern := []int{rectifyOnTime, rectifyNever, rectifyOnTime, rectifyLate, rectifyOnTime}
	withRectification := 0
	for i, o := range pool[:n] {
		var day domain.Date
		if i%2 == 0 {
			day = between(setup, r.date(time.May, 12), r.date(time.May, 30))
		} else {
			day = between(setup, r.date(time.October, 9), r.date(time.October, 24))
		}
		kind, severity := domain.FindingOther, domain.SeverityMinor
		switch {
		case i == 0:
			kind, severity = domain.FindingFalseReport, domain.SeveritySevere
		case i == 1 && n >= 8:
			kind, severity = domain.FindingFalseReport, domain.SeverityMajor
		case i%3 == 0:
			severity = domain.SeverityMajor
		}
		var by domain.Date
		outcome := rectifyNever
		if !(i == n-1 && n >= 6) { // the last of many needs no rectification
			by = day.AddDays(u(setup, 30, 50))
			outcome = pattern[withRectification%len(pattern)]
			withRectification++
		}
		r.schedule(r.work(day, setup), r.findingAction(o, kind, severity, by, outcome))
	}
}

// ---- actions ----

// reportAction files the monthly report for period, unless it is filed
// already: on time, or late and backdated to backdated when that is set.
func (r *runner) reportAction(o *obSim, period domain.YearMonth, backdated time.Time) func(time.Time) error {
	return func(at time.Time) error {
		ob, ok := r.views.Obligations.Get(o.stream)
		if !ok || !ob.Active() || ob.Closed() || o.filed[period] {
			return nil
		}
		cur := ob.Progress
		eff := backdated
		if eff.IsZero() {
			eff = at
		}
		var p domain.Percent
		var note string
		switch {
		case o.correction:
			o.correction = false
			p = max(0, cur-domain.Percent(u(o.rng, 10, 25)))
			note = r.text.falseReportCorrection(cur, p)
		case cur >= 20 && o.rng.Float64() < 0.015:
			p = cur - domain.Percent(u(o.rng, 2, 6))
			note = r.text.correction(cur, p)
		default:
			p = o.percentAt(eff, cur, r.yearStart)
			note = r.text.report(o.rng, period, o.title, p)
		}
		if err := r.reportBurst(o, period, at, backdated, cur, p, note); err != nil {
			return err
		}
		o.filed[period] = true
		return nil
	}
}

// reportBurst records a report of p as Scale reports on one occasion: when
// rising, itemised steps towards p and then p; when correcting downwards,
// the correction and then itemised repeats.
func (r *runner) reportBurst(o *obSim, period domain.YearMonth, at, backdated time.Time, cur, p domain.Percent, note string) error {
	n := r.opts.Scale
	steps := make([]step, 0, n)
	for i := 1; i <= n; i++ {
		q, text := p, note
		switch {
		case n == 1:
		case p < cur && i > 1:
			text = r.text.itemised(period, o.title, i, n, p)
		case p >= cur && i < n:
			q = cur + (p-cur)*domain.Percent(i)/domain.Percent(n)
			text = r.text.itemised(period, o.title, i, n, q)
		}
		now := r.now(at)
		eff := now
		if !backdated.IsZero() {
			eff = backdated.Add(time.Duration(i-1) * time.Second)
		}
		steps = append(steps, step{
			domain.ReportProgress{ObligationKey: o.key, ActingUnit: o.key.Unit, Percent: q, Period: period, Note: text},
			r.meta(o.unit, now, eff),
		})
	}
	return r.record(o.stream, steps...)
}

// percentAt is the figure to report at t: on the curve with some noise,
// never below the last report.
func (o *obSim) percentAt(t time.Time, cur domain.Percent, start time.Time) domain.Percent {
	frac := 1.0
	if span := o.goalAt.Sub(start); span > 0 {
		frac = math.Min(1, math.Max(0, float64(t.Sub(start))/float64(span)))
	}
	g := float64(o.p0) + float64(o.goal-o.p0)*frac + o.rng.Float64()*6 - 3
	p := domain.Percent(math.Round(g))
	p = min(p, o.goal, 99)
	return max(p, cur, 0)
}

// othersDone reports whether every milestone but id is claimed or verified.
func othersDone(ob domain.Obligation, id domain.MilestoneID) bool {
	for _, m := range ob.Milestones {
		if m.ID != id && m.Completion != domain.ClaimPending && m.Completion != domain.ClaimVerified {
			return false
		}
	}
	return true
}

// claimAction claims a milestone (or the whole obligation) achieved at
// achieved; the claim that completes the obligation comes with a report of
// 100%. An inspector reviews it some weeks later.
//
// A unit that completes an obligation first files the late reports it
// still owes for the months before, and reports the months after on time:
// once the completion is verified the obligation is closed and takes no
// more reports, and a late report planned after that would be lost,
// although the months before the verification are owed.
func (r *runner) claimAction(o *obSim, ms domain.MilestoneID, what string, achieved time.Time, reject bool) func(time.Time) error {
	return func(at time.Time) error {
		ob, ok := r.views.Obligations.Get(o.stream)
		if !ok || !ob.Active() || ob.Closed() {
			return nil
		}
		state, ok := ob.ClaimOf(ms)
		if !ok {
			return nil
		}
		if state == domain.ClaimPending || state == domain.ClaimVerified {
			return nil
		}
		completes := ms == "" || othersDone(ob, ms)
		month := domain.YearMonthOf(achieved)
		if completes {
			if err := r.settleLateReports(o, month, at); err != nil {
				return err
			}
			if ob, ok = r.views.Obligations.Get(o.stream); !ok {
				return nil
			}
		}
		var steps []step
		if completes && ob.Progress < 100 {
			steps = append(steps, step{
				domain.ReportProgress{ObligationKey: o.key, ActingUnit: o.key.Unit, Percent: 100, Period: month, Note: r.text.finished(o.title)},
				r.meta(o.unit, r.now(at), achieved),
			})
			o.filed[month] = true
		}
		steps = append(steps, step{
			domain.ClaimCompletion{ObligationKey: o.key, ActingUnit: o.key.Unit, Milestone: ms, Evidence: r.text.evidence(what)},
			r.meta(o.unit, r.now(at), achieved),
		})
		if err := r.record(o.stream, steps...); err != nil {
			return err
		}
		r.schedule(r.work(reviewDay(ob, ms, domain.DateOf(at), o.rng), o.rng), r.reviewAction(o, ms, what, reject))
		return nil
	}
}

// reviewDay is when an inspector reviews a claim filed on day: some 7–25
// days later, but by the due date of what it claims when that has not
// passed, as real inspectors do: a claim counts only once verified, and
// one made in time should not slip for want of a review.
func reviewDay(ob domain.Obligation, ms domain.MilestoneID, day domain.Date, rng *rand.Rand) domain.Date {
	review := day.AddDays(u(rng, 7, 25))
	var due domain.Date
	for _, m := range ob.Milestones {
		if (ms == "" || m.ID == ms) && m.Completion != domain.ClaimVerified && !m.Due.Before(day) && (due.IsZero() || m.Due.Before(due)) {
			due = m.Due
		}
	}
	if due.IsZero() {
		return review
	}
	return laterDate(day, earlierDate(review, due))
}

// settleLateReports files now the late reports planned for the months
// before month, and plans the reports of month and later, where planned
// late, at the end of their month instead.
func (r *runner) settleLateReports(o *obSim, month domain.YearMonth, at time.Time) error {
	var months []domain.YearMonth
	for ym := range o.late {
		if !o.filed[ym] {
			months = append(months, ym)
		}
	}
	slices.SortFunc(months, func(a, b domain.YearMonth) int { return a.FirstDay().Compare(b.FirstDay()) })
	for _, ym := range months {
		if ym.FirstDay().Before(month.FirstDay()) {
			if err := r.reportAction(o, ym, o.late[ym])(at); err != nil {
				return err
			}
			continue
		}
		delete(o.late, ym)
		last := ym.LastDay()
		day := laterDate(domain.DateOf(at), r.date(ym.Month(), u(o.rng, 26, last.Day())))
		r.schedule(r.work(day, o.rng), r.reportAction(o, ym, time.Time{}))
	}
	return nil
}

// reviewAction verifies the pending claim, or rejects it; after a
// rejection the unit reworks and claims again: within 10–30 days, or by the
// milestone's due date when that is nearer and at least two days away. A
// review in the closing month verifies: a claim rejected then would leave
// work owed that the unit could no longer do within the year, and the
// milestone would slip after the simulation ends.
func (r *runner) reviewAction(o *obSim, ms domain.MilestoneID, what string, reject bool) func(time.Time) error {
	return func(at time.Time) error {
		ob, ok := r.views.Obligations.Get(o.stream)
		if !ok || !ob.Active() {
			return nil
		}
		state, ok := ob.ClaimOf(ms)
		if !ok {
			return nil
		}
		if state != domain.ClaimPending {
			return nil
		}
		now := r.now(at)
		if !reject || !now.Before(r.yearEnd) {
			return r.record(o.stream, step{
				domain.VerifyCompletion{ObligationKey: o.key, Milestone: ms, Note: r.text.verify()},
				r.meta("inspector", now, now),
			})
		}
		if err := r.record(o.stream, step{
			domain.RejectCompletion{ObligationKey: o.key, Milestone: ms, Reason: r.text.reject()},
			r.meta("inspector", now, now),
		}); err != nil {
			return err
		}
		day := domain.DateOf(at)
		againDay := day.AddDays(u(o.rng, 10, 30))
		if m, ok := ob.Milestone(ms); ms != "" && ok && againDay.After(m.Due) && !m.Due.Before(day.AddDays(2)) {
			againDay = between(o.rng, day.AddDays(2), m.Due) // in a hurry, to be in time
		}
		if ob.Progress == 100 {
			if t := r.work(earlierDate(day.AddDays(u(o.rng, 1, 4)), againDay.AddDays(-1)), o.rng); !t.After(r.lastUnitDay) {
				r.schedule(t, r.reworkAction(o))
			}
		}
		again := r.work(againDay, o.rng)
		if !again.After(r.lastUnitDay) {
			achieved := again.Add(-time.Duration(o.rng.IntN(20)) * time.Hour)
			r.schedule(again, r.claimAction(o, ms, what, achieved, false))
		}
		return nil
	}
}

// reworkAction lowers a figure of 100% after a rejected claim, with a note.
func (r *runner) reworkAction(o *obSim) func(time.Time) error {
	return func(at time.Time) error {
		ob, ok := r.views.Obligations.Get(o.stream)
		if !ok || !ob.Active() || ob.Closed() || ob.Progress < 100 {
			return nil
		}
		p := domain.Percent(u(o.rng, 85, 95))
		now := r.now(at)
		return r.record(o.stream, step{
			domain.ReportProgress{ObligationKey: o.key, ActingUnit: o.key.Unit, Percent: p, Period: domain.YearMonthOf(now), Note: r.text.rework(ob.Progress, p)},
			r.meta(o.unit, now, now),
		})
	}
}

// requestAction asks for milestone ms to be due on want.
func (r *runner) requestAction(o *obSim, ms domain.MilestoneID, want domain.Date) func(time.Time) error {
	return func(at time.Time) error {
		ob, ok := r.views.Obligations.Get(o.stream)
		if !ok || !ob.Active() || ob.Closed() || ob.PendingExtension != nil {
			return nil
		}
		m, ok := ob.Milestone(ms)
		if !ok || m.Completion == domain.ClaimVerified || m.Completion == domain.ClaimPending || !want.After(m.Due) {
			return nil
		}
		now := r.now(at)
		return r.record(o.stream, step{
			domain.RequestExtension{ObligationKey: o.key, ActingUnit: o.key.Unit, Milestone: ms, Due: want, Reason: r.text.extensionReason(o.rng, want)},
			r.meta(o.unit, now, now),
		})
	}
}

// decideAction grants (to due, or as requested) or refuses the pending
// request for milestone ms.
func (r *runner) decideAction(o *obSim, ms domain.MilestoneID, grant bool, due domain.Date) func(time.Time) error {
	return func(at time.Time) error {
		ob, ok := r.views.Obligations.Get(o.stream)
		if !ok || !ob.Active() {
			return nil
		}
		pe := ob.PendingExtension
		if pe == nil || pe.Milestone != ms {
			return nil
		}
		now := r.now(at)
		if !grant {
			return r.record(o.stream, step{
				domain.RefuseExtension{ObligationKey: o.key, Reason: r.text.refuse()},
				r.meta("office", now, now),
			})
		}
		m, ok := ob.Milestone(ms)
		if !ok || ob.Closed() || m.Completion == domain.ClaimVerified {
			return nil
		}
		if !due.After(m.Due) {
			due = pe.RequestedDue
		}
		if !due.After(m.Due) {
			return nil
		}
		cmdDue := due
		if due == pe.RequestedDue {
			cmdDue = domain.Date{}
		}
		return r.record(o.stream, step{
			domain.GrantExtension{ObligationKey: o.key, Due: cmdDue, Note: r.text.grant(due, m.Due.PassedAt(now))},
			r.meta("office", now, now),
		})
	}
}

// slipCheck records, as the deadline watcher would, every slip of the
// plan's milestones due at at.
func (r *runner) slipCheck(at time.Time) error {
	plan, _ := r.views.Catalog.Plan(r.opts.Plan)
	tracked := plan.TrackingStart()
	for _, ob := range r.views.Obligations.All() {
		if ob.Key.Plan != r.opts.Plan {
			continue
		}
		for _, id := range ob.DueSlips(at) {
			m, _ := ob.Milestone(id)
			if !tracked.IsZero() && m.Due.Before(tracked) {
				continue // due before the ledger tracked the plan: to be backfilled, as the watcher leaves it
			}
			now := r.now(at)
			eff := m.Due.EndOf()
			if eff.After(now) {
				eff = now
			}
			if err := r.record(ob.Key.Stream(), step{
				domain.RecordSlip{ObligationKey: ob.Key, Milestone: id},
				r.meta("system", now, eff),
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// findingAction records an inspection finding and plans its rectification.
func (r *runner) findingAction(o *obSim, kind domain.FindingKind, severity domain.Severity, by domain.Date, outcome int) func(time.Time) error {
	return func(at time.Time) error {
		ob, ok := r.views.Obligations.Get(o.stream)
		if !ok || !ob.Active() {
			return nil
		}
		now := r.now(at)
		if err := r.record(o.stream, step{
			domain.RecordFinding{ObligationKey: o.key, Kind: kind, Severity: severity, Summary: r.text.finding(o.rng, kind), RectifyBy: by},
			r.meta("inspector", now, now),
		}); err != nil {
			return err
		}
		if kind == domain.FindingFalseReport {
			o.correction = true
		}
		if by.IsZero() {
			return nil
		}
		ob, _ = r.views.Obligations.Get(o.stream)
		no := len(ob.Findings)
		day := domain.DateOf(at)
		var when domain.Date
		switch outcome {
		case rectifyOnTime:
			when = laterDate(day.AddDays(3), by.AddDays(-u(o.rng, 3, 15)))
		case rectifyLate:
			when = by.AddDays(u(o.rng, 5, 20))
		default:
			return nil
		}
		if t := r.work(when, o.rng); !t.After(r.lastUnitDay) {
			r.schedule(t, r.rectifyAction(o, no))
		}
		return nil
	}
}

// rectifyAction records that finding no was rectified.
func (r *runner) rectifyAction(o *obSim, no int) func(time.Time) error {
	return func(at time.Time) error {
		ob, ok := r.views.Obligations.Get(o.stream)
		if !ok || !ob.Active() {
			return nil
		}
		f, ok := ob.Finding(no)
		if !ok || f.Rectified || f.RectifyBy.IsZero() {
			return nil
		}
		now := r.now(at)
		return r.record(o.stream, step{
			domain.CompleteRectification{ObligationKey: o.key, ActingUnit: o.key.Unit, Finding: no, Note: r.text.rectified()},
			r.meta(o.unit, now, now),
		})
	}
}
