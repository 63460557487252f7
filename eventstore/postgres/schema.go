package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"taskledger/eventstore"
)

// Format names the table layout this package writes; Version is its version.
const (
	Format  = "taskledger-postgres"
	Version = 1
)

// ErrNoLedger is returned by Open when the schema holds no ledger and
// Options.Create is not set.
var ErrNoLedger = errors.New("no taskledger ledger in this PostgreSQL schema")

// ErrReadOnly is returned by Append on a store opened with Options.ReadOnly.
var ErrReadOnly = errors.New("ledger opened read-only")

// DamagedError reports a schema that is not a ledger this package can open:
// foreign tables, another format, or tables that do not hold together. It
// matches eventstore.ErrDamaged with errors.Is. Open leaves such a schema
// as it was.
type DamagedError struct {
	Schema  string
	Problem string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("postgres: schema %q: %s", e.Schema, e.Problem)
}

// Is makes errors.Is(err, eventstore.ErrDamaged) true.
func (e *DamagedError) Is(target error) bool { return target == eventstore.ErrDamaged }

// ErrNewerVersion matches (errors.Is) a *NewerVersionError.
var ErrNewerVersion = errors.New("ledger of a newer schema version")

// NewerVersionError reports a ledger that a later taskledger wrote in a
// schema version this build does not read. It is not damage: Open refuses
// it and leaves the schema as it was, and a build that knows the version
// opens it.
type NewerVersionError struct {
	Schema string
	// Version is the version the ledger's meta names; Known the newest
	// this build reads.
	Version, Known int
}

func (e *NewerVersionError) Error() string {
	return fmt.Sprintf("postgres: schema %q: schema version %d is newer than this taskledger reads (%d): open it with a newer taskledger", e.Schema, e.Version, e.Known)
}

// Is makes errors.Is(err, ErrNewerVersion) true.
func (e *NewerVersionError) Is(target error) bool { return target == ErrNewerVersion }

// names holds the quoted, schema-qualified names one ledger uses.
type names struct {
	schema  string // unquoted
	meta    string
	head    string
	events  string
	channel string // NOTIFY channel, unquoted
	lockKey int64  // advisory lock taken while creating the schema
}

func newNames(schema string) names {
	q := func(table string) string { return pgx.Identifier{schema, table}.Sanitize() }
	h := fnv.New64a()
	h.Write([]byte(schema))
	sum := h.Sum64()
	return names{
		schema:  schema,
		meta:    q("taskledger_meta"),
		head:    q("taskledger_head"),
		events:  q("taskledger_events"),
		channel: fmt.Sprintf("taskledger_%016x", sum),
		lockKey: int64(sum),
	}
}

// schemaOf picks the schema a ledger lives in: the option, else the first
// entry of search_path ("$user" skipped), else public.
func schemaOf(opt string, searchPath string) string {
	if opt != "" {
		return opt
	}
	for _, p := range strings.Split(searchPath, ",") {
		p = strings.Trim(strings.TrimSpace(p), `"`)
		if p != "" && !strings.HasPrefix(p, "$") {
			return p
		}
	}
	return "public"
}

// querier is what inspecting needs: a pool, a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// ledgerTables are the tables a ledger schema holds.
var ledgerTables = []string{"taskledger_meta", "taskledger_head", "taskledger_events"}

// companionTable is the ledger's evidence files (evidence/pgblob), kept in
// the ledger's schema: alone it does not make a schema a ledger, or
// another's, and removing a ledger removes it too.
const companionTable = "taskledger_evidence"

// inspect reports whether the schema holds a ledger of this format. It
// returns (false, nil) for an empty or missing schema and a *DamagedError
// for anything else that is not a ledger it can open.
func inspect(ctx context.Context, q querier, n names) (bool, error) {
	tables, err := tablesIn(ctx, q, n.schema)
	if err != nil {
		return false, err
	}
	delete(tables, companionTable)
	if len(tables) == 0 {
		return false, nil
	}
	if !tables["taskledger_meta"] {
		return false, &DamagedError{Schema: n.schema, Problem: fmt.Sprintf("holds %d tables but no taskledger_meta: not a taskledger ledger (use an empty schema, e.g. ?search_path=taskledger)", len(tables))}
	}
	if err := checkMeta(ctx, q, n); err != nil {
		return false, err
	}
	for _, t := range ledgerTables {
		if !tables[t] {
			return false, &DamagedError{Schema: n.schema, Problem: "table " + t + " is missing"}
		}
	}
	return true, nil
}

// tablesIn lists the relations of a schema.
func tablesIn(ctx context.Context, q querier, schema string) (map[string]bool, error) {
	rows, err := q.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		WHERE s.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`, schema)
	if err != nil {
		return nil, fmt.Errorf("postgres: list tables of schema %q: %w", schema, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: list tables of schema %q: %w", schema, err)
	}
	out := make(map[string]bool, len(names))
	for _, t := range names {
		out[t] = true
	}
	return out, nil
}

// checkMeta refuses a meta table of another format or a newer version.
func checkMeta(ctx context.Context, q querier, n names) error {
	rows, err := q.Query(ctx, "SELECT key, value FROM "+n.meta)
	if err != nil {
		return &DamagedError{Schema: n.schema, Problem: "taskledger_meta cannot be read: " + err.Error()}
	}
	meta := map[string]string{}
	var k, v string
	_, err = pgx.ForEachRow(rows, []any{&k, &v}, func() error { meta[k] = v; return nil })
	if err != nil {
		return &DamagedError{Schema: n.schema, Problem: "taskledger_meta cannot be read: " + err.Error()}
	}
	if meta["format"] != Format {
		return &DamagedError{Schema: n.schema, Problem: fmt.Sprintf("format %q, want %q: not a ledger of this kind", meta["format"], Format)}
	}
	ver, err := strconv.Atoi(meta["version"])
	switch {
	case err != nil:
		return &DamagedError{Schema: n.schema, Problem: fmt.Sprintf("schema version %q is not a number", meta["version"])}
	case ver > Version:
		return &NewerVersionError{Schema: n.schema, Version: ver, Known: Version}
	case ver < 1:
		return &DamagedError{Schema: n.schema, Problem: fmt.Sprintf("schema version %d is not valid", ver)}
	}
	return nil
}

// createLedger makes the schema's tables in one transaction. Another
// process creating the same ledger at the same moment waits on the advisory
// lock and then finds the ledger made.
func createLedger(ctx context.Context, conn *pgx.Conn, n names) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: create ledger in %q: %w", n.schema, err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", n.lockKey); err != nil {
		return fmt.Errorf("postgres: create ledger in %q: %w", n.schema, err)
	}
	exists, err := inspect(ctx, tx, n)
	if err != nil || exists {
		return err
	}
	for _, stmt := range createStatements(n) {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("postgres: create ledger in %q: %w", n.schema, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: create ledger in %q: %w", n.schema, err)
	}
	return nil
}

func createStatements(n names) []string {
	return []string{
		"CREATE SCHEMA IF NOT EXISTS " + pgx.Identifier{n.schema}.Sanitize(),
		"CREATE TABLE " + n.meta + " (key text PRIMARY KEY, value text NOT NULL)",
		"INSERT INTO " + n.meta + " (key, value) VALUES ('format', '" + Format + "'), ('version', '" + strconv.Itoa(Version) + "')",
		"CREATE TABLE " + n.head + ` (
			one boolean PRIMARY KEY DEFAULT true CHECK (one),
			position bigint NOT NULL,
			recorded_ns bigint NOT NULL)`,
		"INSERT INTO " + n.head + " (position, recorded_ns) VALUES (0, 0)",
		"CREATE TABLE " + n.events + ` (
			position bigint PRIMARY KEY,
			event_id uuid NOT NULL UNIQUE,
			stream text NOT NULL,
			version bigint NOT NULL,
			type text NOT NULL,
			schema_version integer NOT NULL,
			recorded_ns bigint NOT NULL,
			effective_ns bigint NOT NULL,
			actor text NOT NULL,
			causation_id uuid NOT NULL,
			correlation_id uuid NOT NULL,
			payload bytea NOT NULL,
			prev_hash bytea NOT NULL,
			hash bytea NOT NULL,
			UNIQUE (stream, version))`,
	}
}
