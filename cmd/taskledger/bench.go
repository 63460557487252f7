package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/replay"
)

// benchResult is the one JSON line `taskledger bench` prints.
type benchResult struct {
	Store             string  `json:"store"`
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

func runBench(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "bench", "--store DIR|memory [--tasks N] [--events-per-task M] [--batch B] [--writers W]")
	store := fs.String("store", "", "a new embedded store directory, or \"memory\" (required; never a real ledger)")
	tasks := fs.Int("tasks", 1000, "number of obligation streams")
	perTask := fs.Int("events-per-task", 10, "events appended to each stream")
	batch := fs.Int("batch", 1, "events per append")
	writers := fs.Int("writers", 32, "concurrent writers")
	profile := profileFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	stop, err := profile()
	if err != nil {
		return err
	}
	defer stop()
	switch {
	case *store == "":
		return fmt.Errorf("%w: --store is required (a new directory, or memory)", errUsage)
	case *tasks <= 0 || *perTask <= 0 || *batch <= 0 || *writers <= 0:
		return fmt.Errorf("%w: --tasks, --events-per-task, --batch and --writers must be positive", errUsage)
	case *perTask%*batch != 0:
		return fmt.Errorf("%w: --events-per-task (%d) must be a multiple of --batch (%d)", errUsage, *perTask, *batch)
	}
	kind := "bolt"
	if *store == "memory" {
		kind = "memory"
	} else if entries, err := os.ReadDir(*store); err == nil && len(entries) > 0 {
		return fmt.Errorf("%w: --store %s is not empty; the benchmark needs a new store", errUsage, *store)
	}
	s, err := openStore(*store)
	if err != nil {
		return err
	}
	defer s.Close()
	reg := domain.DefaultRegistry()

	res := benchResult{Store: kind, Batch: *batch, Writers: *writers}
	latencies, appended, dups, elapsed, err := benchAppend(ctx, s, reg, *tasks, *perTask, *batch, *writers, a.now)
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
	stats, err := replay.Run(ctx, s, reg, replay.Options{}, func(e *domain.Event, d domain.EventData) error {
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
		if res.BytesOnDisk, err = dirSize(*store); err != nil {
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
