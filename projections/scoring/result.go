package scoring

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

// Kind says which units a computation scores.
type Kind string

// The scorecard kinds (the Kind of ScorecardPublished).
const (
	// KindBureau scores the city bureaus (市直部门).
	KindBureau Kind = "bureau"
	// KindCounty scores the county governments (旗县区人民政府).
	KindCounty Kind = "county"
)

// Label names the units k ranks, in Chinese, as the dashboard, the
// bulletins, the exports and the audit trail do: 市直部门, 旗县区 (the API's
// upper-case names too); another kind as it is.
func (k Kind) Label() string {
	switch Kind(strings.ToLower(string(k))) {
	case KindBureau:
		return "市直部门"
	case KindCounty:
		return "旗县区"
	}
	return string(k)
}

// SchemeLabel names a scoring scheme and its version as the dashboard
// does, without the internal name of the standard one: 标准评分办法（第3版）.
func SchemeLabel(id string, version int) string {
	if id == "default" {
		return fmt.Sprintf("标准评分办法（第%d版）", version)
	}
	return fmt.Sprintf("“%s”第%d版", id, version)
}

// Validate reports whether k is a defined kind.
func (k Kind) Validate() error {
	switch k {
	case KindBureau, KindCounty:
		return nil
	}
	return fmt.Errorf("scorecard kind %q is not %q or %q", string(k), KindBureau, KindCounty)
}

// Result is one year's scorecards of one kind, ranked.
type Result struct {
	Year          int    `json:"year"`
	Kind          Kind   `json:"kind"`
	Scheme        string `json:"scheme"`
	SchemeVersion int    `json:"scheme_version"`
	// AsOf is the evaluation instant, written in Asia/Shanghai.
	AsOf time.Time `json:"as_of"`
	// Cards are sorted by rank.
	Cards []Card `json:"cards"`
}

// Card is one unit's scorecard. Total is exactly the sum of the Lines'
// points.
type Card struct {
	Unit  domain.UnitID `json:"unit"`
	Name  string        `json:"name"`
	Total Points        `json:"total"`
	// Grade is the grade's name (e.g. 优秀), GradeEN its English name.
	Grade   string `json:"grade"`
	GradeEN string `json:"grade_en,omitempty"`
	// GradeCapped is true when a rule (a confirmed false report) lowered
	// the grade the total would earn.
	GradeCapped bool `json:"grade_capped,omitempty"`
	// Rank is 1 for the best card; ranks are unique (see docs/scoring.md
	// for the tie-breaks).
	Rank int `json:"rank"`
	// Slips counts the slipped milestones charged, the first tie-break.
	Slips int `json:"slips"`
	// Lines explain every point, base score first.
	Lines []Line `json:"lines"`
}

// Line is one item of a scorecard: the rule applied, the points it gives
// (negative for a deduction), why in Chinese and English, and the events
// behind it.
type Line struct {
	// Rule is a stable rule id such as "bureau.slip.lead".
	Rule   string `json:"rule"`
	Points Points `json:"points"`
	// Obligation is the obligation the line concerns, as
	// "plan/task/unit/ROLE" (ending "/part<n>" for a later duty, see
	// domain.ObligationKey.Path), if any.
	Obligation string `json:"obligation,omitempty"`
	// Metric is the air-quality metric the line scores, if any.
	Metric domain.Metric `json:"metric,omitempty"`
	ZH     string        `json:"zh"`
	EN     string        `json:"en"`
	// Events are the IDs of the events the line rests on.
	Events []uuid.UUID `json:"events,omitempty"`
	// Appeal is the appeal against the slip or finding behind the
	// deduction, if one was filed by as-of.
	Appeal *LineAppeal `json:"appeal,omitempty"`
	// Target is the slip or finding event a unit appeals to contest the
	// line (zero for lines that cannot be appealed). It is derived, not
	// part of the published JSON.
	Target uuid.UUID `json:"-"`
}

// JSON returns the result's canonical JSON: struct fields in a fixed
// order, cards by rank, lines in computation order, points with at most
// two decimals, the as-of time in Asia/Shanghai. The same input, scheme and
// as-of give the same bytes.
func (r Result) JSON() []byte {
	r.AsOf = r.AsOf.In(domain.Shanghai())
	if r.Cards == nil {
		r.Cards = []Card{}
	}
	return marshal(r)
}

// Digest returns the SHA-256 of JSON(), the Digest of ScorecardPublished.
func (r Result) Digest() domain.Hash {
	return domain.Hash(sha256.Sum256(r.JSON()))
}

// DecodeResult reads a result written by JSON, e.g. a published export,
// so that it can be compared with a recomputation (Diff).
func DecodeResult(b []byte) (Result, error) {
	var r Result
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Result{}, fmt.Errorf("decode scorecard result: %w", err)
	}
	return r, nil
}

// The fields a Change names.
const (
	// ChangeHeader: the year, kind, scheme or as-of differ.
	ChangeHeader = "header"
	// ChangeCardAdded and ChangeCardRemoved: a unit has a card in only one
	// of the results.
	ChangeCardAdded   = "card_added"
	ChangeCardRemoved = "card_removed"
	// ChangeTotal, ChangeGrade, ChangeRank: the card's total, grade or rank.
	ChangeTotal = "total"
	ChangeGrade = "grade"
	ChangeRank  = "rank"
	// ChangeLineRemoved and ChangeLineAdded: a line of the published card
	// is not in the recomputed one, or the other way round.
	ChangeLineRemoved = "line_removed"
	ChangeLineAdded   = "line_added"
)

// Change is one difference between a published result and a
// recomputation.
type Change struct {
	// Unit is the card's unit; empty for a header change.
	Unit domain.UnitID `json:"unit,omitempty"`
	// Field is one of the Change… constants.
	Field string `json:"field"`
	// Old and New describe the published and recomputed values.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// Diff lists how recomputed differs from published: header fields first,
// then each unit (in unit id order) whose card was added or removed or
// whose total, grade, rank or lines changed. It is empty when the two
// results have the same JSON.
func Diff(published, recomputed Result) []Change {
	var out []Change
	header := func(r Result) string {
		return fmt.Sprintf("%d %s %s v%d as of %s", r.Year, r.Kind, r.Scheme, r.SchemeVersion, r.AsOf.In(domain.Shanghai()).Format(time.RFC3339Nano))
	}
	if h1, h2 := header(published), header(recomputed); h1 != h2 {
		out = append(out, Change{Field: ChangeHeader, Old: h1, New: h2})
	}
	old := cardsByUnit(published.Cards)
	cur := cardsByUnit(recomputed.Cards)
	for _, u := range unionUnits(published.Cards, recomputed.Cards) {
		p, inOld := old[u]
		r, inNew := cur[u]
		switch {
		case !inOld:
			out = append(out, Change{Unit: u, Field: ChangeCardAdded, New: cardSummary(r)})
			continue
		case !inNew:
			out = append(out, Change{Unit: u, Field: ChangeCardRemoved, Old: cardSummary(p)})
			continue
		}
		if p.Total != r.Total {
			out = append(out, Change{Unit: u, Field: ChangeTotal, Old: p.Total.String(), New: r.Total.String()})
		}
		if p.Grade != r.Grade || p.GradeCapped != r.GradeCapped {
			out = append(out, Change{Unit: u, Field: ChangeGrade, Old: gradeSummary(p), New: gradeSummary(r)})
		}
		if p.Rank != r.Rank {
			out = append(out, Change{Unit: u, Field: ChangeRank, Old: fmt.Sprint(p.Rank), New: fmt.Sprint(r.Rank)})
		}
		removed, added := diffLines(p.Lines, r.Lines)
		for _, l := range removed {
			out = append(out, Change{Unit: u, Field: ChangeLineRemoved, Old: lineSummary(l)})
		}
		for _, l := range added {
			out = append(out, Change{Unit: u, Field: ChangeLineAdded, New: lineSummary(l)})
		}
	}
	return out
}

func cardsByUnit(cards []Card) map[domain.UnitID]Card {
	m := make(map[domain.UnitID]Card, len(cards))
	for _, c := range cards {
		m[c.Unit] = c
	}
	return m
}

// unionUnits returns the units of both card lists, sorted.
func unionUnits(a, b []Card) []domain.UnitID {
	seen := map[domain.UnitID]bool{}
	var out []domain.UnitID
	for _, cs := range [][]Card{a, b} {
		for _, c := range cs {
			if !seen[c.Unit] {
				seen[c.Unit] = true
				out = append(out, c.Unit)
			}
		}
	}
	sortUnitIDs(out)
	return out
}

// diffLines returns the lines of a missing from b and of b missing from a,
// matching equal lines one to one, in their own order.
func diffLines(a, b []Line) (removed, added []Line) {
	count := map[string]int{}
	for _, l := range b {
		count[string(marshal(l))]++
	}
	for _, l := range a {
		k := string(marshal(l))
		if count[k] > 0 {
			count[k]--
		} else {
			removed = append(removed, l)
		}
	}
	count = map[string]int{}
	for _, l := range a {
		count[string(marshal(l))]++
	}
	for _, l := range b {
		k := string(marshal(l))
		if count[k] > 0 {
			count[k]--
		} else {
			added = append(added, l)
		}
	}
	return removed, added
}

func cardSummary(c Card) string {
	return fmt.Sprintf("%s %s, rank %d", c.Total, gradeSummary(c), c.Rank)
}

func gradeSummary(c Card) string {
	if c.GradeCapped {
		return c.Grade + " (capped)"
	}
	return c.Grade
}

func lineSummary(l Line) string {
	s := fmt.Sprintf("%s %s", l.Rule, l.Points)
	if l.Obligation != "" {
		s += " " + l.Obligation
	}
	if l.Metric != "" {
		s += " " + string(l.Metric)
	}
	return s + ": " + l.EN
}

// SameRanking reports whether two results rank alike: the same scheme and
// version, and card by card the same unit, rank, total, grade, grade cap
// and slips, with the same line items (rule, points, obligation, metric and
// the events behind them, in order). The evaluation instant and the lines'
// wording may differ — a line saying how many days a milestone is late
// changes with the day it is read — so a result computed today can match
// the one a committee published last week.
func SameRanking(a, b Result) bool {
	if a.Year != b.Year || a.Kind != b.Kind || a.Scheme != b.Scheme || a.SchemeVersion != b.SchemeVersion || len(a.Cards) != len(b.Cards) {
		return false
	}
	for i := range a.Cards {
		x, y := a.Cards[i], b.Cards[i]
		if x.Unit != y.Unit || x.Rank != y.Rank || x.Total != y.Total || x.Grade != y.Grade ||
			x.GradeCapped != y.GradeCapped || x.Slips != y.Slips || len(x.Lines) != len(y.Lines) {
			return false
		}
		for j := range x.Lines {
			l, m := x.Lines[j], y.Lines[j]
			if l.Rule != m.Rule || l.Points != m.Points || l.Obligation != m.Obligation || l.Metric != m.Metric || !slices.Equal(l.Events, m.Events) {
				return false
			}
		}
	}
	return true
}
