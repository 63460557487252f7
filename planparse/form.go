package planparse

import (
	"regexp"
	"strings"
)

// Some progress pages print each work item as a form, one "key | value |"
// pair a line:
//
//	重点工作: | 135.统筹违法建设治理… |
//	牵头单位: | 市城市管理综合执法局 |
//	年度阶段性工作目标: | 第一季度:… 第二季度:… |
//	进展情况、存在问题 及下一步工作建议: |
//	已完成。… |
//
// readForms rewrites such a form into the items layout: the work-item field
// whose value is numbered becomes the item line, a unit field a label line
// ("牵头单位：…"), a deadline field "完成时限：…", a report field
// (进展情况, 完成情况) is left out (warning table-column) and any other
// field is the item's text. A key whose value is on the next line takes it
// from there.

// formLineRE is one "key: | value |" line as normalised (spaces around
// ASCII punctuation dropped): the key and the value, which may be empty.
var formLineRE = regexp.MustCompile(`^([^|:：]{1,40}?)[:：]\|(.*?)\|?$`)

// formItemRE is a numbered value: "135.统筹…".
var formItemRE = regexp.MustCompile(`^\d{1,3}[.、]\S`)

// readForms rewrites every form of lines (see above).
func readForms(lines []srcLine) ([]srcLine, []Warning) {
	var (
		out     []srcLine
		warn    []Warning
		pending string // a key whose value is on the next line
		warned  bool
	)
	for _, l := range lines {
		key, value, ok := formField(l.text)
		if !ok && pending != "" && strings.HasSuffix(l.text, "|") {
			key, value, ok = pending, strings.TrimSuffix(l.text, "|"), true
		}
		pending = ""
		if !ok {
			out = append(out, l)
			continue
		}
		value = strings.TrimSpace(value)
		if value == "" {
			pending = key
			continue
		}
		switch {
		case reportHeaderRE.MatchString(key):
			if !warned {
				warn = append(warn, Warning{Code: WarnTableColumn, Line: l.no,
					Message:   "form field " + key + " reports progress; it is not read as part of the task",
					MessageZH: "表单栏目" + quoteZH(key) + "为进展填报内容，未作为任务内容读取"})
				warned = true
			}
		case formItemRE.MatchString(value) && (taskHeaderRE.MatchString(key) || strings.Contains(key, "工作")):
			out = append(out, srcLine{no: l.no, text: value})
		case isUnitHeader(key):
			out = append(out, srcLine{no: l.no, text: key + "：" + value})
		case timeHeaderRE.MatchString(key):
			out = append(out, srcLine{no: l.no, text: "完成时限：" + value})
		default:
			out = append(out, srcLine{no: l.no, text: value})
		}
	}
	return out, warn
}

// formField reads a "key: | value |" line.
func formField(text string) (key, value string, ok bool) {
	m := formLineRE.FindStringSubmatch(text)
	if m == nil {
		return "", "", false
	}
	return strings.TrimSpace(m[1]), m[2], true
}
