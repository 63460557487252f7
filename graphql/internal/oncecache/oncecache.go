// Package oncecache keeps a bounded number of computed values, computing
// each key's value once: concurrent callers of the same key wait for the
// first caller's computation instead of repeating it. The API keeps read
// models built as of a past moment and scorecard computations in such
// caches.
package oncecache

import "sync"

// Cache holds at most max values, evicting the oldest, and, when it has a
// size function, values whose estimated sizes add up to at most maxBytes
// (the newest value is always kept, however large). A failed computation
// is not kept. Its methods are safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	max      int
	maxBytes int64
	size     func(V) int64
	bytes    int64 // sum of the sizes of finished entries
	m        map[K]*entry[V]
	order    []K
}

type entry[V any] struct {
	done chan struct{}
	v    V
	err  error
	size int64 // set once done, under the cache's lock
}

// New returns an empty cache that keeps at most max values.
func New[K comparable, V any](max int) *Cache[K, V] {
	return &Cache[K, V]{max: max, m: map[K]*entry[V]{}}
}

// NewSized returns an empty cache that keeps at most max values whose
// sizes, as estimated by size, add up to at most maxBytes.
func NewSized[K comparable, V any](max int, maxBytes int64, size func(V) int64) *Cache[K, V] {
	return &Cache[K, V]{max: max, maxBytes: maxBytes, size: size, m: map[K]*entry[V]{}}
}

// Len returns how many values the cache holds (or is computing), and
// Bytes the sum of their estimated sizes (zero without a size function).
func (c *Cache[K, V]) Len() (n int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m), c.bytes
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
		c.evictOldest()
	}
	c.mu.Unlock()

	e.v, e.err = compute()
	close(e.done)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[key] != e {
		return e.v, e.err // already evicted
	}
	if e.err != nil {
		c.remove(key)
		return e.v, e.err
	}
	if c.size != nil {
		e.size = c.size(e.v)
		c.bytes += e.size
		for c.bytes > c.maxBytes && len(c.order) > 1 && c.order[0] != key {
			c.evictOldest()
		}
	}
	return e.v, e.err
}

// evictOldest drops the oldest entry; c.mu is held.
func (c *Cache[K, V]) evictOldest() {
	old := c.order[0]
	c.order = c.order[1:]
	if e, ok := c.m[old]; ok {
		c.bytes -= e.size
		delete(c.m, old)
	}
}

// remove drops key's entry; c.mu is held.
func (c *Cache[K, V]) remove(key K) {
	if e, ok := c.m[key]; ok {
		c.bytes -= e.size
		delete(c.m, key)
	}
	for i, k := range c.order {
		if k == key {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}
