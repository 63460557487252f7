package graphql

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/ledgertest"
)

// supportB is county.b's SUPPORT duty on task 1, which bureau.eco leads.
var supportB = ledgertest.Obligation("p", 1, "county.b", domain.RoleSupport)

// withSupporter gives task 1 a supporter, county.b, that has reported
// once, and waits for the read models.
func withSupporter(e *env) {
	e.builder.Do(domain.AssignResponsibility{ObligationKey: supportB, Basis: "配合"}, "office")
	e.builder.Do(domain.ReportProgress{ObligationKey: supportB, ActingUnit: "county.b", Percent: 30}, "county.b")
	e.caughtUp()
}

const (
	sendBackB = `mutation($key: String!) { sendBack(input: {obligation: {task: 1, unit: "county.b", role: SUPPORT}, target: REPORT, reasons: "数据口径不一致", idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } events { type actor } } }`
	commentB  = `mutation($key: String!) { postComment(input: {obligation: {task: 1, unit: "county.b", role: SUPPORT}, text: "请补充佐证", idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } events { type } } }`
	signOffB  = `mutation($key: String!) { signOffPart(input: {obligation: {task: 1, unit: "county.b", role: SUPPORT}, note: "同意", idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } events { type } } }`
	ledQuery  = `{ ledDuties { nodes { unit role status needsSignOff } } }`
)

// TestReviewRoleMatrix walks the review mutations and ledDuties for every
// role, each on a fresh ledger: allowed roles succeed, a unit that does
// not lead the task gets NOT_LEAD, other refused roles FORBIDDEN, a
// request without a token 401; a refusal records nothing.
func TestReviewRoleMatrix(t *testing.T) {
	cases := []struct {
		name    string
		query   string
		allowed []string
		// refused gives a role's code when it is not FORBIDDEN.
		refused map[string]Code
	}{
		{"sendBack", sendBackB, []string{"coordinator", "bureau", "inspector"}, map[string]Code{"county": Code(app.NotLead)}},
		{"postComment", commentB, []string{"coordinator", "bureau", "inspector", "committee"}, map[string]Code{"county": Code(app.NotLead)}},
		{"signOffPart", signOffB, []string{"bureau"}, map[string]Code{"county": Code(app.NotLead)}},
		{"ledDuties", ledQuery, []string{"bureau", "county"}, map[string]Code{
			"coordinator": CodeInvalidArgument, "inspector": CodeInvalidArgument, "committee": CodeInvalidArgument, // must name a unit
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, role := range roleNames {
				e := newEnv(t, envOptions{})
				withSupporter(e)
				head, _ := e.store.Head(context.Background())
				r := e.post(role, c.query, map[string]any{"key": "k"})
				after, _ := e.store.Head(context.Background())
				allowed := strings.Contains(" "+strings.Join(c.allowed, " ")+" ", " "+role+" ")
				switch {
				case allowed:
					if r.Status != http.StatusOK || len(r.Errors) > 0 {
						t.Errorf("%s: allowed but got %d %s", roleLabel(role), r.Status, r.Raw)
					}
				case role == "":
					if r.Status != http.StatusUnauthorized {
						t.Errorf("public: want 401, got %d %s", r.Status, r.Raw)
					}
				default:
					want := CodeForbidden
					if code, ok := c.refused[role]; ok {
						want = code
					}
					if r.code() != string(want) {
						t.Errorf("%s: want %s, got %d %s", role, want, r.Status, r.Raw)
					}
				}
				if !allowed && after != head {
					t.Errorf("%s: refused %s recorded events", roleLabel(role), c.name)
				}
			}
		})
	}
}

func TestSendBackResubmitAndSignOff(t *testing.T) {
	e := newEnv(t, envOptions{})
	withSupporter(e)
	d := e.ok("bureau", sendBackB, map[string]any{"key": "b1"})
	if path(d, "sendBack", "events", 0, "type") != "WorkSentBack" {
		t.Fatalf("sendBack: %v", d)
	}
	const obl = `{ obligations(unit: "county.b", task: 1) { nodes { role status sentBack { target report reasons byUnitName resubmittedAt } reportHistory { returnedAt } signOff { byUnitName } needsSignOff } } }`
	it := supporting(e.ok("inspector", obl, nil))
	if path(it, "status") != "SENT_BACK" || path(it, "sentBack", "byUnitName") != "生态环境局" || path(it, "sentBack", "report") != float64(1) ||
		path(it, "reportHistory", 0, "returnedAt") == nil || path(it, "needsSignOff") != true {
		t.Fatalf("after send-back: %v", it)
	}

	// The county cannot send back its own work; nothing sent back twice.
	r := e.post("county.b", sendBackB, map[string]any{"key": "b2"})
	if r.code() != string(app.OwnWork) {
		t.Fatalf("own work: %s", r.Raw)
	}
	if r := e.post("bureau", sendBackB, map[string]any{"key": "b3"}); r.code() != string(CodeConflict) {
		t.Fatalf("twice: %s", r.Raw)
	}
	// Reasons are required.
	r = e.post("bureau", `mutation { sendBack(input: {obligation: {task: 1, unit: "county.b", role: SUPPORT}, target: REPORT, reasons: "  ", idempotencyKey: "b4"}) { userErrors { code field message messageEn } position } }`, nil)
	if r.code() != string(CodeInvalidArgument) || !strings.Contains(r.Raw, "reasons") {
		t.Fatalf("empty reasons: %s", r.Raw)
	}

	// The lead's claim waits for the sign-off, naming the supporter.
	claim := `mutation($key: String!) { claimCompletion(input: {obligation: {task: 1, role: LEAD}, evidence: "完成", idempotencyKey: $key, wait: true}) { userErrors { code field message messageEn } events { type } } }`
	r = e.post("bureau", claim, map[string]any{"key": "c1"})
	if zh := r.msgZH(); r.code() != string(app.SignOffPending) || !strings.Contains(r.msg(), "乙县") || !strings.Contains(zh, "配合单位乙县的工作尚未签收") {
		t.Fatalf("claim before sign-off: %s", r.Raw)
	}
	if r := e.post("bureau", signOffB, map[string]any{"key": "s1"}); r.code() != string(CodeConflict) {
		t.Fatalf("sign-off while sent back: %s", r.Raw)
	}
	e.ok("county.b", `mutation { reportProgress(input: {obligation: {task: 1, role: SUPPORT}, percent: 40, idempotencyKey: "r2", wait: true}) { userErrors { code field message messageEn } position } }`, nil)
	e.ok("bureau", signOffB, map[string]any{"key": "s2"})
	it = supporting(e.ok("inspector", obl, nil))
	if path(it, "status") == "SENT_BACK" || path(it, "signOff", "byUnitName") != "生态环境局" {
		t.Fatalf("after resubmission and sign-off: %v", it)
	}
	e.ok("bureau", claim, map[string]any{"key": "c2"})
}

// supporting picks the SUPPORT duty from an obligations page.
func supporting(d map[string]any) any {
	items, _ := path(d, "obligations", "nodes").([]any)
	for _, it := range items {
		if path(it, "role") == "SUPPORT" {
			return it
		}
	}
	return nil
}

func TestCommentThreadAndLedDuties(t *testing.T) {
	e := newEnv(t, envOptions{})
	withSupporter(e)
	e.ok("county.b", commentB, map[string]any{"key": "c1"})
	e.ok("bureau", `mutation { postComment(input: {obligation: {task: 1, unit: "county.b", role: SUPPORT}, text: "收到", replyTo: 1, idempotencyKey: "c2", wait: true}) { userErrors { code field message messageEn } position } }`, nil)
	if r := e.post("bureau", `mutation { postComment(input: {obligation: {task: 1, unit: "county.b", role: SUPPORT}, text: "", idempotencyKey: "c3"}) { userErrors { code field message messageEn } position } }`, nil); r.code() != string(CodeInvalidArgument) {
		t.Fatalf("empty comment: %s", r.Raw)
	}
	long := strings.Repeat("长", domain.MaxCommentLen+1)
	if r := e.post("bureau", `mutation($t: String!) { postComment(input: {obligation: {task: 1, unit: "county.b", role: SUPPORT}, text: $t, idempotencyKey: "c4"}) { userErrors { code field message messageEn } position } }`, map[string]any{"t": long}); r.code() != string(CodeInvalidArgument) {
		t.Fatalf("oversize comment: %s", r.Raw)
	}
	d := e.ok("bureau", `{ ledDuties { nodes { unit role comments { number text replyTo byUnitName } } } }`, nil)
	var found bool
	for _, it := range path(d, "ledDuties", "nodes").([]any) {
		if path(it, "unit") == "county.b" && path(it, "role") == "SUPPORT" {
			found = true
			if path(it, "comments", 1, "replyTo") != float64(1) || path(it, "comments", 1, "byUnitName") != "生态环境局" || path(it, "comments", 0, "text") != "请补充佐证" {
				t.Fatalf("thread: %v", it)
			}
		}
		if path(it, "unit") == "bureau.eco" {
			t.Fatalf("the lead's own duty is listed: %v", it)
		}
	}
	if !found {
		t.Fatalf("ledDuties misses the supporter: %v", d)
	}
}

// TestDocsPrintTheReviewMatrix checks the rows of docs/graphql.md's role
// table for the review operations against app.Allowed.
func TestDocsPrintTheReviewMatrix(t *testing.T) {
	b, err := os.ReadFile("../docs/graphql.md")
	if err != nil {
		t.Fatal(err)
	}
	columns := [][]auth.Role{{auth.Coordinator}, {auth.Bureau, auth.County}, {auth.Inspector}, {auth.Committee}}
	rows := map[string]app.Action{"`sendBack`": app.SendBackWork, "`postComment`": app.CommentOn, "`signOffPart`": app.SignOffParts, "`ledDuties`": app.ReadLedDuties}
	for name, action := range rows {
		m := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(name) + ` \|(.*)\|$`).FindStringSubmatch(string(b))
		if m == nil {
			t.Errorf("docs/graphql.md has no role row for %s", name)
			continue
		}
		cells := strings.Split(m[1], "|")
		if len(cells) != 5 {
			t.Errorf("%s: %d cells", name, len(cells))
			continue
		}
		for i, roles := range columns {
			cell := strings.TrimSpace(cells[i])
			if got, want := cell != "", app.Allowed(action, roles[0]); got != want {
				t.Errorf("%s, %s: docs say %q, app.Allowed says %v", name, roles[0], cell, want)
			}
		}
		if public := strings.TrimSpace(cells[4]); public != "401" {
			t.Errorf("%s, public: docs say %q, want 401", name, public)
		}
	}
}
