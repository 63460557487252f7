package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/postgres"
	"taskledger/eventstore/postgres/pgtest"
	"taskledger/eventstore/storetest"
)

func open(t *testing.T, conn string, opts postgres.Options) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), conn, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		return open(t, pgtest.URL(t), postgres.Options{Create: true})
	}, storetest.DensePositions())
}

func events(n int, note string) []domain.Event {
	out := make([]domain.Event, n)
	for i := range out {
		out[i] = storetest.NewEvent("ProgressReported", fmt.Sprintf("%s-%d", note, i))
	}
	return out
}

// TestReaderNeverSkipsAPosition runs writers through two stores (two pools,
// as two processes would have) while a reader tails the log page by page:
// every page must continue exactly where the last one ended, so an event
// committed late with a lower position would show up as a hole.
func TestReaderNeverSkipsAPosition(t *testing.T) {
	conn := pgtest.URL(t)
	a := open(t, conn, postgres.Options{Create: true})
	b := open(t, conn, postgres.Options{})
	ctx := context.Background()
	const writers, perWriter = 16, 15
	var wg sync.WaitGroup
	stop := make(chan struct{})
	readerErr := make(chan error, 1)
	var seen []domain.Event
	go func() {
		var after uint64
		for {
			// Only a read that began after the writers finished may end
			// the tail.
			var finished bool
			select {
			case <-stop:
				finished = true
			default:
			}
			page, err := a.ReadAll(ctx, after, 5)
			if err != nil {
				readerErr <- err
				return
			}
			for _, e := range page {
				if e.Position != after+1 {
					readerErr <- fmt.Errorf("reader at %d was handed position %d: a hole", after, e.Position)
					return
				}
				after = e.Position
				seen = append(seen, e)
			}
			if len(page) == 0 && finished {
				readerErr <- nil
				return
			}
		}
	}()
	for w := range writers {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				if _, err := s.Append(ctx, fmt.Sprintf("writer-%d", w%5), eventstore.Any(), events(1+i%3, "w")); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := <-readerErr; err != nil {
		t.Fatal(err)
	}
	all, err := b.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(all) || len(all) != writers*perWriter*2 {
		t.Fatalf("reader saw %d events, the log holds %d, writers appended %d", len(seen), len(all), writers*perWriter*2)
	}
	for i := range all {
		if seen[i].ID != all[i].ID || seen[i].Hash != all[i].Hash {
			t.Fatalf("position %d: the tailing reader saw %s, the log holds %s", i+1, seen[i].ID, all[i].ID)
		}
	}
}

// TestRecordedTimeClampedAcrossStores: an event whose clock reads earlier
// than the log's last event, written through another store, is clamped.
func TestRecordedTimeClampedAcrossStores(t *testing.T) {
	conn := pgtest.URL(t)
	a := open(t, conn, postgres.Options{Create: true})
	b := open(t, conn, postgres.Options{})
	ctx := context.Background()
	late := events(1, "late")
	late[0].RecordedAt = late[0].RecordedAt.Add(time.Hour)
	if _, err := a.Append(ctx, "x", eventstore.Any(), late); err != nil {
		t.Fatal(err)
	}
	res, err := b.Append(ctx, "y", eventstore.Any(), events(1, "early"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Events[0].RecordedAt.Equal(late[0].RecordedAt) {
		t.Fatalf("recorded at %s after an event recorded at %s; want it clamped", res.Events[0].RecordedAt, late[0].RecordedAt)
	}
	if err := res.Events[0].Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestWaitWokenByAnotherStore: a waiter on one store wakes when another
// process's store appends.
func TestWaitWokenByAnotherStore(t *testing.T) {
	conn := pgtest.URL(t)
	a := open(t, conn, postgres.Options{Create: true})
	b := open(t, conn, postgres.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	woke := make(chan error, 1)
	go func() { woke <- b.WaitForAppend(ctx, 0) }()
	time.Sleep(50 * time.Millisecond)
	if _, err := a.Append(ctx, "x", eventstore.Any(), events(1, "n")); err != nil {
		t.Fatal(err)
	}
	if err := <-woke; err != nil {
		t.Fatalf("waiter on the other store: %v", err)
	}
}

func TestConcurrentCreate(t *testing.T) {
	conn := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(context.Background(), conn, postgres.Options{Create: true})
			if err == nil {
				_, err = s.Append(context.Background(), fmt.Sprintf("s%d", i), eventstore.NoStream(), events(1, "c"))
				_ = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("opener %d: %v", i, err)
		}
	}
}

// schemaState describes a schema, to show that a refused open changed
// nothing.
func schemaState(t *testing.T, base, schema string) string {
	t.Helper()
	return pgtest.Describe(t, base, schema)
}

func TestOpenRefusesWhatIsNotALedger(t *testing.T) {
	base := pgtest.Server(t)
	cases := []struct {
		name  string
		setup func(schema string) []string
	}{
		{"foreign tables", func(s string) []string {
			return []string{"CREATE SCHEMA " + s, "CREATE TABLE " + s + ".orders (id int)", "INSERT INTO " + s + ".orders VALUES (1)"}
		}},
		{"another format", func(s string) []string {
			return []string{"CREATE SCHEMA " + s, "CREATE TABLE " + s + ".taskledger_meta (key text PRIMARY KEY, value text NOT NULL)",
				"INSERT INTO " + s + ".taskledger_meta VALUES ('format', 'something-else'), ('version', '1')"}
		}},
		{"missing events table", func(s string) []string {
			return []string{"CREATE SCHEMA " + s, "CREATE TABLE " + s + ".taskledger_meta (key text PRIMARY KEY, value text NOT NULL)",
				"INSERT INTO " + s + ".taskledger_meta VALUES ('format', 'taskledger-postgres'), ('version', '1')"}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			schema := pgtest.NewSchemaName(t)
			t.Cleanup(func() { pgtest.Drop(t, base, schema) })
			pgtest.Exec(t, base, tc.setup(schema)...)
			before := schemaState(t, base, schema)
			for _, opts := range []postgres.Options{{Create: true}, {}, {ReadOnly: true}} {
				s, err := postgres.Open(context.Background(), pgtest.WithSchema(base, schema), opts)
				if err == nil {
					_ = s.Close()
					t.Fatalf("opened (%+v) a schema with %s", opts, tc.name)
				}
				if !errors.Is(err, eventstore.ErrDamaged) {
					t.Fatalf("open (%+v): %v; want an ErrDamaged error", opts, err)
				}
			}
			if after := schemaState(t, base, schema); after != before {
				t.Fatalf("a refused open changed the schema:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// A ledger of a later schema version, as a newer taskledger would leave
// it, is refused by every kind of open as newer, not as damaged, and left
// as it was.
func TestOpenRefusesANewerVersion(t *testing.T) {
	base := pgtest.Server(t)
	schema := pgtest.NewSchemaName(t)
	t.Cleanup(func() { pgtest.Drop(t, base, schema) })
	w := open(t, pgtest.WithSchema(base, schema), postgres.Options{Create: true})
	if _, err := w.Append(context.Background(), "x", eventstore.Any(), events(2, "r")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, base, "UPDATE "+schema+".taskledger_meta SET value = '2' WHERE key = 'version'")
	before := schemaState(t, base, schema)
	for _, opts := range []postgres.Options{{Create: true}, {}, {ReadOnly: true}} {
		s, err := postgres.Open(context.Background(), pgtest.WithSchema(base, schema), opts)
		if err == nil {
			_ = s.Close()
			t.Fatalf("opened (%+v) a ledger of schema version 2", opts)
		}
		var newer *postgres.NewerVersionError
		if !errors.As(err, &newer) || !errors.Is(err, postgres.ErrNewerVersion) || newer.Version != 2 || newer.Known != postgres.Version {
			t.Fatalf("open (%+v): %v (%T); want a *NewerVersionError for version 2", opts, err, err)
		}
		if errors.Is(err, eventstore.ErrDamaged) {
			t.Fatalf("open (%+v): a newer ledger is reported as damaged: %v", opts, err)
		}
	}
	if after := schemaState(t, base, schema); after != before {
		t.Fatalf("a refused open changed the schema:\nbefore %s\nafter  %s", before, after)
	}
}

func TestNoLedgerWithoutCreate(t *testing.T) {
	base := pgtest.Server(t)
	schema := pgtest.NewSchemaName(t)
	t.Cleanup(func() { pgtest.Drop(t, base, schema) })
	for _, opts := range []postgres.Options{{}, {ReadOnly: true}, {ReadOnly: true, Create: true}} {
		_, err := postgres.Open(context.Background(), pgtest.WithSchema(base, schema), opts)
		if !errors.Is(err, postgres.ErrNoLedger) {
			t.Fatalf("open (%+v) of a missing schema: %v; want ErrNoLedger", opts, err)
		}
	}
	if got := schemaState(t, base, schema); got != "" {
		t.Fatalf("a refused open left %q behind", got)
	}
}

func TestReadOnlyWritesNothing(t *testing.T) {
	conn := pgtest.URL(t)
	w := open(t, conn, postgres.Options{Create: true})
	ctx := context.Background()
	if _, err := w.Append(ctx, "x", eventstore.Any(), events(2, "r")); err != nil {
		t.Fatal(err)
	}
	r := open(t, conn, postgres.Options{ReadOnly: true})
	if _, err := r.Append(ctx, "x", eventstore.Any(), events(1, "r")); !errors.Is(err, postgres.ErrReadOnly) {
		t.Fatalf("append on a read-only store: %v; want ErrReadOnly", err)
	}
	got, err := r.ReadAll(ctx, 0, 0)
	if err != nil || len(got) != 2 {
		t.Fatalf("read-only read: %d events, %v", len(got), err)
	}
	if err := r.WaitForAppend(ctx, 1); err != nil {
		t.Fatalf("wait on a read-only store: %v", err)
	}
}

// TestGroupJudgesEachAppend: appends that arrive together (and so share a
// commit) are judged one after the other — of many NoStream appends to one
// stream exactly one wins, the others get a wrong-version error; of many
// copies of one append exactly one stores it and the others are answered
// as duplicates with the stored events.
func TestGroupJudgesEachAppend(t *testing.T) {
	s := open(t, pgtest.URL(t), postgres.Options{Create: true})
	ctx := context.Background()
	const n = 24
	same := events(2, "same")
	var wg sync.WaitGroup
	start := make(chan struct{})
	firstErrs := make([]error, n)
	copies := make([]eventstore.AppendResult, n)
	copyErrs := make([]error, n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, firstErrs[i] = s.Append(ctx, "first", eventstore.NoStream(), events(1, "f"))
		}()
		go func() {
			defer wg.Done()
			<-start
			copies[i], copyErrs[i] = s.Append(ctx, "copies", eventstore.Any(), same)
		}()
	}
	close(start)
	wg.Wait()
	wins, stored := 0, 0
	for i := range n {
		switch {
		case firstErrs[i] == nil:
			wins++
		case !errors.Is(firstErrs[i], eventstore.ErrWrongExpectedVersion):
			t.Fatalf("a losing NoStream append: %v", firstErrs[i])
		}
		if copyErrs[i] != nil {
			t.Fatalf("copy %d: %v", i, copyErrs[i])
		}
		if !copies[i].Duplicate {
			stored++
		}
		if copies[i].Position != copies[0].Position || copies[i].Events[1].Hash != copies[0].Events[1].Hash {
			t.Fatalf("copy %d answered position %d, copy 0 %d", i, copies[i].Position, copies[0].Position)
		}
	}
	if wins != 1 || stored != 1 {
		t.Fatalf("%d NoStream appends won and %d copies were stored; want 1 and 1", wins, stored)
	}
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil || len(all) != 3 {
		t.Fatalf("the log holds %d events (%v), want 3", len(all), err)
	}
}

// TestListenerReconnects: when the server drops the listening connection,
// the store reconnects and waiters still wake at the next append.
func TestListenerReconnects(t *testing.T) {
	conn := pgtest.URL(t)
	s := open(t, conn, postgres.Options{Create: true})
	w := open(t, conn, postgres.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	first := make(chan error, 1)
	go func() { first <- s.WaitForAppend(ctx, 0) }()
	killListener(t, s.Schema())
	if _, err := w.Append(ctx, "x", eventstore.Any(), events(1, "after the drop")); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatalf("a waiter across the dropped connection: %v", err)
	}
	second := make(chan error, 1)
	go func() { second <- s.WaitForAppend(ctx, 1) }()
	if _, err := w.Append(ctx, "x", eventstore.Any(), events(1, "later")); err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatalf("a waiter after the reconnect: %v", err)
	}
}

// killListener waits for the store's listening connection to appear on the
// server and terminates it.
func killListener(t *testing.T, schema string) {
	t.Helper()
	base := pgtest.Server(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := pgtest.Query[int64](t, base, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", postgres.ListenerName(schema))
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the store's listening connection never appeared in pg_stat_activity")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
