package transport

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

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
	// Replays is how many distinct values the operation gives to
	// arguments that evaluate the ledger as of another moment (asOf,
	// atPosition; see IsReplayArgument), variables resolved: each is one
	// rebuild of the read models from the log (or one more scorecard
	// computation), however many fields share it. Null and omitted values
	// mean "now" and do not count.
	Replays int
}

// Cost is the operation's cost in the transport's model: one per field
// selected, plus replayCost for each distinct as-of value (Replays),
// saturating at math.MaxInt.
func (a Analysis) Cost(replayCost int) int {
	return addSat(a.Fields, mulSat(a.Replays, replayCost))
}

// IsReplayArgument reports whether an argument of this name makes a field
// evaluate the ledger as of another moment, at the cost of a replay.
func IsReplayArgument(name string) bool { return name == "asOf" || name == "atPosition" }

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
// is empty), resolving the variables its replay arguments use. The engine
// (graph-gophers) parses the document again when it runs it: its parser is
// internal.
func Analyze(query, operationName string, variables map[string]any) (Analysis, error) {
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
		Replays:    countReplays(fragments, op, variables),
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

// eachField calls visit for every field a selection set selects, looking
// through inline fragments and fragment spreads (each fragment once;
// unknown fragments and cycles are skipped, the engine's validation
// reports them). It descends into a field's own selection when visit
// returns true.
func eachField(fragments map[string]*ast.FragmentDefinition, set ast.SelectionSet, visit func(*ast.Field) bool) {
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if visit(s) {
					walk(s.SelectionSet)
				}
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
}

// rootFields returns the names of the fields a selection set selects at
// its own level, looking through fragment spreads and inline fragments.
func rootFields(fragments map[string]*ast.FragmentDefinition, set ast.SelectionSet) []string {
	var out []string
	eachField(fragments, set, func(f *ast.Field) bool {
		out = append(out, f.Name)
		return false
	})
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

// countReplays returns how many distinct non-null values an operation
// gives to replay arguments (IsReplayArgument) anywhere in its selection,
// fragments included, resolving variables from the request (or their
// defaults). Each fragment is looked at once: its values are the same
// wherever it is spread.
func countReplays(fragments map[string]*ast.FragmentDefinition, op *ast.OperationDefinition, variables map[string]any) int {
	defaults := map[string]*ast.Value{}
	for _, d := range op.VariableDefinitions {
		if d.DefaultValue != nil {
			defaults[d.Variable] = d.DefaultValue
		}
	}
	values := map[string]bool{}
	eachField(fragments, op.SelectionSet, func(f *ast.Field) bool {
		for _, arg := range f.Arguments {
			if !IsReplayArgument(arg.Name) {
				continue
			}
			if v, ok := replayValue(arg.Value, variables, defaults); ok {
				values[arg.Name+"="+v] = true
			}
		}
		return true
	})
	return len(values)
}

// replayValue returns a replay argument's value in a canonical form
// (instants as Unix nanoseconds, so that one instant written in two zones
// counts once); ok is false for null or a variable without a value.
func replayValue(v *ast.Value, variables map[string]any, defaults map[string]*ast.Value) (string, bool) {
	if v == nil {
		return "", false
	}
	switch v.Kind {
	case ast.NullValue:
		return "", false
	case ast.Variable:
		if got, ok := variables[v.Raw]; ok {
			if got == nil {
				return "", false
			}
			if s, ok := got.(string); ok {
				return canonicalInstant(s), true
			}
			return fmt.Sprint(got), true
		}
		if d, ok := defaults[v.Raw]; ok {
			return replayValue(d, nil, nil)
		}
		return "", false
	case ast.StringValue, ast.BlockValue:
		return canonicalInstant(v.Raw), true
	default:
		return v.String(), true
	}
}

// canonicalInstant writes an RFC 3339 instant as Unix nanoseconds, and
// leaves anything else as it is.
func canonicalInstant(s string) string {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return strconv.FormatInt(t.UnixNano(), 10)
	}
	return s
}

// mulSat multiplies two non-negative ints, saturating at math.MaxInt.
func mulSat(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}

func addSat(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
