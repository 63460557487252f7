package replay

import (
	"context"

	"taskledger/domain"
	"taskledger/eventstore"
)

// pool recycles batches, their events and their payload memory, from the
// applier back to the reader, so that a replay through a BatchScanner
// allocates per batch in flight, not per event.
type pool struct {
	size int
	free chan *batch
}

func newPool(size, keep int) *pool {
	return &pool{size: size, free: make(chan *batch, keep)}
}

// get returns a free batch, or a new one, with room for size events.
func (p *pool) get() *batch {
	select {
	case b := <-p.free:
		return b
	default:
		return &batch{events: make([]domain.Event, p.size)}
	}
}

// put takes back a batch that has been applied. Only batches whose events
// were lent by the pool are kept; their decoded values are dropped.
func (p *pool) put(b *batch) {
	if cap(b.events) != p.size {
		return
	}
	clear(b.datas)
	*b = batch{events: b.events, payloads: b.payloads[:0], coded: b.coded[:0], codings: b.codings[:0], datas: b.datas[:0]}
	select {
	case p.free <- b:
	default:
	}
}

// readBatches reads the log after opts.After up to opts.Until into the
// pool's batches and feeds them to emit.
func readBatches(ctx context.Context, s BatchScanner, opts Options, pool *pool, emit func(*batch) bool) error {
	last := opts.After
	var cur *batch
	return s.ScanBatches(ctx, opts.After,
		func() ([]domain.Event, []byte) {
			n := min(uint64(pool.size), opts.Until-last)
			if n == 0 {
				return nil, nil
			}
			cur = pool.get()
			return cur.events[:n], cur.payloads[:0]
		},
		func(events []domain.Event, payloads []byte) error {
			cur.events, cur.payloads = events, payloads
			last = events[len(events)-1].Position
			if !emit(cur) {
				return ctx.Err()
			}
			return nil
		})
}

// readCoded is readBatches for a CodedScanner: the batches carry their
// payloads coded, for the decoding goroutines to inflate.
func readCoded(ctx context.Context, s CodedScanner, opts Options, pool *pool, emit func(*batch) bool) error {
	last := opts.After
	var cur *batch
	return s.ScanCoded(ctx, opts.After,
		func() ([]domain.Event, []byte, []eventstore.PayloadCoding) {
			n := min(uint64(pool.size), opts.Until-last)
			if n == 0 {
				return nil, nil, nil
			}
			cur = pool.get()
			return cur.events[:n], cur.coded[:0], cur.codings[:0]
		},
		func(events []domain.Event, coded []byte, codings []eventstore.PayloadCoding) error {
			cur.events, cur.coded, cur.codings = events, coded, codings
			last = events[len(events)-1].Position
			if !emit(cur) {
				return ctx.Err()
			}
			return nil
		})
}

// resize returns s with length n, reusing its memory when it is large enough.
func resize(s []domain.EventData, n int) []domain.EventData {
	if cap(s) < n {
		return make([]domain.EventData, n)
	}
	return s[:n]
}
