// Package esdb is the eventstore.Store adapter over EventStoreDB, through
// EventStore-Client-Go v4 (gRPC). It is the production store for
// deployments that outgrow the embedded one: several stateless taskledger
// replicas over a three-node cluster (docs/deployment.md).
//
// Mapping (docs/eventstoredb.md has the whole story):
//
//   - A ledger stream S is the EventStoreDB stream Options.Prefix+S. Names
//     starting with "$" (system streams) or "~id-" (reserved, below) are
//     refused.
//   - Version v is stream revision v-1; Position is the event's $all commit
//     position: sparse, strictly increasing in commit order.
//   - The event ID is the EventStoreDB event ID (never zero), the type is the
//     event type, the payload is the data (application/json when it is
//     JSON), and the envelope (stream, version, schema version, recorded and
//     effective times, actor, causation and correlation IDs, previous hash,
//     hash) is the event metadata JSON.
//   - The store seals events itself. Every append reads the stream's last
//     event for its hash and appends with that exact revision, whatever the
//     caller expected; if another writer got in first the append fails on
//     the server, and with expected Any the store reads the new tail, reseals
//     and tries again. So the hash chain can never fork or skip.
//   - Each event ID is claimed in a one-event stream "~id-<uuid>" (expected
//     NoStream) before the append, naming the stream it is for. A retried
//     append (same IDs) finds its claims, finds its events in the stream and
//     returns them as a duplicate; IDs already stored in another stream, in
//     another order or only in part are refused with ErrDuplicateMismatch.
//   - Recorded time never decreases along the log: the store seals each
//     event with the later of its RecordedAt and the last recorded time in
//     $all (read from the leader before sealing) or appended by this Store.
//     Appends through one Store are serialised from that read to the
//     commit, so they can never step back. Replicas appending through
//     separate Stores at the same moment are not serialised with each
//     other: within the window between one's read and its commit another's
//     later time can land first (docs/eventstoredb.md).
//   - ReadAll reads $all forwards from a commit position and leaves out
//     system events, claim streams and streams outside the prefix.
//   - WaitForAppend polls $all (woken at once by appends through the same
//     Store) every Options.PollInterval.
//
// A client whose discovery fails (at first connection or after a lost
// connection) shuts itself down for good; the store then makes a new client
// and retries the call once.
package esdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
)

// claimPrefix names the streams that record which stream an event ID
// belongs to.
const claimPrefix = "~id-"

// claimType is the event type of an ID claim.
const claimType = "taskledger.EventIDClaimed"

// claimNamespace derives a claim's own event ID from the claimed ID.
var claimNamespace = uuid.MustParse("0b7d4c9e-5a43-4f7e-9d52-3f1f8f0c2a61")

// Options configures a Store.
type Options struct {
	// Prefix is prepended to every ledger stream name, so several ledgers
	// (or test runs) can share one EventStoreDB. ReadAll and Head see only
	// streams with the prefix. Empty means stream names map directly.
	Prefix string
	// PollInterval is how often WaitForAppend looks at $all for events
	// appended by other processes. Zero means 100 ms.
	PollInterval time.Duration
	// ReadPage is how many events one $all read asks for. Zero means 512.
	ReadPage int
	// Configure, if set, adjusts the client configuration parsed from the
	// URL (credentials, certificates, timeouts) before each client is made.
	Configure func(*client.Configuration)
	// Logger receives reconnect notices. Nil means slog.Default().
	Logger *slog.Logger
}

// Store is an eventstore.Store over EventStoreDB. It is safe for concurrent
// use.
type Store struct {
	url  string
	opts Options
	log  *slog.Logger

	// ops is held shared by every call while it uses the client and
	// exclusively by Close: the client panics if it is closed while a call
	// is about to send on its internal channel.
	ops    sync.RWMutex
	closed bool
	base   context.Context // canceled by Close, ends in-flight calls
	cancel context.CancelFunc
	done   chan struct{}

	cmu    sync.Mutex // guards c; held while a new client connects
	c      *client.Client
	chgMu  sync.Mutex
	change chan struct{} // closed and replaced after each local append

	// sealMu serialises sealing and appending through this Store, so that
	// recorded times never decrease along $all among its own appends;
	// recorded is the last recorded time it appended.
	sealMu   sync.Mutex
	recorded time.Time
}

var _ eventstore.Store = (*Store)(nil)

// Open returns a store over the EventStoreDB at url (an esdb:// or
// esdb+discover:// connection string). It does not connect: the first call
// does, and so does the first call after the client has given up.
func Open(url string, opts Options) (*Store, error) {
	if _, err := client.ParseConnectionString(url); err != nil {
		return nil, fmt.Errorf("esdb: connection string: %w", err)
	}
	if strings.HasPrefix(opts.Prefix, "$") {
		return nil, fmt.Errorf("esdb: prefix %q would name system streams", opts.Prefix)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 100 * time.Millisecond
	}
	if opts.ReadPage <= 0 {
		opts.ReadPage = 512
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	base, cancel := context.WithCancel(context.Background())
	return &Store{
		url: url, opts: opts, log: log,
		base: base, cancel: cancel, done: make(chan struct{}),
		change: make(chan struct{}),
	}, nil
}

// begin starts a call: it fails on a closed store and ties ctx to Close.
func (s *Store) begin(ctx context.Context) (context.Context, func(), error) {
	s.ops.RLock()
	if s.closed {
		s.ops.RUnlock()
		return nil, nil, eventstore.ErrClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.base, cancel)
	return ctx, func() { stop(); cancel(); s.ops.RUnlock() }, nil
}

// isClosed reports whether Close has begun.
func (s *Store) isClosed() bool { return s.base.Err() != nil }

// client returns the live client, making and connecting a new one if there
// is none. Connecting is serialised: a client that is discovering its node
// must not see concurrent first calls, because when discovery fails it stops
// reading its request channel and callers already waiting would hang.
func (s *Store) client(ctx context.Context) (*client.Client, error) {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if s.c != nil {
		return s.c, nil
	}
	cfg, err := client.ParseConnectionString(s.url)
	if err != nil {
		return nil, err
	}
	cfg.Logger = s.clientLog
	if s.opts.Configure != nil {
		s.opts.Configure(cfg)
	}
	c, err := client.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	// Probe: the first call runs discovery. Read the last event of $all.
	rs, err := c.ReadAll(ctx, client.ReadAllOptions{Direction: client.Backwards, From: client.End{}}, 1)
	if err == nil {
		_, err = rs.Recv()
		rs.Close()
		if errors.Is(err, io.EOF) {
			err = nil
		}
	}
	if err != nil {
		// Nothing else has used c, so closing it cannot race a call.
		_ = c.Close()
		return nil, err
	}
	s.c = c
	return c, nil
}

// drop forgets a client that has shut itself down. It is not closed: other
// goroutines may still be inside its calls, and closing the client's
// channel under them would panic; its connection is already gone.
func (s *Store) drop(c *client.Client) {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if s.c == c {
		s.c = nil
		s.log.Warn("eventstoredb client closed itself after a failed discovery; a new one will connect", "url", redact(s.url))
	}
}

// do runs fn with a client, retrying once with a new client when the old one
// has shut itself down.
func (s *Store) do(ctx context.Context, fn func(c *client.Client) error) error {
	for attempt := 0; ; attempt++ {
		c, err := s.client(ctx)
		if err != nil {
			return err
		}
		err = fn(c)
		if err != nil && isConnectionClosed(err) && !s.isClosed() && attempt == 0 {
			s.drop(c)
			continue
		}
		return err
	}
}

func (s *Store) fail(ctx context.Context, op string, err error) error {
	return mapError(ctx, s.isClosed(), op, err)
}

func (s *Store) name(stream string) string { return s.opts.Prefix + stream }

// ours reports whether an EventStoreDB stream holds ledger events of this
// store, and its ledger name.
func (s *Store) ours(esStream, typ string) (string, bool) {
	if isSystem(esStream, typ) || !strings.HasPrefix(esStream, s.opts.Prefix) {
		return "", false
	}
	name := esStream[len(s.opts.Prefix):]
	if strings.HasPrefix(name, claimPrefix) {
		return "", false
	}
	return name, true
}

func (s *Store) notify() {
	s.chgMu.Lock()
	close(s.change)
	s.change = make(chan struct{})
	s.chgMu.Unlock()
}

func (s *Store) changed() <-chan struct{} {
	s.chgMu.Lock()
	defer s.chgMu.Unlock()
	return s.change
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	if strings.HasPrefix(stream, "$") || strings.HasPrefix(stream, claimPrefix) {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: stream names starting with \"$\" or %q are reserved", stream, claimPrefix)
	}
	ctx, end, err := s.begin(ctx)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	defer end()
	op := "append to " + stream
	res, err := s.appendClaimed(ctx, stream, expected, events)
	if err != nil {
		var wrong *eventstore.WrongExpectedVersionError
		if errors.As(err, &wrong) || errors.Is(err, eventstore.ErrDuplicateMismatch) {
			return eventstore.AppendResult{}, err
		}
		return eventstore.AppendResult{}, s.fail(ctx, op, err)
	}
	if !res.Duplicate {
		s.notify()
	}
	return res, nil
}

func (s *Store) appendClaimed(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	claimed, err := s.claim(ctx, stream, events)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if claimed > 0 {
		res, dup, err := s.duplicate(ctx, stream, events)
		if err != nil || dup {
			return res, err
		}
	}
	return s.appendSealed(ctx, stream, expected, events)
}

// claim records, for each event, that its ID belongs to stream. It returns
// how many IDs were claimed before (for this stream); an ID claimed for
// another stream is ErrDuplicateMismatch.
func (s *Store) claim(ctx context.Context, stream string, events []domain.Event) (int, error) {
	type result struct {
		existed bool
		err     error
	}
	results := make([]result, len(events))
	var wg sync.WaitGroup
	for i := range events {
		wg.Add(1)
		go func() {
			defer wg.Done()
			existed, err := s.claimOne(ctx, stream, events[i].ID)
			results[i] = result{existed, err}
		}()
	}
	wg.Wait()
	n := 0
	for _, r := range results {
		if r.err != nil {
			return 0, r.err
		}
		if r.existed {
			n++
		}
	}
	return n, nil
}

type claimData struct {
	Stream string `json:"stream"`
}

func (s *Store) claimOne(ctx context.Context, stream string, id uuid.UUID) (bool, error) {
	cs := s.name(claimPrefix + id.String())
	data := fmt.Appendf(nil, `{"stream":%q}`, stream)
	ev := client.EventData{EventID: uuid.NewSHA1(claimNamespace, id[:]), EventType: claimType, ContentType: client.ContentTypeJson, Data: data}
	err := s.do(ctx, func(c *client.Client) error {
		_, err := c.AppendToStream(ctx, cs, client.AppendToStreamOptions{ExpectedRevision: client.NoStream{}}, ev)
		return err
	})
	if err == nil {
		return false, nil
	}
	if !isWrongExpectedVersion(err) {
		return false, err
	}
	// Claimed before: by this stream (a retry), or by another.
	var owner claimData
	err = s.do(ctx, func(c *client.Client) error {
		rs, err := c.ReadStream(ctx, cs, client.ReadStreamOptions{From: client.Start{}, RequiresLeader: true}, 1)
		if err != nil {
			return err
		}
		defer rs.Close()
		r, err := rs.Recv()
		if err != nil {
			return err
		}
		return json.Unmarshal(r.OriginalEvent().Data, &owner)
	})
	if err != nil {
		return false, fmt.Errorf("read claim of event %s: %w", id, err)
	}
	if owner.Stream != stream {
		return false, fmt.Errorf("append to %s: event %s belongs to stream %s: %w", stream, id, owner.Stream, eventstore.ErrDuplicateMismatch)
	}
	return true, nil
}

// duplicate looks for events in stream. All of them stored there, in order
// and contiguously, is a duplicate; some is a mismatch; none (a claim whose
// append never landed) lets the append go ahead.
func (s *Store) duplicate(ctx context.Context, stream string, events []domain.Event) (eventstore.AppendResult, bool, error) {
	stored, err := s.readStream(ctx, stream, eventstore.Forwards, 0, 0, true)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return eventstore.AppendResult{}, false, nil
	}
	if err != nil {
		return eventstore.AppendResult{}, false, err
	}
	at := make(map[uuid.UUID]int, len(stored))
	for i, e := range stored {
		at[e.ID] = i
	}
	found := 0
	for _, e := range events {
		if _, ok := at[e.ID]; ok {
			found++
		}
	}
	if found == 0 {
		return eventstore.AppendResult{}, false, nil
	}
	mismatch := fmt.Errorf("append to %s: %w", stream, eventstore.ErrDuplicateMismatch)
	if found != len(events) {
		return eventstore.AppendResult{}, false, mismatch
	}
	first := at[events[0].ID]
	out := make([]domain.Event, len(events))
	for i, e := range events {
		if at[e.ID] != first+i {
			return eventstore.AppendResult{}, false, mismatch
		}
		out[i] = stored[first+i]
	}
	last := out[len(out)-1]
	return eventstore.AppendResult{Events: out, StreamVersion: last.Version, Position: last.Position, Duplicate: true}, true, nil
}

// tail returns the stream's last version (0 for no stream) and hash.
func (s *Store) tail(ctx context.Context, stream string) (uint64, domain.Hash, error) {
	last, err := s.readStream(ctx, stream, eventstore.Backwards, 0, 1, true)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return 0, domain.Hash{}, nil
	}
	if err != nil {
		return 0, domain.Hash{}, err
	}
	if len(last) == 0 {
		return 0, domain.Hash{}, nil
	}
	return last[0].Version, last[0].Hash, nil
}

// lastRecorded returns the recorded time of the last ledger event in $all
// (the zero time when there is none), reading backwards past system events
// and ID claims.
func (s *Store) lastRecorded(ctx context.Context) (time.Time, error) {
	var last time.Time
	err := s.pageAll(ctx, client.Backwards, client.End{}, func(ev *client.RecordedEvent, _ allCursor) (bool, error) {
		stream, ok := s.ours(ev.StreamID, ev.EventType)
		if !ok {
			return false, nil
		}
		e, err := fromRecorded(ev, stream)
		if err != nil {
			return true, err
		}
		last = e.RecordedAt
		return true, nil
	})
	return last, err
}

// appendSealed seals events after the stream's current tail and appends them
// with that exact revision, retrying on a lost race when expected is Any.
func (s *Store) appendSealed(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	name := s.name(stream)
	s.sealMu.Lock()
	defer s.sealMu.Unlock()
	for {
		floor, err := s.lastRecorded(ctx)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("read the last recorded time: %w", err)
		}
		floor = eventstore.ClampRecorded(floor, s.recorded)
		current, prev, err := s.tail(ctx, stream)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if !expected.Matches(current) {
			return eventstore.AppendResult{}, &eventstore.WrongExpectedVersionError{Stream: stream, Expected: expected, Actual: current}
		}
		sealed := make([]domain.Event, len(events))
		data := make([]client.EventData, len(events))
		for i, e := range events {
			e.Payload = append([]byte(nil), e.Payload...)
			e.RecordedAt = eventstore.ClampRecorded(e.RecordedAt, floor)
			floor = e.RecordedAt
			e.Seal(stream, current+uint64(i)+1, prev)
			prev = e.Hash
			sealed[i] = e
			if data[i], err = toEventData(&sealed[i]); err != nil {
				return eventstore.AppendResult{}, err
			}
		}
		var rev client.ExpectedRevision = client.NoStream{}
		if current > 0 {
			rev = client.Revision(current - 1)
		}
		var wr *client.WriteResult
		err = s.do(ctx, func(c *client.Client) error {
			var err error
			wr, err = c.AppendToStream(ctx, name, client.AppendToStreamOptions{ExpectedRevision: rev}, data...)
			return err
		})
		if isWrongExpectedVersion(err) {
			if expected.IsAny() {
				if ctx.Err() != nil {
					return eventstore.AppendResult{}, ctx.Err()
				}
				continue // another writer got in first: reseal on the new tail
			}
			actual, _, terr := s.tail(ctx, stream)
			if terr != nil {
				return eventstore.AppendResult{}, terr
			}
			return eventstore.AppendResult{}, &eventstore.WrongExpectedVersionError{Stream: stream, Expected: expected, Actual: actual}
		}
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		s.recorded = floor
		if err := s.locate(ctx, sealed, wr); err != nil {
			return eventstore.AppendResult{}, err
		}
		last := sealed[len(sealed)-1]
		return eventstore.AppendResult{Events: sealed, StreamVersion: last.Version, Position: last.Position}, nil
	}
}

// locate sets the $all positions of just-appended events. The write result
// names the last one's; the others are found by reading $all backwards
// from it (one append's events are contiguous in the log).
func (s *Store) locate(ctx context.Context, sealed []domain.Event, wr *client.WriteResult) error {
	sealed[len(sealed)-1].Position = wr.CommitPosition
	if len(sealed) == 1 {
		return nil
	}
	want := make(map[uuid.UUID]int, len(sealed))
	for i, e := range sealed[:len(sealed)-1] {
		want[e.ID] = i
	}
	from := client.Position{Commit: wr.CommitPosition, Prepare: wr.PreparePosition}
	err := s.do(ctx, func(c *client.Client) error {
		rs, err := c.ReadAll(ctx, client.ReadAllOptions{Direction: client.Backwards, From: from}, uint64(len(sealed))+1)
		if err != nil {
			return err
		}
		return eachRecorded(rs, func(ev *client.RecordedEvent) (bool, error) {
			if i, ok := want[ev.EventID]; ok {
				sealed[i].Position = ev.Position.Commit
				delete(want, ev.EventID)
			}
			return false, nil
		})
	})
	if err != nil {
		return fmt.Errorf("locate appended events in $all: %w", err)
	}
	if len(want) > 0 {
		return fmt.Errorf("locate appended events in $all: %d of %d not found before position %d", len(want), len(sealed), wr.CommitPosition)
	}
	return nil
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, limit int) ([]domain.Event, error) {
	ctx, end, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	out, err := s.readStream(ctx, stream, dir, from, limit, false)
	if err != nil {
		if errors.Is(err, eventstore.ErrStreamNotFound) && !s.isClosed() {
			return nil, err
		}
		return nil, s.fail(ctx, "read "+stream, err)
	}
	return out, nil
}

// readStream reads a stream. leader asks for the read to be served by the
// cluster's leader: the append path needs the true tail, not a follower's
// possibly stale copy (which would only cost retries, never correctness).
func (s *Store) readStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, limit int, leader bool) ([]domain.Event, error) {
	opts := client.ReadStreamOptions{Direction: client.Forwards, From: client.Start{}, RequiresLeader: leader}
	if dir == eventstore.Backwards {
		opts.Direction = client.Backwards
		opts.From = client.End{}
	}
	if from > 0 {
		opts.From = client.Revision(from - 1)
	}
	count := uint64(1<<63 - 1)
	if limit > 0 {
		count = uint64(limit)
	}
	var out []domain.Event
	err := s.do(ctx, func(c *client.Client) error {
		out = out[:0]
		rs, err := c.ReadStream(ctx, s.name(stream), opts, count)
		if err != nil {
			return err
		}
		return eachRecorded(rs, func(ev *client.RecordedEvent) (bool, error) {
			e, err := fromRecorded(ev, stream)
			if err != nil {
				return true, err
			}
			out = append(out, e)
			return false, nil
		})
	})
	if err != nil {
		if code, ok := clientCode(err); ok && (code == client.ErrorCodeResourceNotFound || code == client.ErrorCodeStreamDeleted) {
			return nil, fmt.Errorf("read %s: %w: %w", stream, eventstore.ErrStreamNotFound, err)
		}
		return nil, err
	}
	if len(out) == 0 && dir == eventstore.Backwards && from > 0 {
		// Backwards from past the end: start at the last event.
		return s.readStream(ctx, stream, dir, 0, limit, leader)
	}
	return out, nil
}

// allCursor orders raw $all positions.
type allCursor struct{ commit, prepare uint64 }

func (a allCursor) less(b allCursor) bool {
	return a.commit < b.commit || (a.commit == b.commit && a.prepare < b.prepare)
}

// ReadAll implements eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error) {
	ctx, end, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	out, err := s.readAll(ctx, after, limit)
	if err != nil {
		return nil, s.fail(ctx, fmt.Sprintf("read $all after %d", after), err)
	}
	return out, nil
}

func (s *Store) readAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error) {
	var from client.AllPosition = client.Start{}
	if after > 0 {
		from = client.Position{Commit: after, Prepare: after}
	}
	var out []domain.Event
	err := s.pageAll(ctx, client.Forwards, from, func(ev *client.RecordedEvent, pos allCursor) (bool, error) {
		if pos.commit <= after {
			return false, nil
		}
		stream, ok := s.ours(ev.StreamID, ev.EventType)
		if !ok {
			return false, nil
		}
		e, err := fromRecorded(ev, stream)
		if err != nil {
			return true, err
		}
		out = append(out, e)
		return limit > 0 && len(out) >= limit, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Head implements eventstore.Store: the commit position of the last ledger
// event in $all, found by reading backwards past system events.
func (s *Store) Head(ctx context.Context) (uint64, error) {
	ctx, end, err := s.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer end()
	var head uint64
	err = s.pageAll(ctx, client.Backwards, client.End{}, func(ev *client.RecordedEvent, pos allCursor) (bool, error) {
		if _, ok := s.ours(ev.StreamID, ev.EventType); ok {
			head = pos.commit
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return 0, s.fail(ctx, "head", err)
	}
	return head, nil
}

// pageAll reads $all in pages of Options.ReadPage from `from` in the given
// direction, handing visit each record beyond the last one it saw (a page
// starts at the previous page's last record, inclusive), until visit says
// stop, returns an error, or the log ends.
func (s *Store) pageAll(ctx context.Context, dir client.Direction, from client.AllPosition, visit func(ev *client.RecordedEvent, pos allCursor) (stop bool, err error)) error {
	page := s.opts.ReadPage
	var last *allCursor
	for {
		n := 0
		stop := false
		var visitErr error
		err := s.do(ctx, func(c *client.Client) error {
			rs, err := c.ReadAll(ctx, client.ReadAllOptions{Direction: dir, From: from}, uint64(page))
			if err != nil {
				return err
			}
			return eachRecorded(rs, func(ev *client.RecordedEvent) (bool, error) {
				n++
				pos := allCursor{ev.Position.Commit, ev.Position.Prepare}
				if last != nil && ((dir == client.Forwards && !last.less(pos)) || (dir == client.Backwards && !pos.less(*last))) {
					return false, nil
				}
				last = &pos
				stop, visitErr = visit(ev, pos)
				return stop || visitErr != nil, nil
			})
		})
		switch {
		case err != nil:
			return err
		case visitErr != nil:
			return visitErr
		case stop || n < page || last == nil:
			return nil
		}
		from = client.Position{Commit: last.commit, Prepare: last.prepare}
	}
}

// WaitForAppend implements eventstore.Store. Appends through this Store wake
// it at once; appends by other processes are seen within PollInterval.
func (s *Store) WaitForAppend(ctx context.Context, after uint64) error {
	for {
		changed := s.changed()
		evs, err := s.ReadAll(ctx, after, 1)
		if err != nil {
			if s.isClosed() {
				return eventstore.ErrClosed
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if len(evs) > 0 {
			return nil
		}
		t := time.NewTimer(s.opts.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-s.done:
			t.Stop()
			return eventstore.ErrClosed
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

// Close implements eventstore.Store: it ends in-flight calls, waits for
// them and closes the client. It is safe to call more than once.
func (s *Store) Close() error {
	s.cancel()
	s.ops.Lock()
	defer s.ops.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.done)
	s.cmu.Lock()
	c := s.c
	s.c = nil
	s.cmu.Unlock()
	if c != nil {
		return c.Close()
	}
	return nil
}

// clientLog routes the client's own log lines to slog: its debug and info
// lines at Debug, its warnings and errors at Info (every failed call is
// logged by the client as an error, and the store returns it anyway).
func (s *Store) clientLog(level client.LogLevel, format string, args ...any) {
	l := slog.LevelDebug
	if level == client.LogWarn || level == client.LogError {
		l = slog.LevelInfo
	}
	s.log.Log(context.Background(), l, fmt.Sprintf(format, args...), "component", "eventstoredb-client", "client_level", level)
}

// redact hides a password in a connection string for logs.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		return scheme + "://***@" + rest[at+1:]
	}
	return url
}

// eachRecorded hands fn every event a read yields until the read ends, fn
// says stop or fn fails, and closes the read.
func eachRecorded(rs *client.ReadStream, fn func(ev *client.RecordedEvent) (stop bool, err error)) error {
	defer rs.Close()
	for {
		r, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		stop, err := fn(r.OriginalEvent())
		if stop || err != nil {
			return err
		}
	}
}
