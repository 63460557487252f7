package main

import (
	"context"
	"fmt"
	"os"

	"taskledger/domain"
	"taskledger/planimport"
	"taskledger/planparse"
	"taskledger/projections"
)

// defaultPlanID is the ledger id of the bundled Chifeng plan.
const defaultPlanID = "chifeng-air"

func runImport(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "import", "FILE [--plan ID] [--store DIR]")
	store := storeFlag(a, fs)
	planID := fs.String("plan", defaultPlanID, "the plan's id in the ledger")
	issuer := fs.String("issuer", "", "the body that issued the plan")
	actor := fs.String("actor", "office", "who records the import")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: import takes one plan file, got %d arguments", errUsage, fs.NArg())
	}
	l, err := openLedger(*store)
	if err != nil {
		return err
	}
	defer l.Close()
	rep, err := importFile(ctx, a, l, fs.Arg(0), planimport.Options{Plan: domain.PlanID(*planID), Issuer: *issuer, Actor: *actor})
	if err != nil {
		return err
	}
	printImport(a, rep, len(rep.Changes) < 60)
	return nil
}

// importFile parses a plan file and records it in l.
func importFile(ctx context.Context, a *app, l *ledger, path string, opts planimport.Options) (planimport.Report, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return planimport.Report{}, fmt.Errorf("read plan: %w", err)
	}
	plan, err := planparse.ParseBytes(src, planparse.Options{})
	if err != nil {
		return planimport.Report{}, fmt.Errorf("parse %s: %w", path, err)
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(a.stderr, "warning: %s\n", w.Message)
	}
	v, err := l.views(ctx, projections.Cut{}, quietLogger(a))
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
