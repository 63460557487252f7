package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxIDLen is the longest PlanID, UnitID or MilestoneID accepted, in bytes.
const MaxIDLen = 64

// Shanghai returns the Asia/Shanghai time zone as a fixed UTC+8 offset.
// China has observed no daylight saving time since 1991, so a fixed zone is
// exact for every date a plan can name, and needs no tzdata. Every call
// returns the same Location, which nothing changes: building one per call
// cost the scorecards a quarter of their time.
func Shanghai() *time.Location { return shanghai }

// shanghai is the one fixed UTC+8 Location Shanghai hands out; like
// time.UTC it is never modified.
var shanghai = time.FixedZone("CST", 8*3600)

// checkID validates the shared shape of plan and unit IDs: 1–MaxIDLen bytes
// of lower-case ASCII letters, digits, '.', '_' and (when dash) '-',
// starting and ending with a letter or digit.
func checkID(what, s string, dash bool) error {
	if s == "" {
		return errorf(ErrInvalidID, "%s is empty", what)
	}
	if len(s) > MaxIDLen {
		return errorf(ErrInvalidID, "%s %q is longer than %d bytes", what, s, MaxIDLen)
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case alnum(c), c == '.', c == '_':
		case c == '-' && dash:
		default:
			allowed := "lower-case letters, digits, '.' and '_'"
			if dash {
				allowed = "lower-case letters, digits, '.', '_' and '-'"
			}
			r, _ := utf8.DecodeRuneInString(s[i:])
			return errorf(ErrInvalidID, "%s %q: character %q not allowed (use %s)", what, s, r, allowed)
		}
	}
	if !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return errorf(ErrInvalidID, "%s %q must start and end with a letter or digit", what, s)
	}
	return nil
}

// UnitID is the stable ASCII identifier of a unit, such as
// "bureau.ecology-environment" or "county.hongshan". It is 1–64 bytes of
// lower-case letters, digits, '.', '_' and '-', starting and ending with a
// letter or digit. It never changes when the unit is renamed.
type UnitID string

// Validate reports whether the ID is well-formed.
func (u UnitID) Validate() error { return checkID("unit id", string(u), true) }

// ParseUnitID validates s as a UnitID.
func ParseUnitID(s string) (UnitID, error) {
	u := UnitID(s)
	return u, u.Validate()
}

// PlanID is the stable ASCII identifier of a plan, such as "chifeng-air"
// or "chifeng-air.2025". It is shaped like a UnitID, and in addition none of
// its '-'-separated parts may be all digits ("chifeng-air-2025" is refused):
// stream names join plan, task number and unit with '-', and unit IDs may
// contain '-' too, so the task number must be the first all-digit part.
type PlanID string

// Validate reports whether the ID is well-formed.
func (p PlanID) Validate() error {
	s := string(p)
	if err := checkID("plan id", s, true); err != nil {
		return err
	}
	for _, part := range strings.Split(s, "-") {
		if allDigits(part) {
			return errorf(ErrInvalidID, "plan id %q: part %q is all digits (join a year with '.', e.g. \"chifeng-air.2025\")", s, part)
		}
	}
	return nil
}

// allDigits reports whether s is non-empty and all ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParsePlanID validates s as a PlanID.
func ParsePlanID(s string) (PlanID, error) {
	p := PlanID(s)
	return p, p.Validate()
}

// MilestoneID names one milestone of an obligation, unique within it, such
// as "2025" or "operational". It is 1–64 bytes of printable UTF-8 without
// white space.
type MilestoneID string

// Validate reports whether the ID is well-formed.
func (m MilestoneID) Validate() error {
	s := string(m)
	switch {
	case s == "":
		return errorf(ErrInvalidID, "milestone id is empty")
	case len(s) > MaxIDLen:
		return errorf(ErrInvalidID, "milestone id %q is longer than %d bytes", s, MaxIDLen)
	case !utf8.ValidString(s):
		return errorf(ErrInvalidID, "milestone id %q is not valid UTF-8", s)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return errorf(ErrInvalidID, "milestone id %q contains white space or a control character", s)
		}
	}
	return nil
}

// UnitKind says what sort of body a unit is.
type UnitKind string

// The unit kinds.
const (
	// KindBureau is a city department (市直部门), e.g. 生态环境局.
	KindBureau UnitKind = "bureau"
	// KindCounty is a county-level government (旗县区人民政府).
	KindCounty UnitKind = "county"
	// KindBody is any other body a plan names (e.g. 赤峰海关, an enterprise).
	KindBody UnitKind = "body"
	// KindCity is a plan's whole area (全市) as a unit: city-wide indicator
	// figures are recorded on it. It holds no duties and is not scored.
	KindCity UnitKind = "city"
	// KindCollective is a collective duty-holder: a phrase such as 各区、县级市
	// that names a set of units the plan's registry cannot list, kept whole
	// as one holder rather than split into fragments.
	KindCollective UnitKind = "collective"
)

// Validate reports whether k is one of the defined kinds.
func (k UnitKind) Validate() error {
	switch k {
	case KindBureau, KindCounty, KindBody, KindCity, KindCollective:
		return nil
	}
	return errorf(ErrInvalidUnitKind, "unit kind %q is not bureau, county, body, city or collective", string(k))
}

// ParseUnitKind parses a unit kind, ignoring case and surrounding space.
func ParseUnitKind(s string) (UnitKind, error) {
	k := UnitKind(strings.ToLower(strings.TrimSpace(s)))
	return k, k.Validate()
}

// TaskNo is a task's number within its plan: （三） is 3, （三十） is 30.
type TaskNo int

// Validate reports whether n is positive.
func (n TaskNo) Validate() error {
	if n <= 0 {
		return errorf(ErrInvalidTaskNo, "task number %d is not positive", int(n))
	}
	return nil
}

// ParseTaskNo parses a decimal task number.
func ParseTaskNo(s string) (TaskNo, error) {
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, errorf(ErrInvalidTaskNo, "task number %q is not a decimal integer", s)
	}
	n := TaskNo(v)
	return n, n.Validate()
}

// Role is the part a unit plays in a task.
type Role string

// The roles.
const (
	// RoleLead leads the task (牵头).
	RoleLead Role = "LEAD"
	// RoleJoint shares the lead when no 牵头 is named (按职责分工负责).
	RoleJoint Role = "JOINT"
	// RoleSupport supports a lead (named after a 牵头, or under 配合).
	RoleSupport Role = "SUPPORT"
	// RoleImplementing carries the task out locally (各旗县区人民政府落实).
	RoleImplementing Role = "IMPLEMENTING"
)

// Roles lists every role in a fixed order.
func Roles() []Role { return []Role{RoleLead, RoleJoint, RoleSupport, RoleImplementing} }

// Validate reports whether r is one of the defined roles (upper case).
func (r Role) Validate() error {
	switch r {
	case RoleLead, RoleJoint, RoleSupport, RoleImplementing:
		return nil
	}
	return errorf(ErrInvalidRole, "role %q is not LEAD, JOINT, SUPPORT or IMPLEMENTING", string(r))
}

// ParseRole parses a role, ignoring case and surrounding space, so the
// lower-case form in stream names parses too.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToUpper(strings.TrimSpace(s)))
	return r, r.Validate()
}

// Label returns the Chinese phrase a plan uses for the role.
func (r Role) Label() string {
	switch r {
	case RoleLead:
		return "牵头"
	case RoleJoint:
		return "按职责分工负责"
	case RoleSupport:
		return "配合"
	case RoleImplementing:
		return "落实"
	}
	return string(r)
}

// Percent is a whole percentage, 0 to 100, as used for progress.
type Percent int

// Validate reports whether p lies in 0–100.
func (p Percent) Validate() error {
	if p < 0 || p > 100 {
		return errorf(ErrInvalidProgress, "progress %d%% is outside 0–100", int(p))
	}
	return nil
}

// Date is a civil date in Asia/Shanghai, the unit plans set deadlines in.
// The zero Date means "no date". Dates are comparable with ==; they marshal
// as "YYYY-MM-DD" (the zero Date as ""). Event payloads write an absent
// date as "" (no omitzero: the encoder that wrote the first ledgers ignored
// that option, and stored payloads must keep encoding to the same bytes).
type Date struct {
	y int
	m time.Month
	d int
}

// NewDate returns the date y-m-d, or ErrInvalidDate when it does not exist
// (e.g. February 30) or the year is outside 1–9999.
func NewDate(y int, m time.Month, d int) (Date, error) {
	if y < 1 || y > 9999 || m < time.January || m > time.December || d < 1 {
		return Date{}, errorf(ErrInvalidDate, "date %04d-%02d-%02d does not exist", y, int(m), d)
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return Date{}, errorf(ErrInvalidDate, "date %04d-%02d-%02d does not exist", y, int(m), d)
	}
	return Date{y, m, d}, nil
}

// MustDate is NewDate for literals known to be valid; it panics otherwise.
func MustDate(y int, m time.Month, d int) Date {
	dt, err := NewDate(y, m, d)
	if err != nil {
		panic(err)
	}
	return dt
}

// ParseDate parses "YYYY-MM-DD" strictly (zero-padded, no time part).
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, errorf(ErrInvalidDate, "date %q is not YYYY-MM-DD", s)
	}
	y, e1 := strconv.Atoi(s[0:4])
	m, e2 := strconv.Atoi(s[5:7])
	d, e3 := strconv.Atoi(s[8:10])
	if e1 != nil || e2 != nil || e3 != nil || strings.ContainsAny(s, "+ ") {
		return Date{}, errorf(ErrInvalidDate, "date %q is not YYYY-MM-DD", s)
	}
	return NewDate(y, time.Month(m), d)
}

// DateOf returns the Shanghai civil date of the instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Shanghai()).Date()
	return Date{y, m, d}
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Year returns the year.
func (d Date) Year() int { return d.y }

// Month returns the month.
func (d Date) Month() time.Month { return d.m }

// Day returns the day of the month.
func (d Date) Day() int { return d.d }

// String returns "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.y, int(d.m), d.d)
}

// StartOf returns the instant the day begins in Shanghai (00:00 CST).
func (d Date) StartOf() time.Time { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, Shanghai()) }

// EndOf returns the instant the day ends in Shanghai: 00:00 CST of the next
// day. A milestone due on d is met by anything strictly before EndOf and is
// overdue from EndOf on (see PassedAt).
func (d Date) EndOf() time.Time { return time.Date(d.y, d.m, d.d+1, 0, 0, 0, 0, Shanghai()) }

// PassedAt reports whether the whole day d is over at instant t, i.e.
// whether something due on d is overdue at t.
func (d Date) PassedAt(t time.Time) bool { return !t.Before(d.EndOf()) }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.y != o.y:
		return cmpInt(d.y, o.y)
	case d.m != o.m:
		return cmpInt(int(d.m), int(o.m))
	default:
		return cmpInt(d.d, o.d)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AddDays returns the date n days after d (before, for negative n).
func (d Date) AddDays(n int) Date {
	y, m, dd := time.Date(d.y, d.m, d.d+n, 0, 0, 0, 0, time.UTC).Date()
	return Date{y, m, dd}
}

// DaysSince returns the number of days from o to d: positive when d is
// later. Use it for "days late".
func (d Date) DaysSince(o Date) int {
	a := time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC)
	b := time.Date(o.y, o.m, o.d, 0, 0, 0, 0, time.UTC)
	return int(a.Sub(b).Hours() / 24)
}

// MarshalText writes "YYYY-MM-DD" ("" for the zero Date).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "YYYY-MM-DD"; "" gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// YearMonth is a calendar month, the period of an indicator measurement.
// It marshals as "YYYY-MM"; the zero value means "none".
type YearMonth struct {
	y int
	m time.Month
}

// NewYearMonth returns the month y-m, or ErrInvalidDate when out of range.
func NewYearMonth(y int, m time.Month) (YearMonth, error) {
	if y < 1 || y > 9999 || m < time.January || m > time.December {
		return YearMonth{}, errorf(ErrInvalidDate, "month %04d-%02d does not exist", y, int(m))
	}
	return YearMonth{y, m}, nil
}

// ParseYearMonth parses "YYYY-MM" strictly.
func ParseYearMonth(s string) (YearMonth, error) {
	if len(s) != 7 || s[4] != '-' || strings.ContainsAny(s, "+ ") {
		return YearMonth{}, errorf(ErrInvalidDate, "month %q is not YYYY-MM", s)
	}
	y, e1 := strconv.Atoi(s[0:4])
	m, e2 := strconv.Atoi(s[5:7])
	if e1 != nil || e2 != nil {
		return YearMonth{}, errorf(ErrInvalidDate, "month %q is not YYYY-MM", s)
	}
	return NewYearMonth(y, time.Month(m))
}

// YearMonthOf returns the Shanghai calendar month of the instant t.
func YearMonthOf(t time.Time) YearMonth {
	y, m, _ := t.In(Shanghai()).Date()
	return YearMonth{y, m}
}

// IsZero reports whether ym is the zero value.
func (ym YearMonth) IsZero() bool { return ym == YearMonth{} }

// Year returns the year.
func (ym YearMonth) Year() int { return ym.y }

// Month returns the month.
func (ym YearMonth) Month() time.Month { return ym.m }

// String returns "YYYY-MM", or "" for the zero value.
func (ym YearMonth) String() string {
	if ym.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", ym.y, int(ym.m))
}

// FirstDay returns the first day of the month.
func (ym YearMonth) FirstDay() Date { return Date{ym.y, ym.m, 1} }

// LastDay returns the last day of the month.
func (ym YearMonth) LastDay() Date { return Date{ym.y, ym.m, 1}.LastOfMonth() }

// Days returns the number of days in the month.
func (ym YearMonth) Days() int { return ym.LastDay().Day() }

// MonthOf returns the month a day lies in.
func (d Date) MonthOf() YearMonth { return YearMonth{d.y, d.m} }

// LastOfMonth returns the last day of d's month.
func (d Date) LastOfMonth() Date {
	y, m, dd := time.Date(d.y, d.m+1, 0, 0, 0, 0, 0, time.UTC).Date()
	return Date{y, m, dd}
}

// MarshalText writes "YYYY-MM" ("" for the zero value).
func (ym YearMonth) MarshalText() ([]byte, error) { return []byte(ym.String()), nil }

// UnmarshalText reads "YYYY-MM"; "" gives the zero value.
func (ym *YearMonth) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*ym = YearMonth{}
		return nil
	}
	p, err := ParseYearMonth(string(b))
	if err != nil {
		return err
	}
	*ym = p
	return nil
}

// checkText validates a free-text field: valid UTF-8, at most max runes,
// and non-blank when required.
func checkText(field, s string, max int, required bool) error {
	if !utf8.ValidString(s) {
		return errorf(ErrInvalidArgument, "%s is not valid UTF-8", field)
	}
	if required && strings.TrimSpace(s) == "" {
		return errorf(ErrInvalidArgument, "%s is required", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return errorf(ErrInvalidArgument, "%s is %d characters long, more than %d", field, n, max)
	}
	return nil
}

// Text length limits, in characters (runes).
const (
	// MaxNameLen bounds unit names, plan and task titles, chapter names.
	MaxNameLen = 200
	// MaxNoteLen bounds notes, reasons, evidence and finding summaries.
	MaxNoteLen = 4000
	// MaxTaskTextLen bounds a task's full text.
	MaxTaskTextLen = 20000
)

// CityUnit returns the id of the unit that stands for a plan's whole area
// (全市, kind city): "city." followed by the plan id. City-wide indicator
// figures are recorded on it.
func CityUnit(plan PlanID) UnitID { return UnitID("city." + string(plan)) }
