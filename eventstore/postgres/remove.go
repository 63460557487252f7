package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Presence says what a schema holds: whether the schema exists and
// whether it holds a ledger.
type Presence struct {
	Schema       string
	SchemaExists bool
	Ledger       bool
}

// Inspect reports what the schema connString (and opts.Schema) names holds,
// changing nothing. A schema that is not a ledger this package can open
// gives a *DamagedError, a ledger of a newer schema version a
// *NewerVersionError.
func Inspect(ctx context.Context, connString string, opts Options) (Presence, error) {
	conn, n, err := connectTo(ctx, connString, opts)
	if err != nil {
		return Presence{}, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	p := Presence{Schema: n.schema}
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", n.schema).Scan(&p.SchemaExists); err != nil {
		return p, fmt.Errorf("postgres: inspect schema %q: %w", n.schema, err)
	}
	if p.Ledger, err = inspect(ctx, conn, n); err != nil {
		return p, err
	}
	return p, nil
}

// Remove drops a ledger's tables from its schema, and with dropSchema the
// schema too when nothing else is left in it. It undoes a creation that
// failed half-way (see cmd/taskledger's creation); it never touches a
// schema that holds other tables, which it refuses with a *DamagedError.
func Remove(ctx context.Context, connString string, opts Options, dropSchema bool) error {
	conn, n, err := connectTo(ctx, connString, opts)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: remove the ledger in %q: %w", n.schema, err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", n.lockKey); err != nil {
		return fmt.Errorf("postgres: remove the ledger in %q: %w", n.schema, err)
	}
	if _, err := inspect(ctx, tx, n); err != nil {
		return err
	}
	companion := pgx.Identifier{n.schema, companionTable}.Sanitize()
	stmts := []string{"DROP TABLE IF EXISTS " + n.events + ", " + n.head + ", " + n.meta + ", " + companion}
	if dropSchema {
		// RESTRICT: a schema someone else has put something in stays.
		stmts = append(stmts, "DROP SCHEMA IF EXISTS "+pgx.Identifier{n.schema}.Sanitize()+" RESTRICT")
	}
	for _, stmt := range stmts {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("postgres: remove the ledger in %q: %w", n.schema, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: remove the ledger in %q: %w", n.schema, err)
	}
	return nil
}

// connectTo opens one connection to the server connString names and
// returns it with the names of the ledger in its schema.
func connectTo(ctx context.Context, connString string, opts Options) (*pgx.Conn, names, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, names{}, fmt.Errorf("postgres: connection string: %w", err)
	}
	n := newNames(schemaOf(opts.Schema, cfg.ConnConfig.RuntimeParams["search_path"]))
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return nil, n, fmt.Errorf("postgres: connect: %w", err)
	}
	return conn, n, nil
}
