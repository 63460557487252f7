package main

import (
	"fmt"
	"sync"
	"syscall"
	"time"

	"taskledger/domain"
)

// Result is one store's figures from one run of the three workloads. The
// CPU figures are the process's CPU time (user and system, every thread,
// the collector's and the store's background work included) per event:
// they move less with the machine's load than the rates do.
type Result struct {
	AEventsPerS         float64
	BEventsPerS         float64
	ReplayEventsPerS    float64
	BytesPerEvent       float64
	ACPUNsPerEvent      float64
	BCPUNsPerEvent      float64
	ReplayCPUNsPerEvent float64
	// SettleMs is how long the store took, after B, to write its log into
	// its main file (EventStore.Settle).
	SettleMs float64
}

// clock hands out strictly increasing report times, as a ledger's clock
// would.
type clock struct {
	mu   sync.Mutex
	next time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = c.next.Add(time.Millisecond)
	return c.next
}

// Run drives s through workload A, then B, settles it, then replays all the
// events both wrote, and reports the rates. Without the settling a store
// that checkpoints in the background (taskledger's journal, a second after
// the last append) would do so during the replay, whose figures would then
// hold part of the writes' work, and by chance.
func Run(s EventStore, cfg Config) (Result, error) {
	var res Result
	versions := make([]uint64, cfg.Streams)
	clk := &clock{next: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	elapsed, cpu, err := timed(func() error { return workloadA(s, cfg, versions, clk) })
	if err != nil {
		return res, fmt.Errorf("%s, workload A: %w", s.Name(), err)
	}
	res.AEventsPerS = float64(cfg.EventsA) / elapsed.Seconds()
	res.ACPUNsPerEvent = float64(cpu) / float64(cfg.EventsA)
	if elapsed, cpu, err = timed(func() error { return workloadB(s, cfg, versions, clk) }); err != nil {
		return res, fmt.Errorf("%s, workload B: %w", s.Name(), err)
	}
	res.BEventsPerS = float64(cfg.EventsB) / elapsed.Seconds()
	res.BCPUNsPerEvent = float64(cpu) / float64(cfg.EventsB)
	if elapsed, _, err = timed(s.Settle); err != nil {
		return res, fmt.Errorf("%s, settle: %w", s.Name(), err)
	}
	res.SettleMs = float64(elapsed) / float64(time.Millisecond)
	total := cfg.EventsA + cfg.EventsB
	perUnit := map[domain.UnitID]int{}
	var n int
	elapsed, cpu, err = timed(func() (err error) {
		n, err = s.Replay(func(p domain.ProgressReported) { perUnit[p.Unit]++ })
		return err
	})
	if err != nil {
		return res, fmt.Errorf("%s, replay: %w", s.Name(), err)
	}
	if n != total || len(perUnit) != min(40, cfg.Streams) {
		return res, fmt.Errorf("%s, replay: %d events over %d units, want %d over %d", s.Name(), n, len(perUnit), total, min(40, cfg.Streams))
	}
	res.ReplayEventsPerS = float64(n) / elapsed.Seconds()
	res.ReplayCPUNsPerEvent = float64(cpu) / float64(n)
	size, err := s.Bytes()
	if err != nil {
		return res, fmt.Errorf("%s, size: %w", s.Name(), err)
	}
	res.BytesPerEvent = float64(size) / float64(total)
	return res, nil
}

// timed runs f and returns the time it took and the CPU time the process
// used meanwhile.
func timed(f func() error) (time.Duration, time.Duration, error) {
	start, cpu0 := time.Now(), cpuTime()
	err := f()
	return time.Since(start), cpuTime() - cpu0, err
}

// cpuTime is the CPU time the process has used so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// workloadA: one writer appends BatchA reports at a time to the streams in
// turn.
func workloadA(s EventStore, cfg Config, versions []uint64, clk *clock) error {
	for k := 0; k < cfg.EventsA/cfg.BatchA; k++ {
		i := k % cfg.Streams
		reports := make([]domain.ProgressReported, cfg.BatchA)
		for j := range reports {
			reports[j] = report(i, int(versions[i])+j, cfg.NoteBytes, clk.now())
		}
		if err := s.Append(streamName(i), versions[i], reports, clk.now()); err != nil {
			return err
		}
		versions[i] += uint64(cfg.BatchA)
	}
	return nil
}

// workloadB: WritersB writers, each owning every WritersB-th stream, append
// one report at a time to their streams in turn.
func workloadB(s EventStore, cfg Config, versions []uint64, clk *clock) error {
	var wg sync.WaitGroup
	errs := make([]error, cfg.WritersB)
	per := cfg.EventsB / cfg.WritersB
	for w := range cfg.WritersB {
		n := per
		if w < cfg.EventsB%cfg.WritersB {
			n++
		}
		wg.Go(func() { errs[w] = writerB(s, cfg, versions, clk, w, n) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func writerB(s EventStore, cfg Config, versions []uint64, clk *clock, w, n int) error {
	var mine []int
	for i := w; i < cfg.Streams; i += cfg.WritersB {
		mine = append(mine, i)
	}
	for k := range n {
		i := mine[k%len(mine)]
		at := clk.now()
		if err := s.Append(streamName(i), versions[i], []domain.ProgressReported{report(i, int(versions[i]), cfg.NoteBytes, at)}, at); err != nil {
			return err
		}
		versions[i]++ // stream i is this writer's alone
	}
	return nil
}
