package projections

import (
	"encoding/gob"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/projections/scoring"
)

// Report is an obligation's current progress report: the one for the
// latest period reported, the last recorded of that period's reports.
type Report struct {
	EventID    uuid.UUID
	Percent    domain.Percent
	Note       string
	RecordedAt time.Time
	Effective  time.Time
	// Period is the month the report covers.
	Period domain.YearMonth
	// Late is set in views when the report was recorded after its
	// period's reporting deadline.
	Late bool
}

// HistoryReport is one progress report of an obligation's history.
type HistoryReport struct {
	domain.PeriodReport
	// Late is set when the report was recorded after its period's
	// reporting deadline: it does not undo a missed-report deduction.
	Late bool
}

// Obligations is the read model of every unit's duties: each obligation
// folded by the domain's own Obligation aggregate, indexed by unit and task.
type Obligations struct {
	cursor
	// deadlineDays is the reporting deadline, in days after the end of
	// the month a report covers, by which views judge reports late.
	deadlineDays int
	byStream     map[string]*held
	byUnit       map[domain.UnitID][]string
	byTask       map[TaskKey][]string
	// tracking is each plan's tracking start (domain.Plan.TrackingStart).
	tracking map[domain.PlanID]domain.Date
}

// held is one obligation as the model keeps it: the aggregate, its current
// report and the index of its reports by month, found with one lookup of
// the stream on every event.
type held struct {
	ob domain.Obligation
	// last is the current report, when hasLast is set.
	last    Report
	hasLast bool
	// reports indexes ob.PeriodReports by the month each covers, for the
	// scorecards.
	reports scoring.ReportIndex
}

// current returns a copy of the current report, or nil.
func (h *held) current() *Report {
	if !h.hasLast {
		return nil
	}
	r := h.last
	return &r
}

func newObligations(deadlineDays int) *Obligations {
	return &Obligations{
		deadlineDays: deadlineDays,
		byStream:     map[string]*held{},
		byUnit:       map[domain.UnitID][]string{},
		byTask:       map[TaskKey][]string{},
		tracking:     map[domain.PlanID]domain.Date{},
	}
}

// Name implements Model.
func (o *Obligations) Name() string { return "obligations" }

// Apply implements Model.
func (o *Obligations) Apply(e *domain.Event, data domain.EventData) error {
	oe, ok := data.(domain.ObligationEvent)
	if !ok {
		return o.applyOther(e, data)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.check(e); err != nil {
		return err
	}
	// The event's own stream is the obligation's: no need to rebuild the
	// name from the key on this hot path.
	stream := e.Stream
	// Get and All hand out copies that share slices with the stored
	// obligation: the domain's folds append to those slices or change a
	// fresh copy of them, never an element in place.
	h, known := o.byStream[stream]
	if !known {
		h = &held{}
	}
	if err := h.ob.Apply(e, data); err != nil {
		return err
	}
	h.reports.Update(&h.ob.PeriodReports)
	if !known {
		o.byStream[stream] = h
		key := oe.Key()
		o.byUnit[key.Unit] = append(o.byUnit[key.Unit], stream)
		tk := TaskKey{key.Plan, key.Task}
		o.byTask[tk] = append(o.byTask[tk], stream)
	}
	if r, ok := data.(domain.ProgressReported); ok {
		h.setCurrent(e, r)
	}
	o.pos.Store(e.Position)
	return nil
}

// applyOther applies an event that is not an obligation's: a plan's
// registration sets its tracking start, any other only moves the
// position. Asserting the large PlanRegistered here, not for every event,
// spares the obligations' hot path from clearing a copy of one.
func (o *Obligations) applyOther(e *domain.Event, data domain.EventData) error {
	pr, ok := data.(domain.PlanRegistered)
	if !ok {
		return o.pass(e)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.check(e); err != nil {
		return err
	}
	o.tracking[pr.Plan] = trackingStart(pr, e)
	o.pos.Store(e.Position)
	return nil
}

// trackingStart is the tracking start a plan's registration sets, as
// domain.Plan.TrackingStart computes it.
func trackingStart(pr domain.PlanRegistered, e *domain.Event) domain.Date {
	if pr.TrackingFrom != nil {
		return *pr.TrackingFrom
	}
	return domain.DateOf(e.RecordedAt)
}

// setCurrent makes report r of event e the obligation's current report
// unless it covers an earlier month than the current one (a late report
// about March does not replace June's).
func (h *held) setCurrent(e *domain.Event, r domain.ProgressReported) {
	period := r.Period
	if period.IsZero() {
		period = domain.YearMonthOf(e.Effective())
	}
	if h.hasLast && !h.last.Period.IsZero() && period.FirstDay().Before(h.last.Period.FirstDay()) {
		return
	}
	h.last = Report{EventID: e.ID, Percent: r.Percent, Note: r.Note, RecordedAt: e.RecordedAt, Effective: e.EffectiveAt, Period: period}
	h.hasLast = true
}

// Get returns a copy of one obligation's state.
func (o *Obligations) Get(stream string) (domain.Obligation, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	h, ok := o.byStream[stream]
	if !ok {
		return domain.Obligation{}, false
	}
	return h.ob, true
}

// MilestoneWords returns what milestone m of obligation k is, in the
// plan's words, or "" when the read model does not know it.
func (o *Obligations) MilestoneWords(k domain.ObligationKey, m domain.MilestoneID) string {
	o.mu.RLock()
	defer o.mu.RUnlock()
	h, ok := o.byStream[k.Stream()]
	if !ok {
		return ""
	}
	for _, ms := range h.ob.Milestones {
		if ms.ID == m {
			return ms.What
		}
	}
	return ""
}

// All returns copies of every obligation, ordered by stream name.
func (o *Obligations) All() []domain.Obligation {
	o.mu.RLock()
	defer o.mu.RUnlock()
	streams := o.sortedStreams()
	out := make([]domain.Obligation, len(streams))
	for i, s := range streams {
		out[i] = o.byStream[s].ob
	}
	return out
}

// sortedStreams returns every stream name in order. The caller holds the
// lock.
func (o *Obligations) sortedStreams() []string {
	streams := make([]string, 0, len(o.byStream))
	for s := range o.byStream {
		streams = append(streams, s)
	}
	sort.Strings(streams)
	return streams
}

// Plan returns copies of a plan's obligations, ordered by stream name,
// with an index of each one's progress reports by month (keyed by the
// obligation's key; see scoring.Input.Reports).
func (o *Obligations) Plan(plan domain.PlanID) ([]*domain.Obligation, map[domain.ObligationKey]*scoring.ReportIndex) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []*domain.Obligation
	index := map[domain.ObligationKey]*scoring.ReportIndex{}
	for _, s := range o.sortedStreams() {
		h := o.byStream[s]
		if h.ob.Key.Plan != plan {
			continue
		}
		ob := h.ob
		out = append(out, &ob)
		index[ob.Key] = h.reports.Frozen()
	}
	return out, index
}

// ObligationView is one obligation as a department or inspector reads it at
// a moment: its duty, milestones, the traffic light and the last report.
type ObligationView struct {
	Stream string
	domain.ObligationKey
	// Status is the domain status, or "overdue" when an open milestone's
	// due date has passed.
	Status string
	// Light is green, yellow, red, or grey for a withdrawn duty.
	Light      Light
	Milestones []MilestoneView
	// NextDue is the earliest due date of a milestone still owed; zero when
	// nothing is owed.
	NextDue domain.Date
	// Progress is the current progress: the latest period's figure.
	Progress domain.Percent
	Reports  int
	// LastReport is the current report (the latest period's), flagged
	// late when it was recorded after its period's reporting deadline.
	LastReport *Report
	// periodReports and deadlineDays give History: the obligation's reports
	// (shared with the read model, never changed in place) and the
	// reporting deadline.
	periodReports domain.ReportList
	deadlineDays  int
	// PendingExtension is the request awaiting a decision, if any.
	PendingExtension *domain.ExtensionRequest
	Slips            int
	Findings         int
	StartsOn         domain.Date
	Basis            string
	// Evidence lists the files attached to reports, claims and
	// rectifications, in recording order (shared with the read model,
	// never changed in place).
	Evidence []domain.Attachment
	// Review holds the send-backs, the comment thread and the lead's
	// sign-off (shared with the read model, never changed in place).
	Review domain.Review
}

// MilestoneView is one milestone of an ObligationView.
type MilestoneView struct {
	domain.Milestone
	// Overdue is set when the due date has passed without a verified
	// completion; a claim awaiting verification does not clear it.
	Overdue bool
	// AwaitingVerification is set when the milestone (or the whole
	// obligation) is claimed complete and no inspector has verified the
	// claim yet: "claimed, awaiting verification". It keeps its slip.
	AwaitingVerification bool
	// ToBackfill is set for a milestone due before its plan's tracking
	// start that nobody has reported on yet (no claim, no slip): it passed
	// before the ledger tracked the plan, so it is neither slipped nor
	// done, its light is grey, and no score counts it.
	ToBackfill bool
	Light      Light
}

// Light is a traffic light.
type Light string

// The traffic lights.
const (
	Green  Light = "green"
	Yellow Light = "yellow"
	Red    Light = "red"
	Grey   Light = "grey"
)

// View computes an obligation's view at now. yellowDays is how close a due
// date must be for the light to turn yellow; deadlineDays is the reporting
// deadline, in days after the end of the month a report covers, after
// which a report is flagged late.
func View(stream string, ob *domain.Obligation, last *Report, now time.Time, yellowDays, deadlineDays int, trackingStart domain.Date) ObligationView {
	v := ObligationView{
		Stream:        stream,
		ObligationKey: ob.Key,
		Status:        string(ob.Status),
		Light:         Green,
		Progress:      ob.Progress,
		Reports:       ob.Reports,
		LastReport:    last,
		Slips:         len(ob.Slips),
		Findings:      len(ob.Findings),
		StartsOn:      ob.StartsOn,
		Basis:         ob.Basis,
	}
	if ob.PendingExtension != nil {
		pe := *ob.PendingExtension
		v.PendingExtension = &pe
	}
	v.LastReport = currentReport(last, deadlineDays)
	// A copy of the list: the view only reads it, and the read model's
	// later reports lie beyond what the copy holds.
	v.periodReports, v.deadlineDays = ob.PeriodReports, deadlineDays
	v.Evidence = slices.Clip(ob.Evidence)
	v.Review = ob.Review
	v.Review.SendBacks, v.Review.Comments = slices.Clip(ob.Review.SendBacks), slices.Clip(ob.Review.Comments)
	overdue := map[domain.MilestoneID]bool{}
	for _, id := range ob.Overdue(now) {
		overdue[id] = true
	}
	today := domain.DateOf(now)
	for _, ms := range ob.Milestones {
		mv := MilestoneView{Milestone: ms, Overdue: overdue[ms.ID], AwaitingVerification: ob.AwaitingVerification(ms), Light: Green}
		if toBackfill(ms, trackingStart) {
			mv.ToBackfill, mv.Overdue, mv.Light = true, false, Grey
			delete(overdue, ms.ID)
			v.Milestones = append(v.Milestones, mv)
			continue
		}
		owed := ms.Completion != domain.ClaimVerified && !ob.Closed()
		switch {
		case mv.Overdue:
			mv.Light = Red
		case owed && ms.Due.DaysSince(today) <= yellowDays:
			mv.Light = Yellow
		}
		if owed && (v.NextDue.IsZero() || ms.Due.Before(v.NextDue)) {
			v.NextDue = ms.Due
		}
		v.Milestones = append(v.Milestones, mv)
		if rank(mv.Light) > rank(v.Light) {
			v.Light = mv.Light
		}
	}
	if len(overdue) > 0 && (ob.Status == domain.StatusOpen || ob.Status == domain.StatusExtended || ob.Status == domain.StatusRejected) {
		v.Status = "overdue"
	}
	if !ob.Active() {
		v.Light = Grey
		v.NextDue = domain.Date{}
	}
	return v
}

// toBackfill reports whether a milestone is to be backfilled: due before
// its plan's tracking start, with no slip recorded and no claim on it. It
// passed before anyone could report in the ledger: neither slipped nor
// done until the unit claims it or an inspector rules on it.
func toBackfill(ms domain.Milestone, trackingStart domain.Date) bool {
	return !trackingStart.IsZero() && ms.Due.Before(trackingStart) && len(ms.Slipped) == 0 && ms.Completion == domain.ClaimNone
}

// currentReport returns a copy of the current report, flagged late when
// recorded after its period's deadline.
func currentReport(last *Report, deadlineDays int) *Report {
	if last == nil {
		return nil
	}
	cur := *last
	cur.Late = !cur.Period.IsZero() && domain.PeriodReport{Period: cur.Period, RecordedAt: domain.InstantOf(cur.RecordedAt)}.LateAfter(deadlineDays)
	return &cur
}

// History lists every progress report in recording order, each flagged
// late when recorded after its period's deadline. It is computed when
// asked: a duty can hold thousands of reports, and most views show none.
func (v ObligationView) History() []HistoryReport {
	hist := make([]HistoryReport, v.periodReports.Len())
	for i, r := range v.periodReports.All() {
		hist[i] = HistoryReport{PeriodReport: *r, Late: r.LateAfter(v.deadlineDays)}
	}
	return hist
}

// ReturnedAt is when the report recorded as event id was sent back for
// revision; zero when it was not (or is not one of the obligation's).
func (v ObligationView) ReturnedAt(id uuid.UUID) time.Time {
	for i := v.periodReports.Len() - 1; i >= 0; i-- {
		if r := v.periodReports.At(i); r.EventID == id {
			return r.ReturnedAt.Time()
		}
	}
	return time.Time{}
}

func rank(l Light) int {
	switch l {
	case Red:
		return 3
	case Yellow:
		return 2
	case Green:
		return 1
	}
	return 0
}

// Filter selects obligations.
type Filter struct {
	// Unit, when set, keeps one unit's obligations.
	Unit domain.UnitID
	// Plan and Task, when set, keep one plan's or one task's.
	Plan domain.PlanID
	Task domain.TaskNo
	// Status, when set, keeps obligations whose view status equals it.
	Status string
	// DueBefore, when set, keeps obligations with something owed before it.
	DueBefore domain.Date
}

// Views returns the obligations a filter selects, as seen at now, ordered
// by next due date (nothing owed last), then stream name.
func (o *Obligations) Views(f Filter, now time.Time, yellowDays int) []ObligationView {
	o.mu.RLock()
	var streams []string
	switch {
	case f.Unit != "":
		streams = append(streams, o.byUnit[f.Unit]...)
	case f.Task != 0:
		streams = append(streams, o.byTask[TaskKey{f.Plan, f.Task}]...)
	default:
		for s := range o.byStream {
			streams = append(streams, s)
		}
	}
	out := make([]ObligationView, 0, len(streams))
	for _, s := range streams {
		h := o.byStream[s]
		ob := &h.ob
		if (f.Plan != "" && ob.Key.Plan != f.Plan) || (f.Task != 0 && ob.Key.Task != f.Task) {
			continue
		}
		v := View(s, ob, h.current(), now, yellowDays, o.deadlineDays, o.tracking[ob.Key.Plan])
		if f.Status != "" && v.Status != f.Status {
			continue
		}
		if !f.DueBefore.IsZero() && (v.NextDue.IsZero() || !v.NextDue.Before(f.DueBefore)) {
			continue
		}
		out = append(out, v)
	}
	o.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].NextDue, out[j].NextDue
		if a != b {
			if a.IsZero() || b.IsZero() {
				return b.IsZero()
			}
			return a.Before(b)
		}
		return out[i].Stream < out[j].Stream
	})
	return out
}

// obligationsState opens the model's snapshot: the position, each
// stream's current report and the indexes. Streams pairs follow it in the
// same gob stream, each a stream's name and its obligation as
// domain.EncodeObligation writes it (the reports' index is rebuilt from
// them). Written one by one, the obligations share one description of
// their type, and no message holds them all: a snapshot of a million
// events' obligations restores in a fraction of the time one message of
// obligations encoding themselves took.
type obligationsState struct {
	Pos      uint64
	Streams  int
	Last     map[string]Report
	ByUnit   map[domain.UnitID][]string
	ByTask   map[TaskKey][]string
	Tracking map[domain.PlanID]domain.Date
}

// obligationsShape is what the snapshot holds, for its shape (stateShape):
// the head, then pairs of a stream and its obligation.
type obligationsShape struct {
	Head       obligationsState
	Stream     string
	Obligation *domain.Obligation
}

func (o *Obligations) state() any { return obligationsShape{} }

func (o *Obligations) encode(enc *gob.Encoder) error {
	o.mu.RLock()
	defer o.mu.RUnlock()
	last := map[string]Report{}
	for s, h := range o.byStream {
		if h.hasLast {
			last[s] = h.last
		}
	}
	head := obligationsState{o.pos.Load(), len(o.byStream), last, o.byUnit, o.byTask, o.tracking}
	if err := enc.Encode(head); err != nil {
		return err
	}
	for _, s := range slices.Sorted(maps.Keys(o.byStream)) {
		if err := enc.Encode(s); err != nil {
			return err
		}
		if err := domain.EncodeObligation(enc, &o.byStream[s].ob); err != nil {
			return fmt.Errorf("obligation %s: %w", s, err)
		}
	}
	return nil
}

func (o *Obligations) decode(dec *gob.Decoder) error {
	var head obligationsState
	if err := dec.Decode(&head); err != nil {
		return fmt.Errorf("obligations snapshot: %w", err)
	}
	if head.Streams < 0 {
		return fmt.Errorf("obligations snapshot: %d streams", head.Streams)
	}
	fresh := newObligations(o.deadlineDays)
	for i := range head.Streams {
		var stream string
		if err := dec.Decode(&stream); err != nil {
			return fmt.Errorf("obligations snapshot: stream %d of %d: %w", i+1, head.Streams, err)
		}
		h := &held{}
		if err := domain.DecodeObligation(dec, &h.ob); err != nil {
			return fmt.Errorf("obligations snapshot: obligation %s: %w", stream, err)
		}
		if _, dup := fresh.byStream[stream]; dup {
			return fmt.Errorf("obligations snapshot: stream %s twice", stream)
		}
		h.last, h.hasLast = head.Last[stream]
		h.reports.Update(&h.ob.PeriodReports)
		fresh.byStream[stream] = h
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pos.Store(head.Pos)
	o.byStream = fresh.byStream
	o.byUnit = orEmpty(head.ByUnit, fresh.byUnit)
	o.byTask = orEmpty(head.ByTask, fresh.byTask)
	o.tracking = orEmpty(head.Tracking, fresh.tracking)
	return nil
}
