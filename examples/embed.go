// Package examples holds the plan documents shipped with taskledger. The
// Chifeng plan is embedded in the binary, so that `taskledger demo` and
// `taskledger serve --demo` work from any directory and after `go install`.
package examples

import (
	"bytes"
	_ "embed"
)

// ChifengPlanFile is the bundled Chifeng plan's file name in this folder.
const ChifengPlanFile = "chifeng-air-quality-plan.txt"

//go:embed chifeng-air-quality-plan.txt
var chifengPlan []byte

// ChifengPlan returns the text of 赤峰市空气质量持续改善行动实施方案 (UTF-8),
// a copy the caller may keep or change.
func ChifengPlan() []byte { return bytes.Clone(chifengPlan) }
