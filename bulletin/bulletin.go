// Package bulletin computes a plan's bulletin (通报) for a month or a
// quarter from the read models, and renders it as a print page (HTML) and
// a PDF with a Chinese font embedded.
//
// A bulletin is computed from a prefix of the log (the read models built
// as of a log position, see projections.BuildAt) and judged at one instant.
// Its rendering depends on nothing else: no clock, no random IDs, no map
// order. The same prefix, instant and number give the same bytes, which is
// what lets BulletinIssued carry the PDF's digest and anyone reproduce it.
package bulletin

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"taskledger/domain"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// SoonDays is how many days after the as-of date a milestone counts as
// soon due.
const SoonDays = 30

// Bulletin is the content of one bulletin.
type Bulletin struct {
	Plan         domain.PlanID
	PlanTitle    string
	Jurisdiction string
	// Year and Number: 2026年第3期.
	Year, Number int
	Period       domain.BulletinPeriod
	// AsOf is the instant duties are judged at; AsOfPosition the last log
	// position the read models hold.
	AsOf         time.Time
	AsOfPosition uint64
	Counts       Counts
	// Overdue, SoonDue and Early list milestones, most urgent first.
	Overdue []Item
	SoonDue []Item
	Early   []Item
	// Units counts each unit's overdue milestones, most first.
	Units []UnitCount
	// Rankings are the year's scorecards, county then bureau, as of AsOf.
	Rankings []Ranking
}

// Counts are the bulletin's headline figures.
type Counts struct {
	// Duties is the number of duties held (active obligations).
	Duties int
	// Completed counts the duties verified complete.
	Completed int
	// Overdue, SoonDue: milestones overdue, and due within SoonDays.
	Overdue, SoonDue int
	// CompletedInPeriod counts milestones verified as done within the
	// period; Early those of them done before their due date.
	CompletedInPeriod, Early int
}

// Item is one milestone of one unit's duty.
type Item struct {
	Task      domain.TaskNo
	TaskLabel string
	TaskTitle string
	Unit      domain.UnitID
	UnitName  string
	Role      domain.Role
	Milestone domain.MilestoneID
	What      string
	Due       domain.Date
	// Days is days overdue, days left, or days early, by the list.
	Days int
	// Done is the day the work was done (early completions).
	Done domain.Date
}

// UnitCount is one unit's number of overdue milestones.
type UnitCount struct {
	Unit    domain.UnitID
	Name    string
	Overdue int
}

// Ranking is one kind of scorecard's ranking.
type Ranking struct {
	Kind scoring.Kind
	Rows []RankRow
}

// RankRow is one line of a ranking.
type RankRow struct {
	Rank  int
	Name  string
	Total string
	Grade string
}

// Request says which bulletin to compute.
type Request struct {
	Plan   domain.PlanID
	Period domain.BulletinPeriod
	Number int
	// AsOf is the instant duties are judged at; Position the read models'
	// log position, recorded with the bulletin.
	AsOf     time.Time
	Position uint64
}

// Compute gathers a bulletin's content from read models cut at the
// request's position and instant.
func Compute(v *projections.Views, r Request) (Bulletin, error) {
	p, ok := v.Catalog.Plan(r.Plan)
	if !ok {
		return Bulletin{}, fmt.Errorf("bulletin: plan %q: %w", r.Plan, domain.ErrNotFound)
	}
	b := Bulletin{
		Plan: r.Plan, PlanTitle: p.Title, Jurisdiction: p.Jurisdiction, Year: r.Period.Year, Number: r.Number,
		Period: r.Period, AsOf: r.AsOf, AsOfPosition: r.Position,
	}
	names := unitNames(v)
	tasks := taskIndex(v, r.Plan)
	for _, ov := range v.Obligations.Views(projections.Filter{Plan: r.Plan}, r.AsOf, SoonDays) {
		b.addDuty(ov, names, tasks)
	}
	b.finish()
	rankings, err := rankingsOf(v, r)
	if err != nil {
		return Bulletin{}, err
	}
	b.Rankings = rankings
	return b, nil
}

// addDuty counts one duty and lists its overdue, soon-due and early
// milestones.
func (b *Bulletin) addDuty(ov projections.ObligationView, names map[domain.UnitID]string, tasks map[domain.TaskNo]domain.Task) {
	verified := ov.Status == string(domain.StatusVerified)
	if ov.Light == projections.Grey && !verified {
		return
	}
	b.Counts.Duties++
	if verified {
		b.Counts.Completed++
	}
	today := domain.DateOf(b.AsOf)
	first, last := b.Period.First(), b.Period.Last()
	for _, ms := range ov.Milestones {
		it := b.item(ov, ms.Milestone, names, tasks)
		switch {
		case ms.ToBackfill:
		case ms.Overdue:
			it.Days = today.DaysSince(ms.Due)
			b.Overdue = append(b.Overdue, it)
		case ms.Completion == domain.ClaimVerified:
			done := domain.DateOf(ms.CompletedAt)
			if done.Before(first) || done.After(last) {
				continue
			}
			b.Counts.CompletedInPeriod++
			if done.Before(ms.Due) {
				it.Done, it.Days = done, ms.Due.DaysSince(done)
				b.Early = append(b.Early, it)
			}
		case ov.Light != projections.Grey && !ms.Due.Before(today) && ms.Due.DaysSince(today) <= SoonDays:
			it.Days = ms.Due.DaysSince(today)
			b.SoonDue = append(b.SoonDue, it)
		}
	}
}

func (b *Bulletin) item(ov projections.ObligationView, ms domain.Milestone, names map[domain.UnitID]string, tasks map[domain.TaskNo]domain.Task) Item {
	t := tasks[ov.Task]
	name := names[ov.Unit]
	if name == "" {
		name = string(ov.Unit)
	}
	return Item{
		Task: ov.Task, TaskLabel: t.Label, TaskTitle: t.Title, Unit: ov.Unit, UnitName: name, Role: ov.Role,
		Milestone: ms.ID, What: ms.What, Due: ms.Due,
	}
}

// finish sorts the lists and derives the counts and the units' tally.
func (b *Bulletin) finish() {
	byItem := func(a, c Item) int {
		return cmp.Or(cmp.Compare(a.Task, c.Task), cmp.Compare(a.Unit, c.Unit), cmp.Compare(a.Role, c.Role), cmp.Compare(a.Milestone, c.Milestone))
	}
	slices.SortStableFunc(b.Overdue, func(a, c Item) int { return cmp.Or(cmp.Compare(c.Days, a.Days), byItem(a, c)) })
	slices.SortStableFunc(b.SoonDue, func(a, c Item) int { return cmp.Or(cmp.Compare(a.Days, c.Days), byItem(a, c)) })
	slices.SortStableFunc(b.Early, func(a, c Item) int { return cmp.Or(cmp.Compare(c.Days, a.Days), byItem(a, c)) })
	b.Counts.Overdue, b.Counts.SoonDue, b.Counts.Early = len(b.Overdue), len(b.SoonDue), len(b.Early)
	tally := map[domain.UnitID]*UnitCount{}
	for _, it := range b.Overdue {
		if tally[it.Unit] == nil {
			tally[it.Unit] = &UnitCount{Unit: it.Unit, Name: it.UnitName}
		}
		tally[it.Unit].Overdue++
	}
	for _, u := range tally {
		b.Units = append(b.Units, *u)
	}
	slices.SortFunc(b.Units, func(a, c UnitCount) int {
		return cmp.Or(cmp.Compare(c.Overdue, a.Overdue), cmp.Compare(a.Unit, c.Unit))
	})
}

// rankingsOf computes the period year's county and bureau scorecards as
// of the bulletin's instant, under the scheme the year is scored by.
func rankingsOf(v *projections.Views, r Request) ([]Ranking, error) {
	var out []Ranking
	for _, kind := range []scoring.Kind{scoring.KindCounty, scoring.KindBureau} {
		res, err := v.Scorecards(r.Plan, r.Period.Year, kind, "", 0, r.AsOf)
		if err != nil {
			return nil, fmt.Errorf("bulletin rankings: %w", err)
		}
		rk := Ranking{Kind: kind}
		for _, c := range res.Cards {
			rk.Rows = append(rk.Rows, RankRow{Rank: c.Rank, Name: c.Name, Total: c.Total.String(), Grade: c.Grade})
		}
		out = append(out, rk)
	}
	return out, nil
}

func unitNames(v *projections.Views) map[domain.UnitID]string {
	out := map[domain.UnitID]string{}
	for _, u := range v.Catalog.Units() {
		out[u.ID] = u.Name
	}
	return out
}

func taskIndex(v *projections.Views, plan domain.PlanID) map[domain.TaskNo]domain.Task {
	out := map[domain.TaskNo]domain.Task{}
	for _, t := range v.Catalog.Tasks(plan) {
		out[t.No] = t
	}
	return out
}

// Title is the bulletin's title: 赤峰市…实施方案落实情况通报.
func (b Bulletin) Title() string { return b.PlanTitle + "落实情况通报" }

// NumberText is the bulletin's number: 2026年第3期.
func (b Bulletin) NumberText() string { return fmt.Sprintf("%d年第%d期", b.Year, b.Number) }

// FileName is the PDF's file name for a person: 通报-2026年第3期-2026年11月.pdf.
func (b Bulletin) FileName() string {
	return "通报-" + b.NumberText() + "-" + b.Period.Chinese() + ".pdf"
}

// RoleZH names a role in Chinese.
func RoleZH(r domain.Role) string {
	switch r {
	case domain.RoleLead:
		return "牵头"
	case domain.RoleJoint:
		return "共同负责"
	case domain.RoleSupport:
		return "配合"
	case domain.RoleImplementing:
		return "落实"
	}
	return string(r)
}
