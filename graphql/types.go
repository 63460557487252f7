package graphql

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	gql "github.com/graph-gophers/graphql-go"

	"taskledger/audit"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/projections"
)

// ---- events ----

type eventResolver struct {
	s     *Server
	e     domain.Event
	grace time.Duration
	extra []string // flags an audit trail computed: late, reversed, superseded
}

func (s *Server) event(e domain.Event) *eventResolver {
	return &eventResolver{s: s, e: e, grace: s.views.Config.BackdateGrace}
}

// Summary says in one line of Chinese what the event records, as
// taskledger audit prints it, naming units by their current names and
// milestones in the plan's words; an event this server cannot decode is
// named by its type.
func (r *eventResolver) Summary() string {
	e := r.e
	data, err := r.s.reg.Decode(&e)
	if err != nil {
		return r.e.Type
	}
	return audit.Summarize(data, audit.Names{
		Unit: func(u domain.UnitID) string {
			if unit, ok := r.s.views.Catalog.Unit(u); ok {
				return unit.Name
			}
			return string(u)
		},
		Milestone: r.s.views.Obligations.MilestoneWords,
	})
}

func (s *Server) eventList(events []domain.Event) []*eventResolver {
	out := make([]*eventResolver, len(events))
	for i := range events {
		out[i] = s.event(events[i])
	}
	return out
}

func (r *eventResolver) ID() gql.ID             { return gql.ID(r.e.ID.String()) }
func (r *eventResolver) Position() Position     { return Position(r.e.Position) }
func (r *eventResolver) Stream() string         { return r.e.Stream }
func (r *eventResolver) Version() int32         { return int32(r.e.Version) }
func (r *eventResolver) Type() string           { return r.e.Type }
func (r *eventResolver) SchemaVersion() int32   { return int32(r.e.SchemaVersion) }
func (r *eventResolver) Actor() string          { return r.e.Actor }
func (r *eventResolver) RecordedAt() gql.Time   { return gql.Time{Time: r.e.RecordedAt} }
func (r *eventResolver) Payload() string        { return string(r.e.Payload) }
func (r *eventResolver) Hash() string           { return r.e.Hash.String() }
func (r *eventResolver) PrevHash() string       { return r.e.PrevHash.String() }
func (r *eventResolver) CausationID() *gql.ID   { return idOrNil(r.e.CausationID) }
func (r *eventResolver) CorrelationID() *gql.ID { return idOrNil(r.e.CorrelationID) }

func (r *eventResolver) EffectiveAt() gql.Time {
	return gql.Time{Time: r.e.Effective()}
}

// Backdated applies the audit index's rule: recorded longer after the
// moment it speaks of than the grace allows.
func (r *eventResolver) Backdated() bool {
	return r.e.Backdated(r.grace)
}

func (r *eventResolver) Flags() []string {
	flags := []string{}
	if r.Backdated() {
		flags = append(flags, "backdated")
	}
	if r.e.Simulated() {
		flags = append(flags, "simulated")
	}
	if r.e.Verify() != nil {
		flags = append(flags, "hash_mismatch")
	}
	for _, f := range r.extra {
		if !slices.Contains(flags, f) {
			flags = append(flags, f)
		}
	}
	return flags
}

func idOrNil(id uuid.UUID) *gql.ID {
	if id == uuid.Nil {
		return nil
	}
	v := gql.ID(id.String())
	return &v
}

// ---- ledger and principal ----

type ledgerResolver struct{ s *Server }

func (r *ledgerResolver) Mode() string    { return r.s.cfg.Mode }
func (r *ledgerResolver) Notice() *string { return strOrNil(r.s.cfg.Notice) }
func (r *ledgerResolver) Head(ctx context.Context) (Position, error) {
	h, err := r.s.store.Head(ctx)
	return Position(h), err
}
func (r *ledgerResolver) ViewPosition() Position { return Position(r.s.views.Position()) }
func (r *ledgerResolver) Now() gql.Time          { return gql.Time{Time: r.s.now()} }
func (r *ledgerResolver) DefaultPlan() *gql.ID {
	p, err := r.s.plan(nil)
	if err != nil {
		return nil
	}
	id := gql.ID(p)
	return &id
}

type principalResolver struct {
	s *Server
	p auth.Principal
}

func (r *principalResolver) Role() string     { return strings.ToUpper(string(r.p.Role)) }
func (r *principalResolver) Name() string     { return r.p.Name }
func (r *principalResolver) Actor() string    { return r.p.Actor() }
func (r *principalResolver) TokenID() *string { return strOrNil(r.p.TokenID) }
func (r *principalResolver) UnitID() *gql.ID {
	if r.p.Unit == "" {
		return nil
	}
	id := gql.ID(r.p.Unit)
	return &id
}
func (r *principalResolver) Unit() *unitResolver {
	if r.p.Unit == "" {
		return nil
	}
	u, ok := r.s.views.Catalog.Unit(r.p.Unit)
	if !ok {
		return nil
	}
	return &unitResolver{s: r.s, u: u}
}

// ---- plans, tasks, units ----

type planResolver struct {
	s *Server
	p domain.Plan
}

func (r *planResolver) ID() gql.ID      { return gql.ID(r.p.ID) }
func (r *planResolver) Title() string   { return r.p.Title }
func (r *planResolver) Issuer() *string { return strOrNil(r.p.Issuer) }

// Jurisdiction resolves Plan.jurisdiction.
func (r *planResolver) Jurisdiction() *string { return strOrNil(r.p.Jurisdiction) }
func (r *planResolver) IssuedOn() *Date       { return dateOrNil(r.p.IssuedOn) }
func (r *planResolver) SourceDigest() *string {
	if r.p.SourceDigest.IsZero() {
		return nil
	}
	s := r.p.SourceDigest.String()
	return &s
}
func (r *planResolver) Targets() []*targetResolver {
	out := make([]*targetResolver, len(r.p.Targets))
	for i, t := range r.p.Targets {
		out[i] = &targetResolver{t: t}
	}
	return out
}
func (r *planResolver) Tasks() []*taskResolver {
	var out []*taskResolver
	for _, t := range r.s.views.Catalog.Tasks(r.p.ID) {
		out = append(out, &taskResolver{s: r.s, t: t})
	}
	return out
}
func (r *planResolver) Schemes() []*adoptedSchemeResolver {
	out := make([]*adoptedSchemeResolver, len(r.p.Schemes))
	for i, a := range r.p.Schemes {
		out[i] = &adoptedSchemeResolver{a: a}
	}
	return out
}

type adoptedSchemeResolver struct{ a domain.AdoptedScheme }

func (r *adoptedSchemeResolver) Scheme() string { return r.a.Scheme }
func (r *adoptedSchemeResolver) Version() int32 { return int32(r.a.Version) }
func (r *adoptedSchemeResolver) Year() int32    { return int32(r.a.Year) }

type targetResolver struct{ t domain.PlanTarget }

func (r *targetResolver) Unit() *gql.ID {
	if r.t.Unit == "" {
		return nil
	}
	id := gql.ID(r.t.Unit)
	return &id
}
func (r *targetResolver) Metric() string     { return r.t.Metric }
func (r *targetResolver) Comparator() string { return string(r.t.Comparator) }
func (r *targetResolver) Value() float64     { return r.t.Value }
func (r *targetResolver) By() *Date          { return dateOrNil(r.t.By) }
func (r *targetResolver) Text() *string      { return strOrNil(r.t.Text) }
func (r *targetResolver) BaselineYear() *int32 {
	if r.t.BaselineYear == 0 {
		return nil
	}
	y := int32(r.t.BaselineYear)
	return &y
}

type taskResolver struct {
	s *Server
	t domain.Task
}

func (r *taskResolver) Plan() gql.ID     { return gql.ID(r.t.Plan) }
func (r *taskResolver) Number() int32    { return int32(r.t.No) }
func (r *taskResolver) Label() *string   { return strOrNil(r.t.Label) }
func (r *taskResolver) Chapter() *string { return strOrNil(r.t.Chapter) }
func (r *taskResolver) Title() string    { return r.t.Title }
func (r *taskResolver) Text() *string    { return strOrNil(r.t.Text) }

// Obligations lists the task's obligations now; a bureau or county token
// sees only its own unit's.
func (r *taskResolver) Obligations(ctx context.Context) ([]*obligationResolver, error) {
	p, err := authorize(ctx, actReadObligations)
	if err != nil {
		return nil, err
	}
	f := projections.Filter{Plan: r.t.Plan, Task: r.t.No}
	if f.Unit, err = ownUnit(p, actReadObligations, ""); err != nil {
		return nil, err
	}
	now := r.s.now()
	views := r.s.views.Obligations.Views(f, now, r.s.views.Config.YellowDays)
	out := make([]*obligationResolver, len(views))
	for i, v := range views {
		out[i] = newObligationResolver(r.s.views.Catalog, v)
	}
	return out, nil
}

type unitResolver struct {
	s *Server
	u domain.Unit
}

func (r *unitResolver) ID() gql.ID   { return gql.ID(r.u.ID) }
func (r *unitResolver) Kind() string { return strings.ToUpper(string(r.u.Kind)) }
func (r *unitResolver) Name() string { return r.u.Name }

// Jurisdiction resolves Unit.jurisdiction.
func (r *unitResolver) Jurisdiction() *string { return strOrNil(r.u.Jurisdiction) }
func (r *unitResolver) Aliases() []string     { return nonNil(r.u.Aliases) }
func (r *unitResolver) FormerNames() []string { return nonNil(r.u.FormerNames) }
func (r *unitResolver) MergedInto() *gql.ID {
	if r.u.MergedInto == "" {
		return nil
	}
	id := gql.ID(r.u.MergedInto)
	return &id
}
func (r *unitResolver) Indicators(args struct{ Year int32 }) []*measurementResolver {
	var out []*measurementResolver
	for _, m := range r.s.views.Indicators.Year(r.u.ID, int(args.Year)) {
		out = append(out, &measurementResolver{m: m})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type measurementResolver struct{ m projections.Measurement }

func (r *measurementResolver) Metric() string    { return strings.ToUpper(string(r.m.Metric)) }
func (r *measurementResolver) Period() string    { return r.m.Period.String() }
func (r *measurementResolver) Day() *Date        { return dateOrNil(r.m.Day) }
func (r *measurementResolver) ValidDays() *int32 { return int32OrNil(r.m.ValidDays) }
func (r *measurementResolver) GoodDays() *int32 {
	if r.m.Metric != domain.MetricGoodDayRatio || r.m.ValidDays == 0 {
		return nil
	}
	n := int32(r.m.GoodDays)
	return &n
}
func (r *measurementResolver) Value() float64       { return r.m.Value }
func (r *measurementResolver) Revisions() int32     { return int32(r.m.Revisions) }
func (r *measurementResolver) EventID() gql.ID      { return gql.ID(r.m.EventID.String()) }
func (r *measurementResolver) RecordedAt() gql.Time { return gql.Time{Time: r.m.RecordedAt} }

// ---- obligations ----

// obligationResolver is one obligation, its fields computed when it is
// built: the engine reads them as plain struct fields (UseFieldResolvers),
// which costs far less than a reflected method call per field on lists of
// hundreds of obligations.
type obligationResolver struct {
	ID               gql.ID
	Plan             gql.ID
	Task             int32
	TaskTitle        *string
	Unit             gql.ID
	UnitName         *string
	Role             string
	Status           string
	Light            string
	Progress         int32
	Reports          int32
	NextDue          *Date
	StartsOn         *Date
	Basis            *string
	Milestones       []*milestoneResolver
	LastReport       *reportResolver
	PendingExtension *extensionResolver
	Slips            int32
	Findings         int32
	Part             int32
	// view is the obligation's view, for the fields computed on demand;
	// cat names the units of its review (review.go).
	view projections.ObligationView
	cat  *projections.Catalog
}

func newObligationResolver(cat *projections.Catalog, v projections.ObligationView) *obligationResolver {
	r := &obligationResolver{
		ID:         gql.ID(v.Stream),
		Plan:       gql.ID(v.Plan),
		Task:       int32(v.Task),
		Unit:       gql.ID(v.Unit),
		Role:       string(v.Role),
		Status:     strings.ToUpper(v.Status),
		Light:      strings.ToUpper(string(v.Light)),
		Progress:   int32(v.Progress),
		Reports:    int32(v.Reports),
		NextDue:    dateOrNil(v.NextDue),
		StartsOn:   dateOrNil(v.StartsOn),
		Basis:      strOrNil(v.Basis),
		Slips:      int32(v.Slips),
		Findings:   int32(v.Findings),
		Part:       int32(v.Part),
		Milestones: make([]*milestoneResolver, len(v.Milestones)),
	}
	if t, ok := cat.Task(v.Plan, v.Task); ok {
		r.TaskTitle = &t.Title
	}
	if u, ok := cat.Unit(v.Unit); ok {
		r.UnitName = &u.Name
	}
	for i, m := range v.Milestones {
		r.Milestones[i] = newMilestoneResolver(m)
	}
	if v.LastReport != nil {
		r.LastReport = newReportResolver(*v.LastReport)
		r.LastReport.attachments = v.Evidence
		r.LastReport.ReturnedAt = timeOrNil(v.ReturnedAt(v.LastReport.EventID))
	}
	if v.PendingExtension != nil {
		r.PendingExtension = &extensionResolver{x: *v.PendingExtension}
	}
	r.view, r.cat = v, cat
	return r
}

// ReportHistory resolves Obligation.reportHistory, built only when asked:
// a duty can hold thousands of reports.
func (r *obligationResolver) ReportHistory() []*reportResolver {
	hist := r.view.History()
	out := make([]*reportResolver, len(hist))
	for i, h := range hist {
		out[i] = newReportResolver(projections.Report{
			EventID: h.EventID, Percent: h.Percent, RecordedAt: h.RecordedAt.Time(), Effective: h.ReportedAt.Time(), Period: h.Period, Late: h.Late,
		})
		out[i].attachments = r.view.Evidence
		out[i].ReturnedAt = timeOrNil(h.ReturnedAt.Time())
	}
	return out
}

// milestoneResolver is one milestone, as plain fields (see obligationResolver).
type milestoneResolver struct {
	ID          string
	What        *string
	Due         Date
	OriginalDue *Date
	Extended    bool
	Overdue     bool
	// AwaitingVerification: claimed, awaiting an inspector's verification.
	AwaitingVerification bool
	// ToBeBackfilled: due before the plan's tracking start, not reported on.
	ToBeBackfilled bool
	Light          string
	Completion     string
	Slipped        []Date
}

func newMilestoneResolver(m projections.MilestoneView) *milestoneResolver {
	r := &milestoneResolver{
		ID:                   string(m.ID),
		What:                 strOrNil(m.What),
		Due:                  Date{m.Due},
		OriginalDue:          dateOrNil(m.OriginalDue),
		Extended:             m.Extended,
		Overdue:              m.Overdue,
		Light:                strings.ToUpper(string(m.Light)),
		AwaitingVerification: m.AwaitingVerification,
		ToBeBackfilled:       m.ToBackfill,
		Completion:           ClaimStateName(m.Completion),
		Slipped:              make([]Date, len(m.Slipped)),
	}
	for i, d := range m.Slipped {
		r.Slipped[i] = Date{d}
	}
	return r
}

// ClaimStateName is a completion's name in the API's ClaimState enum: the
// one spelling every door shows.
func ClaimStateName(c domain.ClaimState) string {
	switch c {
	case domain.ClaimPending:
		return "CLAIMED"
	case domain.ClaimVerified:
		return "VERIFIED"
	case domain.ClaimRejected:
		return "REJECTED"
	}
	return "NONE"
}

// reportResolver is a progress report, as plain fields (see obligationResolver).
type reportResolver struct {
	EventID     gql.ID
	Percent     int32
	Note        *string
	RecordedAt  gql.Time
	EffectiveAt gql.Time
	Period      *string
	Late        bool
	// attachments are the obligation's evidence files; Evidence picks
	// this report's.
	attachments []domain.Attachment
	// ReturnedAt is when the report was sent back; nil when it was not.
	ReturnedAt *gql.Time
}

func newReportResolver(r projections.Report) *reportResolver {
	eff := domain.EffectiveTime(r.Effective, r.RecordedAt)
	var period *string
	if !r.Period.IsZero() {
		p := r.Period.String()
		period = &p
	}
	return &reportResolver{
		EventID:     gql.ID(r.EventID.String()),
		Percent:     int32(r.Percent),
		Note:        strOrNil(r.Note),
		RecordedAt:  gql.Time{Time: r.RecordedAt},
		EffectiveAt: gql.Time{Time: eff},
		Period:      period,
		Late:        r.Late,
	}
}

type extensionResolver struct{ x domain.ExtensionRequest }

func (r *extensionResolver) Milestone() string     { return string(r.x.Milestone) }
func (r *extensionResolver) CurrentDue() Date      { return Date{r.x.CurrentDue} }
func (r *extensionResolver) RequestedDue() Date    { return Date{r.x.RequestedDue} }
func (r *extensionResolver) Reason() *string       { return strOrNil(r.x.Reason) }
func (r *extensionResolver) RequestedAt() gql.Time { return gql.Time{Time: r.x.RequestedAt} }

// Person is the display name of a principal logged in with an account.
func (r *principalResolver) Person() *string { return strOrNil(r.p.Person.Name) }

// Leader reports whether the principal is its unit's leader.
func (r *principalResolver) Leader() bool { return r.p.Leader }
