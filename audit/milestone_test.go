package audit

import (
	"strings"
	"testing"
	"time"

	"taskledger/domain"
)

// A trail names each milestone in the plan's words, from the event that
// scheduled it, never by its id; long wording is cut for one line.
func TestTrailNamesMilestonesInThePlansWords(t *testing.T) {
	k := domain.ObligationKey{Plan: "p", Task: 3, Unit: "county.a", Role: domain.RoleImplementing}
	long := "溶剂型工业涂料、油墨使用比例比2020年分别降低20个百分点、10个百分点，溶剂型胶粘剂使用量降低20%"
	at := time.Date(2025, time.March, 20, 9, 0, 0, 0, domain.Shanghai())
	tr := NewTrail(Filter{Plan: "p", Task: 3}, 0)
	for i, d := range []domain.EventData{
		domain.UnitRegistered{Unit: "county.a", Kind: domain.KindCounty, Name: "甲县"},
		domain.MilestoneScheduled{ObligationKey: k, Milestone: "ms-1a2b", What: "完成燃煤锅炉淘汰", Due: domain.MustDate(2025, 6, 30)},
		domain.MilestoneScheduled{ObligationKey: k, Milestone: "plan-horizon", What: long, Due: domain.MustDate(2025, 12, 31)},
		domain.DeadlineSlipped{ObligationKey: k, Milestone: "ms-1a2b", Due: domain.MustDate(2025, 6, 30)},
		domain.CompletionClaimed{ObligationKey: k, Milestone: "plan-horizon"},
		domain.ReminderRecorded{ObligationKey: k, Milestone: "ms-1a2b", Kind: domain.ReminderOverdue, Due: domain.MustDate(2025, 6, 30)},
	} {
		if err := tr.Apply(&domain.Event{Position: uint64(i + 1), RecordedAt: at, EffectiveAt: at}, d); err != nil {
			t.Fatal(err)
		}
	}
	var lines []string
	for _, e := range tr.Entries() {
		lines = append(lines, e.Summary)
	}
	all := strings.Join(lines, "\n")
	cut := string([]rune(long)[:maxMilestoneWords]) + "…"
	for _, want := range []string{
		"甲县（落实）第3项 节点「完成燃煤锅炉淘汰」 期限2025-06-30",
		"甲县（落实）第3项 节点「完成燃煤锅炉淘汰」 逾期（期限2025-06-30）",
		"甲县（落实）第3项申报节点「" + cut + "」完成",
		"逾期催办：甲县（落实）第3项节点「完成燃煤锅炉淘汰」已于2025-06-30到期",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the trail does not say %q; it says:\n%s", want, all)
		}
	}
	if strings.Contains(all, "ms-1a2b") || strings.Contains(all, "plan-horizon") || strings.Contains(all, long) {
		t.Errorf("the trail names a milestone by its id or at full length:\n%s", all)
	}
}

// Without a name for a milestone, a summary falls back to its id.
func TestSummaryNamesAnUnknownMilestoneByItsID(t *testing.T) {
	k := domain.ObligationKey{Plan: "p", Task: 3, Unit: "county.a", Role: domain.RoleImplementing}
	s := Summarize(domain.DeadlineSlipped{ObligationKey: k, Milestone: "m9", Due: domain.MustDate(2025, 6, 30)}, Names{Unit: func(domain.UnitID) string { return "甲县" }})
	if !strings.Contains(s, "节点m9") {
		t.Fatalf("summary %q", s)
	}
}

// Summaries of scheme adoptions, published rankings and findings name the
// scheme, the units ranked, and the finding's kind and severity in words,
// as the dashboard does, not by their codes.
func TestSummariesNameSchemesRankingsAndFindingsInWords(t *testing.T) {
	k := domain.ObligationKey{Plan: "p", Task: 3, Unit: "county.a", Role: domain.RoleImplementing}
	n := Names{Unit: func(domain.UnitID) string { return "甲县" }}
	for _, c := range []struct {
		data domain.EventData
		want string
	}{
		{domain.SchemeAdopted{Plan: "p", Scheme: "default", Version: 3, Year: 2025}, "采用2025年度考核办法：标准评分办法（第3版）"},
		{domain.ScorecardPublished{Plan: "p", Year: 2025, Kind: "county", AsOfPosition: 900}, "公布2025年度旗县区考核结果（截至日志位置900）"},
		{domain.ScorecardPublished{Plan: "p", Year: 2025, Kind: "bureau", AsOfPosition: 900}, "公布2025年度市直部门考核结果"},
		{domain.FindingRecorded{ObligationKey: k, Finding: 1, Kind: domain.FindingFalseReport, Severity: domain.SeverityMajor, Summary: "台账与现场不符"}, "第1项问题（弄虚作假，较重）：台账与现场不符"},
	} {
		if s := Summarize(c.data, n); !strings.Contains(s, c.want) {
			t.Errorf("%s: %q, want %q in it", c.data.EventType(), s, c.want)
		}
	}
}
