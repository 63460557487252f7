package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"taskledger/demo"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
	"taskledger/eventstore/esdb"
	"taskledger/eventstore/memory"
)

// storeEnv names the environment variable that sets the default --store.
const storeEnv = "TASKLEDGER_STORE"

// esdbPrefixEnv names the environment variable that sets the stream-name
// prefix of a ledger kept in EventStoreDB (empty: names map directly).
const esdbPrefixEnv = "TASKLEDGER_ESDB_PREFIX"

// defaultStore is the embedded store's directory when nothing else is said.
const defaultStore = "./data"

// storeFlag adds the shared --store flag to fs.
func storeFlag(a *app, fs *flag.FlagSet) *string {
	def := a.getenv(storeEnv)
	if def == "" {
		def = defaultStore
	}
	return fs.String("store", def, "the ledger: a directory for the embedded store, \"memory\", or an EventStoreDB connection string esdb://… (env "+storeEnv+"; stream prefix env "+esdbPrefixEnv+")")
}

// openStore opens the ledger a --store value names.
func openStore(spec string) (eventstore.Store, error) {
	switch {
	case spec == "memory":
		return memory.New(), nil
	case strings.HasPrefix(spec, "esdb://"), strings.HasPrefix(spec, "esdb+discover://"):
		s, err := esdb.Open(spec, esdb.Options{Prefix: os.Getenv(esdbPrefixEnv)})
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		return s, nil
	case strings.Contains(spec, "://"):
		return nil, fmt.Errorf("store %q: the embedded store (a directory), \"memory\" and EventStoreDB (esdb://…) are supported", spec)
	case spec == "":
		return nil, fmt.Errorf("%w: --store is empty", errUsage)
	}
	s, err := bolt.OpenDir(spec, bolt.Options{})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", spec, err)
	}
	return s, nil
}

// dirSize returns the bytes of regular files under dir.
func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			total += info.Size()
		}
		return nil
	})
	return total, err
}

func runStatus(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "status", "[--store DIR]")
	store := storeFlag(a, fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := openStore(*store)
	if err != nil {
		return err
	}
	defer s.Close()
	reg := domain.DefaultRegistry()
	counts := map[string]int{}
	streams := map[string]struct{}{}
	var total, simulated int
	var after uint64
	for {
		batch, err := s.ReadAll(ctx, after, 4096)
		if err != nil {
			return fmt.Errorf("read %s: %w", *store, err)
		}
		if len(batch) == 0 {
			break
		}
		for i := range batch {
			e := &batch[i]
			if _, ok := reg.Version(e.Type); !ok {
				return fmt.Errorf("position %d: %w %q", e.Position, domain.ErrUnknownEventType, e.Type)
			}
			counts[e.Type]++
			if e.Simulated() {
				simulated++
			}
			streams[e.Stream] = struct{}{}
			total++
		}
		after = batch[len(batch)-1].Position
	}
	fmt.Fprintf(a.stdout, "ledger %s: %d events in %d streams, head position %d\n", *store, total, len(streams), after)
	if total == 0 {
		fmt.Fprintln(a.stdout, "the ledger is empty")
		return nil
	}
	if simulated > 0 {
		fmt.Fprintf(a.stdout, "NOTE: %d of these events are SIMULATED demo activity (actors %q…, notes %q…), not real reports\n", simulated, demo.ActorPrefix, demo.NotePrefix)
	}
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Fprintf(a.stdout, "  %-24s %8d\n", t, counts[t])
	}
	return nil
}
