package domain

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"
)

func TestAggregatesSurviveGobWithTheirVersion(t *testing.T) {
	u := &Unit{ID: "county.ningcheng", Registered: true, Kind: KindCounty, Name: "宁城县",
		Indicators: map[IndicatorKey]float64{{Metric: MetricPM25, Period: mustYM(t, "2025-03")}: 31.5}}
	u.version = 7
	o := &Obligation{Key: ObligationKey{Plan: "p", Task: 3, Unit: "county.ningcheng", Role: RoleImplementing}, Status: StatusOpen, Progress: 40, StartsOn: MustDate(2026, 1, 1)}
	o.version = 4
	for name, pair := range map[string][2]any{
		"unit":       {u, &Unit{}},
		"obligation": {o, &Obligation{}},
		"task":       {&Task{Plan: "p", No: 3, Registered: true, Title: "t", version: 2}, &Task{}},
		"plan":       {&Plan{ID: "p", Registered: true, version: 5}, &Plan{}},
	} {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(pair[0]); err != nil {
			t.Fatalf("%s: encode: %v", name, err)
		}
		if err := gob.NewDecoder(&buf).Decode(pair[1]); err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Fatalf("%s: restored %+v, want %+v", name, pair[1], pair[0])
		}
	}
}

func mustYM(t *testing.T, s string) YearMonth {
	t.Helper()
	ym, err := ParseYearMonth(s)
	if err != nil {
		t.Fatal(err)
	}
	return ym
}

// Obligations written one after another to one gob stream come back whole,
// each with its own version and reports.
func TestObligationsShareOneGobStream(t *testing.T) {
	var want []*Obligation
	for i := range 3 {
		o := &Obligation{Key: ObligationKey{Plan: "p", Task: TaskNo(i + 1), Unit: "county.ningcheng", Role: RoleImplementing},
			Status: StatusOpen, Progress: Percent(10 * i), StartsOn: MustDate(2026, 1, 1), Reports: i,
			PeriodReports: ReportListOf(make([]PeriodReport, i)...)}
		o.version = uint64(4 + i)
		want = append(want, o)
	}
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	for _, o := range want {
		if err := EncodeObligation(enc, o); err != nil {
			t.Fatal(err)
		}
	}
	dec := gob.NewDecoder(&buf)
	for i, o := range want {
		var got Obligation
		if err := DecodeObligation(dec, &got); err != nil {
			t.Fatalf("obligation %d: %v", i, err)
		}
		if got.Version() != o.Version() || !reflect.DeepEqual(&got, o) {
			t.Fatalf("obligation %d: restored %+v, want %+v", i, got, *o)
		}
	}
}
