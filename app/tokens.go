package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"taskledger/auth"
	"taskledger/domain"
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
		return "", auth.Record{}, errorf(Conflict, "this ledger keeps no tokens", "该账本不保存令牌")
	}
	role, err := auth.ParseRole(in.Role)
	if err != nil {
		return "", auth.Record{}, errorf(InvalidArgument, err.Error(), fmt.Sprintf("角色 %q 不是 coordinator、bureau、county、inspector、committee 之一", in.Role))
	}
	unit, err := s.tokenUnit(role, in.Unit)
	if err != nil {
		return "", auth.Record{}, err
	}
	if in.ValidFor < 0 || in.ValidFor > auth.MaxTTL || in.ValidFor > 0 && in.ValidFor < time.Hour {
		return "", auth.Record{}, errorf(InvalidArgument,
			fmt.Sprintf("a token is valid for between an hour and %d days, not %s", int(auth.MaxTTL.Hours()/24), in.ValidFor),
			fmt.Sprintf("令牌有效期须在 1 小时到 %d 天之间", int(auth.MaxTTL.Hours()/24)))
	}
	token, rec, err := s.tokens.Create(auth.Spec{Role: role, Unit: unit, Name: in.Name, TTL: in.ValidFor})
	if err != nil {
		return "", auth.Record{}, errorf(InvalidArgument, err.Error(), "无法创建令牌："+err.Error())
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
		return "", errorf(NotFound, fmt.Sprintf("unit %q is not registered in this ledger", ref), fmt.Sprintf("账本中没有登记单位 %q", ref))
	}
	if (role == auth.County) != (u.Kind == domain.KindCounty) {
		return "", errorf(InvalidArgument,
			fmt.Sprintf("unit %s is a %s, so a %s token cannot act for it", u.ID, u.Kind, role),
			fmt.Sprintf("单位 %s 的类别与 %s 令牌不符", u.Name, roleZH(role)))
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
		return auth.Record{}, errorf(NotFound, "this ledger keeps no tokens", "该账本不保存令牌")
	}
	rec, err := d.tokens.Revoke(strings.TrimSpace(id))
	if errors.Is(err, auth.ErrNoSuchToken) {
		return rec, errorf(NotFound, fmt.Sprintf("no token with id %q is on record", id), fmt.Sprintf("没有编号为 %q 的令牌", id))
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
