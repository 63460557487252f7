package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite", pure Go

	"taskledger/domain"
)

// errConcurrency is the peer's answer to a save at a stale version.
var errConcurrency = errors.New("peer: stream changed since the expected version")

// Peer stands in for hallgren/eventsourcing's SQLite event store (its
// module is not reachable from here): one table of events, a unique
// (stream, version), optimistic concurrency per stream, saves serialised
// by one mutex with one transaction each, events in JSON through
// encoding/json, and a replay that pages through the table in insertion
// order. The database runs in WAL mode with synchronous=FULL, so every
// commit is durable.
type Peer struct {
	db   *sql.DB
	path string
	mu   sync.Mutex // one save at a time, as the peer's single-writer store
}

const peerSchema = `CREATE TABLE IF NOT EXISTS events (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	stream    TEXT NOT NULL,
	version   INTEGER NOT NULL,
	type      TEXT NOT NULL,
	timestamp TEXT NOT NULL,
	data      BLOB NOT NULL,
	UNIQUE (stream, version)
)`

// OpenPeer creates the peer's database in dir.
func OpenPeer(dir string) (*Peer, error) {
	path := filepath.Join(dir, "peer.sqlite")
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open peer database: %w", err)
	}
	if _, err := db.Exec(peerSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create peer table: %w", err)
	}
	return &Peer{db: db, path: path}, nil
}

// Name implements EventStore.
func (p *Peer) Name() string { return "sqlite-peer" }

// Append implements EventStore: one transaction that reads the stream's
// last version, refuses a stale expectation and inserts the events.
func (p *Peer) Append(stream string, expected uint64, reports []domain.ProgressReported, at time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	tx, err := p.db.Begin()
	if err != nil {
		return fmt.Errorf("peer: begin: %w", err)
	}
	defer tx.Rollback()
	var current uint64
	err = tx.QueryRow(`SELECT version FROM events WHERE stream = ? ORDER BY version DESC LIMIT 1`, stream).Scan(&current)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("peer: read version of %s: %w", stream, err)
	}
	if current != expected {
		return fmt.Errorf("%w: %s is at %d, expected %d", errConcurrency, stream, current, expected)
	}
	for j, r := range reports {
		data, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("peer: encode: %w", err)
		}
		_, err = tx.Exec(`INSERT INTO events (stream, version, type, timestamp, data) VALUES (?, ?, ?, ?, ?)`,
			stream, expected+uint64(j)+1, r.EventType(), at.Format(time.RFC3339Nano), data)
		if err != nil {
			return fmt.Errorf("peer: insert into %s: %w", stream, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("peer: commit: %w", err)
	}
	return nil
}

// peerPage is how many rows the replay reads per query.
const peerPage = 1000

// Replay implements EventStore: pages through the table by seq, decoding
// each row's timestamp and payload.
func (p *Peer) Replay(fold func(domain.ProgressReported)) (int, error) {
	var after int64
	n := 0
	for {
		rows, err := p.db.Query(`SELECT seq, stream, version, type, timestamp, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, peerPage)
		if err != nil {
			return n, fmt.Errorf("peer: read: %w", err)
		}
		got, err := p.decodeRows(rows, &after, fold)
		n += got
		if err != nil || got < peerPage {
			return n, err
		}
	}
}

func (p *Peer) decodeRows(rows *sql.Rows, after *int64, fold func(domain.ProgressReported)) (int, error) {
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			stream, typ, ts string
			version         uint64
			data            []byte
		)
		if err := rows.Scan(after, &stream, &version, &typ, &ts, &data); err != nil {
			return n, fmt.Errorf("peer: scan: %w", err)
		}
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
			return n, fmt.Errorf("peer: timestamp of %s/%d: %w", stream, version, err)
		}
		if typ != "ProgressReported" {
			return n, fmt.Errorf("peer: unknown event type %q", typ)
		}
		var r domain.ProgressReported
		if err := json.Unmarshal(data, &r); err != nil {
			return n, fmt.Errorf("peer: decode %s/%d: %w", stream, version, err)
		}
		fold(r)
		n++
	}
	return n, rows.Err()
}

// Bytes implements EventStore: the database and its WAL after a checkpoint.
func (p *Peer) Bytes() (int64, error) {
	if _, err := p.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, fmt.Errorf("peer: checkpoint: %w", err)
	}
	var total int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(p.path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, err
		}
		total += fi.Size()
	}
	return total, nil
}

// Close implements EventStore.
func (p *Peer) Close() error { return p.db.Close() }
