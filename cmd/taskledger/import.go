package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"taskledger/app"
	"taskledger/domain"
	"taskledger/planimport"
)

// defaultPlanID is the ledger id of the bundled Chifeng plan.
const defaultPlanID = "chifeng-air"

// importOptions are the flags of taskledger import.
type importOptions struct {
	store, plan, issuer    string
	allowPartial           bool
	trackingFrom           string
	registry, jurisdiction string
}

func newImportCommand(a *cli) *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "record a plan's units, tasks, duties and milestones (only what changed)",
		Long: `Parses a plan text and records its units, tasks, duties and milestones;
importing again records only what changed. Creates the ledger when --store
names a directory that holds none; a failed import into a new ledger leaves
nothing behind. The ledger must hold every task the parse reports: a text
with numbered items the parser could not read is refused (exit 1), naming
them, unless --allow-partial.

Each plan belongs to a jurisdiction (赤峰市, 包头市, 安徽省…), read from its
title or issuer line; --jurisdiction overrides it. --registry FILE seeds the
plan's units from a unit registry (JSON), used only when it describes the
plan's jurisdiction; "none" treats every unit as new. Without --registry,
the embedded registry of the plan's jurisdiction is used if one ships
(Chifeng's), else none: units are then recorded under their names in the
plan's jurisdiction, never as another city's units.`,
		Args: exactArgs(1, "one plan file"),
		RunE: func(cmd *cobra.Command, args []string) error { return runImport(cmd.Context(), a, o, args[0]) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.plan, "plan", defaultPlanID, "the plan's id in the ledger")
	fs.StringVar(&o.issuer, "issuer", "", "the body that issued the plan")
	fs.BoolVar(&o.allowPartial, "allow-partial", false, "record the plan even if some numbered items could not be read")
	fs.StringVar(&o.trackingFrom, "tracking-from", "", "the day the ledger starts tracking the plan (YYYY-MM-DD; default: the day of the import); milestones due before it are to be backfilled, not slipped")
	fs.StringVar(&o.registry, "registry", "", "unit registry JSON file, or none (default: the embedded registry of the plan's jurisdiction, if any)")
	fs.StringVar(&o.jurisdiction, "jurisdiction", "", "the place the plan governs, e.g. 包头市 (default: read from the title or issuer line)")
	addPrincipalFlags(a, fs)
	return cmd
}

func runImport(ctx context.Context, a *cli, o importOptions, file string) error {
	var from domain.Date
	if o.trackingFrom != "" {
		d, err := domain.ParseDate(o.trackingFrom)
		if err != nil {
			return fmt.Errorf("%w: --tracking-from: %v", errUsage, err)
		}
		from = d
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read plan: %w", err)
	}
	in := app.ImportInput{Text: src, Plan: o.plan, Issuer: o.issuer, AllowPartial: o.allowPartial, TrackingFrom: from,
		Jurisdiction: o.jurisdiction, NoRegistry: o.registry == "none"}
	if o.registry != "" && o.registry != "none" {
		if in.Registry, err = readRegistryFile(o.registry); err != nil {
			return err
		}
	}
	return withNewLedger(a, o.store, func(l *ledger) error {
		m := a.meter("导入计划", "import", "事件", "events", 0)
		defer m.Finish()
		l.store = withProgress(l.store, m, false, true)
		d, err := l.open(ctx, a)
		if err != nil {
			return err
		}
		res, err := d.svc.ImportPlan(ctx, d.who, in)
		if err != nil {
			return refusal(fmt.Errorf("import %s: %w", file, err))
		}
		printImport(a, res, len(res.Report.Changes) < 60)
		return nil
	})
}

// withNewLedger opens the ledger at store, creating it if need be, and
// runs fn on it. When fn fails on a ledger this call created, everything
// the call made is removed again.
func withNewLedger(a *cli, store string, fn func(*ledger) error) error {
	c, err := prepareCreate(store)
	if err != nil {
		return err
	}
	l, err := a.openLedger(store, mayCreate)
	if err != nil {
		return errors.Join(err, c.undo())
	}
	err = fn(l)
	if cerr := l.Close(); err == nil {
		return cerr
	}
	return errors.Join(err, c.undo())
}

// printImport says what an import recorded, with the parser's warnings
// on stderr.
func printImport(a *cli, res app.ImportResult, each bool) {
	writeWarnings(a.stderr, res.Warnings)
	rep := res.Report
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
