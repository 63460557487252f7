package graphql

import (
	"context"
	"strings"
	"testing"
)

// partialPlan has a numbered item after the signature and date, which the
// parser cannot place in any task.
const partialPlan = `某市试点工作实施方案
一、重点任务
（一）建设示范基地。2025年底前建成示范基地10个。（市农牧局牵头，市财政局配合）
（二）完善补贴政策。（市财政局负责）
某市人民政府
2024年3月1日
1.遗漏的任务。加强督查。（市农牧局负责）
`

// importPlan refuses a text with an unreadable numbered item, naming it in
// Chinese and English and recording nothing; allowPartial records the rest
// and the summary counts the warnings by kind, Chinese first.
func TestImportPlanRefusesUnreadItems(t *testing.T) {
	e := newEnv(t, envOptions{empty: true})
	const q = `mutation($text: String!, $key: String!, $partial: Boolean) {
		importPlan(input: {text: $text, planId: "pilot", idempotencyKey: $key, allowPartial: $partial}) { userErrors { code field message messageEn } position summary } }`
	before, _ := e.store.Head(context.Background())
	r := e.post("coordinator", q, map[string]any{"text": partialPlan, "key": "k1"})
	if r.code() != string(CodeInvalidArgument) || !strings.Contains(r.Raw, "遗漏的任务") || !strings.Contains(r.Raw, "第 7 行") {
		t.Fatalf("unread item: %s", r.Raw)
	}
	if after, _ := e.store.Head(context.Background()); after != before {
		t.Fatalf("a refused import recorded %d events", after-before)
	}
	data := e.ok("coordinator", q, map[string]any{"text": partialPlan, "key": "k2", "partial": true})
	summary, _ := path(data, "importPlan", "summary").(string)
	if !strings.Contains(summary, "TaskRegistered 2") || !strings.Contains(summary, "编号条目未能读取，不属于任何任务 1 条") {
		t.Errorf("summary %q", summary)
	}
}

// A unit that two brackets of a task name in the same role holds two
// duties, read back with their parts, each with its own bracket's text.
func TestDutyPartsThroughTheAPI(t *testing.T) {
	e := newEnv(t, envOptions{empty: true})
	text := "某市工作方案\n一、重点任务\n（一）甲任务。建设平台。（市商务局负责）完善制度。（市财政局牵头，市商务局配合）推广应用。（市商务局负责）\n"
	e.ok("coordinator", `mutation($text: String!) { importPlan(input: {text: $text, planId: "p", idempotencyKey: "k"}) { userErrors { code field message messageEn } position } }`,
		map[string]any{"text": text})
	head, _ := e.store.Head(context.Background())
	if err := e.runner.WaitFor(context.Background(), head); err != nil {
		t.Fatal(err)
	}
	data := e.ok("coordinator", `{ obligations { nodes { id role part basis } } }`, nil)
	items, _ := path(data, "obligations", "nodes").([]any)
	byPart := map[float64]string{}
	for _, o := range items {
		if path(o, "role") != "JOINT" {
			continue
		}
		part, _ := path(o, "part").(float64)
		basis, _ := path(o, "basis").(string)
		id, _ := path(o, "id").(string)
		if part == 3 && !strings.HasSuffix(id, "-joint-part3") {
			t.Errorf("part 3 has id %s", id)
		}
		byPart[part] = basis
	}
	if len(byPart) != 2 || !strings.Contains(byPart[0], "建设平台") || strings.Contains(byPart[0], "推广应用") ||
		!strings.Contains(byPart[3], "推广应用") || strings.Contains(byPart[3], "建设平台") {
		t.Fatalf("JOINT duties by part: %v", byPart)
	}
}
