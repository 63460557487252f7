package graphql

import (
	"context"
	"fmt"
	"net/url"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/app"
	"taskledger/auth"
)

// Plan changes and bulletins: thin resolvers over app.Service.

// ScheduleMilestone resolves scheduleMilestone.
func (r *root) ScheduleMilestone(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Milestone      string
		What           *string
		Due            Date
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "scheduleMilestone", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.ScheduleMilestone(ctx, p, app.ScheduleInput{
			Obligation: args.Obligation.ref(), Milestone: args.Milestone, What: deref(args.What), Due: args.Due.Date, IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// RescheduleMilestone resolves rescheduleMilestone.
func (r *root) RescheduleMilestone(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Milestone      string
		Due            Date
		Reason         string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "rescheduleMilestone", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.RescheduleMilestone(ctx, p, app.RescheduleInput{
			Obligation: args.Obligation.ref(), Milestone: args.Milestone, Due: args.Due.Date, Reason: args.Reason, IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// ReassignResponsibility resolves reassignResponsibility.
func (r *root) ReassignResponsibility(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		ToUnit         gql.ID
		ToRole         *string
		Reason         *string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "reassignResponsibility", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.ReassignResponsibility(ctx, p, app.ReassignInput{
			Obligation: args.Obligation.ref(), ToUnit: string(args.ToUnit), ToRole: deref(args.ToRole), Reason: deref(args.Reason), IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// RenameUnit resolves renameUnit.
func (r *root) RenameUnit(ctx context.Context, in struct {
	Input struct {
		Unit           gql.ID
		Name           string
		Reason         *string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "renameUnit", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.RenameUnit(ctx, p, app.RenameInput{
			Unit: string(args.Unit), Name: args.Name, Reason: deref(args.Reason), IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// MergeUnits resolves mergeUnits.
func (r *root) MergeUnits(ctx context.Context, in struct {
	Input struct {
		Unit           gql.ID
		Into           gql.ID
		Reason         *string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.payload("mergeUnits", func() (*mutationResult, error) {
		res, err := r.s.app.MergeUnits(ctx, principalOf(ctx), app.MergeInput{
			Unit: string(args.Unit), Into: string(args.Into), Reason: deref(args.Reason), IdempotencyKey: args.IdempotencyKey,
		})
		return r.s.fromApp(ctx, res.Result, err, args.Wait)
	})
}

// SplitUnit resolves splitUnit.
func (r *root) SplitUnit(ctx context.Context, in struct {
	Input struct {
		Unit           gql.ID
		Into           []splitPartInput
		Heir           string
		Reason         *string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.payload("splitUnit", func() (*mutationResult, error) {
		parts := make([]app.SplitPart, len(args.Into))
		for i, p := range args.Into {
			parts[i] = app.SplitPart{Unit: string(p.Unit), Name: deref(p.Name)}
		}
		res, err := r.s.app.SplitUnit(ctx, principalOf(ctx), app.SplitInput{
			Unit: string(args.Unit), Into: parts, Heir: args.Heir, Reason: deref(args.Reason), IdempotencyKey: args.IdempotencyKey,
		})
		return r.s.fromApp(ctx, res.Result, err, args.Wait)
	})
}

type splitPartInput struct {
	Unit gql.ID
	Name *string
}

// IssueBulletin resolves issueBulletin.
func (r *root) IssueBulletin(ctx context.Context, in struct {
	Input struct {
		Plan           *gql.ID
		Period         string
		AsOf           *gql.Time
		IdempotencyKey string
		Wait           *bool
	}
}) (*bulletinIssue, error) {
	args := in.Input
	res, err := r.s.app.IssueBulletin(ctx, principalOf(ctx), app.BulletinInput{
		Plan: idOr(args.Plan), Period: args.Period, AsOf: timeOf(args.AsOf), IdempotencyKey: args.IdempotencyKey,
	})
	if err != nil {
		if ue := userErrorOf("issueBulletin", err); ue != nil {
			return &bulletinIssue{userErrors: []*userError{ue}}, nil
		}
		return nil, err
	}
	m, err := r.s.fromApp(ctx, res.Result, nil, args.Wait)
	if err != nil {
		return nil, err
	}
	list, err := r.s.app.Bulletins(ctx, principalOf(ctx), string(res.Issued.Plan))
	if err != nil {
		return nil, err
	}
	for _, ib := range list {
		if ib.Year == res.Issued.Year && ib.Number == res.Issued.Number {
			c := res.Bulletin.Counts
			return &bulletinIssue{result: m, bulletin: &bulletinResolver{ib}, counts: &bulletinCounts{
				duties: c.Duties, completed: c.Completed, overdue: c.Overdue, soonDue: c.SoonDue, completedInPeriod: c.CompletedInPeriod, early: c.Early,
			}}, nil
		}
	}
	return nil, fmt.Errorf("issued bulletin %d no. %d is not on the plan's stream", res.Issued.Year, res.Issued.Number)
}

// Bulletins resolves bulletins.
func (r *root) Bulletins(ctx context.Context, args struct {
	Plan *gql.ID
	pageArgs
}) (*connection[*bulletinResolver], error) {
	list, err := r.s.app.Bulletins(ctx, principalOf(ctx), idOr(args.Plan))
	if err != nil {
		return nil, err
	}
	out := make([]*bulletinResolver, len(list))
	for i, ib := range list {
		out[i] = &bulletinResolver{ib}
	}
	return page(r.s, out, lister[*bulletinResolver]{key: func(b *bulletinResolver) string { return fmt.Sprintf("%d/%d", b.Year(), b.Number()) }, def: defaultPage}, args.pageArgs)
}

type bulletinIssue struct {
	result     *mutationResult
	bulletin   *bulletinResolver
	counts     *bulletinCounts
	userErrors []*userError
}

func (b *bulletinIssue) Result() *mutationResult     { return b.result }
func (b *bulletinIssue) Bulletin() *bulletinResolver { return b.bulletin }
func (b *bulletinIssue) Counts() *bulletinCounts     { return b.counts }

// UserErrors resolves BulletinIssue.userErrors.
func (b *bulletinIssue) UserErrors() []*userError {
	if b.userErrors == nil {
		return []*userError{}
	}
	return b.userErrors
}

type bulletinCounts struct {
	duties, completed, overdue, soonDue, completedInPeriod, early int
}

func (c *bulletinCounts) Duties() int32            { return int32(c.duties) }
func (c *bulletinCounts) Completed() int32         { return int32(c.completed) }
func (c *bulletinCounts) Overdue() int32           { return int32(c.overdue) }
func (c *bulletinCounts) SoonDue() int32           { return int32(c.soonDue) }
func (c *bulletinCounts) CompletedInPeriod() int32 { return int32(c.completedInPeriod) }
func (c *bulletinCounts) Early() int32             { return int32(c.early) }

type bulletinResolver struct{ b app.IssuedBulletin }

func (r *bulletinResolver) Year() int32            { return int32(r.b.Year) }
func (r *bulletinResolver) Number() int32          { return int32(r.b.Number) }
func (r *bulletinResolver) NumberText() string     { return r.b.NumberText }
func (r *bulletinResolver) Title() string          { return r.b.Title }
func (r *bulletinResolver) Period() string         { return r.b.Period }
func (r *bulletinResolver) PeriodText() string     { return r.b.PeriodText }
func (r *bulletinResolver) AsOfPosition() Position { return Position(r.b.AsOfPosition) }
func (r *bulletinResolver) AsOf() gql.Time         { return gql.Time{Time: r.b.AsOf} }
func (r *bulletinResolver) Digest() string         { return r.b.Digest.String() }
func (r *bulletinResolver) IssuedAt() gql.Time     { return gql.Time{Time: r.b.IssuedAt} }
func (r *bulletinResolver) FileName() string       { return r.b.FileName }
func (r *bulletinResolver) PdfPath() string {
	return BulletinPath(string(r.b.Plan), r.b.Year, r.b.Number, "pdf")
}
func (r *bulletinResolver) PagePath() string {
	return BulletinPath(string(r.b.Plan), r.b.Year, r.b.Number, "html")
}

// BulletinPath is where the dashboard serves an issued bulletin's PDF
// ("pdf") or print page ("html").
func BulletinPath(plan string, year, number int, ext string) string {
	return fmt.Sprintf("/bulletin/%s/%d-%d.%s", url.PathEscape(plan), year, number, ext)
}
