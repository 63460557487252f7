package memory

import (
	"context"

	"taskledger/eventstore"
)

var _ eventstore.Leaser = (*Store)(nil)

// TryLease implements eventstore.Leaser: a memory store lives in one
// process, which holds every lease until the store closes.
func (s *Store) TryLease(context.Context, eventstore.LeaseRequest) (eventstore.Lease, error) {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return nil, eventstore.ErrClosed
	}
	return eventstore.ProcessLease(s), nil
}
