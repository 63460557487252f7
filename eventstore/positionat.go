package eventstore

import (
	"context"
	"fmt"
	"time"
)

// PositionAt returns the last log position recorded by t: the end of the
// prefix of the log whose events were recorded at or before t, 0 when the
// log's first event is later. The ledger assigns recorded times that never
// decrease along the log (verify checks it), so the prefix is found by a
// binary search over positions: about log2(head) reads of one event.
// Positions need not be dense.
func PositionAt(ctx context.Context, s Store, t time.Time) (uint64, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return 0, fmt.Errorf("position at %s: %w", t.Format(time.RFC3339), err)
	}
	// Invariant: every event at or before lo was recorded by t; the first
	// event after hi (if any) was not.
	var lo, hi uint64 = 0, head
	for lo < hi {
		mid := lo + (hi-lo)/2
		next, err := s.ReadAll(ctx, mid, 1)
		if err != nil {
			return 0, fmt.Errorf("position at %s: %w", t.Format(time.RFC3339), err)
		}
		switch {
		case len(next) == 0:
			hi = mid
		case next[0].RecordedAt.After(t):
			hi = mid
		default:
			lo = next[0].Position
		}
	}
	return lo, nil
}
