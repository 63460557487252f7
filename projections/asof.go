package projections

import (
	"context"
	"fmt"
	"time"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/replay"
)

// Cut says how much of the log a view is built from.
type Cut struct {
	// Position, when set, keeps events at or before this log position.
	Position uint64
	// Time, when set, keeps events recorded at or before this instant.
	Time time.Time
}

// String describes the cut for messages.
func (c Cut) String() string {
	switch {
	case c.Position > 0 && !c.Time.IsZero():
		return fmt.Sprintf("position %d recorded by %s", c.Position, c.Time.Format(time.RFC3339))
	case c.Position > 0:
		return fmt.Sprintf("position %d", c.Position)
	case !c.Time.IsZero():
		return "recorded by " + c.Time.Format(time.RFC3339)
	}
	return "the whole log"
}

// BuildAt builds fresh read models from the log as it stood at a cut: the
// events at or before cut.Position that were recorded at or before cut.Time.
// This is, by construction, what replaying the log up to that point gives.
func BuildAt(ctx context.Context, s eventstore.Store, reg *domain.Registry, cfg Config, cut Cut) (*Views, error) {
	v := NewViews(cfg)
	_, err := replay.Run(ctx, s, reg, replay.Options{Until: cut.Position}, func(e *domain.Event, d domain.EventData) error {
		if !cut.Time.IsZero() && e.RecordedAt.After(cut.Time) {
			return nil
		}
		return v.Apply(e, d)
	})
	if err != nil {
		return nil, fmt.Errorf("read models as of %s: %w", cut, err)
	}
	return v, nil
}
