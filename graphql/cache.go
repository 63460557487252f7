package graphql

import (
	"taskledger/graphql/internal/oncecache"
	"taskledger/projections/scoring"
)

// onceCache is an oncecache.Cache with the lowercase get the resolvers
// call.
type onceCache[K comparable, V any] struct {
	c *oncecache.Cache[K, V]
}

func newOnceCache[K comparable, V any](max int) *onceCache[K, V] {
	return &onceCache[K, V]{c: oncecache.New[K, V](max)}
}

func (c *onceCache[K, V]) get(key K, compute func() (V, error)) (V, error) {
	return c.c.Get(key, compute)
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
	scores    *onceCache[scoreKey, scored]
	published *onceCache[scoreKey, computed]
}

func newCaches() *caches {
	return &caches{
		scores:    newOnceCache[scoreKey, scored](32),
		published: newOnceCache[scoreKey, computed](32),
	}
}
