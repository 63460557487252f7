package graphql

import (
	"strconv"
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

// The audit trail and the global log page as Relay connections whose
// cursors are log positions: following endCursor visits every event once,
// and totalCount counts them all.
func TestEventConnections(t *testing.T) {
	e := newEnv(t, envOptions{})
	walk := func(q string, field string) (seen []string, total float64) {
		t.Helper()
		var after any
		for range 100 {
			d := e.ok("inspector", q, map[string]any{"after": after})
			c := d[field].(map[string]any)
			total, _ = c["totalCount"].(float64)
			for _, ed := range c["edges"].([]any) {
				seen = append(seen, path(ed, "node", "id").(string))
				if path(ed, "cursor") != path(ed, "node", "position") && path(ed, "cursor") != fmtPos(path(ed, "node", "position")) {
					t.Fatalf("cursor %v is not the position %v", path(ed, "cursor"), path(ed, "node", "position"))
				}
			}
			if path(c, "pageInfo", "hasNextPage") != true {
				return seen, total
			}
			if after != nil && path(c, "pageInfo", "hasPreviousPage") != true {
				t.Fatalf("a later page says nothing comes before it: %v", c["pageInfo"])
			}
			after = path(c, "pageInfo", "endCursor")
		}
		t.Fatal("paging did not end")
		return nil, 0
	}
	seen, total := walk(`query($after: Position) { events(first: 2, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id position } } } }`, "events")
	if len(seen) < 3 || float64(len(seen)) != total || len(unique(seen)) != len(seen) {
		t.Fatalf("events: %d seen (%d distinct), totalCount %v", len(seen), len(unique(seen)), total)
	}
	seen, total = walk(`query($after: Position) { auditTrail(task: 1, first: 2, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id position } } } }`, "auditTrail")
	if len(seen) < 3 || float64(len(seen)) != total || len(unique(seen)) != len(seen) {
		t.Fatalf("auditTrail: %d seen (%d distinct), totalCount %v", len(seen), len(unique(seen)), total)
	}
}

func fmtPos(v any) string {
	f, _ := v.(float64)
	return strconv.FormatFloat(f, 'f', 0, 64)
}

func unique(s []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range s {
		m[x] = true
	}
	return m
}
