// Package pgblob keeps evidence blobs in a table of the ledger's own
// PostgreSQL schema (taskledger_evidence), so that replicas sharing the
// ledger share its evidence and a backup of the schema carries both.
package pgblob

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"taskledger/domain"
	"taskledger/evidence"
)

// Table is the name of the table, in the ledger's schema.
const Table = "taskledger_evidence"

// Store is an evidence.Store over PostgreSQL.
type Store struct {
	pool  *pgxpool.Pool
	table string // quoted, schema-qualified
	// absent is set when a store opened without create found no table.
	absent bool
}

var _ evidence.Store = (*Store)(nil)

// Open connects to the server connString names and, with create, makes
// sure the evidence table exists in the schema its search_path names first
// (public when none). The table is created with IF NOT EXISTS, so replicas
// may open it at once. Without create (a ledger opened read-only) nothing
// is created, and a schema without the table holds no blobs.
func Open(ctx context.Context, connString string, create bool) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("pgblob: connection string: %w", err)
	}
	cfg.MaxConns = 4
	schema := schemaOf(cfg.ConnConfig.RuntimeParams["search_path"])
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgblob: connect: %w", err)
	}
	s := &Store{pool: pool, table: pgx.Identifier{schema, Table}.Sanitize()}
	if create {
		err = s.create(ctx, schema)
	} else {
		err = s.look(ctx)
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// schemaOf picks the first schema of a search_path, as the event store does.
func schemaOf(searchPath string) string {
	for _, p := range strings.Split(searchPath, ",") {
		p = strings.Trim(strings.TrimSpace(p), `"`)
		if p != "" && !strings.HasPrefix(p, "$") {
			return p
		}
	}
	return "public"
}

// create makes the schema's evidence table when it has none.
func (s *Store) create(ctx context.Context, schema string) error {
	q := "CREATE SCHEMA IF NOT EXISTS " + pgx.Identifier{schema}.Sanitize() + ";\n" +
		"CREATE TABLE IF NOT EXISTS " + s.table + " (sha256 bytea PRIMARY KEY CHECK (length(sha256) = 32), size bigint NOT NULL, content bytea NOT NULL)"
	if _, err := s.pool.Exec(ctx, q); err != nil {
		return fmt.Errorf("pgblob: create %s: %w", s.table, err)
	}
	return nil
}

// look notes whether the table exists.
func (s *Store) look(ctx context.Context) error {
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", s.table).Scan(&exists); err != nil {
		return fmt.Errorf("pgblob: look for %s: %w", s.table, err)
	}
	s.absent = !exists
	return nil
}

// Put implements evidence.Store: a blob already stored is left as it is.
func (s *Store) Put(ctx context.Context, sum domain.Hash, data []byte) (bool, error) {
	tag, err := s.pool.Exec(ctx, "INSERT INTO "+s.table+" (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
		sum[:], int64(len(data)), data)
	if err != nil {
		return false, fmt.Errorf("pgblob: put %s: %w", sum, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Get implements evidence.Store.
func (s *Store) Get(ctx context.Context, sum domain.Hash) ([]byte, error) {
	if s.absent {
		return nil, evidence.ErrNotFound
	}
	var b []byte
	err := s.pool.QueryRow(ctx, "SELECT content FROM "+s.table+" WHERE sha256 = $1", sum[:]).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, evidence.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("pgblob: get %s: %w", sum, err)
	}
	return b, nil
}

// Has implements evidence.Store.
func (s *Store) Has(ctx context.Context, sum domain.Hash) (bool, error) {
	if s.absent {
		return false, nil
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+s.table+" WHERE sha256 = $1)", sum[:]).Scan(&ok); err != nil {
		return false, fmt.Errorf("pgblob: has %s: %w", sum, err)
	}
	return ok, nil
}

// Close implements evidence.Store.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
