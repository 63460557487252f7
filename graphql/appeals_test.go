package graphql

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/internal/ledgertest"
)

// findings records a finding to be rectified by 30 June 2025 on the
// bureau's LEAD duty and on county.a's IMPLEMENTING duty of task 1, and
// returns their event IDs by role ("bureau", and county.a's for the rest).
func findings(e *env) map[string]string {
	out := map[string]string{}
	for role, k := range map[string]domain.ObligationKey{
		"bureau": ledgertest.Obligation("p", 1, "bureau.eco", domain.RoleLead),
		"county": countyA,
	} {
		res := e.builder.Do(domain.RecordFinding{ObligationKey: k, Kind: domain.FindingFalseReport, Severity: domain.SeverityMajor,
			Summary: "虚报进度", RectifyBy: ledgertest.Date(2025, 6, 30)}, "inspector")
		out[role] = res.Events[0].ID.String()
	}
	return out
}

// caughtUp waits until the read models hold the whole log.
func (e *env) caughtUp() {
	e.t.Helper()
	head, err := e.store.Head(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.runner.WaitFor(context.Background(), head); err != nil {
		e.t.Fatal(err)
	}
}

// appealCases are the role-matrix rows of rectification and appeals.
func appealCases(key func(string) string) []matrixCase {
	var targets map[string]string
	withTarget := func(r string) map[string]any {
		t := targets["county"]
		if r == "bureau" {
			t = targets["bureau"]
		}
		return map[string]any{"key": key(r), "o": own(r, 1), "t": t}
	}
	withKey := func(r string) map[string]any { return map[string]any{"key": key(r), "o": own(r, 1)} }
	reported := func(e *env) {
		targets = findings(e)
		e.builder.Do(domain.CompleteRectification{ObligationKey: countyA, Finding: 1, Note: "已整改"}, "county")
	}
	return []matrixCase{
		{
			name:     "reportRectification",
			query:    `mutation($o: ObligationInput!, $key: String!) { reportRectification(input: {obligation: $o, finding: 1, note: "已整改", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     withKey,
			setup:    func(e *env) { targets = findings(e) },
			allowed:  []string{"bureau", "county"},
			mutation: true,
		},
		{
			name:     "verifyRectification",
			query:    `mutation($key: String!) { verifyRectification(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, finding: 1, idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     withKey,
			setup:    reported,
			allowed:  []string{"inspector"},
			mutation: true,
		},
		{
			name:     "rejectRectification",
			query:    `mutation($key: String!) { rejectRectification(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, finding: 1, reason: "材料不全", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     withKey,
			setup:    reported,
			allowed:  []string{"inspector"},
			mutation: true,
		},
		{
			name:     "moveRectificationDue",
			query:    `mutation($key: String!) { moveRectificationDue(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, finding: 1, due: "2025-07-31", reason: "汛期施工受限", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type payload } } }`,
			vars:     withKey,
			setup:    func(e *env) { targets = findings(e) },
			allowed:  []string{"inspector"},
			mutation: true,
		},
		{
			name:     "fileAppeal",
			query:    `mutation($o: ObligationInput!, $t: ID!, $key: String!) { fileAppeal(input: {obligation: $o, target: $t, reasons: "数据口径不同", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:     withTarget,
			setup:    func(e *env) { targets = findings(e) },
			allowed:  []string{"bureau", "county"},
			mutation: true,
		},
		{
			name:  "ruleAppeal",
			query: `mutation($key: String!) { ruleAppeal(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, appeal: 1, outcome: OVERTURNED, reasons: "经复核属实", idempotencyKey: $key}) { userErrors { code field message messageEn } events { type } } }`,
			vars:  withKey,
			setup: func(e *env) {
				targets = findings(e)
				e.builder.Do(domain.FileAppeal{ObligationKey: countyA, Target: uuid.MustParse(targets["county"]), Reasons: "r", WindowDays: 15}, "county")
			},
			allowed:  []string{"committee"},
			mutation: true,
		},
		{name: "rectifications", query: `{ rectifications { nodes { unit state } } }`, vars: fixed(nil), setup: func(e *env) { targets = findings(e); e.caughtUp() },
			allowed: authenticated(),
			check: func(t *testing.T, role string, data map[string]any) {
				wantOwn(t, role, path(data, "rectifications", "nodes").([]any), "unit")
			}},
		{name: "appeals", query: `{ appeals { nodes { unit state } } }`, vars: fixed(nil), allowed: authenticated()},
	}
}

// A unit appeals a deduction it sees on a scorecard line; the committee
// lists and overturns it; the line shows the appeal and the ruling, and
// the points follow.
func TestAppealThroughTheAPI(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.ok("inspector", `mutation { recordFinding(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, kind: FALSE_REPORT, severity: MAJOR, summary: "虚报进度", idempotencyKey: "f1", wait: true}) { userErrors { code field message messageEn } position } }`, nil)
	const card = `{ scorecard(year: 2025, kind: COUNTY, plan: "p") { cards { unit total lines { rule pointsText appealTarget eventIds appeal { number state ruling } } } } }`
	line := func() map[string]any {
		t.Helper()
		for _, c := range path(e.ok("committee", card, nil), "scorecard", "cards").([]any) {
			if path(c, "unit") != "county.a" {
				continue
			}
			for _, l := range path(c, "lines").([]any) {
				if path(l, "rule") == "county.delivery.false_report" {
					return l.(map[string]any)
				}
			}
		}
		t.Fatal("county.a has no false-report line")
		return nil
	}
	l := line()
	target, _ := l["appealTarget"].(string)
	if l["pointsText"] != "-12" || target == "" || l["appeal"] != nil {
		t.Fatalf("before the appeal: %v", l)
	}
	r := e.post("county.b", `mutation($t: ID!) { fileAppeal(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, target: $t, reasons: "r", idempotencyKey: "x"}) { userErrors { code field message messageEn } position } }`, map[string]any{"t": target})
	if r.code() != string(CodeForbidden) {
		t.Fatalf("another county appealing: %s", r.Raw)
	}
	r = e.post("county", `mutation($t: ID!) { fileAppeal(input: {obligation: {task: 1, role: IMPLEMENTING}, target: $t, reasons: "", idempotencyKey: "a0"}) { userErrors { code field message messageEn } position } }`, map[string]any{"t": target})
	if r.code() != string(CodeInvalidArgument) {
		t.Fatalf("empty reasons: %s", r.Raw)
	}
	e.ok("county", `mutation($t: ID!) { fileAppeal(input: {obligation: {task: 1, role: IMPLEMENTING}, target: $t, reasons: "数据口径不同，并非虚报", idempotencyKey: "a1", wait: true}) { userErrors { code field message messageEn } position } }`, map[string]any{"t": target})
	if l := line(); l["pointsText"] != "-12" || path(l, "appeal", "state") != "PENDING" || l["appealTarget"] != nil {
		t.Fatalf("pending: %v", l)
	}
	list := path(e.ok("committee", `{ appeals { nodes { number unit unitName state about targetKind reasons } } }`, nil), "appeals", "nodes").([]any)
	if len(list) != 1 || path(list[0], "state") != "PENDING" || path(list[0], "targetKind") != "FINDING" || !strings.Contains(path(list[0], "about").(string), "虚报进度") {
		t.Fatalf("appeals: %v", list)
	}
	r = e.post("inspector", `mutation { ruleAppeal(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, appeal: 1, outcome: OVERTURNED, reasons: "r", idempotencyKey: "r0"}) { userErrors { code field message messageEn } position } }`, nil)
	if r.code() != string(CodeForbidden) {
		t.Fatalf("an inspector ruling: %s", r.Raw)
	}
	e.ok("committee", `mutation { ruleAppeal(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, appeal: 1, outcome: OVERTURNED, reasons: "经复核不构成虚报", idempotencyKey: "r1", wait: true}) { userErrors { code field message messageEn } position } }`, nil)
	r = e.post("committee", `mutation { ruleAppeal(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, appeal: 1, outcome: UPHELD, reasons: "改判", idempotencyKey: "r2"}) { userErrors { code field message messageEn } position } }`, nil)
	if r.code() != string(CodeConflict) {
		t.Fatalf("ruling twice: %s", r.Raw)
	}
	l = line()
	if l["pointsText"] != "0" || path(l, "appeal", "state") != "OVERTURNED" || path(l, "appeal", "ruling") != "经复核不构成虚报" || len(l["eventIds"].([]any)) != 3 {
		t.Fatalf("after the overturn: %v", l)
	}
}

// A unit sees its own card, computed now, and nothing of another's; the
// committee reads every card through scorecard instead.
func TestOwnScorecard(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.ok("inspector", `mutation { recordFinding(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, kind: FALSE_REPORT, severity: MAJOR, summary: "虚报进度", idempotencyKey: "f1", wait: true}) { userErrors { code field message messageEn } position } }`, nil)
	d := e.ok("county", `{ ownScorecard(year: 2025) { unit rank totalText lines { rule pointsText appealTarget } } }`, nil)
	if path(d, "ownScorecard", "unit") != "county.a" || path(d, "ownScorecard", "rank") != float64(0) {
		t.Fatalf("own card: %v", d)
	}
	found := false
	for _, l := range path(d, "ownScorecard", "lines").([]any) {
		if path(l, "rule") == "county.delivery.false_report" && path(l, "appealTarget") != nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("the county's card lacks its appealable false-report line: %v", d)
	}
	if d := e.ok("county.b", `{ ownScorecard(year: 2025) { unit totalText } }`, nil); path(d, "ownScorecard", "unit") != "county.b" || path(d, "ownScorecard", "totalText") == path(e.ok("county", `{ ownScorecard(year: 2025) { totalText } }`, nil), "ownScorecard", "totalText") {
		t.Fatalf("county.b's own card: %v", d)
	}
	if r := e.post("committee", `{ ownScorecard(year: 2025) { unit } }`, nil); r.code() != string(CodeInvalidArgument) {
		t.Fatalf("the committee's own card: %s", r.Raw)
	}
}
