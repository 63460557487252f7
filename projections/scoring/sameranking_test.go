package scoring

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestSameRanking(t *testing.T) {
	ev := uuid.MustParse("5b7f7e1c-93a2-4c3e-8f0e-6a1d2b3c4d5e")
	base := func() Result {
		return Result{Year: 2025, Kind: KindCounty, Scheme: "default", SchemeVersion: 1,
			AsOf: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC),
			Cards: []Card{{Unit: "county.a", Rank: 1, Total: 9000, Grade: "优秀", Slips: 1,
				Lines: []Line{{Rule: "county.delivery.slip.late", Points: -300, Obligation: "p/1/county.a/IMPLEMENTING", ZH: "逾期30天", Events: []uuid.UUID{ev}}}}}}
	}
	later := base()
	later.AsOf = later.AsOf.Add(48 * time.Hour)
	later.Cards[0].Lines[0].ZH, later.Cards[0].Lines[0].EN = "逾期32天", "32 days late"
	if !SameRanking(base(), later) {
		t.Error("a later evaluation with reworded lines does not rank alike")
	}
	for name, change := range map[string]func(*Result){
		"scheme version": func(r *Result) { r.SchemeVersion = 2 },
		"total":          func(r *Result) { r.Cards[0].Total = 8900 },
		"grade":          func(r *Result) { r.Cards[0].Grade = "良好" },
		"slips":          func(r *Result) { r.Cards[0].Slips = 2 },
		"line points":    func(r *Result) { r.Cards[0].Lines[0].Points = -400 },
		"line events":    func(r *Result) { r.Cards[0].Lines[0].Events = nil },
		"another line":   func(r *Result) { r.Cards[0].Lines = append(r.Cards[0].Lines, Line{Rule: "county.air.pm25"}) },
		"no cards":       func(r *Result) { r.Cards = nil },
	} {
		r := base()
		change(&r)
		if SameRanking(base(), r) {
			t.Errorf("%s changed, yet the results rank alike", name)
		}
	}
}
