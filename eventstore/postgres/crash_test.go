package postgres_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/postgres"
	"taskledger/eventstore/postgres/pgtest"
)

// Environment of the crash test's child process.
const (
	crashChildEnv  = "TASKLEDGER_PG_CRASH_CHILD" // the connection string the child appends through
	crashRoundsEnv = "TASKLEDGER_CRASH_ROUNDS"
)

func crashEvent(rng *rand.Rand, i int) domain.Event {
	note := strings.Repeat("进展", 20+rng.IntN(100))
	return domain.Event{
		ID: uuid.New(), Type: "ProgressReported", SchemaVersion: 1,
		RecordedAt:  time.Date(2025, 6, 30, 9, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(1000)) * time.Millisecond),
		EffectiveAt: time.Date(2025, 6, 29, 0, 0, 0, 0, time.UTC),
		Actor:       "crash", CorrelationID: uuid.New(),
		Payload: fmt.Appendf(nil, `{"n":%d,"note":%q}`, i, note),
	}
}

// TestCrashChild is the child of TestCrash: it appends from several
// goroutines until it is killed, printing one line per acknowledged append:
//
//	ack <stream> <id>:<position>:<hash> …
func TestCrashChild(t *testing.T) {
	conn := os.Getenv(crashChildEnv)
	if conn == "" {
		t.Skip("runs only as the child process of TestCrash")
	}
	s, err := postgres.Open(context.Background(), conn, postgres.Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	var out sync.Mutex
	ack := func(res eventstore.AppendResult) {
		var b strings.Builder
		b.WriteString("ack ")
		b.WriteString(res.Events[0].Stream)
		for _, e := range res.Events {
			fmt.Fprintf(&b, " %s:%d:%s", e.ID, e.Position, e.Hash)
		}
		b.WriteByte('\n')
		out.Lock()
		os.Stdout.WriteString(b.String()) // one write per line: unbuffered
		out.Unlock()
	}
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	for w := range 8 {
		go func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			var last []domain.Event
			for i := 0; ; i++ {
				stream := fmt.Sprintf("crash-%d-%d", w, rng.IntN(3))
				evs := make([]domain.Event, 1+rng.IntN(10))
				for j := range evs {
					evs[j] = crashEvent(rng, i)
				}
				if last != nil && rng.IntN(8) == 0 {
					stream, evs = last[0].Stream, last // a retry: must be a duplicate
				}
				res, err := s.Append(ctx, stream, eventstore.Any(), evs)
				if err != nil {
					fmt.Println("append:", err)
					os.Exit(2)
				}
				last = res.Events
				ack(res)
			}
		}()
	}
	select {}
}

type ackedEvent struct {
	stream   string
	position uint64
	hash     domain.Hash
}

// TestCrash kills a process appending to PostgreSQL with SIGKILL at a random
// moment, several times over one ledger, and checks after each kill that
// every acknowledged event is there, intact, once, in a log whose positions
// are dense and whose hash chains verify. TASKLEDGER_CRASH_ROUNDS sets the
// number of rounds (default 3; make soak runs more).
func TestCrash(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("in the child")
	}
	rounds := 3
	if v := os.Getenv(crashRoundsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("%s=%q: want a number of rounds", crashRoundsEnv, v)
		}
		rounds = n
	}
	conn := pgtest.URL(t)
	s, err := postgres.Open(context.Background(), conn, postgres.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	all := map[uuid.UUID]ackedEvent{}
	for round := range rounds {
		n := crashRound(t, conn, round, time.Duration(20+rng.IntN(300))*time.Millisecond, all)
		events := checkAfterCrash(t, conn, round, all)
		t.Logf("round %d: %d appends acknowledged, %d events in the log", round, n, events)
	}
}

// crashRound runs the child, kills it after killAfter and records what it
// acknowledged in all; it returns the number of acknowledged appends.
func crashRound(t *testing.T, conn string, round int, killAfter time.Duration, all map[uuid.UUID]ackedEvent) int {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+conn)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	first := <-lines // the child is up and appending
	if first == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("the child printed nothing")
	}
	got := []string{first}
	killAt := time.After(killAfter)
collect:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				break collect
			}
			got = append(got, l)
		case <-killAt:
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			killAt = nil
		}
	}
	_ = cmd.Wait()
	n := 0
	for _, l := range got {
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != "ack" {
			if strings.HasPrefix(l, "ack ") {
				continue // the last line, cut short by the kill
			}
			t.Fatalf("round %d: child said %q", round, l)
		}
		for _, item := range f[2:] {
			parts := strings.Split(item, ":")
			if len(parts) != 3 {
				continue
			}
			id, err1 := uuid.Parse(parts[0])
			pos, err2 := strconv.ParseUint(parts[1], 10, 64)
			h, err3 := domain.ParseHash(parts[2])
			if err1 != nil || err2 != nil || err3 != nil {
				continue // cut short
			}
			if prev, ok := all[id]; ok && (prev.position != pos || prev.hash != h) {
				t.Fatalf("round %d: event %s acknowledged at %d and at %d", round, id, prev.position, pos)
			}
			all[id] = ackedEvent{stream: f[1], position: pos, hash: h}
		}
		n++
	}
	return n
}

// checkAfterCrash opens the ledger anew and checks it against what was
// acknowledged; it returns the number of events in the log.
func checkAfterCrash(t *testing.T, conn string, round int, all map[uuid.UUID]ackedEvent) int {
	ctx := context.Background()
	s, err := postgres.Open(ctx, conn, postgres.Options{})
	if err != nil {
		t.Fatalf("round %d: reopen after kill: %v", round, err)
	}
	defer s.Close()
	events, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	byID := map[uuid.UUID]*domain.Event{}
	last := map[string]*domain.Event{}
	for i := range events {
		e := &events[i]
		if e.Position != uint64(i+1) {
			t.Fatalf("round %d: event %d has position %d", round, i, e.Position)
		}
		if err := e.Verify(); err != nil {
			t.Fatalf("round %d: torn or altered event: %v", round, err)
		}
		var prevHash domain.Hash
		var prevVersion uint64
		if p := last[e.Stream]; p != nil {
			prevHash, prevVersion = p.Hash, p.Version
		}
		if e.PrevHash != prevHash || e.Version != prevVersion+1 {
			t.Fatalf("round %d: %s version %d does not follow version %d", round, e.Stream, e.Version, prevVersion)
		}
		last[e.Stream] = e
		if byID[e.ID] != nil {
			t.Fatalf("round %d: event %s stored twice", round, e.ID)
		}
		byID[e.ID] = e
	}
	if head, err := s.Head(ctx); err != nil || head != uint64(len(events)) {
		t.Fatalf("round %d: head %d (%v), the log holds %d events", round, head, err, len(events))
	}
	for id, a := range all {
		e := byID[id]
		if e == nil {
			t.Fatalf("round %d: acknowledged event %s (position %d) is missing; log has %d events", round, id, a.position, len(events))
		}
		if e.Position != a.position || e.Hash != a.hash || e.Stream != a.stream {
			t.Fatalf("round %d: event %s acknowledged at %d in %s, stored at %d in %s", round, id, a.position, a.stream, e.Position, e.Stream)
		}
	}
	probe := crashEvent(rand.New(rand.NewPCG(uint64(round), 1)), round)
	res, err := s.Append(ctx, "probe", eventstore.Any(), []domain.Event{probe})
	if err != nil || res.Position != uint64(len(events)+1) {
		t.Fatalf("round %d: append after the kill: position %d, %v", round, res.Position, err)
	}
	all[probe.ID] = ackedEvent{stream: "probe", position: res.Position, hash: res.Events[0].Hash}
	return len(events)
}
