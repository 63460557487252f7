// Command taskledger is the one binary of the ledger: it imports plans, runs
// the server, audits and verifies, computes scorecards and measures itself.
// Run `taskledger --help` for the list of subcommands.
//
// Exit codes: 0 when the command did what it was asked, 1 when it failed,
// 2 for a usage error (an unknown command or flag, a bad flag value, the
// wrong number of arguments).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"os/user"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"taskledger/internal/msg"
	"taskledger/internal/redact"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// cli is what every subcommand receives: its streams, its environment, its
// clock and the logger the root command makes from --log-level and
// --log-format. Nothing reads globals, so tests run subcommands side by side.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time

	// osUser is the operating-system account running the command; token
	// and operator are --token and --operator (see principal).
	osUser, token, operator string

	// storeTimeout is how long opening an embedded store waits for another
	// process to let go of it; zero means bolt.DefaultTimeout.
	storeTimeout time.Duration
	// noJournal makes a new embedded ledger in format 2, without a journal
	// (migrate --no-journal, bench --no-journal); existing ledgers keep the
	// format they have.
	noJournal bool

	// lang is --lang: the one language refusals are printed in; empty
	// prints both (see messageLangs).
	lang string

	logLevel, logFormat string
	log                 *slog.Logger
	// handlerOpts are log's options; quiet copies them.
	handlerOpts *slog.HandlerOptions
}

// errUsage marks an error whose message is a usage line; the exit code is 2.
var errUsage = errors.New("usage")

// usageError marks err as a usage error, unless it is one already.
func usageError(err error) error {
	if errors.Is(err, errUsage) {
		return err
	}
	return fmt.Errorf("%w: %w", errUsage, err)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &cli{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, now: time.Now, osUser: osUser()}, os.Args[1:])
	stop()
	os.Exit(code)
}

// osUser names the operating-system account running the binary.
func osUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

// run executes the command args name and turns its error into an exit
// code, saying on stderr what went wrong.
func run(ctx context.Context, a *cli, args []string) int {
	cmd, err := execute(ctx, a, args)
	if err == nil {
		return 0
	}
	path := "taskledger"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	err = asUsageNotice(err)
	text := err.Error()
	var re *refusalError
	var n *notice
	switch {
	case errors.As(err, &re):
		text = re.render(a.messageLangs())
	case errors.As(err, &n):
		text = n.render(a.messageLangs())
	}
	fmt.Fprintf(a.stderr, "%s: %s\n", path, redact.Redact(text))
	if errors.Is(err, errUsage) {
		fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", path)
		return 2
	}
	return 1
}

// execute builds the command tree for one run and executes args in it. It
// returns the command that ran (or failed to) and its error.
func execute(ctx context.Context, a *cli, args []string) (*cobra.Command, error) {
	root := newRootCommand(a, args)
	root.SetArgs(args)
	return root.ExecuteContextC(ctx)
}

const rootLong = `taskledger — an accountability ledger for government action plans.

Every command that opens a ledger takes --store: a directory for the
embedded store (default ./data, or $TASKLEDGER_STORE), postgres://… for
PostgreSQL (the schema is the URL's search_path), esdb://… for
EventStoreDB, or memory. Only import, demo and serve --demo create a ledger;
the other commands refuse a store that does not exist. While taskledger
serve holds a directory store, status, obligations and scorecard ask it
instead with --server URL and --token.

Exit codes: 0 ok, 1 error, 2 usage (unknown command or flag, bad value,
wrong number of arguments).`

// newRootCommand returns the command tree. args are the arguments it will
// execute, used to tell a mistyped command from a mistyped flag.
func newRootCommand(a *cli, args []string) *cobra.Command {
	root := &cobra.Command{
		Use:               "taskledger",
		Short:             "an accountability ledger for government action plans",
		Long:              rootLong,
		Version:           version,
		Args:              cobra.ArbitraryArgs,
		RunE:              runRoot,
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.preRun(cmd) },
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetVersionTemplate("taskledger {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&a.logLevel, "log-level", "", "log level: debug, info, warn or error (default info for serve, warn for the others)")
	pf.StringVar(&a.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.StringVar(&a.lang, "lang", "", "print refusals in one language, zh or en (default both, Chinese first, or English first when LANG is English)")
	completeChoices(root, "lang", "zh", "en")
	completeChoices(root, "log-level", "debug", "info", "warn", "error")
	completeChoices(root, "log-format", "text", "json")
	root.AddCommand(subcommands(a)...)
	root.SetHelpCommand(newHelpCommand(root))
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			// Without a shell, or with an unknown one, it is a usage error.
			c.Args, c.RunE = cobra.ArbitraryArgs, runGroup
		}
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if c == root && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			return unknownCommand(root, args[0])
		}
		return flagNotice(err)
	})
	markUsageErrors(root)
	return root
}

// subcommands returns every verb of the binary.
func subcommands(a *cli) []*cobra.Command {
	return []*cobra.Command{
		newVersionCommand(a),
		newServeCommand(a),
		newTokenCommand(a),
		newStatusCommand(a),
		newPlanCommand(a),
		newImportCommand(a),
		newDemoCommand(a),
		newAuditCommand(a),
		newCheckpointCommand(a),
		newProofCommand(a),
		newExportCommand(a),
		newVerifyCommand(a),
		newMigrateCommand(a),
		newBenchCommand(a),
		newBenchReadCommand(a),
		newRebuildCommand(a),
		newTickCommand(a),
		newScorecardCommand(a),
		newObligationsCommand(a),
		newReportCommand(a),
		newEvidenceCommand(a),
		newAppealCommand(a),
		newUnitCommand(a),
		newBulletinCommand(a),
		newAccountCommand(a),
	}
}

// runRoot runs when no subcommand matched: without arguments it shows the
// usage on stderr; with one it names the unknown command.
func runRoot(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownCommand(cmd, args[0])
	}
	fmt.Fprint(cmd.ErrOrStderr(), cmd.UsageString())
	return usageNotice(msg.CLINameACommand, nil)
}

// unknownCommand is the usage error for a command name cmd does not have,
// with the names it might have meant.
func unknownCommand(cmd *cobra.Command, name string) error {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	return usageNotice(msg.CLIUnknownCommand, msg.Args{"Path": cmd.CommandPath(), "Name": name,
		"Suggest": strings.Join(cmd.SuggestionsFor(name), " / ")})
}

// groupCommand returns a command that only holds subcommands: without one,
// or with an unknown one, it is a usage error.
func groupCommand(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Long: long, Args: cobra.ArbitraryArgs, RunE: runGroup}
	c.AddCommand(subs...)
	return c
}

// runGroup runs a command that only holds subcommands when none of them
// was named: a usage error.
func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownCommand(cmd, args[0])
	}
	fmt.Fprint(cmd.ErrOrStderr(), cmd.UsageString())
	names := make([]string, 0, len(cmd.Commands()))
	for _, s := range cmd.Commands() {
		if s.IsAvailableCommand() {
			names = append(names, s.Name())
		}
	}
	return usageNotice(msg.CLINeedsSubcommand, msg.Args{"Path": cmd.CommandPath(), "Names": strings.Join(names, ", ")})
}

// newHelpCommand is `taskledger help [command]`: the command's help on
// stdout; an unknown command is a usage error.
func newHelpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "help about any command",
		Args:  cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil {
				return usageError(err)
			}
			if len(rest) > 0 {
				return unknownCommand(cmd, rest[0])
			}
			return cmd.Help()
		},
	}
}

// markUsageErrors makes the argument checks of c and its subcommands,
// cobra's own included, report usage errors.
func markUsageErrors(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError(err)
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markUsageErrors(sub)
	}
}

// noArgs accepts no positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageNotice(msg.CLINoArgs, msg.Args{"Path": cmd.CommandPath(), "Args": strings.Join(args, " ")})
	}
	return nil
}

// exactArgs accepts n positional arguments, described as what.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageNotice(msg.CLIArgCount, msg.Args{"Path": cmd.CommandPath(), "What": what, "Got": len(args)})
		}
		return nil
	}
}

// completeChoices offers choices when a shell completes the flag name of
// cmd.
func completeChoices(cmd *cobra.Command, name string, choices ...string) {
	_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(choices, cobra.ShellCompDirectiveNoFileComp))
}

// logLevelAnnotation names the annotation that sets a command's default
// log level.
const logLevelAnnotation = "taskledger/log-level"

// setupLogger makes the run's logger from --log-level and --log-format;
// without --log-level, the command's default level applies (warn unless
// the command says otherwise).
func (a *cli) setupLogger(cmd *cobra.Command) error {
	name := a.logLevel
	if name == "" {
		name = cmd.Annotations[logLevelAnnotation]
	}
	level := slog.LevelWarn
	switch name {
	case "", "warn":
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "error":
		level = slog.LevelError
	default:
		return fmt.Errorf("%w: --log-level %q: choose debug, info, warn or error", errUsage, name)
	}
	if a.logFormat != "text" && a.logFormat != "json" {
		return fmt.Errorf("%w: --log-format %q: choose text or json", errUsage, a.logFormat)
	}
	a.handlerOpts = &slog.HandlerOptions{Level: level}
	a.log = a.newLogger(a.handlerOpts)
	return nil
}

// newLogger returns a logger in the run's --log-format with opts.
// Secrets (passwords in store URLs, tokens) are redacted from every record.
func (a *cli) newLogger(opts *slog.HandlerOptions) *slog.Logger {
	if a.logFormat == "json" {
		return slog.New(redact.NewHandler(slog.NewJSONHandler(a.stderr, opts)))
	}
	return slog.New(redact.NewHandler(slog.NewTextHandler(a.stderr, opts)))
}

// quiet returns a copy of the run that logs warnings and errors only,
// unless --log-level asked for more: for work done on the side, such as
// the read models a demo's import builds inside serve.
func (a *cli) quiet() *cli {
	q := *a
	if a.logLevel == "" && a.handlerOpts != nil && a.handlerOpts.Level.Level() < slog.LevelWarn {
		q.handlerOpts = &slog.HandlerOptions{Level: slog.LevelWarn}
		q.log = q.newLogger(q.handlerOpts)
	}
	return &q
}

// logger returns the run's logger; one that discards when no command set
// it up.
func (a *cli) logger() *slog.Logger {
	if a.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.log
}

func newVersionCommand(a *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the build version",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(a.stdout, "taskledger %s\n", version)
			return nil
		},
	}
}
