// Package postgres keeps a taskledger ledger in PostgreSQL (through
// github.com/jackc/pgx/v5). It implements eventstore.Store with the same
// sealing as the embedded store — stream versions, previous-event hashes,
// content hashes, recorded times clamped forward along the log, duplicates
// recognised by event ID — and numbers the global log densely (1, 2, 3…).
// Several taskledger processes may use one ledger at once: that is how
// replicas of `taskledger serve` share a province's log.
//
// # Positions in commit order
//
// A reader that has read up to position P asks for "everything after P". If
// positions were taken from a sequence, a transaction could take position 7,
// stay open while another takes 8 and commits, and commit only after a reader
// had seen 8: the reader would never come back for 7. So positions are not
// taken from a sequence. Every append locks the one row of the head table
// (SELECT … FOR UPDATE) as its first statement and keeps the lock until its
// transaction ends. Inside the lock it reads the head position and the last
// recorded time, seals its events at head+1, head+2…, inserts them, moves
// the head row and commits. PostgreSQL makes a commit visible before it
// releases the transaction's row locks, so the next appender, whose reads
// come after it gets the lock, sees the previous append. Appends are
// therefore committed one after the other in position order: every snapshot
// of the events table holds a prefix 1…N of the log with no holes, and a
// reader can never skip an event that commits late. The price is that
// transactions appending to one ledger do not overlap: each holds the lock
// for a few round trips and its commit (a WAL flush).
//
// # Group commit
//
// So that the flush is not paid once per append, each Store has one
// committer goroutine. Append hands it the request and waits. The committer
// takes every append pending at that moment (waiting up to 500 µs for more
// while fewer are pending than its last group held, as callers just
// answered usually come straight back) and runs them in one transaction:
// one lock, one read of the head, of the stream tips and of any stored
// event IDs, each request judged in arrival order against the log as the
// requests before it leave it, one INSERT for all accepted events, one
// commit. A request refused for a wrong expected version or a mismatched
// duplicate gets its own error and does not affect the others; an error of
// the transaction itself answers the whole group (a retry with the same
// events is recognised as a duplicate if it did commit). Replicas each run
// their own committer and take turns on the lock. docs/benchmarks.md has
// the figures.
//
// The recorded-time clamp runs inside the same lock, so it holds across
// processes: an event's RecordedAt is the later of its own and the previous
// event's in the log, whichever process wrote that one.
//
// # Waking subscribers
//
// Each commit sends NOTIFY with the new head position on a channel named
// after the ledger's schema; PostgreSQL delivers it at commit, in commit
// order. The store holds one
// listening connection (opened at the first WaitForAppend, re-opened after a
// lost connection, each time followed by a read of the head so nothing
// committed meanwhile is missed) and wakes every waiter from it.
//
// # Leases
//
// Store implements eventstore.Leaser: a lease is a session-level advisory
// lock (pg_try_advisory_lock on LeaseKey, derived from the schema and the
// lease's name) held on a connection of its own, named by LeaseName in
// pg_stat_activity, checked every LeaseRequest.Check and given up by
// Release or Close. PostgreSQL frees it when the holder's session ends.
//
// # Tables (schema format "taskledger-postgres", version 1)
//
// A ledger lives in one schema (Options.Schema, else the first entry of
// the connection's search_path, else public) that holds nothing else:
//
//	taskledger_meta   key text PRIMARY KEY, value text
//	                  ('format', 'taskledger-postgres'), ('version', '1')
//	taskledger_head   one row: position bigint (the head), recorded_ns bigint
//	                  (RecordedAt of the event at the head, Unix nanoseconds)
//	taskledger_events position bigint PRIMARY KEY, event_id uuid UNIQUE,
//	                  stream text, version bigint, UNIQUE (stream, version),
//	                  type text, schema_version integer, recorded_ns bigint,
//	                  effective_ns bigint, actor text, causation_id uuid,
//	                  correlation_id uuid, payload bytea, prev_hash bytea,
//	                  hash bytea
//
// Times are kept as Unix nanoseconds, not timestamptz (microseconds), because
// the hash covers nanoseconds. docs/ledger-format.md describes the layout
// for people.
//
// # Opening
//
// Connections set plan_cache_mode = force_custom_plan unless the connection
// string sets it: pgx prepares statements, and the generic plan PostgreSQL
// may switch to for "event_id = ANY($1)" scans the whole table.
//
// Open refuses, naming the problem and changing nothing, a schema whose meta
// says another format, and a schema that holds other tables but no
// taskledger meta (errors.Is eventstore.ErrDamaged); a ledger whose meta
// names a newer schema version, which a later taskledger wrote, it refuses
// the same way with a *NewerVersionError (ErrNewerVersion): it is not
// damaged. A schema
// with no tables (or none at all) holds no ledger: Open makes one only with
// Options.Create, and otherwise returns ErrNoLedger. Options.ReadOnly opens
// every connection with default_transaction_read_only, so nothing can be
// written even by mistake.
package postgres
