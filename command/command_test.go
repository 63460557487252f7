package command_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
)

// counted is a minimal event for a minimal aggregate.
type counted struct {
	By int `json:"by"`
}

func (counted) EventType() string { return "Counted" }

var errLimit = errors.New("limit reached")

type counter struct{ total int }

func (c *counter) Apply(_ *domain.Event, data domain.EventData) error {
	ev, ok := data.(counted)
	if !ok {
		return fmt.Errorf("unexpected %T", data)
	}
	c.total += ev.By
	return nil
}

func (c *counter) add(by, limit int) ([]domain.EventData, error) {
	if by == 0 {
		return nil, nil
	}
	if c.total+by > limit {
		return nil, errLimit
	}
	return []domain.EventData{counted{By: by}}, nil
}

func newHandler(opts ...command.Option) (*command.Handler, *memory.Store) {
	reg := domain.NewRegistry()
	reg.Register(counted{}, 1)
	s := memory.New()
	return command.NewHandler(s, reg, opts...), s
}

func meta(key string) domain.Meta {
	return domain.Meta{Actor: "tester", Now: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), IdempotencyKey: key}
}

func add(ctx context.Context, h *command.Handler, key string, by, limit int) (command.Result, error) {
	return command.Execute(ctx, h, "counter-1", meta(key), func() *counter { return &counter{} },
		func(c *counter) ([]domain.EventData, error) { return c.add(by, limit) })
}

func TestExecuteRecordsAndRetryIsHarmless(t *testing.T) {
	ctx := context.Background()
	h, s := newHandler()
	first, err := add(ctx, h, "req-1", 2, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Events) != 1 || first.Position != 1 || first.StreamVersion != 1 || first.Duplicate {
		t.Fatalf("first result %+v", first)
	}
	if first.Events[0].ID != domain.DeriveEventID("req-1", 0) || first.Events[0].Actor != "tester" {
		t.Fatalf("event envelope %+v", first.Events[0])
	}
	again, err := add(ctx, h, "req-1", 2, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.Events[0].ID != first.Events[0].ID || again.Position != first.Position {
		t.Fatalf("retry result %+v, want the first attempt's events", again)
	}
	head, _ := s.Head(ctx)
	if head != 1 {
		t.Fatalf("log holds %d events after a retried command, want 1", head)
	}
}

func TestDecisionErrorChangesNothing(t *testing.T) {
	ctx := context.Background()
	h, s := newHandler()
	if _, err := add(ctx, h, "a", 8, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := add(ctx, h, "b", 5, 10); !errors.Is(err, errLimit) {
		t.Fatalf("over the limit: %v, want errLimit", err)
	}
	if head, _ := s.Head(ctx); head != 1 {
		t.Fatalf("a refused command appended: head %d", head)
	}
}

func TestEmptyDecisionAppendsNothing(t *testing.T) {
	ctx := context.Background()
	h, s := newHandler()
	res, err := add(ctx, h, "zero", 0, 10)
	if err != nil || len(res.Events) != 0 || res.Position != 0 {
		t.Fatalf("empty decision: %+v, %v", res, err)
	}
	if head, _ := s.Head(ctx); head != 0 {
		t.Fatalf("head %d after an empty decision", head)
	}
}

func TestMissingIdempotencyKey(t *testing.T) {
	h, _ := newHandler()
	if _, err := add(context.Background(), h, " ", 1, 10); !errors.Is(err, command.ErrNoIdempotencyKey) {
		t.Fatalf("no key: %v", err)
	}
}

func TestConcurrentCommandsAllLand(t *testing.T) {
	ctx := context.Background()
	h, _ := newHandler(command.WithMaxAttempts(100))
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := add(ctx, h, fmt.Sprintf("k%d", i), 1, 1000); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c := &counter{}
	version, _, err := h.Load(ctx, "counter-1", c)
	if err != nil {
		t.Fatal(err)
	}
	if c.total != n || version != n {
		t.Fatalf("total %d at version %d after %d concurrent commands", c.total, version, n)
	}
}

// conflicting wraps a store and answers every append with a version conflict.
type conflicting struct{ eventstore.Store }

func (c conflicting) Append(_ context.Context, stream string, x eventstore.ExpectedVersion, _ []domain.Event) (eventstore.AppendResult, error) {
	return eventstore.AppendResult{}, &eventstore.WrongExpectedVersionError{Stream: stream, Expected: x, Actual: 99}
}

func TestGivesUpAfterBoundedAttempts(t *testing.T) {
	reg := domain.NewRegistry()
	reg.Register(counted{}, 1)
	h := command.NewHandler(conflicting{memory.New()}, reg, command.WithMaxAttempts(3))
	calls := 0
	_, err := command.Execute(context.Background(), h, "counter-1", meta("x"), func() *counter { return &counter{} },
		func(c *counter) ([]domain.EventData, error) { calls++; return c.add(1, 10) })
	if !errors.Is(err, command.ErrContention) {
		t.Fatalf("err %v, want ErrContention", err)
	}
	if calls != 3 {
		t.Fatalf("decided %d times, want 3", calls)
	}
}
