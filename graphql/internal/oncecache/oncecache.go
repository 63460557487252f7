// Package oncecache keeps a bounded number of computed values, computing
// each key's value once: concurrent callers of the same key wait for the
// first caller's computation instead of repeating it. The API keeps read
// models built as of a past moment and scorecard computations in such
// caches.
package oncecache

import "sync"

// Cache holds at most max values, evicting the oldest. A failed
// computation is not kept. Its methods are safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	m     map[K]*entry[V]
	order []K
}

type entry[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// New returns an empty cache that keeps at most max values.
func New[K comparable, V any](max int) *Cache[K, V] {
	return &Cache[K, V]{max: max, m: map[K]*entry[V]{}}
}

// Get returns key's value, calling compute to make it when the cache has
// none (or waiting for the caller already doing so).
func (c *Cache[K, V]) Get(key K, compute func() (V, error)) (V, error) {
	c.mu.Lock()
	if e, ok := c.m[key]; ok {
		c.mu.Unlock()
		<-e.done
		return e.v, e.err
	}
	e := &entry[V]{done: make(chan struct{})}
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
