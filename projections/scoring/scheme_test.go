package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"

	"taskledger/domain"
)

func TestDefaultScheme(t *testing.T) {
	s := Default()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.ID != "default" || s.Version != 3 || s.Year != 0 || s.County.AirQuality.Annual != AnnualHJ663 || s.County.AirQuality.MinMonths != 0 {
		t.Fatalf("id %s version %d year %d", s.ID, s.Version, s.Year)
	}
	d := s.Deductions
	for name, c := range map[string]struct{ got, want Points }{
		"lead": {d.Slip.Lead, Whole(5)}, "joint": {d.Slip.Joint, Whole(5)}, "support": {d.Slip.Support, Whole(3)},
		"per step": {d.Lateness.PointsPerStep, Whole(1)}, "lateness cap": {d.Lateness.CapPerSlip, Whole(5)},
		"missed report": {d.MissedReport.Points, Whole(1)}, "missed cap": {d.MissedReport.CapPerObligation, Whole(10)},
		"false report": {d.FalseReport.Points, Whole(20)}, "rectification": {d.OverdueRectification.Points, Whole(2)},
		"base": {s.Bureau.Base, Whole(100)}, "delivery": {s.County.Delivery.Weight, Whole(60)},
		"pm25": {s.County.AirQuality.PM25.Weight, Whole(20)}, "good days": {s.County.AirQuality.GoodDayRatio.Weight, Whole(10)},
		"heavy days": {s.County.AirQuality.HeavyPollutionDays.Weight, Whole(10)},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", name, c.got, c.want)
		}
	}
	if d.Lateness.GraceDays != 30 || d.Lateness.StepDays != 30 || d.MissedReport.Period != PeriodMonth || d.FalseReport.GradeCap != "不合格" {
		t.Errorf("default rules: %+v", d)
	}
	var names []string
	for _, g := range s.Grades {
		names = append(names, g.Name+">="+g.Min.String())
	}
	if strings.Join(names, " ") != "优秀>=90 良好>=80 合格>=60 不合格>=0" {
		t.Errorf("grades %v", names)
	}
	// Each call is a fresh copy.
	s.Grades[0].Name = "changed"
	if Default().Grades[0].Name != "优秀" {
		t.Fatal("Default shares state between calls")
	}
}

func TestCanonical(t *testing.T) {
	s := Default()
	c := s.Canonical()
	if !bytes.Equal(c, Default().Canonical()) {
		t.Fatal("Canonical is not deterministic")
	}
	back, err := Parse(c)
	if err != nil {
		t.Fatalf("Parse(Canonical()): %v", err)
	}
	if !reflect.DeepEqual(back, s) || !bytes.Equal(back.Canonical(), c) {
		t.Fatalf("round trip changed the scheme:\n%s\n%s", c, back.Canonical())
	}
	// The shipped file parses to the same scheme.
	raw, err := os.ReadFile("schemes/default.json")
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := Parse(raw)
	if err != nil || !reflect.DeepEqual(fromFile, s) {
		t.Fatalf("schemes/default.json: %v", err)
	}
	// The canonical form is a JSON object the SchemeAdopted command takes.
	cmd := domain.AdoptScheme{Plan: "chifeng-air", Scheme: s.ID, Version: s.Version, Year: 2025, Document: c}
	if err := cmd.Validate(); err != nil {
		t.Fatalf("AdoptScheme with the canonical document: %v", err)
	}
	if bytes.ContainsAny(c, "\n\t") || !bytes.Contains(c, []byte(`"lead":5`)) || !bytes.Contains(c, []byte(`"name":"优秀"`)) {
		t.Fatalf("canonical form: %s", c)
	}
}

// edit returns the default document with a change applied to its decoded
// form.
func edit(t *testing.T, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(Default().Canonical(), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		doc  []byte
		want string
	}{
		{"not json", []byte("{"), "invalid scoring scheme"},
		{"trailing data", append(Default().Canonical(), []byte(" {}")...), "data after"},
		{"unknown field", edit(t, func(m map[string]any) { obj(m, "deductions", "slip")["chief"] = 9 }), `unknown field "chief"`},
		{"unknown top-level field", edit(t, func(m map[string]any) { m["bonus"] = 1 }), `unknown field "bonus"`},
		{"missing field", edit(t, func(m map[string]any) { delete(obj(m, "deductions", "lateness"), "cap_per_slip") }), "missing deductions.lateness.cap_per_slip"},
		{"missing block", edit(t, func(m map[string]any) { delete(m, "county") }), "missing county"},
		{"negative cap", edit(t, func(m map[string]any) { obj(m, "deductions", "lateness")["cap_per_slip"] = -5 }), "deductions.lateness.cap_per_slip is -5, which is negative"},
		{"negative report cap", edit(t, func(m map[string]any) { obj(m, "deductions", "missed_report")["cap_per_obligation"] = -1 }), "cap_per_obligation is -1"},
		{"negative slip", edit(t, func(m map[string]any) { obj(m, "deductions", "slip")["support"] = -3 }), "deductions.slip.support is -3"},
		{"three decimals", edit(t, func(m map[string]any) { obj(m, "deductions", "slip")["lead"] = 5.125 }), "more than two decimals"},
		{"number as string", edit(t, func(m map[string]any) { obj(m, "deductions", "slip")["lead"] = "5" }), "not a plain decimal"},
		{"grades not descending", edit(t, func(m map[string]any) {
			m["grades"].([]any)[1].(map[string]any)["min"] = 95
		}), "thresholds not descending"},
		{"equal thresholds", edit(t, func(m map[string]any) {
			m["grades"].([]any)[2].(map[string]any)["min"] = 80
		}), "thresholds not descending"},
		{"last grade not 0", edit(t, func(m map[string]any) { m["grades"].([]any)[3].(map[string]any)["min"] = 10 }), "must have min 0"},
		{"duplicate grade", edit(t, func(m map[string]any) { m["grades"].([]any)[1].(map[string]any)["name"] = "优秀" }), "used twice"},
		{"no grades", edit(t, func(m map[string]any) { m["grades"] = []any{} }), "grades: none given"},
		{"unknown grade cap", edit(t, func(m map[string]any) { obj(m, "deductions", "false_report")["grade_cap"] = "差" }), "grade_cap \"差\" is not one of the grades"},
		{"bad period", edit(t, func(m map[string]any) { obj(m, "deductions", "missed_report")["period"] = "week" }), "period \"week\""},
		{"bad granted_by", edit(t, func(m map[string]any) { obj(m, "deductions", "extension")["granted_by"] = "whenever" }), "granted_by \"whenever\""},
		{"zero step", edit(t, func(m map[string]any) { obj(m, "deductions", "lateness")["step_days"] = 0 }), "step_days 0 is not positive"},
		{"bad role", edit(t, func(m map[string]any) { obj(m, "bureau")["roles"] = []any{"LEAD", "OWNER"} }), `role "OWNER"`},
		{"no roles", edit(t, func(m map[string]any) { obj(m, "county", "delivery")["roles"] = []any{} }), "county.delivery.roles is empty"},
		{"floor above base", edit(t, func(m map[string]any) { obj(m, "bureau")["floor"] = 120 }), "above bureau.base"},
		{"zero out_of", edit(t, func(m map[string]any) { obj(m, "county", "delivery")["out_of"] = 0 }), "out_of 0 is not positive"},
		{"negative weight", edit(t, func(m map[string]any) { obj(m, "county", "air_quality", "pm25")["weight"] = -20 }), "county.air_quality.pm25.weight is -20"},
		{"min months", edit(t, func(m map[string]any) {
			aq := obj(m, "county", "air_quality")
			delete(aq, "annual")
			aq["min_months"] = 13
		}), "min_months 13"},
		{"min months under HJ 663", edit(t, func(m map[string]any) { obj(m, "county", "air_quality")["min_months"] = 1 }), "min_months is not used"},
		{"unknown annual rule", edit(t, func(m map[string]any) { obj(m, "county", "air_quality")["annual"] = "monthly" }), `annual "monthly"`},
		{"bad id", edit(t, func(m map[string]any) { m["id"] = "Default Scheme" }), "id:"},
		{"version 0", edit(t, func(m map[string]any) { m["version"] = 0 }), "version 0 is not positive"},
		{"bad year", edit(t, func(m map[string]any) { m["year"] = 25 }), "year 25"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.doc)
			if !errors.Is(err, ErrInvalidScheme) {
				t.Fatalf("error %v does not match ErrInvalidScheme", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
	// Several problems are reported together.
	_, err := Parse(edit(t, func(m map[string]any) {
		obj(m, "deductions", "slip")["lead"] = -1
		obj(m, "bureau")["base"] = 0
	}))
	if err == nil || !strings.Contains(err.Error(), "slip.lead") || !strings.Contains(err.Error(), "bureau.base") {
		t.Fatalf("joined problems: %v", err)
	}
	// A committee's own version parses.
	v2 := edit(t, func(m map[string]any) {
		m["version"], m["year"] = 2, 2025
		obj(m, "deductions", "slip")["support"] = 2.5
	})
	s, err := Parse(v2)
	if err != nil || s.Version != 2 || s.Year != 2025 || s.Deductions.Slip.Support != 250 {
		t.Fatalf("v2: %+v %v", s.Deductions.Slip, err)
	}
}

func TestPoints(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Points
		out  string
	}{
		{"5", 500, "5"}, {"-5", -500, "-5"}, {"0", 0, "0"}, {"0.5", 50, "0.5"}, {"0.05", 5, "0.05"},
		{"94.5", 9450, "94.5"}, {"89.99", 8999, "89.99"}, {"-0.25", -25, "-0.25"}, {"10.10", 1010, "10.1"},
	} {
		p, err := ParsePoints(c.in)
		if err != nil || p != c.want || p.String() != c.out {
			t.Errorf("%q: %d %q %v, want %d %q", c.in, p, p.String(), err, c.want, c.out)
		}
		b, _ := p.MarshalJSON()
		if string(b) != c.out {
			t.Errorf("%q marshals to %s", c.in, b)
		}
	}
	for _, bad := range []string{"", "-", "1e2", "1.", ".5", "01", "1.234", "+1", "\"1\"", "NaN", "99999999999"} {
		if _, err := ParsePoints(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	for _, c := range []struct {
		num, den int64
		want     Points
	}{
		{1, 3, 33}, {2, 3, 67}, {1, 200, 1}, {-1, 200, -1}, {1, 400, 0}, {-25, 3, -833}, {5, 1, 500},
	} {
		if got := roundPoints(big.NewRat(c.num, c.den)); got != c.want {
			t.Errorf("round %d/%d = %d, want %d", c.num, c.den, got, c.want)
		}
	}
}

// Every rule id is documented in docs/scoring.md.
func TestRulesAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scoring.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []Kind{KindBureau, KindCounty} {
		for _, id := range RuleIDs(k) {
			if !bytes.Contains(doc, []byte("`"+id+"`")) {
				t.Errorf("docs/scoring.md does not mention `%s`", id)
			}
		}
	}
}

// deadline_days is optional (version 1 documents lack it: no deadline) and,
// when given, 0–366.
func TestReportDeadlineDays(t *testing.T) {
	if d := Default().Deductions.MissedReport.Deadline(); d != 10 {
		t.Fatalf("default deadline %d days, want 10", d)
	}
	v1 := strings.Replace(string(Default().Canonical()), `,"deadline_days":10`, "", 1)
	s, err := Parse([]byte(v1))
	if err != nil || s.Deductions.MissedReport.Deadline() != -1 {
		t.Fatalf("without deadline_days: %v, deadline %d", err, s.Deductions.MissedReport.Deadline())
	}
	bad := strings.Replace(string(Default().Canonical()), `"deadline_days":10`, `"deadline_days":-1`, 1)
	if _, err := Parse([]byte(bad)); !errors.Is(err, ErrInvalidScheme) || !strings.Contains(err.Error(), "deadline_days") {
		t.Fatalf("negative deadline_days: %v", err)
	}
}

// reminders is optional: a scheme without it (every scheme published before
// reminders existed) keeps its canonical bytes, and so its digest, and
// reminds on the default rule; a scheme with it is checked.
func TestReminderSettings(t *testing.T) {
	def := Default()
	if bytes.Contains(def.Canonical(), []byte("reminders")) {
		t.Fatalf("the default scheme's canonical form changed: %s", def.Canonical())
	}
	if got := def.ReminderSettings(); got != (ReminderRule{BeforeDays: 7, EscalateDays: 7}) {
		t.Fatalf("default reminder rule %+v", got)
	}
	with := func(block string) string {
		c := string(def.Canonical())
		return c[:len(c)-1] + `,"reminders":` + block + `}`
	}
	s, err := Parse([]byte(with(`{"before_days":3,"escalate_days":10}`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.ReminderSettings(); got != (ReminderRule{BeforeDays: 3, EscalateDays: 10}) {
		t.Fatalf("reminder rule %+v", got)
	}
	if again, err := Parse(s.Canonical()); err != nil || again.ReminderSettings() != s.ReminderSettings() {
		t.Fatalf("round trip: %v %+v", err, again.ReminderSettings())
	}
	for _, c := range []struct{ block, want string }{
		{`{"before_days":-1,"escalate_days":7}`, "reminders.before_days -1"},
		{`{"before_days":7,"escalate_days":0}`, "reminders.escalate_days 0"},
		{`{"before_days":7}`, "missing reminders.escalate_days"},
	} {
		if _, err := Parse([]byte(with(c.block))); !errors.Is(err, ErrInvalidScheme) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.block, err, c.want)
		}
	}
}
