// Package auth holds the roles, the principal a request acts as, and the
// bearer tokens that name principals. It is shared by every door: the
// application layer authorizes principals; the API, the CLI and the
// dashboard authenticate them.
//
// A token is shown once, when it is made; the ledger keeps only its SHA-256
// hash, in a JSON file (DIR/tokens.json, mode 0600, replaced atomically) or
// in memory for throwaway ledgers. A file-backed Tokens rereads the file
// when it changes, so `taskledger token create` works while a server runs.
package auth

import (
	"fmt"
	"strings"

	"taskledger/domain"
)

// Role is what a principal may do. See docs/graphql.md for the matrix.
type Role string

// The roles.
const (
	// Coordinator is the plan office: imports plans, assigns and withdraws
	// responsibilities, decides extensions, records indicators.
	Coordinator Role = "coordinator"
	// Bureau is a city department (市直部门) acting for its own unit.
	Bureau Role = "bureau"
	// County is a county government (旗县区人民政府) acting for its own unit.
	County Role = "county"
	// Inspector (督查) reads everything, records findings and verifies or
	// rejects completion claims.
	Inspector Role = "inspector"
	// Committee is the assessment committee: adopts scoring schemes,
	// computes and publishes scorecards.
	Committee Role = "committee"
	// Public is anyone without a token: published scorecards only.
	Public Role = "public"
	// Operator is the person at the machine that holds the ledger, using
	// the CLI on the local store without a token: the plan office's
	// administrator. It is never a token role.
	Operator Role = "operator"
	// System is the ledger itself acting on its own schedule (the deadline
	// watcher). It is never a token role.
	System Role = "system"
)

// Roles lists the roles a token can carry, in a fixed order.
func Roles() []Role { return []Role{Coordinator, Bureau, County, Inspector, Committee} }

// ParseRole parses a token role, ignoring case and surrounding space.
// Public is not a token role: it is what a request without a token acts as.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Roles() {
		if r == known {
			return r, nil
		}
	}
	return "", fmt.Errorf("role %q is not one of coordinator, bureau, county, inspector, committee", s)
}

// UnitBound reports whether the role acts for one unit (bureau, county).
func (r Role) UnitBound() bool { return r == Bureau || r == County }

// Principal is who a request acts as.
type Principal struct {
	// TokenID identifies the token (not secret); empty for Public.
	TokenID string
	// Role is what the principal may do.
	Role Role
	// Unit is the unit a bureau or county token acts for.
	Unit domain.UnitID
	// Name is a human-readable label of the token's holder, or the name an
	// operator declared.
	Name string
	// OSUser is the operating-system account of a local operator.
	OSUser string
	// Simulated marks the principals of a simulation: every event they
	// record is marked simulated (its actor starts with SimulatedPrefix).
	Simulated bool
	// Person is the person behind a principal that logged in with an
	// account (a password or OIDC); zero for tokens and the CLI.
	Person Person
	// Leader is set for a unit's leader (account role leader): the person
	// who signs off the unit's reports. Actions that need a sign-off check
	// it; tokens never carry it.
	Leader bool
}

// Person is the account a principal logged in with.
type Person struct {
	// ID is the account's id (not secret, never shown to people).
	ID string
	// Name is the account's display name.
	Name string
}

// SimulatedPrefix starts the actor of every simulated event.
const SimulatedPrefix = domain.SimulatedActorPrefix

// LocalOperator is the principal of a person using the CLI on a local
// store without a token: osUser is their operating-system account, declared
// the name they gave (may be empty). Both are recorded.
func LocalOperator(osUser, declared string) Principal {
	if osUser == "" {
		osUser = "unknown"
	}
	return Principal{Role: Operator, Name: strings.TrimSpace(declared), OSUser: osUser}
}

// SystemPrincipal is the ledger acting on its own (the deadline watcher).
func SystemPrincipal() Principal { return Principal{Role: System, Name: "system"} }

// SimulatedPrincipal is a simulation acting in role for unit: its events
// are marked simulated.
func SimulatedPrincipal(role Role, unit domain.UnitID, name string) Principal {
	return Principal{Role: role, Unit: unit, Name: name, Simulated: true}
}

// Anonymous is the principal of a request without a token.
func Anonymous() Principal { return Principal{Role: Public, Name: "public"} }

// Authenticated reports whether the principal came from a token.
func (p Principal) Authenticated() bool { return p.Role != Public && p.Role != "" }

// Actor is what events record as the principal: "name#tokenid" for a
// token, "name@unit#acct:id" for a person's account, "operator:osuser" or "operator:name/os:osuser" for a local
// operator, "system" for the ledger itself, and any of these behind
// SimulatedPrefix for a simulation.
func (p Principal) Actor() string {
	a := p.actor()
	if p.Simulated {
		return SimulatedPrefix + a
	}
	return a
}

func (p Principal) actor() string {
	switch {
	case !p.Authenticated():
		return "public"
	case p.Role == Operator && p.Name != "":
		return "operator:" + p.Name + "/os:" + p.OSUser
	case p.Role == Operator:
		return "operator:" + p.OSUser
	case p.Person.ID != "":
		return p.personActor()
	case p.TokenID == "":
		return p.Name
	}
	return p.Name + "#" + p.TokenID
}

// personActor is the actor of a person: "name@unit#acct:ID" (the unit
// left out for roles that act for none), so that every event names the
// person and the unit they acted for.
func (p Principal) personActor() string {
	a := p.Person.Name
	if p.Unit != "" {
		a += "@" + string(p.Unit)
	}
	return a + "#acct:" + p.Person.ID
}

// Scope names the principal for idempotency keys: two principals' keys
// never collide.
func (p Principal) Scope() string {
	switch {
	case p.Person.ID != "":
		return "acct:" + p.Person.ID
	case p.TokenID != "":
		return "api:" + p.TokenID
	case p.Role == Operator:
		return "operator:" + p.OSUser
	}
	return p.Actor()
}

// DefaultName is the name a token gets when none is given: the role, and
// the unit for unit-bound roles ("county@county.ningcheng").
func DefaultName(r Role, unit domain.UnitID) string {
	if unit != "" {
		return string(r) + "@" + string(unit)
	}
	return string(r)
}
