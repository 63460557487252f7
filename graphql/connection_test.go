package graphql

import (
	"reflect"
	"strconv"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// page follows the Relay cursor algorithm over a list: forwards with
// first/after, backwards with last/before, with pageInfo telling whether
// there is more on either side, and totalCount the whole list.
func TestPage(t *testing.T) {
	s := &Server{limits: DefaultLimits()}
	items := []int{10, 20, 30, 40, 50}
	l := lister[int]{key: func(i int) string { return strconv.Itoa(i) }, sorted: true, def: 2}
	get := func(args pageArgs) ([]int, pageInfo) {
		t.Helper()
		c, err := page(s, items, l, args)
		if err != nil {
			t.Fatal(err)
		}
		if c.TotalCount() != 5 {
			t.Errorf("totalCount %d", c.TotalCount())
		}
		return c.nodes(), *c.info
	}
	got, info := get(pageArgs{})
	if !reflect.DeepEqual(got, []int{10, 20}) || !info.hasNext || info.hasPrev {
		t.Fatalf("default page: %v %+v", got, info)
	}
	got, info = get(pageArgs{First: ptr[int32](2), After: info.end})
	if !reflect.DeepEqual(got, []int{30, 40}) || !info.hasNext || !info.hasPrev {
		t.Fatalf("second page: %v %+v", got, info)
	}
	got, info = get(pageArgs{First: ptr[int32](2), After: info.end})
	if !reflect.DeepEqual(got, []int{50}) || info.hasNext {
		t.Fatalf("last page: %v %+v", got, info)
	}
	got, info = get(pageArgs{Last: ptr[int32](2), Before: ptr(encodeCursor("50"))})
	if !reflect.DeepEqual(got, []int{30, 40}) || !info.hasPrev || !info.hasNext {
		t.Fatalf("backwards: %v %+v", got, info)
	}
	// A sorted list finds the place of a node that is gone.
	got, _ = get(pageArgs{First: ptr[int32](2), After: ptr(encodeCursor("25"))})
	if !reflect.DeepEqual(got, []int{30, 40}) {
		t.Fatalf("after a vanished node: %v", got)
	}
	for name, args := range map[string]pageArgs{
		"first and last": {First: ptr[int32](1), Last: ptr[int32](1)},
		"first 0":        {First: ptr[int32](0)},
		"foreign cursor": {After: ptr("bm9wZQ")},
	} {
		if _, err := page(s, items, l, args); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	unsorted := lister[int]{key: l.key, def: 10}
	if _, err := page(s, items, unsorted, pageArgs{After: ptr(encodeCursor("25"))}); err == nil {
		t.Error("an unsorted list took a cursor of a node it does not hold")
	}
}
