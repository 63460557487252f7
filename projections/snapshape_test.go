package projections

import (
	"reflect"
	"testing"
	"time"
)

// TestStateShapeFollowsTheStateType: a field added, removed, renamed or
// retyped anywhere in a model's state changes the shape a snapshot records,
// so that an older snapshot is rebuilt instead of read with zero values.
func TestStateShapeFollowsTheStateType(t *testing.T) {
	type inner struct{ A, B string }
	type base struct {
		Pos   uint64
		Items map[string][]inner
		At    time.Time
	}
	type added struct {
		Pos   uint64
		Items map[string][]inner
		At    time.Time
		More  int
	}
	type innerRetyped struct{ A, B int }
	type retyped struct {
		Pos   uint64
		Items map[string][]innerRetyped
		At    time.Time
	}
	type renamed struct {
		Pos   uint64
		Entry map[string][]inner
		At    time.Time
	}
	want := stateShape(base{})
	if stateShape(base{}) != want {
		t.Fatal("the shape of one type changes between calls")
	}
	for name, other := range map[string]any{"added": added{}, "retyped": retyped{}, "renamed": renamed{}} {
		if stateShape(other) == want {
			t.Errorf("%s: the same shape as the original", name)
		}
	}
}

// TestSnapshotStatesHoldOnlyWhatGobWrites: every struct in a model's
// snapshot state is written by gob whole — its fields are all exported, or
// it encodes itself (time.Time) — so a snapshot cannot silently drop part
// of a model.
func TestSnapshotStatesHoldOnlyWhatGobWrites(t *testing.T) {
	v := NewViews(Config{})
	for _, m := range []Model{v.Obligations, v.Audit, v.Catalog, v.Indicators} {
		checkGobWritesAll(t, m.Name(), reflect.TypeOf(m.state()), map[reflect.Type]bool{})
	}
}

func checkGobWritesAll(t *testing.T, path string, ty reflect.Type, seen map[reflect.Type]bool) {
	t.Helper()
	if seen[ty] || encodesItself(ty) {
		return
	}
	seen[ty] = true
	switch ty.Kind() {
	case reflect.Struct:
		for f := range ty.Fields() {
			if !f.IsExported() {
				t.Errorf("%s: field %s of %s is not exported: gob leaves it out of the snapshot", path, f.Name, ty)
				continue
			}
			checkGobWritesAll(t, path+"."+f.Name, f.Type, seen)
		}
	case reflect.Map:
		checkGobWritesAll(t, path+"[key]", ty.Key(), seen)
		checkGobWritesAll(t, path+"[]", ty.Elem(), seen)
	case reflect.Slice, reflect.Array, reflect.Pointer:
		checkGobWritesAll(t, path+"[]", ty.Elem(), seen)
	case reflect.Interface, reflect.Func, reflect.Chan:
		t.Errorf("%s: a %s cannot be snapshotted faithfully", path, ty.Kind())
	}
}
