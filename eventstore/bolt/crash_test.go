package bolt

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Environment of the crash test's child process.
const (
	crashChildEnv  = "TASKLEDGER_CRASH_CHILD" // the ledger file the child appends to
	crashRoundsEnv = "TASKLEDGER_CRASH_ROUNDS"
	// crashIndexEvery makes the crash test's ledgers write their stream
	// index often, so kills land before, during and after such commits.
	crashIndexEvery = 50
)

// TestCrashChild is the child of TestCrash: it appends from several
// goroutines until it is killed, printing one line per acknowledged append:
//
//	ack <stream> <id>:<position>:<hash> …
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestCrash")
	}
	s, err := Open(path, Options{indexEvery: crashIndexEvery})
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
				evs := make([]domain.Event, 1+rng.IntN(3))
				for j := range evs {
					evs[j] = event(rng, i, 100+rng.IntN(400))
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

// TestCrash kills a process that is appending at a random moment with
// SIGKILL, reopens the file and checks that every acknowledged event is
// there, intact and in order, with dense positions. TASKLEDGER_CRASH_ROUNDS
// sets the number of rounds (default 5), all on the same file.
func TestCrash(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("in the child")
	}
	rounds := 5
	if v := os.Getenv(crashRoundsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("%s=%q: want a number of rounds", crashRoundsEnv, v)
		}
		rounds = n
	}
	if testing.Short() && rounds > 2 {
		rounds = 2
	}
	path := filepath.Join(t.TempDir(), "ledger.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	type acked struct {
		stream   string
		position uint64
		hash     domain.Hash
	}
	all := map[uuid.UUID]acked{}
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
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
		var got []string
		first := <-lines // the child is up and appending
		if first == "" {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatal("the child printed nothing")
		}
		got = append(got, first)
		killAt := time.After(time.Duration(10+rng.IntN(250)) * time.Millisecond)
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
		// The last line may be cut short by the kill; complete lines were
		// written whole after the append was acknowledged.
		n := 0
		for _, l := range got {
			f := strings.Fields(l)
			if len(f) < 3 || f[0] != "ack" {
				if strings.HasPrefix(l, "ack ") {
					continue
				}
				t.Fatalf("round %d: child said %q", round, l)
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
				all[id] = acked{stream: f[1], position: pos, hash: h}
			}
			n++
		}

		s, err := Open(path, Options{indexEvery: crashIndexEvery})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		events, err := s.ReadAll(context.Background(), 0, 0)
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
				t.Fatalf("round %d: %v", round, err)
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
		for id, a := range all {
			e := byID[id]
			if e == nil {
				t.Fatalf("round %d: acknowledged event %s (position %d) is missing; log has %d events", round, id, a.position, len(events))
			}
			if e.Position != a.position || e.Hash != a.hash || e.Stream != a.stream {
				t.Fatalf("round %d: event %s acknowledged at %d in %s, stored at %d in %s", round, id, a.position, a.stream, e.Position, e.Stream)
			}
		}
		// Every stream reads back as the log holds it: the stream index
		// (written every crashIndexEvery events, the rest rebuilt from the
		// log at open) matches.
		for stream, tip := range last {
			got, err := s.ReadStream(context.Background(), stream, eventstore.Forwards, 1, 0)
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
		// The recovered store takes appends again.
		probe := event(rng, round, 100)
		if _, err := s.Append(context.Background(), "probe", eventstore.Any(), []domain.Event{probe}); err != nil {
			t.Fatalf("round %d: append after recovery: %v", round, err)
		}
		all[probe.ID] = acked{stream: "probe", position: uint64(len(events) + 1), hash: domainHashOf(t, s, probe.ID)}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d appends acknowledged, %d events in the log", round, n, len(events))
	}
}

func domainHashOf(t *testing.T, s *Store, id uuid.UUID) domain.Hash {
	t.Helper()
	evs, err := s.ReadStream(context.Background(), "probe", eventstore.Backwards, 0, 1)
	if err != nil || len(evs) != 1 || evs[0].ID != id {
		t.Fatalf("probe event: %v, %v", evs, err)
	}
	return evs[0].Hash
}
