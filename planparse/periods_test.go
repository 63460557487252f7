package planparse

import (
	"strings"
	"testing"
)

// Half years, quarters, 年内 and parts of a month resolve to the last day
// of the period they name; counted periods ("5年内", "每季度", "前三季度")
// name no date.
func TestPeriodDeadlines(t *testing.T) {
	tests := []struct {
		text string
		year int
		due  []string // the Due dates, in order; nil: no deadline
	}{
		{"2019年上半年完成摸底排查。", 0, []string{"2019-06-30"}},
		{"2019年下半年完成摸底排查。", 0, []string{"2019-12-31"}},
		{"上半年完成摸底排查。", 2024, []string{"2024-06-30"}},
		{"第三季度完成摸底排查。", 2024, []string{"2024-09-30"}},
		{"2023年第一季度前完成摸底排查。", 0, []string{"2023-03-31"}},
		{"三季度末前完成摸底排查。", 2024, []string{"2024-09-30"}},
		{"2023年内完成摸底排查。", 0, []string{"2023-12-31"}},
		{"年内完成摸底排查。", 2022, []string{"2022-12-31"}},
		{"6月中旬前完成摸底排查。", 2022, []string{"2022-06-20"}},
		{"10月底前完成摸底排查。", 2022, []string{"2022-10-31"}},
		{"5年内培养人才100名。", 2022, nil},
		{"三年内培养人才100名。", 2022, nil},
		{"每季度报送一次进展。", 2022, nil},
		{"前三季度报送一次进展。", 2022, nil},
	}
	for _, tt := range tests {
		p := mustParse(t, plan("甲任务。"+tt.text+"（赤峰市生态环境局负责）"), Options{PlanYear: tt.year})
		var got []string
		for _, d := range p.Tasks[0].Deadlines {
			got = append(got, d.Due)
		}
		if strings.Join(got, ",") != strings.Join(tt.due, ",") {
			t.Errorf("%s (plan year %d): due %v, want %v", tt.text, tt.year, got, tt.due)
		}
	}
}
