package scoring

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

// evaluator applies a scheme's deduction rules to obligations for one
// assessment year and as-of instant.
type evaluator struct {
	in Input
	s  Scheme
	// yearPeriods are the year's reporting periods (periods()), computed
	// once for every obligation.
	yearPeriods []period
}

// deduction is one item of the task-delivery rules before it becomes a
// line of a bureau card (points as they are) or a county card (scaled).
type deduction struct {
	// rule is the rule id suffix.
	rule string
	// amount is the points deducted, ≥ 0.
	amount     Points
	obligation string
	zh, en     string
	events     []uuid.UUID
	// targets are the slip or finding events a unit may appeal to have
	// the deduction removed; appeal is the appeal, once filed.
	targets []uuid.UUID
	appeal  *LineAppeal
}

func (d deduction) line(prefix string) Line {
	l := Line{Rule: prefix + "." + d.rule, Obligation: d.obligation, ZH: d.zh, EN: d.en, Events: d.events, Appeal: d.appeal}
	if len(d.targets) > 0 {
		l.Target = d.targets[0]
	}
	return l
}

// obligationDeductions are the deductions of one obligation.
type obligationDeductions struct {
	items []deduction
	// slips counts the slipped milestones charged; falseReports the
	// confirmed false reports.
	slips, falseReports int
}

// deductions applies every deduction rule to one obligation, in a fixed
// order: per milestone (slip or excused slip, then lateness), missed
// reports, false reports, overdue rectifications.
func (ev evaluator) deductions(o *domain.Obligation) obligationDeductions {
	var out obligationDeductions
	for _, ms := range o.Milestones {
		ev.milestoneDeductions(o, ms, &out)
	}
	if d, ok := ev.missedReports(o); ok {
		out.items = append(out.items, d)
	}
	for _, f := range o.Findings {
		if d, ok := ev.falseReport(o, f); ok {
			out.items = append(out.items, d)
			out.falseReports++
		}
	}
	for _, f := range o.Findings {
		if d, ok := ev.overdueRectification(o, f); ok {
			out.items = append(out.items, d)
		}
	}
	ev.appeals(o, &out)
	// A rule the scheme sets to 0 points leaves no line, except the
	// excused and cleared slips, which explain why a slip costs nothing,
	// and appealed deductions, which show the appeal and the ruling.
	kept := out.items[:0]
	for _, d := range out.items {
		if d.amount > 0 || d.rule == ruleSlipExcused || d.rule == ruleSlipCleared || d.appeal != nil {
			kept = append(kept, d)
		}
	}
	out.items = kept
	return out
}

// appeals applies the appeals against the obligation's slips and findings
// to its deductions: an overturned slip is no longer counted as slipped,
// an overturned false report no longer caps the grade.
func (ev evaluator) appeals(o *domain.Obligation, out *obligationDeductions) {
	if len(o.Appeals) == 0 {
		return
	}
	for i := range out.items {
		d := &out.items[i]
		if !applyAppeal(o, d, ev.in.AsOf) {
			continue
		}
		switch {
		case d.rule == ruleFalseReport:
			out.falseReports--
		case strings.HasPrefix(d.rule, ruleSlip+".") && d.rule != ruleSlipLate && d.rule != ruleSlipExcused && d.rule != ruleSlipCleared:
			out.slips--
		}
	}
}

// inYear reports whether the date lies in the assessment year.
func (ev evaluator) inYear(d domain.Date) bool { return d.Year() == ev.in.Year }

// lastDayBefore returns the last civil day that has begun before t.
func lastDayBefore(t time.Time) domain.Date { return domain.DateOf(t.Add(-time.Nanosecond)) }

// milestoneLabel names a milestone in a line: what is due, or its id.
func milestoneLabel(ms domain.Milestone) string {
	if ms.What != "" {
		return ms.What
	}
	return string(ms.ID)
}

// grantTime returns when a grant counts as made, under the scheme.
func (ev evaluator) grantTime(g domain.ExtensionGrant) time.Time {
	if ev.s.Deductions.Extension.GrantedBy == GrantedByEffective {
		return g.GrantedAt
	}
	return g.RecordedAt
}

// covering returns the grant that moved due date d before it ended, if any.
func (ev evaluator) covering(ms domain.Milestone, d domain.Date) (domain.ExtensionGrant, bool) {
	for _, g := range ms.Extensions {
		if g.PreviousDue == d && g.Due.After(d) && ev.grantTime(g).Before(d.EndOf()) {
			return g, true
		}
	}
	return domain.ExtensionGrant{}, false
}

// milestoneDeductions applies the slip, excused-slip and lateness rules to
// one milestone. A milestone is charged once, in the year of the first
// slip no extension covered, and that slip's due date starts the lateness
// clock; slips covered by an extension granted before they fell due are
// listed at no cost.
func (ev evaluator) milestoneDeductions(o *domain.Obligation, ms domain.Milestone, out *obligationDeductions) {
	task, path := int(o.Key.Task), o.Key.Path()
	var charged []domain.Slip
	for _, sl := range o.Slips {
		if sl.Milestone != ms.ID || sl.RecordedAt.After(ev.in.AsOf) {
			continue
		}
		g, ok := ev.covering(ms, sl.Due)
		if !ok {
			charged = append(charged, sl)
			continue
		}
		if !ev.inYear(sl.Due) {
			continue
		}
		out.items = append(out.items, deduction{
			rule: ruleSlipExcused, obligation: path,
			zh: fmt.Sprintf("第%d项任务里程碑「%s」期限%s前已获延期至%s（%s批准），该次逾期不扣分",
				task, milestoneLabel(ms), sl.Due, g.Due, domain.DateOf(ev.grantTime(g))),
			en: fmt.Sprintf("task %d, milestone %q: the %s due date had been extended to %s before it passed (granted %s); this slip costs nothing",
				task, milestoneLabel(ms), sl.Due, g.Due, domain.DateOf(ev.grantTime(g))),
			events: []uuid.UUID{sl.EventID, g.EventID},
		})
	}
	if len(charged) == 0 || !ev.inYear(charged[0].Due) {
		return
	}
	first := charged[0]
	if d, ok := ev.cleared(o, ms, charged); ok {
		out.items = append(out.items, d)
		return
	}
	role := o.Key.Role
	amount := ev.s.Deductions.Slip.For(role)
	var events []uuid.UUID
	var later []string
	for i, sl := range charged {
		events = append(events, sl.EventID)
		if i > 0 {
			later = append(later, sl.Due.String())
		}
	}
	zh := fmt.Sprintf("第%d项任务里程碑「%s」未按期完成（期限%s），作为%s单位扣%s分", task, milestoneLabel(ms), first.Due, role.Label(), amount)
	en := fmt.Sprintf("task %d, milestone %q slipped (due %s); as %s: -%s", task, milestoneLabel(ms), first.Due, role, amount)
	if len(later) > 0 {
		zh += fmt.Sprintf("；此后再次逾期（%s），同一里程碑只扣一次", strings.Join(later, "、"))
		en += fmt.Sprintf("; it slipped again (%s), charged once per milestone", strings.Join(later, ", "))
	}
	targets := slices.Clone(events)
	out.items = append(out.items, deduction{rule: ruleSlip + "." + strings.ToLower(string(role)), amount: amount, obligation: path, zh: zh, en: en, events: events, targets: targets})
	out.slips++
	if d, ok := ev.lateness(o, ms, first); ok {
		d.targets = targets
		out.items = append(out.items, d)
	}
}

// verified reports whether milestone ms is verified complete as of
// as-of. A claim awaiting verification, or verified after as-of, is not:
// claims count when verified.
func (ev evaluator) verified(ms domain.Milestone) bool {
	return ms.Completion == domain.ClaimVerified && !ms.CompletedAt.IsZero() && !ms.VerifiedAt.After(ev.in.AsOf)
}

// claimRecorded returns when the ledger recorded the claim behind a
// verified milestone (its achieved time if that is later, which the
// rules of trust rule out).
func claimRecorded(ms domain.Milestone) time.Time {
	if ms.ClaimRecordedAt.Before(ms.CompletedAt) {
		return ms.CompletedAt
	}
	return ms.ClaimRecordedAt
}

// cleared applies the cleared-slip rule to a milestone's charged slips:
// when its completion is verified on a claim recorded before the first
// charged slip's due date ended, the slip is not the unit's fault (the
// inspector verified after the date) and costs nothing.
func (ev evaluator) cleared(o *domain.Obligation, ms domain.Milestone, charged []domain.Slip) (deduction, bool) {
	first := charged[0]
	if !ev.verified(ms) || !claimRecorded(ms).Before(first.Due.EndOf()) {
		return deduction{}, false
	}
	var events []uuid.UUID
	for _, sl := range charged {
		events = append(events, sl.EventID)
	}
	events = appendID(appendID(events, ms.ClaimEventID), ms.VerifiedEventID)
	task, claimed, verified := int(o.Key.Task), domain.DateOf(claimRecorded(ms)), domain.DateOf(ms.VerifiedAt)
	return deduction{
		rule: ruleSlipCleared, obligation: o.Key.Path(),
		zh: fmt.Sprintf("第%d项任务里程碑「%s」于%s（期限%s前）申报完成，%s经核验属实，该次逾期不扣分",
			task, milestoneLabel(ms), claimed, first.Due, verified),
		en: fmt.Sprintf("task %d, milestone %q: completion claimed %s, by its due date %s, and verified %s; the slip costs nothing",
			task, milestoneLabel(ms), claimed, first.Due, verified),
		events: events,
	}, true
}

// lateness applies the lateness rule to a charged slip: days late run from
// the slip's due date to the day the claim of a verified completion was
// recorded (a claim awaiting verification or rejected does not stop the
// clock, and a backdated claim stops it only when it was recorded), or
// else to the day the unit stopped holding the obligation, or else to the
// last day begun before as-of.
func (ev evaluator) lateness(o *domain.Obligation, ms domain.Milestone, sl domain.Slip) (deduction, bool) {
	r := ev.s.Deductions.Lateness
	asOf := ev.in.AsOf
	events := []uuid.UUID{sl.EventID}
	var last domain.Date
	var zhEnd, enEnd string
	switch {
	case ev.verified(ms):
		last = domain.DateOf(claimRecorded(ms))
		events = appendID(appendID(events, ms.ClaimEventID), ms.VerifiedEventID)
		zhEnd, enEnd = fmt.Sprintf("%s申报完成并经核验", last), fmt.Sprintf("claimed %s and verified", last)
	case !o.Active() && len(o.Holdings) > 0 && !o.Holdings[len(o.Holdings)-1].Until.IsZero() && o.Holdings[len(o.Holdings)-1].Until.Before(asOf):
		h := o.Holdings[len(o.Holdings)-1]
		last = lastDayBefore(h.Until)
		events = appendID(events, h.EndedEventID)
		zhEnd, enEnd = fmt.Sprintf("职责于%s解除", domain.DateOf(h.Until)), fmt.Sprintf("the duty ended %s", domain.DateOf(h.Until))
	default:
		last = lastDayBefore(asOf)
		zhEnd, enEnd = fmt.Sprintf("截至%s仍未完成", last), fmt.Sprintf("still not achieved on %s", last)
	}
	days := last.DaysSince(sl.Due)
	steps := r.Steps(days)
	amount := Points(steps) * r.PointsPerStep
	if amount > r.CapPerSlip {
		amount = r.CapPerSlip
	}
	if amount <= 0 {
		return deduction{}, false
	}
	capNote, capNoteEN := "", ""
	if Points(steps)*r.PointsPerStep > r.CapPerSlip {
		capNote, capNoteEN = "，已达上限", ", capped"
	}
	return deduction{
		rule: ruleSlipLate, amount: amount, obligation: o.Key.Path(),
		zh: fmt.Sprintf("第%d项任务里程碑「%s」逾期%d天（期限%s，%s）：逾期%d天后每满%d天扣%s分，计%d次，扣%s分（每项上限%s分%s）",
			int(o.Key.Task), milestoneLabel(ms), days, sl.Due, zhEnd, r.GraceDays, r.StepDays, r.PointsPerStep, steps, amount, r.CapPerSlip, capNote),
		en: fmt.Sprintf("task %d, milestone %q: %d days late (due %s, %s): %s per full %d days beyond the first %d, %d step(s): -%s (cap %s per slip%s)",
			int(o.Key.Task), milestoneLabel(ms), days, sl.Due, enEnd, r.PointsPerStep, r.StepDays, r.GraceDays, steps, amount, r.CapPerSlip, capNoteEN),
		events: events,
	}, true
}

// appendID appends id unless it is zero.
func appendID(ids []uuid.UUID, id uuid.UUID) []uuid.UUID {
	if id == (uuid.UUID{}) {
		return ids
	}
	return append(ids, id)
}

// period is one reporting period of the assessment year.
type period struct {
	label       string
	first, last domain.Date
	// end is the instant the period ends (last.EndOf()); a report is in
	// time when recorded before due (the end of the reporting deadline's
	// day), or at any time when anyTime is set (no deadline).
	end, due time.Time
	anyTime  bool
}

// periods returns the year's reporting periods under the scheme.
func (ev evaluator) periods() []period {
	y := ev.in.Year
	var out []period
	if ev.s.Deductions.MissedReport.Period == PeriodQuarter {
		for q := 0; q < 4; q++ {
			first := domain.MustDate(y, time.Month(3*q+1), 1)
			out = append(out, ev.period(fmt.Sprintf("%d-Q%d", y, q+1), first, domain.MustDate(y, time.Month(3*q+3), 1).LastOfMonth()))
		}
		return out
	}
	for m := time.January; m <= time.December; m++ {
		first := domain.MustDate(y, m, 1)
		out = append(out, ev.period(fmt.Sprintf("%d-%02d", y, int(m)), first, first.LastOfMonth()))
	}
	return out
}

// period returns the period from first to last, with the instants it ends
// and its reports are due by under the scheme.
func (ev evaluator) period(label string, first, last domain.Date) period {
	p := period{label: label, first: first, last: last, end: last.EndOf()}
	if days := ev.s.Deductions.MissedReport.Deadline(); days >= 0 {
		p.due = last.AddDays(days).EndOf()
	} else {
		p.anyTime = true
	}
	return p
}

// missedReports applies the missed-report rule: a report is owed for each
// period of the year that has ended by as-of, that the unit held the
// obligation for throughout (from the later of the assignment's day and
// its StartsOn to the period's end), and that ended before the obligation
// was verified complete. A ProgressReported whose period (month) falls in
// the period makes it if it was recorded by the period's reporting
// deadline (or by as-of, before the deadline); a period reported only
// after its deadline is late and costs as a missed one; the rest are
// missed.
func (ev evaluator) missedReports(o *domain.Obligation) (deduction, bool) {
	var missed, late []string
	var events []uuid.UUID
	starts := holdingStarts(o)
	for _, p := range ev.yearPeriods {
		holding, owed := ev.owed(o, starts, p)
		if !owed {
			continue
		}
		rep, inTime, found := ev.periodReport(o, p)
		switch {
		case inTime:
			continue
		case found:
			late = append(late, fmt.Sprintf("%s（%s）", p.label, domain.DateOf(rep.RecordedAt.Time())))
		case len(ev.appendReturned(nil, o, p)) > 0:
			missed = append(missed, p.label+"（报告被退回修改，未重报）")
		default:
			missed = append(missed, p.label)
		}
		if !containsID(events, holding) {
			events = appendID(events, holding)
		}
		if found {
			events = appendID(events, rep.EventID)
		}
		events = ev.appendReturned(events, o, p)
	}
	if len(missed)+len(late) == 0 {
		return deduction{}, false
	}
	return ev.missedLine(o, missed, late, events), true
}

// holdingStarts returns the day each of the obligation's holdings starts
// owing reports: the later of the assignment's day and its StartsOn.
func holdingStarts(o *domain.Obligation) []domain.Date {
	out := make([]domain.Date, len(o.Holdings))
	for i, h := range o.Holdings {
		out[i] = domain.DateOf(h.From)
		if h.StartsOn.After(out[i]) {
			out[i] = h.StartsOn
		}
	}
	return out
}

// owed reports whether the obligation owes a report for period p, and the
// assignment that created the duty. starts are holdingStarts(o).
func (ev evaluator) owed(o *domain.Obligation, starts []domain.Date, p period) (uuid.UUID, bool) {
	end := p.end
	if ev.in.AsOf.Before(end) {
		return uuid.UUID{}, false
	}
	if o.Completion == domain.ClaimVerified && !o.VerifiedAt.IsZero() && o.VerifiedAt.Before(end) {
		return uuid.UUID{}, false
	}
	for i, h := range o.Holdings {
		if !starts[i].After(p.first) && (h.Until.IsZero() || !h.Until.Before(end)) {
			return h.AssignedEventID, true
		}
	}
	return uuid.UUID{}, false
}

// periodReport finds the reports recorded by as-of for a month of period
// p: inTime when one was recorded by the period's reporting deadline;
// otherwise, when found, rep is the first recorded, late.
func (ev evaluator) periodReport(o *domain.Obligation, p period) (rep domain.PeriodReport, inTime, found bool) {
	for w := ev.reportsIn(o, p); w.next(); {
		x := w.report()
		if x.RecordedAt.Time().After(ev.in.AsOf) || ev.returned(*x) {
			continue
		}
		if p.anyTime || x.RecordedAt.Time().Before(p.due) {
			return *x, true, true
		}
		if !found {
			rep, found = *x, true
		}
	}
	return rep, false, found
}

// returned reports whether report x was sent back for revision by as-of:
// it then counts as no report (the unit's next report is the revision).
func (ev evaluator) returned(x domain.PeriodReport) bool {
	return !x.ReturnedAt.IsZero() && !x.ReturnedAt.Time().After(ev.in.AsOf)
}

// appendReturned adds to events the send-backs (WorkSentBack) that
// returned a report of period p by as-of: the line shows why a report
// that was made does not count.
func (ev evaluator) appendReturned(events []uuid.UUID, o *domain.Obligation, p period) []uuid.UUID {
	for w := ev.reportsIn(o, p); w.next(); {
		if x := w.report(); ev.returned(*x) {
			events = appendID(appendID(events, x.EventID), x.ReturnedEventID)
		}
	}
	return events
}

// reportsIn walks, in recording order, o's progress reports whose month
// lies in period p: through the input's index of o's reports when it has
// one that covers them all, else by reading every report.
func (ev evaluator) reportsIn(o *domain.Obligation, p period) periodReports {
	w := periodReports{all: &o.PeriodReports, first: p.first, last: p.last, k: -1}
	if ix := ev.in.Reports[o.Key]; ix != nil && ix.Len() == o.PeriodReports.Len() {
		w.at, w.indexed = ix.within(p.first, p.last), true
	}
	return w
}

// periodReports walks the reports of one period (see reportsIn).
type periodReports struct {
	all         *domain.ReportList
	first, last domain.Date
	// at lists the reports of the period when indexed; else all are read
	// and those of other months skipped.
	at      []int32
	indexed bool
	// k is the step the walk is at: an index into at, or into all.
	k int
}

// next moves to the period's next report and reports whether there is one.
func (w *periodReports) next() bool {
	w.k++
	if w.indexed {
		return w.k < len(w.at)
	}
	for ; w.k < w.all.Len(); w.k++ {
		if d := w.all.At(w.k).Period.FirstDay(); !d.Before(w.first) && !d.After(w.last) {
			return true
		}
	}
	return false
}

// report returns the report the walk is at.
func (w *periodReports) report() *domain.PeriodReport {
	if w.indexed {
		return w.all.At(int(w.at[w.k]))
	}
	return w.all.At(w.k)
}

// missedLine is the missed-report line for the periods missed and those
// reported late ("2025-03（2025-07-20）": period and recording date).
func (ev evaluator) missedLine(o *domain.Obligation, missed, late []string, events []uuid.UUID) deduction {
	r := ev.s.Deductions.MissedReport
	n := len(missed) + len(late)
	full := Points(n) * r.Points
	amount := min(full, r.CapPerObligation)
	capNote, capNoteEN := "", ""
	if full > r.CapPerObligation {
		capNote, capNoteEN = "，已达上限", ", capped"
	}
	what := "月度"
	if r.Period == PeriodQuarter {
		what = "季度"
	}
	task := int(o.Key.Task)
	tail := fmt.Sprintf("每次扣%s分，扣%s分（每项义务每年上限%s分%s）", r.Points, amount, r.CapPerObligation, capNote)
	tailEN := fmt.Sprintf("%s each, -%s (cap %s per obligation and year%s)", r.Points, amount, r.CapPerObligation, capNoteEN)
	if len(late) == 0 {
		return deduction{
			rule: ruleMissed, amount: amount, obligation: o.Key.Path(),
			zh:     fmt.Sprintf("第%d项任务应报未报%s进展报告%d次（%s），%s", task, what, n, strings.Join(missed, "、"), tail),
			en:     fmt.Sprintf("task %d: %d %sly progress report(s) owed and not made (%s): %s", task, n, r.Period, strings.Join(missed, ", "), tailEN),
			events: events,
		}
	}
	var zhParts, enParts []string
	if len(missed) > 0 {
		zhParts = append(zhParts, "未报："+strings.Join(missed, "、"))
		enParts = append(enParts, "not made: "+strings.Join(missed, ", "))
	}
	zhParts = append(zhParts, "逾期补报："+strings.Join(late, "、"))
	enParts = append(enParts, "late, recorded after the deadline: "+strings.Join(late, ", "))
	return deduction{
		rule: ruleMissed, amount: amount, obligation: o.Key.Path(),
		zh: fmt.Sprintf("第%d项任务应报未按期报送%s进展报告%d次（%s；报送期限为期末后%d天，逾期补报不抵扣），%s",
			task, what, n, strings.Join(zhParts, "；"), r.Deadline(), tail),
		en: fmt.Sprintf("task %d: %d %sly progress report(s) not made by the deadline, %d days after the period (%s; a late report does not undo the deduction): %s",
			task, n, r.Period, r.Deadline(), strings.Join(enParts, "; "), tailEN),
		events: events,
	}
}

func containsID(ids []uuid.UUID, id uuid.UUID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// falseReport applies the false-report rule to a finding recorded in the
// year.
func (ev evaluator) falseReport(o *domain.Obligation, f domain.Finding) (deduction, bool) {
	if f.Kind != domain.FindingFalseReport || f.RecordedAt.After(ev.in.AsOf) || !ev.inYear(domain.DateOf(f.RecordedAt)) {
		return deduction{}, false
	}
	r := ev.s.Deductions.FalseReport
	zh := fmt.Sprintf("第%d项任务经督查认定虚假报告（第%d号发现，%s记录：%s），扣%s分", int(o.Key.Task), f.No, domain.DateOf(f.RecordedAt), f.Summary, r.Points)
	en := fmt.Sprintf("task %d: confirmed false report (finding %d, recorded %s: %s): -%s", int(o.Key.Task), f.No, domain.DateOf(f.RecordedAt), f.Summary, r.Points)
	if r.GradeCap != "" {
		zh += fmt.Sprintf("，等级最高为%s", r.GradeCap)
		en += fmt.Sprintf("; the grade is at most %s", r.GradeCap)
	}
	return deduction{rule: ruleFalseReport, amount: r.Points, obligation: o.Key.Path(), zh: zh, en: en, events: []uuid.UUID{f.EventID}, targets: []uuid.UUID{f.EventID}}, true
}

// overdueRectification applies the overdue-rectification rule: a
// rectification due in the year, whose due date has passed by as-of, and
// that was not completed by its due date (not at all, or late).
func (ev evaluator) overdueRectification(o *domain.Obligation, f domain.Finding) (deduction, bool) {
	due := f.RectifyBy
	if due.IsZero() || !ev.inYear(due) || !due.PassedAt(ev.in.AsOf) {
		return deduction{}, false
	}
	events := appendID([]uuid.UUID{f.EventID}, f.RectifyByEventID)
	if f.RectifyByEventID == f.EventID {
		events = events[:1]
	}
	for _, sl := range f.RectificationSlips {
		if sl.Due == due && !sl.RecordedAt.After(ev.in.AsOf) {
			events = appendID(events, sl.EventID)
		}
	}
	rectified := ev.rectified(f)
	var zhHow, enHow string
	switch {
	case rectified && f.RectifiedAt.Before(due.EndOf()):
		return deduction{}, false
	case rectified && !f.RectifiedAt.After(ev.in.AsOf):
		events = appendID(events, f.RectifiedEventID)
		zhHow, enHow = fmt.Sprintf("至%s才完成整改", domain.DateOf(f.RectifiedAt)), fmt.Sprintf("rectified only on %s", domain.DateOf(f.RectifiedAt))
	default:
		zhHow, enHow = "截至评估时点未完成整改", "not rectified as of the assessment"
	}
	p := ev.s.Deductions.OverdueRectification.Points
	return deduction{
		rule: ruleRectify, amount: p, obligation: o.Key.Path(),
		zh:     fmt.Sprintf("第%d项任务第%d号发现整改期限%s已过，%s，扣%s分", int(o.Key.Task), f.No, due, zhHow, p),
		en:     fmt.Sprintf("task %d, finding %d: rectification was due %s and was %s: -%s", int(o.Key.Task), f.No, due, enHow, p),
		events: events, targets: []uuid.UUID{f.EventID},
	}, true
}

// rectified reports whether a finding's rectification counts as done: once
// reported, or, under a scheme whose rectification rule is VerifiedOnly,
// once verified by as-of.
func (ev evaluator) rectified(f domain.Finding) bool {
	if !f.Rectified {
		return false
	}
	if !ev.s.RectificationSettings().VerifiedOnly {
		return true
	}
	return f.RectificationVerified && !f.RectificationVerifiedAt.After(ev.in.AsOf)
}

// ratio returns a/b as an exact rational.
func ratio(a, b Points) *big.Rat { return big.NewRat(int64(a), int64(b)) }
