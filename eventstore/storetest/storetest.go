// Package storetest is the contract every eventstore.Store adapter passes:
// ordering, optimistic concurrency under contention, idempotent re-append,
// global positions in commit order, recorded times that never decrease
// along the log, the hash chain, catch-up-then-live subscriptions, and
// typed errors. Each adapter's tests call Run.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Option adjusts what the suite may assume of an adapter.
type Option func(*config)

type config struct {
	dense bool
}

// DensePositions tells the suite the adapter numbers the global log 1, 2, 3…
// with no gaps, as the embedded store does. Adapters whose positions are
// sparse (EventStoreDB's commit positions) leave it out.
func DensePositions() Option { return func(c *config) { c.dense = true } }

// Run runs the contract suite. open must return a new, empty store; the
// suite closes it.
func Run(t *testing.T, open func(t *testing.T) eventstore.Store, opts ...Option) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s eventstore.Store, cfg config)
	}{
		{"AppendAndReadStream", testAppendAndReadStream},
		{"ReadStreamBackwards", testReadStreamBackwards},
		{"StreamNotFound", testStreamNotFound},
		{"ExpectedVersion", testExpectedVersion},
		{"RejectsBadAppend", testRejectsBadAppend},
		{"IdempotentReappend", testIdempotentReappend},
		{"RecordedTimeNeverDecreases", testRecordedTimeNeverDecreases},
		{"ZeroRecordedTimeRefused", testZeroRecordedTimeRefused},
		{"DuplicateDespiteClampedTime", testDuplicateDespiteClampedTime},
		{"ConcurrentWritersOneStream", testConcurrentWritersOneStream},
		{"GlobalOrder", testGlobalOrder},
		{"HashChain", testHashChain},
		{"SubscribeCatchUpThenLive", testSubscribeCatchUpThenLive},
		{"SubscribeFromMiddle", testSubscribeFromMiddle},
		{"WaitForAppendHonoursContext", testWaitForAppendHonoursContext},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			tc.fn(t, s, cfg)
		})
	}
}

var testTime = time.Date(2025, 6, 30, 9, 0, 0, 0, time.UTC)

// NewEvent returns an unsealed event of the given type with a fresh ID and
// a small JSON payload, as a writer would hand it to Append.
func NewEvent(typ, note string) domain.Event {
	return domain.Event{
		ID:            uuid.New(),
		Type:          typ,
		SchemaVersion: 1,
		RecordedAt:    testTime,
		EffectiveAt:   testTime.Add(-24 * time.Hour),
		Actor:         "tester",
		CorrelationID: uuid.New(),
		Payload:       fmt.Appendf(nil, `{"note":%q}`, note),
	}
}

func newEvents(n int, prefix string) []domain.Event {
	out := make([]domain.Event, n)
	for i := range out {
		out[i] = NewEvent("ProgressReported", fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}

func mustAppend(t *testing.T, s eventstore.Store, stream string, x eventstore.ExpectedVersion, evs []domain.Event) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(context.Background(), stream, x, evs)
	if err != nil {
		t.Fatalf("append %d events to %s (expect %s): %v", len(evs), stream, x, err)
	}
	return res
}

func testAppendAndReadStream(t *testing.T, s eventstore.Store, _ config) {
	ctx := context.Background()
	evs := newEvents(3, "a")
	res := mustAppend(t, s, "obligation-a", eventstore.NoStream(), evs)
	if res.StreamVersion != 3 || len(res.Events) != 3 || res.Duplicate {
		t.Fatalf("append result: version %d, %d events, duplicate %v; want 3, 3, false", res.StreamVersion, len(res.Events), res.Duplicate)
	}
	if res.Position != res.Events[2].Position {
		t.Fatalf("result position %d, last event position %d", res.Position, res.Events[2].Position)
	}
	mustAppend(t, s, "obligation-a", eventstore.Exact(3), newEvents(2, "b"))

	got, err := s.ReadStream(ctx, "obligation-a", eventstore.Forwards, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("read %d events, want 5", len(got))
	}
	for i, e := range got {
		if e.Version != uint64(i+1) || e.Stream != "obligation-a" {
			t.Fatalf("event %d: stream %s version %d", i, e.Stream, e.Version)
		}
	}
	for i, e := range got[:3] {
		want := evs[i]
		if e.ID != want.ID || e.Type != want.Type || string(e.Payload) != string(want.Payload) ||
			e.Actor != want.Actor || !e.RecordedAt.Equal(want.RecordedAt) || !e.EffectiveAt.Equal(want.EffectiveAt) ||
			e.CorrelationID != want.CorrelationID || e.SchemaVersion != want.SchemaVersion {
			t.Fatalf("event %d read back as %+v, appended %+v", i, e, want)
		}
	}
	page, err := s.ReadStream(ctx, "obligation-a", eventstore.Forwards, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].Version != 2 || page[1].Version != 3 {
		t.Fatalf("page from version 2, limit 2: got %d events starting at %v", len(page), versions(page))
	}
	past, err := s.ReadStream(ctx, "obligation-a", eventstore.Forwards, 6, 0)
	if err != nil || len(past) != 0 {
		t.Fatalf("reading past the end: %d events, err %v; want none, nil", len(past), err)
	}
}

func testReadStreamBackwards(t *testing.T, s eventstore.Store, _ config) {
	ctx := context.Background()
	mustAppend(t, s, "task-x", eventstore.Any(), newEvents(4, "x"))
	all, err := s.ReadStream(ctx, "task-x", eventstore.Backwards, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(all); fmt.Sprint(got) != "[4 3 2 1]" {
		t.Fatalf("backwards from the end: versions %v, want [4 3 2 1]", got)
	}
	some, err := s.ReadStream(ctx, "task-x", eventstore.Backwards, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(some); fmt.Sprint(got) != "[3 2]" {
		t.Fatalf("backwards from 3, limit 2: versions %v, want [3 2]", got)
	}
	last, err := s.ReadStream(ctx, "task-x", eventstore.Backwards, 0, 1)
	if err != nil || len(last) != 1 || last[0].Version != 4 {
		t.Fatalf("last event: %v, %v", versions(last), err)
	}
}

func testStreamNotFound(t *testing.T, s eventstore.Store, _ config) {
	mustAppend(t, s, "present", eventstore.Any(), newEvents(1, "p"))
	for _, dir := range []eventstore.Direction{eventstore.Forwards, eventstore.Backwards} {
		_, err := s.ReadStream(context.Background(), "absent", dir, 0, 0)
		if !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Fatalf("reading an absent stream (direction %d): %v, want ErrStreamNotFound", dir, err)
		}
	}
}

func testExpectedVersion(t *testing.T, s eventstore.Store, _ config) {
	ctx := context.Background()
	mustAppend(t, s, "s", eventstore.NoStream(), newEvents(2, "s"))
	cases := []struct {
		name   string
		expect eventstore.ExpectedVersion
	}{
		{"NoStreamOnExisting", eventstore.NoStream()},
		{"ExactTooLow", eventstore.Exact(1)},
		{"ExactTooHigh", eventstore.Exact(5)},
	}
	for _, c := range cases {
		_, err := s.Append(ctx, "s", c.expect, newEvents(1, c.name))
		var wrong *eventstore.WrongExpectedVersionError
		if !errors.As(err, &wrong) || !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
			t.Fatalf("%s: err %v, want WrongExpectedVersionError", c.name, err)
		}
		if wrong.Actual != 2 || wrong.Stream != "s" {
			t.Fatalf("%s: error carries stream %q actual %d, want s and 2", c.name, wrong.Stream, wrong.Actual)
		}
	}
	_, err := s.Append(ctx, "fresh", eventstore.Exact(3), newEvents(1, "f"))
	var wrong *eventstore.WrongExpectedVersionError
	if !errors.As(err, &wrong) || wrong.Actual != 0 {
		t.Fatalf("exact version on a missing stream: %v, want WrongExpectedVersionError with actual 0", err)
	}
	if _, err := s.ReadStream(ctx, "fresh", eventstore.Forwards, 0, 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("a refused append created the stream: %v", err)
	}
	mustAppend(t, s, "s", eventstore.Any(), newEvents(1, "any"))
	mustAppend(t, s, "s", eventstore.Exact(3), newEvents(1, "exact"))
	got, err := s.ReadStream(ctx, "s", eventstore.Forwards, 0, 0)
	if err != nil || len(got) != 4 {
		t.Fatalf("after refused appends the stream has %d events (%v), want 4", len(got), err)
	}
}

func testRejectsBadAppend(t *testing.T, s eventstore.Store, _ config) {
	ctx := context.Background()
	noID := NewEvent("T", "x")
	noID.ID = uuid.Nil
	noType := NewEvent("", "x")
	twice := NewEvent("T", "x")
	noTime := NewEvent("T", "x")
	noTime.RecordedAt = time.Time{}
	cases := []struct {
		name   string
		stream string
		events []domain.Event
	}{
		{"EmptyStream", "", newEvents(1, "e")},
		{"NoEvents", "s", nil},
		{"NoID", "s", []domain.Event{noID}},
		{"NoType", "s", []domain.Event{noType}},
		{"SameIDTwice", "s", []domain.Event{twice, twice}},
		{"NoRecordedTime", "s", []domain.Event{noTime}},
	}
	for _, c := range cases {
		if _, err := s.Append(ctx, c.stream, eventstore.Any(), c.events); err == nil {
			t.Fatalf("%s: append accepted", c.name)
		}
	}
	if head, err := s.Head(ctx); err != nil || head != 0 {
		t.Fatalf("after refused appends head is %d (%v), want 0", head, err)
	}
}

func testIdempotentReappend(t *testing.T, s eventstore.Store, _ config) {
	ctx := context.Background()
	evs := newEvents(3, "idem")
	first := mustAppend(t, s, "obl", eventstore.NoStream(), evs)
	mustAppend(t, s, "obl", eventstore.Exact(3), newEvents(1, "later"))

	// A retry with the original expected version succeeds and stores nothing.
	again, err := s.Append(ctx, "obl", eventstore.NoStream(), evs)
	if err != nil {
		t.Fatalf("re-append of stored events: %v", err)
	}
	if !again.Duplicate || again.StreamVersion != first.StreamVersion || again.Position != first.Position {
		t.Fatalf("re-append result %+v, want duplicate of %+v", again, first)
	}
	for i := range evs {
		if again.Events[i].ID != evs[i].ID || again.Events[i].Hash != first.Events[i].Hash {
			t.Fatalf("re-append returned event %d as %s, want the stored %s", i, again.Events[i].ID, evs[i].ID)
		}
	}
	// A suffix of a stored append is also a duplicate.
	if res, err := s.Append(ctx, "obl", eventstore.Any(), evs[1:]); err != nil || !res.Duplicate {
		t.Fatalf("re-append of a stored suffix: %+v, %v", res, err)
	}
	// Some stored, some new: refused.
	mixed := []domain.Event{evs[0], NewEvent("T", "new")}
	if _, err := s.Append(ctx, "obl", eventstore.Any(), mixed); !errors.Is(err, eventstore.ErrDuplicateMismatch) {
		t.Fatalf("append of stored and new IDs: %v, want ErrDuplicateMismatch", err)
	}
	// Stored IDs in another stream: refused.
	if _, err := s.Append(ctx, "other", eventstore.Any(), evs); !errors.Is(err, eventstore.ErrDuplicateMismatch) {
		t.Fatalf("append of stored IDs to another stream: %v, want ErrDuplicateMismatch", err)
	}
	// Stored IDs out of order: refused.
	swapped := []domain.Event{evs[1], evs[0]}
	if _, err := s.Append(ctx, "obl", eventstore.Any(), swapped); !errors.Is(err, eventstore.ErrDuplicateMismatch) {
		t.Fatalf("append of stored IDs in another order: %v, want ErrDuplicateMismatch", err)
	}
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil || len(all) != 4 {
		t.Fatalf("log holds %d events (%v), want 4", len(all), err)
	}
}

// testRecordedTimeNeverDecreases has writers whose clocks disagree by up to
// several seconds append concurrently: along the log recorded times never
// decrease, and each event's stored time is its own or, when that was
// earlier, the previous event's (clamped forward, never refused).
func testRecordedTimeNeverDecreases(t *testing.T, s eventstore.Store, _ config) {
	ctx := context.Background()
	const writers, perWriter = 8, 15
	asked := map[uuid.UUID]time.Time{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			skew := time.Duration(w%4-2) * 1500 * time.Millisecond // -3 s … +1.5 s
			for i := 0; i < perWriter; i++ {
				evs := newEvents(1+i%3, fmt.Sprintf("w%d-%d", w, i))
				for j := range evs {
					// Each writer's clock runs forwards, offset by its skew.
					evs[j].RecordedAt = testTime.Add(skew + time.Duration(i*10+j)*time.Millisecond)
				}
				mu.Lock()
				for _, e := range evs {
					asked[e.ID] = e.RecordedAt
				}
				mu.Unlock()
				if _, err := s.Append(ctx, fmt.Sprintf("clock-%d", w), eventstore.Any(), evs); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(asked) {
		t.Fatalf("log holds %d events, %d were appended", len(all), len(asked))
	}
	clamped := 0
	for i, e := range all {
		want := asked[e.ID]
		switch {
		case e.RecordedAt.Equal(want):
		case i > 0 && want.Before(all[i-1].RecordedAt) && e.RecordedAt.Equal(all[i-1].RecordedAt):
			clamped++
		default:
			t.Fatalf("event at position %d asked to be recorded at %s, stored at %s (previous event: %s)", e.Position, want, e.RecordedAt, all[max(i-1, 0)].RecordedAt)
		}
		if i > 0 && e.RecordedAt.Before(all[i-1].RecordedAt) {
			t.Fatalf("recorded time goes backwards at position %d: %s after %s", e.Position, e.RecordedAt, all[i-1].RecordedAt)
		}
		if err := e.Verify(); err != nil {
			t.Fatalf("position %d: %v (the hash must cover the clamped time)", e.Position, err)
		}
	}
	if clamped == 0 {
		t.Log("no event needed clamping: the writers happened not to interleave")
	}
}

// testZeroRecordedTimeRefused: a zero recorded time is refused, never read as
// now, and nothing of the append is stored.
func testZeroRecordedTimeRefused(t *testing.T, s eventstore.Store, _ config) {
	ctx := context.Background()
	zero := NewEvent("ProgressReported", "no time")
	zero.RecordedAt = time.Time{}
	cases := []struct {
		name   string
		events []domain.Event
	}{
		{"Alone", []domain.Event{zero}},
		{"AfterAGoodEvent", []domain.Event{NewEvent("ProgressReported", "good"), zero}},
	}
	for _, c := range cases {
		_, err := s.Append(ctx, "zero-"+c.name, eventstore.Any(), c.events)
		if !errors.Is(err, eventstore.ErrNoRecordedTime) {
			t.Fatalf("%s: append of an event without a recorded time: %v, want ErrNoRecordedTime", c.name, err)
		}
		t.Logf("%s: %v", c.name, err)
		if _, err := s.ReadStream(ctx, "zero-"+c.name, eventstore.Forwards, 0, 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Fatalf("%s: the refused append left the stream behind: %v", c.name, err)
		}
	}
	if head, err := s.Head(ctx); err != nil || head != 0 {
		t.Fatalf("after refused appends head is %d (%v), want 0", head, err)
	}
}

// testDuplicateDespiteClampedTime: an event whose time was clamped forward
// is stored with the later time; retrying the append with the original (or
// any other) time is still a duplicate and returns the stored event.
func testDuplicateDespiteClampedTime(t *testing.T, s eventstore.Store, _ config) {
	ctx := context.Background()
	later := NewEvent("ProgressReported", "later clock")
	later.RecordedAt = testTime.Add(time.Hour)
	mustAppend(t, s, "fast", eventstore.Any(), []domain.Event{later})
	slow := NewEvent("ProgressReported", "slow clock")
	slow.RecordedAt = testTime
	first := mustAppend(t, s, "slow", eventstore.NoStream(), []domain.Event{slow})
	if got := first.Events[0].RecordedAt; !got.Equal(later.RecordedAt) {
		t.Fatalf("an event asked at %s after one recorded at %s was stored at %s, want it clamped forward", slow.RecordedAt, later.RecordedAt, got)
	}
	for _, retry := range []time.Time{slow.RecordedAt, later.RecordedAt, testTime.Add(2 * time.Hour)} {
		again := slow
		again.RecordedAt = retry
		res, err := s.Append(ctx, "slow", eventstore.NoStream(), []domain.Event{again})
		if err != nil {
			t.Fatalf("retry recorded at %s: %v, want a duplicate", retry, err)
		}
		if !res.Duplicate || res.Events[0].Hash != first.Events[0].Hash || !res.Events[0].RecordedAt.Equal(later.RecordedAt) {
			t.Fatalf("retry recorded at %s: duplicate %v, time %s, hash %s; want the stored event (%s, %s)",
				retry, res.Duplicate, res.Events[0].RecordedAt, res.Events[0].Hash, later.RecordedAt, first.Events[0].Hash)
		}
	}
	if all, err := s.ReadAll(ctx, 0, 0); err != nil || len(all) != 2 {
		t.Fatalf("log holds %d events (%v), want 2", len(all), err)
	}
}

func testConcurrentWritersOneStream(t *testing.T, s eventstore.Store, _ config) {
	const writers, perWriter = 16, 8
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	appended := make([][]uuid.UUID, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				ev := NewEvent("ProgressReported", fmt.Sprintf("w%d-%d", w, i))
				for attempt := 0; ; attempt++ {
					last, err := s.ReadStream(ctx, "contended", eventstore.Backwards, 0, 1)
					var version uint64
					switch {
					case errors.Is(err, eventstore.ErrStreamNotFound):
					case err != nil:
						errs <- err
						return
					default:
						version = last[0].Version
					}
					_, err = s.Append(ctx, "contended", eventstore.Exact(version), []domain.Event{ev})
					if err == nil {
						appended[w] = append(appended[w], ev.ID)
						break
					}
					if !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
						errs <- err
						return
					}
					if attempt > 10000 {
						errs <- fmt.Errorf("writer %d starved", w)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := s.ReadStream(ctx, "contended", eventstore.Forwards, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*perWriter {
		t.Fatalf("stream holds %d events, want %d: lost or duplicated writes", len(got), writers*perWriter)
	}
	seen := map[uuid.UUID]bool{}
	for i, e := range got {
		if e.Version != uint64(i+1) {
			t.Fatalf("event %d has version %d", i, e.Version)
		}
		if seen[e.ID] {
			t.Fatalf("event %s stored twice", e.ID)
		}
		seen[e.ID] = true
	}
	for w, ids := range appended {
		for _, id := range ids {
			if !seen[id] {
				t.Fatalf("writer %d's acknowledged event %s is missing", w, id)
			}
		}
	}
}

func testGlobalOrder(t *testing.T, s eventstore.Store, cfg config) {
	ctx := context.Background()
	const writers, perWriter = 8, 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	var acked []eventstore.AppendResult
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				res, err := s.Append(ctx, fmt.Sprintf("stream-%d", w), eventstore.Any(), newEvents(1+i%3, "g"))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, res)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, r := range acked {
		total += len(r.Events)
	}
	if len(all) != total {
		t.Fatalf("global log holds %d events, %d were acknowledged", len(all), total)
	}
	byID := map[uuid.UUID]uint64{}
	lastVersion := map[string]uint64{}
	for i, e := range all {
		if i > 0 && e.Position <= all[i-1].Position {
			t.Fatalf("position %d follows %d: not strictly increasing", e.Position, all[i-1].Position)
		}
		if cfg.dense && e.Position != uint64(i+1) {
			t.Fatalf("event %d has position %d; this adapter promised dense positions", i, e.Position)
		}
		if e.Version != lastVersion[e.Stream]+1 {
			t.Fatalf("stream %s: version %d after %d in log order", e.Stream, e.Version, lastVersion[e.Stream])
		}
		lastVersion[e.Stream] = e.Version
		byID[e.ID] = e.Position
	}
	// Each acknowledged append occupies contiguous positions in the log.
	for _, r := range acked {
		for i, e := range r.Events {
			if byID[e.ID] != e.Position {
				t.Fatalf("append result says position %d, log says %d", e.Position, byID[e.ID])
			}
			if i > 0 && cfg.dense && e.Position != r.Events[i-1].Position+1 {
				t.Fatalf("one append's events are not contiguous in the log")
			}
		}
	}
	// Reading from the middle and in pages gives the same log.
	var paged []domain.Event
	var after uint64
	for {
		page, err := s.ReadAll(ctx, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after = page[len(page)-1].Position
	}
	if len(paged) != len(all) {
		t.Fatalf("paged read gives %d events, one read %d", len(paged), len(all))
	}
	head, err := s.Head(ctx)
	if err != nil || head != all[len(all)-1].Position {
		t.Fatalf("head %d (%v), last position %d", head, err, all[len(all)-1].Position)
	}
}

func testHashChain(t *testing.T, s eventstore.Store, _ config) {
	ctx := context.Background()
	mustAppend(t, s, "h", eventstore.Any(), newEvents(2, "h"))
	mustAppend(t, s, "other", eventstore.Any(), newEvents(1, "o"))
	mustAppend(t, s, "h", eventstore.Any(), newEvents(3, "h2"))
	got, err := s.ReadStream(ctx, "h", eventstore.Forwards, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var prev domain.Hash
	for _, e := range got {
		if e.PrevHash != prev {
			t.Fatalf("version %d: prev hash %s, previous event's hash %s", e.Version, e.PrevHash, prev)
		}
		if err := e.Verify(); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
	tampered := got[1]
	tampered.Payload = []byte(`{"note":"changed"}`)
	if tampered.Verify() == nil {
		t.Fatal("a changed payload still verifies")
	}
}

func testSubscribeCatchUpThenLive(t *testing.T, s eventstore.Store, _ config) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const before, during = 1500, 300
	for i := 0; i < before; i += 100 {
		mustAppend(t, s, fmt.Sprintf("s-%d", i%7), eventstore.Any(), newEvents(100, "before"))
	}
	sub := eventstore.Subscribe(ctx, s, 0)
	defer sub.Close()
	done := make(chan error, 1)
	go func() {
		for i := 0; i < during; i++ {
			if _, err := s.Append(ctx, fmt.Sprintf("live-%d", i%5), eventstore.Any(), newEvents(1, "during")); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var got []domain.Event
	for len(got) < before+during {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended after %d events: %v", len(got), sub.Err())
			}
			got = append(got, e)
		case <-ctx.Done():
			t.Fatalf("subscription delivered %d of %d events before timing out", len(got), before+during)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(got) {
		t.Fatalf("log has %d events, subscription delivered %d", len(all), len(got))
	}
	for i := range all {
		if all[i].ID != got[i].ID || all[i].Position != got[i].Position {
			t.Fatalf("delivery %d is %s at %d, the log has %s at %d", i, got[i].ID, got[i].Position, all[i].ID, all[i].Position)
		}
	}
	// Nothing more arrives once the writers stop.
	select {
	case e, ok := <-sub.Events():
		if ok {
			t.Fatalf("extra delivery of %s at %d", e.ID, e.Position)
		}
	case <-time.After(50 * time.Millisecond):
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-sub.Events(); ok {
		t.Fatal("events channel still open after Close")
	}
}

func testSubscribeFromMiddle(t *testing.T, s eventstore.Store, _ config) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := mustAppend(t, s, "m", eventstore.Any(), newEvents(10, "m"))
	from := res.Events[4].Position
	sub := eventstore.Subscribe(ctx, s, from)
	defer sub.Close()
	for i := 5; i < 10; i++ {
		select {
		case e := <-sub.Events():
			if e.ID != res.Events[i].ID {
				t.Fatalf("delivery after position %d: got version %d, want %d", from, e.Version, i+1)
			}
		case <-ctx.Done():
			t.Fatal("timed out")
		}
	}
}

func testWaitForAppendHonoursContext(t *testing.T, s eventstore.Store, _ config) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.WaitForAppend(ctx, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting on an empty store: %v, want deadline exceeded", err)
	}
	res := mustAppend(t, s, "w", eventstore.Any(), newEvents(1, "w"))
	if err := s.WaitForAppend(context.Background(), res.Position-1); err != nil {
		t.Fatalf("waiting for a position already stored: %v", err)
	}
	woke := make(chan error, 1)
	go func() { woke <- s.WaitForAppend(context.Background(), res.Position) }()
	time.Sleep(10 * time.Millisecond)
	mustAppend(t, s, "w", eventstore.Any(), newEvents(1, "w2"))
	select {
	case err := <-woke:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WaitForAppend did not wake on an append")
	}
}

func testClosed(t *testing.T, s eventstore.Store, _ config) {
	ctx := context.Background()
	res := mustAppend(t, s, "c", eventstore.Any(), newEvents(1, "c"))
	waiting := make(chan error, 1)
	go func() { waiting <- s.WaitForAppend(ctx, res.Position) }()
	time.Sleep(10 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waiting:
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Fatalf("a waiter on a closing store got %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("closing the store did not release a waiter")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	checks := map[string]error{}
	_, checks["Append"] = s.Append(ctx, "c", eventstore.Any(), newEvents(1, "late"))
	_, checks["ReadStream"] = s.ReadStream(ctx, "c", eventstore.Forwards, 0, 0)
	_, checks["ReadAll"] = s.ReadAll(ctx, 0, 0)
	_, checks["Head"] = s.Head(ctx)
	checks["WaitForAppend"] = s.WaitForAppend(ctx, 0)
	for name, err := range checks {
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Fatalf("%s on a closed store: %v, want ErrClosed", name, err)
		}
	}
}

func versions(evs []domain.Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Version
	}
	return out
}
