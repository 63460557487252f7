package graphql

import (
	"context"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
)

// action is something a request may be allowed to do; the role matrix is
// the application layer's (app.Allowed).
type action = app.Action

// The actions the resolvers check, named as the application layer names
// them.
const (
	actReadLedger      = app.ReadLedger
	actReadPublished   = app.ReadPublished
	actReadProofs      = app.ReadProofs
	actReadCatalog     = app.ReadCatalog
	actReadObligations = app.ReadObligations
	actReadScorecard   = app.ReadScorecard
	actReadLineEvents  = app.ReadLineEvents
	actReadAudit       = app.ReadAudit
	actReadEvents      = app.ReadEvents
	actSubscribeEvents = app.SubscribeEvents
	actSubscribeSlips  = app.SubscribeSlips
)

// publicRootFields are the root fields a request without a token may
// select; any other makes the transport answer 401.
func publicRootField(name string) bool {
	switch name {
	case "ledger", "me", "publishedScorecards", "checkpoint", "inclusionProof", "consistencyProof",
		"__schema", "__type", "__typename":
		return true
	}
	return false
}

type principalKey struct{}

// withPrincipal returns ctx carrying who the request acts as.
func withPrincipal(ctx context.Context, p auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principalOf returns who the request acts as (Public without a token).
func principalOf(ctx context.Context) auth.Principal {
	if p, ok := ctx.Value(principalKey{}).(auth.Principal); ok {
		return p
	}
	return auth.Anonymous()
}

// authorize checks, by the application layer's rules, that the request's
// principal may take a read action.
func authorize(ctx context.Context, a action) (auth.Principal, error) {
	p := principalOf(ctx)
	return p, app.Authorize(p, a)
}

// ownUnit applies the application layer's unit scoping to a read.
func ownUnit(p auth.Principal, a action, unit domain.UnitID) (domain.UnitID, error) {
	return app.OwnUnit(p, a, unit)
}
