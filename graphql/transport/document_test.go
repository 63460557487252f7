package transport

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func TestAnalyzeOperations(t *testing.T) {
	tests := []struct {
		src    string
		opName string
		typ    ast.Operation
		roots  []string
		fields int
	}{
		{`{ a b { c } }`, "", ast.Query, []string{"a", "b"}, 3},
		{`query Q($x: [Int!]! = [1, 2], $y: In = {a: "s", b: [true, null, ENUM]}) @d(k: 1.5e3) { a(x: $x, s: """block "quoted" \""" end""") }`, "", ast.Query, []string{"a"}, 1},
		{`mutation M { m1: doIt(input: {list: [-1, 0, 2.5]}) { ok } }`, "M", ast.Mutation, []string{"doIt"}, 2},
		{`subscription { ev { ...F ... on T { x } ... @skip(if: true) { y } } } fragment F on E { id }`, "", ast.Subscription, []string{"ev"}, 4},
		{"# comment\n\uFEFFquery A { a } query B { ...R } fragment R on Query { b c { d } }", "B", ast.Query, []string{"b", "c"}, 3},
		{`{ s(x: "\u00e9\u{1F600}\n\"") }`, "", ast.Query, []string{"s"}, 1},
	}
	for _, tc := range tests {
		a, err := Analyze(tc.src, tc.opName, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if a.Type != tc.typ {
			t.Errorf("%s: type %s", tc.src, a.Type)
		}
		if strings.Join(a.RootFields, ",") != strings.Join(tc.roots, ",") {
			t.Errorf("%s: roots %v", tc.src, a.RootFields)
		}
		if a.Fields != tc.fields {
			t.Errorf("%s: %d fields, want %d", tc.src, a.Fields, tc.fields)
		}
	}
}

func TestAnalyzeRefuses(t *testing.T) {
	for _, src := range []string{
		``, `   # nothing`, `{`, `{ }`, `{ a(b: ) }`, `{ a(b: 01) }`, `{ a(b: 1.) }`, `{ a(b: 1x) }`,
		`{ a(b: "unterminated) }`, "{ a(b: \"line\nbreak\") }", `{ a(b: "\q") }`, `{ a(b: """open) }`,
		`type Query { a: Int }`, `query ($x: Int { a }`, `{ a } fragment on on T { b }`, `{ ...F } fragment F { a }`,
		`{ a.b }`, `{ a(b: "\u12") }`, `{ a } fragment F on T { a } fragment F on T { b }`,
		strings.Repeat("{ a ", 1001) + strings.Repeat("}", 1001),
	} {
		_, err := Analyze(src, "", nil)
		var de *DocumentError
		if !errors.As(err, &de) || de.Kind != "syntax" {
			t.Errorf("%.40q: %v", src, err)
		}
	}
	_, err := Analyze("{\n  a(b: ) }", "", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "syntax error at line 2, column 8: ") {
		t.Errorf("position of the error: %v", err)
	}
}

func TestAnalyzePicksTheOperation(t *testing.T) {
	src := `query A { a } query B { b }`
	for _, name := range []string{"", "C"} {
		_, err := Analyze(src, name, nil)
		var de *DocumentError
		if !errors.As(err, &de) || de.Kind != "validation" {
			t.Errorf("operation %q: %v", name, err)
		}
	}
	if a, err := Analyze(src, "B", nil); err != nil || a.RootFields[0] != "b" {
		t.Errorf("operation B: %v %v", a, err)
	}
}

func TestCountSaturatesAndSurvivesCycles(t *testing.T) {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range 80 {
		fmt.Fprintf(&b, "fragment F%d on Q { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	b.WriteString("fragment F80 on Q { x }\n")
	a, err := Analyze(b.String(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Fields != math.MaxInt {
		t.Errorf("count %d, want saturation", a.Fields)
	}
	a, err = Analyze(`{ ...A } fragment A on Q { x ...B } fragment B on Q { y ...A }`, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Fields != 2 || strings.Join(a.RootFields, ",") != "x,y" {
		t.Errorf("cyclic: %d fields, roots %v", a.Fields, a.RootFields)
	}
}

func TestAnalyzeIntrospectionQuery(t *testing.T) {
	src, err := os.ReadFile("../testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Analyze(string(src), "IntrospectionQuery", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Fields < 50 || a.Fields > 1000 {
		t.Errorf("introspection selects %d fields", a.Fields)
	}
}

func TestReplays(t *testing.T) {
	tests := []struct {
		name string
		src  string
		vars map[string]any
		want int
	}{
		{"none", `{ a b(x: 1) }`, nil, 0},
		{"literals", `{ a: s(asOf: "2025-01-01T00:00:00Z") b: s(asOf: "2025-01-02T00:00:00Z") c: s(asOf: "2025-01-01T08:00:00+08:00") }`, nil, 2},
		{"null and omitted", `query($t: Time) { a: s(asOf: null) b: s(asOf: $t) c: s }`, nil, 0},
		{"variables", `query($t: Time, $u: Time) { a: s(asOf: $t) b: s(asOf: $u) }`, map[string]any{"t": "2025-01-01T00:00:00Z", "u": "2025-02-01T00:00:00Z"}, 2},
		{"variable default", `query($t: Time = "2025-03-01T00:00:00Z") { a: s(asOf: $t) }`, nil, 1},
		{"nested and fragments", `{ x { y(asOf: "1") ...F ...F } } fragment F on X { z(atPosition: 7) w(asOf: "1") }`, nil, 2},
		{"positions", `query($p: Position) { a: s(atPosition: 1) b: s(atPosition: $p) }`, map[string]any{"p": 2}, 2},
	}
	for _, tc := range tests {
		a, err := Analyze(tc.src, "", tc.vars)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if a.Replays != tc.want {
			t.Errorf("%s: %d replays, want %d", tc.name, a.Replays, tc.want)
		}
	}
	a, _ := Analyze(`{ a: s(asOf: "1") b: s(asOf: "2") }`, "", nil)
	if c := a.Cost(100); c != 202 {
		t.Errorf("cost %d", c)
	}
}
