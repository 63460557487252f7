package respcache

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrent identical misses compute once; a request that read older
// models than the cache has moved on to runs without it.
func TestComputesOnce(t *testing.T) {
	c := New(time.Minute)
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	gen := c.GenerationAt(10, now)
	var runs atomic.Int32
	release := make(chan struct{})
	compute := func() Response {
		runs.Add(1)
		<-release
		return Response{Status: 200, Body: []byte(`{"data":{}}`), Keep: true}
	}
	var wg sync.WaitGroup
	var hits atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, hit := c.Do(context.Background(), Key{1}, gen, compute)
			if string(res.Body) != `{"data":{}}` {
				t.Errorf("body %q", res.Body)
			}
			if hit {
				hits.Add(1)
			}
		}()
	}
	time.Sleep(20 * time.Millisecond) // let the others queue behind the first
	close(release)
	wg.Wait()
	if runs.Load() != 1 || hits.Load() != 7 {
		t.Fatalf("%d computations, %d hits; want 1 and 7", runs.Load(), hits.Load())
	}

	newer := c.GenerationAt(11, now)
	if _, hit := c.Do(context.Background(), Key{1}, newer, compute); hit || runs.Load() != 2 {
		t.Fatalf("a newer generation hit the old entry")
	}
	if _, hit := c.Do(context.Background(), Key{1}, gen, compute); hit || runs.Load() != 3 {
		t.Fatalf("an older generation was served from the cache")
	}
	if _, hit := c.Do(context.Background(), Key{1}, newer, compute); !hit || runs.Load() != 3 {
		t.Fatalf("the older request disturbed the newer entry")
	}

	// A response that is not cacheable is not kept.
	dirty := func() Response { runs.Add(1); return Response{Status: 200, Body: []byte("x")} }
	c.Do(context.Background(), Key{2}, newer, dirty)
	if _, hit := c.Do(context.Background(), Key{2}, newer, dirty); hit {
		t.Fatalf("an uncacheable response was kept")
	}
	// Nor one beyond the byte budget.
	c.maxBytes = c.bytes + 4
	big := func() Response { return Response{Status: 200, Body: []byte("0123456789"), Keep: true} }
	c.Do(context.Background(), Key{3}, newer, big)
	if _, hit := c.Do(context.Background(), Key{3}, newer, big); hit {
		t.Fatalf("a response beyond the byte budget was kept")
	}
}

// Keys tell apart every part of a request, and who asks.
func TestKeyOf(t *testing.T) {
	base := Request{Identity: []string{"tok", "COUNTY", "county.a", "甲"}, OperationName: "Q", Query: "{ me { name } }", Variables: map[string]any{"a": 1, "b": "x"}}
	k0, err := KeyOf(base)
	if err != nil {
		t.Fatal(err)
	}
	same := base
	same.Variables = map[string]any{"b": "x", "a": 1}
	if k, _ := KeyOf(same); k != k0 {
		t.Errorf("the order of variables changed the key")
	}
	for name, r := range map[string]Request{
		"identity":  {Identity: []string{"tok", "COUNTY", "county.b", "甲"}, OperationName: "Q", Query: base.Query, Variables: base.Variables},
		"split":     {Identity: []string{"tokCOUNTY", "", "county.a", "甲"}, OperationName: "Q", Query: base.Query, Variables: base.Variables},
		"operation": {Identity: base.Identity, OperationName: "R", Query: base.Query, Variables: base.Variables},
		"query":     {Identity: base.Identity, OperationName: "Q", Query: "{ me { role } }", Variables: base.Variables},
		"variables": {Identity: base.Identity, OperationName: "Q", Query: base.Query, Variables: map[string]any{"a": 2, "b": "x"}},
	} {
		if k, _ := KeyOf(r); k == k0 {
			t.Errorf("another %s gave the same key", name)
		}
	}
	if _, err := KeyOf(Request{Variables: map[string]any{"f": func() {}}}); err == nil {
		t.Errorf("unencodable variables gave a key")
	}
}
