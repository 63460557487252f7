package graphql

import (
	"context"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"taskledger/domain"
	"taskledger/internal/ledgertest"
	"taskledger/projections/scoring"
)

// roleNames are the principals the matrix walks: one token per role and
// "" for a request without one.
var roleNames = []string{"coordinator", "bureau", "county", "inspector", "committee", ""}

func roleLabel(r string) string {
	if r == "" {
		return "public"
	}
	return r
}

// matrixCase is one mutation or sensitive query and the roles allowed it.
type matrixCase struct {
	name  string
	query string
	// vars gives the variables for a role (bureau and county act on their
	// own obligations).
	vars func(role string) map[string]any
	// setup puts the ledger in the state the operation needs.
	setup   func(e *env)
	allowed []string
	// mutation marks operations whose refusal must record nothing.
	mutation bool
	// check inspects an allowed role's response.
	check func(t *testing.T, role string, data map[string]any)
}

// own returns the obligation a bureau or county token holds in the small
// plan, and county.a's for other roles.
func own(role string, task int) map[string]any {
	switch role {
	case "bureau":
		return map[string]any{"task": task, "role": "LEAD"}
	case "county":
		return map[string]any{"task": task, "role": "IMPLEMENTING"}
	}
	return map[string]any{"task": task, "unit": "county.a", "role": "IMPLEMENTING"}
}

func fixed(v map[string]any) func(string) map[string]any {
	return func(string) map[string]any { return v }
}

// countyA is county.a's obligation on task 1.
var countyA = ledgertest.Obligation("p", 1, "county.a", domain.RoleImplementing)

func matrixCases(t *testing.T) []matrixCase {
	plan, err := os.ReadFile("../examples/chifeng-air-quality-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	key := func(role string) string { return "k-" + roleLabel(role) }
	return append([]matrixCase{
		{
			name:     "importPlan",
			query:    `mutation($text: String!, $key: String!) { importPlan(input: {text: $text, planId: "chifeng-air", idempotencyKey: $key}) { userErrors { code field message messageEn } position summary } }`,
			vars:     func(r string) map[string]any { return map[string]any{"text": string(plan), "key": key(r)} },
			allowed:  []string{"coordinator"},
			mutation: true,
		},
		{
			name:     "assignResponsibility",
			query:    `mutation($key: String!) { assignResponsibility(input: {obligation: {task: 2, unit: "county.a", role: IMPLEMENTING}, basis: "各旗县区人民政府落实", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"key": key(r)} },
			allowed:  []string{"coordinator"},
			mutation: true,
		},
		{
			name:     "withdrawResponsibility",
			query:    `mutation($key: String!) { withdrawResponsibility(input: {obligation: {task: 2, unit: "bureau.eco", role: SUPPORT}, reason: "调整", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"key": key(r)} },
			allowed:  []string{"coordinator"},
			mutation: true,
		},
		{
			name:     "reportProgress",
			query:    `mutation($o: ObligationInput!, $key: String!) { reportProgress(input: {obligation: $o, percent: 40, note: "进展", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type actor } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"o": own(r, 1), "key": key(r)} },
			allowed:  []string{"bureau", "county"},
			mutation: true,
		},
		{
			name:     "reportProgress on another unit's duty",
			query:    `mutation($key: String!) { reportProgress(input: {obligation: {task: 1, unit: "county.b", role: IMPLEMENTING}, percent: 40, idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"key": key(r)} },
			allowed:  nil,
			mutation: true,
		},
		{
			name:     "requestExtension",
			query:    `mutation($o: ObligationInput!, $key: String!) { requestExtension(input: {obligation: $o, milestone: "m1", due: "2025-09-30", reason: "资金未到位", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"o": own(r, 1), "key": key(r)} },
			allowed:  []string{"bureau", "county"},
			mutation: true,
		},
		{
			name:  "decideExtension",
			query: `mutation($key: String!) { decideExtension(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, grant: true, note: "同意", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:  func(r string) map[string]any { return map[string]any{"key": key(r)} },
			setup: func(e *env) {
				e.builder.Do(domain.RequestExtension{ObligationKey: countyA, ActingUnit: "county.a", Milestone: "m1", Due: ledgertest.Date(2025, 9, 30), Reason: "资金未到位"}, "county")
			},
			allowed:  []string{"coordinator"},
			mutation: true,
		},
		{
			name:     "claimCompletion",
			query:    `mutation($o: ObligationInput!, $key: String!) { claimCompletion(input: {obligation: $o, milestone: "m1", evidence: "验收报告", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"o": own(r, 1), "key": key(r)} },
			allowed:  []string{"bureau", "county"},
			mutation: true,
		},
		{
			name:  "verifyCompletion",
			query: `mutation($key: String!) { verifyCompletion(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, milestone: "m1", note: "属实", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:  func(r string) map[string]any { return map[string]any{"key": key(r)} },
			setup: func(e *env) {
				e.builder.Do(domain.ClaimCompletion{ObligationKey: countyA, ActingUnit: "county.a", Milestone: "m1"}, "county")
			},
			allowed:  []string{"inspector"},
			mutation: true,
		},
		{
			name:  "rejectCompletion",
			query: `mutation($key: String!) { rejectCompletion(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, milestone: "m1", reason: "材料不全", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:  func(r string) map[string]any { return map[string]any{"key": key(r)} },
			setup: func(e *env) {
				e.builder.Do(domain.ClaimCompletion{ObligationKey: countyA, ActingUnit: "county.a", Milestone: "m1"}, "county")
			},
			allowed:  []string{"inspector"},
			mutation: true,
		},
		{
			name:     "recordFinding",
			query:    `mutation($key: String!) { recordFinding(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, kind: FALSE_REPORT, severity: MAJOR, summary: "虚报进度", rectifyBy: "2025-06-30", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"key": key(r)} },
			allowed:  []string{"inspector"},
			mutation: true,
		},
		{
			name:     "recordIndicator",
			query:    `mutation($key: String!) { recordIndicator(input: {unit: "county.a", metric: PM25, period: "2025-02", value: 31.5, validDays: 28, source: "月报", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"key": key(r)} },
			allowed:  []string{"coordinator"},
			mutation: true,
		},
		{
			name:     "adoptScheme",
			query:    `mutation($key: String!) { adoptScheme(input: {year: 2025, idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"key": key(r)} },
			allowed:  []string{"committee"},
			mutation: true,
		},
		{
			name:  "publishScorecard",
			query: `mutation($key: String!) { publishScorecard(input: {year: 2025, kind: BUREAU, scheme: "default", schemeVersion: 3, idempotencyKey: $key}) { userErrors { code field message messageEn } events { type payload } } }`,
			vars:  func(r string) map[string]any { return map[string]any{"key": key(r)} },
			setup: func(e *env) {
				s := scoring.Default()
				e.builder.Do(domain.AdoptScheme{Plan: "p", Scheme: s.ID, Version: s.Version, Year: 2025, Document: s.Canonical()}, "committee")
			},
			allowed:  []string{"committee"},
			mutation: true,
		},
		// Queries.
		{name: "ledger", query: `{ ledger { mode head notice } }`, vars: fixed(nil), allowed: roleNames},
		{name: "me", query: `{ me { role name unitId actor } }`, vars: fixed(nil), allowed: roleNames},
		{name: "publishedScorecards", query: `{ publishedScorecards { nodes { digest } } }`, vars: fixed(nil), allowed: roleNames},
		{name: "plan", query: `{ plan { id title tasks { number } } }`, vars: fixed(nil), allowed: authenticated()},
		{name: "tasks", query: `{ tasks { nodes { number title } } }`, vars: fixed(nil), allowed: authenticated()},
		{name: "task", query: `{ task(number: 1) { title obligations { unit } } }`, vars: fixed(nil), allowed: authenticated(),
			check: func(t *testing.T, role string, data map[string]any) {
				units := path(data, "task", "obligations").([]any)
				wantOwn(t, role, units, "unit")
			}},
		{name: "units", query: `{ units { nodes { id name } } }`, vars: fixed(nil), allowed: authenticated()},
		{name: "unit", query: `{ unit(id: "甲县") { id } }`, vars: fixed(nil), allowed: authenticated()},
		{name: "obligations", query: `{ obligations { totalCount nodes { unit } } }`, vars: fixed(nil), allowed: authenticated(),
			check: func(t *testing.T, role string, data map[string]any) {
				wantOwn(t, role, path(data, "obligations", "nodes").([]any), "unit")
			}},
		{name: "obligations of another unit", query: `{ obligations(unit: "county.b") { totalCount } }`, vars: fixed(nil),
			allowed: []string{"coordinator", "inspector", "committee"}},
		{name: "scorecard", query: `{ scorecard(year: 2025, kind: COUNTY) { digest cards { unit lines { rule events { id } } } } }`, vars: fixed(nil),
			allowed: []string{"inspector", "committee"}},
		{name: "auditTrail of a task", query: `{ auditTrail(task: 1) { events { type } intact } }`, vars: fixed(nil),
			allowed: []string{"inspector"}},
		{name: "auditTrail of a unit", query: `query($u: ID) { auditTrail(unit: $u) { events { type stream } intact } }`,
			vars: func(r string) map[string]any {
				switch r {
				case "bureau":
					return map[string]any{"u": "bureau.eco"}
				case "county":
					return map[string]any{"u": "county.a"}
				}
				return map[string]any{"u": "county.a"}
			},
			allowed: []string{"bureau", "county", "inspector"}},
		{name: "auditTrail of another unit", query: `{ auditTrail(unit: "county.b") { events { type } } }`, vars: fixed(nil),
			allowed: []string{"inspector"}},
		{name: "events", query: `{ events(first: 5) { events { type hash prevHash } endPosition hasMore } }`, vars: fixed(nil),
			allowed: []string{"inspector"}},
		// Plan changes and bulletins.
		{
			name:     "rescheduleMilestone",
			query:    `mutation($key: String!) { rescheduleMilestone(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, milestone: "m1", due: "2025-09-30", reason: "方案修订", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"key": key(r)} },
			allowed:  []string{"coordinator"},
			mutation: true,
		},
		{
			name:     "renameUnit",
			query:    `mutation($key: String!) { renameUnit(input: {unit: "county.b", name: "乙市", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"key": key(r)} },
			allowed:  []string{"coordinator"},
			mutation: true,
		},
		{
			name:     "issueBulletin",
			query:    `mutation($key: String!) { issueBulletin(input: {period: "2025-02", idempotencyKey: $key}) { userErrors { code field message messageEn } bulletin { numberText } } }`,
			vars:     func(r string) map[string]any { return map[string]any{"key": key(r)} },
			allowed:  []string{"coordinator"},
			mutation: true,
		},
		{name: "bulletins", query: `{ bulletins { nodes { numberText } } }`, vars: fixed(nil), allowed: authenticated()},
	}, appealCases(key)...)
}

func authenticated() []string { return roleNames[:5] }

// wantOwn checks that a unit-bound role sees only its own unit's items.
func wantOwn(t *testing.T, role string, items []any, field string) {
	t.Helper()
	want := map[string]string{"bureau": "bureau.eco", "county": "county.a"}[role]
	if len(items) == 0 {
		t.Errorf("%s sees no items", roleLabel(role))
	}
	for _, it := range items {
		if u := path(it, field); want != "" && u != want {
			t.Errorf("%s sees %s's %v", role, u, it)
		}
	}
}

// TestRoleMatrix walks every mutation and sensitive query for every role:
// allowed roles succeed, authenticated refused roles get FORBIDDEN, a
// request without a token gets 401 UNAUTHENTICATED, and a refused mutation
// records nothing.
func TestRoleMatrix(t *testing.T) {
	for _, c := range matrixCases(t) {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			if c.setup != nil {
				c.setup(e)
			}
			allowed := map[string]bool{}
			for _, r := range c.allowed {
				allowed[r] = true
			}
			// Refused roles first: they must leave the ledger as it is for
			// the allowed ones.
			order := append([]string(nil), roleNames...)
			sort.SliceStable(order, func(i, j int) bool { return !allowed[order[i]] && allowed[order[j]] })
			for _, role := range order {
				head, _ := e.store.Head(context.Background())
				r := e.post(role, c.query, c.vars(role))
				after, _ := e.store.Head(context.Background())
				switch {
				case allowed[role]:
					if r.Status != http.StatusOK || len(r.Errors) > 0 {
						t.Errorf("%s: allowed but got %d %s", roleLabel(role), r.Status, r.Raw)
						continue
					}
					if c.check != nil {
						c.check(t, role, r.Data)
					}
				case role == "":
					if r.Status != http.StatusUnauthorized || r.code() != string(CodeUnauthenticated) {
						t.Errorf("public: want 401 UNAUTHENTICATED, got %d %s", r.Status, r.Raw)
					}
				default:
					if r.code() != string(CodeForbidden) {
						t.Errorf("%s: want FORBIDDEN, got %d %s", role, r.Status, r.Raw)
					}
				}
				if c.mutation && !allowed[role] && after != head {
					t.Errorf("%s: refused %s recorded events (head %d → %d)", roleLabel(role), c.name, head, after)
				}
			}
		})
	}
}

// TestActorIsToken checks that a mutation records the token's subject.
func TestActorIsToken(t *testing.T) {
	e := newEnv(t, envOptions{})
	d := e.ok("county", `mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 10, idempotencyKey: "a"}) { userErrors { code field message messageEn } events { actor payload } } }`, nil)
	actor := path(d, "reportProgress", "events", 0, "actor").(string)
	if !strings.HasPrefix(actor, "county@county.a#") {
		t.Errorf("actor %q", actor)
	}
}
