package graphql

import (
	"testing"
)

const myUnitQuery = `query($unit: ID) { myUnit(unit: $unit) { unit { id } owes { unit task role } leads { task supporters { unit task } } score { provisional label totalText lines { rule zh } } } }`

func TestMyUnitShowsAUnitItsOwnView(t *testing.T) {
	e := newEnv(t, envOptions{})
	d := e.ok("county", myUnitQuery, nil)
	if got := path(d, "myUnit", "unit", "id"); got != "county.a" {
		t.Fatalf("a county token's myUnit is %v", got)
	}
	owes, _ := path(d, "myUnit", "owes").([]any)
	if len(owes) == 0 {
		t.Fatal("county.a owes nothing in its own view")
	}
	for _, o := range owes {
		if u := path(o, "unit"); u != "county.a" {
			t.Fatalf("county.a's view lists %v's duty", u)
		}
	}
	if r := e.post("county", myUnitQuery, map[string]any{"unit": "county.b"}); r.code() != "FORBIDDEN" {
		t.Fatalf("county.a read county.b's view: %s", r.Raw)
	}
	if r := e.post("", myUnitQuery, nil); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("myUnit without a token: %s", r.Raw)
	}
	d = e.ok("inspector", myUnitQuery, map[string]any{"unit": "bureau.eco"})
	leads, _ := path(d, "myUnit", "leads").([]any)
	if len(leads) == 0 {
		t.Fatalf("bureau.eco leads no task in its view: %v", d)
	}
	if sc := path(d, "myUnit", "score"); sc != nil && path(sc, "label") != "暂定" {
		t.Fatalf("an unpublished score is labelled %v", path(sc, "label"))
	}
}
