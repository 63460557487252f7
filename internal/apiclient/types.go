package apiclient

import (
	"strings"
	"time"

	"taskledger/export"
)

// Scorecard is the API's Scorecard, without its canonical JSON (its digest
// is given).
type Scorecard struct {
	Plan          string    `json:"plan"`
	Year          int       `json:"year"`
	Kind          string    `json:"kind"`
	Scheme        string    `json:"scheme"`
	SchemeVersion int       `json:"schemeVersion"`
	AsOf          time.Time `json:"asOf"`
	Position      uint64    `json:"position"`
	Digest        string    `json:"digest"`
	Published     bool      `json:"published"`
	Cards         []Card    `json:"cards"`
}

// Card is the API's ScoreCard.
type Card struct {
	Unit        string  `json:"unit"`
	Name        string  `json:"name"`
	Total       float64 `json:"total"`
	TotalText   string  `json:"totalText"`
	Grade       string  `json:"grade"`
	GradeEn     *string `json:"gradeEn"`
	GradeCapped bool    `json:"gradeCapped"`
	Rank        int     `json:"rank"`
	Slips       int     `json:"slips"`
	Lines       []Line  `json:"lines"`
}

// Line is the API's ScoreLine, with the events' IDs.
type Line struct {
	Rule       string   `json:"rule"`
	Points     float64  `json:"points"`
	PointsText string   `json:"pointsText"`
	Obligation *string  `json:"obligation"`
	Metric     *string  `json:"metric"`
	ZH         string   `json:"zh"`
	EN         string   `json:"en"`
	EventIDs   []string `json:"eventIds"`
}

// ScorecardAnswer is the data of ScorecardQuery.
type ScorecardAnswer struct {
	Ledger    Ledger    `json:"ledger"`
	Scorecard Scorecard `json:"scorecard"`
}

// Ledger is the API's Ledger, as far as StatusQuery asks.
type Ledger struct {
	Mode         string     `json:"mode"`
	Notice       *string    `json:"notice"`
	Head         uint64     `json:"head"`
	ViewPosition uint64     `json:"viewPosition"`
	DefaultPlan  *string    `json:"defaultPlan"`
	Now          *time.Time `json:"now"`
}

// Export returns the scorecards as export rows, with notice on them.
func (s Scorecard) Export(notice string) export.Scorecard {
	out := export.Scorecard{Plan: s.Plan, Year: s.Year, Kind: strings.ToLower(s.Kind), Scheme: s.Scheme,
		SchemeVersion: s.SchemeVersion, AsOf: s.AsOf, Digest: s.Digest, Notice: notice}
	for _, c := range s.Cards {
		out.Cards = append(out.Cards, c.Export())
	}
	return out
}

// Export returns the card as an export row; metrics are named as the
// domain names them (pm25), as export.FromResult does.
func (c Card) Export() export.Card {
	out := export.Card{Rank: c.Rank, Unit: c.Unit, Name: c.Name, Total: c.Total, Grade: c.Grade,
		GradeEN: Deref(c.GradeEn), GradeCapped: c.GradeCapped, Slips: c.Slips}
	for _, l := range c.Lines {
		out.Lines = append(out.Lines, export.Line{Rule: l.Rule, Points: l.Points, Obligation: Deref(l.Obligation),
			Metric: strings.ToLower(Deref(l.Metric)), ZH: l.ZH, EN: l.EN, Events: l.EventIDs})
	}
	return out
}

// Deref returns *s, or "" for nil.
func Deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ObligationConnection is a page of the API's ObligationConnection.
type ObligationConnection struct {
	TotalCount int          `json:"totalCount"`
	PageInfo   PageInfo     `json:"pageInfo"`
	AsOf       time.Time    `json:"asOf"`
	Nodes      []Obligation `json:"nodes"`
}

// PageInfo is the API's PageInfo (the fields the queries here ask for).
type PageInfo struct {
	HasNextPage bool    `json:"hasNextPage"`
	EndCursor   *string `json:"endCursor"`
}

// Obligation is the API's Obligation.
type Obligation struct {
	ID               string      `json:"id"`
	Plan             string      `json:"plan"`
	Task             int         `json:"task"`
	TaskTitle        *string     `json:"taskTitle"`
	Unit             string      `json:"unit"`
	UnitName         *string     `json:"unitName"`
	Role             string      `json:"role"`
	Status           string      `json:"status"`
	Light            string      `json:"light"`
	Progress         int         `json:"progress"`
	Reports          int         `json:"reports"`
	NextDue          *string     `json:"nextDue"`
	StartsOn         *string     `json:"startsOn"`
	Basis            *string     `json:"basis"`
	Milestones       []Milestone `json:"milestones"`
	LastReport       *Report     `json:"lastReport"`
	PendingExtension *Extension  `json:"pendingExtension"`
	Slips            int         `json:"slips"`
	Findings         int         `json:"findings"`
}

// Milestone is the API's Milestone.
type Milestone struct {
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

// Report is the API's Report.
type Report struct {
	EventID     string    `json:"eventId"`
	Percent     int       `json:"percent"`
	Note        *string   `json:"note"`
	RecordedAt  time.Time `json:"recordedAt"`
	EffectiveAt time.Time `json:"effectiveAt"`
}

// Extension is the API's ExtensionRequest.
type Extension struct {
	Milestone    string     `json:"milestone"`
	CurrentDue   *string    `json:"currentDue"`
	RequestedDue *string    `json:"requestedDue"`
	Reason       *string    `json:"reason"`
	RequestedAt  *time.Time `json:"requestedAt"`
}

// Unit is the API's Unit, as far as the queries here ask.
type Unit struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Principal is the API's Principal, as far as the queries here ask.
type Principal struct {
	Role   string  `json:"role"`
	UnitID *string `json:"unitId"`
	Name   string  `json:"name"`
	Actor  string  `json:"actor"`
	Unit   *Unit   `json:"unit"`
}

// Task is the API's Task, as far as TasksQuery asks.
type Task struct {
	Plan   string  `json:"plan"`
	Number int     `json:"number"`
	Label  *string `json:"label"`
	Title  string  `json:"title"`
}

// Event is the API's Event without its payload, as audit trails give it.
type Event struct {
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
	PrevHash    string    `json:"prevHash,omitempty"`
	Backdated   bool      `json:"backdated"`
	Flags       []string  `json:"flags"`
}
