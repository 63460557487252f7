package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"taskledger/auth"
	"taskledger/bulletin"
	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/internal/msg"
	"taskledger/projections"
)

// BulletinInput asks to issue a plan's bulletin (通报) for a period.
type BulletinInput struct {
	Plan string
	// Period is a month ("2026-11") or a quarter ("2026Q4"); it must have
	// begun by the as-of instant.
	Period string
	// AsOf is the instant the bulletin is judged at, and the end of the
	// prefix of the log it is computed from; nil means now.
	AsOf           *time.Time
	IdempotencyKey string
}

// BulletinResult is an issued bulletin: what was recorded, the content
// and the PDF whose digest the event holds.
type BulletinResult struct {
	Result
	Issued   domain.BulletinIssued
	Bulletin bulletin.Bulletin
	PDF      []byte
}

// IssueBulletin computes a plan's bulletin for a period as of an instant,
// renders its PDF and records BulletinIssued with the next number of the
// period's year and the PDF's digest (office only). The same key with the
// same request returns the bulletin issued first; a period already issued
// is a conflict.
func (s *Service) IssueBulletin(ctx context.Context, p auth.Principal, in BulletinInput) (BulletinResult, error) {
	if err := s.authorize(ctx, p, IssueBulletin); err != nil {
		return BulletinResult{}, err
	}
	req, err := s.bulletinRequest(p, in)
	if err != nil {
		return BulletinResult{}, err
	}
	var pl domain.Plan
	_, history, err := s.commands.Load(ctx, domain.PlanStream(req.plan), &pl)
	if err != nil {
		return BulletinResult{}, err
	}
	if !pl.Registered {
		return BulletinResult{}, fail(msg.PlanNotRegistered, msg.Args{"Plan": req.plan})
	}
	if prior := command.RecordedBy(history, req.key); prior != nil {
		return s.repeatBulletin(ctx, prior, req)
	}
	if b, ok := pl.BulletinOf(req.period.String()); ok {
		return BulletinResult{}, fail(msg.BulletinIssued, msg.Args{"Period": req.period, "PeriodZH": req.period.Chinese(), "Year": b.Year, "Number": b.Number})
	}
	return s.issueBulletin(ctx, p, req, pl.NextBulletin(req.period.Year))
}

// issueBulletin computes, renders and records the bulletin numbered number.
func (s *Service) issueBulletin(ctx context.Context, p auth.Principal, req bulletinRequest, number int) (BulletinResult, error) {
	head, err := s.store.Head(ctx)
	if err != nil {
		return BulletinResult{}, fmt.Errorf("issue bulletin: read the log's head: %w", err)
	}
	pos, ok, err := projections.Cut{Position: head, Time: req.asOf}.Resolve(ctx, s.store)
	if err != nil {
		return BulletinResult{}, err
	}
	if !ok {
		return BulletinResult{}, fail(msg.BulletinEmptyLedger, nil)
	}
	issued := domain.BulletinIssued{Plan: req.plan, Year: req.period.Year, Number: number, Period: req.period.String(), AsOfPosition: pos, AsOf: req.asOf}
	b, pdf, err := s.RenderBulletin(ctx, issued)
	if err != nil {
		return BulletinResult{}, err
	}
	issued.Digest = bulletin.Digest(pdf)
	res, err := s.dispatchFor(ctx, p, req.key, req.request(), time.Time{}, domain.IssueBulletin{
		Plan: req.plan, Period: req.period, Number: number, AsOfPosition: pos, AsOf: req.asOf, Digest: issued.Digest,
	})
	if err != nil {
		return BulletinResult{}, err
	}
	res.Summary = fmt.Sprintf("已印发%s（%s），数据截至账本位置 %d · issued %d no. %d (%s) as of position %d; PDF digest %s",
		b.NumberText(), req.period.Chinese(), pos, b.Year, b.Number, req.period, pos, issued.Digest)
	return BulletinResult{Result: res, Issued: issued, Bulletin: b, PDF: pdf}, nil
}

// repeatBulletin answers a repeated request with the bulletin it issued,
// rendered again from its as-of point.
func (s *Service) repeatBulletin(ctx context.Context, prior []domain.Event, req bulletinRequest) (BulletinResult, error) {
	corr, err := correlation(req.key, req.request(), time.Time{})
	if err != nil {
		return BulletinResult{}, err
	}
	if prior[0].CorrelationID != corr {
		return BulletinResult{}, errIdempotencyConflict()
	}
	data, err := s.reg.Decode(&prior[0])
	if err != nil {
		return BulletinResult{}, err
	}
	issued, ok := data.(domain.BulletinIssued)
	if !ok {
		return BulletinResult{}, errIdempotencyConflict()
	}
	b, pdf, err := s.RenderBulletin(ctx, issued)
	if err != nil {
		return BulletinResult{}, err
	}
	return BulletinResult{Result: Result{Events: prior, Position: lastPosition(prior), Duplicate: true}, Issued: issued, Bulletin: b, PDF: pdf}, nil
}

// RenderBulletin computes and renders a bulletin from the prefix of the
// log an issue names (its as-of position and instant). For a recorded
// BulletinIssued the PDF's digest equals the event's: that is how a
// bulletin is reproduced and checked.
func (s *Service) RenderBulletin(ctx context.Context, issued domain.BulletinIssued) (bulletin.Bulletin, []byte, error) {
	period, err := domain.ParseBulletinPeriod(issued.Period)
	if err != nil {
		return bulletin.Bulletin{}, nil, err
	}
	v, err := projections.BuildAsOf(ctx, s.store, s.reg, projections.Config{}, projections.Cut{Position: issued.AsOfPosition, Time: issued.AsOf})
	if err != nil {
		return bulletin.Bulletin{}, nil, err
	}
	b, err := bulletin.Compute(v, bulletin.Request{Plan: issued.Plan, Period: period, Number: issued.Number, AsOf: issued.AsOf, Position: issued.AsOfPosition})
	if err != nil {
		return bulletin.Bulletin{}, nil, err
	}
	pdf, err := bulletin.PDF(b)
	return b, pdf, err
}

// IssuedBulletin is a recorded bulletin as the read side lists it.
type IssuedBulletin struct {
	domain.BulletinIssued
	// Title and NumberText are what a person reads: 2026年第3期.
	Title, NumberText, PeriodText, FileName string
	IssuedAt                                time.Time
	// Verified is set by Bulletin when the PDF rendered again from the
	// as-of point has the recorded digest.
	Verified bool
}

// Bulletins lists a plan's issued bulletins in issue order.
func (s *Service) Bulletins(ctx context.Context, p auth.Principal, planRef string) ([]IssuedBulletin, error) {
	if err := s.authorize(ctx, p, ReadBulletins); err != nil {
		return nil, err
	}
	plan, err := s.Plan(planRef)
	if err != nil {
		return nil, err
	}
	events, err := s.store.ReadStream(ctx, domain.PlanStream(plan), eventstore.Forwards, 0, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, fail(msg.PlanNotRegistered, msg.Args{"Plan": plan})
	}
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", plan, err)
	}
	title := ""
	if pl, ok := s.current().Catalog.Plan(plan); ok {
		title = pl.Title
	}
	var out []IssuedBulletin
	for i := range events {
		if events[i].Type != (domain.BulletinIssued{}).EventType() {
			continue
		}
		data, err := s.reg.Decode(&events[i])
		if err != nil {
			return nil, err
		}
		d := data.(domain.BulletinIssued)
		period, _ := domain.ParseBulletinPeriod(d.Period)
		b := bulletin.Bulletin{PlanTitle: title, Year: d.Year, Number: d.Number, Period: period}
		out = append(out, IssuedBulletin{BulletinIssued: d, Title: b.Title(), NumberText: b.NumberText(), PeriodText: period.Chinese(),
			FileName: b.FileName(), IssuedAt: events[i].RecordedAt})
	}
	return out, nil
}

// Bulletin renders an issued bulletin again, by the period's year and its
// number, and checks the PDF against the recorded digest.
func (s *Service) Bulletin(ctx context.Context, p auth.Principal, planRef string, year, number int) (IssuedBulletin, bulletin.Bulletin, []byte, error) {
	list, err := s.Bulletins(ctx, p, planRef)
	if err != nil {
		return IssuedBulletin{}, bulletin.Bulletin{}, nil, err
	}
	for _, ib := range list {
		if ib.Year != year || ib.Number != number {
			continue
		}
		b, pdf, err := s.RenderBulletin(ctx, ib.BulletinIssued)
		if err != nil {
			return ib, b, nil, err
		}
		ib.Verified = bulletin.Digest(pdf) == ib.Digest
		return ib, b, pdf, nil
	}
	return IssuedBulletin{}, bulletin.Bulletin{}, nil, fail(msg.BulletinNotIssued, msg.Args{"Year": year, "Number": number})
}

// bulletinRequest is a checked BulletinInput.
type bulletinRequest struct {
	plan   domain.PlanID
	period domain.BulletinPeriod
	asOf   time.Time
	key    string
	in     BulletinInput
}

// request is what the idempotency key is bound to: the input, less the key.
func (r bulletinRequest) request() BulletinInput {
	in := r.in
	in.IdempotencyKey = ""
	in.Period = r.period.String()
	return in
}

// bulletinRequest checks a BulletinInput.
func (s *Service) bulletinRequest(p auth.Principal, in BulletinInput) (bulletinRequest, error) {
	req := bulletinRequest{in: in}
	var err error
	if req.key, err = scopedKey(p, in.IdempotencyKey); err != nil {
		return req, err
	}
	if req.plan, err = s.planRef(in.Plan); err != nil {
		return req, err
	}
	if req.period, err = domain.ParseBulletinPeriod(in.Period); err != nil {
		return req, fail(msg.BulletinPeriodInvalid, msg.Args{"Period": strings.TrimSpace(in.Period)}).at("period")
	}
	now := s.clock.Now()
	if req.asOf, err = (window{from: earliest, to: now}).instant("asOf", in.AsOf); err != nil {
		return req, err
	}
	if in.AsOf == nil {
		req.asOf = now
	}
	if req.period.First().StartOf().After(req.asOf) {
		return req, fail(msg.BulletinPeriodAhead, msg.Args{"Period": req.period, "PeriodZH": req.period.Chinese(), "AsOf": req.asOf.Format(time.RFC3339)}).at("period")
	}
	return req, nil
}
