package storetest

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
)

// CrashRoundsEnv sets the number of rounds of a crash test (make soak
// runs more).
const CrashRoundsEnv = "TASKLEDGER_CRASH_ROUNDS"

// Crash describes an adapter's crash test: a child process appends to a
// ledger from several goroutines, printing every acknowledged append, and
// is killed with SIGKILL at a random moment; the parent then reopens the
// ledger and checks that every acknowledged event is there, intact, once,
// at its acknowledged position, in a log whose positions are dense and
// whose hash chains verify, and that the store takes appends again.
type Crash struct {
	// ChildEnv is the environment variable that makes a test process the
	// child; its value is Ledger. ChildTest names the test function that
	// calls CrashChild.
	ChildEnv, ChildTest string
	// Ledger is what the child opens (a file, a connection string).
	Ledger string
	// Rounds is the default number of rounds (CrashRoundsEnv overrides
	// it; -short caps it at 2), all over the same ledger.
	Rounds int
	// KillAfter is the longest the child runs before the kill; each round
	// picks a time up to it.
	KillAfter time.Duration
	// Open reopens the ledger after a kill.
	Open func(t *testing.T) eventstore.Store
	// NewEvent makes the events appended after a kill.
	NewEvent func(rng *rand.Rand, i int) domain.Event
}

// CrashChild is the body of an adapter's child test: it appends, from
// eight goroutines, batches of up to perAppend events made by newEvent
// (sometimes repeating the last batch, which must be a duplicate) until
// it is killed, printing one line per acknowledged append:
//
//	ack <stream> <id>:<position>:<hash> …
func CrashChild(s eventstore.Store, perAppend int, newEvent func(rng *rand.Rand, i int) domain.Event) {
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
				evs := make([]domain.Event, 1+rng.IntN(perAppend))
				for j := range evs {
					evs[j] = newEvent(rng, i)
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

// ackedEvent is where an acknowledged event was stored.
type ackedEvent struct {
	stream   string
	position uint64
	hash     domain.Hash
}

// Run runs the crash rounds.
func (c Crash) Run(t *testing.T) {
	t.Helper()
	rounds := c.Rounds
	if v := os.Getenv(CrashRoundsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("%s=%q: want a number of rounds", CrashRoundsEnv, v)
		}
		rounds = n
	}
	if testing.Short() && rounds > 2 {
		rounds = 2
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	all := map[uuid.UUID]ackedEvent{}
	for round := range rounds {
		killAfter := time.Duration(10+rng.Int64N(int64(max(c.KillAfter/time.Millisecond, 1)))) * time.Millisecond
		n := c.round(t, round, killAfter, all)
		s := c.Open(t)
		events := c.check(t, s, round, all)
		probe := c.NewEvent(rng, round)
		res, err := s.Append(context.Background(), "probe", eventstore.Any(), []domain.Event{probe})
		if err != nil || res.Position != uint64(events+1) {
			t.Fatalf("round %d: append after the kill: position %d, %v", round, res.Position, err)
		}
		all[probe.ID] = ackedEvent{stream: "probe", position: res.Position, hash: res.Events[0].Hash}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d appends acknowledged, %d events in the log", round, n, events)
	}
}

// round runs the child, kills it after killAfter and records what it
// acknowledged in all; it returns the number of acknowledged appends.
func (c Crash) round(t *testing.T, round int, killAfter time.Duration, all map[uuid.UUID]ackedEvent) int {
	cmd := exec.Command(os.Args[0], "-test.run=^"+c.ChildTest+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), c.ChildEnv+"="+c.Ledger)
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
		if parseAck(t, round, l, all) {
			n++
		}
	}
	return n
}

// parseAck records the events of one of the child's lines in all; the
// last line may be cut short by the kill, complete lines were written
// whole after the append was acknowledged.
func parseAck(t *testing.T, round int, line string, all map[uuid.UUID]ackedEvent) bool {
	f := strings.Fields(line)
	if len(f) < 3 || f[0] != "ack" {
		if strings.HasPrefix(line, "ack ") {
			return false
		}
		t.Fatalf("round %d: child said %q", round, line)
	}
	for _, item := range f[2:] {
		parts := strings.Split(item, ":")
		if len(parts) != 3 {
			continue // cut short
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
	return true
}

// check checks the reopened ledger against what was acknowledged; it
// returns the number of events in the log.
func (c Crash) check(t *testing.T, s eventstore.Store, round int, all map[uuid.UUID]ackedEvent) int {
	ctx := context.Background()
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
	// Every stream reads back as the log holds it (the embedded store's
	// stream index is partly rebuilt from the log at open).
	for stream, tip := range last {
		got, err := s.ReadStream(ctx, stream, eventstore.Forwards, 1, 0)
		if err != nil {
			t.Fatalf("round %d: read %s: %v", round, stream, err)
		}
		if uint64(len(got)) != tip.Version || got[len(got)-1].ID != tip.ID {
			t.Fatalf("round %d: %s reads %d events, the log holds %d", round, stream, len(got), tip.Version)
		}
		for i := range got {
			if want := byID[got[i].ID]; want == nil || want.Position != got[i].Position || got[i].Version != uint64(i+1) {
				t.Fatalf("round %d: %s version %d reads as position %d", round, stream, i+1, got[i].Position)
			}
		}
	}
	return len(events)
}
