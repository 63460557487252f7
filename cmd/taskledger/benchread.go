package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

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
}

func runBenchRead(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "bench-read", "--store DIR [--year YEAR] [--runs N]")
	store := storeFlag(a, fs)
	plan := fs.String("plan", defaultPlanID, "the plan's id in the ledger")
	year := fs.Int("year", 2025, "the assessment year to score")
	runs := fs.Int("runs", 5, "repetitions of each measurement (medians are reported)")
	profile := profileFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	stop, err := profile()
	if err != nil {
		return err
	}
	defer stop()
	if *runs < 1 {
		return fmt.Errorf("%w: --runs must be at least 1", errUsage)
	}
	l, err := openLedger(*store)
	if err != nil {
		return err
	}
	defer l.Close()
	res := benchReadResult{Runs: *runs}

	// Full rebuild of every read model from position zero, no snapshots:
	// the projector's bulk catch-up, as `taskledger rebuild` runs it.
	var rebuilds []time.Duration
	var views *projections.Views
	for range *runs {
		r := projections.NewRunner(l.store, l.registry, projections.NewViews(projections.Config{}),
			projections.RunnerConfig{Logger: quietLogger(a)})
		began := time.Now()
		n, err := r.CatchUp(ctx)
		if err != nil {
			return err
		}
		rebuilds = append(rebuilds, time.Since(began))
		res.Events, views = n, r.Views()
	}
	res.RebuildS = median(rebuilds).Seconds()
	res.RebuildEventsPerS = float64(res.Events) / res.RebuildS

	// A year's scorecards (bureaus and counties) from warm read models.
	end := time.Date(*year+1, time.January, 31, 23, 0, 0, 0, domain.Shanghai())
	var warm []time.Duration
	for range *runs * 4 {
		began := time.Now()
		for _, k := range []scoring.Kind{scoring.KindBureau, scoring.KindCounty} {
			if _, err := views.Scorecards(domain.PlanID(*plan), *year, k, "", 0, end); err != nil {
				return err
			}
		}
		warm = append(warm, time.Since(began))
	}
	res.ScorecardWarmMsP50 = float64(median(warm).Microseconds()) / 1000

	// The scorecards as the ledger stood mid-year: build, then compute.
	mid := time.Date(*year, time.July, 15, 12, 0, 0, 0, domain.Shanghai())
	var asOf []time.Duration
	for range *runs {
		began := time.Now()
		v, err := projections.BuildAt(ctx, l.store, l.registry, projections.Config{}, projections.Cut{Time: mid})
		if err != nil {
			return err
		}
		for _, k := range []scoring.Kind{scoring.KindBureau, scoring.KindCounty} {
			if _, err := v.Scorecards(domain.PlanID(*plan), *year, k, "", 0, mid); err != nil {
				return err
			}
		}
		asOf = append(asOf, time.Since(began))
	}
	res.AsOfScorecardSP50 = median(asOf).Seconds()
	res.PeakRSSMB = peakRSSMB()
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, string(line))
	return nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
