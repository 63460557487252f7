package domain

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Date
		err  bool
	}{
		{in: "2025-12-31", want: MustDate(2025, 12, 31)},
		{in: "2024-02-29", want: MustDate(2024, 2, 29)},
		{in: "0001-01-01", want: MustDate(1, 1, 1)},
		{in: "2025-02-29", err: true},
		{in: "2025-13-01", err: true},
		{in: "2025-00-10", err: true},
		{in: "2025-04-31", err: true},
		{in: "2025-1-01", err: true},
		{in: "2025/01/01", err: true},
		{in: "2025-01-01T00:00:00Z", err: true},
		{in: "+025-01-01", err: true},
		{in: "2025-01- 1", err: true},
		{in: "0000-01-01", err: true},
		{in: "", err: true},
	} {
		got, err := ParseDate(tc.in)
		if tc.err {
			if !errors.Is(err, ErrInvalidDate) {
				t.Errorf("ParseDate(%q) = %v, %v; want ErrInvalidDate", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestDateEndOfIsMidnightInShanghai(t *testing.T) {
	d := MustDate(2025, 12, 31)
	end := d.EndOf()
	if want := time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC); !end.Equal(want) {
		t.Fatalf("EndOf = %s, want %s", end.UTC(), want)
	}
	if _, off := end.Zone(); off != 8*3600 {
		t.Fatalf("EndOf offset %d, want +8h", off)
	}
	if start := d.StartOf(); !start.Equal(time.Date(2025, 12, 30, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("StartOf = %s", start.UTC())
	}
	lastNano := end.Add(-time.Nanosecond)
	if d.PassedAt(lastNano) {
		t.Error("due 12-31 is overdue at 23:59:59.999999999 CST")
	}
	if !d.PassedAt(end) {
		t.Error("due 12-31 is not overdue at 2026-01-01 00:00 CST")
	}
	// 2025-12-31 20:00 in New York is already 2026-01-01 in Shanghai.
	ny := time.FixedZone("EST", -5*3600)
	if got := DateOf(time.Date(2025, 12, 31, 20, 0, 0, 0, ny)); got != MustDate(2026, 1, 1) {
		t.Errorf("DateOf = %s, want 2026-01-01", got)
	}
	if got := DateOf(lastNano); got != d {
		t.Errorf("DateOf(last nanosecond) = %s", got)
	}
	if got := DateOf(end); got != MustDate(2026, 1, 1) {
		t.Errorf("DateOf(EndOf) = %s", got)
	}
}

func TestDateArithmetic(t *testing.T) {
	d := MustDate(2024, 2, 28)
	for n, want := range map[int]Date{
		0: d, 1: MustDate(2024, 2, 29), 2: MustDate(2024, 3, 1), -59: MustDate(2023, 12, 31), 366: MustDate(2025, 2, 28),
	} {
		if got := d.AddDays(n); got != want {
			t.Errorf("AddDays(%d) = %s, want %s", n, got, want)
		}
		if got := want.DaysSince(d); got != n {
			t.Errorf("%s.DaysSince(%s) = %d, want %d", want, d, got, n)
		}
	}
	a, b := MustDate(2025, 6, 30), MustDate(2025, 7, 1)
	if !a.Before(b) || b.Before(a) || a.Before(a) || !b.After(a) || a.Compare(a) != 0 {
		t.Error("Before/After/Compare disagree")
	}
	if MustDate(2024, 12, 31).Before(MustDate(2024, 1, 31)) {
		t.Error("year order ignored")
	}
	if got := MustDate(2024, 2, 10).LastOfMonth(); got != MustDate(2024, 2, 29) {
		t.Errorf("LastOfMonth = %s", got)
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		Due      Date `json:"due"`
		Optional Date `json:"optional,omitzero"`
	}
	b, err := json.Marshal(doc{Due: MustDate(2025, 12, 31)})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"due":"2025-12-31"}` {
		t.Fatalf("marshal: %s", b)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil || back.Due != MustDate(2025, 12, 31) || !back.Optional.IsZero() {
		t.Fatalf("unmarshal: %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"due":"2025-02-30"}`), &back); !errors.Is(err, ErrInvalidDate) {
		t.Fatalf("bad date decoded: %v", err)
	}
	b, _ = json.Marshal(doc{})
	if string(b) != `{"due":""}` {
		t.Fatalf("zero: %s", b)
	}
}

func TestYearMonth(t *testing.T) {
	ym, err := ParseYearMonth("2025-02")
	if err != nil || ym.Year() != 2025 || ym.Month() != time.February || ym.String() != "2025-02" {
		t.Fatalf("ParseYearMonth: %v %v", ym, err)
	}
	if ym.LastDay() != MustDate(2025, 2, 28) || ym.FirstDay() != MustDate(2025, 2, 1) {
		t.Fatal("FirstDay/LastDay")
	}
	if got := YearMonthOf(time.Date(2025, 1, 31, 16, 0, 0, 0, time.UTC)); got != (YearMonth{2025, time.February}) {
		t.Errorf("YearMonthOf(2025-01-31T16:00Z) = %s, want 2025-02 (Shanghai)", got)
	}
	for _, bad := range []string{"2025-13", "2025-2", "2025-02-01", "25-02", ""} {
		if _, err := ParseYearMonth(bad); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("ParseYearMonth(%q): %v", bad, err)
		}
	}
	b, _ := json.Marshal(struct {
		P YearMonth `json:"p"`
	}{ym})
	if string(b) != `{"p":"2025-02"}` {
		t.Fatalf("json %s", b)
	}
}

func TestIDs(t *testing.T) {
	long := strings.Repeat("a", MaxIDLen+1)
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"bureau.ecology-environment", UnitID("bureau.ecology-environment").Validate()},
		{"county.hongshan", UnitID("county.hongshan").Validate()},
		{"unit.0a1b", UnitID("unit.0a1b").Validate()},
		{"chifeng-air", PlanID("chifeng-air").Validate()},
		{"chifeng-air.2025", PlanID("chifeng-air.2025").Validate()},
		{"m-2025", MilestoneID("2025年底前").Validate()},
	} {
		if tc.err != nil {
			t.Errorf("%s refused: %v", tc.name, tc.err)
		}
	}
	for name, err := range map[string]error{
		"empty unit":          UnitID("").Validate(),
		"space unit":          UnitID("county hongshan").Validate(),
		"tab unit":            UnitID("county.\thongshan").Validate(),
		"upper unit":          UnitID("County.hongshan").Validate(),
		"chinese unit":        UnitID("红山区").Validate(),
		"long unit":           UnitID(long).Validate(),
		"trailing dash":       UnitID("county.x-").Validate(),
		"leading dot":         UnitID(".county").Validate(),
		"empty plan":          PlanID("").Validate(),
		"digit part plan":     PlanID("chifeng-air-2025").Validate(),
		"leading digits plan": PlanID("2025-air").Validate(),
		"slash plan":          PlanID("chifeng/air").Validate(),
		"empty milestone":     MilestoneID("").Validate(),
		"space milestone":     MilestoneID("投入 运行").Validate(),
		"long milestone":      MilestoneID(long).Validate(),
	} {
		if !errors.Is(err, ErrInvalidID) || CodeOf(err) != InvalidArgument {
			t.Errorf("%s: %v, want ErrInvalidID", name, err)
		}
	}
	if _, err := ParseUnitID("county.aohan"); err != nil {
		t.Error(err)
	}
	if _, err := ParsePlanID("x y"); !errors.Is(err, ErrInvalidID) {
		t.Error("ParsePlanID accepted a space")
	}
}

func TestRoleKindTaskNoPercent(t *testing.T) {
	for in, want := range map[string]Role{"LEAD": RoleLead, "lead": RoleLead, " Support ": RoleSupport, "joint": RoleJoint, "implementing": RoleImplementing} {
		if got, err := ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseRole("OWNER"); !errors.Is(err, ErrInvalidRole) {
		t.Errorf("ParseRole(OWNER): %v", err)
	}
	if RoleLead.Label() != "牵头" || len(Roles()) != 4 {
		t.Error("role labels")
	}
	if k, err := ParseUnitKind("County"); err != nil || k != KindCounty {
		t.Errorf("ParseUnitKind: %v %v", k, err)
	}
	if _, err := ParseUnitKind("ministry"); !errors.Is(err, ErrInvalidUnitKind) {
		t.Errorf("ParseUnitKind(ministry): %v", err)
	}
	if n, err := ParseTaskNo("30"); err != nil || n != 30 {
		t.Errorf("ParseTaskNo: %v %v", n, err)
	}
	for _, bad := range []string{"0", "-3", "x", ""} {
		if _, err := ParseTaskNo(bad); !errors.Is(err, ErrInvalidTaskNo) {
			t.Errorf("ParseTaskNo(%q): %v", bad, err)
		}
	}
	for p, ok := range map[Percent]bool{0: true, 100: true, 55: true, -1: false, 101: false} {
		if err := p.Validate(); (err == nil) != ok || (!ok && !errors.Is(err, ErrInvalidProgress)) {
			t.Errorf("Percent(%d).Validate() = %v", p, err)
		}
	}
}

func TestErrorTaxonomy(t *testing.T) {
	err := errorf(ErrWithdrawn, "obligation x was withdrawn")
	wrapped := errors.Join(errors.New("handling command"), err)
	if !errors.Is(wrapped, ErrWithdrawn) || errors.Is(wrapped, ErrNotHolder) {
		t.Fatal("errors.Is through wrapping")
	}
	var de *Error
	if !errors.As(wrapped, &de) || de.Code != Conflict || de.Kind() != ErrWithdrawn || de.Error() != "obligation x was withdrawn" {
		t.Fatalf("errors.As: %+v", de)
	}
	if CodeOf(errors.New("io")) != "" || CodeOf(nil) != "" || CodeOf(ErrNotHolder) != Forbidden {
		t.Fatal("CodeOf")
	}
	if ErrNotFound.Kind() != ErrNotFound {
		t.Fatal("a sentinel is its own kind")
	}
}
