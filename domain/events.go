package domain

import (
	"encoding/json"
	"time"
)

// Event payloads. Every type is a plain struct with snake_case JSON fields,
// registered at schema version 1 in DefaultRegistry. Each carries the
// identity of the aggregate it belongs to (plan, task, unit, role as
// applicable), so a projection never has to parse a stream name.
//
// Where each event lives:
//
//	plan-<plan>                    PlanRegistered, SchemeAdopted, ScorecardPublished,
//	                               BulletinIssued
//	task-<plan>-<no>               TaskRegistered, TaskAmended
//	unit-<unit>                    UnitRegistered, UnitRenamed, UnitMerged, IndicatorMeasured,
//	                               UnitSplit
//	obligation-<plan>-<no>-<unit>-<role>
//	                               ResponsibilityAssigned, ResponsibilityReassigned,
//	                               ResponsibilityWithdrawn, MilestoneScheduled,
//	                               MilestoneRescheduled, ProgressReported,
//	                               ExtensionRequested, ExtensionGranted, ExtensionRefused,
//	                               DeadlineSlipped, CompletionClaimed, CompletionVerified,
//	                               CompletionRejected, FindingRecorded, RectificationDue,
//	                               RectificationCompleted, ReminderRecorded,
//	                               ReminderDelivered, WorkSentBack,
//	                               CommentPosted, PartSignedOff,
//	                               RectificationVerified,
//	                               RectificationRejected, RectificationSlipped,
//	                               AppealFiled, AppealRuled
//
// Times are not repeated in payloads: the envelope's RecordedAt is when the
// ledger learnt a fact and EffectiveAt is when it speaks of (e.g. the day a
// completion was achieved, for a backdated claim). Dates that are data —
// due dates, the measured month — are in the payload.

// ---- plan stream ----

// TargetComparator says how a plan target's value is to be met.
type TargetComparator string

// The target comparators.
const (
	// AtMost: the measured value must be ≤ Value (e.g. PM2.5 ≤ 25).
	AtMost TargetComparator = "at_most"
	// AtLeast: the measured value must be ≥ Value (e.g. good days ≥ 94.5%).
	AtLeast TargetComparator = "at_least"
	// ReduceByPercent: the value must fall by at least Value percent from the
	// BaselineYear (e.g. PM2.5 −26.8% vs 2020).
	ReduceByPercent TargetComparator = "reduce_by_pct"
)

// PlanTarget is one quantitative goal of a plan (二、主要目标).
type PlanTarget struct {
	// Unit is the county the target applies to; empty for the whole plan area.
	Unit UnitID `json:"unit,omitempty"`
	// Metric names what is measured: an indicator Metric such as "pm25", or
	// another identifier (e.g. "nox_emissions").
	Metric string `json:"metric"`
	// Comparator says how Value is met.
	Comparator TargetComparator `json:"comparator"`
	// Value is the threshold or percentage.
	Value float64 `json:"value"`
	// BaselineYear is the reference year of a ReduceByPercent target.
	BaselineYear int `json:"baseline_year,omitempty"`
	// By is when the target must be met, e.g. 2025-12-31 for "到2025年".
	By Date `json:"by"`
	// Text is the plan's own wording.
	Text string `json:"text,omitempty"`
}

// PlanRegistered records a plan document. Stream: plan-<plan>.
type PlanRegistered struct {
	Plan  PlanID `json:"plan"`
	Title string `json:"title"`
	// Issuer is the body that issued the plan, e.g. 赤峰市人民政府.
	Issuer string `json:"issuer,omitempty"`
	// Jurisdiction is the place the plan governs, e.g. 赤峰市 or 安徽省;
	// empty in events recorded before the field existed, or when it was
	// not known.
	Jurisdiction string `json:"jurisdiction,omitempty"`
	// IssuedOn is the document's date, if known.
	IssuedOn Date `json:"issued_on"`
	// SourceDigest is the SHA-256 of the imported plan text, if any.
	SourceDigest Hash `json:"source_digest"`
	// Targets are the plan's quantitative goals.
	Targets []PlanTarget `json:"targets,omitempty"`
	// TrackingFrom is the day the ledger starts tracking the plan, when the
	// importer set one; without it tracking starts on the day of this
	// event's recording.
	TrackingFrom *Date `json:"tracking_from,omitempty"`
}

// EventType implements EventData.
func (PlanRegistered) EventType() string { return "PlanRegistered" }

// SchemeAdopted records the assessment committee adopting a version of a
// scoring scheme for a year. Stream: plan-<plan>.
type SchemeAdopted struct {
	Plan PlanID `json:"plan"`
	// Scheme identifies the scheme, e.g. "default".
	Scheme string `json:"scheme"`
	// Version is the scheme's version, from 1.
	Version int `json:"version"`
	// Year is the assessment year the scheme scores.
	Year int `json:"year"`
	// Document is the scheme's rules as a JSON object (see the scoring
	// scheme types); the ledger keeps it verbatim.
	Document json.RawMessage `json:"document"`
}

// EventType implements EventData.
func (SchemeAdopted) EventType() string { return "SchemeAdopted" }

// ScorecardPublished records the publication of a year's scorecards of one
// kind, computed with an adopted scheme from the log up to a position.
// Stream: plan-<plan>.
type ScorecardPublished struct {
	Plan PlanID `json:"plan"`
	Year int    `json:"year"`
	// Kind says which scorecards: "bureau", "county", or another identifier.
	Kind          string `json:"kind"`
	Scheme        string `json:"scheme"`
	SchemeVersion int    `json:"scheme_version"`
	// AsOfPosition is the global log position the scorecards were computed at.
	AsOfPosition uint64 `json:"as_of_position"`
	// AsOf is the effective cut-off instant, if the computation used one.
	AsOf time.Time `json:"as_of"`
	// Digest is the SHA-256 of the published result's canonical bytes.
	Digest Hash `json:"digest"`
}

// EventType implements EventData.
func (ScorecardPublished) EventType() string { return "ScorecardPublished" }

// ---- task stream ----

// TaskRegistered records one numbered task of a plan. Stream: task-<plan>-<no>.
type TaskRegistered struct {
	Plan PlanID `json:"plan"`
	Task TaskNo `json:"task"`
	// Label is the plan's numbering, e.g. "（十）".
	Label string `json:"label,omitempty"`
	// Chapter is the heading the task sits under, e.g. "二、促进产业绿色转型升级".
	Chapter string `json:"chapter,omitempty"`
	Title   string `json:"title"`
	// Text is the task's full text.
	Text string `json:"text,omitempty"`
}

// EventType implements EventData.
func (TaskRegistered) EventType() string { return "TaskRegistered" }

// TaskAmended records a change to a task's wording. Empty fields are
// unchanged. Stream: task-<plan>-<no>.
type TaskAmended struct {
	Plan    PlanID `json:"plan"`
	Task    TaskNo `json:"task"`
	Label   string `json:"label,omitempty"`
	Chapter string `json:"chapter,omitempty"`
	Title   string `json:"title,omitempty"`
	Text    string `json:"text,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// EventType implements EventData.
func (TaskAmended) EventType() string { return "TaskAmended" }

// ---- unit stream ----

// UnitRegistered records a unit. Stream: unit-<unit>.
type UnitRegistered struct {
	Unit UnitID   `json:"unit"`
	Kind UnitKind `json:"kind"`
	// Name is the unit's official name, e.g. 赤峰市生态环境局.
	Name string `json:"name"`
	// Aliases are other names plans use for it, e.g. 生态环境局.
	Aliases []string `json:"aliases,omitempty"`
	// Jurisdiction is the place the unit belongs to, e.g. 包头市: units of
	// two jurisdictions are never the same unit unless a registry says so.
	// Empty in events recorded before the field existed.
	Jurisdiction string `json:"jurisdiction,omitempty"`
}

// EventType implements EventData.
func (UnitRegistered) EventType() string { return "UnitRegistered" }

// UnitRenamed records a new official name. Stream: unit-<unit>.
type UnitRenamed struct {
	Unit    UnitID `json:"unit"`
	OldName string `json:"old_name"`
	NewName string `json:"new_name"`
	Reason  string `json:"reason,omitempty"`
}

// EventType implements EventData.
func (UnitRenamed) EventType() string { return "UnitRenamed" }

// UnitMerged records that a unit was absorbed into another in an
// institutional reform; its history follows the successor. Stream: the
// absorbed unit's, unit-<unit>.
type UnitMerged struct {
	Unit   UnitID `json:"unit"`
	Into   UnitID `json:"into"`
	Reason string `json:"reason,omitempty"`
}

// EventType implements EventData.
func (UnitMerged) EventType() string { return "UnitMerged" }

// Metric is an indicator measured per county (or the whole city) and
// period: the air-quality figures of HJ 663 and the plan's emission figures.
type Metric string

// The indicator metrics.
const (
	// MetricPM25 is the mean PM2.5 concentration over the period's valid
	// days, μg/m³.
	MetricPM25 Metric = "pm25"
	// MetricGoodDayRatio is the share of good days (优良天数比例), percent
	// (0–100). Since day counts were added it is recorded as good days
	// over valid days, and Value is their ratio.
	MetricGoodDayRatio Metric = "good_day_ratio"
	// MetricHeavyPollutionDays counts heavily polluted days (a whole number).
	MetricHeavyPollutionDays Metric = "heavy_pollution_days"
	// MetricNOxReduction is the NOx emission reduction (减排量) achieved in
	// the period, tonnes.
	MetricNOxReduction Metric = "nox_reduction"
	// MetricVOCsReduction is the VOCs emission reduction achieved in the
	// period, tonnes.
	MetricVOCsReduction Metric = "vocs_reduction"
	// MetricNOxEmissions is the NOx emitted in the period (排放总量),
	// tonnes; a year's sum is the total a "−10% vs 2020" target compares.
	MetricNOxEmissions Metric = "nox_emissions"
	// MetricVOCsEmissions is the VOCs emitted in the period, tonnes.
	MetricVOCsEmissions Metric = "vocs_emissions"
)

// Metrics lists every metric in the order views show them.
func Metrics() []Metric {
	return []Metric{MetricPM25, MetricGoodDayRatio, MetricHeavyPollutionDays,
		MetricNOxReduction, MetricVOCsReduction, MetricNOxEmissions, MetricVOCsEmissions}
}

// Validate reports whether m is a defined metric.
func (m Metric) Validate() error {
	for _, d := range Metrics() {
		if m == d {
			return nil
		}
	}
	return errorf(ErrInvalidIndicator, "metric %q is not pm25, good_day_ratio, heavy_pollution_days, nox_reduction, vocs_reduction, nox_emissions or vocs_emissions", string(m))
}

// DayCounted reports whether the metric is an air-quality figure taken
// over monitored days, which carries its number of valid days (有效天数).
// The emission metrics are tonnages and carry none.
func (m Metric) DayCounted() bool {
	switch m {
	case MetricPM25, MetricGoodDayRatio, MetricHeavyPollutionDays:
		return true
	}
	return false
}

// IndicatorMeasured records an indicator of a county (or of the city as a
// whole) for a month, or for one day of it when Day is set. A later
// measurement of the same metric and period restates it (Revision).
// Stream: unit-<unit>.
//
// Day counts: ValidDays is the number of valid monitoring days the value
// covers and GoodDays, for good_day_ratio, the good days among them.
// Events written before day counts existed carry neither (ValidDays 0):
// such a value is a monthly value covering every day of its month, and a
// good-day ratio among them stands for ratio × days / 100 good days.
type IndicatorMeasured struct {
	Unit   UnitID    `json:"unit"`
	Metric Metric    `json:"metric"`
	Period YearMonth `json:"period"`
	// Day is the day a daily value covers; nil for a monthly value. Period
	// is then the day's month. (A pointer, so monthly payloads keep the
	// bytes they had before days existed.)
	Day   *Date   `json:"day,omitempty"`
	Value float64 `json:"value"`
	// ValidDays is the number of valid days the value covers; 0 only on
	// events from before day counts (see above) and on emission metrics.
	ValidDays int `json:"valid_days,omitempty"`
	// GoodDays is the number of good days among ValidDays (good_day_ratio).
	GoodDays int `json:"good_days,omitempty"`
	// Source names where the figure comes from, e.g. a monitoring bulletin.
	Source string `json:"source,omitempty"`
	// Revision is true when this restates an earlier value for the period.
	Revision bool `json:"revision,omitempty"`
}

// DayOf returns the day of a daily value, the zero Date for a monthly one.
func (e IndicatorMeasured) DayOf() Date {
	if e.Day == nil {
		return Date{}
	}
	return *e.Day
}

// Days returns the valid days the value covers and, for good_day_ratio,
// the good days among them, reading an event from before day counts as
// covering every day of its month. Good days may then be fractional.
func (e IndicatorMeasured) Days() (valid, good float64) {
	if e.ValidDays > 0 || !e.Metric.DayCounted() {
		return float64(e.ValidDays), float64(e.GoodDays)
	}
	valid = float64(e.Period.Days())
	if e.Day != nil {
		valid = 1
	}
	if e.Metric == MetricGoodDayRatio {
		good = e.Value * valid / 100
	}
	return valid, good
}

// EventType implements EventData.
func (IndicatorMeasured) EventType() string { return "IndicatorMeasured" }

// ---- obligation stream ----
//
// Every obligation payload embeds the obligation's identity, ObligationKey,
// as its first field: it encodes as the payload's leading plan, task, unit
// and role fields and implements ObligationEvent through ObligationKey.Key.

// ResponsibilityAssigned records that a unit holds a role on a task. On a
// withdrawn or reassigned obligation it re-opens it (Reopened).
// Stream: obligation-….
type ResponsibilityAssigned struct {
	ObligationKey
	// Basis quotes the plan's wording the assignment rests on, e.g. "牵头".
	Basis string `json:"basis,omitempty"`
	// StartsOn is when the duty begins, for "从2026年1月1日起"; zero if at once.
	StartsOn Date `json:"starts_on"`
	// ReassignedFrom is the obligation this one takes over, if any.
	ReassignedFrom *ObligationKey `json:"reassigned_from,omitempty"`
	// Reopened is true when this re-opens a withdrawn obligation.
	Reopened bool `json:"reopened,omitempty"`
}

// EventType implements EventData.
func (ResponsibilityAssigned) EventType() string { return "ResponsibilityAssigned" }

// ResponsibilityReassigned records that the duty passed to another unit or
// role (whose obligation records a ResponsibilityAssigned with
// ReassignedFrom). It closes this obligation like a withdrawal.
// Stream: the old obligation's.
type ResponsibilityReassigned struct {
	ObligationKey
	ToUnit UnitID `json:"to_unit"`
	ToRole Role   `json:"to_role"`
	Reason string `json:"reason,omitempty"`
}

// EventType implements EventData.
func (ResponsibilityReassigned) EventType() string { return "ResponsibilityReassigned" }

// To returns the key of the obligation the duty passed to: the same part
// of the new unit and role.
func (e ResponsibilityReassigned) To() ObligationKey {
	return ObligationKey{Plan: e.Plan, Task: e.Task, Unit: e.ToUnit, Role: e.ToRole, Part: e.Part}
}

// ResponsibilityWithdrawn records that the unit no longer holds the role.
// Stream: obligation-….
type ResponsibilityWithdrawn struct {
	ObligationKey
	Reason string `json:"reason,omitempty"`
}

// EventType implements EventData.
func (ResponsibilityWithdrawn) EventType() string { return "ResponsibilityWithdrawn" }

// MilestoneScheduled records something due by a date, e.g. "投入运行" by
// 2024-12-31. Stream: obligation-….
type MilestoneScheduled struct {
	ObligationKey
	Milestone MilestoneID `json:"milestone"`
	// What is due, in the plan's words.
	What string `json:"what,omitempty"`
	Due  Date   `json:"due"`
}

// EventType implements EventData.
func (MilestoneScheduled) EventType() string { return "MilestoneScheduled" }

// MilestoneRescheduled records an administrative change of a milestone's
// baseline due date (e.g. after the plan was amended). Unlike an extension
// it may move the date either way, and it resets the original due date.
// Stream: obligation-….
type MilestoneRescheduled struct {
	ObligationKey
	Milestone   MilestoneID `json:"milestone"`
	PreviousDue Date        `json:"previous_due"`
	Due         Date        `json:"due"`
	Reason      string      `json:"reason,omitempty"`
}

// EventType implements EventData.
func (MilestoneRescheduled) EventType() string { return "MilestoneRescheduled" }

// ProgressReported records the holder's report of progress.
// Stream: obligation-….
type ProgressReported struct {
	ObligationKey
	Percent Percent `json:"percent"`
	// Previous is the current progress as of the report's period before
	// this report: the figure of the latest earlier-recorded report for a
	// period not after it (see Obligation.Progress).
	Previous Percent `json:"previous"`
	// Period is the month the report covers, for periodic-report scoring.
	Period YearMonth `json:"period"`
	Note   string    `json:"note,omitempty"`
	// Attachments are the evidence files (佐证材料) sent with the report.
	Attachments []EvidenceRef `json:"attachments,omitempty"`
}

// EventType implements EventData.
func (ProgressReported) EventType() string { return "ProgressReported" }

// ExtensionRequested records the holder asking for a later due date.
// Stream: obligation-….
type ExtensionRequested struct {
	ObligationKey
	Milestone    MilestoneID `json:"milestone"`
	CurrentDue   Date        `json:"current_due"`
	RequestedDue Date        `json:"requested_due"`
	Reason       string      `json:"reason,omitempty"`
}

// EventType implements EventData.
func (ExtensionRequested) EventType() string { return "ExtensionRequested" }

// ExtensionGranted records the plan office granting the pending request,
// moving the milestone's due date from PreviousDue to Due (which may differ
// from RequestedDue). Stream: obligation-….
type ExtensionGranted struct {
	ObligationKey
	Milestone    MilestoneID `json:"milestone"`
	PreviousDue  Date        `json:"previous_due"`
	RequestedDue Date        `json:"requested_due"`
	Due          Date        `json:"due"`
	Note         string      `json:"note,omitempty"`
}

// EventType implements EventData.
func (ExtensionGranted) EventType() string { return "ExtensionGranted" }

// ExtensionRefused records the plan office refusing the pending request.
// Stream: obligation-….
type ExtensionRefused struct {
	ObligationKey
	Milestone    MilestoneID `json:"milestone"`
	RequestedDue Date        `json:"requested_due"`
	Reason       string      `json:"reason,omitempty"`
}

// EventType implements EventData.
func (ExtensionRefused) EventType() string { return "ExtensionRefused" }

// DeadlineSlipped records that a milestone's due date passed without a
// completion achieved by then. Recorded at most once per milestone and due
// date. Stream: obligation-….
type DeadlineSlipped struct {
	ObligationKey
	Milestone MilestoneID `json:"milestone"`
	Due       Date        `json:"due"`
	// OriginalDue is the milestone's baseline due date; it differs from Due
	// when an extension had been granted.
	OriginalDue Date `json:"original_due"`
}

// EventType implements EventData.
func (DeadlineSlipped) EventType() string { return "DeadlineSlipped" }

// CompletionClaimed records the holder claiming one milestone, or the whole
// obligation when Milestone is empty, complete. The envelope's EffectiveAt
// is when it was achieved. Stream: obligation-….
type CompletionClaimed struct {
	ObligationKey
	Milestone MilestoneID `json:"milestone,omitempty"`
	Evidence  string      `json:"evidence,omitempty"`
	// Attachments are the evidence files sent with the claim; Evidence
	// is the claim's own words about its evidence.
	Attachments []EvidenceRef `json:"attachments,omitempty"`
}

// EventType implements EventData.
func (CompletionClaimed) EventType() string { return "CompletionClaimed" }

// CompletionVerified records an inspector confirming the pending claim for
// Milestone (empty: the whole obligation, and with it every milestone).
// Stream: obligation-….
type CompletionVerified struct {
	ObligationKey
	Milestone MilestoneID `json:"milestone,omitempty"`
	Note      string      `json:"note,omitempty"`
}

// EventType implements EventData.
func (CompletionVerified) EventType() string { return "CompletionVerified" }

// CompletionRejected records an inspector rejecting the pending claim for
// Milestone (empty: the whole obligation). Stream: obligation-….
type CompletionRejected struct {
	ObligationKey
	Milestone MilestoneID `json:"milestone,omitempty"`
	Reason    string      `json:"reason,omitempty"`
}

// EventType implements EventData.
func (CompletionRejected) EventType() string { return "CompletionRejected" }

// FindingKind classifies an inspection finding.
type FindingKind string

// The finding kinds.
const (
	// FindingFalseReport is a false or fabricated report (弄虚作假).
	FindingFalseReport FindingKind = "false_report"
	// FindingOther is any other deficiency.
	FindingOther FindingKind = "other"
)

// Validate reports whether k is a defined kind.
func (k FindingKind) Validate() error {
	switch k {
	case FindingFalseReport, FindingOther:
		return nil
	}
	return errorf(ErrInvalidArgument, "finding kind %q is not false_report or other", string(k))
}

// Severity grades an inspection finding.
type Severity string

// The severities.
const (
	// SeverityMinor is a minor finding.
	SeverityMinor Severity = "minor"
	// SeverityMajor is a major finding.
	SeverityMajor Severity = "major"
	// SeveritySevere is a severe finding.
	SeveritySevere Severity = "severe"
)

// Validate reports whether s is a defined severity.
func (s Severity) Validate() error {
	switch s {
	case SeverityMinor, SeverityMajor, SeveritySevere:
		return nil
	}
	return errorf(ErrInvalidArgument, "severity %q is not minor, major or severe", string(s))
}

// FindingRecorded records an inspector's finding against the obligation,
// numbered from 1 within it. RectifyBy, when set, requires rectification by
// that date. Stream: obligation-….
type FindingRecorded struct {
	ObligationKey
	Finding   int         `json:"finding"`
	Kind      FindingKind `json:"kind"`
	Severity  Severity    `json:"severity"`
	Summary   string      `json:"summary"`
	RectifyBy Date        `json:"rectify_by"`
}

// EventType implements EventData.
func (FindingRecorded) EventType() string { return "FindingRecorded" }

// RectificationDue records that a finding must be rectified by Due (set
// after the finding, or moved). Stream: obligation-….
type RectificationDue struct {
	ObligationKey
	Finding int  `json:"finding"`
	Due     Date `json:"due"`
	// Reason says why the date was moved (absent in events recorded
	// before moves took reasons).
	Reason string `json:"reason,omitempty"`
}

// EventType implements EventData.
func (RectificationDue) EventType() string { return "RectificationDue" }

// RectificationCompleted records that a finding was rectified.
// Stream: obligation-….
type RectificationCompleted struct {
	ObligationKey
	Finding int    `json:"finding"`
	Note    string `json:"note,omitempty"`
	// Attachments are the evidence files of the rectification.
	Attachments []EvidenceRef `json:"attachments,omitempty"`
}

// EventType implements EventData.
func (RectificationCompleted) EventType() string { return "RectificationCompleted" }

// AllEventTypes returns a zero value of every event payload type, in the
// order the design lists them.
func AllEventTypes() []EventData {
	return []EventData{
		PlanRegistered{}, SchemeAdopted{}, ScorecardPublished{},
		TaskRegistered{}, TaskAmended{},
		UnitRegistered{}, UnitRenamed{}, UnitMerged{}, IndicatorMeasured{},
		ResponsibilityAssigned{}, ResponsibilityReassigned{}, ResponsibilityWithdrawn{},
		MilestoneScheduled{}, MilestoneRescheduled{}, ProgressReported{},
		ExtensionRequested{}, ExtensionGranted{}, ExtensionRefused{},
		DeadlineSlipped{}, CompletionClaimed{}, CompletionVerified{}, CompletionRejected{},
		FindingRecorded{}, RectificationDue{}, RectificationCompleted{},
		ReminderRecorded{}, ReminderDelivered{},
		WorkSentBack{}, CommentPosted{}, PartSignedOff{},
		RectificationVerified{}, RectificationRejected{}, RectificationSlipped{},
		AppealFiled{}, AppealRuled{},
		BulletinIssued{}, UnitSplit{},
	}
}

// DefaultRegistry returns a registry with every taskledger event type at
// its current schema version (1 for all of them so far). Each call returns
// a new registry, so tests may add upcasters to their own copy.
func DefaultRegistry() *Registry {
	r := NewRegistry()
	for _, t := range AllEventTypes() {
		r.Register(t, 1)
	}
	return r
}

// StreamOf returns the stream an event payload belongs on, derived from its
// identity fields.
func StreamOf(data EventData) string { return RefOf(data).Stream() }

// RefOf returns the identity of the aggregate an event payload belongs to,
// from its identity fields; the zero StreamRef for an unknown payload.
func RefOf(data EventData) StreamRef {
	switch d := data.(type) {
	case PlanRegistered:
		return StreamRef{Kind: StreamPlan, Plan: d.Plan}
	case SchemeAdopted:
		return StreamRef{Kind: StreamPlan, Plan: d.Plan}
	case ScorecardPublished:
		return StreamRef{Kind: StreamPlan, Plan: d.Plan}
	case BulletinIssued:
		return StreamRef{Kind: StreamPlan, Plan: d.Plan}
	case TaskRegistered:
		return StreamRef{Kind: StreamTask, Plan: d.Plan, Task: d.Task}
	case TaskAmended:
		return StreamRef{Kind: StreamTask, Plan: d.Plan, Task: d.Task}
	case UnitRegistered:
		return StreamRef{Kind: StreamUnit, Unit: d.Unit}
	case UnitRenamed:
		return StreamRef{Kind: StreamUnit, Unit: d.Unit}
	case UnitMerged:
		return StreamRef{Kind: StreamUnit, Unit: d.Unit}
	case UnitSplit:
		return StreamRef{Kind: StreamUnit, Unit: d.Unit}
	case IndicatorMeasured:
		return StreamRef{Kind: StreamUnit, Unit: d.Unit}
	case ObligationEvent:
		k := d.Key()
		return StreamRef{Kind: StreamObligation, Plan: k.Plan, Task: k.Task, Unit: k.Unit, Role: k.Role}
	}
	return StreamRef{}
}

// UnitsOf returns the units an event payload concerns: the unit of its
// unit or obligation stream, and also the unit a reassignment passes the
// duty to or a merger absorbs the unit into. Plan and task events concern
// no unit. No unit is listed twice.
func UnitsOf(data EventData) []UnitID {
	own := RefOf(data).Unit
	if own == "" {
		return nil
	}
	var other UnitID
	switch d := data.(type) {
	case ResponsibilityReassigned:
		other = d.ToUnit
	case UnitMerged:
		other = d.Into
	case UnitSplit:
		other = d.Heir
	}
	if other == "" || other == own {
		return []UnitID{own}
	}
	return []UnitID{own, other}
}

// ObligationEvent is implemented by every obligation payload: it names the
// obligation the event belongs to, so a projection needs no stream parsing.
type ObligationEvent interface {
	EventData
	// Key returns the obligation's identity.
	Key() ObligationKey
}
