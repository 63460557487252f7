package bolt

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
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
	s, err := Open(path, Options{indexEvery: crashIndexEvery})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	storetest.CrashChild(s, 3, crashEvent)
}

// TestCrash kills a process that is appending at a random moment with
// SIGKILL, reopens the file and checks that every acknowledged event is
// there, intact and in order, with dense positions, and that every stream
// reads back as the log holds it (storetest.Crash). It runs 5 rounds on
// the same file unless TASKLEDGER_CRASH_ROUNDS says otherwise.
func TestCrash(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("in the child")
	}
	path := filepath.Join(t.TempDir(), "ledger.db")
	storetest.Crash{
		ChildEnv: crashChildEnv, ChildTest: "TestCrashChild", Ledger: path,
		Rounds: 5, KillAfter: 250 * time.Millisecond, NewEvent: crashEvent,
		Open: func(t *testing.T) eventstore.Store {
			s, err := Open(path, Options{indexEvery: crashIndexEvery})
			if err != nil {
				t.Fatalf("reopen after kill: %v", err)
			}
			return s
		},
	}.Run(t)
}
