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
		importPlan(text: $text, planId: "pilot", idempotencyKey: $key, allowPartial: $partial) { position summary } }`
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
