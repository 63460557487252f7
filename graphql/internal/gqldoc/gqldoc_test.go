package gqldoc

import (
	"math"
	"os"
	"strings"
	"testing"
)

func TestParseOperations(t *testing.T) {
	tests := []struct {
		src    string
		opName string
		typ    OpType
		roots  []string
		fields int
	}{
		{`{ a b { c } }`, "", Query, []string{"a", "b"}, 3},
		{`query Q($x: [Int!]! = [1, 2], $y: In = {a: "s", b: [true, null, ENUM]}) @d(k: 1.5e3) { a(x: $x, s: """block "quoted" \""" end""") }`, "", Query, []string{"a"}, 1},
		{`mutation M { m1: doIt(input: {list: [-1, 0, 2.5]}) { ok } }`, "M", Mutation, []string{"doIt"}, 2},
		{`subscription { ev { ...F ... on T { x } ... @skip(if: true) { y } } } fragment F on E { id }`, "", Subscription, []string{"ev"}, 4},
		{"# comment\n\uFEFFquery A { a } query B { ...R } fragment R on Query { b c { d } }", "B", Query, []string{"b", "c"}, 3},
		{`{ s(x: "\u00e9\u{1F600}\n\"") }`, "", Query, []string{"s"}, 1},
	}
	for _, tc := range tests {
		doc, err := Parse(tc.src)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		op, err := doc.Operation(tc.opName)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if op.Type != tc.typ {
			t.Errorf("%s: type %s", tc.src, op.Type)
		}
		var roots []string
		for _, f := range doc.RootFields(op) {
			roots = append(roots, f.Name)
		}
		if strings.Join(roots, ",") != strings.Join(tc.roots, ",") {
			t.Errorf("%s: roots %v", tc.src, roots)
		}
		if n := doc.CountFields(op); n != tc.fields {
			t.Errorf("%s: %d fields, want %d", tc.src, n, tc.fields)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{
		``, `   # nothing`, `{`, `{ }`, `{ a(b: ) }`, `{ a(b: 01) }`, `{ a(b: 1.) }`, `{ a(b: 1x) }`,
		`{ a(b: "unterminated) }`, "{ a(b: \"line\nbreak\") }", `{ a(b: "\q") }`, `{ a(b: """open) }`,
		`type Query { a: Int }`, `query ($x: Int { a }`, `{ a } fragment on on T { b }`, `{ ...F } fragment F { a }`,
		`{ a.b }`, `{ a(b: "\u12") }`, `{ a } fragment F on T { a } fragment F on T { b }`,
		strings.Repeat("{ a ", MaxNesting+1) + strings.Repeat("}", MaxNesting+1),
	} {
		if _, err := Parse(src); err == nil {
			t.Errorf("%q parsed", src)
		}
	}
	_, err := Parse("{\n  a(b: ) }")
	var pe *Error
	if e, ok := err.(*Error); ok {
		pe = e
	}
	if pe == nil || pe.Line != 2 || pe.Column != 8 {
		t.Errorf("position of the error: %v", err)
	}
}

func TestSelectOperation(t *testing.T) {
	doc, err := Parse(`query A { a } query B { b }`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := doc.Operation(""); err == nil {
		t.Error("an unnamed choice among two operations was accepted")
	}
	if _, err := doc.Operation("C"); err == nil {
		t.Error("an unknown operation was accepted")
	}
}

func TestCountSaturatesAndSurvivesCycles(t *testing.T) {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range 80 {
		b.WriteString("fragment F" + itoa(i) + " on Q { ...F" + itoa(i+1) + " ...F" + itoa(i+1) + " }\n")
	}
	b.WriteString("fragment F80 on Q { x }\n")
	doc, err := Parse(b.String())
	if err != nil {
		t.Fatal(err)
	}
	op, _ := doc.Operation("")
	if n := doc.CountFields(op); n != math.MaxInt {
		t.Errorf("count %d, want saturation", n)
	}
	doc, err = Parse(`{ ...A } fragment A on Q { x ...B } fragment B on Q { y ...A }`)
	if err != nil {
		t.Fatal(err)
	}
	op, _ = doc.Operation("")
	if n := doc.CountFields(op); n != 2 {
		t.Errorf("cyclic count %d", n)
	}
}

func TestIntrospectionQuery(t *testing.T) {
	src, err := os.ReadFile("../../testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	op, err := doc.Operation("IntrospectionQuery")
	if err != nil {
		t.Fatal(err)
	}
	if n := doc.CountFields(op); n < 50 || n > 1000 {
		t.Errorf("introspection selects %d fields", n)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var s string
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}
