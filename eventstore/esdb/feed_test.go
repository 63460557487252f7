package esdb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/feed"
	"taskledger/eventstore/storetest"
)

// TestFeedOverEventStoreDB runs the Watermill subscriber (eventstore/feed)
// over this adapter and the test double: catch-up, then live events, in log
// order, a nack redelivered before later events, the checkpoint at the last
// acked commit position, and a resume from that checkpoint.
func TestFeedOverEventStoreDB(t *testing.T) {
	s, _ := openDouble(t)
	defer s.Close()
	ctx := context.Background()
	var stored []domain.Event
	appendN := func(n int) {
		for i := 0; i < n; i++ {
			res, err := s.Append(ctx, fmt.Sprintf("obligation-%d", i%4), eventstore.Any(),
				[]domain.Event{storetest.NewEvent("ProgressReported", fmt.Sprint(len(stored)))})
			if err != nil {
				t.Fatal(err)
			}
			stored = append(stored, res.Events...)
		}
	}
	appendN(40)

	cps := feed.NewMemoryCheckpoints()
	sub, err := feed.NewSubscriber(s, feed.Config{Checkpoints: cps, NackDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	failID := stored[7].ID
	var mu sync.Mutex
	var got []domain.Event
	failed := 0
	handler := func(msg *message.Message) error {
		e, ok := feed.EventFrom(msg)
		if !ok {
			return errors.New("message carries no event")
		}
		mu.Lock()
		defer mu.Unlock()
		if e.ID == failID && failed < 2 {
			failed++
			return errors.New("not yet")
		}
		got = append(got, *e)
		return nil
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 5 * time.Second}, watermill.NopLogger{})
	if err != nil {
		t.Fatal(err)
	}
	router.AddConsumerHandler("projection", "projection", sub, handler)
	go func() { _ = router.Run(ctx) }()
	<-router.Running()

	waitUntil(t, "catch-up", func() bool { return count() == 40 })
	appendN(15)
	waitUntil(t, "live events", func() bool { return count() == 55 })
	mu.Lock()
	for i, e := range got {
		if e.ID != stored[i].ID || e.Position != stored[i].Position {
			mu.Unlock()
			t.Fatalf("delivery %d is %s at %d, the log has %s at %d", i, e.ID, e.Position, stored[i].ID, stored[i].Position)
		}
	}
	if failed != 2 {
		t.Errorf("the failing event was tried %d times before success, want 2 failures", failed)
	}
	mu.Unlock()
	waitUntil(t, "checkpoint", func() bool {
		pos, _ := cps.Load(ctx, "projection")
		return pos == stored[54].Position
	})
	if err := router.Close(); err != nil {
		t.Fatal(err)
	}
	_ = sub.Close()

	// Resume from a checkpoint in the middle: a new subscriber delivers
	// exactly the events after it (positions are exclusive).
	if err := cps.Save(ctx, "rebuild", stored[29].Position); err != nil {
		t.Fatal(err)
	}
	sub2, err := feed.NewSubscriber(s, feed.Config{Checkpoints: cps})
	if err != nil {
		t.Fatal(err)
	}
	defer sub2.Close()
	msgs, err := sub2.Subscribe(ctx, "rebuild")
	if err != nil {
		t.Fatal(err)
	}
	for i := 30; i < 55; i++ {
		select {
		case m := <-msgs:
			e, _ := feed.EventFrom(m)
			if e.ID != stored[i].ID {
				t.Fatalf("resumed delivery is %s, want event %d (%s)", e.ID, i, stored[i].ID)
			}
			m.Ack()
		case <-time.After(10 * time.Second):
			t.Fatalf("resumed subscriber stalled before event %d", i)
		}
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
