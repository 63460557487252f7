package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"taskledger/app"
	"taskledger/demo"
	"taskledger/examples"
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

func newDemoCommand(a *cli) *cobra.Command {
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
	addPrincipalFlags(a, fs)
	return cmd
}

func runDemo(ctx context.Context, a *cli, o demoOptions) error {
	if o.scale < 1 || o.year < 2000 || o.year > 2100 {
		return fmt.Errorf("%w: --scale must be at least 1 and --year within 2000–2100", errUsage)
	}
	text, err := loadPlanText(o.planFile)
	if err != nil {
		return err
	}
	return withNewLedger(a, o.store, func(l *ledger) error {
		m := a.meter("生成模拟数据", "demo", "事件", "events", 0)
		l.store = withProgress(l.store, m, false, true)
		out, err := simulate(ctx, a, l, o.plan, text, o.seed, o.year, o.scale)
		m.Finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "recorded a SIMULATED year %d (seed %d, scale %d): %d events; every actor is marked %q and every note %q\n",
			o.year, o.seed, o.scale, out.Stats.Total, demo.ActorPrefix, demo.NotePrefix)
		fmt.Fprintln(a.stdout, out.Stats.String())
		return nil
	})
}

// simulate records a simulated year through the application layer, which
// imports the plan first on an empty ledger and refuses a ledger holding
// real records. The counts it returns include the import's and the
// publications' events.
func simulate(ctx context.Context, a *cli, l *ledger, plan string, text planText, seed int64, year, scale int) (app.SimulateResult, error) {
	d, err := l.open(ctx, a)
	if err != nil {
		return app.SimulateResult{}, err
	}
	out, err := d.svc.Simulate(ctx, d.who, app.SimulateInput{Plan: plan, PlanText: text.src, Seed: seed, Year: year, Scale: scale})
	if err != nil {
		return out, refusal(fmt.Errorf("demo from %s: %w", text.name, err))
	}
	if out.Imported != nil {
		printImport(a, *out.Imported, false)
	}
	for _, p := range out.Published {
		for _, e := range p.Events {
			out.Stats.Events[e.Type]++
			out.Stats.Total++
		}
		if p.Adopted {
			out.Stats.Events["SchemeAdopted"]++
			out.Stats.Total++
		}
	}
	return out, nil
}
