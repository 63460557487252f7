package domain

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

// ledgerOf folds events recorded at the given times, each with its own
// event ID (uuid.NewSHA1 of its index), into a new obligation.
type idEvent struct {
	at   time.Time
	data EventData
}

func foldWithIDs(t *testing.T, events ...idEvent) (*Obligation, []uuid.UUID) {
	t.Helper()
	o := &Obligation{}
	var ids []uuid.UUID
	for i, ev := range events {
		id := uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(i)})
		e := &Event{ID: id, Version: o.Version() + 1, RecordedAt: ev.at, EffectiveAt: ev.at, Type: ev.data.EventType()}
		if err := o.Apply(e, ev.data); err != nil {
			t.Fatalf("apply %T: %v", ev.data, err)
		}
		ids = append(ids, id)
	}
	return o, ids
}

func TestFileAppeal(t *testing.T) {
	slipAt := cst(2026, 1, 1, 0, 5)
	o, ids := foldWithIDs(t,
		idEvent{base, assigned}, idEvent{base, m2025},
		idEvent{slipAt, DeadlineSlipped{ObligationKey: kCounty, Milestone: "2025", Due: due2025, OriginalDue: due2025}},
		idEvent{base, finding1},
	)
	slip, finding := ids[2], ids[3]
	file := func(target uuid.UUID, acting UnitID) FileAppeal {
		return FileAppeal{ObligationKey: kCounty, ActingUnit: acting, Target: target, Reasons: "已获延期", WindowDays: 15}
	}
	cases := []struct {
		name string
		cmd  FileAppeal
		now  time.Time
		want *Error
		kind AppealTargetKind
	}{
		{"a slip, on the last day of the window", file(slip, "county.ningcheng"), cst(2026, 1, 16, 23, 59), nil, AppealSlip},
		{"a finding", file(finding, ""), cst(2025, 3, 5, 9, 0), nil, AppealFinding},
		{"after the window", file(slip, "county.ningcheng"), cst(2026, 1, 17, 0, 0), ErrAppealWindowClosed, ""},
		{"another unit", file(slip, "county.aohan"), slipAt, ErrNotHolder, ""},
		{"not a slip or finding", file(ids[0], ""), slipAt, ErrUnknownAppealTarget, ""},
		{"no reasons", FileAppeal{ObligationKey: kCounty, Target: slip, Reasons: "  ", WindowDays: 15}, slipAt, ErrInvalidArgument, ""},
		{"no target", FileAppeal{ObligationKey: kCounty, Reasons: "r", WindowDays: 15}, slipAt, ErrInvalidArgument, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := o.FileAppeal(c.cmd, metaAt(c.now))
			if c.want != nil {
				if !errors.Is(err, c.want) || len(got) != 0 {
					t.Fatalf("got %v, %v; want %v", got, err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := AppealFiled{ObligationKey: kCounty, Appeal: 1, Target: c.cmd.Target, Kind: c.kind, Reasons: "已获延期"}
			if len(got) != 1 || got[0] != want {
				t.Fatalf("got %#v, want %#v", got, want)
			}
		})
	}
}

func TestAppealOncePerTargetAndRuledOnce(t *testing.T) {
	slipAt := cst(2026, 1, 1, 0, 5)
	slipped := DeadlineSlipped{ObligationKey: kCounty, Milestone: "2025", Due: due2025, OriginalDue: due2025}
	o, ids := foldWithIDs(t, idEvent{base, assigned}, idEvent{base, m2025}, idEvent{slipAt, slipped})
	slip := ids[2]
	filed := AppealFiled{ObligationKey: kCounty, Appeal: 1, Target: slip, Kind: AppealSlip, Reasons: "r"}
	o2, _ := foldWithIDs(t, idEvent{base, assigned}, idEvent{base, m2025}, idEvent{slipAt, slipped}, idEvent{slipAt, filed})
	if _, err := o2.FileAppeal(FileAppeal{ObligationKey: kCounty, Target: slip, Reasons: "again", WindowDays: 15}, metaAt(slipAt)); !errors.Is(err, ErrAppealPending) {
		t.Fatalf("second appeal while pending: %v, want ErrAppealPending", err)
	}
	rule := RuleAppeal{ObligationKey: kCounty, Appeal: 1, Outcome: AppealUpheld, Reasons: "理由不成立"}
	if _, err := o.RuleAppeal(rule, metaAt(slipAt)); !errors.Is(err, ErrUnknownAppeal) {
		t.Fatalf("ruling with no appeal: %v, want ErrUnknownAppeal", err)
	}
	got, err := o2.RuleAppeal(rule, metaAt(slipAt))
	if err != nil || len(got) != 1 {
		t.Fatalf("rule: %v %v", got, err)
	}
	for _, bad := range []RuleAppeal{
		{ObligationKey: kCounty, Appeal: 1, Outcome: AppealUpheld},
		{ObligationKey: kCounty, Appeal: 1, Outcome: "maybe", Reasons: "r"},
	} {
		if _, err := o2.RuleAppeal(bad, metaAt(slipAt)); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("RuleAppeal(%+v): %v, want ErrInvalidArgument", bad, err)
		}
	}
	o3, _ := foldWithIDs(t, idEvent{base, assigned}, idEvent{base, m2025}, idEvent{slipAt, slipped}, idEvent{slipAt, filed}, idEvent{slipAt, got[0]})
	if _, err := o3.RuleAppeal(rule, metaAt(slipAt)); !errors.Is(err, ErrAppealRuled) {
		t.Fatalf("ruling twice: %v, want ErrAppealRuled", err)
	}
	if _, err := o3.FileAppeal(FileAppeal{ObligationKey: kCounty, Target: slip, Reasons: "again", WindowDays: 15}, metaAt(slipAt)); !errors.Is(err, ErrAppealRuled) {
		t.Fatalf("appeal after a ruling: %v, want ErrAppealRuled", err)
	}
	if a, ok := o3.AppealOf(slip); !ok || a.Outcome != AppealUpheld || a.RulingReason != "理由不成立" || a.Pending() {
		t.Fatalf("folded appeal %+v", a)
	}
}

func TestRectificationReview(t *testing.T) {
	rectified := RectificationCompleted{ObligationKey: kCounty, Finding: 1, Note: "已整改"}
	runDecide(t, []decideCase{
		{name: "verify", given: []any{assigned, finding1, rectified}, cmd: VerifyRectification{ObligationKey: kCounty, Finding: 1, Note: "属实"},
			events: []EventData{RectificationVerified{ObligationKey: kCounty, Finding: 1, Note: "属实"}}},
		{name: "verify unreported", given: []any{assigned, finding1}, cmd: VerifyRectification{ObligationKey: kCounty, Finding: 1}, want: ErrNotRectified},
		{name: "verify twice", given: []any{assigned, finding1, rectified, RectificationVerified{ObligationKey: kCounty, Finding: 1}},
			cmd: VerifyRectification{ObligationKey: kCounty, Finding: 1}, want: ErrRectificationVerified},
		{name: "reject", given: []any{assigned, finding1, rectified}, cmd: RejectRectification{ObligationKey: kCounty, Finding: 1, Reason: "材料不全"},
			events: []EventData{RectificationRejected{ObligationKey: kCounty, Finding: 1, Reason: "材料不全"}}},
		{name: "reject without reason", given: []any{assigned, finding1, rectified}, cmd: RejectRectification{ObligationKey: kCounty, Finding: 1}, want: ErrInvalidArgument},
		{name: "rejected stays open: report again", given: []any{assigned, finding1, rectified, RectificationRejected{ObligationKey: kCounty, Finding: 1, Reason: "r"}},
			cmd: CompleteRectification{ObligationKey: kCounty, Finding: 1, Note: "再次整改"}, events: []EventData{RectificationCompleted{ObligationKey: kCounty, Finding: 1, Note: "再次整改"}}},
		{name: "rejected: cannot verify", given: []any{assigned, finding1, rectified, RectificationRejected{ObligationKey: kCounty, Finding: 1, Reason: "r"}},
			cmd: VerifyRectification{ObligationKey: kCounty, Finding: 1}, want: ErrNotRectified},
		{name: "slip not yet due", given: []any{assigned, finding1}, cmd: RecordRectificationSlip{ObligationKey: kCounty, Finding: 1}, now: cst(2025, 6, 30, 23, 0), want: ErrNotYetDue},
		{name: "slip", given: []any{assigned, finding1}, cmd: RecordRectificationSlip{ObligationKey: kCounty, Finding: 1}, now: cst(2025, 7, 1, 0, 0),
			events: []EventData{RectificationSlipped{ObligationKey: kCounty, Finding: 1, Due: MustDate(2025, 6, 30)}}},
		{name: "slip once per date", given: []any{assigned, finding1, RectificationSlipped{ObligationKey: kCounty, Finding: 1, Due: MustDate(2025, 6, 30)}},
			cmd: RecordRectificationSlip{ObligationKey: kCounty, Finding: 1}, now: cst(2025, 7, 2, 0, 0), noEvents: true},
		{name: "no slip when rectified in time", given: []any{assigned, finding1, rectified}, cmd: RecordRectificationSlip{ObligationKey: kCounty, Finding: 1}, now: cst(2025, 7, 2, 0, 0), noEvents: true},
		{name: "slip after a rejection", given: []any{assigned, finding1, rectified, RectificationRejected{ObligationKey: kCounty, Finding: 1, Reason: "r"}},
			cmd: RecordRectificationSlip{ObligationKey: kCounty, Finding: 1}, now: cst(2025, 7, 2, 0, 0),
			events: []EventData{RectificationSlipped{ObligationKey: kCounty, Finding: 1, Due: MustDate(2025, 6, 30)}}},
	})
}

// The window runs from when the ledger recorded the slip, not from the end
// of the due date it speaks of: a watcher that was down for weeks does not
// shorten it.
func TestAppealWindowRunsFromRecording(t *testing.T) {
	o, _ := foldWithIDs(t, idEvent{base, assigned}, idEvent{base, m2025})
	slip := uuid.NewSHA1(uuid.NameSpaceOID, []byte("late slip"))
	recorded := cst(2026, 1, 20, 9, 0)
	e := &Event{ID: slip, Version: o.Version() + 1, RecordedAt: recorded, EffectiveAt: due2025.EndOf(), Type: "DeadlineSlipped"}
	if err := o.Apply(e, DeadlineSlipped{ObligationKey: kCounty, Milestone: "2025", Due: due2025, OriginalDue: due2025}); err != nil {
		t.Fatal(err)
	}
	cmd := FileAppeal{ObligationKey: kCounty, Target: slip, Reasons: "r", WindowDays: 15}
	if _, err := o.FileAppeal(cmd, metaAt(cst(2026, 2, 4, 12, 0))); err != nil {
		t.Fatalf("15 days after the slip was recorded: %v", err)
	}
	if _, err := o.FileAppeal(cmd, metaAt(cst(2026, 2, 5, 0, 0))); !errors.Is(err, ErrAppealWindowClosed) {
		t.Fatalf("16 days after: %v, want ErrAppealWindowClosed", err)
	}
}
