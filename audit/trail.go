package audit

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/replay"
)

// Flag marks an audit-trail entry an inspector should look at twice.
type Flag string

// The flags.
const (
	// FlagBackdated: recorded longer after the moment it speaks of than the
	// grace allows (the rule of the projections' Audit model).
	FlagBackdated Flag = "backdated"
	// FlagLate: recorded after the end of the due date it concerns — a
	// completion claimed, an extension requested or granted, a finding
	// rectified after the date that applied, a progress report recorded
	// after its period's reporting deadline.
	FlagLate Flag = "late"
	// FlagReversed: undone by a later event — a completion claim later
	// rejected or sent back, a progress report sent back for revision, an
	// extension request refused, a rectification report sent back, a slip
	// or finding whose deduction an appeal overturned.
	FlagReversed Flag = "reversed"
	// FlagSuperseded: replaced by a later event — a progress report
	// followed by another for the same month, an indicator restated.
	FlagSuperseded Flag = "superseded"
)

// DefaultGrace is the backdating grace of the projections' Audit model
// (projections.Config.BackdateGrace's default).
const DefaultGrace = 7 * 24 * time.Hour

// DefaultReportDeadlineDays is the reporting deadline a Flagger judges
// progress reports by unless told otherwise: the default scoring scheme's
// deductions.missed_report.deadline_days (a report about March is late
// after 10 April).
const DefaultReportDeadlineDays = 10

type milestoneKey struct {
	stream    string
	milestone domain.MilestoneID
}

type periodKey struct {
	stream string
	period domain.YearMonth
}

type indicatorKey struct {
	unit   domain.UnitID
	metric domain.Metric
	period domain.YearMonth
	day    domain.Date
}

type findingKey struct {
	stream  string
	finding int
}

// Flagger computes the flags of events applied in log order. Every flag
// depends only on earlier and later events of the same stream (an
// obligation's or a unit's), so a Flagger fed one stream, or any set of
// whole streams, gives the same flags as one fed the whole log.
type Flagger struct {
	grace time.Duration
	// reportDeadline is the reporting deadline in days after the end of
	// the month a report covers.
	reportDeadline int
	flags          map[uint64][]Flag // by position
	dues           map[milestoneKey]domain.Date
	lastDue        map[string]domain.Date // latest due of any milestone, by stream
	claims         map[milestoneKey]uint64
	requests       map[milestoneKey]uint64
	reports        map[periodKey]uint64
	measures       map[indicatorKey]uint64
	rectifyBy      map[findingKey]domain.Date
	// reportSeq lists each stream's progress reports by number (review.go).
	reportSeq map[string][]uint64
	// review holds what the rectification and appeal flags need
	// (review.go); nil until such an event comes.
	review *reviewFlags
}

// NewFlagger returns a Flagger with the given backdating grace (DefaultGrace
// when ≤ 0).
func NewFlagger(grace time.Duration) *Flagger {
	if grace <= 0 {
		grace = DefaultGrace
	}
	return &Flagger{
		grace:          grace,
		reportDeadline: DefaultReportDeadlineDays,
		flags:          map[uint64][]Flag{},
		dues:           map[milestoneKey]domain.Date{},
		lastDue:        map[string]domain.Date{},
		claims:         map[milestoneKey]uint64{},
		requests:       map[milestoneKey]uint64{},
		reports:        map[periodKey]uint64{},
		measures:       map[indicatorKey]uint64{},
		rectifyBy:      map[findingKey]domain.Date{},
		reportSeq:      map[string][]uint64{},
	}
}

// WithReportDeadline sets the reporting deadline, in days after the end of
// the month a report covers, after which a progress report is flagged
// late (negative: never); it returns f.
func (f *Flagger) WithReportDeadline(days int) *Flagger {
	f.reportDeadline = days
	return f
}

func (f *Flagger) mark(pos uint64, fl Flag) {
	if !slices.Contains(f.flags[pos], fl) {
		f.flags[pos] = append(f.flags[pos], fl)
	}
}

// recordedAfter reports whether e was recorded after the end of due.
func recordedAfter(e *domain.Event, due domain.Date) bool {
	return !due.IsZero() && due.PassedAt(e.RecordedAt)
}

// Apply takes the next event in log order.
func (f *Flagger) Apply(e *domain.Event, data domain.EventData) {
	pos := e.Position
	if e.Backdated(f.grace) {
		f.mark(pos, FlagBackdated)
	}
	s := e.Stream
	setDue := func(m domain.MilestoneID, d domain.Date) {
		f.dues[milestoneKey{s, m}] = d
		if d.After(f.lastDue[s]) {
			f.lastDue[s] = d
		}
	}
	switch d := data.(type) {
	case domain.MilestoneScheduled:
		setDue(d.Milestone, d.Due)
	case domain.MilestoneRescheduled:
		setDue(d.Milestone, d.Due)
	case domain.ExtensionRequested:
		if recordedAfter(e, d.CurrentDue) {
			f.mark(pos, FlagLate)
		}
		f.requests[milestoneKey{s, d.Milestone}] = pos
	case domain.ExtensionGranted:
		if recordedAfter(e, d.PreviousDue) {
			f.mark(pos, FlagLate)
		}
		setDue(d.Milestone, d.Due)
		delete(f.requests, milestoneKey{s, d.Milestone})
	case domain.ExtensionRefused:
		if p, ok := f.requests[milestoneKey{s, d.Milestone}]; ok {
			f.mark(p, FlagReversed)
			delete(f.requests, milestoneKey{s, d.Milestone})
		}
	case domain.CompletionClaimed:
		due := f.lastDue[s]
		if d.Milestone != "" {
			due = f.dues[milestoneKey{s, d.Milestone}]
		}
		if recordedAfter(e, due) {
			f.mark(pos, FlagLate)
		}
		f.claims[milestoneKey{s, d.Milestone}] = pos
	case domain.CompletionVerified:
		delete(f.claims, milestoneKey{s, d.Milestone})
	case domain.CompletionRejected:
		if p, ok := f.claims[milestoneKey{s, d.Milestone}]; ok {
			f.mark(p, FlagReversed)
			delete(f.claims, milestoneKey{s, d.Milestone})
		}
	case domain.ProgressReported:
		period := d.Period
		if period.IsZero() {
			period = domain.YearMonthOf(e.Effective())
		}
		if (domain.PeriodReport{Period: period, RecordedAt: domain.InstantOf(e.RecordedAt)}).LateAfter(f.reportDeadline) {
			f.mark(pos, FlagLate)
		}
		k := periodKey{s, period}
		if p, ok := f.reports[k]; ok {
			f.mark(p, FlagSuperseded)
		}
		f.reports[k] = pos
		f.reportSeq[s] = append(f.reportSeq[s], pos)
	case domain.WorkSentBack:
		f.sentBack(s, d)
	case domain.IndicatorMeasured:
		k := indicatorKey{d.Unit, d.Metric, d.Period, d.DayOf()}
		if p, ok := f.measures[k]; ok {
			f.mark(p, FlagSuperseded)
		}
		f.measures[k] = pos
	case domain.FindingRecorded:
		f.rectifyBy[findingKey{s, d.Finding}] = d.RectifyBy
	case domain.RectificationDue:
		f.rectifyBy[findingKey{s, d.Finding}] = d.Due
	case domain.RectificationCompleted:
		if recordedAfter(e, f.rectifyBy[findingKey{s, d.Finding}]) {
			f.mark(pos, FlagLate)
		}
	}
	f.applyReview(pos, s, e, data)
}

// Flags returns the flags of the event at a position, in a fixed order.
func (f *Flagger) Flags(pos uint64) []Flag {
	fl := slices.Clone(f.flags[pos])
	slices.SortFunc(fl, func(a, b Flag) int { return flagRank(a) - flagRank(b) })
	return fl
}

func flagRank(f Flag) int {
	switch f {
	case FlagBackdated:
		return 0
	case FlagLate:
		return 1
	case FlagReversed:
		return 2
	case FlagSuperseded:
		return 3
	}
	return 4
}

// Filter picks the events of a trail. Task > 0 keeps the events about that
// task (of Plan, or of any plan when Plan is empty); Unit keeps the events
// about that unit; both keep the events about the unit's duty on the task.
type Filter struct {
	Plan domain.PlanID
	Task domain.TaskNo
	Unit domain.UnitID
}

// Match reports whether an event belongs to the trail.
func (f Filter) Match(data domain.EventData) bool {
	ref := domain.RefOf(data)
	if f.Task > 0 && (ref.Task != f.Task || (f.Plan != "" && ref.Plan != f.Plan)) {
		return false
	}
	if f.Unit != "" && !slices.Contains(domain.UnitsOf(data), f.Unit) {
		return false
	}
	return f.Task > 0 || f.Unit != ""
}

// Entry is one event of an audit trail.
type Entry struct {
	Position    uint64    `json:"position"`
	ID          uuid.UUID `json:"id"`
	Stream      string    `json:"stream"`
	Version     uint64    `json:"version"`
	Type        string    `json:"type"`
	Actor       string    `json:"actor"`
	RecordedAt  time.Time `json:"recorded_at"`
	EffectiveAt time.Time `json:"effective_at"`
	// Summary says what changed, in one line of Chinese.
	Summary string `json:"summary"`
	Flags   []Flag `json:"flags"`
	Hash    Hash   `json:"hash"`
	// HashMismatch is set when the event's content does not match its hash.
	HashMismatch bool `json:"hash_mismatch,omitempty"`
}

// Trail collects an audit trail from events applied in log order.
type Trail struct {
	filter  Filter
	flagger *Flagger
	names   map[domain.UnitID]string
	// milestones holds what each milestone scheduled so far is, in the
	// plan's words, so that summaries name milestones, not their ids.
	milestones map[milestoneRef]string
	entries    []Entry
	chain      ChainCheck
}

// milestoneRef is one milestone of one obligation.
type milestoneRef struct {
	key domain.ObligationKey
	id  domain.MilestoneID
}

// NewTrail returns an empty trail for a filter; grace ≤ 0 means DefaultGrace.
func NewTrail(f Filter, grace time.Duration) *Trail {
	return &Trail{filter: f, flagger: NewFlagger(grace), names: map[domain.UnitID]string{}, milestones: map[milestoneRef]string{}}
}

// Apply takes the next event in log order.
func (t *Trail) Apply(e *domain.Event, data domain.EventData) error {
	switch d := data.(type) {
	case domain.UnitRegistered:
		t.names[d.Unit] = d.Name
	case domain.UnitRenamed:
		t.names[d.Unit] = d.NewName
	case domain.MilestoneScheduled:
		if d.What != "" {
			t.milestones[milestoneRef{d.Key(), d.Milestone}] = d.What
		}
	}
	if !t.filter.Match(data) {
		return nil
	}
	t.flagger.Apply(e, data)
	t.entries = append(t.entries, Entry{
		Position: e.Position, ID: e.ID, Stream: e.Stream, Version: e.Version, Type: e.Type,
		Actor: e.Actor, RecordedAt: e.RecordedAt, EffectiveAt: e.Effective(),
		Summary: Summarize(data, Names{Unit: t.unitName, Milestone: t.milestoneWords}), Hash: e.Hash, HashMismatch: !t.chain.Add(e),
	})
	return nil
}

// Intact reports whether the trail's events check out as a chain
// (ChainCheck): each matches its hash and links to the version before it.
func (t *Trail) Intact() bool { return t.chain.Intact() }

func (t *Trail) milestoneWords(k domain.ObligationKey, m domain.MilestoneID) string {
	return t.milestones[milestoneRef{k, m}]
}

func (t *Trail) unitName(u domain.UnitID) string {
	if n, ok := t.names[u]; ok {
		return n
	}
	return string(u)
}

// Entries returns the trail in log order, with its flags.
func (t *Trail) Entries() []Entry {
	out := slices.Clone(t.entries)
	for i := range out {
		out[i].Flags = t.flagger.Flags(out[i].Position)
		if out[i].Flags == nil {
			out[i].Flags = []Flag{}
		}
	}
	return out
}

// BuildTrail replays the log up to a cut (position until, 0 for the head;
// with asOf not zero, no further than the last position recorded by asOf)
// and returns the trail of the filter. As-of is literally a replay of a
// prefix of the log: no event beyond it is read, so no later rejection or
// restatement flags an earlier event.
func BuildTrail(ctx context.Context, s eventstore.Store, reg *domain.Registry, f Filter, until uint64, asOf time.Time, grace time.Duration) (*Trail, error) {
	if f.Task <= 0 && f.Unit == "" {
		return nil, fmt.Errorf("audit trail: name a task or a unit")
	}
	t := NewTrail(f, grace)
	if !asOf.IsZero() {
		at, err := eventstore.PositionAt(ctx, s, asOf)
		if err != nil {
			return nil, fmt.Errorf("audit trail: %w", err)
		}
		if at == 0 {
			return t, nil // nothing was recorded by then
		}
		if until == 0 || at < until {
			until = at
		}
	}
	_, err := replay.Run(ctx, s, reg, replay.Options{Until: until}, t.Apply)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	return t, nil
}
