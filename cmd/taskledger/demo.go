package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"taskledger/demo"
	"taskledger/domain"
	"taskledger/examples"
	"taskledger/planimport"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// planText is a plan document to import: its text and where it came from.
type planText struct {
	name string
	src  []byte
}

// loadPlanText reads the plan file path, or with path empty returns the
// bundled Chifeng plan embedded in the binary.
func loadPlanText(path string) (planText, error) {
	if path == "" {
		return planText{name: "the bundled " + examples.ChifengPlanFile, src: examples.ChifengPlan()}, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return planText{}, fmt.Errorf("read plan: %w", err)
	}
	return planText{name: path, src: src}, nil
}

// demoOptions are the flags of taskledger demo.
type demoOptions struct {
	store, planFile, plan string
	seed                  int64
	year, scale           int
}

func newDemoCommand(a *app) *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "fill a ledger with a clearly labelled SIMULATED year of activity",
		Long: `Imports the bundled Chifeng plan (embedded in the binary; --plan-file
FILE imports another) when the ledger holds none, then records a clearly
labelled SIMULATED year. Creates the ledger when --store names a directory
that holds none; a failed run on a new ledger leaves nothing behind.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.Int64Var(&o.seed, "seed", 1, "the simulation's seed: the same seed gives the same events")
	fs.IntVar(&o.year, "year", 2025, "the simulated year")
	fs.IntVar(&o.scale, "scale", 1, "multiply the activity (for benchmarks: about 4,800 events per unit of scale with the Chifeng plan; 209 gives about a million)")
	fs.StringVar(&o.planFile, "plan-file", "", "the plan to import first when the ledger holds none (default: the bundled Chifeng plan)")
	fs.StringVar(&o.plan, "plan", defaultPlanID, "the plan's id in the ledger")
	return cmd
}

func runDemo(ctx context.Context, a *app, o demoOptions) error {
	if o.scale < 1 || o.year < 2000 || o.year > 2100 {
		return fmt.Errorf("%w: --scale must be at least 1 and --year within 2000–2100", errUsage)
	}
	text, err := loadPlanText(o.planFile)
	if err != nil {
		return err
	}
	return withNewLedger(o.store, func(l *ledger) error {
		stats, err := fillDemo(ctx, a, l, domain.PlanID(o.plan), text, demo.Options{Seed: o.seed, Year: o.year, Scale: o.scale})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "recorded a SIMULATED year %d (seed %d, scale %d): %d events; every actor is marked %q and every note %q\n",
			o.year, o.seed, o.scale, stats.Total, demo.ActorPrefix, demo.NotePrefix)
		fmt.Fprintln(a.stdout, stats.String())
		return nil
	})
}

// fillDemo imports the plan when the ledger holds none (recorded, like the
// simulated year, on a clock that starts before that year) and generates
// the simulated year.
func fillDemo(ctx context.Context, a *app, l *ledger, plan domain.PlanID, text planText, opts demo.Options) (demo.Stats, error) {
	v, err := l.views(ctx, projections.Cut{}, a.logger())
	if err != nil {
		return demo.Stats{}, err
	}
	if _, ok := v.Catalog.Plan(plan); !ok {
		importAt := time.Date(opts.Year-1, time.December, 1, 9, 0, 0, 0, domain.Shanghai())
		clock := *a
		clock.now = func() time.Time { return importAt }
		rep, err := importSource(ctx, &clock, l, text.name, text.src, planimport.Options{Plan: plan, Actor: "office"})
		if err != nil {
			return demo.Stats{}, err
		}
		printImport(a, rep, false)
		if v, err = l.views(ctx, projections.Cut{}, a.logger()); err != nil {
			return demo.Stats{}, err
		}
	}
	opts.Plan = plan
	stats, err := demo.Generate(ctx, l.handler, v, opts)
	if errors.Is(err, demo.ErrAlreadyGenerated) {
		return stats, fmt.Errorf("the ledger already holds seed %d's simulated year; use another --seed or a new --store: %w", opts.Seed, err)
	}
	if err != nil {
		return stats, err
	}
	// The simulated committee closes the year: it publishes the bureau and
	// county rankings as of the end of January, which the public page shows.
	asOf := time.Date(opts.Year+1, time.February, 1, 0, 0, 0, 0, domain.Shanghai()).Add(-time.Second)
	at := time.Date(opts.Year+1, time.February, 1, 9, 0, 0, 0, domain.Shanghai())
	for _, k := range []scoring.Kind{scoring.KindBureau, scoring.KindCounty} {
		pub, err := recordPublication(ctx, l, v, plan, opts.Year, k, "", 0, asOf, at, demo.ActorPrefix+"committee")
		if err != nil {
			return stats, fmt.Errorf("publish the simulated %d %s rankings: %w", opts.Year, k, err)
		}
		stats.Events["ScorecardPublished"]++
		stats.Total++
		if pub.adopted {
			stats.Events["SchemeAdopted"]++
			stats.Total++
		}
	}
	return stats, nil
}
