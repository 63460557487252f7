package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	bolterrors "go.etcd.io/bbolt/errors"

	"taskledger/demo"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
	"taskledger/eventstore/esdb"
	"taskledger/eventstore/memory"
	"taskledger/eventstore/postgres"
	"taskledger/internal/msg"
	"taskledger/internal/redact"
)

// storeEnv names the environment variable that sets the default --store.
const storeEnv = "TASKLEDGER_STORE"

// esdbPrefixEnv names the environment variable that sets the stream-name
// prefix of a ledger kept in EventStoreDB (empty: names map directly).
const esdbPrefixEnv = "TASKLEDGER_ESDB_PREFIX"

// defaultStore is the embedded store's directory when nothing else is said.
const defaultStore = "./data"

// storeFlag adds the shared --store flag to fs, bound to p.
func storeFlag(a *cli, flags *pflag.FlagSet, p *string) {
	def := a.getenv(storeEnv)
	if def == "" {
		def = defaultStore
	}
	flags.StringVar(p, "store", def, "the ledger: a directory for the embedded store, \"memory\", a PostgreSQL URL postgres://… (its schema: ?search_path=NAME), or an EventStoreDB connection string esdb://… (env "+storeEnv+"; stream prefix env "+esdbPrefixEnv+")")
}

// storeMode says whether opening a store may create its ledger.
type storeMode int

const (
	// mustExist refuses a directory that holds no ledger.
	mustExist storeMode = iota
	// mayCreate makes a new ledger where there is none.
	mayCreate
	// readOnly opens an existing ledger without changing anything in it
	// (verify, export): no write, no upgrade, a shared lock.
	readOnly
)

// errNoLedger marks a --store directory that holds no ledger.
var errNoLedger = errors.New("no ledger there")

// isDirStore reports whether a --store value names an embedded store's
// directory (not memory, not a URL).
func isDirStore(spec string) bool {
	return spec != "" && spec != "memory" && !strings.Contains(spec, "://")
}

// checkLedger returns an error naming dir when it holds no embedded ledger.
func checkLedger(dir string) error {
	_, err := os.Stat(filepath.Join(dir, bolt.FileName))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return noticef(msg.StoreNoLedger, msg.Args{"Store": dir}, errNoLedger)
	}
	return fmt.Errorf("store %s: %w", dir, err)
}

// openStore opens the ledger a --store value names. With mustExist, a
// directory that holds no ledger is refused and left as it is.
func (a *cli) openStore(spec string, mode storeMode) (eventstore.Store, error) {
	switch {
	case spec == "memory":
		return memory.New(), nil
	case strings.HasPrefix(spec, "esdb://"), strings.HasPrefix(spec, "esdb+discover://"):
		s, err := esdb.Open(spec, esdb.Options{Prefix: os.Getenv(esdbPrefixEnv)})
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		return s, nil
	case isPostgresStore(spec):
		return openPostgres(spec, mode)
	case strings.Contains(spec, "://"):
		return nil, fmt.Errorf("store %q: the embedded store (a directory), \"memory\", PostgreSQL (postgres://…) and EventStoreDB (esdb://…) are supported", spec)
	case spec == "":
		return nil, fmt.Errorf("%w: --store is empty", errUsage)
	}
	if mode != mayCreate {
		if err := checkLedger(spec); err != nil {
			return nil, err
		}
	}
	s, err := bolt.OpenDir(spec, bolt.Options{Timeout: a.storeTimeout, MustExist: mode == mustExist, ReadOnly: mode == readOnly, NoJournal: a.noJournal && mode == mayCreate})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, lockedError(spec, a.storeTimeout, err)
	}
	var newer *bolt.NewerFormatError
	if errors.As(err, &newer) {
		return nil, noticef(msg.StoreNewerFormat, msg.Args{"Store": spec, "Format": newer.Format}, err)
	}
	if errors.Is(err, eventstore.ErrDamaged) {
		return nil, noticef(msg.StoreDamaged, msg.Args{"Store": spec}, err)
	}
	if errors.Is(err, bolt.ErrJournalPending) {
		return nil, fmt.Errorf("账本的日志文件中还有未写入账本文件的事件，只读打开无法补写；请先以可写方式打开一次（如 taskledger status 或 serve）(the ledger's journal holds events its file lacks, which a read-only open cannot apply: open it once for writing first, e.g. taskledger status or serve): %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", spec, err)
	}
	return s, nil
}

// isPostgresStore reports whether a --store value is a PostgreSQL URL.
func isPostgresStore(spec string) bool {
	return strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")
}

// postgresOpenTimeout bounds connecting to PostgreSQL and checking its schema.
const postgresOpenTimeout = 30 * time.Second

// openPostgres opens a ledger kept in PostgreSQL. The modes mean what they
// mean for a directory: mustExist refuses a schema with no ledger, mayCreate
// makes one, readOnly opens read-only connections that cannot write.
func openPostgres(spec string, mode storeMode) (eventstore.Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), postgresOpenTimeout)
	defer cancel()
	s, err := postgres.Open(ctx, spec, postgres.Options{Create: mode == mayCreate, ReadOnly: mode == readOnly})
	if err != nil {
		return nil, postgresError(spec, err)
	}
	return s, nil
}

// postgresError explains, Chinese first, why a PostgreSQL ledger cannot be
// opened.
func postgresError(spec string, err error) error {
	var newer *postgres.NewerVersionError
	switch {
	case errors.Is(err, postgres.ErrNoLedger):
		return noticef(msg.StorePostgresNoLedger, msg.Args{"Store": redactURL(spec)}, fmt.Errorf("%w: %w", errNoLedger, err))
	case errors.As(err, &newer):
		return noticef(msg.StorePostgresNewer, msg.Args{"Store": redactURL(spec), "Version": newer.Version, "Known": newer.Known}, err)
	case errors.Is(err, eventstore.ErrDamaged):
		return noticef(msg.StorePostgresDamaged, msg.Args{"Store": redactURL(spec)}, err)
	}
	return noticef(msg.StorePostgresOpen, msg.Args{"Store": redactURL(spec)}, err)
}

// redactURL hides the password of a connection URL.
func redactURL(spec string) string {
	u, err := url.Parse(spec)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}

// errStoreLocked marks a store directory whose ledger file another process
// holds.
var errStoreLocked = errors.New("the ledger file is held by another process")

// lockedError explains, in Chinese and English, that another process (most
// likely a running taskledger serve) holds the ledger file of dir, and what
// to do instead. waited is how long the open waited (zero: the default).
func lockedError(dir string, waited time.Duration, err error) error {
	if waited <= 0 {
		waited = bolt.DefaultTimeout
	}
	file := filepath.Join(dir, bolt.FileName)
	return noticef(msg.StoreLocked, msg.Args{"File": file}, fmt.Errorf("store %s: %w (waited %s: %w)", dir, errStoreLocked, waited, err))
}

// creation remembers what a store held before a command that may create
// a ledger there opened it, so that a failed start removes what it made
// and leaves nothing behind.
type creation struct {
	dir string          // the store directory; empty when nothing is to be undone
	top string          // the topmost directory that did not exist; empty if dir existed
	had map[string]bool // the entries dir held
	// pg is the PostgreSQL store whose ledger the command may create;
	// pgSchema says its schema did not exist either. state is the undo of
	// its local state folder.
	pg       string
	pgSchema bool
	state    *creation
}

// prepareCreate notes what is at a --store value before a ledger may be
// created there. A ledger that exists already, memory and EventStoreDB
// stores need no undoing.
func prepareCreate(spec string) (*creation, error) {
	if isPostgresStore(spec) {
		return preparePostgres(spec)
	}
	if !isDirStore(spec) || checkLedger(spec) == nil {
		return &creation{}, nil
	}
	return prepareDir(spec)
}

// prepareDir notes what a directory holds (nothing, when it does not
// exist).
func prepareDir(dir string) (*creation, error) {
	c := &creation{dir: filepath.Clean(dir)}
	entries, err := os.ReadDir(c.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.top = c.dir
		for p := filepath.Dir(c.top); p != c.top; p = filepath.Dir(c.top) {
			if _, err := os.Stat(p); err == nil {
				break
			}
			c.top = p
		}
	case err != nil:
		return nil, fmt.Errorf("store %s: %w", dir, err)
	}
	c.had = map[string]bool{}
	for _, e := range entries {
		c.had[e.Name()] = true
	}
	return c, nil
}

// preparePostgres notes whether a PostgreSQL schema holds a ledger (then
// nothing is to be undone) and whether it exists, and what the ledger's
// local state folder holds.
func preparePostgres(spec string) (*creation, error) {
	ctx, cancel := context.WithTimeout(context.Background(), postgresOpenTimeout)
	defer cancel()
	p, err := postgres.Inspect(ctx, spec, postgres.Options{})
	if err != nil {
		return nil, postgresError(spec, err)
	}
	if p.Ledger {
		return &creation{}, nil
	}
	c := &creation{pg: spec, pgSchema: !p.SchemaExists, state: &creation{}}
	if state := stateDir(spec); state != "" {
		if c.state, err = prepareDir(state); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// undo removes what was made since prepareCreate: the directories it
// created, or the new entries of a directory that existed; for
// PostgreSQL, the ledger's tables (and its schema when the command made
// it) and the new entries of its state folder. The store must be closed.
func (c *creation) undo() error {
	if c.pg != "" {
		ctx, cancel := context.WithTimeout(context.Background(), postgresOpenTimeout)
		defer cancel()
		err := postgres.Remove(ctx, c.pg, postgres.Options{}, c.pgSchema)
		if err != nil {
			err = fmt.Errorf("clean up %s: %w", redactURL(c.pg), err)
		}
		return errors.Join(err, c.state.undo())
	}
	if c.dir == "" {
		return nil
	}
	if c.top != "" {
		return os.RemoveAll(c.top)
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("clean up %s: %w", c.dir, err)
	}
	var errs []error
	for _, e := range entries {
		if !c.had[e.Name()] {
			errs = append(errs, os.RemoveAll(filepath.Join(c.dir, e.Name())))
		}
	}
	return errors.Join(errs...)
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

// statusOptions are the flags of taskledger status.
type statusOptions struct {
	store  string
	remote *remoteFlags
}

func newStatusCommand(a *cli) *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "open a ledger and report what it holds",
		Long: `Opens a ledger and reports what it holds, by event type; with --server,
asks a running server what its ledger is (live or a simulated demo), how far
its log and read models have come, and whom the token acts as.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runStatus(cmd, a, o) },
	}
	storeFlag(a, cmd.Flags(), &o.store)
	o.remote = addRemoteFlags(a, cmd.Flags(), true)
	return cmd
}

func runStatus(cmd *cobra.Command, a *cli, o statusOptions) error {
	ctx := cmd.Context()
	remote, err := o.remote.use(cmd, true)
	if err != nil {
		return err
	}
	if remote {
		return remoteStatus(ctx, a, o.remote)
	}
	s, err := a.openStore(o.store, mustExist)
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
			return fmt.Errorf("read %s: %w", o.store, err)
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
	fmt.Fprintf(a.stdout, "ledger %s: %d events in %d streams, head position %d\n", redact.Redact(o.store), total, len(streams), after)
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
