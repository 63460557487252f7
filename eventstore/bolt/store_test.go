package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/eventstore/storetest"
)

var base = time.Date(2025, 6, 30, 9, 0, 0, 0, time.UTC)

// TestContractIndexOften runs the store contract with the stream index
// written every few events, so that reads cross the boundary between the
// streams bucket and the recent versions kept in memory.
func TestContractIndexOften(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, err := Open(filepath.Join(t.TempDir(), "ledger.db"), Options{NoSync: true, indexEvery: 3})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, storetest.DensePositions())
}

func openTest(t testing.TB, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// notes are progress-report sentences of the kind a county files.
var notes = []string{
	"已完成燃煤锅炉排查，淘汰改造工作按计划推进，剩余项目年底前完成。",
	"扬尘污染治理专项行动开展检查，发现问题已督促整改到位。",
	"机动车尾气遥感监测设备安装调试完成，投入运行。",
	"秸秆禁烧巡查覆盖全部乡镇，未发现焚烧火点。",
	"重点企业超低排放改造完成验收，在线监测数据达标。",
	"城区道路机械化清扫率提高到百分之八十五，洒水频次加密。",
	"清洁取暖改造完成一千二百户，群众反映良好。",
	"餐饮油烟净化设施安装率达到百分之九十五，持续开展执法检查。",
}

// event returns an unsealed event with a JSON payload of about size bytes
// (at least ~180): a progress report whose note is made of report sentences
// and numbers, so no two payloads are the same.
func event(rng *rand.Rand, i, size int) domain.Event {
	e := eventWithNote(rng, i, size, func(p []byte) []byte {
		p = fmt.Appendf(p, "第%d次报告：", rng.IntN(1000))
		return append(p, notes[rng.IntN(len(notes))]...)
	})
	return e
}

// randomNoteEvent is like event, with a note of random CJK characters: a
// hard case for the payload dictionary.
func randomNoteEvent(rng *rand.Rand, i, size int) domain.Event {
	return eventWithNote(rng, i, size, func(p []byte) []byte {
		return append(p, "第进展报告已完成排查"[rng.IntN(9)*3:][:3]...)
	})
}

// appendNotes appends at least n events with notes of about noteBytes to
// s, batch to an append, the appends going to streams streams in turn, and
// returns them as stored.
func appendNotes(t *testing.T, s *Store, rng *rand.Rand, n, batch, noteBytes, streams int) []domain.Event {
	t.Helper()
	var out []domain.Event
	for len(out) < n {
		events := make([]domain.Event, batch)
		head := int(s.head.Load())
		for i := range events {
			events[i] = randomNoteEvent(rng, head+i, noteBytes)
		}
		res, err := s.Append(context.Background(), fmt.Sprintf("stream-%d", head%streams), eventstore.Any(), events)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Events...)
	}
	return out
}

func eventWithNote(rng *rand.Rand, i, size int, more func([]byte) []byte) domain.Event {
	at := base.Add(time.Duration(i) * time.Hour)
	unit := fmt.Sprintf("county.unit-%02d", i%40)
	p := fmt.Appendf(nil, `{"plan":"chifeng-air","task":%d,"unit":%q,"role":"IMPLEMENTING","percent":%d,"previous":%d,"note":"`,
		i%30+1, unit, i%101, (i+99)%101)
	for len(p) < size-2 {
		p = more(p)
	}
	if len(p) > size-2 {
		// Cut at a character boundary.
		cut := size - 2
		for cut > 0 && p[cut]&0xc0 == 0x80 {
			cut--
		}
		p = p[:cut]
	}
	p = append(p, `"}`...)
	return domain.Event{
		ID:            uuid.New(),
		Type:          "ProgressReported",
		SchemaVersion: 1,
		RecordedAt:    at,
		EffectiveAt:   at.Add(-24 * time.Hour),
		Actor:         unit,
		CorrelationID: uuid.New(),
		Payload:       p,
	}
}

// TestRecordRoundTrip stores events with every kind of envelope field
// through segments much smaller than a record, and reads them back.
func TestRecordRoundTrip(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "l.db"), Options{NoSync: true, segmentSize: 37})
	ctx := context.Background()
	c1, c2 := uuid.New(), uuid.New()
	now := time.Now() // has a monotonic reading and nanoseconds
	shapes := []func(e *domain.Event){
		func(e *domain.Event) {},
		// Appends refuse a zero recorded time; FuzzRecordRoundTrip covers
		// the codec's zero-time flag, which older ledgers may hold.
		func(e *domain.Event) { e.EffectiveAt = time.Time{} },
		func(e *domain.Event) { e.RecordedAt = e.RecordedAt.Add(-time.Hour) }, // clamped forward
		func(e *domain.Event) { e.RecordedAt, e.EffectiveAt = now, now.Add(-time.Nanosecond) },
		func(e *domain.Event) { e.EffectiveAt = time.Date(1700, 1, 1, 0, 0, 0, 1, time.UTC) },
		func(e *domain.Event) {
			e.EffectiveAt = time.Date(2260, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		},
		func(e *domain.Event) { e.CausationID, e.CorrelationID = c1, c1 },
		func(e *domain.Event) { e.CausationID, e.CorrelationID = c1, c2 },
		func(e *domain.Event) { e.CausationID, e.CorrelationID = c1, c2 }, // same as previous
		func(e *domain.Event) { e.CausationID, e.CorrelationID = uuid.Nil, c2 },
		func(e *domain.Event) { e.Actor = "" },
		func(e *domain.Event) { e.Payload = nil },
		func(e *domain.Event) { e.Payload = make([]byte, 5000) },
		func(e *domain.Event) { e.SchemaVersion = 65535; e.Type = "其他类型" },
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var want []domain.Event
	for round := range 3 { // 3 × 14 events cross checkpoint groups
		for i, shape := range shapes {
			e := event(rng, round*100+i, 40+rng.IntN(300))
			shape(&e)
			res, err := s.Append(ctx, fmt.Sprintf("s-%d", i%3), eventstore.Any(), []domain.Event{e})
			if err != nil {
				t.Fatalf("shape %d: %v", i, err)
			}
			want = append(want, res.Events...)
		}
	}
	check := func(s *Store) {
		t.Helper()
		got, err := s.ReadAll(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("read %d events, want %d", len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if err := g.Verify(); err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
			if g.Hash != w.Hash || g.ID != w.ID || g.Position != w.Position || g.Stream != w.Stream ||
				!g.RecordedAt.Equal(w.RecordedAt) || !g.EffectiveAt.Equal(w.EffectiveAt) ||
				g.RecordedAt.IsZero() != w.RecordedAt.IsZero() || g.Actor != w.Actor ||
				g.CausationID != w.CausationID || g.CorrelationID != w.CorrelationID ||
				string(g.Payload) != string(w.Payload) || g.SchemaVersion != w.SchemaVersion || g.Type != w.Type {
				t.Fatalf("event %d read back as\n%+v\nstored\n%+v", i, g, w)
			}
		}
	}
	check(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check(openTest(t, s.Path(), Options{NoSync: true}))
}

func TestRefusesUnhashableTime(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "l.db"), Options{NoSync: true})
	e := event(rand.New(rand.NewPCG(1, 1)), 0, 100)
	e.RecordedAt = time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Append(context.Background(), "s", eventstore.Any(), []domain.Event{e}); err == nil {
		t.Fatal("an event recorded in 1600 was accepted")
	}
	if h, _ := s.Head(context.Background()); h != 0 {
		t.Fatalf("head %d after a refused append", h)
	}
}

// TestGroupCommitMixedOutcomes holds the committer while six appends queue,
// so that they share one transaction, and checks each gets its own answer.
func TestGroupCommitMixedOutcomes(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "l.db"), Options{})
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	ev := func(n int) []domain.Event {
		out := make([]domain.Event, n)
		for i := range out {
			out[i] = event(rng, i, 300)
		}
		return out
	}
	pre, err := s.Append(ctx, "pre", eventstore.NoStream(), ev(2))
	if err != nil {
		t.Fatal(err)
	}

	release := make(chan struct{})
	s.beforeGroup = func() { <-release }
	first := ev(2)
	reqs := []struct {
		stream string
		x      eventstore.ExpectedVersion
		events []domain.Event
		check  func(res eventstore.AppendResult, err error) error
	}{
		{"a", eventstore.NoStream(), first, func(r eventstore.AppendResult, err error) error {
			if err != nil || r.StreamVersion != 2 || r.Position != 4 {
				return fmt.Errorf("got %+v, %v; want version 2 at position 4", r, err)
			}
			return nil
		}},
		// Sees the first request of the group.
		{"a", eventstore.Exact(2), ev(1), func(r eventstore.AppendResult, err error) error {
			if err != nil || r.StreamVersion != 3 || r.Position != 5 {
				return fmt.Errorf("got %+v, %v; want version 3 at position 5", r, err)
			}
			return nil
		}},
		{"a", eventstore.Exact(2), ev(1), func(r eventstore.AppendResult, err error) error {
			var wrong *eventstore.WrongExpectedVersionError
			if !errors.As(err, &wrong) || wrong.Actual != 3 {
				return fmt.Errorf("got %v; want wrong expected version, actual 3", err)
			}
			return nil
		}},
		// A retry of the first request, in the same group.
		{"a", eventstore.NoStream(), first, func(r eventstore.AppendResult, err error) error {
			if err != nil || !r.Duplicate || r.Position != 4 || r.Events[0].ID != first[0].ID || r.Events[1].PrevHash != r.Events[0].Hash {
				return fmt.Errorf("got %+v, %v; want a duplicate ending at position 4", r, err)
			}
			return nil
		}},
		// Reuses an ID stored by an earlier commit, in another stream.
		{"b", eventstore.Any(), append(ev(1), pre.Events[0]), func(r eventstore.AppendResult, err error) error {
			if !errors.Is(err, eventstore.ErrDuplicateMismatch) {
				return fmt.Errorf("got %v; want ErrDuplicateMismatch", err)
			}
			return nil
		}},
		{"c", eventstore.Any(), ev(3), func(r eventstore.AppendResult, err error) error {
			if err != nil || r.StreamVersion != 3 || r.Position != 8 {
				return fmt.Errorf("got %+v, %v; want version 3 at position 8", r, err)
			}
			return nil
		}},
	}
	commitsBefore := s.commits.Load()
	type outcome struct {
		res eventstore.AppendResult
		err error
	}
	outcomes := make([]chan outcome, len(reqs))
	for i, r := range reqs {
		outcomes[i] = make(chan outcome, 1)
		go func() {
			res, err := s.Append(ctx, r.stream, r.x, r.events)
			outcomes[i] <- outcome{res, err}
		}()
		// Queue the requests in order.
		for deadline := time.Now().Add(5 * time.Second); ; {
			s.mu.Lock()
			n := len(s.pending)
			s.mu.Unlock()
			if n == i+1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("request %d did not queue", i)
			}
			time.Sleep(time.Millisecond)
		}
	}
	close(release)
	for i, ch := range outcomes {
		o := <-ch
		if err := reqs[i].check(o.res, o.err); err != nil {
			t.Errorf("request %d (%s, expect %s): %v", i, reqs[i].stream, reqs[i].x, err)
		}
	}
	if n := s.commits.Load() - commitsBefore; n != 1 {
		t.Errorf("the group took %d commits, want 1", n)
	}
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 8 {
		t.Fatalf("log holds %d events, want 8", len(all))
	}
	for i, e := range all {
		if e.Position != uint64(i+1) {
			t.Fatalf("event %d at position %d", i, e.Position)
		}
	}
}

// TestReopen checks that a reopened store keeps events, names, stream
// versions and the ID index, and continues the log where it stopped,
// including in the middle of a checkpoint group.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 6))
	var appended [][]domain.Event
	want := 0
	for round := range 4 {
		s := openTest(t, path, Options{NoSync: true})
		for i := range 10 + round {
			evs := []domain.Event{event(rng, i, 200), event(rng, i+1, 200)}
			evs[1].CorrelationID = evs[0].CorrelationID
			res, err := s.Append(ctx, fmt.Sprintf("stream-%d", i%4), eventstore.Any(), evs)
			if err != nil {
				t.Fatal(err)
			}
			appended = append(appended, res.Events)
			want += 2
		}
		// Every earlier append is recognised as a duplicate.
		for _, evs := range appended {
			res, err := s.Append(ctx, evs[0].Stream, eventstore.NoStream(), evs)
			if err != nil || !res.Duplicate || res.Events[1].Hash != evs[1].Hash {
				t.Fatalf("round %d: re-append: %+v, %v", round, res, err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s := openTest(t, path, Options{NoSync: true})
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != want {
		t.Fatalf("reopened log has %d events, want %d", len(all), want)
	}
	byID := map[uuid.UUID]domain.Event{}
	for i, e := range all {
		if e.Position != uint64(i+1) {
			t.Fatalf("event %d at position %d", i, e.Position)
		}
		if err := e.Verify(); err != nil {
			t.Fatal(err)
		}
		byID[e.ID] = e
	}
	for _, evs := range appended {
		for _, e := range evs {
			got := byID[e.ID]
			if got.Hash != e.Hash || got.Position != e.Position || got.CorrelationID != e.CorrelationID {
				t.Fatalf("event %s: read %+v, appended %+v", e.ID, got, e)
			}
		}
	}
	for i := range 4 {
		evs, err := s.ReadStream(ctx, fmt.Sprintf("stream-%d", i), eventstore.Forwards, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var prev domain.Hash
		for j, e := range evs {
			if e.Version != uint64(j+1) || e.PrevHash != prev {
				t.Fatalf("stream-%d event %d: version %d, broken chain", i, j, e.Version)
			}
			prev = e.Hash
		}
	}
}

// TestMatchesMemoryStore runs the same random appends and reads against
// this store (with small segments) and the in-memory store.
func TestMatchesMemoryStore(t *testing.T) {
	ctx := context.Background()
	b := openTest(t, filepath.Join(t.TempDir(), "l.db"), Options{NoSync: true, segmentSize: 200})
	m := memory.New()
	rng := rand.New(rand.NewPCG(7, 8))
	streams := []string{"a", "b", "c", "obligation-chifeng-air-10-county.hongshan-implementing"}
	same := func(x, y []domain.Event) error {
		if len(x) != len(y) {
			return fmt.Errorf("%d events vs %d", len(x), len(y))
		}
		for i := range x {
			if x[i].Hash != y[i].Hash || x[i].Position != y[i].Position || x[i].Version != y[i].Version || string(x[i].Payload) != string(y[i].Payload) {
				return fmt.Errorf("event %d differs: %+v vs %+v", i, x[i], y[i])
			}
		}
		return nil
	}
	var stored []domain.Event
	for op := range 400 {
		stream := streams[rng.IntN(len(streams))]
		switch rng.IntN(5) {
		case 0, 1, 2:
			evs := make([]domain.Event, 1+rng.IntN(4))
			for i := range evs {
				evs[i] = event(rng, op, 50+rng.IntN(400))
			}
			if rng.IntN(10) == 0 && len(stored) > 0 {
				evs = []domain.Event{stored[rng.IntN(len(stored))]}
			}
			x := eventstore.Any()
			if rng.IntN(2) == 0 {
				x = eventstore.Exact(uint64(rng.IntN(40)))
			}
			rb, errB := b.Append(ctx, stream, x, evs)
			rm, errM := m.Append(ctx, stream, x, evs)
			if (errB == nil) != (errM == nil) || errors.Is(errB, eventstore.ErrDuplicateMismatch) != errors.Is(errM, eventstore.ErrDuplicateMismatch) {
				t.Fatalf("op %d: append errors differ: %v vs %v", op, errB, errM)
			}
			if errB == nil {
				if rb.Duplicate != rm.Duplicate || rb.StreamVersion != rm.StreamVersion || rb.Position != rm.Position {
					t.Fatalf("op %d: results differ: %+v vs %+v", op, rb, rm)
				}
				if err := same(rb.Events, rm.Events); err != nil {
					t.Fatalf("op %d: %v", op, err)
				}
				if !rb.Duplicate {
					stored = append(stored, rb.Events...)
				}
			}
		case 3:
			dir := eventstore.Direction(rng.IntN(2))
			from, limit := uint64(rng.IntN(50)), rng.IntN(30)-5
			xb, errB := b.ReadStream(ctx, stream, dir, from, limit)
			xm, errM := m.ReadStream(ctx, stream, dir, from, limit)
			if errors.Is(errB, eventstore.ErrStreamNotFound) != errors.Is(errM, eventstore.ErrStreamNotFound) || (errB == nil) != (errM == nil) {
				t.Fatalf("op %d: read errors differ: %v vs %v", op, errB, errM)
			}
			if err := same(xb, xm); err != nil {
				t.Fatalf("op %d: ReadStream(%s, %d, %d, %d): %v", op, stream, dir, from, limit, err)
			}
		case 4:
			after, limit := uint64(rng.IntN(len(stored)+2)), rng.IntN(40)-5
			xb, errB := b.ReadAll(ctx, after, limit)
			xm, errM := m.ReadAll(ctx, after, limit)
			if errB != nil || errM != nil {
				t.Fatalf("op %d: %v, %v", op, errB, errM)
			}
			if err := same(xb, xm); err != nil {
				t.Fatalf("op %d: ReadAll(%d, %d): %v", op, after, limit, err)
			}
		}
	}
}

func TestScanAll(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), "l.db"), Options{NoSync: true})
	rng := rand.New(rand.NewPCG(9, 10))
	var ids []uuid.UUID
	for i := range 50 {
		evs := []domain.Event{event(rng, i, 300), event(rng, i, 300)}
		if _, err := s.Append(ctx, fmt.Sprintf("s-%d", i%7), eventstore.Any(), evs); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, evs[0].ID, evs[1].ID)
	}
	for _, after := range []uint64{0, 1, 31, 32, 33, 99, 100, 150} {
		next := after + 1
		err := s.ScanAll(ctx, after, func(e *domain.Event) error {
			if e.Position != next || e.ID != ids[next-1] {
				return fmt.Errorf("position %d (%s), want %d", e.Position, e.ID, next)
			}
			next++
			return e.Verify()
		})
		if err != nil || next != 101 && after < 100 {
			t.Fatalf("scan after %d: stopped before %d: %v", after, next, err)
		}
	}
	stop := errors.New("stop")
	if err := s.ScanAll(ctx, 0, func(*domain.Event) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("fn's error: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.ScanAll(cctx, 0, func(*domain.Event) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled scan: %v", err)
	}
	_ = s.Close()
	if err := s.ScanAll(ctx, 0, func(*domain.Event) error { return nil }); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("scan after close: %v", err)
	}
}

// TestCloseWaitsForAppends closes the store while writers are appending:
// every acknowledged append is in the reopened file.
func TestCloseWaitsForAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s := openTest(t, path, Options{})
	ctx := context.Background()
	var (
		mu    sync.Mutex
		acked []uuid.UUID
		wg    sync.WaitGroup
	)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 11))
			for i := 0; ; i++ {
				e := event(rng, i, 300)
				_, err := s.Append(ctx, fmt.Sprintf("w-%d", w), eventstore.Any(), []domain.Event{e})
				if errors.Is(err, eventstore.ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, e.ID)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	s = openTest(t, path, Options{})
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	have := map[uuid.UUID]bool{}
	for _, e := range all {
		have[e.ID] = true
	}
	for _, id := range acked {
		if !have[id] {
			t.Fatalf("acknowledged event %s is missing after Close", id)
		}
	}
	t.Logf("%d appends acknowledged before Close, %d stored", len(acked), len(all))
}

// TestBytesPerEvent reports the bytes on disk per event for ~300-byte JSON
// payloads in the shape of the benchmark command: many streams, a fresh
// correlation ID per event, 40 actors; then with shared correlation IDs,
// notes of random characters, and incompressible payloads (the floor: no
// help from the payload dictionaries). It reports and asserts nothing else.
func TestBytesPerEvent(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("reports sizes only: skipped with -short and -race")
	}
	for _, tc := range []struct {
		name                      string
		streams, perStream, batch int
		sameCorrelation           bool
		gen                       func(*rand.Rand, int, int) domain.Event
	}{
		{"batch10", 250, 40, 10, false, event},
		{"batch10-shared-correlation", 250, 40, 10, true, event},
		{"batch10-random-CJK-notes", 250, 40, 10, false, randomNoteEvent},
		{"batch10-incompressible", 250, 40, 10, false, func(rng *rand.Rand, i, size int) domain.Event {
			e := event(rng, i, size)
			for j := range e.Payload {
				e.Payload[j] = byte(rng.Uint32())
			}
			return e
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "l.db")
			s := openTest(t, path, Options{NoSync: true})
			ctx := context.Background()
			payload := 0
			var wg sync.WaitGroup
			const writers = 8
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 14))
					for round := 0; round < tc.perStream/tc.batch; round++ {
						for st := w; st < tc.streams; st += writers {
							evs := make([]domain.Event, tc.batch)
							for i := range evs {
								evs[i] = tc.gen(rng, round*tc.batch+i, 300)
								if tc.sameCorrelation {
									evs[i].CorrelationID = evs[0].CorrelationID
								}
							}
							stream := fmt.Sprintf("obligation-chifeng-air-%d-county.unit-%03d-implementing", st%30+1, st)
							if _, err := s.Append(ctx, stream, eventstore.Any(), evs); err != nil {
								t.Error(err)
								return
							}
						}
					}
				}()
			}
			wg.Wait()
			n := tc.streams * tc.perStream
			if err := s.ScanAll(ctx, 0, func(e *domain.Event) error { payload += len(e.Payload); return nil }); err != nil {
				t.Fatal(err)
			}
			// Close checkpoints the journal into the pages; measure them then.
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openTest(t, path, Options{NoSync: true})
			var used int64
			var breakdown strings.Builder
			if err := s.db.View(func(tx *bbolt.Tx) error {
				used = tx.Size()
				for _, name := range [][]byte{bucketLog, bucketPidx, bucketNames, bucketStreams, bucketMeta} {
					st := tx.Bucket(name).Stats()
					fmt.Fprintf(&breakdown, " %s %.1f", name, float64(st.BranchAlloc+st.LeafAlloc)/float64(n))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			free := int64(s.db.Stats().FreePageN) * int64(s.db.Info().PageSize)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d events, %d streams, mean payload %d B: %.0f B/event in pages in use (%.0f with free pages; file %.0f with bbolt's preallocation); by bucket:%s",
				n, tc.streams, payload/n, float64(used-free)/float64(n), float64(used)/float64(n), float64(fi.Size())/float64(n), breakdown.String())
		})
	}
}

// TestFileGrowsInSmallSteps: a ledger's file is never more than one growth
// step larger than the pages its data uses, so its size on disk tells what
// it holds. bbolt's own default grew this 5 MB ledger to an 8 MiB file.
func TestFileGrowsInSmallSteps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	s := openTest(t, path, Options{NoSync: true})
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range 2000 {
		e := event(rng, i, 2500)
		for j := range e.Payload {
			e.Payload[j] = byte(rng.Uint32()) // incompressible
		}
		if _, err := s.Append(context.Background(), fmt.Sprintf("s-%d", i%50), eventstore.Any(), []domain.Event{e}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path, Options{})
	var used int64
	if err := s.db.View(func(tx *bbolt.Tx) error { used = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if used < 5<<20 {
		t.Fatalf("the ledger holds %d bytes of pages, want more than 5 MiB for this check", used)
	}
	// bbolt grows to the next page plus the step.
	if slack, most := fi.Size()-used, int64(growStep+s.db.Info().PageSize); slack > most {
		t.Errorf("file is %d bytes for %d bytes of pages: %d bytes past the data, want at most %d", fi.Size(), used, slack, most)
	}
}

// TestScanAllFnMayAppend appends from inside ScanAll's callback, enough that
// the file outgrows bbolt's memory map. A callback run inside the read
// transaction would deadlock here: the writer waits for the reader to remap.
func TestScanAllFnMayAppend(t *testing.T) {
	ctx := context.Background()
	// Not openTest: if the scan deadlocks, Close would wait for it forever.
	s, err := Open(filepath.Join(t.TempDir(), "l.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(15, 16))
	for i := range 20 {
		evs := make([]domain.Event, 50)
		for j := range evs {
			evs[j] = event(rng, i*50+j, 300)
		}
		if _, err := s.Append(ctx, fmt.Sprintf("s-%d", i), eventstore.Any(), evs); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]byte, 128<<10) // incompressible: each append grows the file
	for i := 0; i < len(big); i += 8 {
		binary.LittleEndian.PutUint64(big[i:], rng.Uint64())
	}
	done := make(chan error, 1)
	go func() {
		n := 0
		done <- s.ScanAll(ctx, 0, func(e *domain.Event) error {
			n++
			if n%25 != 0 {
				return nil
			}
			ev := event(rng, n, 100)
			ev.Payload = big
			_, err := s.Append(ctx, "grow", eventstore.Any(), []domain.Event{ev})
			return err
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("ScanAll with appending callback is stuck (the store is left open)")
	}
	if h, _ := s.Head(ctx); h != 1000+40 {
		t.Fatalf("head %d, want 1040", h)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestTamperingShows changes one stored byte of the last record (its
// payload, compressed or not) behind the store's back: reading it back
// either fails or gives an event whose hash no longer verifies.
func TestTamperingShows(t *testing.T) {
	ctx := context.Background()
	for _, compressible := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "l.db")
		s := openTest(t, path, Options{NoSync: true})
		rng := rand.New(rand.NewPCG(17, 18))
		for i := range 40 {
			e := event(rng, i, 300)
			if !compressible {
				for j := range e.Payload {
					e.Payload[j] = byte(rng.Uint32())
				}
			}
			if _, err := s.Append(ctx, "s", eventstore.Any(), []domain.Event{e}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		db, err := bbolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *bbolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			tail := append([]byte(nil), meta.Get(keyTail)...)
			tail[len(tail)-3] ^= 0x01
			return meta.Put(keyTail, tail)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		s = openTest(t, path, Options{NoSync: true})
		events, err := s.ReadAll(ctx, 0, 0)
		if err == nil {
			for _, e := range events[:39] {
				if err := e.Verify(); err != nil {
					t.Fatalf("an untouched event fails: %v", err)
				}
			}
			err = events[39].Verify()
		}
		if err == nil {
			t.Fatalf("compressible %v: a changed stored byte went unnoticed", compressible)
		}
		t.Logf("compressible %v: %v", compressible, err)
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keyFormat, []byte("something-else/1"))
	}); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if s, err := Open(path, Options{}); err == nil {
		_ = s.Close()
		t.Fatal("opened a bbolt file that is not a ledger")
	}
	// A store holds the file: a second Open times out.
	ledger := filepath.Join(t.TempDir(), "ledger.db")
	s := openTest(t, ledger, Options{})
	if s2, err := Open(ledger, Options{Timeout: 50 * time.Millisecond}); err == nil {
		_ = s2.Close()
		t.Fatal("opened a ledger another store holds")
	}
	_ = s
}

// A format 1 file (its streams bucket always complete, no "indexed" key)
// opens, is upgraded to format 2 and reads and appends as before; a file in
// an unknown format is refused.
func TestOpenFormat1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 8))
	// Write with the index flushed by every commit, then make the file
	// look like format 1.
	s := openTest(t, path, Options{NoSync: true, indexEvery: 1})
	for i := range 12 {
		if _, err := s.Append(ctx, fmt.Sprintf("stream-%d", i%3), eventstore.Any(), []domain.Event{event(rng, i, 120)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	setMeta := func(put map[string][]byte) {
		t.Helper()
		db, err := bbolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		err = db.Update(func(tx *bbolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			for k, v := range put {
				if v == nil {
					if err := meta.Delete([]byte(k)); err != nil {
						return err
					}
					continue
				}
				if err := meta.Put([]byte(k), v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	setMeta(map[string][]byte{string(keyFormat): []byte(formatV1), string(keyIndexed): nil})

	s = openTest(t, path, Options{NoSync: true})
	for k := range 3 {
		evs, err := s.ReadStream(ctx, fmt.Sprintf("stream-%d", k), eventstore.Forwards, 1, 0)
		if err != nil || len(evs) != 4 || evs[3].Version != 4 {
			t.Fatalf("stream-%d after the upgrade: %d events, %v", k, len(evs), err)
		}
	}
	if _, err := s.Append(ctx, "stream-0", eventstore.Exact(4), []domain.Event{event(rng, 99, 120)}); err != nil {
		t.Fatalf("append after the upgrade: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err := bboltView(t, path, func(meta *bbolt.Bucket) {
		if f := string(meta.Get(keyFormat)); f != formatV2 {
			t.Errorf("format %q after opening, want %q", f, formatV2)
		}
		if meta.Get(keyIndexed) == nil {
			t.Error("no indexed position after the upgrade")
		}
	})
	if err != nil {
		t.Fatal(err)
	}

	setMeta(map[string][]byte{string(keyFormat): []byte("taskledger-bolt/9")})
	if s, err := Open(path, Options{NoSync: true}); err == nil {
		s.Close()
		t.Fatal("a file in an unknown format was opened")
	} else if !strings.Contains(err.Error(), "taskledger-bolt/9") {
		t.Fatalf("the error does not name the format: %v", err)
	}
}

// bboltView reads a ledger file's meta bucket with bbolt directly.
func bboltView(t *testing.T, path string, f func(meta *bbolt.Bucket)) error {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bbolt.Tx) error {
		f(tx.Bucket(bucketMeta))
		return nil
	})
}

// Reads of streams while appends write the stream index every few events
// always see whole, gapless prefixes: versions 1…n at increasing positions,
// never fewer than a read before them saw.
func TestReadStreamWhileIndexing(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "l.db"), Options{NoSync: true, indexEvery: 5})
	ctx := context.Background()
	const streams, writers, perWriter = 4, 6, 60
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range perWriter {
				stream := fmt.Sprintf("stream-%d", (w+i)%streams)
				if _, err := s.Append(ctx, stream, eventstore.Any(), []domain.Event{event(rng, i, 80)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	for r := range streams {
		readers.Add(1)
		go func() {
			defer readers.Done()
			stream := fmt.Sprintf("stream-%d", r)
			seen := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				evs, err := s.ReadStream(ctx, stream, eventstore.Forwards, 1, 0)
				if errors.Is(err, eventstore.ErrStreamNotFound) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				if len(evs) < seen {
					t.Errorf("%s: read %d events after reading %d", stream, len(evs), seen)
					return
				}
				seen = len(evs)
				for i, e := range evs {
					if e.Version != uint64(i+1) || (i > 0 && e.Position <= evs[i-1].Position) || e.Stream != stream {
						t.Errorf("%s: event %d is version %d at %d", stream, i, e.Version, e.Position)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	total := 0
	for r := range streams {
		evs, err := s.ReadStream(ctx, fmt.Sprintf("stream-%d", r), eventstore.Backwards, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		total += len(evs)
	}
	if total != writers*perWriter {
		t.Fatalf("streams hold %d events, %d were appended", total, writers*perWriter)
	}
}

// TestRecordedTimeClampSurvivesReopen: the last recorded time is read back
// from the file when the store opens, so an append after a restart with a
// slower clock is still clamped forward, whatever checkpoint group the log
// ends in.
func TestRecordedTimeClampSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 6, 30, 9, 0, 0, 0, time.UTC)
	for _, n := range []int{1, checkpointEvery, checkpointEvery + 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "l.db")
			s := openTest(t, path, Options{NoSync: true})
			evs := make([]domain.Event, n)
			for i := range evs {
				evs[i] = storetest.NewEvent("ProgressReported", fmt.Sprint(i))
				evs[i].RecordedAt = t0.Add(time.Duration(i) * time.Second)
			}
			if _, err := s.Append(ctx, "a", eventstore.Any(), evs); err != nil {
				t.Fatal(err)
			}
			last := evs[n-1].RecordedAt
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openTest(t, path, Options{NoSync: true})
			slow := storetest.NewEvent("ProgressReported", "slow")
			slow.RecordedAt = t0.Add(-time.Hour)
			res, err := s.Append(ctx, "b", eventstore.Any(), []domain.Event{slow})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Events[0].RecordedAt; !got.Equal(last) {
				t.Fatalf("after reopening, an event asked at %s was recorded at %s, want %s", slow.RecordedAt, got, last)
			}
		})
	}
}
