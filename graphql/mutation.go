package graphql

import (
	"context"
	"errors"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/eventstore"
)

// MaxIdempotencyKeyLen bounds an idempotencyKey, in bytes.
const MaxIdempotencyKeyLen = app.MaxIdempotencyKeyLen

// MaxPlanTextBytes bounds the text importPlan takes.
const MaxPlanTextBytes = app.MaxPlanTextBytes

type mutationResult struct {
	s         *Server
	events    []domain.Event
	positions []uint64 // importPlan: positions of recorded events, read lazily
	position  uint64
	duplicate bool
	caughtUp  bool
	viewPos   uint64
	summary   string
}

func (m *mutationResult) Events(ctx context.Context) ([]*eventResolver, error) {
	if m.positions != nil && m.events == nil {
		var got []domain.Event
		if err := m.s.readPositions(ctx, m.positions, 0, func(e domain.Event) bool { got = append(got, e); return true }); err != nil {
			return nil, err
		}
		m.events = got
	}
	return m.s.eventList(m.events), nil
}

func (m *mutationResult) Position() *Position {
	if m.position == 0 {
		return nil
	}
	p := Position(m.position)
	return &p
}
func (m *mutationResult) Duplicate() bool        { return m.duplicate }
func (m *mutationResult) CaughtUp() bool         { return m.caughtUp }
func (m *mutationResult) ViewPosition() Position { return Position(m.viewPos) }
func (m *mutationResult) Summary() string        { return m.summary }

// finish waits for the read models when asked and fills in the result.
func (s *Server) finish(ctx context.Context, m *mutationResult, wait *bool) *mutationResult {
	m.s = s
	if m.summary == "" {
		m.summary = describe(m.events, m.duplicate)
	}
	if wait != nil && *wait {
		wctx, cancel := context.WithTimeout(ctx, s.limits.WaitTimeout)
		err := s.runner.WaitFor(wctx, m.position)
		cancel()
		m.caughtUp = err == nil
		if err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
			s.logger.Warn("waiting for read models failed", "position", m.position, "err", err)
		}
	} else {
		m.caughtUp = s.views.Position() >= m.position
	}
	m.viewPos = s.views.Position()
	return m
}

// fromApp turns a use case's result into a mutation result, waiting for
// the read models when asked.
func (s *Server) fromApp(ctx context.Context, res app.Result, err error, wait *bool) (*mutationResult, error) {
	if err != nil {
		return nil, err
	}
	m := &mutationResult{events: res.Events, positions: res.Positions, position: res.Position, duplicate: res.Duplicate, summary: res.Summary}
	return s.finish(ctx, m, wait), nil
}

type obligationInput struct {
	Plan *gql.ID
	Task int32
	Unit *gql.ID
	Role string
	Part *int32
}

// ref translates an ObligationInput.
func (in obligationInput) ref() app.ObligationRef {
	ref := app.ObligationRef{Plan: idOr(in.Plan), Task: int(in.Task), Unit: idOr(in.Unit), Role: in.Role}
	if in.Part != nil {
		ref.Part = int(*in.Part)
	}
	return ref
}

func idOr(id *gql.ID) string {
	if id == nil {
		return ""
	}
	return string(*id)
}

// timeOf passes a moment the client gave, or nil when it gave none; an
// explicit zero time stays a time, for the application layer to refuse.
func timeOf(t *gql.Time) *time.Time {
	if t == nil {
		return nil
	}
	return &t.Time
}

func dateOr(d *Date) domain.Date {
	if d == nil {
		return domain.Date{}
	}
	return d.Date
}

// ImportPlan resolves importPlan.
func (r *root) ImportPlan(ctx context.Context, in struct {
	Input struct {
		Text           string
		PlanID         gql.ID
		Issuer         *string
		Registry       *string
		Jurisdiction   *string
		IdempotencyKey string
		Wait           *bool
		AllowPartial   *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.payload("importPlan", func() (*mutationResult, error) {
		res, err := r.s.app.ImportPlan(ctx, principalOf(ctx), app.ImportInput{Text: []byte(args.Text), Plan: string(args.PlanID), Issuer: deref(args.Issuer),
			Registry: []byte(deref(args.Registry)), Jurisdiction: deref(args.Jurisdiction), AllowPartial: args.AllowPartial != nil && *args.AllowPartial})
		return r.s.fromApp(ctx, res.Result, err, args.Wait)
	})
}

// AssignResponsibility resolves assignResponsibility.
func (r *root) AssignResponsibility(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Basis          *string
		StartsOn       *Date
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "assignResponsibility", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.AssignResponsibility(ctx, p, app.AssignInput{
			Obligation: args.Obligation.ref(), Basis: deref(args.Basis), StartsOn: dateOr(args.StartsOn), IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// WithdrawResponsibility resolves withdrawResponsibility.
func (r *root) WithdrawResponsibility(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Reason         *string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "withdrawResponsibility", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.WithdrawResponsibility(ctx, p, app.WithdrawInput{
			Obligation: args.Obligation.ref(), Reason: deref(args.Reason), IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// ReportProgress resolves reportProgress.
func (r *root) ReportProgress(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Percent        int32
		Period         *string
		Note           *string
		EffectiveAt    *gql.Time
		IdempotencyKey string
		Wait           *bool
		Attachments    *[]evidenceInput
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "reportProgress", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.ReportProgress(ctx, p, app.ReportInput{
			Obligation: args.Obligation.ref(), Percent: int(args.Percent), Period: deref(args.Period), Note: deref(args.Note),
			EffectiveAt: timeOf(args.EffectiveAt), IdempotencyKey: args.IdempotencyKey, Attachments: handles(args.Attachments),
		})
	})
}

// RequestExtension resolves requestExtension.
func (r *root) RequestExtension(ctx context.Context, in struct {
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
	return r.s.record(ctx, "requestExtension", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.RequestExtension(ctx, p, app.ExtensionRequestInput{
			Obligation: args.Obligation.ref(), Milestone: args.Milestone, Due: args.Due.Date, Reason: args.Reason, IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// DecideExtension resolves decideExtension.
func (r *root) DecideExtension(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Grant          bool
		Due            *Date
		Note           *string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "decideExtension", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.DecideExtension(ctx, p, app.ExtensionDecisionInput{
			Obligation: args.Obligation.ref(), Grant: args.Grant, Due: dateOr(args.Due), Note: deref(args.Note), IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// ClaimCompletion resolves claimCompletion.
func (r *root) ClaimCompletion(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Milestone      *string
		Evidence       *string
		AchievedAt     *gql.Time
		IdempotencyKey string
		Wait           *bool
		Attachments    *[]evidenceInput
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "claimCompletion", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.ClaimCompletion(ctx, p, app.ClaimInput{
			Obligation: args.Obligation.ref(), Milestone: deref(args.Milestone), Evidence: deref(args.Evidence),
			AchievedAt: timeOf(args.AchievedAt), IdempotencyKey: args.IdempotencyKey, Attachments: handles(args.Attachments),
		})
	})
}

// VerifyCompletion resolves verifyCompletion.
func (r *root) VerifyCompletion(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Milestone      *string
		Note           *string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "verifyCompletion", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.VerifyCompletion(ctx, p, app.ClaimDecisionInput{
			Obligation: args.Obligation.ref(), Milestone: deref(args.Milestone), Note: deref(args.Note), IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// RejectCompletion resolves rejectCompletion.
func (r *root) RejectCompletion(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Milestone      *string
		Reason         string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "rejectCompletion", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.RejectCompletion(ctx, p, app.ClaimDecisionInput{
			Obligation: args.Obligation.ref(), Milestone: deref(args.Milestone), Note: args.Reason, IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// RecordFinding resolves recordFinding.
func (r *root) RecordFinding(ctx context.Context, in struct {
	Input struct {
		Obligation     obligationInput
		Kind           string
		Severity       string
		Summary        string
		RectifyBy      *Date
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "recordFinding", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.RecordFinding(ctx, p, app.FindingInput{
			Obligation: args.Obligation.ref(), Kind: args.Kind, Severity: args.Severity, Summary: args.Summary,
			RectifyBy: dateOr(args.RectifyBy), IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// RecordIndicator resolves recordIndicator.
func (r *root) RecordIndicator(ctx context.Context, in struct {
	Input struct {
		Unit           gql.ID
		Metric         string
		Period         string
		Value          *float64
		ValidDays      *int32
		GoodDays       *int32
		Source         *string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.payload("recordIndicator", func() (*mutationResult, error) {
		in := app.IndicatorInput{
			Unit: string(args.Unit), Metric: args.Metric, Period: args.Period, Source: deref(args.Source), IdempotencyKey: args.IdempotencyKey,
		}
		if args.Value != nil {
			in.Value = *args.Value
		}
		if args.ValidDays != nil {
			in.ValidDays = int(*args.ValidDays)
		}
		if args.GoodDays != nil {
			in.GoodDays = int(*args.GoodDays)
		}
		res, err := r.s.app.RecordIndicator(ctx, principalOf(ctx), in)
		return r.s.fromApp(ctx, res, err, args.Wait)
	})
}

// AdoptScheme resolves adoptScheme.
func (r *root) AdoptScheme(ctx context.Context, in struct {
	Input struct {
		Plan           *gql.ID
		Year           int32
		Document       *string
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.record(ctx, "adoptScheme", args.Wait, func(p auth.Principal) (app.Result, error) {
		return r.s.app.AdoptScheme(ctx, p, app.SchemeInput{
			Plan: idOr(args.Plan), Year: int(args.Year), Document: deref(args.Document), IdempotencyKey: args.IdempotencyKey,
		})
	})
}

// PublishScorecard resolves publishScorecard.
func (r *root) PublishScorecard(ctx context.Context, in struct {
	Input struct {
		Plan           *gql.ID
		Year           int32
		Kind           string
		Scheme         string
		SchemeVersion  int32
		AsOf           *gql.Time
		IdempotencyKey string
		Wait           *bool
	}
}) (*mutationPayload, error) {
	args := in.Input
	return r.s.payload("publishScorecard", func() (*mutationResult, error) {
		res, err := r.s.app.PublishScorecard(ctx, principalOf(ctx), app.PublishInput{
			Plan: idOr(args.Plan), Year: int(args.Year), Kind: args.Kind, Scheme: args.Scheme, SchemeVersion: int(args.SchemeVersion),
			AsOf: timeOf(args.AsOf), IdempotencyKey: args.IdempotencyKey,
		})
		return r.s.fromApp(ctx, res.Result, err, args.Wait)
	})
}

// record runs one application-layer use case as the request's principal
// and answers the mutation's payload: what it recorded, or its refusal of
// the input as userErrors (mutation is the Mutation field's name).
func (s *Server) record(ctx context.Context, mutation string, wait *bool, use func(auth.Principal) (app.Result, error)) (*mutationPayload, error) {
	return s.payload(mutation, func() (*mutationResult, error) {
		res, err := use(principalOf(ctx))
		return s.fromApp(ctx, res, err, wait)
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// readStream reads a whole stream; a stream with no events gives nil.
func (s *Server) readStream(ctx context.Context, stream string) ([]domain.Event, error) {
	events, err := s.store.ReadStream(ctx, stream, eventstore.Forwards, 1, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, nil
	}
	return events, err
}

// intOf passes an optional Int argument on as the application layer takes
// it: nil when it was not given.
func intOf(n *int32) *int {
	if n == nil {
		return nil
	}
	v := int(*n)
	return &v
}
