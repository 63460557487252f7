package msg

// The codes of refused input: dates, text, review, evidence, plans and
// registries, bulletins, indicators, scoring, simulation.
const (
	TimeInvalid        Key = "time.invalid"
	TimeFuture         Key = "time.future"
	TimeBeforePlan     Key = "time.before_plan"
	MonthFuture        Key = "month.future"
	MonthBeforePlan    Key = "month.before_plan"
	TextNotUTF8        Key = "text.not_utf8"
	TextBidi           Key = "text.bidi_control"
	TextControl        Key = "text.control_char"
	TextControlInText  Key = "text.control_char_multiline"
	TextRequired       Key = "text.required"
	TextTooLong        Key = "text.too_long"
	TextReasonRequired Key = "text.reason_required"

	ReviewTargetInvalid  Key = "review.target_invalid"
	ReviewReplyInvalid   Key = "review.reply_invalid"
	ReviewSignOffLeader  Key = "review.sign_off_by_leader"
	ReviewOwnWork        Key = "review.own_work"
	ReviewNotSupporting  Key = "review.not_supporting"
	ReviewNotLead        Key = "review.not_lead"
	ReviewSignOffPending Key = "review.sign_off_pending"
	ReviewUnitRequired   Key = "review.unit_required"

	FindingNumberInvalid   Key = "finding.number_invalid"
	RectificationDueNeeded Key = "rectification.due_required"

	ChangeReasonRequired Key = "change.reason_required"
	ChangeDueRequired    Key = "change.due_required"
	ChangeDueOutOfRange  Key = "change.due_out_of_range"
	ChangeSameHolder     Key = "change.same_holder"
	ChangeNameTaken      Key = "change.name_taken"
	ChangeSelfMerge      Key = "change.self_merge"
	ChangeSplitUnknown   Key = "change.split_unknown_unit"
	ChangeHeirUnknown    Key = "change.heir_unknown"
	ExtensionRefusalDue  Key = "extension.refusal_takes_no_due"

	EvidenceNoStore     Key = "evidence.no_store"
	EvidenceNameInvalid Key = "evidence.name_invalid"
	EvidenceEmpty       Key = "evidence.empty"
	EvidenceTooLarge    Key = "evidence.too_large"
	EvidenceKind        Key = "evidence.kind_refused"
	EvidenceTooMany     Key = "evidence.too_many"
	EvidenceNotUploaded Key = "evidence.not_uploaded"
	EvidenceDamaged     Key = "evidence.damaged"
	EvidenceBadDigest   Key = "evidence.bad_digest"
	EvidenceOtherUnit   Key = "evidence.other_unit"
	EvidenceNotStored   Key = "evidence.not_stored"

	ImportTasksUnstorable Key = "import.tasks_unstorable"
	ImportUnreadItems     Key = "import.unread_items"
	ImportForeignUnitID   Key = "import.foreign_unit_id"
	ImportTrackingFuture  Key = "import.tracking_start_future"
	ImportTrackingInvalid Key = "import.tracking_start_invalid"
	ImportTrackingSet     Key = "import.tracking_start_set"
	ImportTextTooLarge    Key = "import.text_too_large"
	ImportTextUnparsable  Key = "import.text_unparsable"
	ImportRegistryBoth    Key = "import.registry_and_none"
	ImportRegistryLarge   Key = "import.registry_too_large"
	ImportRegistryBad     Key = "import.registry_unreadable"
	ImportRegistryBadID   Key = "import.registry_bad_id"

	BulletinIssued        Key = "bulletin.already_issued"
	BulletinEmptyLedger   Key = "bulletin.empty_ledger"
	BulletinNotIssued     Key = "bulletin.not_issued"
	BulletinPeriodInvalid Key = "bulletin.period_invalid"
	BulletinPeriodAhead   Key = "bulletin.period_not_begun"

	IndicatorMetric        Key = "indicator.metric_unknown"
	IndicatorPeriod        Key = "indicator.period_invalid"
	IndicatorDay           Key = "indicator.day_invalid"
	IndicatorDayFuture     Key = "indicator.day_future"
	IndicatorNegative      Key = "indicator.value_negative"
	IndicatorRatio         Key = "indicator.ratio_as_days"
	IndicatorPM25          Key = "indicator.pm25_implausible"
	IndicatorHeavyWhole    Key = "indicator.heavy_days_whole"
	IndicatorTonnes        Key = "indicator.tonnes_no_days"
	IndicatorValidDays     Key = "indicator.valid_days_required"
	IndicatorValidSpan     Key = "indicator.valid_days_over_span"
	IndicatorGoodNegative  Key = "indicator.good_days_negative"
	IndicatorNoGoodDays    Key = "indicator.takes_no_good_days"
	IndicatorGoodOverValid Key = "indicator.good_over_valid"
	IndicatorHeavyOver     Key = "indicator.heavy_over_valid"

	AppealTargetInvalid  Key = "appeal.target_invalid"
	AppealOutcomeInvalid Key = "appeal.outcome_invalid"
	AppealNumberInvalid  Key = "appeal.number_invalid"
	ScoreOwnCardOnly     Key = "score.own_card_only"
	ScoreNoCard          Key = "score.no_card"
	ScoreSchemeUnread    Key = "score.scheme_unreadable"
	ScoreSchemeYear      Key = "score.scheme_year"
	ScoreKindInvalid     Key = "score.kind_invalid"
	ScoreVersionInvalid  Key = "score.version_invalid"

	SimYearInvalid   Key = "simulation.year_invalid"
	SimSeedUsed      Key = "simulation.seed_used"
	SimInThePast     Key = "simulation.in_the_past"
	SimActorNotSim   Key = "simulation.actor_not_simulated"
	SimNeedsSimClock Key = "simulation.needs_simulated_clock"
	SimRealLedger    Key = "simulation.real_ledger"

	TemplateUnitRequired Key = "template.unit_required"
	TemplateNoPlan       Key = "template.no_plan"
	UnitViewRequired     Key = "unitview.unit_required"
)

// The bulk report (an uploaded report template).
const (
	ReportFileRefused   Key = "report.file_refused"
	ReportRowsRefused   Key = "report.rows_refused"
	ReportRefusedMidway Key = "report.refused_midway"
)

// The API's own checks of its arguments.
const (
	APIYearRange          Key = "api.year_range"
	APIReportNumber       Key = "api.report_number"
	ScoreComputeRefused   Key = "score.compute_refused"
	ScorePublicationNoAt  Key = "score.publication_no_as_of"
	ScorePublicationDiffs Key = "score.publication_digest_differs"
)
