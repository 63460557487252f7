package schemacheck

import (
	"reflect"
	"testing"
)

const before = `
"Q" type Query { "a" a(x: Int, y: String!): String! "b" b: [Int!] "c" c: Thing "d" d: Int }
"T" type Thing implements Node { "id" id: ID! "n" n: Int }
"N" interface Node { "id" id: ID! }
"E" enum Color { "r" RED "g" GREEN }
"I" input Filter { "k" k: String "m" m: Int! }
"U" union Any = Thing
"gone" type Gone { "x" x: Int }
`

const after = `
"Q" type Query { "a" a(x: Int!, z: Int, w: Int!): String "b" b: [Int!]! "c" c: Thing "e" e: Int }
"T" type Thing { "id" id: ID! "n" n: Int }
"N" interface Node { "id" id: ID! }
"E" enum Color { "r" RED "b" BLUE }
"I" input Filter { "k" k: String! "m" m: Int "o" o: Int "p" p: Int! }
"U" union Any = Thing
`

func TestBreaking(t *testing.T) {
	old, err := Load("before", before)
	if err != nil {
		t.Fatal(err)
	}
	nw, err := Load("after", after)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range Breaking(old, nw) {
		got = append(got, c.String())
	}
	want := []string{
		"Color.GREEN: enum value removed",
		"Filter.k: type changed from String to String!",
		"Filter.p: required input field added",
		"Gone: type removed",
		"Query.a: type changed from String! to String",
		"Query.a(w:): required argument added",
		"Query.a(x:): type changed from Int to Int!",
		"Query.a(y:): argument removed",
		"Query.d: field removed",
		"Thing: no longer implements Node",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Breaking:\n got %q\nwant %q", got, want)
	}
	if c := Breaking(old, old); len(c) != 0 {
		t.Errorf("a schema against itself: %v", c)
	}
}

func TestUndescribed(t *testing.T) {
	s, err := Load("s", `
type Query { "ok" a(x: Int, "y" y: Int): Thing b: Int }
"T" type Thing { id: ID! }
enum E { "r" R G }
input In { k: Int }`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"E", "E.G", "In", "In.k", "Query.a(x:)", "Query.b", "Thing.id"}
	if got := Undescribed(s); !reflect.DeepEqual(got, want) {
		t.Errorf("Undescribed:\n got %q\nwant %q", got, want)
	}
}
