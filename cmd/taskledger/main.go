// Command taskledger is the one binary of the ledger: it imports plans, runs
// the server, audits and verifies, computes scorecards and measures itself.
// Run `taskledger help` for the list of subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// app is what every subcommand receives: its streams, its environment and
// its clock. Nothing reads globals, so tests run subcommands side by side.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
}

// subcommand is one verb of the binary.
type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

func subcommands() []subcommand {
	return []subcommand{
		{"version", "print the build version", runVersion},
		{"serve", "serve the GraphQL API (--demo: with a simulated year)", runServe},
		{"token", "make and list API tokens (token create | token list)", runToken},
		{"status", "open a ledger and report what it holds", runStatus},
		{"plan", "work with plan documents (plan parse FILE)", func(ctx context.Context, a *app, args []string) error {
			return runPlan(ctx, args, a.stdout, a.stderr)
		}},
		{"import", "record a plan's units, tasks, duties and milestones (only what changed)", runImport},
		{"demo", "fill a ledger with a clearly labelled SIMULATED year of activity", runDemo},
		{"audit", "the replayed history of a task or unit, with flags", runAuditTrail},
		{"checkpoint", "sign a Merkle checkpoint of the log (--new-key FILE makes a key)", runCheckpoint},
		{"proof", "inclusion and consistency proofs (proof inclusion|consistency|verify)", runProof},
		{"export", "write the whole log as JSON lines with hashes", runLedgerExport},
		{"verify", "check a store or an export offline: hashes, chains, order, Merkle root", runVerify},
		{"migrate", "copy a ledger between stores (directory ↔ esdb://) and prove the copy", runMigrate},
		{"bench", "measure append and replay throughput of a store", runBench},
		{"bench-read", "measure rebuild, scorecard and as-of scorecard times on a ledger", runBenchRead},
		{"rebuild", "recompute every read model from the start of the log", runRebuild},
		{"tick", "record the deadline slips due now (or at --now)", runTick},
		{"scorecard", "a year's scorecards and rankings, with every point explained", runScorecard},
		{"obligations", "what a unit owes, by when, and what is overdue", runObligations},
	}
}

// errUsage marks an error whose message is a usage line; the exit code is 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &app{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, now: time.Now}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and turns its error into an exit code.
func run(ctx context.Context, a *app, args []string) int {
	cmds := subcommands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return run(ctx, a, []string{args[1], "--help"})
		}
		usage(a.stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range cmds {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, a, args[1:])
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(a.stderr, "taskledger %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(a.stderr, "taskledger %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(a.stderr, "taskledger: unknown command %q\n\n", args[0])
	usage(a.stderr, cmds)
	return 2
}

func usage(w io.Writer, cmds []subcommand) {
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	fmt.Fprintln(w, "taskledger — an accountability ledger for government action plans")
	fmt.Fprintln(w, "\nUsage: taskledger COMMAND [flags]   (taskledger COMMAND --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command that opens a ledger takes --store (default ./data, or $TASKLEDGER_STORE).")
}

// newFlags returns a flag set that reports errors instead of exiting and
// prints its usage to the app's stderr.
func newFlags(a *app, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("taskledger "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "Usage: taskledger %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and wraps a parse failure as a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func runVersion(_ context.Context, a *app, args []string) error {
	fs := newFlags(a, "version", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "taskledger %s\n", version)
	return nil
}
