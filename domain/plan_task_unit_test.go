package domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPlanDecisions(t *testing.T) {
	reg := PlanRegistered{Plan: "chifeng-air", Title: "实施方案"}
	adopted := SchemeAdopted{Plan: "chifeng-air", Scheme: "default", Version: 1, Year: 2025, Document: json.RawMessage(`{}`)}
	publish := PublishScorecard{Plan: "chifeng-air", Year: 2025, Kind: "county", Scheme: "default", SchemeVersion: 1, AsOfPosition: 99, Digest: Hash{7}}
	published := ScorecardPublished{Plan: "chifeng-air", Year: 2025, Kind: "county", Scheme: "default", SchemeVersion: 1, AsOfPosition: 99, Digest: Hash{7}}
	adopt := AdoptScheme{Plan: "chifeng-air", Scheme: "default", Version: 1, Year: 2025, Document: json.RawMessage(" {\"a\":1} ")}
	other := publish
	other.Digest = Hash{8}
	wrongYear := publish
	wrongYear.Year = 2026
	noDigest := publish
	noDigest.Digest = Hash{}
	runDecide(t, []decideCase{
		{name: "register", cmd: RegisterPlan{Plan: "chifeng-air", Title: "实施方案"}, events: []EventData{reg}},
		{name: "register twice", given: []any{reg}, cmd: RegisterPlan{Plan: "chifeng-air", Title: "实施方案"}, want: ErrAlreadyExists},
		{name: "register bad id", cmd: RegisterPlan{Plan: "chifeng-air-2025", Title: "x"}, want: ErrInvalidID},
		{name: "register no title", cmd: RegisterPlan{Plan: "p", Title: "  "}, want: ErrInvalidArgument},
		{name: "register bad target", cmd: RegisterPlan{Plan: "p", Title: "x", Targets: []PlanTarget{{Metric: "pm25", Comparator: "about"}}}, want: ErrInvalidArgument},
		{name: "register reduce target without baseline", cmd: RegisterPlan{Plan: "p", Title: "x", Targets: []PlanTarget{{Metric: "pm25", Comparator: ReduceByPercent, Value: 26.8}}}, want: ErrInvalidArgument},
		{name: "adopt unregistered", cmd: adopt, want: ErrNotFound},
		{name: "adopt", given: []any{reg}, cmd: adopt,
			events: []EventData{SchemeAdopted{Plan: "chifeng-air", Scheme: "default", Version: 1, Year: 2025, Document: json.RawMessage(`{"a":1}`)}}},
		{name: "adopt twice", given: []any{reg, adopted}, cmd: adopt, want: ErrAlreadyExists},
		{name: "adopt next version", given: []any{reg, adopted}, cmd: AdoptScheme{Plan: "chifeng-air", Scheme: "default", Version: 2, Year: 2025, Document: json.RawMessage(`{}`)}},
		{name: "adopt array", given: []any{reg}, cmd: AdoptScheme{Plan: "chifeng-air", Scheme: "default", Version: 1, Year: 2025, Document: json.RawMessage(`[1]`)}, want: ErrInvalidArgument},
		{name: "adopt broken json", given: []any{reg}, cmd: AdoptScheme{Plan: "chifeng-air", Scheme: "default", Version: 1, Year: 2025, Document: json.RawMessage(`{"a":`)}, want: ErrInvalidArgument},
		{name: "adopt version 0", given: []any{reg}, cmd: AdoptScheme{Plan: "chifeng-air", Scheme: "default", Year: 2025, Document: json.RawMessage(`{}`)}, want: ErrInvalidArgument},
		{name: "publish unregistered", cmd: publish, want: ErrNotFound},
		{name: "publish unknown scheme", given: []any{reg}, cmd: publish, want: ErrUnknownScheme},
		{name: "publish", given: []any{reg, adopted}, cmd: publish, events: []EventData{published}},
		{name: "publish same digest again", given: []any{reg, adopted, published}, cmd: publish, want: ErrAlreadyExists},
		{name: "republish with new digest", given: []any{reg, adopted, published}, cmd: other},
		{name: "publish other year", given: []any{reg, adopted}, cmd: wrongYear, want: ErrInvalidArgument},
		{name: "publish no digest", given: []any{reg, adopted}, cmd: noDigest, want: ErrInvalidArgument},
		{name: "no actor", cmd: RegisterPlan{Plan: "p", Title: "x"}, meta: &Meta{Now: base}, want: ErrInvalidArgument},
		{name: "no clock", cmd: RegisterPlan{Plan: "p", Title: "x"}, meta: &Meta{Actor: "a"}, want: ErrInvalidArgument},
		{name: "future effective time", cmd: RegisterPlan{Plan: "p", Title: "x"}, meta: &Meta{Actor: "a", Now: base, EffectiveAt: base.Add(time.Hour)}, want: ErrInvalidArgument},
	})
}

func TestPlanFold(t *testing.T) {
	p := given(t, "plan-chifeng-air",
		PlanRegistered{Plan: "chifeng-air", Title: "实施方案", Targets: []PlanTarget{{Metric: "pm25", Comparator: AtMost, Value: 25}}},
		SchemeAdopted{Plan: "chifeng-air", Scheme: "default", Version: 1, Year: 2025, Document: json.RawMessage(`{}`)},
		ScorecardPublished{Plan: "chifeng-air", Year: 2025, Kind: "county", Scheme: "default", SchemeVersion: 1, Digest: Hash{1}},
	).(*Plan)
	if !p.Registered || p.ID != "chifeng-air" || len(p.Targets) != 1 || len(p.Schemes) != 1 || len(p.Scorecards) != 1 || p.Version() != 3 {
		t.Fatalf("plan state %+v", p)
	}
	if _, ok := p.Scheme("default", 1); !ok {
		t.Fatal("scheme not found")
	}
	if err := p.Apply(&Event{Version: 4}, TaskRegistered{}); err == nil {
		t.Fatal("a plan applied a task event")
	}
	if err := p.Apply(&Event{Version: 9}, SchemeAdopted{Plan: "chifeng-air"}); err == nil {
		t.Fatal("out-of-order version applied")
	}
	if err := p.Apply(&Event{Version: 4}, SchemeAdopted{Plan: "other"}); err == nil {
		t.Fatal("event of another plan applied")
	}
}

func TestTaskDecisions(t *testing.T) {
	reg := TaskRegistered{Plan: "chifeng-air", Task: 10, Label: "（十）", Title: "推进清洁取暖", Text: "全文"}
	runDecide(t, []decideCase{
		{name: "register", cmd: RegisterTask{Plan: "chifeng-air", Task: 10, Label: "（十）", Title: "推进清洁取暖", Text: "全文"}, events: []EventData{reg}},
		{name: "register twice", given: []any{reg}, cmd: RegisterTask{Plan: "chifeng-air", Task: 10, Title: "x"}, want: ErrAlreadyExists},
		{name: "register task 0", cmd: RegisterTask{Plan: "chifeng-air", Task: 0, Title: "x"}, want: ErrInvalidTaskNo},
		{name: "register no title", cmd: RegisterTask{Plan: "chifeng-air", Task: 1}, want: ErrInvalidArgument},
		{name: "register huge text", cmd: RegisterTask{Plan: "chifeng-air", Task: 1, Title: "x", Text: strings.Repeat("字", MaxTaskTextLen+1)}, want: ErrInvalidArgument},
		{name: "register invalid utf-8", cmd: RegisterTask{Plan: "chifeng-air", Task: 1, Title: "\xff"}, want: ErrInvalidArgument},
		{name: "amend unregistered", cmd: AmendTask{Plan: "chifeng-air", Task: 10, Title: "y"}, want: ErrNotFound},
		{name: "amend nothing", given: []any{reg}, cmd: AmendTask{Plan: "chifeng-air", Task: 10, Reason: "r"}, want: ErrNoChange},
		{name: "amend to same title", given: []any{reg}, cmd: AmendTask{Plan: "chifeng-air", Task: 10, Title: "推进清洁取暖"}, want: ErrNoChange},
		{name: "amend", given: []any{reg}, cmd: AmendTask{Plan: "chifeng-air", Task: 10, Title: "推进清洁取暖", Text: "新文", Reason: "修订"},
			events: []EventData{TaskAmended{Plan: "chifeng-air", Task: 10, Text: "新文", Reason: "修订"}}},
	})
	task := given(t, "task-chifeng-air-10", reg, TaskAmended{Plan: "chifeng-air", Task: 10, Text: "新文"}).(*Task)
	if task.Title != "推进清洁取暖" || task.Text != "新文" || task.Amendments != 1 || task.No != 10 {
		t.Fatalf("task state %+v", task)
	}
}

func TestUnitDecisions(t *testing.T) {
	county := UnitRegistered{Unit: "county.ningcheng", Kind: KindCounty, Name: "宁城县"}
	bureau := UnitRegistered{Unit: "bureau.x", Kind: KindBureau, Name: "旧局"}
	merged := UnitMerged{Unit: "bureau.x", Into: "bureau.y"}
	city := UnitRegistered{Unit: "city.chifeng-air", Kind: KindCity, Name: "赤峰市"}
	jan, feb := YearMonth{2025, time.January}, YearMonth{2025, time.February}
	pm := IndicatorMeasured{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Value: 31.5, ValidDays: 30}
	measure := func(m Metric, v float64) RecordIndicator {
		return RecordIndicator{Unit: "county.ningcheng", Metric: m, Period: jan, Value: v, ValidDays: 30}
	}
	goodDays := func(good, valid int) RecordIndicator {
		return RecordIndicator{Unit: "county.ningcheng", Metric: MetricGoodDayRatio, Period: feb, ValidDays: valid, GoodDays: good}
	}
	day := MustDate(2025, time.January, 5)
	daily := RecordIndicator{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Day: day, Value: 40, ValidDays: 1}
	tonnes := func(m Metric, v float64, valid int) RecordIndicator {
		return RecordIndicator{Unit: "city.chifeng-air", Metric: m, Period: jan, Value: v, ValidDays: valid}
	}
	runDecide(t, []decideCase{
		{name: "register", cmd: RegisterUnit{Unit: "county.ningcheng", Kind: KindCounty, Name: "宁城县"}, events: []EventData{county}},
		{name: "register twice", given: []any{county}, cmd: RegisterUnit{Unit: "county.ningcheng", Kind: KindCounty, Name: "宁城县"}, want: ErrAlreadyExists},
		{name: "register bad kind", cmd: RegisterUnit{Unit: "county.ningcheng", Kind: "province", Name: "x"}, want: ErrInvalidUnitKind},
		{name: "register bad id", cmd: RegisterUnit{Unit: "宁城县", Kind: KindCounty, Name: "x"}, want: ErrInvalidID},
		{name: "register blank alias", cmd: RegisterUnit{Unit: "county.x", Kind: KindCounty, Name: "x", Aliases: []string{""}}, want: ErrInvalidArgument},
		{name: "rename", given: []any{bureau}, cmd: RenameUnit{Unit: "bureau.x", Name: "新局"},
			events: []EventData{UnitRenamed{Unit: "bureau.x", OldName: "旧局", NewName: "新局"}}},
		{name: "rename to same name", given: []any{bureau}, cmd: RenameUnit{Unit: "bureau.x", Name: "旧局"}, want: ErrNoChange},
		{name: "rename unregistered", cmd: RenameUnit{Unit: "bureau.x", Name: "新局"}, want: ErrNotFound},
		{name: "rename merged", given: []any{bureau, merged}, cmd: RenameUnit{Unit: "bureau.x", Name: "新局"}, want: ErrMerged},
		{name: "merge", given: []any{bureau}, cmd: MergeUnit{Unit: "bureau.x", Into: "bureau.y"}, events: []EventData{merged}},
		{name: "merge into itself", given: []any{bureau}, cmd: MergeUnit{Unit: "bureau.x", Into: "bureau.x"}, want: ErrSelfMerge},
		{name: "merge twice", given: []any{bureau, merged}, cmd: MergeUnit{Unit: "bureau.x", Into: "bureau.z"}, want: ErrMerged},
		{name: "merge unregistered", cmd: MergeUnit{Unit: "bureau.x", Into: "bureau.y"}, want: ErrNotFound},
		{name: "measure", given: []any{county}, cmd: measure(MetricPM25, 31.5), events: []EventData{pm}},
		{name: "measure same value again", given: []any{county, pm}, cmd: measure(MetricPM25, 31.5), want: ErrAlreadyExists},
		{name: "measure revision", given: []any{county, pm}, cmd: measure(MetricPM25, 30),
			events: []EventData{IndicatorMeasured{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Value: 30, ValidDays: 30, Revision: true}}},
		{name: "same value with other valid days is a revision", given: []any{county, pm}, cmd: RecordIndicator{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Value: 31.5, ValidDays: 31},
			events: []EventData{IndicatorMeasured{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Value: 31.5, ValidDays: 31, Revision: true}}},
		{name: "old monthly value restated with days", given: []any{county, IndicatorMeasured{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Value: 31.5}}, cmd: measure(MetricPM25, 31.5),
			events: []EventData{IndicatorMeasured{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Value: 31.5, ValidDays: 30, Revision: true}}},
		{name: "measure a day", given: []any{county, pm}, cmd: daily,
			events: []EventData{IndicatorMeasured{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Day: &day, Value: 40, ValidDays: 1}}},
		{name: "a day not yet come", given: []any{county}, now: time.Date(2025, time.January, 4, 23, 0, 0, 0, Shanghai()), cmd: daily, want: ErrInvalidIndicator},
		{name: "a month not yet begun", given: []any{county}, now: time.Date(2024, time.December, 31, 23, 0, 0, 0, Shanghai()), cmd: measure(MetricPM25, 30), want: ErrInvalidIndicator},
		{name: "a day outside its period", given: []any{county}, cmd: RecordIndicator{Unit: "county.ningcheng", Metric: MetricPM25, Period: feb, Day: day, Value: 40, ValidDays: 1}, want: ErrInvalidIndicator},
		{name: "a day with two valid days", given: []any{county}, cmd: RecordIndicator{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Day: day, Value: 40, ValidDays: 2}, want: ErrInvalidIndicator},
		{name: "measure good days", given: []any{county}, cmd: goodDays(21, 28),
			events: []EventData{IndicatorMeasured{Unit: "county.ningcheng", Metric: MetricGoodDayRatio, Period: feb, Value: 75, ValidDays: 28, GoodDays: 21}}},
		{name: "good days over valid days", given: []any{county}, cmd: goodDays(26, 25), want: ErrInvalidIndicator},
		{name: "valid days over the days of February", given: []any{county}, cmd: goodDays(20, 29), want: ErrInvalidIndicator},
		{name: "no valid days", given: []any{county}, cmd: goodDays(0, 0), want: ErrInvalidIndicator},
		{name: "negative good days", given: []any{county}, cmd: goodDays(-1, 20), want: ErrInvalidIndicator},
		{name: "a bare ratio", given: []any{county}, cmd: measure(MetricGoodDayRatio, 94.5), want: ErrInvalidIndicator},
		{name: "good days on pm25", given: []any{county}, cmd: RecordIndicator{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Value: 30, ValidDays: 30, GoodDays: 3}, want: ErrInvalidIndicator},
		{name: "pm25 with no valid days", given: []any{county}, cmd: RecordIndicator{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Value: 30}, want: ErrInvalidIndicator},
		{name: "pm25 implausible", given: []any{county}, cmd: measure(MetricPM25, 1000.5), want: ErrInvalidIndicator},
		{name: "measure fractional heavy days", given: []any{county}, cmd: measure(MetricHeavyPollutionDays, 1.5), want: ErrInvalidIndicator},
		{name: "heavy days over valid days", given: []any{county}, cmd: measure(MetricHeavyPollutionDays, 31), want: ErrInvalidIndicator},
		{name: "measure heavy days", given: []any{county}, cmd: measure(MetricHeavyPollutionDays, 0)},
		{name: "city-wide figure", given: []any{city}, cmd: RecordIndicator{Unit: "city.chifeng-air", Metric: MetricPM25, Period: jan, Value: 28, ValidDays: 31},
			events: []EventData{IndicatorMeasured{Unit: "city.chifeng-air", Metric: MetricPM25, Period: jan, Value: 28, ValidDays: 31}}},
		{name: "NOx reduction in tonnes", given: []any{city}, cmd: tonnes(MetricNOxReduction, 120.5, 0),
			events: []EventData{IndicatorMeasured{Unit: "city.chifeng-air", Metric: MetricNOxReduction, Period: jan, Value: 120.5}}},
		{name: "tonnage with valid days", given: []any{city}, cmd: tonnes(MetricVOCsReduction, 10, 31), want: ErrInvalidIndicator},
		{name: "negative tonnage", given: []any{city}, cmd: tonnes(MetricVOCsEmissions, -3, 0), want: ErrInvalidIndicator},
		{name: "measure negative", given: []any{county}, cmd: measure(MetricPM25, -1), want: ErrInvalidIndicator},
		{name: "measure unknown metric", given: []any{county}, cmd: measure("so2", 1), want: ErrInvalidIndicator},
		{name: "measure no period", given: []any{county}, cmd: RecordIndicator{Unit: "county.ningcheng", Metric: MetricPM25, Value: 1}, want: ErrInvalidIndicator},
		{name: "measure a bureau", given: []any{bureau}, cmd: RecordIndicator{Unit: "bureau.x", Metric: MetricPM25, Period: jan, Value: 1}, want: ErrInvalidIndicator},
		{name: "measure unregistered", cmd: measure(MetricPM25, 1), want: ErrNotFound},
	})
	u := given(t, "unit-bureau.x", bureau, UnitRenamed{Unit: "bureau.x", OldName: "旧局", NewName: "新局"}, merged).(*Unit)
	if u.Name != "新局" || len(u.FormerNames) != 1 || u.FormerNames[0] != "旧局" || u.MergedInto != "bureau.y" {
		t.Fatalf("unit state %+v", u)
	}
	c := given(t, "unit-county.ningcheng", county, pm, IndicatorMeasured{Unit: "county.ningcheng", Metric: MetricPM25, Period: jan, Value: 30, Revision: true}).(*Unit)
	if v := c.Indicators[IndicatorKey{Metric: MetricPM25, Period: jan}]; v != 30 {
		t.Fatalf("latest pm25 %v", v)
	}
}
