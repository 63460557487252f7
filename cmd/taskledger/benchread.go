package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"taskledger/domain"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// benchReadResult is the one JSON line `taskledger bench-read` prints.
type benchReadResult struct {
	Events             int     `json:"events"`
	RebuildEventsPerS  float64 `json:"rebuild_events_per_s"`
	RebuildS           float64 `json:"rebuild_s"`
	ScorecardWarmMsP50 float64 `json:"scorecard_warm_ms_p50"`
	AsOfScorecardSP50  float64 `json:"asof_scorecard_s_p50"`
	PeakRSSMB          float64 `json:"peak_rss_mb"`
	Runs               int     `json:"runs"`
	// The same medians in CPU time of the whole process (every thread:
	// decoding workers, the collector), which other work on a shared
	// machine inflates far less than the wall times; 0 where the system
	// does not tell.
	RebuildCPUS          float64 `json:"rebuild_cpu_s_p50"`
	ScorecardWarmCPUMs   float64 `json:"scorecard_warm_cpu_ms_p50"`
	AsOfScorecardCPUSP50 float64 `json:"asof_scorecard_cpu_s_p50"`
	// The as-of scorecards again, from the past read models a server
	// keeps (projections.Past, every DefaultPastEvery events): the time to
	// save them all in one pass over the log (once, as a server's first
	// start does), how many sets and bytes that made, and the medians of
	// the same question answered from the nearest set before its cut.
	PastFillS                 float64 `json:"past_fill_s"`
	PastSets                  int     `json:"past_sets"`
	PastMB                    float64 `json:"past_mb"`
	AsOfFromPastScorecardSP50 float64 `json:"asof_from_past_scorecard_s_p50"`
	AsOfFromPastScorecardCPUS float64 `json:"asof_from_past_scorecard_cpu_s_p50"`
}

// spent is what one measured step took: wall time and the process's CPU
// time.
type spent struct{ wall, cpu time.Duration }

// measure runs fn and returns what it took.
func measure(fn func() error) (spent, error) {
	cpu, began := processCPU(), time.Now()
	err := fn()
	return spent{wall: time.Since(began), cpu: processCPU() - cpu}, err
}

// medians returns the median wall and CPU times of the steps.
func medians(steps []spent) (wall, cpu time.Duration) {
	walls, cpus := make([]time.Duration, len(steps)), make([]time.Duration, len(steps))
	for i, s := range steps {
		walls[i], cpus[i] = s.wall, s.cpu
	}
	return median(walls), median(cpus)
}

// benchReadOptions are the flags of taskledger bench-read.
type benchReadOptions struct {
	store, plan string
	year, runs  int
	profile     func() (func(), error)
	// memProfile, when set, names the file a heap profile is written to
	// once the rebuilds are done: what the warm read models hold.
	memProfile string
}

func newBenchReadCommand(a *cli) *cobra.Command {
	var o benchReadOptions
	cmd := &cobra.Command{
		Use:   "bench-read --store DIR",
		Short: "measure rebuild, scorecard and as-of scorecard times on a ledger",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runBenchRead(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.plan, "plan", defaultPlanID, "the plan's id in the ledger")
	fs.IntVar(&o.year, "year", 2025, "the assessment year to score")
	fs.IntVar(&o.runs, "runs", 5, "repetitions of each measurement (medians are reported)")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a heap profile of the warm read models to this file")
	o.profile = profileFlag(fs)
	return cmd
}

func runBenchRead(ctx context.Context, a *cli, o benchReadOptions) error {
	if o.runs < 1 {
		return fmt.Errorf("%w: --runs must be at least 1", errUsage)
	}
	stop, err := o.profile()
	if err != nil {
		return err
	}
	defer stop()
	l, err := a.openLedger(o.store, mustExist)
	if err != nil {
		return err
	}
	defer l.Close()
	res := benchReadResult{Runs: o.runs}

	// Full rebuild of every read model from position zero, no snapshots:
	// the projector's bulk catch-up, as `taskledger rebuild` runs it.
	var rebuilds []spent
	var views *projections.Views
	for range o.runs {
		// Let the previous rebuild's models go first: a process holds one
		// set, and the peak memory reported is that of one.
		views = nil
		r := projections.NewRunner(l.store, l.registry, projections.NewViews(projections.Config{}),
			projections.RunnerConfig{Logger: a.log})
		took, err := measure(func() error {
			n, err := r.CatchUp(ctx)
			res.Events = n
			return err
		})
		if err != nil {
			return err
		}
		rebuilds = append(rebuilds, took)
		views = r.Views()
	}
	wall, cpu := medians(rebuilds)
	res.RebuildS, res.RebuildCPUS = wall.Seconds(), cpu.Seconds()
	if err := writeHeapProfile(o.memProfile); err != nil {
		return err
	}
	res.RebuildEventsPerS = float64(res.Events) / res.RebuildS

	// A year's scorecards (bureaus and counties) from warm read models.
	end := time.Date(o.year+1, time.January, 31, 23, 0, 0, 0, domain.Shanghai())
	var warm []spent
	for range o.runs * 4 {
		took, err := measure(func() error { return scorecards(views, o.plan, o.year, end) })
		if err != nil {
			return err
		}
		warm = append(warm, took)
	}
	wall, cpu = medians(warm)
	res.ScorecardWarmMsP50, res.ScorecardWarmCPUMs = float64(wall.Microseconds())/1000, float64(cpu.Microseconds())/1000

	// The scorecards as the ledger stood mid-year: build, then compute.
	mid := time.Date(o.year, time.July, 15, 12, 0, 0, 0, domain.Shanghai())
	wall, cpu, err = asOfScorecards(o, mid, func() (*projections.Views, error) {
		return projections.BuildAsOf(ctx, l.store, l.registry, projections.Config{}, projections.Cut{Time: mid})
	})
	if err != nil {
		return err
	}
	res.AsOfScorecardSP50, res.AsOfScorecardCPUSP50 = wall.Seconds(), cpu.Seconds()
	if err := benchPast(ctx, a, l, o, mid, &res); err != nil {
		return err
	}
	res.PeakRSSMB = peakRSSMB()
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, string(line))
	return nil
}

// benchPast measures the as-of scorecards from past read models: it saves
// them in a folder of its own, removed afterwards, then asks the same
// question as of mid as often as the other measurements.
func benchPast(ctx context.Context, a *cli, l *ledger, o benchReadOptions, mid time.Time, res *benchReadResult) error {
	dir, err := os.MkdirTemp("", "taskledger-bench-past-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	past := projections.NewPast(dir, projections.DefaultPastEvery, projections.Config{}, a.log)
	took, err := measure(func() error {
		res.PastSets, err = past.Fill(ctx, l.store, l.registry)
		return err
	})
	if err != nil {
		return err
	}
	res.PastFillS = took.wall.Seconds()
	if res.PastMB, err = folderMB(dir); err != nil {
		return err
	}
	wall, cpu, err := asOfScorecards(o, mid, func() (*projections.Views, error) {
		return past.BuildAsOf(ctx, l.store, l.registry, projections.Cut{Time: mid})
	})
	res.AsOfFromPastScorecardSP50, res.AsOfFromPastScorecardCPUS = wall.Seconds(), cpu.Seconds()
	return err
}

// asOfScorecards measures, o.runs times, building read models as of mid
// with build and computing the year's scorecards from them, and returns
// the medians.
func asOfScorecards(o benchReadOptions, mid time.Time, build func() (*projections.Views, error)) (wall, cpu time.Duration, err error) {
	var steps []spent
	for range o.runs {
		took, err := measure(func() error {
			v, err := build()
			if err != nil {
				return err
			}
			return scorecards(v, o.plan, o.year, mid)
		})
		if err != nil {
			return 0, 0, err
		}
		steps = append(steps, took)
	}
	wall, cpu = medians(steps)
	return wall, cpu, nil
}

// folderMB is the size of the files under dir, in MB.
func folderMB(dir string) (float64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	return float64(n) / (1 << 20), err
}

// scorecards computes a year's bureau and county scorecards, judged at asOf.
func scorecards(v *projections.Views, plan string, year int, asOf time.Time) error {
	for _, k := range []scoring.Kind{scoring.KindBureau, scoring.KindCounty} {
		if _, err := v.Scorecards(domain.PlanID(plan), year, k, "", 0, asOf); err != nil {
			return err
		}
	}
	return nil
}

// writeHeapProfile writes a heap profile to path after a collection, so it
// shows what is live; an empty path writes nothing.
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
