// Command bench runs taskledger's embedded store and a SQLite peer through
// the same three workloads and prints both and their ratios (bench/README.md).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
)

func main() {
	cfg := DefaultConfig()
	runs := flag.Int("runs", 3, "runs of each store; figures are medians")
	flag.IntVar(&cfg.Streams, "streams", cfg.Streams, "streams")
	flag.IntVar(&cfg.EventsA, "a-events", cfg.EventsA, "events of workload A (one writer)")
	flag.IntVar(&cfg.BatchA, "a-batch", cfg.BatchA, "events per append in workload A")
	flag.IntVar(&cfg.EventsB, "b-events", cfg.EventsB, "events of workload B (one per append)")
	flag.IntVar(&cfg.WritersB, "b-writers", cfg.WritersB, "writers of workload B")
	flag.IntVar(&cfg.NoteBytes, "note-bytes", cfg.NoteBytes, "bytes of each report's note")
	flag.Parse()
	if !cgoEnabled {
		// Said before any run, not after the first two stores' minutes.
		fmt.Fprintln(os.Stderr, "bench: the peer's SQLite driver (github.com/mattn/go-sqlite3) needs cgo: run with CGO_ENABLED=1 and a C compiler (gcc) on PATH")
		os.Exit(1)
	}
	if err := run(os.Stdout, cfg, *runs, os.TempDir()); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// opener makes a new store in a directory.
type opener struct {
	name string
	open func(dir string) (EventStore, error)
}

// stores are taskledger's embedded store in format 2 (no journal) and in
// format 4 (the journal and packed payloads, the default for new ledgers),
// then the peer, which is always last.
var stores = []opener{
	{"tl-format2", func(dir string) (EventStore, error) { return OpenLedger(dir, false) }},
	{"tl-format4", func(dir string) (EventStore, error) { return OpenLedger(dir, true) }},
	{"hallgren", func(dir string) (EventStore, error) { return OpenPeer(dir) }},
}

// run alternates the stores runs times, each in a new directory under tmp,
// and prints every run, the medians and the ratios.
func run(w io.Writer, cfg Config, runs int, tmp string) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	if runs <= 0 {
		return fmt.Errorf("runs must be positive, got %d", runs)
	}
	fmt.Fprintf(w, "%d streams; A: 1 writer, %d events, %d per append; B: %d writers, %d events, 1 per append; notes of %d bytes; every commit fsynced\n",
		cfg.Streams, cfg.EventsA, cfg.BatchA, cfg.WritersB, cfg.EventsB, cfg.NoteBytes)
	results := make([][]Result, len(stores))
	for r := range runs {
		for i, o := range stores {
			res, err := runOnce(o, cfg, tmp)
			if err != nil {
				return err
			}
			results[i] = append(results[i], res)
			fmt.Fprintf(w, "run %d %-11s A %9.0f ev/s  B %9.0f ev/s  settle %6.1f ms  replay %10.0f ev/s  %5.0f B/event  CPU ns/event: A %6.0f  B %6.0f  replay %5.0f\n",
				r+1, o.name, res.AEventsPerS, res.BEventsPerS, res.SettleMs, res.ReplayEventsPerS, res.BytesPerEvent,
				res.ACPUNsPerEvent, res.BCPUNsPerEvent, res.ReplayCPUNsPerEvent)
		}
	}
	printSummary(w, runs, results)
	return nil
}

func runOnce(o opener, cfg Config, tmp string) (Result, error) {
	dir, err := os.MkdirTemp(tmp, "taskledger-bench-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	s, err := o.open(dir)
	if err != nil {
		return Result{}, err
	}
	res, err := Run(s, cfg)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%s: close: %w", o.name, cerr)
	}
	return res, err
}

// printSummary prints the medians of each store and each of taskledger's
// ratios to the peer, the last store (above 1: taskledger is faster; for
// bytes, smaller).
func printSummary(w io.Writer, runs int, results [][]Result) {
	figures := []struct {
		name  string
		get   func(Result) float64
		fewer bool // less is better: the ratio is the peer's over ours
		// alone: no ratio (the settling is a different task for each
		// store, and nothing at all for format 2)
		alone bool
	}{
		{"A: 1 writer, 10 per append, events/s", func(r Result) float64 { return r.AEventsPerS }, false, false},
		{"B: 32 writers, 1 per append, events/s", func(r Result) float64 { return r.BEventsPerS }, false, false},
		{"settle after B (checkpoint of journal or WAL), ms", func(r Result) float64 { return r.SettleMs }, true, true},
		{"replay with full decoding, events/s", func(r Result) float64 { return r.ReplayEventsPerS }, false, false},
		{"bytes on disk per event", func(r Result) float64 { return r.BytesPerEvent }, true, false},
		{"A: CPU ns per event", func(r Result) float64 { return r.ACPUNsPerEvent }, true, false},
		{"B: CPU ns per event", func(r Result) float64 { return r.BCPUNsPerEvent }, true, false},
		{"replay: CPU ns per event", func(r Result) float64 { return r.ReplayCPUNsPerEvent }, true, false},
	}
	fmt.Fprintf(w, "\n| median of %d | taskledger, format 2 | taskledger, format 4 (journal, packed payloads; the default) | hallgren (SQLite) | ratio, format 2 | ratio, format 4 |\n|---|---|---|---|---|---|\n", runs)
	last := len(results) - 1
	for _, f := range figures {
		peer := median(results[last], f.get)
		fmt.Fprintf(w, "| %s", f.name)
		for i := range last {
			fmt.Fprintf(w, " | %.0f", median(results[i], f.get))
		}
		fmt.Fprintf(w, " | %.0f", peer)
		for i := range last {
			if f.alone {
				fmt.Fprint(w, " | —")
				continue
			}
			ours := median(results[i], f.get)
			ratio := ours / peer
			if f.fewer {
				ratio = peer / ours
			}
			fmt.Fprintf(w, " | x%.2f", ratio)
		}
		fmt.Fprintln(w, " |")
	}
}

func median(rs []Result, get func(Result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = get(r)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
