package projections_test

import (
	"bufio"
	"context"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore/bolt"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
)

// The child side of TestKilledWhileProjectingRestartsEqualToRebuild: it
// projects a store live with frequent snapshots while it keeps appending,
// until its parent kills it.
func TestProjectionCrashChild(t *testing.T) {
	dir := os.Getenv("TASKLEDGER_PROJECTION_CHILD")
	if dir == "" {
		t.Skip("runs only as the child process of TestKilledWhileProjectingRestartsEqualToRebuild")
	}
	ctx := context.Background()
	s, err := bolt.OpenDir(filepath.Join(dir, "ledger"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := projections.NewRunner(s, domain.DefaultRegistry(), projections.NewViews(projections.Config{}),
		projections.RunnerConfig{SnapshotDir: filepath.Join(dir, "snapshots"), SnapshotEvery: 3, Logger: slog.New(slog.DiscardHandler)})
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	b := ledgertest.New(t, s, ledgertest.Shanghai(2025, time.March, 1, 9))
	keys := []domain.ObligationKey{
		ledgertest.Obligation("p", 1, "county.a", domain.RoleImplementing),
		ledgertest.Obligation("p", 1, "county.b", domain.RoleImplementing),
	}
	for i := 0; ; i++ {
		k := keys[i%2]
		b.At(b.Now().Add(time.Hour))
		b.Do(domain.ReportProgress{ObligationKey: k, Percent: domain.Percent(i % 101), Note: "n" + strconv.Itoa(i)}, "office")
		if i%2 == 0 {
			b.Do(domain.RecordIndicator{Unit: k.Unit, Metric: domain.MetricPM25, Period: mustMonth(t, 2024, time.Month(1+i%12)), Value: float64(20+i) + float64(os.Getpid()%997)/1000, ValidDays: 28}, "monitoring")
		}
		os.Stdout.WriteString("appended " + strconv.Itoa(i) + "\n")
	}
}

func mustMonth(t *testing.T, y int, m time.Month) domain.YearMonth {
	ym, err := domain.NewYearMonth(y, m)
	if err != nil {
		t.Fatal(err)
	}
	return ym
}

func TestKilledWhileProjectingRestartsEqualToRebuild(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	rounds := 3
	if v, err := strconv.Atoi(os.Getenv("TASKLEDGER_CRASH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := bolt.OpenDir(filepath.Join(dir, "ledger"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ledgertest.New(t, s, ledgertest.Shanghai(2025, time.January, 2, 9)).SmallPlan()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestProjectionCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "TASKLEDGER_PROJECTION_CHILD="+dir)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let the child append a random number of events, then kill it.
		want := 5 + rng.IntN(40)
		sc := bufio.NewScanner(out)
		seen := 0
		var last []string
		for seen < want && sc.Scan() {
			if strings.HasPrefix(sc.Text(), "appended ") {
				seen++
				continue
			}
			last = append(last, sc.Text())
		}
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if seen < want {
			t.Fatalf("round %d: the child stopped after %d appends: %s %s", round, seen, last, stderr.String())
		}

		s, err := bolt.OpenDir(filepath.Join(dir, "ledger"), bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		restarted := projections.NewRunner(s, domain.DefaultRegistry(), projections.NewViews(projections.Config{}),
			projections.RunnerConfig{SnapshotDir: filepath.Join(dir, "snapshots"), Logger: slog.New(slog.DiscardHandler)})
		restarted.Restore(ctx)
		// The checkpoint the killed child left never claims more than
		// its snapshots hold, and the restart resumes from it.
		cp, err := projections.LoadCheckpoint(ctx, filepath.Join(dir, "snapshots"), s)
		if err != nil {
			t.Fatalf("round %d: no checkpoint after the kill: %v", round, err)
		}
		for _, m := range restarted.Views().Models() {
			if m.Position() < cp {
				t.Fatalf("round %d: checkpoint %d is ahead of the %s snapshot at %d", round, cp, m.Name(), m.Position())
			}
		}
		if restarted.Position() != cp {
			t.Fatalf("round %d: restart resumes from %d, not the checkpoint %d", round, restarted.Position(), cp)
		}
		if _, err := restarted.CatchUp(ctx); err != nil {
			t.Fatalf("round %d: catch up after the kill: %v", round, err)
		}
		rebuilt, err := projections.BuildAt(ctx, s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
		if err != nil {
			t.Fatal(err)
		}
		now := ledgertest.Shanghai(2026, time.January, 1, 0)
		if a, b := dump(t, restarted.Views(), now), dump(t, rebuilt, now); a != b {
			t.Fatalf("round %d: restart after a kill differs from a rebuild:\n%s\n%s", round, a, b)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
