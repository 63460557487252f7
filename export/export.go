// Package export writes scorecards, the obligations ledger (台账) and audit
// trails as CSV and XLSX files that open cleanly in a spreadsheet program:
// CSV in UTF-8 with a byte-order mark (so that Excel reads the Chinese text
// correctly), XLSX with Chinese headers, column widths fitted to the text,
// numbers stored as numbers, scores shown with two decimals and dates and
// times stored as dates and times.
//
// The package knows nothing of GraphQL or the store: callers fill the plain
// Scorecard, Obligations and AuditTrail values (FromResult converts a
// computed scoring.Result) and pick a writer.
package export

import (
	"strconv"
	"strings"
	"time"

	"taskledger/domain"
	"taskledger/projections/scoring"
)

// Scorecard is one year's ranked scorecards of one kind.
type Scorecard struct {
	Plan          string
	Year          int
	Kind          string // bureau or county
	Scheme        string
	SchemeVersion int
	AsOf          time.Time
	Digest        string
	// Published says whether these figures are a published ranking.
	Published bool
	// Notice, when set, says the data is simulated (a demo ledger); the
	// XLSX shows it in every printed page header and on the 说明 sheet.
	Notice string
	Cards  []Card
}

// Card is one unit's scorecard.
type Card struct {
	Rank        int
	Unit        string
	Name        string
	Total       float64
	Grade       string
	GradeEN     string
	GradeCapped bool
	Slips       int
	Lines       []Line
}

// Line is one line item of a card: the rule, its points and the events
// behind it.
type Line struct {
	Rule       string
	Points     float64
	Obligation string
	Metric     string
	ZH         string
	EN         string
	Events     []string
}

// Obligations is an obligations ledger (台账): what units owe and by when.
type Obligations struct {
	// Plan is the plan's title; empty when the ledger spans several plans.
	Plan string
	// Unit names whose ledger this is; empty for every unit.
	Unit   string
	AsOf   time.Time
	Notice string
	Items  []Obligation
}

// Obligation is one unit's duty on one task, as of the ledger's AsOf.
type Obligation struct {
	// Plan is the plan's id: the 台账 keeps each plan's tasks together.
	Plan string
	Task int
	// TaskLabel is the task's number as the plan prints it (（三）); empty
	// when the plan gives none.
	TaskLabel string
	TaskTitle string
	Unit      string
	UnitName  string
	Role      string
	Status    string
	Light     string
	Progress  int
	Reports   int
	NextDue   string // YYYY-MM-DD or empty
	Slips     int
	Findings  int
	// Milestones lists the milestones in words, one per line.
	Milestones string
	// PendingExtension describes a pending extension request, if any.
	PendingExtension string
	// Note is the latest progress report's note (进展情况).
	Note string
	ID   string
}

// FromResult converts a computed scorecard result.
func FromResult(plan string, r scoring.Result) Scorecard {
	s := Scorecard{Plan: plan, Year: r.Year, Kind: string(r.Kind), Scheme: r.Scheme, SchemeVersion: r.SchemeVersion,
		AsOf: r.AsOf, Digest: r.Digest().String()}
	for _, c := range r.Cards {
		card := Card{Rank: c.Rank, Unit: string(c.Unit), Name: c.Name, Total: c.Total.Float(), Grade: c.Grade,
			GradeEN: c.GradeEN, GradeCapped: c.GradeCapped, Slips: c.Slips}
		for _, ln := range c.Lines {
			l := Line{Rule: ln.Rule, Points: ln.Points.Float(), Obligation: ln.Obligation, Metric: string(ln.Metric), ZH: ln.ZH, EN: ln.EN}
			for _, id := range ln.Events {
				l.Events = append(l.Events, id.String())
			}
			card.Lines = append(card.Lines, l)
		}
		s.Cards = append(s.Cards, card)
	}
	return s
}

// roleZH names a duty in Chinese.
func roleZH(role string) string {
	switch role {
	case "LEAD":
		return "牵头"
	case "JOINT":
		return "按职责分工负责"
	case "SUPPORT":
		return "配合"
	case "IMPLEMENTING":
		return "落实"
	}
	return role
}

// StatusZH names an obligation status (OPEN, overdue…; either case) in
// Chinese, as the exports and the report template show it.
func StatusZH(s string) string { return statusZH(strings.ToUpper(s)) }

// statusZH names an obligation status in Chinese.
func statusZH(s string) string {
	switch s {
	case "OPEN":
		return "推进中"
	case "EXTENDED":
		return "已延期"
	case "COMPLETION_CLAIMED":
		return "已申报完成"
	case "VERIFIED":
		return "已核验完成"
	case "REJECTED":
		return "完成被驳回"
	case "WITHDRAWN":
		return "已撤销"
	case "REASSIGNED":
		return "已调整"
	case "OVERDUE":
		return "逾期"
	case "SENT_BACK":
		return "退回修改"
	}
	return s
}

// LightZH names a traffic light (GREEN, red…; either case) in Chinese, as
// the exports show it.
func LightZH(s string) string { return lightZH(strings.ToUpper(s)) }

// lightZH names a traffic light in Chinese.
func lightZH(s string) string {
	switch s {
	case "GREEN":
		return "绿灯"
	case "YELLOW":
		return "黄灯"
	case "RED":
		return "红灯"
	case "GREY":
		return "灰灯"
	}
	return s
}

// Title is the document title of a scorecard export, in Chinese: also the
// name of the file a download saves.
func (s Scorecard) Title() string { return s.title() }

// title is the document title of a scorecard export.
func (s Scorecard) title() string {
	t := strconv.Itoa(s.Year) + "年度" + scoring.Kind(s.Kind).Label() + "绩效考核"
	if s.Published {
		return t + "排名（已公开）"
	}
	return t + "得分排名"
}

// asOfText writes an instant in Asia/Shanghai.
func asOfText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.Shanghai()).Format("2006-01-02 15:04")
}

// points2 writes a score with two decimals.
func points2(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
