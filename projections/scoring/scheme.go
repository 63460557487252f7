package scoring

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"taskledger/domain"
)

// ErrInvalidScheme is matched (errors.Is) by every error Parse and
// Validate return.
var ErrInvalidScheme = errors.New("invalid scoring scheme")

//go:embed schemes/default.json
var defaultScheme []byte

// Default returns the default scheme shipped with taskledger
// (schemes/default.json), the rules of docs/scoring.md. Each call returns a
// fresh copy.
func Default() Scheme {
	s, err := Parse(defaultScheme)
	if err != nil {
		panic(fmt.Sprintf("scoring: the embedded default scheme is invalid: %v", err))
	}
	return s
}

// Scheme is a versioned set of scoring rules: every number the scorecards
// use is here, none is a constant in code. A committee adopts a scheme
// version for a year with the SchemeAdopted event, whose Document is
// Canonical(). docs/scoring.md explains every field.
type Scheme struct {
	// ID names the scheme, e.g. "default": 1–64 bytes of lower-case
	// letters, digits, '.', '_' and '-'.
	ID string `json:"id"`
	// Version counts the scheme's revisions, from 1.
	Version int `json:"version"`
	// Year, when set, is the only assessment year the scheme scores.
	Year int `json:"year,omitempty"`
	// Title describes the scheme.
	Title string `json:"title,omitempty"`
	// Deductions are the task-delivery rules shared by bureaus and counties.
	Deductions Deductions `json:"deductions"`
	// Bureau says how bureau scorecards are built.
	Bureau BureauRules `json:"bureau"`
	// County says how county scorecards are built.
	County CountyRules `json:"county"`
	// Grades, best first, with strictly descending thresholds; the last
	// has threshold 0.
	Grades []Grade `json:"grades"`
	// Reminders sets when reminders (催办) and escalations are recorded.
	// Nil (absent, as in every scheme written before reminders existed,
	// whose published documents stay byte-identical) means
	// DefaultReminders.
	Reminders *ReminderRule `json:"reminders,omitempty"`
	// Appeals sets the appeal window. Nil (absent, as in every scheme
	// written before appeals existed) means DefaultAppeals.
	Appeals *AppealRule `json:"appeals,omitempty"`
	// Rectification says when a reported rectification counts. Nil
	// (absent, as in every scheme written before rectification review
	// existed, whose scores stay as they were) means
	// DefaultRectification: it counts when reported.
	Rectification *RectificationRule `json:"rectification,omitempty"`
}

// ReminderRule sets the reminder process: a reminder BeforeDays days
// before a due date, one when it is overdue, an escalation to the task's
// lead unit EscalateDays days after it, and one to the supervising office
// EscalateDays days after that.
type ReminderRule struct {
	BeforeDays   int `json:"before_days"`
	EscalateDays int `json:"escalate_days"`
}

// DefaultReminders is the reminder rule of a scheme that sets none: a week
// before, then a week between escalations.
var DefaultReminders = ReminderRule{BeforeDays: 7, EscalateDays: 7}

// ReminderSettings returns the scheme's reminder rule, or DefaultReminders
// when it sets none.
func (s Scheme) ReminderSettings() ReminderRule {
	if s.Reminders == nil {
		return DefaultReminders
	}
	return *s.Reminders
}

// Deductions are the task-delivery rules. All amounts are points deducted,
// written as non-negative numbers.
type Deductions struct {
	Slip                 SlipRule                 `json:"slip"`
	Lateness             LatenessRule             `json:"lateness"`
	Extension            ExtensionRule            `json:"extension"`
	MissedReport         MissedReportRule         `json:"missed_report"`
	FalseReport          FalseReportRule          `json:"false_report"`
	OverdueRectification OverdueRectificationRule `json:"overdue_rectification"`
}

// SlipRule is the deduction per slipped milestone, by the holder's role.
type SlipRule struct {
	Lead         Points `json:"lead"`
	Joint        Points `json:"joint"`
	Support      Points `json:"support"`
	Implementing Points `json:"implementing"`
}

// For returns the deduction for a role.
func (r SlipRule) For(role domain.Role) Points {
	switch role {
	case domain.RoleLead:
		return r.Lead
	case domain.RoleJoint:
		return r.Joint
	case domain.RoleSupport:
		return r.Support
	case domain.RoleImplementing:
		return r.Implementing
	}
	return 0
}

// LatenessRule deducts more the longer a slipped milestone stays late:
// PointsPerStep for every full StepDays beyond the first GraceDays days
// late, at most CapPerSlip per slipped milestone.
type LatenessRule struct {
	GraceDays     int    `json:"grace_days"`
	StepDays      int    `json:"step_days"`
	PointsPerStep Points `json:"points_per_step"`
	CapPerSlip    Points `json:"cap_per_slip"`
}

// Steps returns the number of lateness steps for a number of days late.
func (r LatenessRule) Steps(daysLate int) int {
	if daysLate < r.GraceDays || r.StepDays <= 0 {
		return 0
	}
	return (daysLate - r.GraceDays) / r.StepDays
}

// The times by which a grant is judged to come before a due date.
const (
	// GrantedByRecorded judges a grant by when the ledger recorded it.
	GrantedByRecorded = "recorded"
	// GrantedByEffective judges a grant by its effective time, which a
	// backdated entry sets earlier than its recording.
	GrantedByEffective = "effective"
)

// ExtensionRule says when an extension excuses a slip.
type ExtensionRule struct {
	// GrantedBy is GrantedByRecorded or GrantedByEffective.
	GrantedBy string `json:"granted_by"`
}

// The reporting periods.
const (
	// PeriodMonth: a report is owed for every calendar month.
	PeriodMonth = "month"
	// PeriodQuarter: a report is owed for every calendar quarter.
	PeriodQuarter = "quarter"
)

// MissedReportRule deducts Points per periodic report owed and not made
// by the period's reporting deadline, at most CapPerObligation per
// obligation and year.
type MissedReportRule struct {
	// Period is PeriodMonth or PeriodQuarter.
	Period           string `json:"period"`
	Points           Points `json:"points"`
	CapPerObligation Points `json:"cap_per_obligation"`
	// DeadlineDays is how many days after a period's last day its report
	// must be recorded; a report recorded later is late and does not make
	// the period. Nil (absent, as in documents written for version 1 of
	// the default scheme) sets no deadline.
	DeadlineDays *int `json:"deadline_days,omitempty"`
}

// Deadline returns DeadlineDays, or -1 when the scheme sets no deadline
// (the argument PeriodReport.LateAfter takes for "never late").
func (r MissedReportRule) Deadline() int {
	if r.DeadlineDays == nil {
		return -1
	}
	return *r.DeadlineDays
}

// FalseReportRule deducts Points per confirmed false report and caps the
// unit's grade at GradeCap (a grade name; empty for no cap).
type FalseReportRule struct {
	Points   Points `json:"points"`
	GradeCap string `json:"grade_cap"`
}

// OverdueRectificationRule deducts Points per rectification not completed
// by its due date.
type OverdueRectificationRule struct {
	Points Points `json:"points"`
}

// BureauRules build a bureau's scorecard: Base minus the deductions over
// its obligations in Roles, not below Floor.
type BureauRules struct {
	Base  Points        `json:"base"`
	Floor Points        `json:"floor"`
	Roles []domain.Role `json:"roles"`
}

// CountyRules build a county's scorecard: task delivery plus air quality.
type CountyRules struct {
	Delivery   DeliveryRules   `json:"delivery"`
	AirQuality AirQualityRules `json:"air_quality"`
}

// DeliveryRules score a county's task delivery: the deductions over its
// obligations in Roles are counted out of OutOf points and scaled to
// Weight, so delivery = Weight × (OutOf − deductions) / OutOf, not below 0.
type DeliveryRules struct {
	Weight Points        `json:"weight"`
	OutOf  Points        `json:"out_of"`
	Roles  []domain.Role `json:"roles"`
}

// AnnualHJ663 is the AirQualityRules.Annual value that takes annual
// figures over valid days with HJ 663's validity rule (package
// airquality).
const AnnualHJ663 = "hj663"

// AirQualityRules score a county's air quality against the plan's targets.
type AirQualityRules struct {
	// Annual says how a year's value is taken from the measurements:
	// AnnualHJ663 (over valid days; from version 3 of the default scheme),
	// or empty for the rule of earlier documents: the mean (or sum) of the
	// monthly values, needing MinMonths of them.
	Annual string `json:"annual,omitempty"`
	// MinMonths is the fewest measured months a metric needs to score
	// under the monthly rule; unused (0) under AnnualHJ663.
	MinMonths          int        `json:"min_months,omitempty"`
	PM25               MetricRule `json:"pm25"`
	GoodDayRatio       MetricRule `json:"good_day_ratio"`
	HeavyPollutionDays MetricRule `json:"heavy_pollution_days"`
}

// Metric returns the rule for an indicator metric.
func (r AirQualityRules) Metric(m domain.Metric) MetricRule {
	switch m {
	case domain.MetricPM25:
		return r.PM25
	case domain.MetricGoodDayRatio:
		return r.GoodDayRatio
	case domain.MetricHeavyPollutionDays:
		return r.HeavyPollutionDays
	}
	return MetricRule{}
}

// MetricRule gives a metric Weight points when its target is met, falling
// linearly to 0 as the annual value misses the target by ZeroAtMiss (in the
// metric's own unit: μg/m³, percentage points, days); a ZeroAtMiss of 0
// makes the metric all or nothing.
type MetricRule struct {
	Weight     Points `json:"weight"`
	ZeroAtMiss Points `json:"zero_at_miss"`
}

// Grade is a named score band: a total of at least Min earns it.
type Grade struct {
	Min    Points `json:"min"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
}

// Parse decodes and validates a scheme document. Unknown fields, missing
// fields, numbers with more than two decimals and every rule Validate
// checks are errors matching ErrInvalidScheme.
func Parse(b []byte) (Scheme, error) {
	var s Scheme
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Scheme{}, fmt.Errorf("%w: %v", ErrInvalidScheme, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Scheme{}, fmt.Errorf("%w: data after the scheme object", ErrInvalidScheme)
	}
	if missing := missingFields(b, s.Canonical()); len(missing) > 0 {
		return Scheme{}, fmt.Errorf("%w: missing %s", ErrInvalidScheme, strings.Join(missing, ", "))
	}
	if err := s.Validate(); err != nil {
		return Scheme{}, err
	}
	return s, nil
}

// missingFields lists the fields present in the canonical form of what
// was decoded but absent from the document: a field left out would
// otherwise silently score as zero.
func missingFields(doc, canonical []byte) []string {
	var got, want any
	if json.Unmarshal(doc, &got) != nil || json.Unmarshal(canonical, &want) != nil {
		return nil
	}
	var out []string
	var walk func(path string, w, g any)
	walk = func(path string, w, g any) {
		switch wv := w.(type) {
		case map[string]any:
			gv, _ := g.(map[string]any)
			keys := make([]string, 0, len(wv))
			for k := range wv {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if gk, ok := gv[k]; ok {
					walk(p, wv[k], gk)
				} else {
					out = append(out, p)
				}
			}
		case []any:
			gv, _ := g.([]any)
			for i := range wv {
				if i < len(gv) {
					walk(fmt.Sprintf("%s[%d]", path, i), wv[i], gv[i])
				}
			}
		}
	}
	walk("", want, got)
	return out
}

// Canonical returns the scheme as deterministic JSON: fields in a fixed
// order, numbers in their shortest decimal form, no insignificant space.
// It is the Document of the SchemeAdopted event; Parse(Canonical())
// returns the same scheme.
func (s Scheme) Canonical() []byte {
	return marshal(s)
}

// marshal encodes v without HTML escaping and without a trailing newline.
// The types of this package always encode.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("scoring: encode %T: %v", v, err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Validate checks the scheme's rules and reports every problem found, in
// one error matching ErrInvalidScheme.
func (s Scheme) Validate() error {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	nonNeg := func(field string, p Points) {
		if p < 0 {
			bad("%s is %s, which is negative", field, p)
		}
	}
	if err := checkSchemeID(s.ID); err != nil {
		bad("id: %v", err)
	}
	if s.Version < 1 {
		bad("version %d is not positive", s.Version)
	}
	if s.Year != 0 && (s.Year < 1990 || s.Year > 2100) {
		bad("year %d is outside 1990–2100", s.Year)
	}
	d := s.Deductions
	nonNeg("deductions.slip.lead", d.Slip.Lead)
	nonNeg("deductions.slip.joint", d.Slip.Joint)
	nonNeg("deductions.slip.support", d.Slip.Support)
	nonNeg("deductions.slip.implementing", d.Slip.Implementing)
	if d.Lateness.GraceDays < 0 {
		bad("deductions.lateness.grace_days %d is negative", d.Lateness.GraceDays)
	}
	if d.Lateness.StepDays < 1 {
		bad("deductions.lateness.step_days %d is not positive", d.Lateness.StepDays)
	}
	nonNeg("deductions.lateness.points_per_step", d.Lateness.PointsPerStep)
	nonNeg("deductions.lateness.cap_per_slip", d.Lateness.CapPerSlip)
	switch d.Extension.GrantedBy {
	case GrantedByRecorded, GrantedByEffective:
	default:
		bad("deductions.extension.granted_by %q is not %q or %q", d.Extension.GrantedBy, GrantedByRecorded, GrantedByEffective)
	}
	switch d.MissedReport.Period {
	case PeriodMonth, PeriodQuarter:
	default:
		bad("deductions.missed_report.period %q is not %q or %q", d.MissedReport.Period, PeriodMonth, PeriodQuarter)
	}
	nonNeg("deductions.missed_report.points", d.MissedReport.Points)
	nonNeg("deductions.missed_report.cap_per_obligation", d.MissedReport.CapPerObligation)
	if dd := d.MissedReport.DeadlineDays; dd != nil && (*dd < 0 || *dd > 366) {
		bad("deductions.missed_report.deadline_days %d is outside 0–366", *dd)
	}
	if r := s.Reminders; r != nil {
		if r.BeforeDays < 0 || r.BeforeDays > 366 {
			bad("reminders.before_days %d is outside 0–366", r.BeforeDays)
		}
		if r.EscalateDays < 1 || r.EscalateDays > 366 {
			bad("reminders.escalate_days %d is outside 1–366", r.EscalateDays)
		}
	}
	if a := s.Appeals; a != nil && (a.WindowDays < 0 || a.WindowDays > 366) {
		bad("appeals.window_days %d is outside 0–366", a.WindowDays)
	}
	nonNeg("deductions.false_report.points", d.FalseReport.Points)
	nonNeg("deductions.overdue_rectification.points", d.OverdueRectification.Points)

	if s.Bureau.Base <= 0 {
		bad("bureau.base %s is not positive", s.Bureau.Base)
	}
	nonNeg("bureau.floor", s.Bureau.Floor)
	if s.Bureau.Floor > s.Bureau.Base {
		bad("bureau.floor %s is above bureau.base %s", s.Bureau.Floor, s.Bureau.Base)
	}
	checkRoles := func(field string, roles []domain.Role) {
		if len(roles) == 0 {
			bad("%s is empty", field)
		}
		seen := map[domain.Role]bool{}
		for _, r := range roles {
			if err := r.Validate(); err != nil {
				bad("%s: role %q is not LEAD, JOINT, SUPPORT or IMPLEMENTING", field, string(r))
			} else if seen[r] {
				bad("%s: role %s is listed twice", field, r)
			}
			seen[r] = true
		}
	}
	checkRoles("bureau.roles", s.Bureau.Roles)
	nonNeg("county.delivery.weight", s.County.Delivery.Weight)
	if s.County.Delivery.OutOf <= 0 {
		bad("county.delivery.out_of %s is not positive", s.County.Delivery.OutOf)
	}
	checkRoles("county.delivery.roles", s.County.Delivery.Roles)
	aq := s.County.AirQuality
	switch aq.Annual {
	case "":
		if aq.MinMonths < 1 || aq.MinMonths > 12 {
			bad("county.air_quality.min_months %d is outside 1–12", aq.MinMonths)
		}
	case AnnualHJ663:
		if aq.MinMonths != 0 {
			bad("county.air_quality.min_months is not used with annual %q (HJ 663 sets the valid days); leave it out", AnnualHJ663)
		}
	default:
		bad("county.air_quality.annual %q is not %q (or left out for monthly means)", aq.Annual, AnnualHJ663)
	}
	for _, m := range metricOrder() {
		r := aq.Metric(m)
		nonNeg("county.air_quality."+string(m)+".weight", r.Weight)
		nonNeg("county.air_quality."+string(m)+".zero_at_miss", r.ZeroAtMiss)
	}

	if len(s.Grades) == 0 {
		bad("grades: none given")
	}
	names := map[string]bool{}
	for i, g := range s.Grades {
		if strings.TrimSpace(g.Name) == "" {
			bad("grades[%d]: name is empty", i)
		} else if names[g.Name] {
			bad("grades[%d]: name %q is used twice", i, g.Name)
		}
		names[g.Name] = true
		if i > 0 && g.Min >= s.Grades[i-1].Min {
			bad("grades: thresholds not descending: grades[%d] %q has min %s after %s", i, g.Name, g.Min, s.Grades[i-1].Min)
		}
	}
	if n := len(s.Grades); n > 0 && s.Grades[n-1].Min != 0 {
		bad("grades: the last grade %q must have min 0, not %s, so every score has a grade", s.Grades[n-1].Name, s.Grades[n-1].Min)
	}
	if c := d.FalseReport.GradeCap; c != "" && !names[c] {
		bad("deductions.false_report.grade_cap %q is not one of the grades", c)
	}
	if len(probs) > 0 {
		return fmt.Errorf("%w %s v%d: %s", ErrInvalidScheme, s.ID, s.Version, strings.Join(probs, "; "))
	}
	return nil
}

// checkSchemeID applies the ledger's identifier rules (as for scheme ids
// in SchemeAdopted).
func checkSchemeID(id string) error {
	if id == "" || len(id) > domain.MaxIDLen {
		return fmt.Errorf("%q must be 1–%d bytes", id, domain.MaxIDLen)
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	for i := 0; i < len(id); i++ {
		if c := id[i]; !alnum(c) && c != '.' && c != '_' && c != '-' {
			return fmt.Errorf("%q: only lower-case letters, digits, '.', '_' and '-' are allowed", id)
		}
	}
	if !alnum(id[0]) || !alnum(id[len(id)-1]) {
		return fmt.Errorf("%q must start and end with a letter or digit", id)
	}
	return nil
}

// gradeOf returns the index in s.Grades of the grade a total earns.
func (s Scheme) gradeOf(total Points) int {
	for i, g := range s.Grades {
		if total >= g.Min {
			return i
		}
	}
	return len(s.Grades) - 1
}

// gradeIndex returns the index of the named grade, or -1.
func (s Scheme) gradeIndex(name string) int {
	for i, g := range s.Grades {
		if g.Name == name {
			return i
		}
	}
	return -1
}
