package graphql

import (
	"context"
	"os"
	"testing"
)

// importPlan takes a unit registry; one that does not load is refused as
// INVALID_ARGUMENT and nothing is recorded; one of the plan's jurisdiction
// names its units.
func TestImportPlanRegistry(t *testing.T) {
	e := newEnv(t, envOptions{empty: true})
	plan, err := os.ReadFile("../planparse/testdata/baotou_szzf_kaoping_2022.txt")
	if err != nil {
		t.Fatal(err)
	}
	const q = `mutation($text: String!, $reg: String, $key: String!) {
		importPlan(input: {text: $text, planId: "baotou", registry: $reg, idempotencyKey: $key}) { userErrors { code field message messageEn } position summary } }`
	before, _ := e.store.Head(context.Background())
	r := e.post("coordinator", q, map[string]any{"text": string(plan), "reg": `{"units": [{"id": "x", "name": "局", "kind": "police"}]}`, "key": "k1"})
	if r.code() != string(CodeInvalidArgument) {
		t.Fatalf("bad registry: %s", r.Raw)
	}
	if after, _ := e.store.Head(context.Background()); after != before {
		t.Fatalf("a refused import recorded %d events", after-before)
	}
	reg := `{"jurisdiction": "包头市", "units": [{"id": "baotou.approval", "name": "审批服务局", "kind": "bureau", "aliases": ["市审批服务局"]}]}`
	e.ok("coordinator", q, map[string]any{"text": string(plan), "reg": reg, "key": "k2"})
	head, _ := e.store.Head(context.Background())
	if err := e.runner.WaitFor(context.Background(), head); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.runner.Views().Catalog.Unit("baotou.approval"); !ok {
		t.Error("the registry's unit was not recorded")
	}
}

// A collective duty-holder and the jurisdictions read back through the API.
func TestCollectiveUnitAndJurisdictionRead(t *testing.T) {
	e := newEnv(t, envOptions{empty: true})
	text := "广州市某某实施方案\n一、重点任务\n（一）甲任务。2025年底前完成。（牵头单位：市商务局，配合单位：各区、县级市）\n"
	e.ok("coordinator", `mutation($text: String!) { importPlan(input: {text: $text, planId: "gz", idempotencyKey: "k"}) { userErrors { code field message messageEn } position } }`,
		map[string]any{"text": text})
	head, _ := e.store.Head(context.Background())
	if err := e.runner.WaitFor(context.Background(), head); err != nil {
		t.Fatal(err)
	}
	data := e.ok("coordinator", `{ plan(id: "gz") { jurisdiction } units(kind: COLLECTIVE) { nodes { name kind jurisdiction } } }`, nil)
	if j := path(data, "plan", "jurisdiction"); j != "广州市" {
		t.Errorf("plan jurisdiction %v", j)
	}
	units, _ := path(data, "units", "nodes").([]any)
	if len(units) != 1 || path(units[0], "name") != "各区、县级市" || path(units[0], "kind") != "COLLECTIVE" || path(units[0], "jurisdiction") != "广州市" {
		t.Errorf("collective units %v", units)
	}
}
