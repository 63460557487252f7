package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

var (
	kLead   = ObligationKey{Plan: "chifeng-air", Task: 10, Unit: "bureau.transport", Role: RoleLead}
	kCounty = ObligationKey{Plan: "chifeng-air", Task: 10, Unit: "county.ningcheng", Role: RoleImplementing}
)

// samples returns one fully populated payload of every event type.
func samples() []EventData {
	due := MustDate(2025, 12, 31)
	from := kCounty
	return []EventData{
		PlanRegistered{Plan: "chifeng-air", Title: "赤峰市空气质量持续改善行动实施方案", Issuer: "赤峰市人民政府",
			IssuedOn: MustDate(2024, 5, 20), SourceDigest: Hash{1, 2, 3},
			Targets: []PlanTarget{
				{Metric: "pm25", Comparator: AtMost, Value: 25, By: due, Text: "PM2.5浓度控制在25μg/m3及以下"},
				{Unit: "county.ningcheng", Metric: "pm25", Comparator: ReduceByPercent, Value: 26.8, BaselineYear: 2020, By: due},
			}},
		SchemeAdopted{Plan: "chifeng-air", Scheme: "default", Version: 2, Year: 2025, Document: json.RawMessage(`{"bureau":{"start":100}}`)},
		ScorecardPublished{Plan: "chifeng-air", Year: 2025, Kind: "county", Scheme: "default", SchemeVersion: 2,
			AsOfPosition: 1234, AsOf: time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), Digest: Hash{9}},
		TaskRegistered{Plan: "chifeng-air", Task: 10, Label: "（十）", Chapter: "三、优化能源结构", Title: "推进清洁取暖", Text: "全文"},
		TaskAmended{Plan: "chifeng-air", Task: 10, Title: "新标题", Text: "新文", Chapter: "章", Label: "（十）", Reason: "修订"},
		UnitRegistered{Unit: "county.ningcheng", Kind: KindCounty, Name: "宁城县", Aliases: []string{"宁城县人民政府"}},
		UnitRenamed{Unit: "bureau.x", OldName: "旧", NewName: "新", Reason: "机构改革"},
		UnitMerged{Unit: "bureau.x", Into: "bureau.y", Reason: "机构改革"},
		IndicatorMeasured{Unit: "county.ningcheng", Metric: MetricPM25, Period: YearMonth{2025, time.January}, Value: 31.5, Source: "月报", Revision: true},
		ResponsibilityAssigned{ObligationKey: kLead, Basis: "牵头", StartsOn: MustDate(2026, 1, 1), ReassignedFrom: &from, Reopened: true},
		ResponsibilityReassigned{ObligationKey: kLead, ToUnit: "bureau.y", ToRole: RoleSupport, Reason: "调整"},
		ResponsibilityWithdrawn{ObligationKey: kLead, Reason: "撤销"},
		MilestoneScheduled{ObligationKey: kLead, Milestone: "operational", What: "投入运行", Due: due},
		MilestoneRescheduled{ObligationKey: kLead, Milestone: "operational", PreviousDue: due, Due: due.AddDays(30), Reason: "方案修订"},
		ProgressReported{ObligationKey: kCounty, Percent: 40, Previous: 30, Period: YearMonth{2025, time.June}, Note: "进展"},
		ExtensionRequested{ObligationKey: kCounty, Milestone: "2025", CurrentDue: due, RequestedDue: due.AddDays(90), Reason: "资金未到位"},
		ExtensionGranted{ObligationKey: kCounty, Milestone: "2025", PreviousDue: due, RequestedDue: due.AddDays(90), Due: due.AddDays(60), Note: "同意"},
		ExtensionRefused{ObligationKey: kCounty, Milestone: "2025", RequestedDue: due.AddDays(90), Reason: "理由不足"},
		DeadlineSlipped{ObligationKey: kCounty, Milestone: "2025", Due: due.AddDays(60), OriginalDue: due},
		CompletionClaimed{ObligationKey: kCounty, Milestone: "2025", Evidence: "验收报告"},
		CompletionVerified{ObligationKey: kCounty, Milestone: "2025", Note: "核实"},
		CompletionRejected{ObligationKey: kCounty, Reason: "材料不全"},
		FindingRecorded{ObligationKey: kCounty, Finding: 1, Kind: FindingFalseReport, Severity: SeveritySevere, Summary: "弄虚作假", RectifyBy: due.AddDays(30)},
		RectificationDue{ObligationKey: kCounty, Finding: 1, Due: due.AddDays(45)},
		RectificationCompleted{ObligationKey: kCounty, Finding: 1, Note: "已整改"},
		ReminderRecorded{ObligationKey: kCounty, Milestone: "2025", Due: due, Kind: ReminderEscalatedLead, To: "bureau.transport", DaysOverdue: 7},
		ReminderDelivered{ObligationKey: kCounty, Reminder: uuid.MustParse("6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8"), Channel: "webhook"},
		WorkSentBack{ObligationKey: kCounty, Target: SendBackReport, Report: 2, Reasons: "数据口径不一致", By: "bureau.transport"},
		CommentPosted{ObligationKey: kCounty, Comment: 2, Text: "已补充台账", ReplyTo: 1, By: "county.ningcheng"},
		PartSignedOff{ObligationKey: kCounty, By: "bureau.transport", Note: "同意"},
		RectificationVerified{ObligationKey: kCounty, Finding: 1, Note: "现场核实"},
		RectificationRejected{ObligationKey: kCounty, Finding: 1, Reason: "整改材料不全"},
		RectificationSlipped{ObligationKey: kCounty, Finding: 1, Due: due.AddDays(45)},
		AppealFiled{ObligationKey: kCounty, Appeal: 1, Target: uuid.MustParse("0b6e3c1d-2a4f-4e58-9a7b-1c2d3e4f5a6b"), Kind: AppealSlip, Reasons: "延期已获口头批准"},
		AppealRuled{ObligationKey: kCounty, Appeal: 1, Outcome: AppealOverturned, Reasons: "经核查属实"},
		BulletinIssued{Plan: "chifeng-air", Year: 2026, Number: 3, Period: "2026Q4", AsOfPosition: 812,
			AsOf: time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), Digest: Hash{9}},
		UnitSplit{Unit: "county.ningcheng", Into: []UnitID{"county.ningcheng-east", "county.ningcheng-west"}, Heir: "county.ningcheng-east", Reason: "区划调整"},
	}
}

func TestEveryEventRoundTripsThroughDefaultRegistry(t *testing.T) {
	reg := DefaultRegistry()
	var names []string
	for _, s := range samples() {
		names = append(names, s.EventType())
	}
	sort.Strings(names)
	if !reflect.DeepEqual(names, reg.Types()) {
		t.Fatalf("samples cover %v,\nregistry has %v", names, reg.Types())
	}
	if len(AllEventTypes()) != len(names) {
		t.Fatalf("AllEventTypes has %d types, samples %d", len(AllEventTypes()), len(names))
	}
	for _, s := range samples() {
		name, v, payload, err := reg.Encode(s)
		if err != nil {
			t.Fatalf("encode %T: %v", s, err)
		}
		if name != s.EventType() || v != 1 {
			t.Errorf("%T: encoded as %s v%d", s, name, v)
		}
		got, err := reg.Decode(&Event{Type: name, SchemaVersion: v, Payload: payload})
		if err != nil {
			t.Fatalf("decode %s: %v", name, err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("%s round trip:\n got %+v\nwant %+v\njson %s", name, got, s, payload)
		}
		if StreamOf(s) == "" {
			t.Errorf("%s has no stream", name)
		} else if _, err := ParseStream(StreamOf(s)); err != nil {
			t.Errorf("%s: stream %q: %v", name, StreamOf(s), err)
		}
	}
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestPayloadJSONIsSnakeCase checks every payload's JSON keys, including the
// flattened identity fields of obligation events.
func TestPayloadJSONIsSnakeCase(t *testing.T) {
	for _, s := range samples() {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := json.Unmarshal(b, &obj); err != nil {
			t.Fatal(err)
		}
		for k := range obj {
			if !snake.MatchString(k) {
				t.Errorf("%s: key %q is not snake_case", s.EventType(), k)
			}
		}
		if _, ok := s.(ObligationEvent); ok {
			for _, k := range []string{"plan", "task", "unit", "role"} {
				if _, ok := obj[k]; !ok {
					t.Errorf("%s: no identity field %q in %s", s.EventType(), k, b)
				}
			}
		}
	}
	b, _ := json.Marshal(ProgressReported{ObligationKey: kCounty, Percent: 40, Previous: 30})
	// An absent period is written as "": stored payloads always carried it
	// (see Date), and the ledger keeps their bytes.
	const want = `{"plan":"chifeng-air","task":10,"unit":"county.ningcheng","role":"IMPLEMENTING","percent":40,"previous":30,"period":""}`
	if string(b) != want {
		t.Errorf("ProgressReported JSON\n%s\nwant\n%s", b, want)
	}
}

// progressReportedV2 stands for a future schema of ProgressReported that
// renamed "note" to "comment" and added "source".
type progressReportedV2 struct {
	ObligationKey
	Percent Percent `json:"percent"`
	Comment string  `json:"comment"`
	Source  string  `json:"source"`
}

func (progressReportedV2) EventType() string { return "ProgressReported" }

func TestUpcasterOnPrivateRegistry(t *testing.T) {
	// A version-1 event as recorded today.
	name, v, payload, err := DefaultRegistry().Encode(ProgressReported{ObligationKey: kCounty, Percent: 40, Note: "进展"})
	if err != nil {
		t.Fatal(err)
	}
	old := &Event{Type: name, SchemaVersion: v, Payload: payload}

	reg := NewRegistry()
	reg.Register(progressReportedV2{}, 2)
	if _, err := reg.Decode(old); err == nil || !strings.Contains(err.Error(), "no upcaster") {
		t.Fatalf("decoding v1 without an upcaster: %v", err)
	}
	err = reg.RegisterUpcaster("ProgressReported", 1, func(p []byte) ([]byte, error) {
		var m map[string]any
		if err := json.Unmarshal(p, &m); err != nil {
			return nil, err
		}
		m["comment"], m["source"] = m["note"], "upcast from v1"
		delete(m, "note")
		delete(m, "previous")
		return json.Marshal(m)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := reg.Decode(old)
	if err != nil {
		t.Fatal(err)
	}
	want := progressReportedV2{ObligationKey: kCounty, Percent: 40, Comment: "进展", Source: "upcast from v1"}
	if got != want {
		t.Fatalf("upcast: %+v, want %+v", got, want)
	}
	// Current-version events are not upcast.
	_, _, cur, _ := reg.Encode(want)
	if got, err := reg.Decode(&Event{Type: name, SchemaVersion: 2, Payload: cur}); err != nil || got != want {
		t.Fatalf("v2 decode: %+v, %v", got, err)
	}
	// A build never reads schemas newer than it knows.
	if _, err := DefaultRegistry().Decode(&Event{Type: name, SchemaVersion: 2, Payload: cur}); err == nil {
		t.Fatal("DefaultRegistry decoded a v2 payload")
	}
	// Upcasters only for older versions, and only for registered types.
	if err := reg.RegisterUpcaster("ProgressReported", 2, nil); err == nil {
		t.Fatal("upcaster from the current version accepted")
	}
	if err := reg.RegisterUpcaster("Nope", 1, nil); !errors.Is(err, ErrUnknownEventType) {
		t.Fatalf("unknown type: %v", err)
	}
	// Each DefaultRegistry is separate, so the private one changed nothing.
	if v, _ := DefaultRegistry().Version("ProgressReported"); v != 1 {
		t.Fatalf("DefaultRegistry ProgressReported version %d", v)
	}
}

func TestDecodeUnknownType(t *testing.T) {
	if _, err := DefaultRegistry().Decode(&Event{Type: "TaskExploded", Payload: []byte(`{}`)}); !errors.Is(err, ErrUnknownEventType) {
		t.Fatalf("got %v", err)
	}
}
