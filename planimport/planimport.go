// Package planimport records a parsed plan in the ledger: its units, tasks,
// responsibilities and milestones, as domain commands. Importing compares the
// parsed plan with what the ledger already holds and records only the
// differences, so importing the same text again records nothing, and
// importing an amended text records the amendments (a changed task wording,
// a responsibility added or withdrawn, a milestone moved).
package planimport

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/planparse"
	"taskledger/projections"
)

// Options configure an import.
type Options struct {
	// Plan is the plan's id in the ledger, e.g. "chifeng-air". Required.
	Plan domain.PlanID
	// Issuer names the body that issued the plan, if known.
	Issuer string
	// Actor is who imports: a token subject, or "office".
	Actor string
	// Now is the time of the import, from the caller's clock.
	Now time.Time
	// AllowPartial records a plan whose text holds numbered items the
	// parser could not read (planparse.WarnUnreadItem); by default such an
	// import is refused with ErrPartial, naming the items.
	AllowPartial bool
	// TrackingFrom moves the plan's tracking start from the day of the
	// import to another day (only when the plan is first imported).
	TrackingFrom domain.Date
}

// Change is one recorded difference.
type Change struct {
	Stream   string
	Type     string
	Summary  string
	Position uint64
}

// Report says what an import recorded.
type Report struct {
	// Changes lists every event recorded, in order.
	Changes []Change
	// Unchanged counts the items that were already recorded as they are.
	Unchanged int
	// Digest is the SHA-256 of the imported text.
	Digest domain.Hash
	// Position is the log position of the last recorded event, 0 if none.
	Position uint64
}

// Counts groups the changes by event type.
func (r Report) Counts() map[string]int {
	out := map[string]int{}
	for _, c := range r.Changes {
		out[c.Type]++
	}
	return out
}

// Import records plan (parsed from source) in the ledger behind h. current
// is the ledger's read models as they stand; the import compares against
// them and against each aggregate it touches (which decides, so a stale
// read model can cause no double record).
func Import(ctx context.Context, h *command.Handler, current *projections.Views, plan *planparse.Plan, source []byte, opts Options) (Report, error) {
	if err := opts.Plan.Validate(); err != nil {
		return Report{}, fmt.Errorf("import: plan id: %w", err)
	}
	if len(plan.Tasks) == 0 {
		return Report{}, fmt.Errorf("import: the plan has no tasks: %w", domain.ErrInvalidArgument)
	}
	if err := checkRead(plan, opts.AllowPartial); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", opts.Plan, err)
	}
	if err := checkJurisdictions(plan, current); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", opts.Plan, err)
	}
	refs := taskRefs(plan)
	if err := checkStored(plan, distinctNos(refs)); err != nil {
		return Report{}, fmt.Errorf("import %s: %w", opts.Plan, err)
	}
	if opts.Actor == "" {
		opts.Actor = "office"
	}
	im := &importer{h: h, cur: current, opts: opts, digest: sha256.Sum256(source), source: source, refs: refs, stored: map[domain.TaskNo]bool{}}
	im.rep.Digest = im.digest
	steps := []func(context.Context, *planparse.Plan) error{im.plan, im.units, im.tasks, im.obligations}
	for _, step := range steps {
		if err := step(ctx, plan); err != nil {
			return im.rep, fmt.Errorf("import %s: %w", opts.Plan, err)
		}
	}
	if err := checkStored(plan, im.stored); err != nil {
		return im.rep, fmt.Errorf("import %s: %w", opts.Plan, err)
	}
	return im.rep, nil
}

type importer struct {
	h      *command.Handler
	cur    *projections.Views
	opts   Options
	digest domain.Hash
	source []byte
	rep    Report
	// refs are the tasks' identities in the ledger, in the plan's order.
	refs []taskRef
	// stored marks the tasks recorded, amended or found unchanged.
	stored map[domain.TaskNo]bool
}

// do runs one command with an idempotency key made of the text's digest,
// the stream and what the command does, so that a retried import records
// nothing twice.
func (im *importer) do(ctx context.Context, cmd domain.Command, what, summary string) error {
	meta := domain.Meta{
		Actor:          im.opts.Actor,
		Now:            im.opts.Now,
		IdempotencyKey: fmt.Sprintf("import:%s:%s:%s", hex.EncodeToString(im.digest[:8]), cmd.Stream(), what),
	}
	res, err := command.Dispatch(ctx, im.h, cmd, meta)
	if err != nil {
		return fmt.Errorf("%s: %w", summary, err)
	}
	for _, e := range res.Events {
		im.rep.Changes = append(im.rep.Changes, Change{Stream: e.Stream, Type: e.Type, Summary: summary, Position: e.Position})
		im.rep.Position = e.Position
	}
	if len(res.Events) == 0 {
		im.rep.Unchanged++
	}
	return nil
}

func (im *importer) plan(ctx context.Context, p *planparse.Plan) error {
	if _, ok := im.cur.Catalog.Plan(im.opts.Plan); ok {
		im.rep.Unchanged++
		return nil
	}
	cmd := domain.RegisterPlan{
		Plan:         im.opts.Plan,
		Title:        titleOf(p, im.source),
		Issuer:       im.opts.Issuer,
		Jurisdiction: p.Jurisdiction,
		SourceDigest: im.digest,
		Targets:      Targets(p.OverallTargets),
		TrackingFrom: im.opts.TrackingFrom,
	}
	return im.do(ctx, cmd, "register", "plan "+cmd.Title)
}

// titleOf is the plan's title; for a text whose title the parser could not
// find (it warned no-title), the text's first line, so that the plan is
// shown by its own words rather than refused or named by its id.
func titleOf(p *planparse.Plan, source []byte) string {
	if p.Title != "" {
		return p.Title
	}
	for _, line := range strings.Split(string(source), "\n") {
		if line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff")); line != "" {
			return clip(line, maxTitle)
		}
	}
	return ""
}

// maxTitle bounds a title taken from a text's first line.
const maxTitle = 100

func (im *importer) units(ctx context.Context, p *planparse.Plan) error {
	for _, u := range p.Units {
		id := domain.UnitID(u.ID)
		if _, ok := im.cur.Catalog.Unit(id); ok {
			im.rep.Unchanged++
			continue
		}
		kind := domain.UnitKind(u.Kind)
		if kind.Validate() != nil {
			kind = domain.KindBody
		}
		cmd := domain.RegisterUnit{Unit: id, Kind: kind, Name: u.Name, Aliases: u.Aliases, Jurisdiction: unitJurisdiction(p, u)}
		if err := im.do(ctx, cmd, "register", "unit "+u.Name); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) tasks(ctx context.Context, p *planparse.Plan) error {
	for i, t := range p.Tasks {
		if err := im.task(ctx, t, im.refs[i]); err != nil {
			return err
		}
		im.stored[im.refs[i].no] = true
	}
	return nil
}

// task registers one task, or amends its wording when the text changed.
func (im *importer) task(ctx context.Context, t planparse.Task, ref taskRef) error {
	no := ref.no
	old, ok := im.cur.Catalog.Task(im.opts.Plan, no)
	if !ok {
		cmd := domain.RegisterTask{Plan: im.opts.Plan, Task: no, Label: ref.label, Chapter: t.Chapter, Title: t.Title, Text: t.Text}
		return im.do(ctx, cmd, "register", fmt.Sprintf("task %d %s", no, t.Title))
	}
	if old.Title == t.Title && old.Text == t.Text && old.Chapter == t.Chapter {
		im.rep.Unchanged++
		return nil
	}
	cmd := domain.AmendTask{Plan: im.opts.Plan, Task: no, Reason: "plan text amended"}
	if old.Title != t.Title {
		cmd.Title = t.Title
	}
	if old.Text != t.Text {
		cmd.Text = t.Text
	}
	if old.Chapter != t.Chapter {
		cmd.Chapter = t.Chapter
	}
	return im.do(ctx, cmd, "amend", fmt.Sprintf("task %d amended", no))
}

// duty is one obligation the parsed plan asks for, with its milestones.
type duty struct {
	key        domain.ObligationKey
	basis      string
	milestones []milestone
	// brackets are the attribution brackets (Responsibility.Bracket) that
	// give the duty: one, or several when they are not told apart (a
	// standing directive, or the first bracket, naming the unit again).
	brackets []int
}

type milestone struct {
	id   domain.MilestoneID
	what string
	due  domain.Date
}

func (im *importer) obligations(ctx context.Context, p *planparse.Plan) error {
	want, err := duties(im.opts.Plan, p, im.refs)
	if err != nil {
		return err
	}
	wanted := map[string]bool{}
	for _, d := range want {
		stream := d.key.Stream()
		wanted[stream] = true
		ob, known := im.cur.Obligations.Get(stream)
		if !known || !ob.Active() {
			cmd := domain.AssignResponsibility{ObligationKey: d.key, Basis: d.basis}
			if err := im.do(ctx, cmd, fmt.Sprintf("assign-%d", ob.Term+1), "assign "+d.key.Path()); err != nil {
				return err
			}
		} else {
			im.rep.Unchanged++
		}
		for _, m := range d.milestones {
			old, scheduled := ob.Milestone(m.id)
			switch {
			case !scheduled:
				cmd := domain.ScheduleMilestone{ObligationKey: d.key, Milestone: m.id, What: m.what, Due: m.due}
				if err := im.do(ctx, cmd, "schedule-"+string(m.id), fmt.Sprintf("milestone %s due %s for %s", m.id, m.due, d.key.Path())); err != nil {
					return err
				}
			case old.OriginalDue != m.due:
				cmd := domain.RescheduleMilestone{ObligationKey: d.key, Milestone: m.id, Due: m.due, Reason: "plan text amended"}
				if err := im.do(ctx, cmd, "reschedule-"+string(m.id)+"-"+m.due.String(), fmt.Sprintf("milestone %s moved from %s to %s for %s", m.id, old.OriginalDue, m.due, d.key.Path())); err != nil {
					return err
				}
			default:
				im.rep.Unchanged++
			}
		}
	}
	// Responsibilities the text no longer names are withdrawn.
	for _, ov := range im.cur.Obligations.Views(projections.Filter{Plan: im.opts.Plan}, im.opts.Now, 0) {
		if wanted[ov.Stream] {
			continue
		}
		ob, _ := im.cur.Obligations.Get(ov.Stream)
		if !ob.Active() {
			continue
		}
		cmd := domain.WithdrawResponsibility{ObligationKey: ob.Key, Reason: "no longer named by the plan text"}
		if err := im.do(ctx, cmd, fmt.Sprintf("withdraw-%d", ob.Term), "withdraw "+ob.Key.Path()); err != nil {
			return err
		}
	}
	return nil
}

// duties lists the obligations a parsed plan asks for: one per task, unit,
// role and attribution bracket, with the milestones of the deadlines that
// concern it. A unit that a later bracket of the task names again in the
// same role has a duty of its own (ObligationKey.Part: that bracket's
// number) whose basis is that bracket's text, so that no bracket's words
// are lost and each can be reported on and scored by itself.
//
// A deadline concerns the duties of the attribution brackets whose scope
// contains it, and the implementing county governments — only the counties
// its clause names, when it names any (Deadline.Places); a deadline outside
// every bracket's scope concerns every duty of the task. A duty that starts
// later ("从2026年1月1日起") becomes a milestone due that day: the measure must
// be in force by then. A task that names no date at all is due at the plan's
// horizon, the latest date of its overall targets.
func duties(plan domain.PlanID, p *planparse.Plan, refs []taskRef) ([]duty, error) {
	horizon := horizonOf(p)
	var out []duty
	for i, t := range p.Tasks {
		ds, err := taskDuties(plan, refs[i].no, t)
		if err != nil {
			return nil, err
		}
		for _, m := range milestonesOf(t, horizon) {
			for _, d := range ds {
				if concerns(t, m.source, d) {
					d.milestones = append(d.milestones, m.milestone)
				}
			}
		}
		for _, d := range ds {
			out = append(out, *d)
		}
	}
	return out, nil
}

// taskDuties lists one task's duties in the order the plan names them.
func taskDuties(plan domain.PlanID, no domain.TaskNo, t planparse.Task) ([]*duty, error) {
	type unitRole struct {
		unit domain.UnitID
		role domain.Role
	}
	first := map[unitRole]*duty{}
	byKey := map[domain.ObligationKey]*duty{}
	var out []*duty
	for _, r := range t.Responsibilities {
		role, err := domain.ParseRole(string(r.Role))
		if err != nil {
			return nil, fmt.Errorf("task %d, unit %s: %w", no, r.Unit, err)
		}
		ur := unitRole{domain.UnitID(r.UnitID), role}
		k := domain.ObligationKey{Plan: plan, Task: no, Unit: ur.unit, Role: role}
		if d, seen := first[ur]; seen {
			if slices.Contains(d.brackets, r.Bracket) || r.Bracket < 2 {
				// Named again where no later bracket tells it apart: the
				// words join the first duty's basis.
				d.basis = joinBasis(d.basis, r.Scope)
				d.brackets = append(d.brackets, r.Bracket)
				continue
			}
			k.Part = r.Bracket
		}
		if err := k.ValidateKey(); err != nil {
			return nil, fmt.Errorf("task %d, unit %s: %w", no, r.Unit, err)
		}
		if d, seen := byKey[k]; seen {
			d.basis = joinBasis(d.basis, r.Scope)
			continue
		}
		basis := basisOf(r.Role)
		if r.Scope != "" {
			basis = clip(r.Scope, 300)
		}
		d := &duty{key: k, basis: basis, brackets: []int{r.Bracket}}
		byKey[k] = d
		if k.Part == 0 {
			first[ur] = d
		}
		out = append(out, d)
	}
	return out, nil
}

type sourced struct {
	milestone
	source planparse.Deadline
}

// milestonesOf turns a task's deadlines into milestones with stable ids.
func milestonesOf(t planparse.Task, horizon domain.Date) []sourced {
	var out []sourced
	ids := map[domain.MilestoneID]int{}
	for _, d := range t.Deadlines {
		date, what := d.Due, d.What
		if date == "" && d.Starts != "" {
			date, what = d.Starts, d.Phrase+what
		}
		due, err := domain.ParseDate(date)
		if err != nil {
			continue
		}
		if d.Milestone != "" {
			what = d.Milestone
		}
		id := milestoneID(what)
		if n := ids[id]; n > 0 {
			id = domain.MilestoneID(fmt.Sprintf("%s-%d", id, n+1))
		}
		ids[milestoneID(what)]++
		out = append(out, sourced{milestone{id: id, what: clip(what, 500), due: due}, d})
	}
	if len(out) == 0 && !horizon.IsZero() {
		out = append(out, sourced{milestone: milestone{id: "plan-horizon", what: "完成本项任务（方案期末）", due: horizon}})
	}
	return out
}

// milestoneID is derived from what is due, not from the date, so that an
// amended date reschedules the same milestone.
func milestoneID(what string) domain.MilestoneID {
	sum := sha1.Sum([]byte(what))
	return domain.MilestoneID("ms-" + hex.EncodeToString(sum[:4]))
}

// concerns reports whether a deadline applies to duty d.
func concerns(t planparse.Task, dl planparse.Deadline, d *duty) bool {
	k := d.key
	if dl.Phrase == "" {
		return true
	}
	if k.Role == domain.RoleImplementing {
		// A milestone that names particular places is theirs alone.
		return len(dl.Places) == 0 || slices.Contains(dl.Places, string(k.Unit))
	}
	inSome := false
	for _, r := range t.Responsibilities {
		if r.Scope == "" || !strings.Contains(r.Scope, dl.Phrase) || !strings.Contains(r.Scope, firstRunes(dl.What, 12)) {
			continue
		}
		inSome = true
		if domain.UnitID(r.UnitID) == k.Unit && slices.Contains(d.brackets, r.Bracket) {
			return true
		}
	}
	return !inSome
}

// horizonOf is the latest due date of the plan's overall targets.
func horizonOf(p *planparse.Plan) domain.Date {
	var best domain.Date
	for _, t := range p.OverallTargets {
		if d, err := domain.ParseDate(t.Due); err == nil && d.After(best) {
			best = d
		}
	}
	return best
}

// Targets converts the parser's overall targets into the ledger's. Metrics
// the scoring rules know get their ids (pm25, good_day_ratio,
// heavy_pollution_days); others get "nox_emissions", "vocs_emissions" or a
// derived id, with the plan's words kept in Text. Targets the ledger cannot
// express (a rise, an "about") are left out.
func Targets(ts []planparse.Target) []domain.PlanTarget {
	var out []domain.PlanTarget
	for _, t := range ts {
		pt := domain.PlanTarget{Metric: metricID(t.Metric), Value: t.Value, Text: clip(t.Phrase, 500)}
		if t.Scope != "" && t.Scope != "city" {
			pt.Unit = domain.UnitID(t.Scope)
		}
		if d, err := domain.ParseDate(t.Due); err == nil {
			pt.By = d
		}
		switch t.Comparator {
		case planparse.CmpLE, planparse.CmpLT, planparse.CmpEQ:
			pt.Comparator = domain.AtMost
		case planparse.CmpGE, planparse.CmpGT:
			pt.Comparator = domain.AtLeast
		case planparse.CmpDecreaseBy:
			if t.Unit != "%" || t.BaselineYear == 0 {
				continue
			}
			pt.Comparator, pt.BaselineYear = domain.ReduceByPercent, t.BaselineYear
		default:
			continue
		}
		out = append(out, pt)
	}
	return out
}

func metricID(m string) string {
	switch {
	case strings.Contains(m, "PM2.5"):
		return string(domain.MetricPM25)
	case strings.Contains(m, "优良天数"):
		return string(domain.MetricGoodDayRatio)
	case strings.Contains(m, "重度及以上污染"):
		return string(domain.MetricHeavyPollutionDays)
	case strings.Contains(m, "氮氧化物"):
		return "nox_emissions"
	case strings.Contains(m, "挥发性有机物"), strings.Contains(m, "VOCs"):
		return "vocs_emissions"
	}
	sum := sha1.Sum([]byte(m))
	return "metric-" + hex.EncodeToString(sum[:4])
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// chineseNumber writes 1–99 in Chinese numerals, as task labels do.
func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n <= 0 || n >= 100:
		return fmt.Sprint(n)
	case n < 10:
		return digits[n]
	case n == 10:
		return "十"
	case n < 20:
		return "十" + digits[n%10]
	case n%10 == 0:
		return digits[n/10] + "十"
	}
	return digits[n/10] + "十" + digits[n%10]
}

// Summary renders counts of changes in a stable order, e.g.
// "ResponsibilityAssigned 412, TaskRegistered 28".
func Summary(r Report) string {
	counts := r.Counts()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, counts[k])
	}
	return strings.Join(parts, ", ")
}

// joinBasis adds a bracket's text to a duty's basis, once, within
// maxBasis runes.
func joinBasis(basis, scope string) string {
	if scope == "" || strings.Contains(basis, clip(scope, 300)) {
		return basis
	}
	return clip(basis+"\n"+clip(scope, 300), maxBasis)
}

// maxBasis bounds a duty's basis, well within the domain's note length.
const maxBasis = 2000

// basisOf names the plan wording a role rests on, for responsibilities that
// come from a standing directive rather than a bracket.
func basisOf(r planparse.Role) string {
	switch r {
	case planparse.RoleLead:
		return "牵头"
	case planparse.RoleSupport:
		return "配合"
	case planparse.RoleImplementing:
		return "各旗县区人民政府落实"
	}
	return "按职责分工负责"
}
