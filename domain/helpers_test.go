package domain

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// base is the default clock of the tests: 2025-03-01 10:00 in Shanghai.
var base = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, Shanghai())
}

func metaAt(now time.Time) Meta {
	return Meta{Actor: "tester", Now: now, IdempotencyKey: "key-1"}
}

// timed is a given event with its recorded time and, when it was
// backdated, its effective time (zero: the recorded time).
type timed struct {
	at   time.Time
	data EventData
	eff  time.Time
}

func at(t time.Time, d EventData) timed { return timed{at: t, data: d} }

// backdatedTo is d recorded at rec and backdated to eff.
func backdatedTo(rec, eff time.Time, d EventData) timed { return timed{at: rec, data: d, eff: eff} }

// given folds the events (EventData, applied at base, or timed) into a new
// aggregate for stream.
func given(t *testing.T, stream string, events ...any) VersionedAggregate {
	t.Helper()
	agg, err := NewAggregate(stream)
	if err != nil {
		// A command with an invalid ID names an invalid stream; give it
		// the empty aggregate of its kind so the decision can refuse it.
		kind, _, _ := strings.Cut(stream, "-")
		switch StreamKind(kind) {
		case StreamPlan:
			agg = &Plan{}
		case StreamTask:
			agg = &Task{}
		case StreamUnit:
			agg = &Unit{}
		case StreamObligation:
			agg = &Obligation{}
		default:
			t.Fatalf("NewAggregate(%q): %v", stream, err)
		}
	}
	for _, ev := range events {
		when, eff, data := base, time.Time{}, EventData(nil)
		switch x := ev.(type) {
		case timed:
			when, eff, data = x.at, x.eff, x.data
		case EventData:
			data = x
		default:
			t.Fatalf("given: %T is not an event", ev)
		}
		if eff.IsZero() {
			eff = when
		}
		e := &Event{Version: agg.Version() + 1, RecordedAt: when, EffectiveAt: eff, Type: data.EventType()}
		if err := agg.Apply(e, data); err != nil {
			t.Fatalf("given: apply %T: %v", data, err)
		}
	}
	return agg
}

// applyAt folds decided events at time when.
func applyAt(t *testing.T, agg VersionedAggregate, when time.Time, events []EventData) {
	t.Helper()
	for _, d := range events {
		e := &Event{Version: agg.Version() + 1, RecordedAt: when, EffectiveAt: when, Type: d.EventType()}
		if err := agg.Apply(e, d); err != nil {
			t.Fatalf("apply decided %T: %v", d, err)
		}
	}
}

// decideCase is one row of a decision table.
type decideCase struct {
	name  string
	given []any
	cmd   Command
	// now is the command's time; zero means base.
	now time.Time
	// meta overrides the whole Meta when set.
	meta *Meta
	// want is the sentinel the error must match; nil means success.
	want *Error
	// events, when non-nil, are the exact events expected; noEvents expects
	// success with no events.
	events   []EventData
	noEvents bool
}

func runDecide(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			agg := given(t, c.cmd.Stream(), c.given...)
			before := given(t, c.cmd.Stream(), c.given...)
			m := metaAt(base)
			if !c.now.IsZero() {
				m = metaAt(c.now)
			}
			if c.meta != nil {
				m = *c.meta
			}
			got, err := Decide(agg, c.cmd, m)
			if !reflect.DeepEqual(agg, before) {
				t.Fatalf("the decision changed the aggregate:\n%+v\nwas\n%+v", agg, before)
			}
			if c.want != nil {
				if !errors.Is(err, c.want) {
					t.Fatalf("error %v, want %q", err, c.want.Msg)
				}
				if CodeOf(err) != c.want.Code {
					t.Fatalf("code %q, want %q", CodeOf(err), c.want.Code)
				}
				if got != nil {
					t.Fatalf("events %v with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if c.noEvents {
				if len(got) != 0 {
					t.Fatalf("got events %+v, want none", got)
				}
				return
			}
			if len(got) == 0 {
				t.Fatal("no events")
			}
			if c.events != nil && !reflect.DeepEqual(got, c.events) {
				t.Fatalf("events\n%+v\nwant\n%+v", got, c.events)
			}
			applyAt(t, agg, m.Effective(), got)
			for _, d := range got {
				if s := StreamOf(d); s != c.cmd.Stream() {
					t.Errorf("%T belongs on %q, the command acts on %q", d, s, c.cmd.Stream())
				}
			}
		})
	}
}
