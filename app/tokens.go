package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/msg"
)

// TokenInput asks for a new API token.
type TokenInput struct {
	// Role is the token's role (coordinator, bureau, county, inspector,
	// committee).
	Role string
	// Unit is the unit a bureau or county token acts for: an id, name or
	// alias of a registered unit of the matching kind.
	Unit string
	// Name labels the holder; empty means the role and unit.
	Name string
	// ValidFor is how long the token is valid; zero means auth.DefaultTTL
	// (one year), at most auth.MaxTTL.
	ValidFor time.Duration
}

// CreateToken makes an API token. The token is returned once; the ledger
// keeps only its hash.
func (s *Service) CreateToken(ctx context.Context, p auth.Principal, in TokenInput) (string, auth.Record, error) {
	if err := cleanFields(nameText("name", "名称", &in.Name)); err != nil {
		return "", auth.Record{}, err
	}
	if err := s.authorize(ctx, p, ManageTokens); err != nil {
		return "", auth.Record{}, err
	}
	if s.tokens == nil {
		return "", auth.Record{}, fail(msg.TokenNoneKept, nil)
	}
	role, err := auth.ParseRole(in.Role)
	if err != nil {
		return "", auth.Record{}, fail(msg.TokenRoleUnknown, msg.Args{"Role": in.Role}).at("role")
	}
	unit, err := s.tokenUnit(role, in.Unit)
	if err != nil {
		return "", auth.Record{}, inField(err, "unit")
	}
	if in.ValidFor < 0 || in.ValidFor > auth.MaxTTL || in.ValidFor > 0 && in.ValidFor < time.Hour {
		return "", auth.Record{}, fail(msg.TokenValidity, msg.Args{"MaxDays": int(auth.MaxTTL.Hours() / 24), "Given": in.ValidFor}).at("validFor")
	}
	token, rec, err := s.tokens.Create(auth.Spec{Role: role, Unit: unit, Name: in.Name, TTL: in.ValidFor})
	if err != nil {
		return "", auth.Record{}, fail(msg.TokenCannotCreate, msg.Args{"Reason": err.Error()})
	}
	return token, rec, nil
}

// tokenUnit resolves a token's unit and checks that it fits the role: a
// county token acts for a registered county government, a bureau token for
// any other registered unit (a city bureau or another body the plan names).
func (s *Service) tokenUnit(role auth.Role, ref string) (domain.UnitID, error) {
	if ref == "" || !role.UnitBound() {
		return domain.UnitID(ref), nil
	}
	u, err := s.current().Catalog.ResolveUnit(ref)
	if err != nil {
		return "", fail(msg.UnitNotInLedger, msg.Args{"Unit": ref})
	}
	if (role == auth.County) != (u.Kind == domain.KindCounty) {
		return "", fail(msg.TokenUnitKind, msg.Args{"Unit": u.ID, "UnitZH": u.Name, "Role": role, "RoleZH": roleZH(role)})
	}
	return u.ID, nil
}

// RevokeToken revokes the token with this id: from now on every door
// refuses it as unauthenticated.
func (s *Service) RevokeToken(ctx context.Context, p auth.Principal, id string) (auth.Record, error) {
	if err := s.authorize(ctx, p, ManageTokens); err != nil {
		return auth.Record{}, err
	}
	return NewTokenDesk(s.tokens).Revoke(p, id)
}

// ListTokens returns the token records, oldest first.
func (s *Service) ListTokens(ctx context.Context, p auth.Principal) ([]auth.Record, error) {
	if err := s.authorize(ctx, p, ManageTokens); err != nil {
		return nil, err
	}
	return NewTokenDesk(s.tokens).List(p)
}

// TokenDesk lists and revokes tokens without opening the ledger: what the
// operator needs while a running server holds it (a leaked token is
// revoked at once, and the server rereads the token file). Making a token
// checks its unit against the ledger, so that is the Service's.
type TokenDesk struct{ tokens *auth.Tokens }

// NewTokenDesk returns a desk over a ledger's tokens (nil: it keeps none).
func NewTokenDesk(tokens *auth.Tokens) TokenDesk { return TokenDesk{tokens: tokens} }

// Revoke revokes the token with this id, for a principal who may manage
// tokens.
func (d TokenDesk) Revoke(p auth.Principal, id string) (auth.Record, error) {
	if err := Authorize(p, ManageTokens); err != nil {
		return auth.Record{}, err
	}
	if d.tokens == nil {
		return auth.Record{}, fail(msg.TokenNoneKeptFound, nil)
	}
	rec, err := d.tokens.Revoke(strings.TrimSpace(id))
	if errors.Is(err, auth.ErrNoSuchToken) {
		return rec, fail(msg.TokenNotFound, msg.Args{"ID": id})
	}
	return rec, err
}

// List returns the token records, oldest first, to a principal who may
// manage tokens.
func (d TokenDesk) List(p auth.Principal) ([]auth.Record, error) {
	if err := Authorize(p, ManageTokens); err != nil {
		return nil, err
	}
	if d.tokens == nil {
		return nil, nil
	}
	return d.tokens.List()
}
