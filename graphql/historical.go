package graphql

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"taskledger/auth"
	"taskledger/graphql/internal/oncecache"
	"taskledger/internal/msg"
	"taskledger/projections"
)

// Historical evaluations — read models rebuilt from the log as of a past
// moment or log position (viewsAt, computeAt) — are the API's most
// expensive work: each reads the log up to its cut and folds it. They
// share one cache bounded by count and estimated memory, and run under a
// gate: at most Limits.MaxHistoricalPerPrincipal at once for one token,
// and Limits.MaxHistoricalRunning on the whole server, so that one client
// asking for many moments waits its turn instead of taking every core and
// gigabytes of memory from everyone else. Waiting is bounded by the
// request's context.

// historicalKey names read models built as of a cut. A cut by time alone
// stays valid while the log head is unchanged (events recorded before the
// cut can still be appended, e.g. by a simulation); a cut by position is
// immutable, and its head is zero.
type historicalKey struct {
	at   int64 // UnixNano; 0 for none
	pos  uint64
	head uint64
}

// Estimated memory of read models: a fixed part, and a part for each
// event folded (measured on the demo year: about 140 bytes an event once
// built; the estimate leaves room).
const (
	viewsBaseBytes     = 64 << 10
	viewsBytesPerEvent = 192
)

// viewsSize estimates the memory read models hold.
func viewsSize(v *projections.Views) int64 {
	return viewsBaseBytes + viewsBytesPerEvent*int64(v.Position())
}

// historical builds read models as of past cuts through a shared cache and
// a per-principal gate.
type historical struct {
	build  func(ctx context.Context, cut projections.Cut) (*projections.Views, error)
	cache  *oncecache.Cache[historicalKey, *projections.Views]
	gate   *gate
	builds func() // counts a build, for tests; may be nil
}

// views returns the read models as of cut, from the cache or built under
// the gate for the request's principal.
func (h *historical) views(ctx context.Context, key historicalKey, cut projections.Cut) (*projections.Views, error) {
	return h.cache.Get(key, func() (*projections.Views, error) {
		release, err := h.gate.acquire(ctx, gateKey(principalOf(ctx)))
		if err != nil {
			return nil, err
		}
		defer release()
		if h.builds != nil {
			h.builds()
		}
		v, err := h.build(ctx, cut)
		if err != nil {
			return nil, fmt.Errorf("build read models as of %+v: %w", cut, err)
		}
		return v, nil
	})
}

// run runs fn, an evaluation as of another moment that is not a rebuild
// (a scorecard computed at a chosen instant), under the gate for the
// request's principal.
func (h *historical) run(ctx context.Context, fn func() error) error {
	release, err := h.gate.acquire(ctx, gateKey(principalOf(ctx)))
	if err != nil {
		return err
	}
	defer release()
	return fn()
}

// gateKey names whose turn a historical evaluation waits for: the token,
// or one shared turn for everyone without a token.
func gateKey(p auth.Principal) string {
	if p.TokenID != "" {
		return "token:" + p.TokenID
	}
	if p.Person.ID != "" {
		return "acct:" + p.Person.ID
	}
	return "role:" + string(p.Role)
}

// gate bounds concurrent work per key and in all.
type gate struct {
	all    chan struct{}
	perKey int

	mu   sync.Mutex
	keys map[string]*keySlots
}

// keySlots are one key's slots and how many callers hold or wait for them
// (the entry is dropped when none do, so the map stays as small as the
// set of busy principals).
type keySlots struct {
	slots chan struct{}
	users int
}

func newGate(perKey, all int) *gate {
	return &gate{all: make(chan struct{}, all), perKey: perKey, keys: map[string]*keySlots{}}
}

// errBusy is returned when a request's context ends while it waits for a
// turn.
var errBusy = errors.New("waiting for a turn to evaluate the ledger as of another moment")

// acquire waits for a slot of key's and one of the server's, as long as
// ctx allows; release gives both back.
func (g *gate) acquire(ctx context.Context, key string) (release func(), err error) {
	g.mu.Lock()
	k := g.keys[key]
	if k == nil {
		k = &keySlots{slots: make(chan struct{}, g.perKey)}
		g.keys[key] = k
	}
	k.users++
	g.mu.Unlock()
	done := func() {
		g.mu.Lock()
		if k.users--; k.users == 0 {
			delete(g.keys, key)
		}
		g.mu.Unlock()
	}
	select {
	case k.slots <- struct{}{}:
	case <-ctx.Done():
		done()
		return nil, busyError(ctx)
	}
	select {
	case g.all <- struct{}{}:
	case <-ctx.Done():
		<-k.slots
		done()
		return nil, busyError(ctx)
	}
	return func() {
		<-g.all
		<-k.slots
		done()
	}, nil
}

// busyError explains a wait that ran out: the client asked for more
// moments than its turn allowed within the request's time.
func busyError(ctx context.Context) error {
	e := refuse(msg.APIBusy, nil)
	e.code, e.kind, e.err = CodeCostLimited, "limit", fmt.Errorf("%w: %w", errBusy, ctx.Err())
	return e
}
