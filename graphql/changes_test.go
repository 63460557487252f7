package graphql

import (
	"testing"
	"time"

	"taskledger/internal/ledgertest"
)

func TestPlanChangeMutations(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.clock.set(ledgertest.Shanghai(2025, time.April, 1, 9))
	d := e.ok("coordinator", `mutation { rescheduleMilestone(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, milestone: "m1", due: "2025-08-31", reason: "方案修订", idempotencyKey: "r", wait: true}) { userErrors { code field message messageEn } events { type payload } } }`, nil)
	if path(d, "rescheduleMilestone", "events", 0, "type") != "MilestoneRescheduled" {
		t.Fatalf("reschedule: %v", d)
	}
	if r := e.post("county", `mutation { rescheduleMilestone(input: {obligation: {task: 1, role: IMPLEMENTING}, milestone: "m1", due: "2025-08-31", reason: "x", idempotencyKey: "c"}) { userErrors { code field message messageEn } position } }`, nil); r.code() != string(CodeForbidden) {
		t.Fatalf("a county rescheduled: %s", r.Raw)
	}
	if r := e.post("coordinator", `mutation { rescheduleMilestone(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, milestone: "m1", due: "2025-09-30", reason: "", idempotencyKey: "e"}) { userErrors { code field message messageEn } position } }`, nil); r.code() != "INVALID_ARGUMENT" {
		t.Fatalf("an empty reason: %s", r.Raw)
	}
	e.ok("coordinator", `mutation { scheduleMilestone(input: {obligation: {task: 2, unit: "bureau.eco", role: SUPPORT}, milestone: "m2", what: "联网", due: "2025-10-31", idempotencyKey: "s"}) { userErrors { code field message messageEn } position } }`, nil)
	d = e.ok("coordinator", `mutation { reassignResponsibility(input: {obligation: {task: 2, unit: "bureau.eco", role: SUPPORT}, toUnit: "甲县", reason: "属地负责", idempotencyKey: "a", wait: true}) { userErrors { code field message messageEn } events { type } } }`, nil)
	if n := len(path(d, "reassignResponsibility", "events").([]any)); n != 4 {
		t.Fatalf("reassignment recorded %d events, want assigned, two milestones, reassigned: %v", n, d)
	}
	e.ok("coordinator", `mutation { renameUnit(input: {unit: "county.b", name: "乙市", reason: "撤县设市", idempotencyKey: "n", wait: true}) { userErrors { code field message messageEn } position } }`, nil)
	if r := e.post("coordinator", `mutation { mergeUnits(input: {unit: "乙市", into: "county.b", idempotencyKey: "m0"}) { userErrors { code field message messageEn } position } }`, nil); r.code() != "INVALID_ARGUMENT" {
		t.Fatalf("merge into itself: %s", r.Raw)
	}
	if r := e.post("coordinator", `mutation { splitUnit(input: {unit: "乙市", into: [{unit: "county.c", name: "丙县"}], heir: "丙县", idempotencyKey: "s0"}) { userErrors { code field message messageEn } position } }`, nil); r.code() != "INVALID_ARGUMENT" {
		t.Fatalf("a split into one unit: %s", r.Raw)
	}
	d = e.ok("coordinator", `mutation { mergeUnits(input: {unit: "乙市", into: "甲县", reason: "区划调整", idempotencyKey: "m", wait: true}) { userErrors { code field message messageEn } events { type } summary } }`, nil)
	if path(d, "mergeUnits", "events", 0, "type") != "UnitMerged" {
		t.Fatalf("merge: %v", d)
	}
}

func TestIssueBulletinAndList(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.clock.set(ledgertest.Shanghai(2025, time.July, 2, 9))
	q := `mutation { issueBulletin(input: {period: "2025-06", idempotencyKey: "b", wait: true}) { userErrors { code field message messageEn } result { duplicate } bulletin { number numberText periodText pdfPath digest } counts { duties overdue } } }`
	d := e.ok("coordinator", q, nil)
	b := path(d, "issueBulletin", "bulletin").(map[string]any)
	if b["numberText"] != "2025年第1期" || b["periodText"] != "2025年6月" || b["pdfPath"] != "/bulletin/p/2025-1.pdf" || len(b["digest"].(string)) != 64 {
		t.Fatalf("bulletin: %v", b)
	}
	if path(d, "issueBulletin", "counts", "overdue") != float64(3) {
		t.Fatalf("counts: %v", path(d, "issueBulletin", "counts"))
	}
	again := e.ok("coordinator", q, nil)
	if path(again, "issueBulletin", "result", "duplicate") != true || path(again, "issueBulletin", "bulletin", "digest") != b["digest"] {
		t.Fatalf("the same request again: %v", again)
	}
	if r := e.post("coordinator", `mutation { issueBulletin(input: {period: "2025-6", idempotencyKey: "bad"}) { userErrors { code field message messageEn } counts { duties } } }`, nil); r.code() != "INVALID_ARGUMENT" {
		t.Fatalf("a bad period: %s", r.Raw)
	}
	if r := e.post("committee", `mutation { issueBulletin(input: {period: "2025-05", idempotencyKey: "c"}) { userErrors { code field message messageEn } counts { duties } } }`, nil); r.code() != string(CodeForbidden) {
		t.Fatalf("the committee issued: %s", r.Raw)
	}
	list := e.ok("county", `{ bulletins { nodes { number period asOfPosition fileName } } }`, nil)
	if items := path(list, "bulletins", "nodes").([]any); len(items) != 1 || path(items[0], "fileName") != "通报-2025年第1期-2025年6月.pdf" {
		t.Fatalf("bulletins: %v", list)
	}
}

func TestSplitUnitMutation(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.clock.set(ledgertest.Shanghai(2025, time.April, 1, 9))
	d := e.ok("coordinator", `mutation { splitUnit(input: {unit: "county.b", into: [{unit: "county.b1", name: "乙东县"}, {unit: "county.b2", name: "乙西县"}], heir: "乙东县", reason: "区划调整", idempotencyKey: "s", wait: true}) { userErrors { code field message messageEn } events { type } } }`, nil)
	events := path(d, "splitUnit", "events").([]any)
	if last := path(events[len(events)-1], "type"); last != "UnitSplit" {
		t.Fatalf("split recorded %v", events)
	}
	if r := e.post("county", `mutation { splitUnit(input: {unit: "county.a", into: [{unit: "county.b1"}, {unit: "county.b2"}], heir: "county.b1", idempotencyKey: "x"}) { userErrors { code field message messageEn } position } }`, nil); r.code() != string(CodeForbidden) {
		t.Fatalf("a county split a unit: %s", r.Raw)
	}
}
