package graphql

import (
	"context"
	"strings"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/projections"
)

// Review (审核): the sendBack, postComment and signOffPart mutations, the
// ledDuties query and the obligation's review fields. Each mutation is a
// thin call of the application layer, which checks every rule.

// SendBack resolves sendBack.
func (r *root) SendBack(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Target         string
		Report         *int32
		Milestone      *string
		Reasons        string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "sendBack", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.SendBack(ctx, p, app.SendBackInput{Obligation: args.Obligation.ref(), Target: args.Target,
			Report: intOf(args.Report), Milestone: deref(args.Milestone), Reasons: args.Reasons, IdempotencyKey: args.IdempotencyKey})
	})
}

// PostComment resolves postComment.
func (r *root) PostComment(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Text           string
		ReplyTo        *int32
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "postComment", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.PostComment(ctx, p, app.CommentInput{Obligation: args.Obligation.ref(), Text: args.Text,
			ReplyTo: intOf(args.ReplyTo), IdempotencyKey: args.IdempotencyKey})
	})
}

// SignOffPart resolves signOffPart.
func (r *root) SignOffPart(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Note           *string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "signOffPart", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.SignOffPart(ctx, p, app.SignOffInput{
			Obligation: args.Obligation.ref(), Note: deref(args.Note), IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// LedDuties resolves ledDuties.
func (r *root) LedDuties(ctx context.Context, args struct {
	Unit *gql.ID
	Plan *gql.ID
	pageArgs
}) (*obligationConnection, error) {
	views, err := r.s.app.LedDuties(ctx, principalOf(ctx), app.LedDutiesInput{Unit: idOr(args.Unit), Plan: idOr(args.Plan)})
	if err != nil {
		return nil, err
	}
	cat := r.s.views.Catalog
	out := make([]*obligationResolver, len(views))
	for i, v := range views {
		out[i] = newObligationResolver(cat, v)
	}
	c, err := page(r.s, out, lister[*obligationResolver]{key: func(o *obligationResolver) string { return o.view.Stream }, def: defaultPage}, args.pageArgs)
	if err != nil {
		return nil, err
	}
	return &obligationConnection{connection: c, asOf: r.s.now()}, nil
}

// SentBack resolves Obligation.sentBack.
func (r *obligationResolver) SentBack() *sendBackResolver {
	sb, ok := r.view.Review.PendingSendBack()
	if !ok {
		return nil
	}
	return &sendBackResolver{sb: sb, cat: r.cat}
}

// SendBacks resolves Obligation.sendBacks.
func (r *obligationResolver) SendBacks() []*sendBackResolver {
	out := make([]*sendBackResolver, len(r.view.Review.SendBacks))
	for i, sb := range r.view.Review.SendBacks {
		out[i] = &sendBackResolver{sb: sb, cat: r.cat}
	}
	return out
}

// Comments resolves Obligation.comments.
func (r *obligationResolver) Comments() []*commentResolver {
	out := make([]*commentResolver, len(r.view.Review.Comments))
	for i, c := range r.view.Review.Comments {
		out[i] = &commentResolver{c: c, cat: r.cat}
	}
	return out
}

// NeedsSignOff resolves Obligation.needsSignOff.
func (r *obligationResolver) NeedsSignOff() bool { return r.view.Role == domain.RoleSupport }

// SignOff resolves Obligation.signOff.
func (r *obligationResolver) SignOff() *signOffResolver {
	if r.view.Review.SignOff == nil {
		return nil
	}
	return &signOffResolver{s: *r.view.Review.SignOff, cat: r.cat}
}

type sendBackResolver struct {
	sb  domain.SendBack
	cat *projections.Catalog
}

func (r *sendBackResolver) Target() string       { return strings.ToUpper(string(r.sb.Target)) }
func (r *sendBackResolver) Milestone() *string   { return strOrNil(string(r.sb.Milestone)) }
func (r *sendBackResolver) Reasons() string      { return r.sb.Reasons }
func (r *sendBackResolver) ByUnit() *gql.ID      { return unitIDOrNil(r.sb.By) }
func (r *sendBackResolver) ByUnitName() *string  { return unitNameOrNil(r.cat, r.sb.By) }
func (r *sendBackResolver) Actor() string        { return r.sb.Actor }
func (r *sendBackResolver) RecordedAt() gql.Time { return gql.Time{Time: r.sb.RecordedAt} }
func (r *sendBackResolver) EventID() gql.ID      { return gql.ID(r.sb.EventID.String()) }
func (r *sendBackResolver) ResubmittedAt() *gql.Time {
	return timeOrNil(r.sb.ResubmittedAt)
}
func (r *sendBackResolver) Report() *int32 {
	if r.sb.Report == 0 {
		return nil
	}
	n := int32(r.sb.Report)
	return &n
}

type commentResolver struct {
	c   domain.Comment
	cat *projections.Catalog
}

func (r *commentResolver) Number() int32        { return int32(r.c.No) }
func (r *commentResolver) Text() string         { return r.c.Text }
func (r *commentResolver) ByUnit() *gql.ID      { return unitIDOrNil(r.c.By) }
func (r *commentResolver) ByUnitName() *string  { return unitNameOrNil(r.cat, r.c.By) }
func (r *commentResolver) Actor() string        { return r.c.Actor }
func (r *commentResolver) RecordedAt() gql.Time { return gql.Time{Time: r.c.RecordedAt} }
func (r *commentResolver) EventID() gql.ID      { return gql.ID(r.c.EventID.String()) }
func (r *commentResolver) ReplyTo() *int32 {
	if r.c.ReplyTo == 0 {
		return nil
	}
	n := int32(r.c.ReplyTo)
	return &n
}

type signOffResolver struct {
	s   domain.SignOff
	cat *projections.Catalog
}

func (r *signOffResolver) ByUnit() gql.ID       { return gql.ID(r.s.By) }
func (r *signOffResolver) ByUnitName() *string  { return unitNameOrNil(r.cat, r.s.By) }
func (r *signOffResolver) Note() *string        { return strOrNil(r.s.Note) }
func (r *signOffResolver) Actor() string        { return r.s.Actor }
func (r *signOffResolver) RecordedAt() gql.Time { return gql.Time{Time: r.s.RecordedAt} }
func (r *signOffResolver) EventID() gql.ID      { return gql.ID(r.s.EventID.String()) }

func unitIDOrNil(u domain.UnitID) *gql.ID {
	if u == "" {
		return nil
	}
	id := gql.ID(u)
	return &id
}

func unitNameOrNil(cat *projections.Catalog, u domain.UnitID) *string {
	if u == "" || cat == nil {
		return nil
	}
	if x, ok := cat.Unit(u); ok {
		return &x.Name
	}
	return nil
}

func timeOrNil(t time.Time) *gql.Time {
	if t.IsZero() {
		return nil
	}
	return &gql.Time{Time: t}
}
