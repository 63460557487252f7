package main

// What --format json prints. The field names and enum values are the
// GraphQL API's (graphql/schema.graphql): camelCase names, upper-case
// statuses and lights. A time or date that is not set is null, never Go's
// zero time.

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"taskledger/audit"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// writeJSONOut writes v as indented JSON with Chinese left readable.
func writeJSONOut(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// timeOrNil returns nil for the zero time.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// dateOrNil returns nil for the zero date, else the date as 2025-12-31.
func dateOrNil(d domain.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

// strOrNil returns nil for the empty string.
func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// obligationList is what obligations --format json prints.
type obligationList struct {
	Unit        domain.UnitID    `json:"unit"`
	UnitName    string           `json:"unitName"`
	AsOf        time.Time        `json:"asOf"`
	Total       int              `json:"total"`
	Obligations []obligationJSON `json:"obligations"`
}

// obligationJSON is the API's Obligation.
type obligationJSON struct {
	ID               string         `json:"id"`
	Plan             domain.PlanID  `json:"plan"`
	Task             int            `json:"task"`
	TaskTitle        *string        `json:"taskTitle"`
	Unit             domain.UnitID  `json:"unit"`
	UnitName         *string        `json:"unitName"`
	Role             string         `json:"role"`
	Status           string         `json:"status"`
	Light            string         `json:"light"`
	Progress         int            `json:"progress"`
	Reports          int            `json:"reports"`
	NextDue          *string        `json:"nextDue"`
	StartsOn         *string        `json:"startsOn"`
	Basis            *string        `json:"basis"`
	Milestones       []milestoneOut `json:"milestones"`
	LastReport       *reportOut     `json:"lastReport"`
	PendingExtension *extensionOut  `json:"pendingExtension"`
	Slips            int            `json:"slips"`
	Findings         int            `json:"findings"`
}

// milestoneOut is the API's Milestone.
type milestoneOut struct {
	ID          string   `json:"id"`
	What        *string  `json:"what"`
	Due         *string  `json:"due"`
	OriginalDue *string  `json:"originalDue"`
	Extended    bool     `json:"extended"`
	Completion  string   `json:"completion"`
	Overdue     bool     `json:"overdue"`
	Light       string   `json:"light"`
	Slipped     []string `json:"slipped"`
}

// reportOut is the API's Report.
type reportOut struct {
	EventID     string    `json:"eventId"`
	Percent     int       `json:"percent"`
	Note        *string   `json:"note"`
	RecordedAt  time.Time `json:"recordedAt"`
	EffectiveAt time.Time `json:"effectiveAt"`
}

// extensionOut is the API's ExtensionRequest.
type extensionOut struct {
	Milestone    string     `json:"milestone"`
	CurrentDue   *string    `json:"currentDue"`
	RequestedDue *string    `json:"requestedDue"`
	Reason       *string    `json:"reason"`
	RequestedAt  *time.Time `json:"requestedAt"`
}

// obligationsJSON converts a unit's obligations as the API shows them.
func obligationsJSON(cat *projections.Catalog, u domain.Unit, asOf time.Time, list []projections.ObligationView) obligationList {
	out := obligationList{Unit: u.ID, UnitName: u.Name, AsOf: asOf, Total: len(list), Obligations: make([]obligationJSON, len(list))}
	for i, v := range list {
		out.Obligations[i] = obligationOut(cat, v)
	}
	return out
}

func obligationOut(cat *projections.Catalog, v projections.ObligationView) obligationJSON {
	o := obligationJSON{
		ID: v.Stream, Plan: v.Plan, Task: int(v.Task), Unit: v.Unit, Role: string(v.Role),
		Status: strings.ToUpper(v.Status), Light: strings.ToUpper(string(v.Light)),
		Progress: int(v.Progress), Reports: v.Reports, NextDue: dateOrNil(v.NextDue),
		StartsOn: dateOrNil(v.StartsOn), Basis: strOrNil(v.Basis), Slips: v.Slips, Findings: v.Findings,
		Milestones: make([]milestoneOut, len(v.Milestones)),
	}
	if t, ok := cat.Task(v.Plan, v.Task); ok {
		o.TaskTitle = &t.Title
	}
	if u, ok := cat.Unit(v.Unit); ok {
		o.UnitName = &u.Name
	}
	for i, m := range v.Milestones {
		o.Milestones[i] = milestoneJSON(m)
	}
	if r := v.LastReport; r != nil {
		eff := r.Effective
		if eff.IsZero() {
			eff = r.RecordedAt
		}
		o.LastReport = &reportOut{EventID: r.EventID.String(), Percent: int(r.Percent), Note: strOrNil(r.Note), RecordedAt: r.RecordedAt, EffectiveAt: eff}
	}
	if x := v.PendingExtension; x != nil {
		o.PendingExtension = &extensionOut{Milestone: string(x.Milestone), CurrentDue: dateOrNil(x.CurrentDue),
			RequestedDue: dateOrNil(x.RequestedDue), Reason: strOrNil(x.Reason), RequestedAt: timeOrNil(x.RequestedAt)}
	}
	return o
}

func milestoneJSON(m projections.MilestoneView) milestoneOut {
	out := milestoneOut{
		ID: string(m.ID), What: strOrNil(m.What), Due: dateOrNil(m.Due), OriginalDue: dateOrNil(m.OriginalDue),
		Extended: m.Extended, Completion: claimState(m.Completion), Overdue: m.Overdue,
		Light: strings.ToUpper(string(m.Light)), Slipped: make([]string, len(m.Slipped)),
	}
	for i, d := range m.Slipped {
		out.Slipped[i] = d.String()
	}
	return out
}

// claimState names a milestone's completion as the API's ClaimState does.
func claimState(c domain.ClaimState) string {
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

// scorecardOut is the API's Scorecard, without the canonical JSON itself
// (its digest is given).
type scorecardOut struct {
	Plan          domain.PlanID `json:"plan"`
	Year          int           `json:"year"`
	Kind          string        `json:"kind"`
	Scheme        string        `json:"scheme"`
	SchemeVersion int           `json:"schemeVersion"`
	AsOf          time.Time     `json:"asOf"`
	Position      uint64        `json:"position"`
	Digest        string        `json:"digest"`
	Published     bool          `json:"published"`
	Cards         []cardOut     `json:"cards"`
}

// cardOut is the API's ScoreCard.
type cardOut struct {
	Unit        domain.UnitID `json:"unit"`
	Name        string        `json:"name"`
	Total       float64       `json:"total"`
	TotalText   string        `json:"totalText"`
	Grade       string        `json:"grade"`
	GradeEn     *string       `json:"gradeEn"`
	GradeCapped bool          `json:"gradeCapped"`
	Rank        int           `json:"rank"`
	Slips       int           `json:"slips"`
	Lines       []lineOut     `json:"lines"`
}

// lineOut is the API's ScoreLine, with the events' IDs.
type lineOut struct {
	Rule       string   `json:"rule"`
	Points     float64  `json:"points"`
	PointsText string   `json:"pointsText"`
	Obligation *string  `json:"obligation"`
	Metric     *string  `json:"metric"`
	ZH         string   `json:"zh"`
	EN         string   `json:"en"`
	EventIDs   []string `json:"eventIds"`
}

// scorecardJSON converts a scorecard result as the API shows it.
func scorecardJSON(v *projections.Views, plan domain.PlanID, res scoring.Result) scorecardOut {
	digest := res.Digest()
	out := scorecardOut{
		Plan: plan, Year: res.Year, Kind: strings.ToUpper(string(res.Kind)), Scheme: res.Scheme,
		SchemeVersion: res.SchemeVersion, AsOf: res.AsOf, Position: v.Position(), Digest: digest.String(),
		Cards: make([]cardOut, len(res.Cards)),
	}
	if p, ok := v.Catalog.Plan(plan); ok {
		for _, pub := range p.Scorecards {
			out.Published = out.Published || pub.Digest == digest
		}
	}
	for i, c := range res.Cards {
		out.Cards[i] = cardJSON(c)
	}
	return out
}

func cardJSON(c scoring.Card) cardOut {
	out := cardOut{Unit: c.Unit, Name: c.Name, Total: c.Total.Float(), TotalText: c.Total.String(), Grade: c.Grade,
		GradeEn: strOrNil(c.GradeEN), GradeCapped: c.GradeCapped, Rank: c.Rank, Slips: c.Slips, Lines: make([]lineOut, len(c.Lines))}
	for i, l := range c.Lines {
		ln := lineOut{Rule: l.Rule, Points: l.Points.Float(), PointsText: l.Points.String(), Obligation: strOrNil(l.Obligation),
			ZH: l.ZH, EN: l.EN, EventIDs: make([]string, len(l.Events))}
		if l.Metric != "" {
			m := strings.ToUpper(string(l.Metric))
			ln.Metric = &m
		}
		for j, id := range l.Events {
			ln.EventIDs[j] = id.String()
		}
		out.Lines[i] = ln
	}
	return out
}

// auditTrailOut is the API's AuditTrail with the cut it was read at.
type auditTrailOut struct {
	Cut        string     `json:"cut"`
	AsOf       *time.Time `json:"asOf"`
	AtPosition *uint64    `json:"atPosition"`
	Intact     bool       `json:"intact"`
	Events     []eventOut `json:"events"`
}

// eventOut is the API's Event as an audit trail gives it, without the
// payload.
type eventOut struct {
	ID          string    `json:"id"`
	Position    uint64    `json:"position"`
	Stream      string    `json:"stream"`
	Version     uint64    `json:"version"`
	Type        string    `json:"type"`
	Actor       string    `json:"actor"`
	RecordedAt  time.Time `json:"recordedAt"`
	EffectiveAt time.Time `json:"effectiveAt"`
	Summary     string    `json:"summary"`
	Hash        string    `json:"hash"`
	Backdated   bool      `json:"backdated"`
	Flags       []string  `json:"flags"`
}

// auditTrailJSON converts a trail as the API shows it: besides the trail's
// flags, simulated for a demo actor and hash_mismatch for an event whose
// content does not match its hash.
func auditTrailJSON(tr *audit.Trail, cut projections.Cut) auditTrailOut {
	entries := tr.Entries()
	out := auditTrailOut{Cut: cut.String(), AsOf: timeOrNil(cut.Time), Intact: tr.Intact(), Events: make([]eventOut, len(entries))}
	if cut.Position > 0 {
		out.AtPosition = &cut.Position
	}
	for i, e := range entries {
		ev := eventOut{ID: e.ID.String(), Position: e.Position, Stream: e.Stream, Version: e.Version, Type: e.Type,
			Actor: e.Actor, RecordedAt: e.RecordedAt, EffectiveAt: e.EffectiveAt, Summary: e.Summary, Hash: e.Hash.String(),
			Flags: make([]string, 0, len(e.Flags)+2)}
		if ev.EffectiveAt.IsZero() {
			ev.EffectiveAt = e.RecordedAt
		}
		for _, f := range e.Flags {
			ev.Flags = append(ev.Flags, string(f))
			ev.Backdated = ev.Backdated || f == audit.FlagBackdated
		}
		if strings.HasPrefix(e.Actor, demo.ActorPrefix) {
			ev.Flags = append(ev.Flags, "simulated")
		}
		if e.HashMismatch {
			ev.Flags = append(ev.Flags, "hash_mismatch")
		}
		out.Events[i] = ev
	}
	return out
}
