package app

import (
	"fmt"
	"strings"

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
		return errorf(InvalidArgument, err.Error(),
			fmt.Sprintf("方案解析出 %d 项任务，但账本无法逐项分开存入，本次未导入任何内容（%v）", len(plan.Tasks), err))
	}
	return errorf(InvalidArgument, err.Error(), fmt.Sprintf(
		"方案中有 %d 个编号条目无法读取，本次未导入任何内容：%s。请修改文本后重新导入，或允许部分导入（--allow-partial / allowPartial）",
		len(items), strings.Join(items, "；")))
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
