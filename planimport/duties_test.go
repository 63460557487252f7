package planimport_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/planimport"
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

// Every held-out and unseen-layout excerpt imports with the ledger holding
// exactly what the parse reported: each task, and as many duties as the
// import's report says it assigned.
func TestImportStoresWhatTheParseReportsForEveryExcerpt(t *testing.T) {
	files, _ := filepath.Glob("../planparse/testdata/heldout/*.txt")
	unseen, _ := filepath.Glob("../planparse/testdata/unseen/*.txt")
	files = append(files, unseen...)
	if len(files) < 10 {
		t.Fatalf("found %d excerpts", len(files))
	}
	refused := 0
	defer func() {
		if refused > 1 {
			t.Errorf("%d excerpts refused as unreadable", refused)
		}
	}()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, perr := planparse.ParseBytes(src, planparse.Options{Registry: planparse.EmptyRegistry()}); perr != nil {
			// A text the parser cannot read at all is refused before
			// anything is recorded; the grading reports it as 0 tasks.
			t.Logf("%s: refused: %v", filepath.Base(f), perr)
			refused++
			continue
		}
		s := memory.New()
		plan, rep, err := importPlan(t, s, "doc", src, false)
		if errors.Is(err, planimport.ErrPartial) {
			// A numbered item the parser cannot place (Guangzhou's （一）
			// headings with prose) is refused by name; allowed, the rest
			// is stored exactly.
			t.Logf("%s: %v", filepath.Base(f), err)
			s = memory.New()
			plan, rep, err = importPlan(t, s, "doc", src, true)
		}
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		v := views(t, s)
		if got := len(v.Catalog.Tasks("doc")); got != len(plan.Tasks) {
			t.Errorf("%s: parsed %d tasks, the ledger holds %d", filepath.Base(f), len(plan.Tasks), got)
		}
		held := v.Obligations.Views(projections.Filter{Plan: "doc"}, now, 0)
		if got := rep.Counts()["ResponsibilityAssigned"]; got != len(held) {
			t.Errorf("%s: the report counts %d duties, the ledger holds %d", filepath.Base(f), got, len(held))
		}
		if want := parsedDuties(plan); !reflect.DeepEqual(heldDuties(t, v), want) {
			t.Errorf("%s: the ledger holds duties %v, the parse reports %v", filepath.Base(f), heldDuties(t, v), want)
		}
	}
}

// dutyCount counts duties by task, unit and role.
type dutyCount map[domain.ObligationKey]int

// parsedDuties counts the responsibilities a parse reports, one per unit
// and bracket.
func parsedDuties(plan *planparse.Plan) dutyCount {
	out := dutyCount{}
	for _, task := range plan.Tasks {
		for _, r := range task.Responsibilities {
			out[domain.ObligationKey{Plan: "doc", Task: domain.TaskNo(task.Number), Unit: domain.UnitID(r.UnitID), Role: domain.Role(r.Role)}]++
		}
	}
	return out
}

// heldDuties counts the duties the ledger holds for plan "doc", their parts
// folded together.
func heldDuties(t *testing.T, v *projections.Views) dutyCount {
	t.Helper()
	out := dutyCount{}
	for _, ov := range v.Obligations.Views(projections.Filter{Plan: "doc"}, now, 0) {
		ob, ok := v.Obligations.Get(ov.Stream)
		if !ok {
			t.Fatalf("duty %s is listed but not held", ov.Stream)
		}
		k := ob.Key
		k.Part = 0
		out[k]++
	}
	return out
}

// A text whose title the parser cannot find is registered under its first
// line, not refused.
func TestUntitledPlanTakesItsFirstLine(t *testing.T) {
	text := "（国务院办公厅政策措施分解，摘录）\n一、拓宽就业渠道\n（一）扩大企业就业规模。加强政策支持。（财政部、税务总局等按职责分工负责）\n"
	s := memory.New()
	if _, _, err := importPlan(t, s, "doc", []byte(text), false); err != nil {
		t.Fatal(err)
	}
	pl, ok := views(t, s).Catalog.Plan("doc")
	if !ok || pl.Title != "（国务院办公厅政策措施分解，摘录）" {
		t.Errorf("plan %+v", pl)
	}
}
