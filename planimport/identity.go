package planimport

import (
	"fmt"
	"strings"

	"taskledger/domain"
	"taskledger/planparse"
	"taskledger/projections"
)

// ErrPartial means the parser could not read every numbered item of the
// text, or the ledger would not hold every parsed task; the import records
// nothing unless Options.AllowPartial is set. It is an invalid argument:
// the text, not the ledger, is at fault.
var ErrPartial = fmt.Errorf("the import would be partial: %w", domain.ErrInvalidArgument)

// taskRef is a parsed task's identity in the ledger.
type taskRef struct {
	no    domain.TaskNo
	label string
}

// taskRefs gives every parsed task a number unique in the document. Where
// the printed numbers are unique (the Chifeng plan: （三）…（三十） → 3…30)
// they are kept, so that ledgers imported before stay as they are. Where a
// number repeats (（一） again in every chapter), tasks are numbered by their
// ordinal in document order and the label keeps the chapter's number and
// the printed number ("三、（一）").
func taskRefs(p *planparse.Plan) []taskRef {
	out := make([]taskRef, len(p.Tasks))
	unique := printedUnique(p.Tasks)
	for i, t := range p.Tasks {
		if unique {
			out[i] = taskRef{no: domain.TaskNo(t.Number), label: printedLabel(t)}
			continue
		}
		out[i] = taskRef{no: domain.TaskNo(i + 1), label: chapterNumber(t) + printedLabel(t)}
	}
	return out
}

// printedUnique reports whether every task has a positive printed number
// that no other task has.
func printedUnique(ts []planparse.Task) bool {
	seen := map[int]bool{}
	for _, t := range ts {
		if t.Number <= 0 || seen[t.Number] {
			return false
		}
		seen[t.Number] = true
	}
	return true
}

// printedLabel is the task's number as the plan prints it: "（十）".
func printedLabel(t planparse.Task) string {
	return fmt.Sprintf("（%s）", chineseNumber(t.Number))
}

// chapterNumber is the numbering of the heading a task stands under, with
// its separator ("三、", "（一）"), or "" when there is none.
func chapterNumber(t planparse.Task) string {
	head := t.Chapter
	if t.Part != "" {
		head = t.Part
	}
	if i := strings.Index(head, "、"); i > 0 && i <= 3*6 {
		return head[:i+len("、")]
	}
	return ""
}

// unreadItems lists the parser's reports of numbered items it could not
// place in any task.
func unreadItems(p *planparse.Plan) []string {
	var out []string
	for _, w := range p.Warnings {
		if w.Code == planparse.WarnUnreadItem {
			out = append(out, fmt.Sprintf("line %d: %s", w.Line, w.Message))
		}
	}
	return out
}

// checkRead refuses a plan with numbered items the parser could not read,
// naming them, unless partial imports are allowed.
func checkRead(p *planparse.Plan, allowPartial bool) error {
	unread := unreadItems(p)
	if len(unread) == 0 || allowPartial {
		return nil
	}
	return fmt.Errorf("%w: %d numbered items could not be read (%s); fix the text or allow a partial import",
		ErrPartial, len(unread), strings.Join(unread, "; "))
}

// checkStored verifies that every parsed task was recorded or already on
// record under its own number: a task that overwrote another would leave
// fewer distinct tasks than the parse reported.
func checkStored(p *planparse.Plan, stored map[domain.TaskNo]bool) error {
	if len(stored) == len(p.Tasks) {
		return nil
	}
	return fmt.Errorf("%w: the text holds %d tasks but the ledger would hold %d", ErrPartial, len(p.Tasks), len(stored))
}

// distinctNos marks the numbers refs give.
func distinctNos(refs []taskRef) map[domain.TaskNo]bool {
	out := make(map[domain.TaskNo]bool, len(refs))
	for _, r := range refs {
		out[r.no] = true
	}
	return out
}

// ErrForeignUnit means a unit id of the plan is already on record as a unit
// of another jurisdiction: two jurisdictions never share a unit, even when
// their registries give the same id. The import records nothing.
var ErrForeignUnit = fmt.Errorf("a unit id belongs to another jurisdiction: %w", domain.ErrInvalidArgument)

// checkJurisdictions refuses a plan whose units' ids the ledger already
// holds for units of another jurisdiction than the unit's own (units
// recorded before jurisdictions were kept match any).
func checkJurisdictions(p *planparse.Plan, current *projections.Views) error {
	for _, u := range p.Units {
		j := unitJurisdiction(p, u)
		old, ok := current.Catalog.Unit(domain.UnitID(u.ID))
		if ok && old.Jurisdiction != "" && j != "" && old.Jurisdiction != j {
			return fmt.Errorf("%w: %s (%s) is on record as %s of %s, but the plan's registry places it in %s (a registry entry may name the unit's own jurisdiction to share it)",
				ErrForeignUnit, u.ID, u.Name, old.Name, old.Jurisdiction, j)
		}
	}
	return nil
}

// unitJurisdiction is the place a plan's unit belongs to: its registry
// entry's, else the plan's.
func unitJurisdiction(p *planparse.Plan, u planparse.UnitRef) string {
	if u.Jurisdiction != "" {
		return u.Jurisdiction
	}
	return p.Jurisdiction
}
