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
		importPlan(text: $text, planId: "baotou", registry: $reg, idempotencyKey: $key) { position summary } }`
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
