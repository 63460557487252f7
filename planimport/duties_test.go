package planimport_test

import (
	"testing"

	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/planparse"
	"taskledger/projections"
)

// The import's report counts exactly the duties the ledger then holds, and
// every responsibility the parse reports (one per unit and bracket) is
// held by a duty of its task, unit and role.
func TestImportStoresEveryParsedDuty(t *testing.T) {
	s := memory.New()
	rep := importText(t, s, load(t))
	v := views(t, s)
	held := v.Obligations.Views(projections.Filter{Plan: "chifeng-air"}, now, 0)
	if got := rep.Counts()["ResponsibilityAssigned"]; got != len(held) {
		t.Errorf("the report counts %d assigned duties, the ledger holds %d", got, len(held))
	}
	brackets := map[domain.ObligationKey]bool{}
	for _, ov := range held {
		ob, _ := v.Obligations.Get(ov.Stream)
		k := ob.Key
		k.Part = 0
		brackets[k] = true
	}
	plan := parseChifeng(t)
	for _, task := range plan.Tasks {
		for _, r := range task.Responsibilities {
			k := domain.ObligationKey{Plan: "chifeng-air", Task: domain.TaskNo(task.Number), Unit: domain.UnitID(r.UnitID), Role: domain.Role(r.Role)}
			if !brackets[k] {
				t.Errorf("task %d: %s %s is not held", task.Number, r.Unit, r.Role)
			}
		}
	}
}

func parseChifeng(t *testing.T) *planparse.Plan {
	t.Helper()
	plan, err := planparse.ParseBytes(load(t), planparse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return plan
}
