package leader_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/leader"
)

// oneHolder is a store whose lease one of its users holds at a time, and
// which the test can take away from the holder.
type oneHolder struct {
	*memory.Store
	mu     sync.Mutex
	holder string
	revoke chan struct{}
	// refused counts the tries turned away because another user held the lease.
	refused atomic.Int32
}

type testLease struct {
	s    *oneHolder
	lost chan struct{}
	once sync.Once
}

func (l *testLease) Lost() <-chan struct{} { return l.lost }
func (l *testLease) Release() error {
	l.once.Do(func() {
		l.s.mu.Lock()
		l.s.holder = ""
		l.s.mu.Unlock()
		close(l.lost)
	})
	return nil
}

func (s *oneHolder) TryLease(_ context.Context, req eventstore.LeaseRequest) (eventstore.Lease, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holder != "" {
		s.refused.Add(1)
		return nil, &eventstore.LeaseHeldError{Name: req.Name, Holder: s.holder}
	}
	s.holder = req.Holder
	l := &testLease{s: s, lost: make(chan struct{})}
	revoke := s.revoke
	go func() {
		select {
		case <-revoke:
			_ = l.Release()
		case <-l.lost:
		}
	}()
	return l, nil
}

// Two replicas over one store: the work runs on one at a time; when the
// holder loses its lease its work stops and the other takes over; when
// ctx ends, Run returns with the work stopped.
func TestOneReplicaWorksAtATime(t *testing.T) {
	s := &oneHolder{Store: memory.New(), revoke: make(chan struct{})}
	var running, maxRunning atomic.Int32
	started := make(chan string, 16)
	work := func(name string) leader.Work {
		return func(ctx context.Context) {
			n := running.Add(1)
			for m := maxRunning.Load(); n > m && !maxRunning.CompareAndSwap(m, n); m = maxRunning.Load() {
			}
			started <- name
			<-ctx.Done()
			running.Add(-1)
		}
	}
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		logMu.Lock()
		defer logMu.Unlock()
		return logs.Write(p)
	}), nil))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, name := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			leader.Run(ctx, leader.Config{Store: s, Holder: name, Every: 10 * time.Millisecond, Logger: logger}, work(name))
		}()
	}
	first := waitFor(t, started)
	// The other replica must have been turned away once before the lease
	// moves, or the test would not see it stand by.
	for deadline := time.Now().Add(5 * time.Second); s.refused.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the second replica never tried the held lease within 5s")
		}
	}
	close(s.revoke) // the first holder loses its lease
	s.mu.Lock()
	s.revoke = make(chan struct{})
	s.mu.Unlock()
	second := waitFor(t, started)
	cancel()
	wg.Wait()
	if running.Load() != 0 {
		t.Fatalf("%d works still running after Run returned", running.Load())
	}
	if maxRunning.Load() != 1 {
		t.Fatalf("%d works ran at once", maxRunning.Load())
	}
	t.Logf("%s led first, then %s", first, second)
	logMu.Lock()
	defer logMu.Unlock()
	for _, want := range []string{"this replica leads", "another replica leads", "lost the lease"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, logs.String())
		}
	}
}

// A store that cannot elect a leader runs the work at once; a store closed
// under a process lease ends the work and Run.
func TestWithoutAndWithProcessLease(t *testing.T) {
	s := memory.New()
	done := make(chan struct{})
	started := make(chan string, 1)
	go func() {
		defer close(done)
		leader.Run(context.Background(), leader.Config{Store: s, Holder: "only", Every: 10 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)},
			func(ctx context.Context) { started <- "only"; <-ctx.Done() })
	}()
	waitFor(t, started)
	_ = s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its store closed")
	}
	ran := false
	leader.Run(context.Background(), leader.Config{Store: noLeaser{memory.New()}, Logger: slog.New(slog.DiscardHandler)},
		func(context.Context) { ran = true })
	if !ran {
		t.Fatal("a store without leases did not run the work")
	}
}

type noLeaser struct{ eventstore.Store }

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func waitFor(t *testing.T, c <-chan string) string {
	t.Helper()
	select {
	case s := <-c:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("no replica started the work within 5s")
	}
	return ""
}
