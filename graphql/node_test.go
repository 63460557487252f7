package graphql

import (
	"testing"

	"taskledger/domain"
	"taskledger/internal/ledgertest"
)

// node(id:) finds each kind of node again by the id it shows, under the
// same access rules as the lists.
func TestNodeFindsEachKind(t *testing.T) {
	e := newEnv(t, envOptions{})
	ev := path(e.ok("inspector", `{ events(first: 1) { events { id } } }`, nil), "events", "events", 0, "id").(string)
	ob := countyA.Stream()
	const q = `query($id: ID!) { node(id: $id) { __typename id ... on Obligation { unit role } ... on Task { number } ... on Unit { name } ... on Plan { title } ... on Event { type } } }`
	for id, typ := range map[string]string{"p": "Plan", "task-p-1": "Task", "county.a": "Unit", ob: "Obligation", ev: "Event"} {
		d := e.ok("inspector", q, map[string]any{"id": id})
		if path(d, "node", "__typename") != typ || path(d, "node", "id") != id {
			t.Errorf("node(%q) = %v, want the %s with that id", id, d, typ)
		}
	}
	// Task.id is the id node takes.
	tid := path(e.ok("county", `{ task(number: 1) { id } }`, nil), "task", "id")
	if tid != "task-p-1" {
		t.Errorf("Task.id = %v", tid)
	}
	if d := e.ok("coordinator", q, map[string]any{"id": "nothing-has-this-id"}); d["node"] != nil {
		t.Errorf("an unknown id: %v", d)
	}
	other := ledgertest.Obligation("p", 1, "county.b", domain.RoleImplementing).Stream()
	if r := e.post("county", q, map[string]any{"id": other}); r.code() != string(CodeForbidden) {
		t.Errorf("a county token read another county's obligation: %s", r.Raw)
	}
	if d := e.ok("county", q, map[string]any{"id": ob}); path(d, "node", "unit") != "county.a" {
		t.Errorf("a county token's own obligation: %v", d)
	}
	if r := e.post("", q, map[string]any{"id": "p"}); r.Status != 401 {
		t.Errorf("node without a token: %d %s", r.Status, r.Raw)
	}
}

// A role that may not read the event log does not get an event by id.
func TestNodeEventNeedsTheLog(t *testing.T) {
	e := newEnv(t, envOptions{})
	ev := path(e.ok("inspector", `{ events(first: 1) { events { id } } }`, nil), "events", "events", 0, "id").(string)
	if r := e.post("coordinator", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": ev}); r.code() != string(CodeForbidden) {
		t.Errorf("coordinator read an event by id: %s", r.Raw)
	}
}
