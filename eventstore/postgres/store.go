package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Options adjust Open.
type Options struct {
	// Schema names the schema the ledger lives in; empty takes the first
	// entry of the connection string's search_path, else public.
	Schema string
	// Create makes a new ledger when the schema holds none (creating the
	// schema too). Without it such a schema gives ErrNoLedger.
	Create bool
	// ReadOnly opens every connection read-only (verify, export): nothing
	// is written, Append returns ErrReadOnly. It implies not Create.
	ReadOnly bool
	// MaxConns caps the connection pool; zero lets pgx choose.
	MaxConns int32
	// Logger receives the listener's reconnects; nil discards them.
	Logger *slog.Logger
}

// Store is an eventstore.Store kept in PostgreSQL.
type Store struct {
	pool     *pgxpool.Pool
	connCfg  *pgx.ConnConfig // for the listening connection
	n        names
	readOnly bool
	log      *slog.Logger

	mu     sync.RWMutex // held for reading by every call; Close takes it
	closed bool
	done   chan struct{} // closed by Close

	reqs       chan *appendReq // to the committer
	stopCommit chan struct{}
	commitDone chan struct{}

	lisOnce sync.Once
	lis     *listener
	stopLis context.CancelFunc
	lisDone chan struct{}

	leaseMu sync.Mutex
	leases  map[*pgLease]struct{} // held leases, released by Close
}

var _ eventstore.Store = (*Store)(nil)

// Open connects to the PostgreSQL server connString names (a URL
// postgres://… or postgresql://…, or key=value pairs) and opens the ledger
// in its schema. See the package documentation for what is refused.
func Open(ctx context.Context, connString string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("postgres: connection string: %w", err)
	}
	n := newNames(schemaOf(opts.Schema, cfg.ConnConfig.RuntimeParams["search_path"]))
	if opts.ReadOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	// pgx prepares every statement; after five runs PostgreSQL may switch
	// to a generic plan, which for "event_id = ANY($1)" is a scan of the
	// whole table. Plan each run for its arguments instead.
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	where := fmt.Sprintf("%s:%d/%s schema %q", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, n.schema)
	if err := prepare(ctx, cfg.ConnConfig, n, opts.Create && !opts.ReadOnly); err != nil {
		return nil, fmt.Errorf("open %s: %w", where, err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{
		pool: pool, connCfg: cfg.ConnConfig.Copy(), n: n, readOnly: opts.ReadOnly, log: log,
		done: make(chan struct{}), lisDone: make(chan struct{}),
		reqs: make(chan *appendReq), stopCommit: make(chan struct{}), commitDone: make(chan struct{}),
	}
	go s.commitLoop(s.stopCommit)
	return s, nil
}

// prepare checks the schema over one connection and creates the ledger
// when there is none and create is set.
func prepare(ctx context.Context, cfg *pgx.ConnConfig, n names, create bool) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	exists, err := inspect(ctx, conn, n)
	switch {
	case err != nil:
		return err
	case exists:
		return nil
	case !create:
		return ErrNoLedger
	}
	return createLedger(ctx, conn, n)
}

// Schema returns the schema the ledger lives in.
func (s *Store) Schema() string { return s.n.schema }

// enter takes the read lock for one call; it fails on a closed store.
func (s *Store) enter() error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return eventstore.ErrClosed
	}
	return nil
}

func (s *Store) leave() { s.mu.RUnlock() }

// eventColumns are the columns every read selects, in scanEvent's order.
const eventColumns = "position, event_id, stream, version, type, schema_version, recorded_ns, effective_ns, actor, causation_id, correlation_id, payload, prev_hash, hash"

// scanEvents reads rows of eventColumns.
func scanEvents(rows pgx.Rows) ([]domain.Event, error) {
	defer rows.Close()
	var out []domain.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanEvent(rows pgx.Rows) (domain.Event, error) {
	var (
		e                       domain.Event
		pos, version            int64
		schemaVersion           int32
		recNs, effNs            int64
		id, causation, correlat pgtype.UUID
		prevHash, hash          []byte
	)
	if err := rows.Scan(&pos, &id, &e.Stream, &version, &e.Type, &schemaVersion, &recNs, &effNs, &e.Actor,
		&causation, &correlat, &e.Payload, &prevHash, &hash); err != nil {
		return e, fmt.Errorf("decode event row: %w", err)
	}
	if len(prevHash) != domain.HashSize || len(hash) != domain.HashSize || schemaVersion < 0 || schemaVersion > math.MaxUint16 {
		return e, fmt.Errorf("event at position %d: %w: malformed hash or schema version", pos, eventstore.ErrDamaged)
	}
	e.Position, e.Version, e.SchemaVersion = uint64(pos), uint64(version), uint16(schemaVersion)
	e.ID, e.CausationID, e.CorrelationID = id.Bytes, causation.Bytes, correlat.Bytes
	e.RecordedAt, e.EffectiveAt = time.Unix(0, recNs).UTC(), time.Unix(0, effNs).UTC()
	copy(e.PrevHash[:], prevHash)
	copy(e.Hash[:], hash)
	if e.Payload == nil {
		e.Payload = []byte{}
	}
	return e, nil
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, limit int) ([]domain.Event, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	q := "SELECT " + eventColumns + " FROM " + s.n.events + " WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3"
	if dir == eventstore.Backwards {
		q = "SELECT " + eventColumns + " FROM " + s.n.events + " WHERE stream = $1 AND version <= $2 ORDER BY version DESC LIMIT $3"
		if from == 0 || from > math.MaxInt64 {
			from = math.MaxInt64
		}
	}
	if from > math.MaxInt64 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, q, stream, int64(from), sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: read %s: %w", stream, err)
	}
	out, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: read %s: %w", stream, err)
	}
	if len(out) == 0 {
		// A stream that exists has a version 1, which a backward read or
		// a forward read from version 1 would have found.
		if dir == eventstore.Backwards || from <= 1 {
			return nil, fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound)
		}
		return nil, s.streamMissing(ctx, stream)
	}
	return out, nil
}

// streamMissing returns ErrStreamNotFound when the stream has no events,
// nil when it has (a read that started beyond its end).
func (s *Store) streamMissing(ctx context.Context, stream string) error {
	var exists bool
	err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+s.n.events+" WHERE stream = $1)", stream).Scan(&exists)
	switch {
	case err != nil:
		return fmt.Errorf("postgres: read %s: %w", stream, err)
	case !exists:
		return fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	return nil
}

// sqlLimit turns a limit <= 0 (no limit) into SQL's LIMIT NULL.
func sqlLimit(limit int) *int64 {
	if limit <= 0 {
		return nil
	}
	l := int64(limit)
	return &l
}

// ReadAll implements eventstore.Store. Positions are committed in order
// (see the package documentation), so every read sees a prefix of the log.
func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if after >= math.MaxInt64 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, "SELECT "+eventColumns+" FROM "+s.n.events+" WHERE position > $1 ORDER BY position LIMIT $2", int64(after), sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: read the log after %d: %w", after, err)
	}
	out, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: read the log after %d: %w", after, err)
	}
	return out, nil
}

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context) (uint64, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	return s.head(ctx)
}

func (s *Store) head(ctx context.Context) (uint64, error) {
	var head int64
	if err := s.pool.QueryRow(ctx, "SELECT position FROM "+s.n.head).Scan(&head); err != nil {
		return 0, fmt.Errorf("postgres: read the head: %w", err)
	}
	return uint64(head), nil
}

// Size returns the bytes the ledger's tables and their indexes take on the
// server.
func (s *Store) Size(ctx context.Context) (int64, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	var n int64
	err := s.pool.QueryRow(ctx, "SELECT pg_total_relation_size($1::regclass) + pg_total_relation_size($2::regclass) + pg_total_relation_size($3::regclass)",
		s.n.events, s.n.head, s.n.meta).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: size of the ledger: %w", err)
	}
	return n, nil
}

// Close implements eventstore.Store. It waits for calls in progress,
// releases the store's leases, stops the listener and closes the pool; it is safe to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	stop := s.stopLis
	s.mu.Unlock()
	s.releaseLeases()
	if stop != nil {
		stop()
		<-s.lisDone
	}
	// No Append is in flight: each holds the read lock until answered.
	close(s.stopCommit)
	<-s.commitDone
	s.pool.Close()
	return nil
}
