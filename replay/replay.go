// Package replay reads a store's global log and decodes it on every core,
// then hands the events to a fold strictly in log order. Rebuilding read
// models, the benchmark and offline checks replay through it.
//
// Decoding a JSON payload costs several times more than reading it, so the
// log is cut into batches that worker goroutines decode concurrently; a
// single goroutine applies the decoded batches in the order they were read.
// With a store that reads into lent batches (BatchScanner), applied batches
// go back to the reader, so a replay allocates per batch in flight, not per
// event. With a store that can leave payloads as stored (CodedScanner),
// the workers also decompress or unpack them, so the one reader only
// copies.
package replay

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/internal/packed"
)

// Scanner is implemented by stores that can stream their log to a callback
// without building slices. The event passed to fn is valid only during the
// call.
type Scanner interface {
	ScanAll(ctx context.Context, after uint64, fn func(*domain.Event) error) error
}

// BatchScanner is implemented by stores that read their log straight into
// batches the caller lends and takes back (the embedded store does): next
// lends the event slice to fill and the buffer to append payloads to, emit
// hands them back filled. Replay prefers it to Scanner: it recycles its
// batches, so reading the log copies and allocates nothing per event.
type BatchScanner interface {
	ScanBatches(ctx context.Context, after uint64,
		next func() (events []domain.Event, payloads []byte),
		emit func(events []domain.Event, payloads []byte) error) error
}

// A CodedScanner is a BatchScanner that can also leave each payload as the
// store keeps it (compressed against a dictionary, or packed), saying how
// in codings[i]. Run then decodes payloads on its decoding goroutines, in
// parallel, not on the one goroutine that reads the log; next lends the
// buffers as for ScanBatches, codings being the third.
type CodedScanner interface {
	ScanCoded(ctx context.Context, after uint64,
		next func() (events []domain.Event, coded []byte, codings []eventstore.PayloadCoding),
		emit func(events []domain.Event, coded []byte, codings []eventstore.PayloadCoding) error) error
}

// A PackedDecoder also decodes packed payloads (see eventstore.PayloadCoding)
// without rebuilding their JSON. *domain.Registry is one. With any other
// Decoder, Run rebuilds the JSON first.
type PackedDecoder interface {
	DecodePacked(e *domain.Event, sh *packed.Shape, vals []byte, decompress func(dst, src []byte) ([]byte, error)) (domain.EventData, error)
}

// Decoder turns a stored event's payload into its typed data.
// *domain.Registry is the Decoder every caller uses; tests wrap it to count
// decodes. The data returned must not alias e.Payload, whose memory replay
// reuses (the registry decodes from its own copy).
type Decoder interface {
	Decode(e *domain.Event) (domain.EventData, error)
}

// ApplyFunc folds one decoded event. It runs on one goroutine, in log order.
// e, and e.Payload, are valid only during the call (replay reuses their
// memory): keep a copy of what is needed. data, and e's strings, may be kept.
// With Options.PayloadsUnread, e.Payload is nil for a packed payload that
// the Decoder decoded directly (PackedDecoder).
type ApplyFunc func(e *domain.Event, data domain.EventData) error

// Options tune a replay.
type Options struct {
	// After is the position to start after; 0 replays from the beginning.
	After uint64
	// Until stops the replay after this position; 0 means the log's end as
	// it was when the replay started.
	Until uint64
	// Workers is the number of decoding goroutines; 0 means GOMAXPROCS.
	Workers int
	// BatchSize is the number of events per batch; 0 means 256 from a
	// BatchScanner (a batch then stays in a core's cache from the read to
	// the fold) and 1024 otherwise (fewer, larger reads).
	BatchSize int
	// PayloadsUnread says the ApplyFunc reads neither e.Payload nor what
	// is computed from it (e.Verify, e.ComputeHash): only the decoded data.
	// A store's packed payloads are then decoded without rebuilding their
	// JSON (PackedDecoder), and e.Payload is nil for them. Read models set
	// it; an audit trail, which checks each event's hash, does not.
	PayloadsUnread bool
}

// Stats reports what a replay did.
type Stats struct {
	Events int    // events applied
	Last   uint64 // position of the last event applied, or Options.After
}

type batch struct {
	events   []domain.Event
	payloads []byte                     // the memory events' payloads lie in, when recycled
	coded    []byte                     // from a CodedScanner: the payloads as stored
	codings  []eventstore.PayloadCoding // from a CodedScanner: how each is coded
	datas    []domain.EventData
	err      error // decoding failed at events[bad]
	bad      int
	done     chan struct{}
}

// errStop ends a scan once Until is reached.
var errStop = errors.New("replay: reached the end position")

// Run replays the log of s after opts.After, decoding each event once with
// reg and applying it with apply. It stops at the first decode or apply error
// and names the event.
func Run(ctx context.Context, s eventstore.Store, reg Decoder, opts Options, apply ApplyFunc) (Stats, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1024
		_, batches := s.(BatchScanner)
		if _, coded := s.(CodedScanner); coded || batches {
			opts.BatchSize = 256
		}
	}
	stats := Stats{Last: opts.After}
	if opts.Until == 0 {
		head, err := s.Head(ctx)
		if err != nil {
			return stats, fmt.Errorf("replay: %w", err)
		}
		opts.Until = head
	}
	if opts.Until <= opts.After {
		return stats, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	work := make(chan *batch, opts.Workers*2)
	ordered := make(chan *batch, opts.Workers*4)
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				decode(b, reg, opts.PayloadsUnread)
				close(b.done)
			}
		}()
	}

	// The reader cuts the log into batches and queues each twice: to a
	// decoder and, in order, to the applier, which hands it back to the
	// pool once applied. At most cap(ordered)+2 batches are in flight.
	pool := newPool(opts.BatchSize, cap(ordered)+2)
	readErr := make(chan error, 1)
	go func() {
		defer close(ordered)
		defer close(work)
		readErr <- read(ctx, s, opts, pool, func(b *batch) bool {
			b.done = make(chan struct{})
			select {
			case work <- b:
			case <-ctx.Done():
				return false
			}
			select {
			case ordered <- b:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()

	var applyErr error
	for b := range ordered {
		<-b.done
		if applyErr != nil {
			continue
		}
		for i := range b.events[:b.bad] {
			if err := apply(&b.events[i], b.datas[i]); err != nil {
				e := &b.events[i]
				applyErr = fmt.Errorf("replay: apply %s at position %d (stream %s, version %d): %w", e.Type, e.Position, e.Stream, e.Version, err)
				cancel()
				break
			}
			stats.Events++
			stats.Last = b.events[i].Position
		}
		if b.err != nil && applyErr == nil {
			applyErr = fmt.Errorf("replay: %w", b.err)
			cancel()
		}
		if applyErr == nil {
			pool.put(b)
		}
	}
	wg.Wait()
	if applyErr != nil {
		return stats, applyErr
	}
	if err := <-readErr; err != nil && !errors.Is(err, errStop) {
		return stats, fmt.Errorf("replay: read log: %w", err)
	}
	return stats, ctx.Err()
}

// decode decodes b's events in order into b.datas: a payload a
// CodedScanner left packed is decoded from its values when reg can and
// unread says nobody reads the payload's bytes; any other coded payload is
// first decoded into b.payloads. It stops at the first event that fails,
// and records it in b.bad and b.err.
func decode(b *batch, reg Decoder, unread bool) {
	b.datas = resize(b.datas, len(b.events))
	b.bad = len(b.events)
	var pd PackedDecoder
	if unread {
		pd, _ = reg.(PackedDecoder)
	}
	for i := range b.events {
		e := &b.events[i]
		var d domain.EventData
		var err error
		switch c := coding(b, i); {
		case c.Shape != nil && pd != nil:
			d, err = pd.DecodePacked(e, c.Shape, e.Payload, c.Decompress)
			e.Payload = nil
			err = damaged(err)
		case c.Decompress != nil:
			if err = payloadInto(b, e, c); err == nil {
				d, err = reg.Decode(e)
			}
		default:
			d, err = reg.Decode(e)
		}
		if err != nil {
			b.err = fmt.Errorf("position %d: %w", e.Position, err)
			b.bad = i
			return
		}
		b.datas[i] = d
	}
}

// coding returns how b's i-th payload is coded (the zero coding when b
// did not come from a CodedScanner).
func coding(b *batch, i int) eventstore.PayloadCoding {
	if i < len(b.codings) {
		return b.codings[i]
	}
	return eventstore.PayloadCoding{}
}

// payloadInto decodes e's coded payload onto the end of b.payloads and
// points e.Payload at it (nil when empty). An earlier event's payload may
// stay in memory the buffer has outgrown; it is not changed.
func payloadInto(b *batch, e *domain.Event, c eventstore.PayloadCoding) error {
	start := len(b.payloads)
	var out []byte
	var err error
	if c.Shape != nil {
		out, err = packed.Unpack(b.payloads, c.Shape, e.Payload, c.Decompress)
	} else {
		out, err = c.Decompress(b.payloads, e.Payload)
	}
	if err != nil {
		return fmt.Errorf("decode payload: %w", damaged(err))
	}
	b.payloads = out
	e.Payload = nil
	if len(out) > start {
		e.Payload = out[start:len(out):len(out)]
	}
	return nil
}

// damaged marks a packed payload that does not decode as a damaged
// store's: the store handed out values it could not have written.
func damaged(err error) error {
	if errors.Is(err, packed.ErrCorrupt) && !errors.Is(err, eventstore.ErrDamaged) {
		return fmt.Errorf("%w: %w", eventstore.ErrDamaged, err)
	}
	return err
}

// read feeds batches of copied events to emit until opts.Until.
func read(ctx context.Context, s eventstore.Store, opts Options, pool *pool, emit func(*batch) bool) error {
	if cs, ok := s.(CodedScanner); ok {
		return readCoded(ctx, cs, opts, pool, emit)
	}
	if bs, ok := s.(BatchScanner); ok {
		return readBatches(ctx, bs, opts, pool, emit)
	}
	if sc, ok := s.(Scanner); ok {
		cur := make([]domain.Event, 0, opts.BatchSize)
		var arena []byte
		flush := func() bool {
			if len(cur) == 0 {
				return true
			}
			ok := emit(&batch{events: cur})
			cur = make([]domain.Event, 0, opts.BatchSize)
			arena = nil
			return ok
		}
		err := sc.ScanAll(ctx, opts.After, func(e *domain.Event) error {
			if e.Position > opts.Until {
				return errStop
			}
			ev := *e
			// Copy the payload into a per-batch arena: one allocation per
			// batch instead of one per event, and safe after the scan moves on.
			if cap(arena)-len(arena) < len(e.Payload) {
				arena = make([]byte, 0, max(64<<10, len(e.Payload)))
			}
			start := len(arena)
			arena = append(arena, e.Payload...)
			ev.Payload = arena[start:len(arena):len(arena)]
			cur = append(cur, ev)
			if len(cur) == opts.BatchSize && !flush() {
				return ctx.Err()
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return err
		}
		if !flush() {
			return ctx.Err()
		}
		return nil
	}
	after := opts.After
	for after < opts.Until {
		events, err := s.ReadAll(ctx, after, opts.BatchSize)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		n := len(events)
		for n > 0 && events[n-1].Position > opts.Until {
			n--
		}
		if n == 0 {
			return nil
		}
		if !emit(&batch{events: events[:n]}) {
			return ctx.Err()
		}
		after = events[n-1].Position
	}
	return nil
}
