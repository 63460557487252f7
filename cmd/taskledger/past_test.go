package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskledger/domain"
	"taskledger/internal/ledgertest"
)

// A server keeps the read models as they stood every --past-every events:
// those below where its read models were restored in one pass over the
// log after it starts, the next ones as its projector passes them; its
// answers as of past dates,
// and those of the read commands on the store once it has stopped (which
// start from the sets it left), are what replaying the log gave before
// any set existed.
func TestServerKeepsPastReadModels(t *testing.T) {
	l := newServedLedger(t)
	// Snapshots at the head: the server restores its read models there,
	// so every set below comes from the background pass.
	mustRun(t, "rebuild", "--store", l.store)
	a := testCLI(nil)
	a.stdout, a.stderr = io.Discard, io.Discard
	const every = 150
	s, err := startServe(context.Background(), a, serveOptions{store: l.store, addr: "127.0.0.1:0", cacheTTL: -1, pastEvery: every}, planText{}, mustExist)
	if err != nil {
		t.Fatal(err)
	}
	head, err := s.l.store.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := int(head / every)
	if want < 3 {
		t.Fatalf("the demo ledger holds %d events: too few for sets %d apart", head, every)
	}
	sets := filepath.Join(l.store, "projections", "past", "*", "[0-9]*")
	waitForSets(t, sets, want)
	// Reports recorded while it serves carry the log past the next
	// multiple, and the server keeps that set too.
	reportPast(t, s, every)
	if head, err = s.l.store.Head(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitForSets(t, sets, int(head/every))
	ts := httptest.NewServer(s.srv.Handler())
	for name, args := range readCommands {
		token := l.tokens["coordinator"]
		if strings.HasPrefix(name, "scorecard") {
			token = l.tokens["committee"]
		}
		code, out, stderr := runCLIWith(testCLI(nil), append(args, "--server", ts.URL, "--token", token)...)
		if code != 0 {
			t.Fatalf("%s through the server: exit %d: %s", name, code, stderr)
		}
		if got, want := positionRE.ReplaceAllString(out, ""), positionRE.ReplaceAllString(l.direct[name], ""); got != want {
			t.Fatalf("%s through the server, from past sets:\n%s\nreplayed from the log:\n%s", name, out, l.direct[name])
		}
	}
	ts.Close()
	if err := s.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, args := range readCommands {
		if got := mustRun(t, append(args, "--store", l.store)...); got != l.direct[name] {
			t.Fatalf("%s on the store, from past sets:\n%s\nreplayed from the log:\n%s", name, got, l.direct[name])
		}
	}
}

// waitForSets waits until the folders matching sets number want.
func waitForSets(t *testing.T, sets string, want int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		found, err := filepath.Glob(sets)
		if err != nil {
			t.Fatal(err)
		}
		if len(found) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server kept %d past sets, want %d", len(found), want)
		}
	}
}

// reportPast records, through the serving ledger's command handling, as
// many progress reports on one open duty as the sets are apart.
func reportPast(t *testing.T, s *serving, every int) {
	t.Helper()
	var duty domain.Obligation
	for _, o := range s.runner.Views().Obligations.All() {
		if o.Status == domain.StatusOpen && o.Key.Role == domain.RoleImplementing {
			duty = o
			break
		}
	}
	if duty.Key.Unit == "" {
		t.Fatal("no open duty to report on")
	}
	b := ledgertest.New(t, s.l.store, clock)
	for range every {
		b.Do(domain.ReportProgress{ObligationKey: duty.Key, ActingUnit: duty.Key.Unit, Percent: duty.Progress}, "county")
	}
}

// rebuild saves the past sets on its way through the log, and the read
// commands on the store then answer from them as the log did.
func TestRebuildSavesPastReadModels(t *testing.T) {
	l := newServedLedger(t)
	out := mustRun(t, "rebuild", "--store", l.store, "--past-every", "150")
	sets, err := filepath.Glob(filepath.Join(l.store, "projections", "past", "*", "[0-9]*"))
	if err != nil || len(sets) < 3 || !strings.Contains(out, fmt.Sprintf("saving %d past read-model sets (every 150 events) included", len(sets))) {
		t.Fatalf("%d sets (%v) after:\n%s", len(sets), err, out)
	}
	for name, args := range readCommands {
		if got := mustRun(t, append(args, "--store", l.store)...); got != l.direct[name] {
			t.Fatalf("%s on the store, from past sets:\n%s\nreplayed from the log:\n%s", name, got, l.direct[name])
		}
	}
	if code, _, stderr := runCLI(t, clock, "rebuild", "--store", l.store, "--past-every", "-1"); code != 2 || !strings.Contains(stderr, "--past-every") {
		t.Fatalf("rebuild --past-every -1: exit %d, %s", code, stderr)
	}
}
