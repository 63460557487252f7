package projections_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// pastCuts are the cuts the past-set tests ask about: on a set, just
// before and after one, between sets, at the head, and instants.
func pastCuts(head, every uint64) []projections.Cut {
	return []projections.Cut{
		{Position: 1}, {Position: every - 1}, {Position: every}, {Position: every + 1},
		{Position: 2*every + every/2}, {Position: head - 1}, {Position: head},
		{Time: ledgertest.Shanghai(2025, time.June, 30, 23)},
		{Time: ledgertest.Shanghai(2026, time.January, 20, 0)},
	}
}

// pastLedger is simulatedYear with the position of its last event.
func pastLedger(t *testing.T) (*memory.Store, *domain.Registry, uint64) {
	t.Helper()
	s, reg := simulatedYear(t)
	head, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, reg, head
}

// sameAsOf fails unless the past sets answer as the log does at cut: the
// same read models, and the same year's scorecards.
func sameAsOf(t *testing.T, s eventstore.Store, reg *domain.Registry, past *projections.Past, cut projections.Cut) {
	t.Helper()
	ctx := context.Background()
	want, err := projections.BuildAsOf(ctx, s, reg, projections.Config{}, cut)
	if err != nil {
		t.Fatal(err)
	}
	got, err := past.BuildAsOf(ctx, s, reg, cut)
	if err != nil {
		t.Fatalf("as of %s: %v", cut, err)
	}
	at := ledgertest.Shanghai(2026, time.January, 31, 0)
	if dump(t, got, at) != dump(t, want, at) {
		t.Fatalf("as of %s: the past sets give other read models than the log", cut)
	}
	for _, kind := range []scoring.Kind{scoring.KindBureau, scoring.KindCounty} {
		g, err := got.Scorecards("p", 2025, kind, "", 0, at)
		if err != nil {
			t.Fatal(err)
		}
		w, err := want.Scorecards("p", 2025, kind, "", 0, at)
		if err != nil {
			t.Fatal(err)
		}
		if g.Digest() != w.Digest() {
			t.Fatalf("as of %s: %s scorecards differ from the log's", cut, kind)
		}
	}
}

// Fill saves a set at every multiple of the spacing the log reaches, and
// an as-of question answered from them is, at every kind of cut, the fold
// of the log's prefix. A second Fill with nothing new saves nothing.
func TestPastSetsAnswerAsTheLogDoes(t *testing.T) {
	ctx := context.Background()
	s, reg, head := pastLedger(t)
	every := head/7 + 3
	past := projections.NewPast(t.TempDir(), int(every), projections.Config{}, nil)
	n, err := past.Fill(ctx, s, reg)
	if err != nil {
		t.Fatal(err)
	}
	if want := int(head / every); n != want {
		t.Fatalf("Fill saved %d sets of a %d-event log, %d apart; want %d", n, head, every, want)
	}
	if again, err := past.Fill(ctx, s, reg); err != nil || again != 0 {
		t.Fatalf("a second Fill saved %d sets (%v), want none", again, err)
	}
	for _, cut := range pastCuts(head, every) {
		sameAsOf(t, s, reg, past, cut)
	}
}

// A damaged set is passed over with a warning naming it, and left as it
// is: the answer comes from the older set and the log, unchanged.
func TestPastPassesOverADamagedSet(t *testing.T) {
	ctx := context.Background()
	s, reg, head := pastLedger(t)
	every := head / 4
	dir := t.TempDir()
	var logs bytes.Buffer
	past := projections.NewPast(dir, int(every), projections.Config{}, slog.New(slog.NewTextHandler(&logs, nil)))
	if _, err := past.Fill(ctx, s, reg); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*", "obligations.snap"))
	if err != nil || len(files) != 4 {
		t.Fatalf("found %v (%v), want the obligations of 4 sets", files, err)
	}
	damaged := files[1] // the set at 2*every
	b, err := os.ReadFile(damaged)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(damaged, b, 0o644); err != nil {
		t.Fatal(err)
	}
	sameAsOf(t, s, reg, past, projections.Cut{Position: 2*every + 5})
	if !strings.Contains(logs.String(), "passed over") || !strings.Contains(logs.String(), damaged) {
		t.Fatalf("no warning naming %s:\n%s", damaged, logs.String())
	}
	after, err := os.ReadFile(damaged)
	if err != nil || !bytes.Equal(after, b) {
		t.Fatalf("the damaged set was changed (%v)", err)
	}
}

// A runner given a Past saves a set at each multiple its models pass,
// catching up and then live, from its own models; those sets answer as the
// log does, and Fill finds nothing left to make.
func TestRunnerKeepsPastSetsAsItGoes(t *testing.T) {
	ctx := context.Background()
	s, reg, head := pastLedger(t)
	every := head/5 + 1
	dir := t.TempDir()
	past := projections.NewPast(dir, int(every), projections.Config{}, nil)
	r := projections.NewRunner(s, reg, projections.NewViews(projections.Config{}),
		projections.RunnerConfig{Past: past, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	countSets(t, dir, int(head/every))

	// Live: reports on one duty still running carry the log past the next
	// multiple.
	var duty domain.Obligation
	for _, o := range r.Views().Obligations.All() {
		if o.Completion != domain.ClaimVerified {
			duty = o
			break
		}
	}
	b := ledgertest.New(t, s, ledgertest.Shanghai(2026, time.February, 2, 9))
	for range every {
		b.Do(domain.ReportProgress{ObligationKey: duty.Key, ActingUnit: duty.Key.Unit, Percent: duty.Progress}, "county")
	}
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(ctx, head); err != nil {
		t.Fatal(err)
	}
	countSets(t, dir, int(head/every))
	if n, err := past.Fill(ctx, s, reg); err != nil || n != 0 {
		t.Fatalf("Fill after the runner saved %d sets (%v), want none", n, err)
	}
	for _, cut := range pastCuts(head, every) {
		sameAsOf(t, s, reg, past, cut)
	}
}

// countSets fails unless dir holds want sets.
func countSets(t *testing.T, dir string, want int) {
	t.Helper()
	sets, err := filepath.Glob(filepath.Join(dir, "*", "[0-9]*"))
	if err != nil || len(sets) != want {
		t.Fatalf("%d sets (%v), want %d", len(sets), err, want)
	}
}

// A set left half written by a process that is gone is removed by the
// next Fill; one of a process still running (this one, or init) is left
// alone.
func TestPastRemovesSetsAbandonedByAGoneWriter(t *testing.T) {
	ctx := context.Background()
	s, reg, head := pastLedger(t)
	dir := t.TempDir()
	past := projections.NewPast(dir, int(head/3), projections.Config{}, nil)
	if _, err := past.Fill(ctx, s, reg); err != nil {
		t.Fatal(err)
	}
	builds, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(builds) != 1 {
		t.Fatalf("build folders %v (%v), want one", builds, err)
	}
	gone := filepath.Join(builds[0], "writing-1073741824-abc") // above any pid_max
	mine := filepath.Join(builds[0], fmt.Sprintf("writing-%d-def", os.Getpid()))
	initial := filepath.Join(builds[0], "writing-1-ghi")
	for _, d := range []string{gone, mine, initial} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "obligations.snap"), []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := past.Fill(ctx, s, reg); err != nil || n != 0 {
		t.Fatalf("Fill saved %d (%v), want none", n, err)
	}
	if _, err := os.Stat(gone); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the set abandoned by a gone process is still there (%v)", err)
	}
	for _, d := range []string{mine, initial} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s, of a running process, was removed: %v", d, err)
		}
	}
	countSets(t, dir, int(head/(head/3)))
}
