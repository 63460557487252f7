package graphql

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"taskledger/graphql/auth"
)

// DefaultResponseCacheTTL is how long the server reuses a read-only query's
// response while the read models are unchanged, unless Config says
// otherwise.
const DefaultResponseCacheTTL = time.Second

// Default bounds of the response cache.
const (
	defaultResponseCacheBytes = 64 << 20
	maxCachedResponseBytes    = 4 << 20
)

// cacheableRoots are the query fields whose answers depend only on the
// ledger's content (through the read models, or the plan's stream for
// publishedScorecards), the request's principal and the clock's day, so an
// identical request made while the models are unchanged gets the same
// answer. An event appended to the store reaches the models moments later
// and ends every kept response. The rest report the log head, the clock,
// checkpoint files or proofs and always run.
var cacheableRoots = map[string]bool{
	"me": true, "plan": true, "plans": true, "tasks": true, "task": true,
	"units": true, "unit": true, "obligations": true, "scorecard": true,
	"publishedScorecards": true,
	"__typename":          true, "__schema": true, "__type": true,
}

// responseCache shares the response of a read-only query among identical
// requests — same principal, document, operation and variables — made
// within one window of ttl while the read models stay at the same version.
// Any event applied to any model starts a new generation and drops every
// kept response, so a reader never sees a response older than the models
// it could read, nor one older than ttl (the light of an obligation changes
// with the clock, so the clock bounds reuse too). Concurrent identical
// misses wait for the first request's result instead of each computing it.
// Responses with errors are never kept.
type responseCache struct {
	ttl      time.Duration
	maxBytes int

	mu      sync.Mutex
	gen     generation
	entries map[[32]byte]*responseEntry
	bytes   int

	hits, misses atomic.Uint64
}

// generation is what a kept response depends on besides the request.
type generation struct {
	version uint64 // projections.Views.Version
	window  int64  // the clock divided by ttl
}

func (g generation) after(o generation) bool {
	return g.version > o.version || (g.version == o.version && g.window > o.window)
}

type responseEntry struct {
	done chan struct{}
	res  httpResult
	kept bool
}

// httpResult is a finished /graphql response.
type httpResult struct {
	status int
	body   []byte
	// cacheable: a 200 without errors, computed while the models stayed
	// at the generation it is kept under.
	cacheable bool
	// unauthenticated asks for a WWW-Authenticate header.
	unauthenticated bool
}

func newResponseCache(ttl time.Duration) *responseCache {
	if ttl <= 0 {
		return nil
	}
	return &responseCache{ttl: ttl, maxBytes: defaultResponseCacheBytes, entries: map[[32]byte]*responseEntry{}}
}

// generationAt returns the generation for read models at version and the
// instant now.
func (c *responseCache) generationAt(version uint64, now time.Time) generation {
	return generation{version: version, window: now.UnixNano() / int64(c.ttl)}
}

// responseKey digests everything about a request its response depends on
// besides the generation: who asks, what document, which operation, which
// variables. ok is false for requests that must not be cached.
func responseKey(p auth.Principal, a analysis, req request) (key [32]byte, ok bool) {
	if a.typ != ast.Query {
		return key, false
	}
	for _, f := range a.rootFields {
		if !cacheableRoots[f] {
			return key, false
		}
	}
	vars, err := json.Marshal(req.Variables) // maps marshal with sorted keys
	if err != nil {
		return key, false
	}
	h := sha256.New()
	for _, s := range []string{p.TokenID, string(p.Role), string(p.Unit), p.Name, req.OperationName, req.Query, string(vars)} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	h.Sum(key[:0])
	return key, true
}

// do returns the kept response for key in generation gen, or runs compute
// and keeps its result when it is cacheable. hit reports a kept response.
// A request whose generation is older than the cache's (it read the models
// before a newer request moved the cache on) runs without the cache.
func (c *responseCache) do(ctx context.Context, key [32]byte, gen generation, compute func() httpResult) (res httpResult, hit bool) {
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
	e := &responseEntry{done: make(chan struct{})}
	c.entries[key] = e
	c.mu.Unlock()
	c.misses.Add(1)

	res = compute()
	c.mu.Lock()
	if res.cacheable && len(res.body) <= maxCachedResponseBytes && c.gen == gen && c.bytes+len(res.body) <= c.maxBytes {
		e.res, e.kept = res, true
		c.bytes += len(res.body)
	} else if c.gen == gen && c.entries[key] == e {
		delete(c.entries, key)
	}
	c.mu.Unlock()
	close(e.done)
	return res, false
}
