package gqldoc

import (
	"fmt"
	"math"
)

// Operation returns the operation a request runs: the one named name, or
// the only one when name is empty.
func (d *Document) Operation(name string) (*Operation, error) {
	if name == "" {
		if len(d.Operations) != 1 {
			return nil, fmt.Errorf("the document has %d operations: name the one to run with operationName", len(d.Operations))
		}
		return d.Operations[0], nil
	}
	for _, op := range d.Operations {
		if op.Name == name {
			return op, nil
		}
	}
	return nil, fmt.Errorf("the document has no operation named %q", name)
}

// RootFields returns the fields an operation selects at its root, looking
// through fragment spreads and inline fragments. Unknown fragments and
// cycles are skipped (the engine's validation reports them).
func (d *Document) RootFields(op *Operation) []*Field {
	var out []*Field
	seen := map[string]bool{}
	var walk func(sels []Selection)
	walk = func(sels []Selection) {
		for _, s := range sels {
			switch {
			case s.Field != nil:
				out = append(out, s.Field)
			case s.IsInline:
				walk(s.Inline)
			case s.Spread != "":
				f, ok := d.Fragments[s.Spread]
				if !ok || seen[s.Spread] {
					continue
				}
				seen[s.Spread] = true
				walk(f.Selection)
			}
		}
	}
	walk(op.Selection)
	return out
}

// CountFields returns how many fields an operation selects with every
// fragment spread expanded where it is used. The count saturates at
// math.MaxInt, so a document whose fragments expand exponentially gives a
// huge number instead of taking exponential time: each fragment is counted
// once and its count reused. A fragment that spreads itself, directly or
// not, counts as zero here (the engine refuses the cycle).
func (d *Document) CountFields(op *Operation) int {
	memo := map[string]int{}
	active := map[string]bool{}
	var count func(sels []Selection) int
	count = func(sels []Selection) int {
		n := 0
		for _, s := range sels {
			switch {
			case s.Field != nil:
				n = addSat(n, addSat(1, count(s.Field.Selection)))
			case s.IsInline:
				n = addSat(n, count(s.Inline))
			case s.Spread != "":
				if c, ok := memo[s.Spread]; ok {
					n = addSat(n, c)
					continue
				}
				f, ok := d.Fragments[s.Spread]
				if !ok || active[s.Spread] {
					continue
				}
				active[s.Spread] = true
				c := count(f.Selection)
				active[s.Spread] = false
				memo[s.Spread] = c
				n = addSat(n, c)
			}
		}
		return n
	}
	return count(op.Selection)
}

func addSat(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
