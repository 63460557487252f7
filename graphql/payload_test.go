package graphql

import (
	"strings"
	"testing"
)

// A mutation answers its own payload: the changed obligation on success;
// a refused input as userErrors (Chinese and English, nothing recorded);
// a role that may not act as a top-level FORBIDDEN.
func TestMutationPayloads(t *testing.T) {
	e := newEnv(t, envOptions{})
	const q = `mutation($p: Int!, $key: String!) { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: $p, note: "n", idempotencyKey: $key, wait: true}) {
		position caughtUp obligation { id unit progress } userErrors { field code message messageEn } } }`
	d := e.ok("county", q, map[string]any{"p": 45, "key": "ok-1"})
	if path(d, "reportProgress", "obligation", "progress") != float64(45) || path(d, "reportProgress", "obligation", "unit") != "county.a" ||
		path(d, "reportProgress", "caughtUp") != true || len(path(d, "reportProgress", "userErrors").([]any)) != 0 {
		t.Fatalf("a recorded report: %v", d)
	}
	head := path(e.ok("inspector", `{ ledger { head } }`, nil), "ledger", "head")
	r := e.post("county", q, map[string]any{"p": 140, "key": "bad-1"})
	ue := r.userErrors()
	if r.Status != 200 || len(r.Errors) != 0 || len(ue) != 1 || r.code() != string(CodeInvalidArgument) ||
		path(r.Data, "reportProgress", "position") != nil || path(r.Data, "reportProgress", "obligation") != nil {
		t.Fatalf("percent 140: %s", r.Raw)
	}
	if m, en := path(ue[0], "message").(string), path(ue[0], "messageEn").(string); m == "" || en == "" || !strings.Contains(en, "140") {
		t.Errorf("the user error's wording: %q / %q", m, en)
	}
	if h := path(e.ok("inspector", `{ ledger { head } }`, nil), "ledger", "head"); h != head {
		t.Errorf("a refused report moved the log head from %v to %v", head, h)
	}
	if r := e.post("committee", q, map[string]any{"p": 10, "key": "forbidden-1"}); r.code() != string(CodeForbidden) || len(r.Errors) != 1 {
		t.Errorf("a committee report: %s", r.Raw)
	}
}
