package audit

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

// A rectification report sent back is reversed; so is a finding whose
// deduction the committee overturned; an upheld one is not.
func TestReviewAndAppealFlags(t *testing.T) {
	k := domain.ObligationKey{Plan: "p", Task: 1, Unit: "county.a", Role: domain.RoleImplementing}
	at := time.Date(2025, time.May, 1, 9, 0, 0, 0, domain.Shanghai())
	f := NewFlagger(0)
	ids := []uuid.UUID{uuid.New(), uuid.New()}
	for i, d := range []domain.EventData{
		domain.FindingRecorded{ObligationKey: k, Finding: 1, Kind: domain.FindingFalseReport, Severity: domain.SeverityMajor, Summary: "s", RectifyBy: domain.MustDate(2025, 6, 30)},
		domain.FindingRecorded{ObligationKey: k, Finding: 2, Kind: domain.FindingOther, Severity: domain.SeverityMinor, Summary: "s"},
		domain.RectificationCompleted{ObligationKey: k, Finding: 1},
		domain.RectificationRejected{ObligationKey: k, Finding: 1, Reason: "材料不全"},
		domain.AppealFiled{ObligationKey: k, Appeal: 1, Target: ids[0], Kind: domain.AppealFinding, Reasons: "r"},
		domain.AppealFiled{ObligationKey: k, Appeal: 2, Target: ids[1], Kind: domain.AppealFinding, Reasons: "r"},
		domain.AppealRuled{ObligationKey: k, Appeal: 1, Outcome: domain.AppealOverturned, Reasons: "r"},
		domain.AppealRuled{ObligationKey: k, Appeal: 2, Outcome: domain.AppealUpheld, Reasons: "r"},
	} {
		e := &domain.Event{Position: uint64(i + 1), Stream: k.Stream(), RecordedAt: at, EffectiveAt: at}
		if i < 2 {
			e.ID = ids[i]
		}
		f.Apply(e, d)
	}
	reversed := func(pos uint64) bool { return slices.Contains(f.Flags(pos), FlagReversed) }
	if !reversed(1) || reversed(2) || !reversed(3) {
		t.Fatalf("reversed: finding 1 %v, finding 2 %v, rectification report %v", reversed(1), reversed(2), reversed(3))
	}
	name := Names{Unit: func(domain.UnitID) string { return "甲县" }}
	if s := Summarize(domain.AppealRuled{ObligationKey: k, Appeal: 1, Outcome: domain.AppealOverturned, Reasons: "经复核"}, name); !strings.Contains(s, "撤销扣分") {
		t.Errorf("ruling summary %q", s)
	}
	if s := Summarize(domain.RectificationSlipped{ObligationKey: k, Finding: 1, Due: domain.MustDate(2025, 6, 30)}, name); !strings.Contains(s, "整改逾期") {
		t.Errorf("slip summary %q", s)
	}
}
