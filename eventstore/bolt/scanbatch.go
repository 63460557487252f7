package bolt

import (
	"context"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
	"taskledger/eventstore"
)

// ScanBatches reads every event whose position is greater than after, in log
// order, up to the head as it was when ScanBatches began, into batches whose
// memory the caller lends: the replay path, which neither copies an event
// nor allocates one per event.
//
// For each batch it calls next for buffers: events, of which it fills at
// most len(events) (an empty slice ends the scan), and payloads, to which it
// appends the batch's payloads, decompressed, from its length on (growing it
// when needed). It then calls emit with the events it filled (at least one;
// each e.Payload a slice of the buffer, or nil when empty) and the payload
// buffer as grown. From then on both belong to the caller, who may lend them
// to a later next once it is done with them. A batch is read in one read
// transaction; emit runs outside it and may append to the store.
//
// An error from emit stops the scan and is returned as it is; ctx's error,
// ErrClosed if the store closes and read errors are wrapped.
//
// The scan reads the log's pages from the file with pread (see
// fileCursor), not through bbolt's memory map, so a full replay holds none
// of the file resident. Where the file could not be opened for that, it
// reads through the map and, every 4 MiB, drops the pages it has read
// from the process's mapping (see mappedRange).
func (s *Store) ScanBatches(ctx context.Context, after uint64,
	next func() (events []domain.Event, payloads []byte),
	emit func(events []domain.Event, payloads []byte) error) error {
	return s.scanBatches(ctx, after, false,
		func() ([]domain.Event, []byte, []eventstore.PayloadCoding) {
			events, payloads := next()
			return events, payloads, nil
		},
		func(events []domain.Event, payloads []byte, _ []eventstore.PayloadCoding) error {
			return emit(events, payloads)
		})
}

// ScanCoded is ScanBatches leaving each payload as the ledger stores it,
// and saying how it is coded in codings[i] (a slice of the third buffer
// next lends, grown like payloads):
//   - a payload stored compressed is copied compressed, with the
//     Decompress of its type's dictionary;
//   - a packed payload (format 4) is its values, with its Shape and the
//     Decompress its strings are coded with (domain.Registry.DecodePacked
//     reads them, packed.Unpack rebuilds the JSON);
//   - a payload stored as it is has the zero coding.
//
// The scan is one goroutine; decompressing is about half of what it does
// per event in ScanBatches. Left coded, the payloads can be decoded by the
// goroutines that decode them, in parallel (replay.Run does this).
func (s *Store) ScanCoded(ctx context.Context, after uint64,
	next func() (events []domain.Event, coded []byte, codings []eventstore.PayloadCoding),
	emit func(events []domain.Event, coded []byte, codings []eventstore.PayloadCoding) error) error {
	return s.scanBatches(ctx, after, true, next, emit)
}

// scanBatches is ScanBatches (payloads decompressed, dicts nil) and, with
// coded set, ScanCoded.
func (s *Store) scanBatches(ctx context.Context, after uint64, coded bool,
	next func() (events []domain.Event, payloads []byte, codings []eventstore.PayloadCoding),
	emit func(events []domain.Event, payloads []byte, codings []eventstore.PayloadCoding) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.exit()
	until := s.head.Load()
	var r *logReader // carried from one transaction to the next
	var mapped mappedRange
	for after < until {
		if err := s.alive(ctx); err != nil {
			return fmt.Errorf("bolt: scan log after %d: %w", after, err)
		}
		events, payloads, codings := next()
		if len(events) == 0 {
			return nil
		}
		events = events[:min(uint64(len(events)), uint64(scanTxEvents), until-after)]
		codings = codings[:0]
		err := s.viewTx(func(tx *bbolt.Tx, ov *overlay) error {
			var err error
			if r, err = s.resume(tx, ov, r, after+1); err != nil {
				return err
			}
			r.mapped, r.mapBase = &mapped, tx.DB().Info().Data
			r.readFromFile(tx, s.pages)
			for i := range events {
				if !coded {
					payloads, err = r.nextInto(&events[i], payloads)
				} else {
					var c eventstore.PayloadCoding
					payloads, c, err = r.nextCoded(&events[i], payloads)
					codings = append(codings, c)
				}
				if err != nil {
					return err
				}
			}
			// The batch's payloads are copies: nothing points into the map.
			mapped.release(tx)
			return nil
		})
		if err != nil {
			return fmt.Errorf("bolt: scan log after %d: %w", after, s.closedErr(err))
		}
		if err := emit(events, payloads, codings); err != nil {
			return err
		}
		after += uint64(len(events))
	}
	return nil
}

// resume returns a reader of tx's log positioned at position from: r moved
// to tx when it stands there already (saving the seek from a checkpoint),
// else a new one.
func (s *Store) resume(tx *bbolt.Tx, ov *overlay, r *logReader, from uint64) (*logReader, error) {
	if r == nil || r.pos != from {
		return s.reader(tx, ov, from)
	}
	v, err := s.view(tx, ov, true)
	if err != nil {
		return nil, err
	}
	if from > v.head {
		return nil, fmt.Errorf("read position %d: log head is %d", from, v.head)
	}
	r.rebind(v, s.names.snapshot(tx.Bucket(bucketNames)))
	return r, nil
}
