package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
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

	lisOnce sync.Once
	lis     *listener
	stopLis context.CancelFunc
	lisDone chan struct{}
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
	return &Store{
		pool: pool, connCfg: cfg.ConnConfig.Copy(), n: n, readOnly: opts.ReadOnly, log: log,
		done: make(chan struct{}), lisDone: make(chan struct{}),
	}, nil
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

// Append implements eventstore.Store. It runs in one transaction that
// first locks the head row (see the package documentation).
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := s.enter(); err != nil {
		return eventstore.AppendResult{}, err
	}
	defer s.leave()
	if s.readOnly {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, ErrReadOnly)
	}
	var res eventstore.AppendResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		res, err = s.appendTx(ctx, tx, stream, expected, events)
		return err
	})
	if err != nil {
		var wrong *eventstore.WrongExpectedVersionError
		if errors.As(err, &wrong) || errors.Is(err, eventstore.ErrDuplicateMismatch) {
			return eventstore.AppendResult{}, err
		}
		return eventstore.AppendResult{}, fmt.Errorf("postgres: append to %s: %w", stream, err)
	}
	return res, nil
}

// appendState is what an append reads under the head lock.
type appendState struct {
	head       uint64
	headRecNs  int64
	version    uint64      // the stream's last version, 0 for none
	lastHash   domain.Hash // the stream's last event's hash
	duplicates map[[16]byte]domain.Event
}

func (s *Store) appendTx(ctx context.Context, tx pgx.Tx, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	st, err := s.readState(ctx, tx, stream, events)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if res, dup, err := duplicate(stream, st.duplicates, events); dup || err != nil {
		return res, err
	}
	if !expected.Matches(st.version) {
		return eventstore.AppendResult{}, &eventstore.WrongExpectedVersionError{Stream: stream, Expected: expected, Actual: st.version}
	}
	stored := seal(stream, st, events)
	if err := s.write(ctx, tx, stored); err != nil {
		return eventstore.AppendResult{}, err
	}
	last := stored[len(stored)-1]
	return eventstore.AppendResult{Events: stored, StreamVersion: last.Version, Position: last.Position}, nil
}

// readState locks the head row and reads, in one round trip, the head, the
// stored events carrying any of the request's IDs and the stream's last
// version and hash.
func (s *Store) readState(ctx context.Context, tx pgx.Tx, stream string, events []domain.Event) (appendState, error) {
	ids := make([]pgtype.UUID, len(events))
	for i, e := range events {
		ids[i] = pgtype.UUID{Bytes: e.ID, Valid: true}
	}
	b := &pgx.Batch{}
	b.Queue("SELECT position, recorded_ns FROM " + s.n.head + " FOR UPDATE")
	b.Queue("SELECT "+eventColumns+" FROM "+s.n.events+" WHERE event_id = ANY($1)", ids)
	b.Queue("SELECT version, hash FROM "+s.n.events+" WHERE stream = $1 ORDER BY version DESC LIMIT 1", stream)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	var st appendState
	var head int64
	if err := br.QueryRow().Scan(&head, &st.headRecNs); err != nil {
		return st, fmt.Errorf("lock the head: %w", err)
	}
	st.head = uint64(head)
	rows, err := br.Query()
	if err != nil {
		return st, fmt.Errorf("look up event IDs: %w", err)
	}
	dups, err := scanEvents(rows)
	if err != nil {
		return st, fmt.Errorf("look up event IDs: %w", err)
	}
	st.duplicates = make(map[[16]byte]domain.Event, len(dups))
	for _, e := range dups {
		st.duplicates[e.ID] = e
	}
	var version int64
	var hash []byte
	err = br.QueryRow().Scan(&version, &hash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return st, fmt.Errorf("read the stream's last version: %w", err)
	default:
		st.version = uint64(version)
		copy(st.lastHash[:], hash)
	}
	return st, br.Close()
}

// duplicate reports whether events were all stored before, in stream and in
// this order; it errors when only some were (as the memory store does).
func duplicate(stream string, found map[[16]byte]domain.Event, events []domain.Event) (eventstore.AppendResult, bool, error) {
	if len(found) == 0 {
		return eventstore.AppendResult{}, false, nil
	}
	mismatch := fmt.Errorf("append to %s: %w", stream, eventstore.ErrDuplicateMismatch)
	if len(found) != len(events) {
		return eventstore.AppendResult{}, false, mismatch
	}
	stored := make([]domain.Event, len(events))
	for i, e := range events {
		ev, ok := found[e.ID]
		if !ok || ev.Stream != stream || (i > 0 && ev.Version != stored[i-1].Version+1) {
			return eventstore.AppendResult{}, false, mismatch
		}
		stored[i] = ev
	}
	last := stored[len(stored)-1]
	return eventstore.AppendResult{Events: stored, StreamVersion: last.Version, Position: last.Position, Duplicate: true}, true, nil
}

// seal gives each event its stream, version, previous hash, recorded time
// clamped forward along the log, hash and position.
func seal(stream string, st appendState, events []domain.Event) []domain.Event {
	var lastRec time.Time
	if st.head > 0 {
		lastRec = time.Unix(0, st.headRecNs).UTC()
	}
	prev := st.lastHash
	stored := make([]domain.Event, len(events))
	for i, e := range events {
		e.Payload = append([]byte(nil), e.Payload...)
		e.RecordedAt = eventstore.ClampRecorded(normalTime(e.RecordedAt), lastRec)
		e.EffectiveAt = normalTime(e.EffectiveAt)
		lastRec = e.RecordedAt
		e.Seal(stream, st.version+uint64(i)+1, prev)
		e.Position = st.head + uint64(i) + 1
		prev = e.Hash
		stored[i] = e
	}
	return stored
}

// normalTime is t as it reads back from the table: Unix nanoseconds in UTC.
func normalTime(t time.Time) time.Time { return time.Unix(0, t.UnixNano()).UTC() }

// write inserts the sealed events, moves the head and queues the NOTIFY
// that PostgreSQL delivers at commit, in one round trip.
func (s *Store) write(ctx context.Context, tx pgx.Tx, stored []domain.Event) error {
	b := &pgx.Batch{}
	insert := "INSERT INTO " + s.n.events + " (" + eventColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
	for _, e := range stored {
		b.Queue(insert, int64(e.Position), pgtype.UUID{Bytes: e.ID, Valid: true}, e.Stream, int64(e.Version), e.Type,
			int32(e.SchemaVersion), e.RecordedAt.UnixNano(), e.EffectiveAt.UnixNano(), e.Actor,
			pgtype.UUID{Bytes: e.CausationID, Valid: true}, pgtype.UUID{Bytes: e.CorrelationID, Valid: true},
			e.Payload, e.PrevHash[:], e.Hash[:])
	}
	last := stored[len(stored)-1]
	b.Queue("UPDATE "+s.n.head+" SET position = $1, recorded_ns = $2", int64(last.Position), last.RecordedAt.UnixNano())
	b.Queue("SELECT pg_notify($1, $2)", s.n.channel, strconv.FormatUint(last.Position, 10))
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("insert %d events: %w", len(stored), err)
	}
	return nil
}

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

// Close implements eventstore.Store. It waits for calls in progress, stops
// the listener and closes the pool; it is safe to call more than once.
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
	if stop != nil {
		stop()
		<-s.lisDone
	}
	s.pool.Close()
	return nil
}
