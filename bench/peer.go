package main

import (
	"context"
	gosql "database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hallgren/eventsourcing"
	"github.com/hallgren/eventsourcing/aggregate"
	"github.com/hallgren/eventsourcing/core"
	"github.com/hallgren/eventsourcing/eventstore/sql"
	_ "github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3" (cgo)

	"taskledger/domain"
)

// errNotHeld is the peer's answer to an append that continues a stream at a
// version other than the one its held aggregate is at: the harness keeps the
// versions itself, so this is a harness error, not a concurrency conflict.
var errNotHeld = errors.New("hallgren: no aggregate held at that version")

// Obligation is the peer's aggregate: one obligation stream, whose events
// are progress reports. It keeps the last reported percent as its state, so
// Transition does what an aggregate's Transition does, little as it is.
type Obligation struct {
	aggregate.Root
	Percent domain.Percent
}

// Transition implements hallgren's aggregate interface.
func (o *Obligation) Transition(e eventsourcing.Event) {
	if r, ok := e.Data().(*domain.ProgressReported); ok {
		o.Percent = r.Percent
	}
}

// Register implements hallgren's aggregate interface: the obligation's only
// event is the progress report.
func (o *Obligation) Register(r aggregate.RegisterFunc) {
	r(&domain.ProgressReported{})
}

// registerOnce registers Obligation in hallgren's register, which is one
// per process (the library's design); once, so two peers opened at the same
// time do not write its map together.
var registerOnce sync.Once

// Peer is hallgren/eventsourcing's SQLite event store (eventstore/sql) used
// as its README shows: the single-writer store over database/sql with
// mattn/go-sqlite3, writes through aggregate.TrackChange and aggregate.Save,
// replay through a projection over the store's All fetcher, payloads
// encoded and decoded by the library's default encoder (encoding/json).
// The database runs in WAL mode with synchronous=FULL, so every commit is
// durable.
type Peer struct {
	db    *gosql.DB
	store *sql.SQLite
	path  string

	mu   sync.Mutex
	held map[string]*Obligation // each stream's aggregate as its last save left it
}

// peerDSN opens the database in WAL mode with every commit synced, and
// lets a connection wait for a lock instead of failing at once.
const peerDSN = "?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000"

// OpenPeer creates the peer's database in dir, with the library's schema.
func OpenPeer(dir string) (*Peer, error) {
	registerOnce.Do(func() { aggregate.Register(&Obligation{}) })
	path := filepath.Join(dir, "hallgren.sqlite")
	db, err := gosql.Open("sqlite3", "file:"+path+peerDSN)
	if err != nil {
		return nil, fmt.Errorf("hallgren: open database: %w", err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("hallgren: open database: %w", err)
	}
	// The single-writer constructor: the library's SQLite store takes a
	// mutex around each save, as its README advises for writers in one
	// process (SQLite has one writer at a time anyway).
	store, err := sql.NewSQLiteSingelWriter(db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("hallgren: create schema: %w", err)
	}
	return &Peer{db: db, store: store, path: path, held: map[string]*Obligation{}}, nil
}

// Name implements EventStore.
func (p *Peer) Name() string { return "hallgren" }

// Append implements EventStore: the reports are tracked on the stream's
// aggregate and saved with aggregate.Save, whose store refuses the save if
// the stream moved past the aggregate's version. Expected version 0 starts
// a new aggregate; any other continues the one the last save left, as an
// application holding its aggregates would (no load: taskledger's append
// does not read the stream either). The library stamps events itself, so
// at is not used.
func (p *Peer) Append(stream string, expected uint64, reports []domain.ProgressReported, _ time.Time) error {
	o, err := p.aggregateAt(stream, expected)
	if err != nil {
		return err
	}
	for i := range reports {
		aggregate.TrackChange(o, &reports[i])
	}
	if err := aggregate.Save(p.store, o); err != nil {
		return fmt.Errorf("hallgren: save %s at version %d: %w", stream, expected, err)
	}
	p.mu.Lock()
	p.held[stream] = o
	p.mu.Unlock()
	return nil
}

// aggregateAt returns a new aggregate for the stream at version 0, else the
// held one, which must be at the expected version.
func (p *Peer) aggregateAt(stream string, expected uint64) (*Obligation, error) {
	if expected == 0 {
		o := &Obligation{}
		if err := o.SetID(stream); err != nil {
			return nil, fmt.Errorf("hallgren: new aggregate %s: %w", stream, err)
		}
		return o, nil
	}
	p.mu.Lock()
	o := p.held[stream]
	p.mu.Unlock()
	if o == nil || uint64(o.Version()) != expected {
		return nil, fmt.Errorf("%w: %s at %d", errNotHeld, stream, expected)
	}
	return o, nil
}

// Replay implements EventStore: one projection runs from the first event to
// the end of the store's All fetcher (global order); the library decodes
// each event's payload into a *domain.ProgressReported (and its metadata)
// before the callback sees it. A strict projection fails on an event type
// it does not know.
func (p *Peer) Replay(fold func(domain.ProgressReported)) (int, error) {
	n := 0
	fetch := (func() (core.Iterator, error))(p.store.All(0))
	proj := eventsourcing.NewProjection(fetch, func(e eventsourcing.Event) error {
		r, ok := e.Data().(*domain.ProgressReported)
		if !ok {
			return fmt.Errorf("hallgren: event %d is %T, not a progress report", e.GlobalVersion(), e.Data())
		}
		fold(*r)
		n++
		return nil
	})
	if res := proj.RunToEnd(context.Background()); res.Error != nil {
		return n, fmt.Errorf("hallgren: replay: %w", res.Error)
	}
	return n, nil
}

// Settle implements EventStore: a checkpoint writes the WAL into the
// database and empties it.
func (p *Peer) Settle() error {
	if _, err := p.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("hallgren: checkpoint: %w", err)
	}
	return nil
}

// Bytes implements EventStore: the database and its WAL after a checkpoint
// that empties the WAL.
func (p *Peer) Bytes() (int64, error) {
	if err := p.Settle(); err != nil {
		return 0, err
	}
	var total int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(p.path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("hallgren: size: %w", err)
		}
		total += fi.Size()
	}
	return total, nil
}

// Close implements EventStore. The library's own Close drops the database's
// error, so the peer closes the database it opened itself.
func (p *Peer) Close() error { return p.db.Close() }
