package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"taskledger/demo"
	"taskledger/domain"
	"taskledger/planimport"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// bundledPlan is the plan text `make run` and `demo` import.
const bundledPlan = "examples/chifeng-air-quality-plan.txt"

func runDemo(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "demo", "[--seed N] [--year YEAR] [--scale K] [--plan-file FILE] [--store DIR]")
	store := storeFlag(a, fs)
	seed := fs.Int64("seed", 1, "the simulation's seed: the same seed gives the same events")
	year := fs.Int("year", 2025, "the simulated year")
	scale := fs.Int("scale", 1, "multiply the activity (for benchmarks: about 4,800 events per unit of scale with the Chifeng plan; 209 gives about a million)")
	planFile := fs.String("plan-file", bundledPlan, "the plan to import first when the ledger holds none")
	planID := fs.String("plan", defaultPlanID, "the plan's id in the ledger")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *scale < 1 || *year < 2000 || *year > 2100 {
		return fmt.Errorf("%w: --scale must be at least 1 and --year within 2000–2100", errUsage)
	}
	l, err := openLedger(*store)
	if err != nil {
		return err
	}
	defer l.Close()
	stats, err := fillDemo(ctx, a, l, domain.PlanID(*planID), *planFile, demo.Options{Seed: *seed, Year: *year, Scale: *scale})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "recorded a SIMULATED year %d (seed %d, scale %d): %d events; every actor is marked %q and every note %q\n",
		*year, *seed, *scale, stats.Total, demo.ActorPrefix, demo.NotePrefix)
	fmt.Fprintln(a.stdout, stats.String())
	return nil
}

// fillDemo imports the plan when the ledger holds none (recorded, like the
// simulated year, on a clock that starts before that year) and generates
// the simulated year.
func fillDemo(ctx context.Context, a *app, l *ledger, plan domain.PlanID, planFile string, opts demo.Options) (demo.Stats, error) {
	v, err := l.views(ctx, projections.Cut{}, quietLogger(a))
	if err != nil {
		return demo.Stats{}, err
	}
	if _, ok := v.Catalog.Plan(plan); !ok {
		importAt := time.Date(opts.Year-1, time.December, 1, 9, 0, 0, 0, domain.Shanghai())
		clock := &app{stdout: a.stdout, stderr: a.stderr, getenv: a.getenv, now: func() time.Time { return importAt }}
		rep, err := importFile(ctx, clock, l, planFile, planimport.Options{Plan: plan, Actor: "office"})
		if err != nil {
			return demo.Stats{}, err
		}
		printImport(a, rep, false)
		if v, err = l.views(ctx, projections.Cut{}, quietLogger(a)); err != nil {
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
