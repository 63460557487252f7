package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"taskledger/auth"
	"taskledger/domain"
)

const tokenUsage = `Usage:
  taskledger token create --role ROLE [--unit UNIT] [--name NAME] [--store DIR]
  taskledger token list [--store DIR]

Tokens log in to the GraphQL API (taskledger serve): send
"Authorization: Bearer <token>". Roles: coordinator, bureau, county,
inspector, committee; bureau and county tokens act for one unit (--unit, a
unit id such as bureau.ecology-environment or county.ningcheng). A token is
printed once, when it is made; the store keeps only its SHA-256 in
DIR/tokens.json.`

// runToken is the token subcommand: create and list API tokens.
func runToken(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(a.stderr, tokenUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: token takes a subcommand: create or list", errUsage)
		}
		return nil
	}
	switch args[0] {
	case "create":
		return runTokenCreate(a, args[1:])
	case "list":
		return runTokenList(a, args[1:])
	}
	return fmt.Errorf("%w: unknown token subcommand %q (create or list)", errUsage, args[0])
}

// openTokens opens the token file of a --store value's state folder.
func openTokens(a *app, store string) (*auth.Tokens, error) {
	if store == "memory" {
		return nil, fmt.Errorf("%w: a memory store keeps no tokens between runs; give --store DIR", errUsage)
	}
	if store == "" {
		return nil, fmt.Errorf("%w: --store is empty", errUsage)
	}
	store = stateDir(store)
	if err := os.MkdirAll(store, 0o755); err != nil {
		return nil, fmt.Errorf("token store: %w", err)
	}
	return auth.Open(store, rand.Reader, a.now)
}

func runTokenCreate(a *app, args []string) error {
	fs := newFlags(a, "token create", "--role ROLE [--unit UNIT] [--name NAME] [--store DIR]")
	store := storeFlag(a, fs)
	role := fs.String("role", "", "coordinator, bureau, county, inspector or committee")
	unit := fs.String("unit", "", "the unit id a bureau or county token acts for")
	name := fs.String("name", "", "who holds the token (default ROLE or ROLE@UNIT); events record it as their actor")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: token create takes no arguments, got %q", errUsage, strings.Join(fs.Args(), " "))
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return fmt.Errorf("%w: --role: %v", errUsage, err)
	}
	tokens, err := openTokens(a, *store)
	if err != nil {
		return err
	}
	tok, rec, err := tokens.Create(auth.Spec{Role: r, Unit: domain.UnitID(*unit), Name: *name})
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

func runTokenList(a *app, args []string) error {
	fs := newFlags(a, "token list", "[--store DIR]")
	store := storeFlag(a, fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	tokens, err := openTokens(a, *store)
	if err != nil {
		return err
	}
	recs, err := tokens.List()
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		fmt.Fprintf(a.stdout, "no tokens in %s; make one with: taskledger token create --role ROLE --store %s\n", tokens.Path(), *store)
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tUNIT\tNAME\tCREATED")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Role, r.Unit, r.Name, r.CreatedAt.In(domain.Shanghai()).Format(time.DateTime))
	}
	return tw.Flush()
}
