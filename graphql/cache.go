package graphql

import (
	"sync"

	"taskledger/projections"
	"taskledger/projections/scoring"
)

// onceCache computes each key's value once, making concurrent callers of
// the same key wait for the first, and keeps at most max values (evicting
// the oldest). A failed computation is not kept.
type onceCache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	m     map[K]*cacheEntry[V]
	order []K
}

type cacheEntry[V any] struct {
	done chan struct{}
	v    V
	err  error
}

func newOnceCache[K comparable, V any](max int) *onceCache[K, V] {
	return &onceCache[K, V]{max: max, m: map[K]*cacheEntry[V]{}}
}

func (c *onceCache[K, V]) get(key K, compute func() (V, error)) (V, error) {
	c.mu.Lock()
	if e, ok := c.m[key]; ok {
		c.mu.Unlock()
		<-e.done
		return e.v, e.err
	}
	e := &cacheEntry[V]{done: make(chan struct{})}
	c.m[key] = e
	c.order = append(c.order, key)
	for len(c.order) > c.max {
		old := c.order[0]
		c.order = c.order[1:]
		delete(c.m, old)
	}
	c.mu.Unlock()

	e.v, e.err = compute()
	close(e.done)
	if e.err != nil {
		c.mu.Lock()
		if c.m[key] == e {
			delete(c.m, key)
			for i, k := range c.order {
				if k == key {
					c.order = append(c.order[:i], c.order[i+1:]...)
					break
				}
			}
		}
		c.mu.Unlock()
	}
	return e.v, e.err
}

// cutKey names read models built as of a cut, valid while the log head is
// unchanged (events recorded before the cut can still be appended, e.g. by
// a simulation).
type cutKey struct {
	at   int64 // UnixNano; 0 for none
	head uint64
}

// scoreKey names one scorecard computation.
type scoreKey struct {
	plan    string
	year    int
	kind    scoring.Kind
	scheme  string
	version int
	adopted bool
	at      int64 // UnixNano
	pos     uint64
	models  uint64 // projections.Views.Version of live models; 0 otherwise
}

// caches holds the server's computed values.
type caches struct {
	views     *onceCache[cutKey, *projections.Views]
	scores    *onceCache[scoreKey, scored]
	published *onceCache[scoreKey, computed]
}

func newCaches() *caches {
	return &caches{
		views:     newOnceCache[cutKey, *projections.Views](4),
		scores:    newOnceCache[scoreKey, scored](32),
		published: newOnceCache[scoreKey, computed](32),
	}
}
