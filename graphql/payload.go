package graphql

import (
	"context"
	"strings"

	"taskledger/app"
	"taskledger/domain"
	"taskledger/internal/msg"
)

// userError resolves UserError: a refusal of a mutation's input.
type userError struct {
	code      Code
	key       msg.Key
	message   string
	messageEn string
	// field is the path of the input field at fault, from "input"; nil
	// when the refusal concerns the input as a whole.
	field []string
}

// Field resolves UserError.field: the path of the input field at fault,
// or null.
func (u *userError) Field() *[]string {
	if u.field == nil {
		return nil
	}
	return &u.field
}

// inputNames renames, for each mutation, the fields the application layer
// calls otherwise than the mutation's input type does: the app's name of
// the first part of a path (app.Error.Field) to the GraphQL input field's.
// It is the one place the names differ, and only in presentation: every
// rule stays in the application layer. A test checks that every path a
// mutation can answer is a field of its input type.
var inputNames = map[string]map[string]string{
	// app.ImportInput.Plan is the plan's id.
	"importPlan": {"plan": "planId"},
	// app.ClaimDecisionInput and app.RectificationInput carry a
	// rejection's reason in Note.
	"rejectCompletion":    {"note": "reason"},
	"rejectRectification": {"note": "reason"},
}

// inputPath is the path UserError.field shows for the input field a
// refusal of mutation names (app.Error.Field): "input", then the
// application layer's path with its first name as the mutation's input
// type calls it. It is nil when the refusal names no field.
func inputPath(mutation string, field []string) []string {
	if len(field) == 0 {
		return nil
	}
	path := append([]string{"input"}, field...)
	if name, ok := inputNames[mutation][field[0]]; ok {
		path[1] = name
	}
	return path
}

// Code resolves UserError.code.
func (u *userError) Code() string { return string(u.code) }

// Message resolves UserError.message (Chinese where the refusal has it).
func (u *userError) Message() string { return u.message }

// MessageEn resolves UserError.messageEn.
func (u *userError) MessageEn() string { return u.messageEn }

// MessageCode resolves UserError.messageCode.
func (u *userError) MessageCode() *string {
	if u.key == "" {
		return nil
	}
	k := string(u.key)
	return &k
}

// userCodes are the refusals a mutation answers in its payload's
// userErrors; any other error (a role that may not act, a missing token,
// an internal failure) stays a top-level error.
var userCodes = map[Code]bool{
	CodeInvalidArgument: true, CodeNotFound: true, CodeConflict: true,
	Code(app.IdempotencyConflict): true, Code(app.OwnWork): true, Code(app.NotLead): true, Code(app.SignOffPending): true,
}

// userErrorOf returns the user error err is, as a refusal of mutation's
// input, or nil when it is not one.
func userErrorOf(mutation string, err error) *userError {
	en, internal := classify(err, msg.EN)
	if internal || !userCodes[en.code] {
		return nil
	}
	zh := en.zh
	if zh == "" {
		ae, _ := classify(err, msg.ZH)
		zh = ae.msg
	}
	ue := &userError{code: en.code, key: en.key, message: zh, messageEn: en.msg}
	if x := app.Explain(err); x != nil {
		ue.field = inputPath(mutation, x.Field)
	}
	return ue
}

// mutationPayload resolves every XxxPayload type: what the mutation
// recorded (res, nil when refused), the objects it changed (found by the
// streams of the recorded events) and its user errors.
type mutationPayload struct {
	s          *Server
	res        *mutationResult
	userErrors []*userError
}

// payload runs a mutation (its Mutation field's name) and answers its
// payload: a refusal of the input becomes userErrors (nothing was
// recorded); any other error stays an error.
func (s *Server) payload(mutation string, run func() (*mutationResult, error)) (*mutationPayload, error) {
	res, err := run()
	if err != nil {
		if ue := userErrorOf(mutation, err); ue != nil {
			return &mutationPayload{s: s, userErrors: []*userError{ue}}, nil
		}
		return nil, err
	}
	return &mutationPayload{s: s, res: res}, nil
}

// Events resolves XxxPayload.events.
func (p *mutationPayload) Events(ctx context.Context) ([]*eventResolver, error) {
	if p.res == nil {
		return []*eventResolver{}, nil
	}
	return p.res.Events(ctx)
}

// Position resolves XxxPayload.position.
func (p *mutationPayload) Position() *Position {
	if p.res == nil {
		return nil
	}
	return p.res.Position()
}

// Duplicate resolves XxxPayload.duplicate.
func (p *mutationPayload) Duplicate() bool { return p.res != nil && p.res.Duplicate() }

// CaughtUp resolves XxxPayload.caughtUp.
func (p *mutationPayload) CaughtUp() bool { return p.res != nil && p.res.CaughtUp() }

// ViewPosition resolves XxxPayload.viewPosition.
func (p *mutationPayload) ViewPosition() Position {
	if p.res == nil {
		return Position(p.s.views.Position())
	}
	return p.res.ViewPosition()
}

// Summary resolves XxxPayload.summary.
func (p *mutationPayload) Summary() string {
	if p.res == nil {
		return ""
	}
	return p.res.Summary()
}

// UserErrors resolves XxxPayload.userErrors.
func (p *mutationPayload) UserErrors() []*userError {
	if p.userErrors == nil {
		return []*userError{}
	}
	return p.userErrors
}

// stream returns the stream of the first recorded event whose name has
// the prefix, or "".
func (p *mutationPayload) stream(ctx context.Context, prefix string) (string, error) {
	if p.res == nil {
		return "", nil
	}
	events, err := p.res.Events(ctx)
	if err != nil {
		return "", err
	}
	for _, e := range events {
		if strings.HasPrefix(e.e.Stream, prefix) {
			return e.e.Stream, nil
		}
	}
	return "", nil
}

// Obligation resolves XxxPayload.obligation: the obligation acted on.
func (p *mutationPayload) Obligation(ctx context.Context) (*obligationResolver, error) {
	st, err := p.stream(ctx, "obligation-")
	if err != nil || st == "" {
		return nil, err
	}
	ob, ok := p.s.views.Obligations.Get(st)
	if !ok {
		return nil, nil
	}
	return p.s.obligationView(ob, st), nil
}

// Unit resolves XxxPayload.unit: the unit acted on.
func (p *mutationPayload) Unit(ctx context.Context) (*unitResolver, error) {
	st, err := p.stream(ctx, "unit-")
	if err != nil || st == "" {
		return nil, err
	}
	u, ok := p.s.views.Catalog.Unit(domain.UnitID(strings.TrimPrefix(st, "unit-")))
	if !ok {
		return nil, nil
	}
	return &unitResolver{s: p.s, u: u}, nil
}

// Plan resolves XxxPayload.plan: the plan acted on.
func (p *mutationPayload) Plan(ctx context.Context) (*planResolver, error) {
	st, err := p.stream(ctx, "plan-")
	if err != nil || st == "" {
		return nil, err
	}
	pl, ok := p.s.views.Catalog.Plan(domain.PlanID(strings.TrimPrefix(st, "plan-")))
	if !ok {
		return nil, nil
	}
	return &planResolver{s: p.s, p: pl}, nil
}
