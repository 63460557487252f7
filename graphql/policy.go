package graphql

import (
	"context"

	"taskledger/auth"
	"taskledger/domain"
)

// action is something a request may be allowed to do. allowed holds the
// role matrix that docs/graphql.md prints and the role test walks.
type action string

// The actions.
const (
	actReadLedger       action = "read the ledger's mode and head"
	actReadPublished    action = "read published scorecards"
	actReadProofs       action = "read checkpoints and Merkle proofs"
	actReadCatalog      action = "read plans, tasks and units"
	actReadObligations  action = "read obligations"
	actReadScorecard    action = "compute scorecards"
	actReadLineEvents   action = "read the events behind scorecard lines"
	actReadAudit        action = "read audit trails"
	actReadEvents       action = "read the global event log"
	actSubscribeEvents  action = "subscribe to appended events"
	actSubscribeSlips   action = "subscribe to deadline slips"
	actImportPlan       action = "import plans"
	actAssign           action = "assign responsibilities"
	actWithdraw         action = "withdraw responsibilities"
	actDecideExtension  action = "decide extension requests"
	actRecordIndicator  action = "record indicators"
	actReport           action = "report progress"
	actRequestExtension action = "request extensions"
	actClaim            action = "claim completion"
	actVerify           action = "verify completions"
	actReject           action = "reject completions"
	actRecordFinding    action = "record findings"
	actAdoptScheme      action = "adopt scoring schemes"
	actPublishScorecard action = "publish scorecards"
)

// unitScoped lists the actions a bureau or county token may take only for
// its own unit.
func unitScoped(a action) bool {
	switch a {
	case actReadObligations, actReadAudit, actSubscribeEvents, actSubscribeSlips,
		actReport, actRequestExtension, actClaim:
		return true
	}
	return false
}

// allowed is the role matrix: whether a role may take an action at all
// (unit-scoped actions are further limited to the token's own unit).
func allowed(a action, r auth.Role) bool {
	const (
		co = auth.Coordinator
		bu = auth.Bureau
		cn = auth.County
		in = auth.Inspector
		cm = auth.Committee
	)
	var who []auth.Role
	switch a {
	case actReadLedger, actReadPublished, actReadProofs:
		return true
	case actReadCatalog:
		who = []auth.Role{co, bu, cn, in, cm}
	case actReadObligations:
		who = []auth.Role{co, bu, cn, in, cm}
	case actReadScorecard, actReadLineEvents:
		who = []auth.Role{in, cm}
	case actReadAudit:
		who = []auth.Role{bu, cn, in}
	case actReadEvents:
		who = []auth.Role{in}
	case actSubscribeEvents:
		who = []auth.Role{co, bu, cn, in}
	case actSubscribeSlips:
		who = []auth.Role{co, bu, cn, in}
	case actImportPlan, actAssign, actWithdraw, actDecideExtension, actRecordIndicator:
		who = []auth.Role{co}
	case actReport, actRequestExtension, actClaim:
		who = []auth.Role{bu, cn}
	case actVerify, actReject, actRecordFinding:
		who = []auth.Role{in}
	case actAdoptScheme, actPublishScorecard:
		who = []auth.Role{cm}
	}
	for _, w := range who {
		if w == r {
			return true
		}
	}
	return false
}

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

// authorize checks that the request's principal may take the action.
func authorize(ctx context.Context, a action) (auth.Principal, error) {
	p := principalOf(ctx)
	if allowed(a, p.Role) {
		return p, nil
	}
	if !p.Authenticated() {
		return p, newError(CodeUnauthenticated, "authentication required to %s: send Authorization: Bearer <token>", a)
	}
	return p, newError(CodeForbidden, "the %s role may not %s", p.Role, a)
}

// ownUnit checks a unit-scoped action's unit: a bureau or county token
// acts only for its own unit, and an empty unit means its own. Other roles
// get unit back unchanged.
func ownUnit(p auth.Principal, a action, unit domain.UnitID) (domain.UnitID, error) {
	if !p.Role.UnitBound() || !unitScoped(a) {
		return unit, nil
	}
	if unit == "" || unit == p.Unit {
		return p.Unit, nil
	}
	return "", newError(CodeForbidden, "a %s token acts only for unit %s, not %s", p.Role, p.Unit, unit)
}
