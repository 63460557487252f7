package eventstore

import (
	"context"
	"errors"
	"fmt"

	"taskledger/domain"
)

// SubscribeBatch is how many events a subscription reads per store call.
const SubscribeBatch = 1024

// Subscription delivers the global log from a position onwards: first what is
// already stored (catch-up), then each event as it commits (live), in log
// order, with no gap and no duplicate at the boundary between the two.
type Subscription struct {
	events chan domain.Event
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// Subscribe starts a subscription to every event whose position is greater
// than after. Events arrive on Events(); the channel closes when ctx ends,
// Close is called or the store fails, and Err then tells why.
func Subscribe(ctx context.Context, s Store, after uint64) *Subscription {
	ctx, cancel := context.WithCancel(ctx)
	sub := &Subscription{
		events: make(chan domain.Event, SubscribeBatch),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go sub.run(ctx, s, after)
	return sub
}

func (sub *Subscription) run(ctx context.Context, s Store, after uint64) {
	defer close(sub.done)
	defer close(sub.events)
	for {
		batch, err := s.ReadAll(ctx, after, SubscribeBatch)
		if err != nil {
			sub.err = fmt.Errorf("subscription after position %d: %w", after, err)
			return
		}
		for _, e := range batch {
			select {
			case sub.events <- e:
				after = e.Position
			case <-ctx.Done():
				sub.err = ctx.Err()
				return
			}
		}
		if len(batch) == SubscribeBatch {
			continue
		}
		if err := s.WaitForAppend(ctx, after); err != nil {
			sub.err = err
			return
		}
	}
}

// Events is the channel the subscription delivers on.
func (sub *Subscription) Events() <-chan domain.Event { return sub.events }

// Close stops the subscription and waits for its goroutine to end.
func (sub *Subscription) Close() error {
	sub.cancel()
	<-sub.done
	return nil
}

// Err reports why the subscription ended: nil while it runs, context.Canceled
// after Close, or the store's error.
func (sub *Subscription) Err() error {
	select {
	case <-sub.done:
		if errors.Is(sub.err, context.Canceled) {
			return context.Canceled
		}
		return sub.err
	default:
		return nil
	}
}
