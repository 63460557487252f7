package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
)

const tokenLong = `Tokens log in to the GraphQL API (taskledger serve): send
"Authorization: Bearer <token>". Roles: coordinator, bureau, county,
inspector, committee; bureau and county tokens act for one registered unit
of their kind (--unit: an id such as county.ningcheng, a name such as 宁城县,
or an alias). Only the operator at the machine that holds the ledger makes
and lists tokens. A token is printed once, when it is made; the store keeps
only its SHA-256 in DIR/tokens.json.`

// tokenRoles are the roles a token may hold.
var tokenRoles = []string{"coordinator", "bureau", "county", "inspector", "committee"}

// newTokenCommand is the token subcommand: create and list API tokens.
func newTokenCommand(a *cli) *cobra.Command {
	return groupCommand("token", "make, list and revoke API tokens (token create | list | revoke)", tokenLong,
		newTokenCreateCommand(a), newTokenListCommand(a), newTokenRevokeCommand(a))
}

// openTokenDir opens the token file of a ledger's state folder, making the
// folder if need be.
func openTokenDir(a *cli, state string) (*auth.Tokens, error) {
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, fmt.Errorf("token store: %w", err)
	}
	return auth.Open(state, rand.Reader, a.now)
}

// tokenCreateOptions are the flags of taskledger token create.
type tokenCreateOptions struct {
	store, role, unit, name string
	validFor                time.Duration
}

func newTokenCreateCommand(a *cli) *cobra.Command {
	var o tokenCreateOptions
	cmd := &cobra.Command{
		Use:   "create --role ROLE [--unit UNIT]",
		Short: "make a token; it is printed once",
		Long:  tokenLong,
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runTokenCreate(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.role, "role", "", strings.Join(tokenRoles, ", "))
	completeChoices(cmd, "role", tokenRoles...)
	fs.StringVar(&o.unit, "unit", "", "the registered unit a bureau or county token acts for: its id, name or alias")
	fs.StringVar(&o.name, "name", "", "who holds the token (default ROLE or ROLE@UNIT); events record it as their actor")
	fs.DurationVar(&o.validFor, "valid-for", auth.DefaultTTL, "how long the token is valid (at most five years), e.g. 720h")
	return cmd
}

func runTokenCreate(ctx context.Context, a *cli, o tokenCreateOptions) error {
	return withTokenDoor(ctx, a, o.store, func(d door, tokens string) error {
		tok, rec, err := d.svc.CreateToken(ctx, d.who, app.TokenInput{Role: o.role, Unit: o.unit, Name: o.name, ValidFor: o.validFor})
		if err != nil {
			return refusal(err)
		}
		fmt.Fprintf(a.stdout, "%s\n", tok)
		fmt.Fprintf(a.stderr, "created token %s for %s (role %s%s), valid until %s; it is shown only now — the store keeps its hash in %s\n",
			rec.ID, rec.Name, rec.Role, unitSuffix(rec.Unit), rec.Expiry().In(domain.Shanghai()).Format(time.DateTime), tokens)
		return nil
	})
}

// withTokenDoor opens the ledger at store and runs fn on the application
// layer over it; tokens names the token file.
func withTokenDoor(ctx context.Context, a *cli, store string, fn func(d door, tokens string) error) error {
	if store == "memory" {
		return fmt.Errorf("%w: a memory store keeps no tokens between runs; give --store DIR", errUsage)
	}
	return a.withDoor(ctx, store, func(d door, l *ledger) error { return fn(d, filepath.Join(l.state, auth.FileName)) })
}

func unitSuffix(u domain.UnitID) string {
	if u == "" {
		return ""
	}
	return ", unit " + string(u)
}

func newTokenListCommand(a *cli) *cobra.Command {
	var store string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "list the tokens on record (never the tokens themselves)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runTokenList(a, store) },
	}
	storeFlag(a, cmd.Flags(), &store)
	return cmd
}

func runTokenList(a *cli, store string) error {
	return withTokenDesk(a, store, func(desk app.TokenDesk, who auth.Principal, tokens string) error {
		recs, err := desk.List(who)
		if err != nil {
			return refusal(err)
		}
		if len(recs) == 0 {
			fmt.Fprintf(a.stdout, "no tokens in %s; make one with: taskledger token create --role ROLE --store %s\n", tokens, store)
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tROLE\tUNIT\tNAME\tCREATED\tEXPIRES\tSTATE")
		now := a.now()
		for _, r := range recs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Role, r.Unit, r.Name, r.CreatedAt.In(domain.Shanghai()).Format(time.DateTime),
				r.Expiry().In(domain.Shanghai()).Format(time.DateTime), tokenStates[r.State(now)])
		}
		return tw.Flush()
	})
}

// withTokenDesk runs fn on the tokens of the ledger at store without
// opening the ledger itself, so that listing and revoking work while a
// server holds it; tokens names the token file.
func withTokenDesk(a *cli, store string, fn func(app.TokenDesk, auth.Principal, string) error) error {
	if store == "memory" {
		return fmt.Errorf("%w: a memory store keeps no tokens between runs; give --store DIR", errUsage)
	}
	if isDirStore(store) {
		if err := checkLedger(store); err != nil {
			return err
		}
	}
	tokens, err := openTokenDir(a, stateDir(store))
	if err != nil {
		return err
	}
	who, err := a.principal(tokens)
	if err != nil {
		return err
	}
	return fn(app.NewTokenDesk(tokens), who, tokens.Path())
}

// tokenStates names a token's state for people.
var tokenStates = map[string]string{"valid": "有效 valid", "expired": "已过期 expired", "revoked": "已撤销 revoked"}

func newTokenRevokeCommand(a *cli) *cobra.Command {
	var store string
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "revoke a token: from now on every request with it is refused",
		Args:  exactArgs(1, "one token id (taskledger token list shows them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withTokenDesk(a, store, func(desk app.TokenDesk, who auth.Principal, _ string) error {
				rec, err := desk.Revoke(who, args[0])
				if err != nil {
					return refusal(err)
				}
				fmt.Fprintf(a.stdout, "revoked token %s of %s (role %s%s) at %s\n", rec.ID, rec.Name, rec.Role, unitSuffix(rec.Unit),
					rec.RevokedAt.In(domain.Shanghai()).Format(time.DateTime))
				return nil
			})
		},
	}
	storeFlag(a, cmd.Flags(), &store)
	return cmd
}
