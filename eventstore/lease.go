package eventstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// Leaser is implemented by stores that can grant a named lease to one
// holder at a time, across every process that opens the same ledger. Serve
// replicas use it so that only one of them runs the background work
// (deadline watcher, reminder delivery) at any moment.
type Leaser interface {
	// TryLease takes the lease req names if nobody holds it and returns it;
	// when another holder has it, it returns an error matching
	// ErrLeaseHeld (a *LeaseHeldError naming the holder where the store
	// knows it). It does not wait for the lease.
	TryLease(ctx context.Context, req LeaseRequest) (Lease, error)
}

// LeaseRequest names a lease and the one asking for it.
type LeaseRequest struct {
	// Name names the lease, e.g. "background".
	Name string
	// Holder says who asks, for other holders' messages (host, process,
	// address); it is not an identity check.
	Holder string
	// Check is how often the holder makes sure it still holds the lease;
	// zero means DefaultLeaseCheck.
	Check time.Duration
}

// DefaultLeaseCheck is how often a lease is checked when the request does
// not say.
const DefaultLeaseCheck = 5 * time.Second

// Lease is a held lease.
type Lease interface {
	// Lost is closed when the lease ends: released, lost (the connection
	// that held it failed) or its store closed. Work done under the lease
	// stops when it is closed.
	Lost() <-chan struct{}
	// Release gives the lease up; it is safe to call more than once.
	Release() error
}

// ErrLeaseHeld matches the error of TryLease when another holder has the
// lease.
var ErrLeaseHeld = errors.New("the lease is held by another holder")

// LeaseHeldError reports who holds a lease another asked for.
type LeaseHeldError struct {
	Name string
	// Holder is the holder's LeaseRequest.Holder; empty when unknown.
	Holder string
}

func (e *LeaseHeldError) Error() string {
	if e.Holder == "" {
		return fmt.Sprintf("lease %q is held by another holder", e.Name)
	}
	return fmt.Sprintf("lease %q is held by %s", e.Name, e.Holder)
}

// Is makes errors.Is(err, ErrLeaseHeld) true.
func (e *LeaseHeldError) Is(target error) bool { return target == ErrLeaseHeld }

// ProcessLease returns a lease for a store that only one process can open
// at a time (the embedded store holds its file locked; the memory store
// lives in one process): such a process holds every lease. The lease is
// lost when the store closes.
func ProcessLease(s Store) Lease {
	ctx, cancel := context.WithCancel(context.Background())
	l := &processLease{lost: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(l.lost)
		// Nothing is ever appended beyond the largest position: this
		// returns when the store closes or the lease is released.
		_ = s.WaitForAppend(ctx, math.MaxUint64)
	}()
	return l
}

type processLease struct {
	once   sync.Once
	lost   chan struct{}
	cancel context.CancelFunc
}

func (l *processLease) Lost() <-chan struct{} { return l.lost }

func (l *processLease) Release() error {
	l.once.Do(l.cancel)
	<-l.lost
	return nil
}
