package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"taskledger/auth"
	"taskledger/command"
	"taskledger/domain"
	"taskledger/internal/msg"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// SchemeInput adopts a scoring scheme for a plan's year.
type SchemeInput struct {
	Plan string
	Year int
	// Document is the scheme in its JSON form; empty means the built-in
	// default scheme.
	Document       string
	IdempotencyKey string
}

// AdoptScheme records the committee's scoring rules for a year.
func (s *Service) AdoptScheme(ctx context.Context, p auth.Principal, in SchemeInput) (Result, error) {
	scoped, err := s.admit(ctx, p, AdoptScheme, in.IdempotencyKey)
	if err != nil {
		return Result{}, err
	}
	plan, err := s.planRef(in.Plan)
	if err != nil {
		return Result{}, err
	}
	scheme := scoring.Default()
	if strings.TrimSpace(in.Document) != "" {
		if scheme, err = scoring.Parse([]byte(in.Document)); err != nil {
			return Result{}, fail(msg.ScoreSchemeUnread, msg.Args{"Reason": err.Error()}).at("document")
		}
	}
	if scheme.Year != 0 && scheme.Year != in.Year {
		return Result{}, fail(msg.ScoreSchemeYear, msg.Args{"Scheme": scheme.ID, "Version": scheme.Version, "For": scheme.Year, "Year": in.Year}).at("year")
	}
	return s.dispatch(ctx, p, scoped, time.Time{}, domain.AdoptScheme{
		Plan: plan, Scheme: scheme.ID, Version: scheme.Version, Year: in.Year, Document: scheme.Canonical(),
	})
}

// PublishInput asks to publish a year's scorecards of one kind.
type PublishInput struct {
	Plan string
	Year int
	// Kind is "bureau" or "county".
	Kind string
	// Scheme and SchemeVersion choose the rules; empty and zero mean the
	// scheme the year would be scored by (the latest adopted for the year,
	// else the built-in default).
	Scheme        string
	SchemeVersion int
	// AsOf is the instant the scorecards are judged at; nil means now. It
	// may lie in the past, never in the future or before 1970.
	AsOf           *time.Time
	IdempotencyKey string
}

// PublishResult says what a publication recorded.
type PublishResult struct {
	Result
	// Scorecards are the published results.
	Scorecards scoring.Result
	// Adopted is true when the scheme was adopted by this request first.
	Adopted bool
	// ComputedAt is the log position the scorecards were computed at.
	ComputedAt uint64
	// AsOf is the instant they were judged at.
	AsOf time.Time
}

// PublishScorecard computes a year's scorecards at the head of the log,
// judged at the input's instant, and records them as published. A scheme
// the plan has not adopted yet is adopted first (both events are in the
// result). A repeated request returns what the first one recorded without
// computing again.
func (s *Service) PublishScorecard(ctx context.Context, p auth.Principal, in PublishInput) (PublishResult, error) {
	if err := s.authorize(ctx, p, PublishScorecard); err != nil {
		return PublishResult{}, err
	}
	req, err := s.publication(p, in)
	if err != nil {
		return PublishResult{}, err
	}
	if prior, err := s.priorEvents(ctx, domain.PlanStream(req.plan), req.key); err != nil || prior != nil {
		if err == nil {
			err = s.sameRequest(prior, req)
		}
		return PublishResult{Result: Result{Events: prior, Position: lastPosition(prior), Duplicate: true}}, err
	}
	out := PublishResult{AsOf: req.asOf}
	scheme, adopted, err := s.adoptForPublication(ctx, p, req)
	if err != nil {
		return out, err
	}
	out.Adopted = adopted
	if out.ComputedAt, err = s.store.Head(ctx); err != nil {
		return out, fmt.Errorf("publish: read the log's head: %w", err)
	}
	if out.Scorecards, err = projections.ScorecardsAt(ctx, s.store, s.reg, projections.Config{}, req.plan, in.Year, req.kind, scheme.ID, scheme.Version, out.ComputedAt, req.asOf); err != nil {
		return out, err
	}
	res, err := s.dispatchFor(ctx, p, req.key, req.request(), time.Time{}, domain.PublishScorecard{
		Plan: req.plan, Year: in.Year, Kind: string(req.kind), Scheme: scheme.ID, SchemeVersion: scheme.Version,
		AsOfPosition: out.ComputedAt, AsOf: req.asOf, Digest: out.Scorecards.Digest(),
	})
	out.Result = res
	out.Summary = fmt.Sprintf("published %d %s scorecards (%d cards) computed at position %d; digest %s",
		in.Year, req.kind, len(out.Scorecards.Cards), out.ComputedAt, out.Scorecards.Digest())
	return out, err
}

// publishRequest is a checked PublishInput.
type publishRequest struct {
	plan domain.PlanID
	kind scoring.Kind
	asOf time.Time
	key  string
	in   PublishInput
}

// request is what the idempotency key of a publication is bound to: the
// input as given, less the key.
func (r publishRequest) request() PublishInput {
	in := r.in
	in.IdempotencyKey = ""
	return in
}

// sameRequest refuses a repeated key that recorded another publication.
func (s *Service) sameRequest(prior []domain.Event, req publishRequest) error {
	corr, err := correlation(req.key, req.request(), time.Time{})
	if err != nil {
		return err
	}
	if command.SameRequest(prior, domain.Meta{CorrelationID: corr}) != nil {
		return errIdempotencyConflict()
	}
	return nil
}

// publication checks a publication request.
func (s *Service) publication(p auth.Principal, in PublishInput) (publishRequest, error) {
	req := publishRequest{in: in, kind: scoring.Kind(strings.ToLower(strings.TrimSpace(in.Kind)))}
	var err error
	if req.key, err = scopedKey(p, in.IdempotencyKey); err != nil {
		return req, err
	}
	if req.plan, err = s.planRef(in.Plan); err != nil {
		return req, err
	}
	if err := req.kind.Validate(); err != nil {
		return req, fail(msg.ScoreKindInvalid, msg.Args{"Reason": err.Error()}).at("kind")
	}
	if in.SchemeVersion < 0 || in.SchemeVersion > 0 && in.Scheme == "" {
		return req, fail(msg.ScoreVersionInvalid, nil).at("schemeVersion")
	}
	now := s.clock.Now()
	if req.asOf, err = (window{from: earliest, to: now}).instant("asOf", in.AsOf); err != nil {
		return req, err
	}
	if in.AsOf == nil {
		req.asOf = now
	}
	return req, nil
}

// adoptForPublication picks the scheme a publication uses and adopts it
// first when the plan has not.
func (s *Service) adoptForPublication(ctx context.Context, p auth.Principal, req publishRequest) (scoring.Scheme, bool, error) {
	v := s.current()
	scheme, err := v.SchemeFor(req.plan, req.in.Year, req.in.Scheme, req.in.SchemeVersion)
	if err != nil && req.in.Scheme != "" {
		return scheme, false, kindFields{domain.ErrUnknownScheme: {"scheme"}}.mark(err)
	}
	if err != nil {
		return scheme, false, err
	}
	pl, ok := v.Catalog.Plan(req.plan)
	if !ok {
		return scheme, false, fail(msg.PlanNotRegistered, msg.Args{"Plan": req.plan})
	}
	if _, ok := pl.Scheme(scheme.ID, scheme.Version); ok {
		return scheme, false, nil
	}
	res, err := s.dispatchFor(ctx, p, req.key+":adopt", req.request(), time.Time{}, domain.AdoptScheme{
		Plan: req.plan, Scheme: scheme.ID, Version: scheme.Version, Year: req.in.Year, Document: scheme.Canonical(),
	})
	if err != nil {
		return scheme, false, fmt.Errorf("adopt scheme %s v%d: %w", scheme.ID, scheme.Version, err)
	}
	return scheme, !res.Duplicate, nil
}

// priorEvents returns the events a request with this scoped key recorded
// on stream, or nil.
func (s *Service) priorEvents(ctx context.Context, stream, key string) ([]domain.Event, error) {
	var pl domain.Plan
	_, history, err := s.commands.Load(ctx, stream, &pl)
	if err != nil {
		return nil, err
	}
	return command.RecordedBy(history, key), nil
}

func lastPosition(events []domain.Event) uint64 {
	if len(events) == 0 {
		return 0
	}
	return events[len(events)-1].Position
}
