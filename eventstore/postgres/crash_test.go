package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/postgres"
	"taskledger/eventstore/postgres/pgtest"
	"taskledger/eventstore/storetest"
)

// crashChildEnv holds the connection string the crash test's child
// appends through.
const crashChildEnv = "TASKLEDGER_PG_CRASH_CHILD"

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

// TestCrashChild is the child of TestCrash: it appends until it is killed
// (see storetest.CrashChild).
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
	storetest.CrashChild(s, 10, crashEvent)
}

// TestCrash kills a process appending to PostgreSQL with SIGKILL at a random
// moment, several times over one ledger, and checks after each kill that
// every acknowledged event is there, intact, once, in a log whose positions
// are dense and whose hash chains verify (storetest.Crash). It runs 3
// rounds unless TASKLEDGER_CRASH_ROUNDS says otherwise.
func TestCrash(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("in the child")
	}
	conn := pgtest.URL(t)
	s, err := postgres.Open(context.Background(), conn, postgres.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	// The child's sessions carry a name of their own: after a kill the
	// server may still be committing the child's last append, so the check
	// waits for them to end before it reads the log.
	child := "tlcrash_" + uuid.NewString()[:8]
	storetest.Crash{
		ChildEnv: crashChildEnv, ChildTest: "TestCrashChild", Ledger: pgtest.WithParam(conn, "application_name", child),
		Rounds: 3, KillAfter: 300 * time.Millisecond, NewEvent: crashEvent,
		Open: func(t *testing.T) eventstore.Store {
			pgtest.WaitForSessionsToEnd(t, conn, child)
			s, err := postgres.Open(context.Background(), conn, postgres.Options{})
			if err != nil {
				t.Fatalf("reopen after kill: %v", err)
			}
			return s
		},
	}.Run(t)
}
