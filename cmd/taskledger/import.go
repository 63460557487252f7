package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"taskledger/domain"
	"taskledger/planimport"
	"taskledger/planparse"
	"taskledger/projections"
)

// defaultPlanID is the ledger id of the bundled Chifeng plan.
const defaultPlanID = "chifeng-air"

// importOptions are the flags of taskledger import.
type importOptions struct{ store, plan, issuer, actor string }

func newImportCommand(a *app) *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "record a plan's units, tasks, duties and milestones (only what changed)",
		Long: `Parses a plan text and records its units, tasks, duties and milestones;
importing again records only what changed. Creates the ledger when --store
names a directory that holds none; a failed import into a new ledger leaves
nothing behind.`,
		Args: exactArgs(1, "one plan file"),
		RunE: func(cmd *cobra.Command, args []string) error { return runImport(cmd.Context(), a, o, args[0]) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.plan, "plan", defaultPlanID, "the plan's id in the ledger")
	fs.StringVar(&o.issuer, "issuer", "", "the body that issued the plan")
	fs.StringVar(&o.actor, "actor", "office", "who records the import")
	return cmd
}

func runImport(ctx context.Context, a *app, o importOptions, file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read plan: %w", err)
	}
	return withNewLedger(o.store, func(l *ledger) error {
		rep, err := importSource(ctx, a, l, file, src, planimport.Options{Plan: domain.PlanID(o.plan), Issuer: o.issuer, Actor: o.actor})
		if err != nil {
			return err
		}
		printImport(a, rep, len(rep.Changes) < 60)
		return nil
	})
}

// withNewLedger opens the ledger at store, creating it if need be, and
// runs fn on it. When fn fails on a ledger this call created, everything
// the call made is removed again.
func withNewLedger(store string, fn func(*ledger) error) error {
	c, err := prepareCreate(store)
	if err != nil {
		return err
	}
	l, err := openLedger(store, mayCreate)
	if err != nil {
		return errors.Join(err, c.undo())
	}
	err = fn(l)
	if cerr := l.Close(); err == nil {
		return cerr
	}
	return errors.Join(err, c.undo())
}

// importSource parses a plan text (name says where it came from) and
// records it in l.
func importSource(ctx context.Context, a *app, l *ledger, name string, src []byte, opts planimport.Options) (planimport.Report, error) {
	plan, err := planparse.ParseBytes(src, planparse.Options{})
	if err != nil {
		return planimport.Report{}, fmt.Errorf("parse %s: %w", name, err)
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(a.stderr, "warning: %s\n", w.Message)
	}
	v, err := l.views(ctx, projections.Cut{}, a.logger())
	if err != nil {
		return planimport.Report{}, err
	}
	opts.Now = a.now()
	return planimport.Import(ctx, l.handler, v, plan, src, opts)
}

func printImport(a *app, rep planimport.Report, each bool) {
	if len(rep.Changes) == 0 {
		fmt.Fprintf(a.stdout, "nothing to record: the ledger already holds this text (%d items unchanged)\n", rep.Unchanged)
		return
	}
	fmt.Fprintf(a.stdout, "recorded %d events (%s); %d items unchanged; last position %d\n",
		len(rep.Changes), planimport.Summary(rep), rep.Unchanged, rep.Position)
	if each {
		for _, c := range rep.Changes {
			fmt.Fprintf(a.stdout, "  %-24s %s\n", c.Type, c.Summary)
		}
	}
}
