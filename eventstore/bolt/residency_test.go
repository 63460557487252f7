package bolt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"taskledger/domain"
)

// A scan that lets go of the pages it has read (more than releaseEvery of
// log) still hands out every event intact, in order, twice over, while
// another reader reads the same pages.
func TestScanThatReleasesPagesReadsEverything(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), FileName), Options{NoSync: true})
	want := appendNotes(t, s, rand.New(rand.NewPCG(13, 14)), 3*releaseEvery/300, 50, 300, 97)
	if err := s.checkpoint(); err != nil { // the log into the file, where the map serves it
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		got, err := s.ReadAll(ctx, 0, 0)
		if err == nil && len(got) != len(want) {
			err = fmt.Errorf("read all: %d events, want %d", len(got), len(want))
		}
		done <- err
	}()
	for round := range 2 {
		n := 0
		err := s.ScanAll(ctx, 0, func(e *domain.Event) error {
			if e.ID != want[n].ID || e.Hash != want[n].Hash || e.Verify() != nil {
				return fmt.Errorf("position %d: not the event appended there", e.Position)
			}
			n++
			return nil
		})
		if err != nil || n != len(want) {
			t.Fatalf("scan %d: %d of %d events: %v", round, n, len(want), err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// residentKB is how much of the file at path the process holds mapped and
// resident (Linux's /proc/self/smaps); ok is false where that cannot be
// read.
func residentKB(t *testing.T, path string) (kb int, ok bool) {
	t.Helper()
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, false
	}
	inFile := false
	for _, line := range strings.Split(string(smaps), "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-"):
			inFile = fields[len(fields)-1] == path
		case inFile && len(fields) == 3 && fields[0] == "Rss:":
			n, err := strconv.Atoi(fields[1])
			if err != nil {
				t.Fatalf("smaps: %q", line)
			}
			kb += n
		}
	}
	return kb, true
}

// A ledger opened for writing and read in full holds little of its file
// resident: bbolt's walk of every page while it opens is let go, and full
// scans read the log from the file, not through the map.
func TestOpenLedgerKeepsLittleOfItsFileResident(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s := openTest(t, path, Options{NoSync: true})
	appendNotes(t, s, rand.New(rand.NewPCG(17, 18)), 12000, 50, 400, 89)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path, Options{NoSync: true})
	if err := s.ScanAll(ctx, 0, func(*domain.Event) error { return nil }); err != nil {
		t.Fatal(err)
	}
	kb, ok := residentKB(t, path)
	if !ok {
		t.Skip("no /proc/self/smaps here: residency is measured on Linux")
	}
	if fileKB := int(fi.Size() / 1024); kb > fileKB/4 {
		t.Fatalf("after opening and scanning, %d KiB of the %d KiB file are resident in the process", kb, fileKB)
	}
}
