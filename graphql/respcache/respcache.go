// Package respcache shares the response of a read-only GraphQL request
// among identical requests made while the data it reads cannot have
// changed.
//
// A kept response belongs to a generation: the version of the read models
// it was computed from and a window of the clock (the clock divided by the
// cache's TTL). A request in a later generation drops every kept response,
// so a reader never gets a response older than the models it could read
// itself, nor one older than the TTL (answers such as traffic lights move
// with the clock too). Concurrent identical misses wait for the first
// request's result instead of each computing it. The caller decides which
// requests may be kept at all (read-only queries over the read models) and
// which responses (a success computed while the models stayed at the
// generation it is kept under).
package respcache

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTTL is how long a response is reused while the read models are
// unchanged, unless the server is told otherwise.
const DefaultTTL = time.Second

// Default bounds of the cache.
const (
	defaultMaxBytes  = 64 << 20
	maxResponseBytes = 4 << 20
)

// Cache keeps recent responses. Its methods are safe for concurrent use.
type Cache struct {
	ttl      time.Duration
	maxBytes int

	mu      sync.Mutex
	gen     Generation
	entries map[Key]*entry
	bytes   int

	hits, misses atomic.Uint64
}

// New returns a cache whose responses live for one window of ttl, or nil
// when ttl is not positive (no cache).
func New(ttl time.Duration) *Cache {
	if ttl <= 0 {
		return nil
	}
	return &Cache{ttl: ttl, maxBytes: defaultMaxBytes, entries: map[Key]*entry{}}
}

// Generation is what a kept response depends on besides the request.
type Generation struct {
	// Version is the read models' version (projections.Views.Version).
	Version uint64
	// Window is the clock divided by the cache's TTL.
	Window int64
}

func (g Generation) after(o Generation) bool {
	return g.Version > o.Version || (g.Version == o.Version && g.Window > o.Window)
}

// GenerationAt returns the generation of read models at version at the
// instant now.
func (c *Cache) GenerationAt(version uint64, now time.Time) Generation {
	return Generation{Version: version, Window: now.UnixNano() / int64(c.ttl)}
}

// Key names a request within a generation.
type Key [32]byte

// Request is everything about a request its response depends on besides
// the generation.
type Request struct {
	// Identity says who asks (token ID, role, unit, name…): requests by
	// different principals never share a response.
	Identity      []string
	OperationName string
	Query         string
	Variables     map[string]any
}

// KeyOf digests a request.
func KeyOf(r Request) (Key, error) {
	var key Key
	vars, err := json.Marshal(r.Variables) // maps marshal with sorted keys
	if err != nil {
		return key, fmt.Errorf("respcache: encode variables: %w", err)
	}
	h := sha256.New()
	write := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	// The identity's length first, so its parts cannot run into the rest.
	write(fmt.Sprint(len(r.Identity)))
	for _, s := range r.Identity {
		write(s)
	}
	for _, s := range []string{r.OperationName, r.Query, string(vars)} {
		write(s)
	}
	h.Sum(key[:0])
	return key, nil
}

// Response is a finished response.
type Response struct {
	Status int
	Body   []byte
	// Keep: the response may be shared with identical requests of the
	// generation it was computed for.
	Keep bool
}

type entry struct {
	done chan struct{}
	res  Response
	kept bool
}

// Do returns the kept response for key in generation gen, or runs compute
// and keeps its result when it says Keep (and it fits: 4 MiB each, 64 MiB
// in all). hit reports a kept response. A request whose generation is
// older than the cache's (it read the models before a newer request moved
// the cache on) runs without the cache; so does one whose context ends
// while it waits for another's computation.
func (c *Cache) Do(ctx context.Context, key Key, gen Generation, compute func() Response) (res Response, hit bool) {
	c.mu.Lock()
	switch {
	case gen.after(c.gen):
		c.gen = gen
		clear(c.entries)
		c.bytes = 0
	case gen != c.gen:
		c.mu.Unlock()
		c.misses.Add(1)
		return compute(), false
	}
	if e, ok := c.entries[key]; ok {
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			c.misses.Add(1)
			return compute(), false
		}
		if e.kept {
			c.hits.Add(1)
			return e.res, true
		}
		c.misses.Add(1)
		return compute(), false
	}
	e := &entry{done: make(chan struct{})}
	c.entries[key] = e
	c.mu.Unlock()
	c.misses.Add(1)

	res = compute()
	c.mu.Lock()
	if res.Keep && len(res.Body) <= maxResponseBytes && c.gen == gen && c.bytes+len(res.Body) <= c.maxBytes {
		e.res, e.kept = res, true
		c.bytes += len(res.Body)
	} else if c.gen == gen && c.entries[key] == e {
		delete(c.entries, key)
	}
	c.mu.Unlock()
	close(e.done)
	return res, false
}

// Stats returns how many requests were answered with a kept response and
// how many were computed.
func (c *Cache) Stats() (hits, misses uint64) {
	return c.hits.Load(), c.misses.Load()
}
