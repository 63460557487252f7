package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Group limits: one commit takes at most this many appends and events.
const (
	maxGroupAppends = 512
	maxGroupEvents  = 4096
)

// appendReq is one Append waiting for the committer.
type appendReq struct {
	ctx      context.Context
	stream   string
	expected eventstore.ExpectedVersion
	events   []domain.Event
	done     chan appendAnswer // buffered: the committer never blocks on it
}

type appendAnswer struct {
	res eventstore.AppendResult
	err error
}

// Append implements eventstore.Store. It hands the request to the store's
// committer, which judges every pending append in one transaction under the
// head lock and commits them together (see the package documentation), and
// returns once that transaction has committed.
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
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
	}
	req := &appendReq{ctx: ctx, stream: stream, expected: expected, events: events, done: make(chan appendAnswer, 1)}
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, ctx.Err())
	}
	select {
	case ans := <-req.done:
		return ans.res, ans.err
	case <-ctx.Done():
		// The append may still commit: a retry with the same events is
		// recognised as a duplicate.
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, ctx.Err())
	}
}

// commitLoop is the committer: it takes the first pending append, whatever
// else is pending at that moment, and commits them as one group, until
// stop is closed.
func (s *Store) commitLoop(stop <-chan struct{}) {
	defer close(s.commitDone)
	last := 0 // the size of the last group
	for {
		var first *appendReq
		select {
		case first = <-s.reqs:
		case <-stop:
			return
		}
		group := s.gather(first, last)
		last = len(group)
		s.commitGroup(group)
	}
}

// groupWait is how long the committer holds a group open for the writers
// the last commit answered, which usually come straight back.
const groupWait = 500 * time.Microsecond

// gather takes first and whatever else is pending; while the group is
// smaller than the last one it waits up to groupWait for the rest. A lone
// writer (last group of one) never waits.
func (s *Store) gather(first *appendReq, last int) []*appendReq {
	group := []*appendReq{first}
	events := len(first.events)
	var timeout <-chan time.Time
	for len(group) < maxGroupAppends && events < maxGroupEvents {
		select {
		case r := <-s.reqs:
			group = append(group, r)
			events += len(r.events)
			continue
		default:
		}
		if len(group) >= last {
			return group
		}
		if timeout == nil {
			timeout = time.After(groupWait)
		}
		select {
		case r := <-s.reqs:
			group = append(group, r)
			events += len(r.events)
		case <-timeout:
			return group
		}
	}
	return group
}

// commitTimeout bounds one group's transaction.
const commitTimeout = time.Minute

// commitGroup runs one transaction for a group and answers each request.
func (s *Store) commitGroup(group []*appendReq) {
	live := group[:0:0]
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.done <- appendAnswer{err: fmt.Errorf("append to %s: %w", r.stream, err)}
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	var answers []appendAnswer
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		answers, err = s.judgeAndWrite(ctx, tx, live)
		return err
	})
	for i, r := range live {
		if err != nil {
			r.done <- appendAnswer{err: fmt.Errorf("postgres: append to %s: %w", r.stream, err)}
			continue
		}
		r.done <- answers[i]
	}
}

// streamTip is a stream's last version and hash.
type streamTip struct {
	version uint64
	hash    domain.Hash
}

// groupState is what a group is judged against: the log's head and last
// recorded time, the tips of its streams and the stored events carrying
// any of its IDs, all updated as the group's appends are sealed.
type groupState struct {
	head    uint64
	lastRec time.Time
	tips    map[string]streamTip
	byID    map[[16]byte]domain.Event
}

// judgeAndWrite locks the head, judges each request in order against the
// log as the requests before it leave it, and writes the accepted events.
func (s *Store) judgeAndWrite(ctx context.Context, tx pgx.Tx, group []*appendReq) ([]appendAnswer, error) {
	st, err := s.readGroupState(ctx, tx, group)
	if err != nil {
		return nil, err
	}
	answers := make([]appendAnswer, len(group))
	var stored []domain.Event
	for i, r := range group {
		answers[i] = judge(st, r)
		if answers[i].err == nil && !answers[i].res.Duplicate {
			stored = append(stored, answers[i].res.Events...)
		}
	}
	if len(stored) == 0 {
		return answers, nil
	}
	return answers, s.write(ctx, tx, stored, st)
}

// readGroupState locks the head row and reads, in one round trip, the
// head, the stored events carrying any of the group's IDs and the tips of
// its streams.
func (s *Store) readGroupState(ctx context.Context, tx pgx.Tx, group []*appendReq) (*groupState, error) {
	var ids []pgtype.UUID
	var streams []string
	seen := map[string]bool{}
	for _, r := range group {
		for _, e := range r.events {
			ids = append(ids, pgtype.UUID{Bytes: e.ID, Valid: true})
		}
		if !seen[r.stream] {
			seen[r.stream] = true
			streams = append(streams, r.stream)
		}
	}
	b := &pgx.Batch{}
	b.Queue("SELECT position, recorded_ns FROM " + s.n.head + " FOR UPDATE")
	b.Queue("SELECT "+eventColumns+" FROM "+s.n.events+" WHERE event_id = ANY($1)", ids)
	// One index probe per stream for its last version, whatever the
	// stream's length and whatever plan the server caches.
	b.Queue("SELECT s.stream, t.version, t.hash FROM unnest($1::text[]) AS s(stream) CROSS JOIN LATERAL (SELECT version, hash FROM "+s.n.events+
		" e WHERE e.stream = s.stream ORDER BY version DESC LIMIT 1) t", streams)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	st := &groupState{tips: map[string]streamTip{}, byID: map[[16]byte]domain.Event{}}
	var head, recNs int64
	if err := br.QueryRow().Scan(&head, &recNs); err != nil {
		return nil, fmt.Errorf("lock the head: %w", err)
	}
	st.head = uint64(head)
	if head > 0 {
		st.lastRec = time.Unix(0, recNs).UTC()
	}
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("look up event IDs: %w", err)
	}
	dups, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("look up event IDs: %w", err)
	}
	for _, e := range dups {
		st.byID[e.ID] = e
	}
	if err := readTips(br, st.tips); err != nil {
		return nil, err
	}
	return st, br.Close()
}

func readTips(br pgx.BatchResults, tips map[string]streamTip) error {
	rows, err := br.Query()
	if err != nil {
		return fmt.Errorf("read stream versions: %w", err)
	}
	var (
		stream  string
		version int64
		hash    []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&stream, &version, &hash}, func() error {
		var t streamTip
		t.version = uint64(version)
		copy(t.hash[:], hash)
		tips[stream] = t
		return nil
	})
	if err != nil {
		return fmt.Errorf("read stream versions: %w", err)
	}
	return nil
}

// judge decides one request against st and, when it is accepted, seals
// its events and advances st.
func judge(st *groupState, r *appendReq) appendAnswer {
	found := map[[16]byte]domain.Event{}
	for _, e := range r.events {
		if ev, ok := st.byID[e.ID]; ok {
			found[e.ID] = ev
		}
	}
	if res, dup, err := duplicate(r.stream, found, r.events); dup || err != nil {
		return appendAnswer{res: res, err: err}
	}
	tip := st.tips[r.stream]
	if !r.expected.Matches(tip.version) {
		return appendAnswer{err: &eventstore.WrongExpectedVersionError{Stream: r.stream, Expected: r.expected, Actual: tip.version}}
	}
	stored := make([]domain.Event, len(r.events))
	prev := tip.hash
	for i, e := range r.events {
		e.Payload = append([]byte(nil), e.Payload...)
		e.RecordedAt = eventstore.ClampRecorded(normalTime(e.RecordedAt), st.lastRec)
		e.EffectiveAt = normalTime(e.EffectiveAt)
		e.Seal(r.stream, tip.version+uint64(i)+1, prev)
		st.head++
		e.Position = st.head
		st.lastRec, prev = e.RecordedAt, e.Hash
		st.byID[e.ID] = e
		stored[i] = e
	}
	last := stored[len(stored)-1]
	st.tips[r.stream] = streamTip{version: last.Version, hash: last.Hash}
	return appendAnswer{res: eventstore.AppendResult{Events: stored, StreamVersion: last.Version, Position: last.Position}}
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

// normalTime is t as it reads back from the table: Unix nanoseconds in UTC.
func normalTime(t time.Time) time.Time { return time.Unix(0, t.UnixNano()).UTC() }

// write inserts the sealed events with one statement, moves the head and
// queues the NOTIFY that PostgreSQL delivers at commit, in one round trip.
func (s *Store) write(ctx context.Context, tx pgx.Tx, stored []domain.Event, st *groupState) error {
	n := len(stored)
	var (
		pos, version, recNs, effNs = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		ids, causation, correlat   = make([]pgtype.UUID, n), make([]pgtype.UUID, n), make([]pgtype.UUID, n)
		stream, typ, actor         = make([]string, n), make([]string, n), make([]string, n)
		schema                     = make([]int32, n)
		payload, prevHash, hash    = make([][]byte, n), make([][]byte, n), make([][]byte, n)
	)
	for i := range stored {
		e := &stored[i]
		pos[i], version[i], recNs[i], effNs[i] = int64(e.Position), int64(e.Version), e.RecordedAt.UnixNano(), e.EffectiveAt.UnixNano()
		ids[i] = pgtype.UUID{Bytes: e.ID, Valid: true}
		causation[i] = pgtype.UUID{Bytes: e.CausationID, Valid: true}
		correlat[i] = pgtype.UUID{Bytes: e.CorrelationID, Valid: true}
		stream[i], typ[i], actor[i], schema[i] = e.Stream, e.Type, e.Actor, int32(e.SchemaVersion)
		payload[i], prevHash[i], hash[i] = e.Payload, e.PrevHash[:], e.Hash[:]
	}
	b := &pgx.Batch{}
	b.Queue("INSERT INTO "+s.n.events+" ("+eventColumns+`) SELECT * FROM unnest(
		$1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::integer[], $7::bigint[], $8::bigint[],
		$9::text[], $10::uuid[], $11::uuid[], $12::bytea[], $13::bytea[], $14::bytea[])`,
		pos, ids, stream, version, typ, schema, recNs, effNs, actor, causation, correlat, payload, prevHash, hash)
	b.Queue("UPDATE "+s.n.head+" SET position = $1, recorded_ns = $2", int64(st.head), st.lastRec.UnixNano())
	b.Queue("SELECT pg_notify($1, $2)", s.n.channel, strconv.FormatUint(st.head, 10))
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("insert %d events: %w", n, err)
	}
	return nil
}
