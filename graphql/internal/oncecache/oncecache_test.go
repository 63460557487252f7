package oncecache

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestComputesOnceAndEvicts(t *testing.T) {
	c := New[int, string](2)
	var runs atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.Get(1, func() (string, error) { runs.Add(1); <-release; return "one", nil })
			if v != "one" || err != nil {
				t.Errorf("Get: %q %v", v, err)
			}
		}()
	}
	time.Sleep(20 * time.Millisecond) // let the others queue behind the first
	close(release)
	wg.Wait()
	if runs.Load() != 1 {
		t.Fatalf("%d computations of one key", runs.Load())
	}
	count := func() (string, error) { runs.Add(1); return "v", nil }
	c.Get(2, count)
	c.Get(3, count) // evicts 1
	before := runs.Load()
	c.Get(1, count)
	if runs.Load() != before+1 {
		t.Errorf("the oldest value was not evicted")
	}
}

func TestFailuresAreNotKept(t *testing.T) {
	c := New[string, int](4)
	boom := errors.New("boom")
	if _, err := c.Get("k", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if v, err := c.Get("k", func() (int, error) { return 7, nil }); v != 7 || err != nil {
		t.Errorf("after a failure: %d %v", v, err)
	}
}

func TestSizedEvictsByBytes(t *testing.T) {
	c := NewSized[int, int](10, 100, func(v int) int64 { return int64(v) })
	for k, v := range []int{40, 40, 40} {
		if _, err := c.Get(k, func() (int, error) { return v, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if n, b := c.Len(); n != 2 || b != 80 {
		t.Fatalf("after 120 bytes under a 100-byte bound: %d entries, %d bytes", n, b)
	}
	// A value larger than the bound is kept alone.
	c.Get(9, func() (int, error) { return 500, nil })
	if n, b := c.Len(); n != 1 || b != 500 {
		t.Errorf("after a 500-byte value: %d entries, %d bytes", n, b)
	}
	// A failure leaves the accounting as it was.
	c.Get(10, func() (int, error) { return 0, errors.New("boom") })
	if n, b := c.Len(); n != 1 || b != 500 {
		t.Errorf("after a failure: %d entries, %d bytes", n, b)
	}
}
