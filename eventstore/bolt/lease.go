package bolt

import (
	"context"

	"taskledger/eventstore"
)

var _ eventstore.Leaser = (*Store)(nil)

// TryLease implements eventstore.Leaser: the process that opened the
// ledger file holds it locked, so it holds every lease until the store
// closes.
func (s *Store) TryLease(context.Context, eventstore.LeaseRequest) (eventstore.Lease, error) {
	select {
	case <-s.done:
		return nil, eventstore.ErrClosed
	default:
	}
	return eventstore.ProcessLease(s), nil
}
