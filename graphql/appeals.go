package graphql

import (
	"context"
	"fmt"
	"strings"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// Rectification (整改) and appeals (申诉): thin resolvers over the
// application layer's use cases (app/rectification.go, app/appeals.go).

// rectificationArgs are the arguments of reportRectification and
// verifyRectification.
type rectificationArgs struct {
	Obligation     obligationInput
	Finding        int32
	Note           *string
	IdempotencyKey string
	Wait           *bool
}

func (a rectificationArgs) input() app.RectificationInput {
	return app.RectificationInput{Obligation: a.Obligation.ref(), Finding: int(a.Finding), Note: deref(a.Note), IdempotencyKey: a.IdempotencyKey}
}

// reportRectificationArgs are reportRectification's: a finding's
// rectification reported, with evidence files uploaded before.
type reportRectificationArgs struct {
	Obligation     obligationInput
	Finding        int32
	Note           *string
	Attachments    *[]evidenceInput
	IdempotencyKey string
	Wait           *bool
}

// ReportRectification resolves reportRectification.
func (r *root) ReportRectification(ctx context.Context, in struct{ Input reportRectificationArgs }) (*mutationPayload, error) {
	args := in.Input
	return r.s.payload("reportRectification", func() (*mutationResult, error) {
		in := rectificationArgs{Obligation: args.Obligation, Finding: args.Finding, Note: args.Note, IdempotencyKey: args.IdempotencyKey}.input()
		in.Attachments = handles(args.Attachments)
		res, err := r.s.app.ReportRectification(ctx, principalOf(ctx), in)
		return r.s.fromApp(ctx, res, err, args.Wait)
	})
}

// VerifyRectification resolves verifyRectification.
func (r *root) VerifyRectification(ctx context.Context, in struct{ Input rectificationArgs }) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "verifyRectification", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.VerifyRectification(ctx, p, args.input())
	})
}

// RejectRectification resolves rejectRectification.
func (r *root) RejectRectification(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Finding        int32
		Reason         string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "rejectRectification", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.RejectRectification(ctx, p, app.RectificationInput{
			Obligation: args.Obligation.ref(), Finding: int(args.Finding), Note: args.Reason, IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// MoveRectificationDue resolves moveRectificationDue.
func (r *root) MoveRectificationDue(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Finding        int32
		Due            Date
		Reason         string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "moveRectificationDue", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.MoveRectificationDue(ctx, p, app.RectificationDueInput{
			Obligation: args.Obligation.ref(), Finding: int(args.Finding), Due: args.Due.Date, Reason: args.Reason, IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// FileAppeal resolves fileAppeal.
func (r *root) FileAppeal(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Target         gql.ID
		Reasons        string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "fileAppeal", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.FileAppeal(ctx, p, app.AppealInput{
			Obligation: args.Obligation.ref(), Target: string(args.Target), Reasons: args.Reasons, IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// RuleAppeal resolves ruleAppeal.
func (r *root) RuleAppeal(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Appeal         int32
		Outcome        string
		Reasons        string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "ruleAppeal", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.RuleAppeal(ctx, p, app.RulingInput{
			Obligation: args.Obligation.ref(), Appeal: int(args.Appeal), Outcome: args.Outcome, Reasons: args.Reasons, IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// listArgs are the arguments of rectifications and appeals.
type listArgs struct {
	Plan *gql.ID
	Unit *gql.ID
	All  *bool
	pageArgs
}

// Rectifications resolves rectifications.
func (r *root) Rectifications(ctx context.Context, args listArgs) (*connection[*rectificationResolver], error) {
	items, err := r.s.app.Rectifications(ctx, principalOf(ctx), app.RectificationFilter{Plan: idOr(args.Plan), Unit: idOr(args.Unit), AlsoClosed: args.All != nil && *args.All})
	if err != nil {
		return nil, err
	}
	out := make([]*rectificationResolver, len(items))
	for i, it := range items {
		out[i] = newRectificationResolver(r.s.views.Catalog, it)
	}
	return page(r.s, out, lister[*rectificationResolver]{key: func(x *rectificationResolver) string { return fmt.Sprintf("%s#%d", x.Obligation, x.Finding) }, def: defaultPage}, args.pageArgs)
}

// Appeals resolves appeals.
func (r *root) Appeals(ctx context.Context, args listArgs) (*connection[*appealResolver], error) {
	items, err := r.s.app.Appeals(ctx, principalOf(ctx), app.AppealFilter{Plan: idOr(args.Plan), Unit: idOr(args.Unit), AlsoRuled: args.All != nil && *args.All})
	if err != nil {
		return nil, err
	}
	out := make([]*appealResolver, len(items))
	for i, it := range items {
		out[i] = newAppealResolver(r.s.views.Catalog, it)
	}
	return page(r.s, out, lister[*appealResolver]{key: func(x *appealResolver) string { return fmt.Sprintf("%s#%d", x.Obligation, x.Number) }, def: defaultPage}, args.pageArgs)
}

// dutyFields are the obligation fields a rectification or appeal shows.
type dutyFields struct {
	Obligation string
	Plan       gql.ID
	Task       int32
	TaskTitle  *string
	Unit       gql.ID
	UnitName   *string
	Role       string
}

func newDutyFields(cat *projections.Catalog, k domain.ObligationKey) dutyFields {
	d := dutyFields{Obligation: k.Path(), Plan: gql.ID(k.Plan), Task: int32(k.Task), Unit: gql.ID(k.Unit), Role: string(k.Role)}
	if t, ok := cat.Task(k.Plan, k.Task); ok {
		d.TaskTitle = &t.Title
	}
	if u, ok := cat.Unit(k.Unit); ok {
		d.UnitName = &u.Name
	}
	return d
}

// rectificationResolver is a Rectification, read as plain fields.
type rectificationResolver struct {
	dutyFields
	Finding       int32
	FindingID     gql.ID
	Kind          string
	Severity      string
	Summary       string
	Due           Date
	State         string
	ReportedAt    *gql.Time
	VerifiedAt    *gql.Time
	Rejections    int32
	LastRejection *string
	Slipped       bool
}

func newRectificationResolver(cat *projections.Catalog, it app.RectificationItem) *rectificationResolver {
	f := it.Finding
	r := &rectificationResolver{
		dutyFields: newDutyFields(cat, it.Obligation),
		Finding:    int32(f.No), FindingID: gql.ID(f.EventID.String()),
		Kind: strings.ToUpper(string(f.Kind)), Severity: strings.ToUpper(string(f.Severity)), Summary: f.Summary,
		Due: Date{f.RectifyBy}, State: strings.ToUpper(string(it.State)),
		Rejections: int32(f.RectificationRejections), LastRejection: strOrNil(f.RectificationRejectedReason),
		Slipped: len(f.RectificationSlips) > 0,
	}
	if f.Rectified {
		r.ReportedAt = &gql.Time{Time: f.RectifiedAt}
	}
	if f.RectificationVerified {
		r.VerifiedAt = &gql.Time{Time: f.RectificationVerifiedAt}
	}
	return r
}

// appealResolver is an Appeal, read as plain fields.
type appealResolver struct {
	dutyFields
	Number       int32
	Target       gql.ID
	TargetKind   string
	About        string
	Reasons      string
	FiledAt      gql.Time
	FiledEventID gql.ID
	State        string
	Ruling       *string
	RuledAt      *gql.Time
	RuledEventID *gql.ID
}

func newAppealResolver(cat *projections.Catalog, it app.AppealItem) *appealResolver {
	a := it.Appeal
	r := &appealResolver{
		dutyFields: newDutyFields(cat, it.Obligation),
		Number:     int32(a.No), Target: gql.ID(a.Target.String()), TargetKind: strings.ToUpper(string(a.Kind)),
		About: it.About, Reasons: a.Reasons, FiledAt: gql.Time{Time: a.FiledAt}, FiledEventID: gql.ID(a.EventID.String()),
		State: "PENDING",
	}
	if !a.Pending() {
		id := gql.ID(a.RuledEventID.String())
		r.State, r.Ruling, r.RuledAt, r.RuledEventID = strings.ToUpper(string(a.Outcome)), &a.RulingReason, &gql.Time{Time: a.RuledAt}, &id
	}
	return r
}

// lineAppealResolver is a scorecard line's LineAppeal.
type lineAppealResolver struct {
	Number       int32
	State        string
	Reasons      string
	Ruling       *string
	FiledEventID gql.ID
	RuledEventID *gql.ID
}

// Appeal resolves ScoreLine.appeal.
func (r *lineResolver) Appeal() *lineAppealResolver {
	a := r.l.Appeal
	if a == nil {
		return nil
	}
	out := &lineAppealResolver{Number: int32(a.Appeal), State: strings.ToUpper(a.State), Reasons: a.Reasons, Ruling: strOrNil(a.Ruling), FiledEventID: gql.ID(a.Filed.String())}
	if a.Ruled != nil {
		id := gql.ID(a.Ruled.String())
		out.RuledEventID = &id
	}
	return out
}

// AppealTarget resolves ScoreLine.appealTarget: the slip or finding a unit
// appeals to contest the line, while it can be appealed (no appeal yet).
func (r *lineResolver) AppealTarget() *gql.ID {
	if r.l.Target == [16]byte{} || r.l.Appeal != nil {
		return nil
	}
	id := gql.ID(r.l.Target.String())
	return &id
}

// OwnScorecard resolves ownScorecard.
func (r *root) OwnScorecard(ctx context.Context, args struct {
	Year int32
	Plan *gql.ID
}) (*cardResolver, error) {
	c, err := r.s.app.OwnScorecard(ctx, principalOf(ctx), idOr(args.Plan), int(args.Year))
	if err != nil {
		return nil, err
	}
	plan, err := r.s.plan((*string)(args.Plan))
	if err != nil {
		return nil, err
	}
	return cards(r.s, plan, scoring.Result{Cards: []scoring.Card{c}})[0], nil
}
