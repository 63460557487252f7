package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/evidence"
	"taskledger/projections"
)

// ledger is an open store with what commands and queries need around it.
type ledger struct {
	spec     string
	store    eventstore.Store
	registry *domain.Registry
	handler  *command.Handler
	// state is the folder of what the ledger keeps beside its events: read
	// model snapshots, API tokens, signed checkpoints. It is the store's own
	// directory; for EventStoreDB and PostgreSQL $TASKLEDGER_STATE (default
	// ./data/esdb-state and ./data/postgres-state); empty for memory stores.
	state string
	// snapshots is where read-model snapshots live; empty for memory stores.
	snapshots string
	// blobs keeps the ledger's evidence files (see openEvidence).
	blobs evidence.Store
}

// stateEnv names the environment variable that sets the local state folder
// of a ledger kept in EventStoreDB or PostgreSQL.
const stateEnv = "TASKLEDGER_STATE"

// stateDir returns the local state folder of a --store value.
func stateDir(spec string) string {
	switch {
	case spec == "memory" || spec == "":
		return ""
	case strings.Contains(spec, "://"):
		if d := os.Getenv(stateEnv); d != "" {
			return d
		}
		if isPostgresStore(spec) {
			return filepath.Join(defaultStore, "postgres-state")
		}
		return filepath.Join(defaultStore, "esdb-state")
	}
	return spec
}

// openLedger opens the store a --store value names; mode says whether a
// ledger may be created there.
func (a *cli) openLedger(spec string, mode storeMode) (*ledger, error) {
	s, err := a.openStore(spec, mode)
	if err != nil {
		return nil, err
	}
	reg := domain.DefaultRegistry()
	l := &ledger{spec: spec, store: s, registry: reg, handler: command.NewHandler(s, reg), state: stateDir(spec)}
	if l.state != "" {
		l.snapshots = filepath.Join(l.state, "projections")
	}
	if l.blobs, err = openEvidence(spec, l.state, mode); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return l, nil
}

// Close closes the store and the evidence store.
func (l *ledger) Close() error { return errors.Join(l.store.Close(), l.blobs.Close()) }

// views returns read models at a cut. For the whole log they come from the
// snapshots plus the events after them; for an earlier cut they are built by
// replaying the log up to it, from the nearest past set a server kept
// (projections.Past) when there is one.
func (l *ledger) views(ctx context.Context, cut projections.Cut, logger *slog.Logger) (*projections.Views, error) {
	if cut.Position > 0 || !cut.Time.IsZero() {
		if l.snapshots != "" {
			return l.past(logger).BuildAsOf(ctx, l.store, l.registry, cut)
		}
		return projections.BuildAsOf(ctx, l.store, l.registry, projections.Config{}, cut)
	}
	r, err := l.runner(ctx, logger)
	if err != nil {
		return nil, err
	}
	return r.Views(), nil
}

// past returns the past read models kept beside the snapshots, spaced as
// a server keeps them by default. Reading them needs no particular
// spacing: any set at or before a cut serves.
func (l *ledger) past(logger *slog.Logger) *projections.Past {
	return projections.NewPast(filepath.Join(l.snapshots, projections.PastDir), projections.DefaultPastEvery, projections.Config{}, logger)
}

// runner returns a projector whose read models hold the whole log: restored
// from the snapshots, caught up with the events after them, and snapshotted
// again when that took many events.
func (l *ledger) runner(ctx context.Context, logger *slog.Logger) (*projections.Runner, error) {
	r := projections.NewRunner(l.store, l.registry, projections.NewViews(projections.Config{}),
		projections.RunnerConfig{SnapshotDir: l.snapshots, Logger: logger})
	r.Restore(ctx)
	n, err := r.CatchUp(ctx)
	if err != nil {
		return nil, err
	}
	if n >= 10_000 {
		if err := r.SnapshotAll(ctx); err != nil {
			logger.Warn("could not save read-model snapshots", "err", err)
		}
	}
	return r, nil
}

// cutFlags adds --as-of and --at-position to fs.
type cutFlags struct {
	asOf     string
	position uint64
}

func addCutFlags(fs *pflag.FlagSet) *cutFlags {
	c := &cutFlags{}
	fs.StringVar(&c.asOf, "as-of", "", "evaluate as the ledger stood then: a date (end of that day, Asia/Shanghai) or an RFC 3339 time")
	fs.Uint64Var(&c.position, "at-position", 0, "evaluate as the ledger stood at this log position")
	return c
}

// cut parses the flags. now is the moment used for traffic lights when no
// --as-of is given.
func (c *cutFlags) cut() (projections.Cut, error) {
	cut := projections.Cut{Position: c.position}
	if c.asOf != "" {
		t, err := parseInstant(c.asOf)
		if err != nil {
			return cut, fmt.Errorf("%w: --as-of: %v", errUsage, err)
		}
		cut.Time = t
	}
	return cut, nil
}

// parseInstant reads a date (meaning the end of that day in Asia/Shanghai)
// or an RFC 3339 time.
func parseInstant(s string) (time.Time, error) {
	if d, err := domain.ParseDate(s); err == nil {
		return d.EndOf().Add(-time.Nanosecond), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a date (2025-06-30) nor an RFC 3339 time (2025-06-30T18:00:00+08:00)", s)
	}
	return t, nil
}

// formatFlag adds a --format flag to cmd, bound to p, limited to the given
// choices; the first is the default.
func formatFlag(cmd *cobra.Command, p *string, choices ...string) {
	cmd.Flags().StringVar(p, "format", choices[0], "output format: "+strings.Join(choices, ", "))
	completeChoices(cmd, "format", choices...)
}

func checkFormat(got string, choices ...string) error {
	for _, c := range choices {
		if got == c {
			return nil
		}
	}
	return fmt.Errorf("%w: --format %q: choose %s", errUsage, got, strings.Join(choices, ", "))
}

func itoa(n int) string { return strconv.Itoa(n) }

// openAt opens the ledger a --store value names and builds its read models
// at the cut the flags give. It returns the moment reads are judged at: the
// cut's time, or now. The caller closes the ledger.
func openAt(ctx context.Context, a *cli, store string, cf *cutFlags) (*ledger, *projections.Views, time.Time, error) {
	cut, err := cf.cut()
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	l, err := a.openLedger(store, mustExist)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	if err := l.checkCut(ctx, cut); err != nil {
		l.Close()
		return nil, nil, time.Time{}, err
	}
	v, err := l.views(ctx, cut, a.logger())
	if err != nil {
		l.Close()
		return nil, nil, time.Time{}, err
	}
	at := a.now()
	if !cut.Time.IsZero() {
		at = cut.Time
	}
	return l, v, at, nil
}

// checkCut refuses a cut past the end of the log: --at-position beyond its
// head would silently show the ledger as it stands now.
func (l *ledger) checkCut(ctx context.Context, cut projections.Cut) error {
	if cut.Position == 0 {
		return nil
	}
	head, err := l.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read the log's head: %w", err)
	}
	if cut.Position > head {
		return fmt.Errorf("--at-position %d is past the end of the log (position %d)", cut.Position, head)
	}
	return nil
}

// profileFlag adds --cpuprofile to fs; the returned function starts the
// profile when the flag was given and returns the function that stops it.
func profileFlag(fs *pflag.FlagSet) func() (func(), error) {
	path := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	return func() (func(), error) {
		if *path == "" {
			return func() {}, nil
		}
		return startProfile(*path)
	}
}
