package app

import (
	"fmt"
	"strings"

	"taskledger/internal/msg"
	"taskledger/planparse"
)

// partialError explains, in Chinese and English, why an import that would
// leave part of the plan out was refused: the numbered items the parser
// could not read, by line, or the tasks the ledger could not hold apart.
func partialError(plan *planparse.Plan, err error) *Error {
	var items []string
	for _, w := range plan.Warnings {
		if w.Code == planparse.WarnUnreadItem {
			items = append(items, fmt.Sprintf("第 %d 行“%s”", w.Line, w.Text))
		}
	}
	if len(items) == 0 {
		return fail(msg.ImportTasksUnstorable, msg.Args{"Count": len(plan.Tasks), "Reason": err.Error()})
	}
	return fail(msg.ImportUnreadItems, msg.Args{"Count": len(items), "Items": strings.Join(items, "; "), "ItemsZH": strings.Join(items, "；")})
}

// warningsSummary counts an import's parser warnings by kind, Chinese
// first, for the import's summary: "；警告 5 条：名录中没有的单位，已作为新单位登记
// 3 条（unit not in the registry, registered as new）；…". Empty when there
// are none.
func warningsSummary(ws []planparse.Warning) string {
	if len(ws) == 0 {
		return ""
	}
	groups := planparse.GroupWarnings(ws)
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = fmt.Sprintf("%s %d 条（%s）", g.ZH, len(g.Warnings), g.EN)
	}
	return fmt.Sprintf("；警告 %d 条 (%d warnings)：%s", len(ws), len(ws), strings.Join(parts, "；"))
}
