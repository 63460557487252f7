package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
	"taskledger/replay"
)

// benchResult is the one JSON line `taskledger bench` prints.
type benchResult struct {
	Store             string  `json:"store"`
	Format            string  `json:"format,omitempty"` // the embedded store's file format
	Events            int     `json:"events"`
	Batch             int     `json:"batch"`
	Writers           int     `json:"writers"`
	AppendEventsPerS  float64 `json:"append_events_per_s"`
	AppendP50Ms       float64 `json:"append_p50_ms"`
	AppendP99Ms       float64 `json:"append_p99_ms"`
	ReplayEventsPerS  float64 `json:"replay_events_per_s"`
	BytesOnDisk       int64   `json:"bytes_on_disk"`
	BytesPerEvent     float64 `json:"bytes_per_event"`
	PeakRSSMB         float64 `json:"peak_rss_mb"`
	ReplayUnitsCount  int     `json:"replay_units"`
	ReplayTypesCount  int     `json:"replay_types"`
	AppendElapsedS    float64 `json:"append_elapsed_s"`
	ReplayElapsedS    float64 `json:"replay_elapsed_s"`
	DuplicateAppended int     `json:"duplicates"`
}

// benchOptions are the flags of taskledger bench.
type benchOptions struct {
	store                          string
	tasks, perTask, batch, writers int
	profile                        func() (func(), error)
}

func newBenchCommand(a *cli) *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench --store DIR|memory|postgres://…",
		Short: "measure append and replay throughput of a store",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runBench(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	fs.StringVar(&o.store, "store", "", "a new embedded store directory, \"memory\", or postgres://… naming an empty schema (required; never a real ledger)")
	fs.IntVar(&o.tasks, "tasks", 1000, "number of obligation streams")
	fs.IntVar(&o.perTask, "events-per-task", 10, "events appended to each stream")
	fs.IntVar(&o.batch, "batch", 1, "events per append")
	fs.IntVar(&o.writers, "writers", 32, "concurrent writers")
	journalFlags(cmd, a)
	o.profile = profileFlag(fs)
	return cmd
}

// validate checks the flags.
func (o benchOptions) validate() error {
	switch {
	case o.store == "":
		return fmt.Errorf("%w: --store is required (a new directory, or memory)", errUsage)
	case o.tasks <= 0 || o.perTask <= 0 || o.batch <= 0 || o.writers <= 0:
		return fmt.Errorf("%w: --tasks, --events-per-task, --batch and --writers must be positive", errUsage)
	case o.perTask%o.batch != 0:
		return fmt.Errorf("%w: --events-per-task (%d) must be a multiple of --batch (%d)", errUsage, o.perTask, o.batch)
	}
	return nil
}

func runBench(ctx context.Context, a *cli, o benchOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	stop, err := o.profile()
	if err != nil {
		return err
	}
	defer stop()
	kind := "bolt"
	switch {
	case o.store == "memory":
		kind = "memory"
	case isPostgresStore(o.store):
		kind = "postgres"
	default:
		if entries, err := os.ReadDir(o.store); err == nil && len(entries) > 0 {
			return fmt.Errorf("%w: --store %s is not empty; the benchmark needs a new store", errUsage, o.store)
		}
	}
	s, err := a.openStore(o.store, mayCreate)
	if err != nil {
		return err
	}
	defer s.Close()
	if head, err := s.Head(ctx); err != nil || head > 0 {
		return errors.Join(err, fmt.Errorf("%w: --store %s holds a ledger; the benchmark needs a new store", errUsage, redactURL(o.store)))
	}
	reg := domain.DefaultRegistry()

	res := benchResult{Store: kind, Batch: o.batch, Writers: o.writers}
	if b, ok := s.(*bolt.Store); ok {
		res.Format = b.Format()
	}
	latencies, appended, dups, elapsed, err := benchAppend(ctx, s, reg, o.tasks, o.perTask, o.batch, o.writers, a.now)
	if err != nil {
		return err
	}
	res.Events = appended
	res.DuplicateAppended = dups
	res.AppendElapsedS = elapsed.Seconds()
	res.AppendEventsPerS = float64(appended) / elapsed.Seconds()
	res.AppendP50Ms = percentileMs(latencies, 0.50)
	res.AppendP99Ms = percentileMs(latencies, 0.99)

	perType := map[string]int{}
	perUnit := map[domain.UnitID]int{}
	start := time.Now()
	stats, err := replay.Run(ctx, s, reg, replay.Options{PayloadsUnread: true}, func(e *domain.Event, d domain.EventData) error {
		perType[e.Type]++
		if p, ok := d.(domain.ProgressReported); ok {
			perUnit[p.Unit]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	replayElapsed := time.Since(start)
	if stats.Events != appended {
		return fmt.Errorf("replay applied %d events, %d were appended", stats.Events, appended)
	}
	res.ReplayElapsedS = replayElapsed.Seconds()
	res.ReplayEventsPerS = float64(stats.Events) / replayElapsed.Seconds()
	res.ReplayUnitsCount = len(perUnit)
	res.ReplayTypesCount = len(perType)
	if kind == "bolt" {
		if err := s.Close(); err != nil {
			return err
		}
		if res.BytesOnDisk, err = dirSize(o.store); err != nil {
			return err
		}
		res.BytesPerEvent = float64(res.BytesOnDisk) / float64(res.Events)
	}
	if sized, ok := s.(interface {
		Size(context.Context) (int64, error)
	}); ok {
		if res.BytesOnDisk, err = sized.Size(ctx); err != nil {
			return err
		}
		res.BytesPerEvent = float64(res.BytesOnDisk) / float64(res.Events)
	}
	res.PeakRSSMB = peakRSSMB()
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, string(line))
	return nil
}

// benchAppend appends tasks×perTask progress reports, batch per append, from
// writers goroutines, each owning a share of the streams.
func benchAppend(ctx context.Context, s eventstore.Store, reg *domain.Registry, tasks, perTask, batch, writers int, now func() time.Time) ([]time.Duration, int, int, time.Duration, error) {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		appended  int
		dups      int
		firstErr  error
		wg        sync.WaitGroup
	)
	base := now()
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			n, d := 0, 0
			defer func() {
				mu.Lock()
				latencies = append(latencies, local...)
				appended += n
				dups += d
				mu.Unlock()
			}()
			// Each writer walks its streams round-robin, so a stream's
			// appends interleave with other streams' as in real use.
			var mine []int
			for t := w; t < tasks; t += writers {
				mine = append(mine, t)
			}
			versions := make([]uint64, len(mine))
			for round := 0; round < perTask/batch; round++ {
				for i, t := range mine {
					events := make([]domain.Event, batch)
					for j := range events {
						seq := round*batch + j
						ev, err := benchEvent(reg, t, seq, base)
						if err != nil {
							setErr(&mu, &firstErr, err)
							return
						}
						events[j] = ev
					}
					began := time.Now()
					res, err := s.Append(ctx, benchStream(t), eventstore.Exact(versions[i]), events)
					local = append(local, time.Since(began))
					if err != nil {
						setErr(&mu, &firstErr, fmt.Errorf("append to %s: %w", benchStream(t), err))
						return
					}
					versions[i] = res.StreamVersion
					n += len(events)
					if res.Duplicate {
						d++
					}
				}
			}
		}()
	}
	wg.Wait()
	return latencies, appended, dups, time.Since(start), firstErr
}

func setErr(mu *sync.Mutex, dst *error, err error) {
	mu.Lock()
	defer mu.Unlock()
	if *dst == nil {
		*dst = err
	}
}

// benchUnits is the number of distinct units the benchmark's obligations
// belong to: a city's bureaus and counties.
const benchUnits = 40

func benchStream(t int) string {
	return domain.ObligationStream("bench", domain.TaskNo(t+1), benchUnit(t), domain.RoleImplementing)
}

func benchUnit(t int) domain.UnitID {
	return domain.UnitID(fmt.Sprintf("county.bench-%02d", t%benchUnits))
}

// benchEvent builds one realistic progress report of about 300 bytes.
func benchEvent(reg *domain.Registry, t, seq int, base time.Time) (domain.Event, error) {
	at := base.Add(time.Duration(seq) * time.Hour)
	data := domain.ProgressReported{
		ObligationKey: domain.ObligationKey{Plan: "bench", Task: domain.TaskNo(t + 1), Unit: benchUnit(t), Role: domain.RoleImplementing},
		Percent:       domain.Percent(seq % 101),
		Note:          fmt.Sprintf("第%d次进展报告：已完成燃煤锅炉排查%d台，淘汰改造%d台，剩余项目按计划推进。", seq+1, 10+seq%50, seq%17),
		Period:        domain.YearMonthOf(at),
	}
	typ, version, payload, err := reg.Encode(data)
	if err != nil {
		return domain.Event{}, err
	}
	return domain.Event{
		ID:            uuid.New(),
		Type:          typ,
		SchemaVersion: version,
		RecordedAt:    at,
		EffectiveAt:   at.Add(-24 * time.Hour),
		Actor:         string(benchUnit(t)),
		CorrelationID: uuid.New(),
		Payload:       payload,
	}, nil
}

func percentileMs(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(p * float64(len(d)-1))
	return float64(d[i].Microseconds()) / 1000
}

// peakRSSMB reads the process's peak resident set size from /proc, 0 where
// that is not available.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				return 0
			}
			return kb / 1024
		}
	}
	return 0
}

// startProfile starts a CPU profile written to path; call the returned
// function to stop it.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
