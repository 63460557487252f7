// Package pgtest gives each test its own schema on the PostgreSQL server
// named by TASKLEDGER_TEST_POSTGRES, dropped when the test ends. Without a
// reachable server the test is skipped with a message saying so, except
// under CI=true, where a missing server fails it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the environment variable holding the test server's connection
// string; DefaultURL is used when it is empty.
const (
	Env        = "TASKLEDGER_TEST_POSTGRES"
	DefaultURL = "postgres://postgres@127.0.0.1:5432/test"
)

// Server returns the test server's connection string after checking that it
// answers; it skips (or, under CI=true, fails) the test otherwise.
func Server(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		base = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err == nil {
		err = conn.Ping(ctx)
		_ = conn.Close(ctx)
	}
	if err != nil {
		msg := "PostgreSQL test server " + redact(base) + " is not reachable (" + err.Error() + "); set " + Env + " or start the server (.ci/run does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; CI=true, so this is a failure")
		}
		t.Skip("SKIPPED: " + msg)
	}
	return base
}

// URL returns a connection string for a fresh, not yet created schema on
// the test server (its search_path names it) and drops the schema, with
// everything in it, when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	base := Server(t)
	schema := NewSchemaName(t)
	t.Cleanup(func() { Drop(t, base, schema) })
	return WithSchema(base, schema)
}

// NewSchemaName returns a schema name unique to this run of the test.
func NewSchemaName(t testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return '_'
	}, t.Name())
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return "tltest_" + name + "_" + hex.EncodeToString(b[:])
}

// WithSchema returns base with its search_path set to schema.
func WithSchema(base, schema string) string { return WithParam(base, "search_path", schema) }

// WithParam returns base, a URL or a key=value connection string, with the
// connection parameter key set to value.
func WithParam(base, key, value string) string {
	if u, err := url.Parse(base); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return base + " " + key + "=" + value
}

// WaitForSessionsToEnd waits, up to 30 seconds, until the server holds no
// session whose application_name is name: a killed client's session may
// still be running its last statement, a commit included, after the
// process is gone.
func WaitForSessionsToEnd(t testing.TB, base, name string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		n := Query[int64](t, base, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", name)
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions named %s still open after 30 s", n, name)
		}
	}
}

// with runs fn over one connection to the test server, within 30
// seconds, failing the test when it cannot connect or fn fails.
func with(t testing.TB, base string, fn func(ctx context.Context, conn *pgx.Conn) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", redact(base), err)
	}
	defer conn.Close(ctx)
	if err := fn(ctx, conn); err != nil {
		t.Fatal(err)
	}
}

// Exec runs statements on the test server, failing the test on an error.
func Exec(t testing.TB, base string, stmts ...string) {
	t.Helper()
	with(t, base, func(ctx context.Context, conn *pgx.Conn) error {
		for _, s := range stmts {
			if _, err := conn.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
}

// Drop removes schema and everything in it.
func Drop(t testing.TB, base, schema string) {
	t.Helper()
	Exec(t, base, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
}

// redact hides a password in a URL connection string.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return s
}

// Describe returns a schema's tables with their row counts and, when it
// has one, its taskledger_meta rows, in a stable text form; "" when the
// schema does not exist.
func Describe(t testing.TB, base, schema string) string {
	t.Helper()
	var b strings.Builder
	with(t, base, func(ctx context.Context, conn *pgx.Conn) error {
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil || !exists {
			return describeErr(schema, err)
		}
		rows, _ := conn.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname`, schema)
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return describeErr(schema, err)
		}
		b.WriteString("schema " + schema + ":")
		for _, tb := range tables {
			table := pgx.Identifier{schema, tb}.Sanitize()
			var n int64
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				return describeErr(schema, err)
			}
			b.WriteString(" " + tb + "(" + strconv.FormatInt(n, 10) + " rows)")
			if tb != "taskledger_meta" {
				continue
			}
			rows, _ := conn.Query(ctx, "SELECT key || '=' || value FROM "+table+" ORDER BY key")
			meta, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return describeErr(schema, err)
			}
			b.WriteString("[" + strings.Join(meta, ",") + "]")
		}
		return nil
	})
	return b.String()
}

func describeErr(schema string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("describe %s: %w", schema, err)
}

// Query runs a query returning one row of one column on the test server
// and returns its value.
func Query[T any](t testing.TB, base, query string, args ...any) T {
	t.Helper()
	var v T
	with(t, base, func(ctx context.Context, conn *pgx.Conn) error {
		if err := conn.QueryRow(ctx, query, args...).Scan(&v); err != nil {
			return fmt.Errorf("%s: %w", query, err)
		}
		return nil
	})
	return v
}
