package scoring

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

// AppealRule sets the appeal window: a unit may appeal a slip or a
// finding until the end of the WindowDays-th day after the day it was
// recorded.
type AppealRule struct {
	WindowDays int `json:"window_days"`
}

// DefaultAppeals is the appeal rule of a scheme that sets none: 15 days.
var DefaultAppeals = AppealRule{WindowDays: 15}

// AppealSettings returns the scheme's appeal rule, or DefaultAppeals.
func (s Scheme) AppealSettings() AppealRule {
	if s.Appeals == nil {
		return DefaultAppeals
	}
	return *s.Appeals
}

// RectificationRule says when a reported rectification counts for the
// overdue-rectification rule: when VerifiedOnly is set, only once an
// inspector has verified it (as of the assessment), as completion claims
// do; otherwise as soon as it is reported.
type RectificationRule struct {
	VerifiedOnly bool `json:"verified_only"`
}

// DefaultRectification is the rule of a scheme that sets none: a
// reported rectification counts (the rule of schemes written before
// rectification review existed).
var DefaultRectification = RectificationRule{}

// RectificationSettings returns the scheme's rectification rule, or
// DefaultRectification.
func (s Scheme) RectificationSettings() RectificationRule {
	if s.Rectification == nil {
		return DefaultRectification
	}
	return *s.Rectification
}

// The states of a line's appeal.
const (
	AppealPending    = "pending"
	AppealUpheld     = "upheld"
	AppealOverturned = "overturned"
)

// LineAppeal is the appeal against the slip or finding a deduction rests
// on, as of the assessment.
type LineAppeal struct {
	// Appeal is the appeal's number on the line's obligation.
	Appeal int `json:"appeal"`
	// State is AppealPending, AppealUpheld or AppealOverturned.
	State string `json:"state"`
	// Reasons are the unit's; Ruling the committee's, once ruled.
	Reasons string `json:"reasons"`
	Ruling  string `json:"ruling,omitempty"`
	// Filed is the AppealFiled event, Ruled the AppealRuled event.
	Filed uuid.UUID  `json:"filed"`
	Ruled *uuid.UUID `json:"ruled,omitempty"`
}

// appealOf returns the appeal filed by asOf against any of a deduction's
// targets, pending if it was ruled only after asOf.
func appealOf(o *domain.Obligation, targets []uuid.UUID, asOf time.Time) (domain.Appeal, bool) {
	for _, t := range targets {
		a, ok := o.AppealOf(t)
		if !ok || a.FiledAt.After(asOf) {
			continue
		}
		if a.RuledAt.After(asOf) {
			a.Outcome, a.RulingReason, a.RuledAt, a.RuledEventID = "", "", time.Time{}, uuid.UUID{}
		}
		return a, true
	}
	return domain.Appeal{}, false
}

// applyAppeal shows the appeal against the deduction's slip or finding,
// if any, and removes the deduction when the committee overturned it.
// It reports whether the deduction was overturned.
func applyAppeal(o *domain.Obligation, d *deduction, asOf time.Time) bool {
	a, ok := appealOf(o, d.targets, asOf)
	if !ok {
		return false
	}
	la := &LineAppeal{Appeal: a.No, Reasons: a.Reasons, Filed: a.EventID}
	d.events = appendID(d.events, a.EventID)
	filed := domain.DateOf(a.FiledAt)
	switch a.Outcome {
	case domain.AppealUpheld:
		id := a.RuledEventID
		la.State, la.Ruling, la.Ruled = AppealUpheld, a.RulingReason, &id
		d.events = appendID(d.events, id)
		d.zh += fmt.Sprintf("（单位于%s申诉，考核委员会于%s裁定维持扣分：%s）", filed, domain.DateOf(a.RuledAt), a.RulingReason)
		d.en += fmt.Sprintf(" (appealed %s; the committee upheld the deduction on %s: %s)", filed, domain.DateOf(a.RuledAt), a.RulingReason)
	case domain.AppealOverturned:
		id := a.RuledEventID
		la.State, la.Ruling, la.Ruled = AppealOverturned, a.RulingReason, &id
		d.events = appendID(d.events, id)
		d.zh += fmt.Sprintf("（单位于%s申诉，考核委员会于%s裁定撤销该扣分：%s；不扣分）", filed, domain.DateOf(a.RuledAt), a.RulingReason)
		d.en += fmt.Sprintf(" (appealed %s; the committee overturned the deduction on %s: %s; no deduction)", filed, domain.DateOf(a.RuledAt), a.RulingReason)
		d.amount = 0
	default:
		la.State = AppealPending
		d.zh += fmt.Sprintf("（单位已于%s申诉，待考核委员会裁决，扣分暂计）", filed)
		d.en += fmt.Sprintf(" (appealed %s, awaiting the committee's ruling; the deduction stands meanwhile)", filed)
	}
	d.appeal = la
	return la.State == AppealOverturned
}
