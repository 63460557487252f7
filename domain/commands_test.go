package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// allCommands returns one command of every type.
func allCommands() []Command {
	k := kCounty
	return []Command{
		RegisterPlan{Plan: "chifeng-air", Title: "t"},
		AdoptScheme{Plan: "chifeng-air", Scheme: "default", Version: 1, Year: 2025, Document: json.RawMessage(`{}`)},
		PublishScorecard{Plan: "chifeng-air", Year: 2025, Kind: "county", Scheme: "default", SchemeVersion: 1, Digest: Hash{1}},
		RegisterTask{Plan: "chifeng-air", Task: 1, Title: "t"},
		AmendTask{Plan: "chifeng-air", Task: 1, Title: "u"},
		RegisterUnit{Unit: "county.aohan", Kind: KindCounty, Name: "敖汉旗"},
		RenameUnit{Unit: "county.aohan", Name: "x"},
		MergeUnit{Unit: "county.aohan", Into: "county.x"},
		RecordIndicator{Unit: "county.aohan", Metric: MetricPM25, Period: YearMonth{2025, 1}, Value: 1, ValidDays: 31},
		AssignResponsibility{ObligationKey: k},
		ReassignResponsibility{ObligationKey: k, ToUnit: "county.aohan", ToRole: RoleImplementing},
		WithdrawResponsibility{ObligationKey: k},
		ScheduleMilestone{ObligationKey: k, Milestone: "m", Due: due2025},
		RescheduleMilestone{ObligationKey: k, Milestone: "m", Due: due2025},
		ReportProgress{ObligationKey: k, Percent: 1},
		RequestExtension{ObligationKey: k, Milestone: "m", Due: due2025, Reason: "r"},
		GrantExtension{ObligationKey: k},
		RefuseExtension{ObligationKey: k},
		RecordSlip{ObligationKey: k, Milestone: "m"},
		ClaimCompletion{ObligationKey: k},
		VerifyCompletion{ObligationKey: k},
		RejectCompletion{ObligationKey: k, Reason: "r"},
		RecordFinding{ObligationKey: k, Kind: FindingOther, Severity: SeverityMinor, Summary: "s"},
		SetRectificationDue{ObligationKey: k, Finding: 1, Due: due2025},
		CompleteRectification{ObligationKey: k, Finding: 1},
	}
}

func TestDecideRoutesEveryCommand(t *testing.T) {
	routing := func(err error) bool {
		return err != nil && (strings.Contains(err.Error(), "cannot act on") || strings.Contains(err.Error(), "unknown command"))
	}
	for _, c := range allCommands() {
		name := reflect.TypeOf(c).Name()
		if err := c.Validate(); err != nil {
			t.Errorf("%s sample is invalid: %v", name, err)
		}
		agg, err := NewAggregate(c.Stream())
		if err != nil {
			t.Fatalf("%s: NewAggregate(%q): %v", name, c.Stream(), err)
		}
		if _, err := Decide(agg, c, metaAt(base)); routing(err) {
			t.Errorf("%s not routed to %T: %v", name, agg, err)
		}
		for _, wrong := range []VersionedAggregate{&Plan{}, &Task{}, &Unit{}, &Obligation{}} {
			if reflect.TypeOf(wrong) == reflect.TypeOf(agg) {
				continue
			}
			if _, err := Decide(wrong, c, metaAt(base)); !routing(err) || !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("%s decided on %T: %v", name, wrong, err)
			}
		}
	}
	if _, err := Decide(&Plan{}, misrouted{}, metaAt(base)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("unknown command: %v", err)
	}
}

func TestNewAggregate(t *testing.T) {
	for stream, want := range map[string]VersionedAggregate{
		"plan-p": &Plan{}, "task-p-1": &Task{}, "unit-u": &Unit{}, kCounty.Stream(): &Obligation{},
	} {
		got, err := NewAggregate(stream)
		if err != nil || reflect.TypeOf(got) != reflect.TypeOf(want) {
			t.Errorf("NewAggregate(%q) = %T, %v", stream, got, err)
		}
	}
	if _, err := NewAggregate("audit-x"); !errors.Is(err, ErrInvalidID) {
		t.Errorf("unknown kind: %v", err)
	}
}

// TestDecideEncodeSealFold runs the path command handling will: decide,
// wrap in envelopes (as command.Handler.Envelope does), seal as a store
// would, decode and fold.
func TestDecideEncodeSealFold(t *testing.T) {
	reg := DefaultRegistry()
	stream := kCounty.Stream()
	var stored []Event
	var prev Hash
	run := func(key string, c Command) {
		t.Helper()
		agg, _ := NewAggregate(stream)
		if err := Fold(agg, reg, stored); err != nil {
			t.Fatal(err)
		}
		m := metaAt(base)
		m.IdempotencyKey = key
		data, err := Decide(agg, c, m)
		if err != nil {
			t.Fatalf("%T: %v", c, err)
		}
		evs := make([]Event, len(data))
		for i, d := range data {
			typ, v, payload, err := reg.Encode(d)
			if err != nil {
				t.Fatal(err)
			}
			evs[i] = Event{ID: DeriveEventID(key, i), Type: typ, SchemaVersion: v, RecordedAt: m.Now,
				EffectiveAt: m.Effective(), Actor: m.Actor, Payload: payload}
		}
		for i := range evs {
			evs[i].Seal(stream, agg.Version()+uint64(i)+1, prev)
			prev = evs[i].Hash
		}
		stored = append(stored, evs...)
	}
	run("a", AssignResponsibility{ObligationKey: kCounty, Basis: "落实"})
	run("b", ScheduleMilestone{ObligationKey: kCounty, Milestone: "2025", Due: due2025})
	run("c", ReportProgress{ObligationKey: kCounty, ActingUnit: "county.ningcheng", Percent: 60})

	o := &Obligation{}
	if err := Fold(o, reg, stored); err != nil {
		t.Fatal(err)
	}
	if o.Version() != 3 || o.Progress != 60 || len(o.Milestones) != 1 || o.Status != StatusOpen {
		t.Fatalf("folded %+v", o)
	}
	if stored[2].Type != "ProgressReported" || !strings.Contains(string(stored[2].Payload), `"percent":60`) {
		t.Fatalf("stored %s %s", stored[2].Type, stored[2].Payload)
	}
	// A replayed stream out of order is refused.
	o2 := &Obligation{}
	if err := Fold(o2, reg, []Event{stored[0], stored[2]}); !errors.Is(err, ErrUnexpectedEvent) {
		t.Fatalf("gap in versions: %v", err)
	}
}
