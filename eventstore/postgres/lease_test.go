package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"taskledger/eventstore"
	"taskledger/eventstore/postgres"
	"taskledger/eventstore/postgres/pgtest"
)

func tryLease(t *testing.T, s *postgres.Store, holder string) (eventstore.Lease, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.TryLease(ctx, eventstore.LeaseRequest{Name: "background", Holder: holder, Check: 50 * time.Millisecond})
}

// lost waits for a lease to end, failing the test after a few seconds.
func lost(t *testing.T, l eventstore.Lease, what string) {
	t.Helper()
	select {
	case <-l.Lost():
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: the lease was not lost within 5s", what)
	}
}

// One store of a ledger holds a lease at a time; the others are told who
// holds it; a release or the holder's Close lets another take it; a ledger
// in another schema has leases of its own.
func TestLeaseOneHolderAtATime(t *testing.T) {
	conn := pgtest.URL(t)
	a := open(t, conn, postgres.Options{Create: true})
	b := open(t, conn, postgres.Options{})
	other := open(t, pgtest.URL(t), postgres.Options{Create: true})

	la, err := tryLease(t, a, "replica-a")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tryLease(t, b, "replica-b")
	var held *eventstore.LeaseHeldError
	if !errors.As(err, &held) || !errors.Is(err, eventstore.ErrLeaseHeld) || !strings.Contains(held.Holder, "replica-a") {
		t.Fatalf("a second holder: %v, want ErrLeaseHeld naming replica-a", err)
	}
	if lo, err := tryLease(t, other, "replica-o"); err != nil {
		t.Fatalf("a ledger in another schema: %v", err)
	} else {
		defer lo.Release()
	}
	if err := la.Release(); err != nil {
		t.Fatal(err)
	}
	lost(t, la, "released")
	lb, err := tryLease(t, b, "replica-b")
	if err != nil {
		t.Fatalf("after the release: %v", err)
	}
	if _, err := tryLease(t, a, "replica-a"); !errors.Is(err, eventstore.ErrLeaseHeld) {
		t.Fatalf("while b holds it: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	lost(t, lb, "its store closed")
	if _, err := tryLease(t, a, "replica-a"); err != nil {
		t.Fatalf("after the holder closed its store: %v", err)
	}
	if _, err := tryLease(t, b, "replica-b"); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("a closed store: %v, want ErrClosed", err)
	}
}

// A lease whose connection the server ends is lost at the next check, and
// another store can take it.
func TestLeaseLostWithItsConnection(t *testing.T) {
	conn := pgtest.URL(t)
	a := open(t, conn, postgres.Options{Create: true})
	b := open(t, conn, postgres.Options{})
	la, err := tryLease(t, a, "replica-a")
	if err != nil {
		t.Fatal(err)
	}
	key := postgres.LeaseKey(a.Schema(), "background")
	n := pgtest.Query[int64](t, pgtest.Server(t), `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 1 AND classid::bigint = $1 AND objid::bigint = $2`,
		int64(uint64(key)>>32), int64(uint64(key)&0xffffffff))
	if n != 1 {
		t.Fatalf("%d sessions hold the lease's lock, want 1", n)
	}
	lost(t, la, "connection terminated")
	if _, err := tryLease(t, b, "replica-b"); err != nil {
		t.Fatalf("after the holder's connection ended: %v", err)
	}
}
