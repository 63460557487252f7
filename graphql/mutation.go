package graphql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	gql "github.com/graph-gophers/graphql-go"

	"taskledger/auth"
	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/planimport"
	"taskledger/planparse"
	"taskledger/projections/scoring"
)

// MaxIdempotencyKeyLen bounds an idempotencyKey, in bytes.
const MaxIdempotencyKeyLen = 200

// MaxPlanTextBytes bounds the text importPlan takes.
const MaxPlanTextBytes = 512 << 10

// correlationNamespace derives a request's correlation ID from its scoped
// idempotency key, so a retried request writes identical envelopes.
var correlationNamespace = uuid.MustParse("0b7f2f52-6c7e-4a53-9d1b-4c2f3e5a6d71")

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

// scopedKey makes a client's idempotency key its own: keys from different
// tokens never collide.
func scopedKey(p auth.Principal, key string) (string, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return "", invalidf("idempotencyKey is required: send the same key when retrying the same request")
	}
	if len(key) > MaxIdempotencyKeyLen || !utf8.ValidString(key) {
		return "", invalidf("idempotencyKey must be valid UTF-8 of at most %d bytes", MaxIdempotencyKeyLen)
	}
	return "api:" + p.TokenID + ":" + key, nil
}

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

// dispatch runs one domain command as the principal.
func (s *Server) dispatch(ctx context.Context, p auth.Principal, key string, effective *gql.Time, wait *bool, cmd domain.Command) (*mutationResult, error) {
	scoped, err := scopedKey(p, key)
	if err != nil {
		return nil, err
	}
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	meta := domain.Meta{
		Actor:          p.Actor(),
		Now:            s.now(),
		IdempotencyKey: scoped,
		CorrelationID:  uuid.NewSHA1(correlationNamespace, []byte(scoped)),
	}
	if effective != nil {
		meta.EffectiveAt = effective.Time
	}
	res, err := command.Dispatch(ctx, s.commands, cmd, meta)
	if err != nil {
		return nil, err
	}
	return s.finish(ctx, &mutationResult{events: res.Events, position: res.Position, duplicate: res.Duplicate}, wait), nil
}

type obligationInput struct {
	Plan *gql.ID
	Task int32
	Unit *gql.ID
	Role string
}

// obligation resolves an ObligationInput for a principal and action: the
// default plan, the token's own unit for unit-bound roles (refusing
// another), a unit id, name or alias otherwise.
func (s *Server) obligation(p auth.Principal, a action, in obligationInput) (domain.ObligationKey, error) {
	plan, err := s.plan((*string)(in.Plan))
	if err != nil {
		return domain.ObligationKey{}, err
	}
	var unit domain.UnitID
	if in.Unit != nil && *in.Unit != "" {
		unit = domain.UnitID(*in.Unit)
		if unit.Validate() != nil || p.Role.UnitBound() {
			if u, err := s.views.Catalog.ResolveUnit(string(*in.Unit)); err == nil {
				unit = u.ID
			}
		}
	}
	if unit, err = ownUnit(p, a, unit); err != nil {
		return domain.ObligationKey{}, err
	}
	if unit == "" {
		return domain.ObligationKey{}, invalidf("obligation.unit is required")
	}
	k := domain.ObligationKey{Plan: plan, Task: domain.TaskNo(in.Task), Unit: unit, Role: domain.Role(in.Role)}
	return k, k.ValidateKey()
}

// acting is the ActingUnit of a unit's own commands.
func acting(p auth.Principal) domain.UnitID {
	if p.Role.UnitBound() {
		return p.Unit
	}
	return ""
}

// ImportPlan resolves importPlan.
func (r *root) ImportPlan(ctx context.Context, args struct {
	Text           string
	PlanID         gql.ID
	Issuer         *string
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actImportPlan)
	if err != nil {
		return nil, err
	}
	if _, err := scopedKey(p, args.IdempotencyKey); err != nil {
		return nil, err
	}
	if len(args.Text) > MaxPlanTextBytes {
		return nil, invalidf("the plan text is %d bytes, more than %d", len(args.Text), MaxPlanTextBytes)
	}
	id := domain.PlanID(args.PlanID)
	if err := id.Validate(); err != nil {
		return nil, err
	}
	plan, err := planparse.ParseBytes([]byte(args.Text), planparse.Options{})
	if err != nil {
		return nil, invalidf("the plan text cannot be parsed: %v", err)
	}
	opts := planimport.Options{Plan: id, Actor: p.Actor(), Now: r.s.now()}
	if args.Issuer != nil {
		opts.Issuer = *args.Issuer
	}
	rep, err := planimport.Import(ctx, r.s.commands, r.s.views, plan, []byte(args.Text), opts)
	if err != nil {
		return nil, err
	}
	m := &mutationResult{position: rep.Position, positions: []uint64{}}
	for _, c := range rep.Changes {
		m.positions = append(m.positions, c.Position)
	}
	if len(rep.Changes) == 0 {
		m.summary = fmt.Sprintf("nothing to record: the ledger already holds this text (%d items unchanged)", rep.Unchanged)
	} else {
		m.summary = fmt.Sprintf("recorded %d events (%s); %d items unchanged", len(rep.Changes), planimport.Summary(rep), rep.Unchanged)
	}
	return r.s.finish(ctx, m, args.Wait), nil
}

// registered checks, on the authoritative streams, that an assignment's
// task and unit exist.
func (s *Server) registered(ctx context.Context, k domain.ObligationKey) error {
	var t domain.Task
	if _, _, err := s.commands.Load(ctx, domain.TaskStream(k.Plan, k.Task), &t); err != nil {
		return err
	}
	if !t.Registered {
		return newError(CodeNotFound, "task %d of plan %s is not registered", k.Task, k.Plan)
	}
	var u domain.Unit
	if _, _, err := s.commands.Load(ctx, domain.UnitStream(k.Unit), &u); err != nil {
		return err
	}
	if !u.Registered {
		return newError(CodeNotFound, "unit %s is not registered", k.Unit)
	}
	if u.MergedInto != "" {
		return newError(CodeConflict, "unit %s was merged into %s", k.Unit, u.MergedInto)
	}
	return nil
}

// AssignResponsibility resolves assignResponsibility.
func (r *root) AssignResponsibility(ctx context.Context, args struct {
	Obligation     obligationInput
	Basis          *string
	StartsOn       *Date
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actAssign)
	if err != nil {
		return nil, err
	}
	k, err := r.s.obligation(p, actAssign, args.Obligation)
	if err != nil {
		return nil, err
	}
	cmd := domain.AssignResponsibility{ObligationKey: k, Basis: deref(args.Basis)}
	if args.StartsOn != nil {
		cmd.StartsOn = args.StartsOn.Date
	}
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	if err := r.s.registered(ctx, k); err != nil {
		return nil, err
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, cmd)
}

// WithdrawResponsibility resolves withdrawResponsibility.
func (r *root) WithdrawResponsibility(ctx context.Context, args struct {
	Obligation     obligationInput
	Reason         *string
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actWithdraw)
	if err != nil {
		return nil, err
	}
	k, err := r.s.obligation(p, actWithdraw, args.Obligation)
	if err != nil {
		return nil, err
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, domain.WithdrawResponsibility{ObligationKey: k, Reason: deref(args.Reason)})
}

// ReportProgress resolves reportProgress.
func (r *root) ReportProgress(ctx context.Context, args struct {
	Obligation     obligationInput
	Percent        int32
	Period         *string
	Note           *string
	EffectiveAt    *gql.Time
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actReport)
	if err != nil {
		return nil, err
	}
	k, err := r.s.obligation(p, actReport, args.Obligation)
	if err != nil {
		return nil, err
	}
	cmd := domain.ReportProgress{ObligationKey: k, ActingUnit: acting(p), Percent: domain.Percent(args.Percent), Note: deref(args.Note)}
	if args.Period != nil && *args.Period != "" {
		if cmd.Period, err = domain.ParseYearMonth(*args.Period); err != nil {
			return nil, err
		}
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, args.EffectiveAt, args.Wait, cmd)
}

// RequestExtension resolves requestExtension.
func (r *root) RequestExtension(ctx context.Context, args struct {
	Obligation     obligationInput
	Milestone      string
	Due            Date
	Reason         string
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actRequestExtension)
	if err != nil {
		return nil, err
	}
	k, err := r.s.obligation(p, actRequestExtension, args.Obligation)
	if err != nil {
		return nil, err
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, domain.RequestExtension{
		ObligationKey: k, ActingUnit: acting(p), Milestone: domain.MilestoneID(args.Milestone), Due: args.Due.Date, Reason: args.Reason,
	})
}

// DecideExtension resolves decideExtension.
func (r *root) DecideExtension(ctx context.Context, args struct {
	Obligation     obligationInput
	Grant          bool
	Due            *Date
	Note           *string
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actDecideExtension)
	if err != nil {
		return nil, err
	}
	k, err := r.s.obligation(p, actDecideExtension, args.Obligation)
	if err != nil {
		return nil, err
	}
	if !args.Grant {
		if args.Due != nil {
			return nil, invalidf("due is for granting; a refusal takes only a note")
		}
		return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, domain.RefuseExtension{ObligationKey: k, Reason: deref(args.Note)})
	}
	cmd := domain.GrantExtension{ObligationKey: k, Note: deref(args.Note)}
	if args.Due != nil {
		cmd.Due = args.Due.Date
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, cmd)
}

// ClaimCompletion resolves claimCompletion.
func (r *root) ClaimCompletion(ctx context.Context, args struct {
	Obligation     obligationInput
	Milestone      *string
	Evidence       *string
	AchievedAt     *gql.Time
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actClaim)
	if err != nil {
		return nil, err
	}
	k, err := r.s.obligation(p, actClaim, args.Obligation)
	if err != nil {
		return nil, err
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, args.AchievedAt, args.Wait, domain.ClaimCompletion{
		ObligationKey: k, ActingUnit: acting(p), Milestone: domain.MilestoneID(deref(args.Milestone)), Evidence: deref(args.Evidence),
	})
}

// VerifyCompletion resolves verifyCompletion.
func (r *root) VerifyCompletion(ctx context.Context, args struct {
	Obligation     obligationInput
	Milestone      *string
	Note           *string
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actVerify)
	if err != nil {
		return nil, err
	}
	k, err := r.s.obligation(p, actVerify, args.Obligation)
	if err != nil {
		return nil, err
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, domain.VerifyCompletion{
		ObligationKey: k, Milestone: domain.MilestoneID(deref(args.Milestone)), Note: deref(args.Note),
	})
}

// RejectCompletion resolves rejectCompletion.
func (r *root) RejectCompletion(ctx context.Context, args struct {
	Obligation     obligationInput
	Milestone      *string
	Reason         string
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actReject)
	if err != nil {
		return nil, err
	}
	k, err := r.s.obligation(p, actReject, args.Obligation)
	if err != nil {
		return nil, err
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, domain.RejectCompletion{
		ObligationKey: k, Milestone: domain.MilestoneID(deref(args.Milestone)), Reason: args.Reason,
	})
}

// RecordFinding resolves recordFinding.
func (r *root) RecordFinding(ctx context.Context, args struct {
	Obligation     obligationInput
	Kind           string
	Severity       string
	Summary        string
	RectifyBy      *Date
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actRecordFinding)
	if err != nil {
		return nil, err
	}
	k, err := r.s.obligation(p, actRecordFinding, args.Obligation)
	if err != nil {
		return nil, err
	}
	cmd := domain.RecordFinding{
		ObligationKey: k, Kind: domain.FindingKind(strings.ToLower(args.Kind)),
		Severity: domain.Severity(strings.ToLower(args.Severity)), Summary: args.Summary,
	}
	if args.RectifyBy != nil {
		cmd.RectifyBy = args.RectifyBy.Date
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, cmd)
}

// RecordIndicator resolves recordIndicator.
func (r *root) RecordIndicator(ctx context.Context, args struct {
	Unit           gql.ID
	Metric         string
	Period         string
	Value          float64
	Source         *string
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actRecordIndicator)
	if err != nil {
		return nil, err
	}
	unit := domain.UnitID(args.Unit)
	if unit.Validate() != nil {
		if unit, err = r.s.resolveUnit(string(args.Unit)); err != nil {
			return nil, err
		}
	}
	period, err := domain.ParseYearMonth(args.Period)
	if err != nil {
		return nil, err
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, domain.RecordIndicator{
		Unit: unit, Metric: domain.Metric(strings.ToLower(args.Metric)), Period: period, Value: args.Value, Source: deref(args.Source),
	})
}

// AdoptScheme resolves adoptScheme.
func (r *root) AdoptScheme(ctx context.Context, args struct {
	Plan           *gql.ID
	Year           int32
	Document       *string
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actAdoptScheme)
	if err != nil {
		return nil, err
	}
	plan, err := r.s.plan((*string)(args.Plan))
	if err != nil {
		return nil, err
	}
	scheme := scoring.Default()
	if args.Document != nil && strings.TrimSpace(*args.Document) != "" {
		if scheme, err = scoring.Parse([]byte(*args.Document)); err != nil {
			return nil, invalidf("%v", err)
		}
	}
	if scheme.Year != 0 && scheme.Year != int(args.Year) {
		return nil, invalidf("scheme %s version %d is written for %d, not %d", scheme.ID, scheme.Version, scheme.Year, args.Year)
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, domain.AdoptScheme{
		Plan: plan, Scheme: scheme.ID, Version: scheme.Version, Year: int(args.Year), Document: scheme.Canonical(),
	})
}

// PublishScorecard resolves publishScorecard.
func (r *root) PublishScorecard(ctx context.Context, args struct {
	Plan           *gql.ID
	Year           int32
	Kind           string
	Scheme         string
	SchemeVersion  int32
	AsOf           *gql.Time
	IdempotencyKey string
	Wait           *bool
}) (*mutationResult, error) {
	p, err := authorize(ctx, actPublishScorecard)
	if err != nil {
		return nil, err
	}
	scoped, err := scopedKey(p, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	plan, err := r.s.plan((*string)(args.Plan))
	if err != nil {
		return nil, err
	}
	// A retry returns what the first attempt recorded, without computing.
	var pl domain.Plan
	if _, history, err := r.s.commands.Load(ctx, domain.PlanStream(plan), &pl); err != nil {
		return nil, err
	} else if prior := priorEvents(history, scoped); prior != nil {
		return r.s.finish(ctx, &mutationResult{events: prior, position: prior[len(prior)-1].Position, duplicate: true}, args.Wait), nil
	}
	kind := scoring.Kind(strings.ToLower(args.Kind))
	if args.SchemeVersion < 1 {
		return nil, invalidf("schemeVersion must be positive")
	}
	asOf := r.s.now()
	if args.AsOf != nil {
		if args.AsOf.Time.After(asOf) {
			return nil, invalidf("asOf %s is in the future", args.AsOf.Time.Format(time.RFC3339))
		}
		asOf = args.AsOf.Time
	}
	head, err := r.s.store.Head(ctx)
	if err != nil {
		return nil, err
	}
	c, err := r.s.computeAt(ctx, plan, int(args.Year), kind, args.Scheme, int(args.SchemeVersion), head, asOf)
	if err != nil {
		return nil, err
	}
	if !c.sc.adopted {
		return nil, newError(CodeNotFound, "plan %s has not adopted scheme %s version %d", plan, args.Scheme, args.SchemeVersion)
	}
	return r.s.dispatch(ctx, p, args.IdempotencyKey, nil, args.Wait, domain.PublishScorecard{
		Plan: plan, Year: int(args.Year), Kind: string(kind), Scheme: c.sc.s.ID, SchemeVersion: c.sc.s.Version,
		AsOfPosition: head, AsOf: asOf, Digest: c.res.Digest(),
	})
}

// priorEvents returns the events a command with this idempotency key
// recorded in history, or nil.
func priorEvents(history []domain.Event, key string) []domain.Event {
	first := domain.DeriveEventID(key, 0)
	for i := range history {
		if history[i].ID == first {
			n := 1
			for i+n < len(history) && history[i+n].ID == domain.DeriveEventID(key, n) {
				n++
			}
			return history[i : i+n]
		}
	}
	return nil
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
