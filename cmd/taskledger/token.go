package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"taskledger/domain"
	"taskledger/graphql/auth"
)

const tokenLong = `Tokens log in to the GraphQL API (taskledger serve): send
"Authorization: Bearer <token>". Roles: coordinator, bureau, county,
inspector, committee; bureau and county tokens act for one unit (--unit, a
unit id such as bureau.ecology-environment or county.ningcheng). A token is
printed once, when it is made; the store keeps only its SHA-256 in
DIR/tokens.json.`

// tokenRoles are the roles a token may hold.
var tokenRoles = []string{"coordinator", "bureau", "county", "inspector", "committee"}

// newTokenCommand is the token subcommand: create and list API tokens.
func newTokenCommand(a *app) *cobra.Command {
	return groupCommand("token", "make and list API tokens (token create | token list)", tokenLong,
		newTokenCreateCommand(a), newTokenListCommand(a))
}

// openTokens opens the token file of a --store value's state folder; the
// ledger must exist.
func openTokens(a *app, store string) (*auth.Tokens, error) {
	if store == "memory" {
		return nil, fmt.Errorf("%w: a memory store keeps no tokens between runs; give --store DIR", errUsage)
	}
	if store == "" {
		return nil, fmt.Errorf("%w: --store is empty", errUsage)
	}
	if isDirStore(store) {
		if err := checkLedger(store); err != nil {
			return nil, err
		}
	}
	return openTokenDir(a, stateDir(store))
}

// openTokenDir opens the token file of a ledger's state folder, making the
// folder if need be.
func openTokenDir(a *app, state string) (*auth.Tokens, error) {
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, fmt.Errorf("token store: %w", err)
	}
	return auth.Open(state, rand.Reader, a.now)
}

// tokenCreateOptions are the flags of taskledger token create.
type tokenCreateOptions struct{ store, role, unit, name string }

func newTokenCreateCommand(a *app) *cobra.Command {
	var o tokenCreateOptions
	cmd := &cobra.Command{
		Use:   "create --role ROLE [--unit UNIT]",
		Short: "make a token; it is printed once",
		Long:  tokenLong,
		Args:  noArgs,
		RunE:  func(*cobra.Command, []string) error { return runTokenCreate(a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.role, "role", "", strings.Join(tokenRoles, ", "))
	completeChoices(cmd, "role", tokenRoles...)
	fs.StringVar(&o.unit, "unit", "", "the unit id a bureau or county token acts for")
	fs.StringVar(&o.name, "name", "", "who holds the token (default ROLE or ROLE@UNIT); events record it as their actor")
	return cmd
}

func runTokenCreate(a *app, o tokenCreateOptions) error {
	r, err := auth.ParseRole(o.role)
	if err != nil {
		return fmt.Errorf("%w: --role: %v", errUsage, err)
	}
	tokens, err := openTokens(a, o.store)
	if err != nil {
		return err
	}
	tok, rec, err := tokens.Create(auth.Spec{Role: r, Unit: domain.UnitID(o.unit), Name: o.name})
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	fmt.Fprintf(a.stdout, "%s\n", tok)
	fmt.Fprintf(a.stderr, "created token %s for %s (role %s%s); it is shown only now — the store keeps its hash in %s\n",
		rec.ID, rec.Name, rec.Role, unitSuffix(rec.Unit), tokens.Path())
	return nil
}

func unitSuffix(u domain.UnitID) string {
	if u == "" {
		return ""
	}
	return ", unit " + string(u)
}

func newTokenListCommand(a *app) *cobra.Command {
	var store string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "list the tokens on record (never the tokens themselves)",
		Args:  noArgs,
		RunE:  func(*cobra.Command, []string) error { return runTokenList(a, store) },
	}
	storeFlag(a, cmd.Flags(), &store)
	return cmd
}

func runTokenList(a *app, store string) error {
	tokens, err := openTokens(a, store)
	if err != nil {
		return err
	}
	recs, err := tokens.List()
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		fmt.Fprintf(a.stdout, "no tokens in %s; make one with: taskledger token create --role ROLE --store %s\n", tokens.Path(), store)
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tUNIT\tNAME\tCREATED")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Role, r.Unit, r.Name, r.CreatedAt.In(domain.Shanghai()).Format(time.DateTime))
	}
	return tw.Flush()
}
