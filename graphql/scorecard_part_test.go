package graphql

import (
	"strings"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/internal/ledgertest"
)

// A unit's later duty on a task (ObligationKey.Part > 0) that slips gives a
// scorecard line naming ".../part2"; the committee must see that line and
// the events behind it, not an internal error.
func TestScorecardLineOfLaterDutyShowsItsEvents(t *testing.T) {
	e := newEnv(t, envOptions{})
	second := countyA
	second.Part = 2
	e.builder.Do(domain.AssignResponsibility{ObligationKey: second, Basis: "test"}, "office")
	e.builder.Do(domain.ScheduleMilestone{ObligationKey: second, Milestone: "m1", What: "完成第二项", Due: ledgertest.Date(2025, time.June, 30)}, "office")
	e.clock.set(ledgertest.Shanghai(2025, time.July, 2, 9))
	e.builder.At(e.clock.now()).Do(domain.RecordSlip{ObligationKey: second, Milestone: "m1"}, "system")
	e.caughtUp() // the read models must hold the slip before the committee asks
	sc := e.ok("committee", `{ scorecard(year: 2025, kind: COUNTY) { cards { unit lines { rule obligation events { type } } } } }`, nil)
	found := false
	for _, c := range path(sc, "scorecard", "cards").([]any) {
		for _, l := range c.(map[string]any)["lines"].([]any) {
			lm := l.(map[string]any)
			if lm["obligation"] != second.Path() || !strings.Contains(lm["rule"].(string), "slip") {
				continue
			}
			found = true
			if path(lm, "events", 0, "type") != "DeadlineSlipped" {
				t.Errorf("line of the later duty: %v", lm)
			}
		}
	}
	if !found {
		t.Errorf("no slip line names %s: %v", second.Path(), sc)
	}
}
