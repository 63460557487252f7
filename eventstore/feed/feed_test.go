package feed_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/feed"
	"taskledger/eventstore/memory"
	"taskledger/eventstore/storetest"
)

func appendN(t *testing.T, s eventstore.Store, n int) []domain.Event {
	t.Helper()
	var out []domain.Event
	for i := 0; i < n; i++ {
		res, err := s.Append(context.Background(), fmt.Sprintf("s-%d", i%3), eventstore.Any(),
			[]domain.Event{storetest.NewEvent("ProgressReported", fmt.Sprint(i))})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Events...)
	}
	return out
}

// recorder is a handler that remembers what it applied.
type recorder struct {
	mu   sync.Mutex
	got  []domain.Event
	fail func(e *domain.Event, attempt int) error
	seen map[uint64]int
}

func (r *recorder) handle(msg *message.Message) error {
	e, ok := feed.EventFrom(msg)
	if !ok {
		return errors.New("message carries no event")
	}
	if msg.UUID != e.ID.String() {
		return fmt.Errorf("message UUID %s, event ID %s", msg.UUID, e.ID)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[uint64]int{}
	}
	r.seen[e.Position]++
	if r.fail != nil {
		if err := r.fail(e, r.seen[e.Position]); err != nil {
			return err
		}
	}
	r.got = append(r.got, *e)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func runRouter(t *testing.T, sub message.Subscriber, topic string, h message.NoPublishHandlerFunc, mw ...message.HandlerMiddleware) *message.Router {
	t.Helper()
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 5 * time.Second}, watermill.NopLogger{})
	if err != nil {
		t.Fatal(err)
	}
	router.AddMiddleware(mw...)
	router.AddConsumerHandler(topic, topic, sub, h)
	go func() { _ = router.Run(context.Background()) }()
	<-router.Running()
	t.Cleanup(func() { _ = router.Close() })
	return router
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRouterCatchesUpThenGoesLiveInOrder(t *testing.T) {
	store := memory.New()
	defer store.Close()
	stored := appendN(t, store, 50)
	cps := feed.NewMemoryCheckpoints()
	sub, err := feed.NewSubscriber(store, feed.Config{Checkpoints: cps})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	rec := &recorder{}
	runRouter(t, sub, "obligations", rec.handle, middleware.Recoverer)
	waitFor(t, "catch-up", func() bool { return rec.count() == 50 })
	stored = append(stored, appendN(t, store, 25)...)
	waitFor(t, "live events", func() bool { return rec.count() == 75 })

	for i, e := range rec.got {
		if e.ID != stored[i].ID {
			t.Fatalf("delivery %d is position %d, want %d", i, e.Position, stored[i].Position)
		}
	}
	waitFor(t, "checkpoint", func() bool {
		pos, _ := cps.Load(context.Background(), "obligations")
		return pos == stored[74].Position
	})
}

func TestResumesFromCheckpoint(t *testing.T) {
	store := memory.New()
	defer store.Close()
	stored := appendN(t, store, 20)
	cps := feed.NewMemoryCheckpoints()
	if err := cps.Save(context.Background(), "board", stored[11].Position); err != nil {
		t.Fatal(err)
	}
	sub, err := feed.NewSubscriber(store, feed.Config{Checkpoints: cps})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	rec := &recorder{}
	runRouter(t, sub, "board", rec.handle)
	waitFor(t, "the events after the checkpoint", func() bool { return rec.count() == 8 })
	if rec.got[0].ID != stored[12].ID {
		t.Fatalf("first delivery is position %d, want %d", rec.got[0].Position, stored[12].Position)
	}
}

func TestNackRedeliversBeforeLaterEvents(t *testing.T) {
	store := memory.New()
	defer store.Close()
	stored := appendN(t, store, 10)
	cps := feed.NewMemoryCheckpoints()
	sub, err := feed.NewSubscriber(store, feed.Config{Checkpoints: cps, NackDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var checkpointWhileFailing uint64
	rec := &recorder{fail: func(e *domain.Event, attempt int) error {
		if e.Position == stored[4].Position && attempt <= 3 {
			checkpointWhileFailing, _ = cps.Load(context.Background(), "p")
			return errors.New("temporarily unable to apply")
		}
		return nil
	}}
	runRouter(t, sub, "p", rec.handle)
	waitFor(t, "all events", func() bool { return rec.count() == 10 })
	for i, e := range rec.got {
		if e.ID != stored[i].ID {
			t.Fatalf("delivery %d is position %d, want %d: order broken by redelivery", i, e.Position, stored[i].Position)
		}
	}
	if n := rec.seen[stored[4].Position]; n != 4 {
		t.Fatalf("the failing event was delivered %d times, want 4 (3 nacks, 1 ack)", n)
	}
	if rec.seen[stored[5].Position] != 1 {
		t.Fatalf("a later event was delivered %d times", rec.seen[stored[5].Position])
	}
	if checkpointWhileFailing != stored[3].Position {
		t.Fatalf("checkpoint while the event failed was %d, want %d (only acked events count)", checkpointWhileFailing, stored[3].Position)
	}
}

func TestRetryMiddlewareAndRecoverer(t *testing.T) {
	store := memory.New()
	defer store.Close()
	stored := appendN(t, store, 5)
	sub, err := feed.NewSubscriber(store, feed.Config{Checkpoints: feed.NewMemoryCheckpoints()})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	rec := &recorder{fail: func(e *domain.Event, attempt int) error {
		if e.Position == stored[2].Position && attempt == 1 {
			panic("projection bug")
		}
		return nil
	}}
	retry := middleware.Retry{MaxRetries: 3, InitialInterval: time.Millisecond}
	runRouter(t, sub, "r", rec.handle, middleware.Recoverer, retry.Middleware)
	waitFor(t, "all events", func() bool { return rec.count() == 5 })
	if rec.seen[stored[2].Position] != 2 {
		t.Fatalf("the panicking event was handled %d times, want 2", rec.seen[stored[2].Position])
	}
}

func TestCloseEndsSubscriptions(t *testing.T) {
	store := memory.New()
	defer store.Close()
	sub, err := feed.NewSubscriber(store, feed.Config{Checkpoints: feed.NewMemoryCheckpoints()})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := sub.Subscribe(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		for range ch {
		}
		close(done)
	}()
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not close the message channel")
	}
	if _, err := sub.Subscribe(context.Background(), "y"); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("Subscribe after Close: %v, want ErrClosed", err)
	}
}

func TestNewSubscriberNeedsCheckpoints(t *testing.T) {
	if _, err := feed.NewSubscriber(memory.New(), feed.Config{}); err == nil {
		t.Fatal("a subscriber without a checkpoint table was created")
	}
}
