package main

import (
	"fmt"
	"io"
	"strings"

	"taskledger/planparse"
)

// maxWarningsShown bounds the warnings listed under each kind; the count
// always covers them all.
const maxWarningsShown = 8

// writeWarnings prints a parse's warnings grouped by kind with their
// counts, Chinese first: a heading per kind, then its warnings by line,
// each in Chinese and then in English.
func writeWarnings(w io.Writer, ws []planparse.Warning) {
	if len(ws) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "警告 %d 条 (%d warnings)\n", len(ws), len(ws))
	for _, g := range planparse.GroupWarnings(ws) {
		fmt.Fprintf(&b, "  %s：%d 条 (%s; %s)\n", g.ZH, len(g.Warnings), g.EN, g.Code)
		for i, wn := range g.Warnings {
			if i == maxWarningsShown {
				fmt.Fprintf(&b, "    … 另有 %d 条 (%d more)\n", len(g.Warnings)-i, len(g.Warnings)-i)
				break
			}
			fmt.Fprintf(&b, "    %s\n", warningDetail(wn))
		}
	}
	_, _ = io.WriteString(w, b.String())
}

// warningDetail is one warning's line: where it is, then its detail in
// Chinese with the English after it in brackets, or only the English when
// the warning carries no Chinese.
func warningDetail(wn planparse.Warning) string {
	where := ""
	if wn.Line > 0 {
		where = fmt.Sprintf("第 %d 行 ", wn.Line)
	}
	if wn.MessageZH == "" {
		return where + wn.Message
	}
	return fmt.Sprintf("%s%s (%s)", where, wn.MessageZH, wn.Message)
}
