package bolt

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"taskledger/eventstore"
)

// The process that opened the ledger holds every lease, until it releases
// it or the store closes; a closed store grants none.
func TestProcessHoldsTheLease(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "ledger.db"), Options{})
	ctx := context.Background()
	l, err := s.TryLease(ctx, eventstore.LeaseRequest{Name: "background"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l, err = s.TryLease(ctx, eventstore.LeaseRequest{Name: "background"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.Lost():
		t.Fatal("lost while the store is open")
	case <-time.After(50 * time.Millisecond):
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.Lost():
	case <-time.After(5 * time.Second):
		t.Fatal("the lease outlived its store")
	}
	if _, err := s.TryLease(ctx, eventstore.LeaseRequest{Name: "background"}); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("a closed store: %v, want ErrClosed", err)
	}
}
