package domain

import (
	"bytes"
	"encoding/json"
	"math"
	"time"
)

// MaxSchemeDocumentSize bounds an adopted scheme's JSON document, in bytes.
const MaxSchemeDocumentSize = 1 << 20

// Plan is the aggregate of one plan document, on stream plan-<plan>. It
// holds the plan's registration, the scoring schemes adopted for it and the
// scorecards published under it. The zero Plan is an unregistered plan.
type Plan struct {
	// ID is the plan's identifier, set by PlanRegistered.
	ID PlanID
	// Registered is true once PlanRegistered is applied.
	Registered bool
	// Title, Issuer, IssuedOn, SourceDigest and Targets are as registered.
	Title        string
	Issuer       string
	IssuedOn     Date
	SourceDigest Hash
	Targets      []PlanTarget
	// Jurisdiction is the place the plan governs, when recorded.
	Jurisdiction string
	// TrackingFrom is the day tracking was set to start at registration;
	// RegisteredAt is when the registration was recorded. TrackingStart
	// combines them.
	TrackingFrom Date
	RegisteredAt time.Time
	// Schemes are the adopted scoring schemes, in adoption order.
	Schemes []AdoptedScheme
	// Scorecards are the published scorecards, in publication order.
	Scorecards []PublishedScorecard
	// Bulletins are the issued bulletins (通报), in issue order.
	Bulletins []IssuedBulletin

	version uint64
}

// AdoptedScheme is a scheme version the plan adopted (its document is in
// the SchemeAdopted event; the aggregate keeps only what decisions need).
type AdoptedScheme struct {
	Scheme  string
	Version int
	Year    int
}

// PublishedScorecard is a scorecard publication.
type PublishedScorecard struct {
	Year          int
	Kind          string
	Scheme        string
	SchemeVersion int
	AsOfPosition  uint64
	Digest        Hash
}

// Version implements VersionedAggregate.
func (p *Plan) Version() uint64 { return p.version }

// Scheme returns the adopted scheme with that id and version.
func (p *Plan) Scheme(id string, version int) (AdoptedScheme, bool) {
	for _, s := range p.Schemes {
		if s.Scheme == id && s.Version == version {
			return s, true
		}
	}
	return AdoptedScheme{}, false
}

// RegisterPlan registers a plan. Allowed once per plan.
type RegisterPlan struct {
	Plan   PlanID
	Title  string
	Issuer string
	// Jurisdiction is the place the plan governs, e.g. 赤峰市; optional.
	Jurisdiction string
	IssuedOn     Date
	SourceDigest Hash
	Targets      []PlanTarget
	// TrackingFrom moves the start of tracking from the day of the
	// registration to another day; zero keeps the registration's day.
	TrackingFrom Date
}

// Stream implements Command.
func (c RegisterPlan) Stream() string { return PlanStream(c.Plan) }

// Validate implements Command.
func (c RegisterPlan) Validate() error {
	if err := c.Plan.Validate(); err != nil {
		return err
	}
	if err := checkText("title", c.Title, MaxNameLen, true); err != nil {
		return err
	}
	if err := checkText("issuer", c.Issuer, MaxNameLen, false); err != nil {
		return err
	}
	if err := checkText("jurisdiction", c.Jurisdiction, MaxNameLen, false); err != nil {
		return err
	}
	for i, t := range c.Targets {
		if err := t.Validate(); err != nil {
			return errorf(ErrInvalidArgument, "target %d: %v", i+1, err)
		}
	}
	return nil
}

// Validate checks a plan target.
func (t PlanTarget) Validate() error {
	if t.Unit != "" {
		if err := t.Unit.Validate(); err != nil {
			return err
		}
	}
	if err := checkID("target metric", t.Metric, true); err != nil {
		return err
	}
	switch t.Comparator {
	case AtMost, AtLeast:
	case ReduceByPercent:
		if err := checkYear(t.BaselineYear); err != nil {
			return errorf(ErrInvalidArgument, "baseline year: %v", err)
		}
	default:
		return errorf(ErrInvalidArgument, "comparator %q is not at_most, at_least or reduce_by_pct", string(t.Comparator))
	}
	if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
		return errorf(ErrInvalidArgument, "target value is not a finite number")
	}
	return checkText("target text", t.Text, MaxNoteLen, false)
}

// checkYear accepts the years a plan can plausibly concern.
func checkYear(y int) error {
	if y < 1990 || y > 2100 {
		return errorf(ErrInvalidArgument, "year %d is outside 1990–2100", y)
	}
	return nil
}

// TrackingStart is the day the ledger starts tracking the plan: the day
// set at registration, else the Shanghai day the registration was
// recorded. Milestones due before it are to be backfilled: the deadline
// watcher records no slip for them, and they count in no score until the
// unit reports on them or an inspector rules.
func (p Plan) TrackingStart() Date {
	if !p.TrackingFrom.IsZero() {
		return p.TrackingFrom
	}
	if p.RegisteredAt.IsZero() {
		return Date{}
	}
	return DateOf(p.RegisteredAt)
}

// datePtr is nil for the zero date, so that an unset date is left out of
// a payload (and payloads from before the field existed keep their bytes).
func datePtr(d Date) *Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

// RegisterPlan decides a RegisterPlan command. Errors: ErrAlreadyExists.
func (p *Plan) RegisterPlan(c RegisterPlan, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), p.routed(c.Plan)); err != nil {
		return nil, err
	}
	if p.Registered {
		return nil, errorf(ErrAlreadyExists, "plan %s is already registered", p.ID)
	}
	return []EventData{PlanRegistered{
		Plan: c.Plan, Title: c.Title, Issuer: c.Issuer, Jurisdiction: c.Jurisdiction, IssuedOn: c.IssuedOn,
		SourceDigest: c.SourceDigest, Targets: c.Targets, TrackingFrom: datePtr(c.TrackingFrom),
	}}, nil
}

// AdoptScheme adopts a version of a scoring scheme for a year. Each
// (scheme, version) is adopted at most once per plan.
type AdoptScheme struct {
	Plan    PlanID
	Scheme  string
	Version int
	Year    int
	// Document is the scheme as a JSON object.
	Document json.RawMessage
}

// Stream implements Command.
func (c AdoptScheme) Stream() string { return PlanStream(c.Plan) }

// Validate implements Command.
func (c AdoptScheme) Validate() error {
	if err := c.Plan.Validate(); err != nil {
		return err
	}
	if err := checkID("scheme id", c.Scheme, true); err != nil {
		return err
	}
	if c.Version < 1 {
		return errorf(ErrInvalidArgument, "scheme version %d is not positive", c.Version)
	}
	if err := checkYear(c.Year); err != nil {
		return err
	}
	if len(c.Document) > MaxSchemeDocumentSize {
		return errorf(ErrInvalidArgument, "scheme document is %d bytes, more than %d", len(c.Document), MaxSchemeDocumentSize)
	}
	doc := bytes.TrimSpace(c.Document)
	if !json.Valid(doc) || len(doc) == 0 || doc[0] != '{' {
		return errorf(ErrInvalidArgument, "scheme document is not a JSON object")
	}
	return nil
}

// AdoptScheme decides an AdoptScheme command. Errors: ErrNotFound (plan not
// registered), ErrAlreadyExists.
func (p *Plan) AdoptScheme(c AdoptScheme, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), p.routed(c.Plan), p.exists(c.Plan)); err != nil {
		return nil, err
	}
	if _, ok := p.Scheme(c.Scheme, c.Version); ok {
		return nil, errorf(ErrAlreadyExists, "scheme %s version %d is already adopted", c.Scheme, c.Version)
	}
	doc := append(json.RawMessage(nil), bytes.TrimSpace(c.Document)...)
	return []EventData{SchemeAdopted{Plan: c.Plan, Scheme: c.Scheme, Version: c.Version, Year: c.Year, Document: doc}}, nil
}

// PublishScorecard publishes a year's scorecards of one kind. The scheme
// version must have been adopted for that year; the same (year, kind,
// digest) is published at most once, a different digest republishes.
type PublishScorecard struct {
	Plan          PlanID
	Year          int
	Kind          string
	Scheme        string
	SchemeVersion int
	AsOfPosition  uint64
	AsOf          time.Time
	Digest        Hash
}

// Stream implements Command.
func (c PublishScorecard) Stream() string { return PlanStream(c.Plan) }

// Validate implements Command.
func (c PublishScorecard) Validate() error {
	if err := c.Plan.Validate(); err != nil {
		return err
	}
	if err := checkYear(c.Year); err != nil {
		return err
	}
	if err := checkID("scorecard kind", c.Kind, true); err != nil {
		return err
	}
	if err := checkID("scheme id", c.Scheme, true); err != nil {
		return err
	}
	if c.SchemeVersion < 1 {
		return errorf(ErrInvalidArgument, "scheme version %d is not positive", c.SchemeVersion)
	}
	if c.Digest.IsZero() {
		return errorf(ErrInvalidArgument, "scorecard digest is required")
	}
	return nil
}

// PublishScorecard decides a PublishScorecard command. Errors: ErrNotFound,
// ErrUnknownScheme, ErrInvalidArgument (scheme adopted for another year),
// ErrAlreadyExists.
func (p *Plan) PublishScorecard(c PublishScorecard, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), p.routed(c.Plan), p.exists(c.Plan)); err != nil {
		return nil, err
	}
	s, ok := p.Scheme(c.Scheme, c.SchemeVersion)
	if !ok {
		return nil, errorf(ErrUnknownScheme, "plan %s has not adopted scheme %s version %d", p.ID, c.Scheme, c.SchemeVersion)
	}
	if s.Year != c.Year {
		return nil, errorf(ErrInvalidArgument, "scheme %s version %d scores %d, not %d", c.Scheme, c.SchemeVersion, s.Year, c.Year)
	}
	for _, sc := range p.Scorecards {
		if sc.Year == c.Year && sc.Kind == c.Kind && sc.Digest == c.Digest {
			return nil, errorf(ErrAlreadyExists, "%d %s scorecards with digest %s are already published", c.Year, c.Kind, c.Digest)
		}
	}
	return []EventData{ScorecardPublished{
		Plan: c.Plan, Year: c.Year, Kind: c.Kind, Scheme: c.Scheme, SchemeVersion: c.SchemeVersion,
		AsOfPosition: c.AsOfPosition, AsOf: c.AsOf, Digest: c.Digest,
	}}, nil
}

// routed checks that a command names this plan (once it has an identity).
func (p *Plan) routed(id PlanID) error {
	if p.ID != "" && p.ID != id {
		return errorf(ErrInvalidArgument, "command for plan %s sent to plan %s", id, p.ID)
	}
	return nil
}

func (p *Plan) exists(id PlanID) error {
	if !p.Registered {
		return errorf(ErrNotFound, "plan %s is not registered", id)
	}
	return nil
}

// Apply implements Aggregate.
func (p *Plan) Apply(e *Event, data EventData) error {
	v, err := advance(p.version, e, "plan")
	if err != nil {
		return err
	}
	switch d := data.(type) {
	case PlanRegistered:
		if p.Registered {
			return unexpected("plan "+string(p.ID), data)
		}
		p.ID, p.Registered = d.Plan, true
		p.Title, p.Issuer, p.IssuedOn, p.SourceDigest = d.Title, d.Issuer, d.IssuedOn, d.SourceDigest
		p.Jurisdiction = d.Jurisdiction
		p.Targets = append([]PlanTarget(nil), d.Targets...)
		p.RegisteredAt = e.RecordedAt
		if d.TrackingFrom != nil {
			p.TrackingFrom = *d.TrackingFrom
		}
	case SchemeAdopted:
		if err := p.applies(d.Plan, data); err != nil {
			return err
		}
		p.Schemes = append(p.Schemes, AdoptedScheme{Scheme: d.Scheme, Version: d.Version, Year: d.Year})
	case ScorecardPublished:
		if err := p.applies(d.Plan, data); err != nil {
			return err
		}
		p.Scorecards = append(p.Scorecards, PublishedScorecard{
			Year: d.Year, Kind: d.Kind, Scheme: d.Scheme, SchemeVersion: d.SchemeVersion,
			AsOfPosition: d.AsOfPosition, Digest: d.Digest,
		})
	case BulletinIssued:
		if err := p.applies(d.Plan, data); err != nil {
			return err
		}
		p.Bulletins = append(p.Bulletins, IssuedBulletin{
			Year: d.Year, Number: d.Number, Period: d.Period, AsOfPosition: d.AsOfPosition, AsOf: d.AsOf, Digest: d.Digest,
		})
	default:
		return unexpected("plan", data)
	}
	p.version = v
	return nil
}

func (p *Plan) applies(id PlanID, data EventData) error {
	if !p.Registered || id != p.ID {
		return unexpected("plan "+string(p.ID), data)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
