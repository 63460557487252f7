package transport

import (
	"errors"
	"fmt"
	"math"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Analysis is what the transport learns of a request's document before the
// engine runs it: enough to refuse it early (a subscription over HTTP, a
// mutation over GET, too many fields, protected fields without a token) and
// to decide whether its response may be shared.
type Analysis struct {
	// Type is the operation's type: query, mutation or subscription.
	Type ast.Operation
	// RootFields are the fields the operation selects at its root, looking
	// through fragment spreads and inline fragments.
	RootFields []string
	// Fields is how many fields the operation selects with every fragment
	// spread expanded where it is used, saturating at math.MaxInt.
	Fields int
}

// DocumentError is a document the transport refuses before the engine
// sees it.
type DocumentError struct {
	// Kind is "syntax" or "validation" (extensions.kind).
	Kind string
	Msg  string
}

func (e *DocumentError) Error() string { return e.Msg }

// Analyze parses query once, without a schema, with gqlparser's parser and
// describes the operation named operationName (the only one when the name
// is empty). The engine (graph-gophers) parses the document again when it
// runs it: its parser is internal.
func Analyze(query, operationName string) (Analysis, error) {
	doc, err := parser.ParseQuery(&ast.Source{Name: "query", Input: query})
	if err != nil {
		return Analysis{}, &DocumentError{Kind: "syntax", Msg: syntaxMessage(err)}
	}
	if len(doc.Operations) == 0 {
		return Analysis{}, &DocumentError{Kind: "syntax", Msg: "the document has no operation"}
	}
	fragments := make(map[string]*ast.FragmentDefinition, len(doc.Fragments))
	for _, f := range doc.Fragments {
		if _, dup := fragments[f.Name]; dup {
			return Analysis{}, &DocumentError{Kind: "syntax", Msg: fmt.Sprintf("there are two fragments named %q", f.Name)}
		}
		fragments[f.Name] = f
	}
	op, err := pickOperation(doc.Operations, operationName)
	if err != nil {
		return Analysis{}, &DocumentError{Kind: "validation", Msg: err.Error()}
	}
	return Analysis{
		Type:       op.Operation,
		RootFields: rootFields(fragments, op.SelectionSet),
		Fields:     countFields(fragments, op.SelectionSet),
	}, nil
}

// syntaxMessage words a parser error as "syntax error at line L, column
// C: …".
func syntaxMessage(err error) string {
	var ge *gqlerror.Error
	if !errors.As(err, &ge) {
		return "syntax error: " + err.Error()
	}
	if len(ge.Locations) == 0 {
		return "syntax error: " + ge.Message
	}
	return fmt.Sprintf("syntax error at line %d, column %d: %s", ge.Locations[0].Line, ge.Locations[0].Column, ge.Message)
}

// pickOperation returns the operation a request runs: the one named name,
// or the only one when name is empty.
func pickOperation(ops ast.OperationList, name string) (*ast.OperationDefinition, error) {
	if name == "" {
		if len(ops) != 1 {
			return nil, fmt.Errorf("the document has %d operations: name the one to run with operationName", len(ops))
		}
		return ops[0], nil
	}
	for _, op := range ops {
		if op.Name == name {
			return op, nil
		}
	}
	return nil, fmt.Errorf("the document has no operation named %q", name)
}

// rootFields returns the names of the fields a selection set selects at
// its own level, looking through fragment spreads and inline fragments.
// Unknown fragments and cycles are skipped (the engine's validation
// reports them).
func rootFields(fragments map[string]*ast.FragmentDefinition, set ast.SelectionSet) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				out = append(out, s.Name)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				f, ok := fragments[s.Name]
				if !ok || seen[s.Name] {
					continue
				}
				seen[s.Name] = true
				walk(f.SelectionSet)
			}
		}
	}
	walk(set)
	return out
}

// countFields returns how many fields a selection set selects with every
// fragment spread expanded where it is used. The count saturates at
// math.MaxInt, so a document whose fragments expand exponentially gives a
// huge number instead of taking exponential time: each fragment is counted
// once and its count reused. A fragment that spreads itself, directly or
// not, counts as zero here (the engine refuses the cycle).
func countFields(fragments map[string]*ast.FragmentDefinition, set ast.SelectionSet) int {
	memo := map[string]int{}
	active := map[string]bool{}
	var count func(ast.SelectionSet) int
	count = func(set ast.SelectionSet) int {
		n := 0
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				n = addSat(n, addSat(1, count(s.SelectionSet)))
			case *ast.InlineFragment:
				n = addSat(n, count(s.SelectionSet))
			case *ast.FragmentSpread:
				if c, ok := memo[s.Name]; ok {
					n = addSat(n, c)
					continue
				}
				f, ok := fragments[s.Name]
				if !ok || active[s.Name] {
					continue
				}
				active[s.Name] = true
				c := count(f.SelectionSet)
				active[s.Name] = false
				memo[s.Name] = c
				n = addSat(n, c)
			}
		}
		return n
	}
	return count(set)
}

func addSat(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
