package bolt

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/storetest"
)

const (
	// crashChildEnv names the ledger file the crash test's child appends to.
	crashChildEnv = "TASKLEDGER_CRASH_CHILD"
	// crashIndexEvery makes the crash test's ledgers write their stream
	// index often, so kills land before, during and after such commits.
	crashIndexEvery = 50
)

func crashEvent(rng *rand.Rand, i int) domain.Event { return event(rng, i, 100+rng.IntN(400)) }

// TestCrashChild is the child of TestCrash: it appends until it is killed
// (see storetest.CrashChild).
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestCrash")
	}
	s, err := Open(path, crashOptions(path))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	// Hold some groups between their journal frame and bbolt's commit, so
	// that kills land there and the reopen applies the journal.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	s.afterJournal = func() {
		if rng.IntN(3) == 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	storetest.CrashChild(s, 3, crashEvent)
}

// crashJournal ends the names of crash-test ledgers made with a journal
// (format 4, payloads packed).
const crashJournal = "-journal.db"

func crashOptions(path string) Options {
	// Journals of 32 KiB make the committer checkpoint every few dozen
	// groups, and the timer starts one in the background every 5 ms, so
	// that kills land before, during and after both kinds of checkpoint
	// (and the journal's replacement at the end of one in the background).
	return Options{indexEvery: crashIndexEvery, NoJournal: !strings.HasSuffix(path, crashJournal), journalLimit: 32 << 10, journalSyncAfter: 5 * time.Millisecond}
}

// TestCrash kills a process that is appending at a random moment with
// SIGKILL, reopens the file and checks that every acknowledged event is
// there, intact and in order, with dense positions, and that every stream
// reads back as the log holds it (storetest.Crash). It runs 5 rounds on
// the same file unless TASKLEDGER_CRASH_ROUNDS says otherwise.
//
// It runs on a format 2 ledger (bbolt syncing itself) and on a format 4
// ledger (the journal synced once per group commit, bbolt not syncing,
// payloads packed, and their shapes interned in the journal's frames).
func TestCrash(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("in the child")
	}
	for _, name := range []string{"ledger.db", "ledger" + crashJournal} {
		t.Run(name, func(t *testing.T) { crashRounds(t, filepath.Join(t.TempDir(), name)) })
	}
}

func crashRounds(t *testing.T, path string) {
	storetest.Crash{
		ChildEnv: crashChildEnv, ChildTest: "TestCrashChild", Ledger: path,
		Rounds: 5, KillAfter: 250 * time.Millisecond, NewEvent: crashEvent,
		Open: func(t *testing.T) eventstore.Store {
			s, err := Open(path, crashOptions(path))
			if err != nil {
				t.Fatalf("reopen after kill: %v", err)
			}
			return s
		},
	}.Run(t)
}
