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
	"taskledger/graphql"
	"time"

	"taskledger/audit"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/internal/apiclient"
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

// The JSON shapes are the API's own, shared with the client of a running
// server (--server), so that both print the same.
type (
	obligationJSON = apiclient.Obligation
	milestoneOut   = apiclient.Milestone
	reportOut      = apiclient.Report
	extensionOut   = apiclient.Extension
	scorecardOut   = apiclient.Scorecard
	cardOut        = apiclient.Card
	lineOut        = apiclient.Line
)

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
		ID: v.Stream, Plan: string(v.Plan), Task: int(v.Task), Unit: string(v.Unit), Role: string(v.Role),
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
		Extended: m.Extended, Completion: graphql.ClaimStateName(m.Completion), Overdue: m.Overdue,
		Light: strings.ToUpper(string(m.Light)), Slipped: make([]string, len(m.Slipped)),
	}
	for i, d := range m.Slipped {
		out.Slipped[i] = d.String()
	}
	return out
}

// scorecardJSON converts a scorecard result as the API shows it.
func scorecardJSON(v *projections.Views, plan domain.PlanID, res scoring.Result) scorecardOut {
	digest := res.Digest()
	out := scorecardOut{
		Plan: string(plan), Year: res.Year, Kind: strings.ToUpper(string(res.Kind)), Scheme: res.Scheme,
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
	out := cardOut{Unit: string(c.Unit), Name: c.Name, Total: c.Total.Float(), TotalText: c.Total.String(), Grade: c.Grade,
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
type eventOut = apiclient.Event

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
