package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/command"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/bolt"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/planimport"
	"taskledger/planparse"
	"taskledger/projections"
)

var (
	demoOnce sync.Once
	demoLog  []domain.Event
	demoErr  error
)

// demoEvents returns the events of a small simulated year over the bundled
// plan (a few thousand events), made once per test binary.
func demoEvents(t testing.TB) []domain.Event {
	t.Helper()
	demoOnce.Do(func() { demoLog, demoErr = makeDemo() })
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoLog
}

func makeDemo() ([]domain.Event, error) {
	ctx := context.Background()
	src, err := os.ReadFile("../examples/chifeng-air-quality-plan.txt")
	if err != nil {
		return nil, err
	}
	plan, err := planparse.ParseBytes(src, planparse.Options{})
	if err != nil {
		return nil, err
	}
	s := memory.New()
	reg := domain.DefaultRegistry()
	h := command.NewHandler(s, reg)
	const planID = domain.PlanID("chifeng-air")
	v := projections.NewViews(projections.Config{})
	if _, err := planimport.Import(ctx, h, v, plan, src, planimport.Options{Plan: planID, Actor: "office",
		Now: time.Date(2024, 12, 1, 9, 0, 0, 0, domain.Shanghai())}); err != nil {
		return nil, err
	}
	v, err = projections.BuildAt(ctx, s, reg, projections.Config{}, projections.Cut{})
	if err != nil {
		return nil, err
	}
	if _, err := demo.Generate(ctx, ledgertest.DirectLedger{H: h}, v, demo.Options{Seed: 1, Year: 2025, Plan: planID}); err != nil {
		return nil, err
	}
	return s.ReadAll(ctx, 0, 0)
}

// storeOf appends events (already sealed) to a new memory store in order,
// each with its own stream expectations; the store re-seals them, which
// gives the same hashes since every hashed field is the same.
func storeOf(t testing.TB, events []domain.Event) *memory.Store {
	t.Helper()
	s := memory.New()
	for _, e := range events {
		res, err := s.Append(context.Background(), e.Stream, eventstore.Exact(e.Version-1), []domain.Event{e})
		if err != nil {
			t.Fatal(err)
		}
		if res.Events[0].Hash != e.Hash {
			t.Fatalf("re-appended event %s hashes differently", e.ID)
		}
	}
	return s
}

func exportOf(t testing.TB, s eventstore.Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Export(context.Background(), s, &buf, time.Unix(1_700_000_000, 0)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key")
	pub, err := NewKey(path)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ReadPrivateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	pub2, err := ReadPublicKey(path + ".pub")
	if err != nil || !pub.Equal(pub2) {
		t.Fatalf("public key round trip: %v", err)
	}
	return pub, priv
}

func TestExportVerifies(t *testing.T) {
	events := demoEvents(t)
	s := storeOf(t, events)
	exp := exportOf(t, s)
	pub, priv := testKey(t)
	var x Index
	if _, err := x.Sync(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	cp, err := x.MakeCheckpoint(priv, DefaultOrigin, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	res, err := VerifyExport(context.Background(), bytes.NewReader(exp), VerifyOptions{Checkpoint: cp, PublicKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != uint64(len(events)) || res.Root != cp.Root || !res.SignatureChecked {
		t.Fatalf("export: %+v, checkpoint root %s", res, cp.Root)
	}
	sres, err := VerifyStore(context.Background(), s, VerifyOptions{Checkpoint: cp, PublicKey: pub})
	if err != nil || sres.Root != res.Root {
		t.Fatalf("store: %+v %v", sres, err)
	}
	t.Logf("%d events, %d streams, root %s", res.Events, res.Streams, res.Root)
}

// lines splits an export into its lines (without line feeds).
func lines(b []byte) [][]byte { return bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n")) }

func join(ls [][]byte) []byte { return append(bytes.Join(ls, []byte("\n")), '\n') }

func wantBreak(t *testing.T, name string, exp []byte, opts VerifyOptions, kind BreakKind, pos uint64) *BreakError {
	t.Helper()
	_, err := VerifyExport(context.Background(), bytes.NewReader(exp), opts)
	var be *BreakError
	if !errors.As(err, &be) {
		t.Fatalf("%s: verify says %v, want a %s break", name, err, kind)
	}
	if be.Kind != kind || (pos != 0 && be.Position != pos) {
		t.Fatalf("%s: %v; want kind %s at position %d", name, be, kind, pos)
	}
	return be
}

func TestExportTampering(t *testing.T) {
	events := demoEvents(t)
	s := storeOf(t, events)
	exp := exportOf(t, s)
	ls := lines(exp) // ls[0] header, ls[i] event at leaf i-1, last trailer
	pub, priv := testKey(t)
	var x Index
	if _, err := x.Sync(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	cp, _ := x.MakeCheckpoint(priv, DefaultOrigin, time.Now())
	opts := VerifyOptions{Checkpoint: cp, PublicKey: pub}
	n := len(events)
	mid := n / 2

	t.Run("changed payload", func(t *testing.T) {
		c := cloneLines(ls)
		c[1+mid] = bytes.Replace(c[1+mid], []byte(`"payload":{`), []byte(`"payload":{"x":1,`), 1)
		wantBreak(t, "payload", join(c), opts, BreakHash, events[mid].Position)
	})
	t.Run("deleted event", func(t *testing.T) {
		c := cloneLines(ls)
		c = append(c[:1+mid], c[2+mid:]...)
		be := wantBreak(t, "delete", join(c), opts, BreakLeaf, events[mid+1].Position)
		if be.Leaf != uint64(mid) {
			t.Fatalf("delete: break at leaf %d, want %d", be.Leaf, mid)
		}
	})
	t.Run("swapped events", func(t *testing.T) {
		c := cloneLines(ls)
		c[1+mid], c[2+mid] = c[2+mid], c[1+mid]
		wantBreak(t, "swap", join(c), opts, BreakLeaf, events[mid+1].Position)
	})
	t.Run("inserted event", func(t *testing.T) {
		c := cloneLines(ls)
		c = append(c[:1+mid], append([][]byte{c[1+mid]}, c[1+mid:]...)...)
		wantBreak(t, "insert", join(c), opts, BreakLeaf, events[mid].Position)
	})
	t.Run("renumbered deletion", func(t *testing.T) {
		// A careful forger deletes an event, renumbers the leaves and the
		// trailer: the stream's chain still shows the gap.
		c := renumber(t, events, mid)
		wantBreak(t, "renumbered", c, VerifyOptions{}, BreakVersion, 0)
	})
	t.Run("cut short", func(t *testing.T) {
		short := storeOf(t, events[:n-10])
		wantBreak(t, "short", exportOf(t, short), opts, BreakShort, 0)
		c := cloneLines(ls)
		c = append(c[:len(c)-11], c[len(c)-1])
		wantBreak(t, "short lines", join(c), VerifyOptions{}, BreakTrailer, 0)
	})
	t.Run("other key", func(t *testing.T) {
		other, _ := testKey(t)
		wantBreak(t, "other key", exp, VerifyOptions{Checkpoint: cp, PublicKey: other}, BreakSignature, 0)
		_, otherPriv := testKey(t)
		forged := Sign(otherPriv, cp.Size, cp.Position, cp.Root, cp.Time)
		forged.KeyID = cp.KeyID
		wantBreak(t, "forged", exp, VerifyOptions{Checkpoint: forged, PublicKey: pub}, BreakSignature, 0)
	})
	t.Run("rewritten history", func(t *testing.T) {
		// Rebuild the log with one payload changed and every hash after it
		// recomputed: chains and trailer are consistent, the checkpoint's
		// root is not.
		forged := make([]domain.Event, n)
		copy(forged, events)
		forged[mid].Payload = bytes.Replace(forged[mid].Payload, []byte(`{`), []byte(`{"x":1,`), 1)
		wantBreak(t, "rewrite", exportOf(t, reseal(t, forged)), opts, BreakRoot, 0)
	})
	t.Run("single bytes", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for range byteSamples {
			i := 1 + rng.IntN(n)
			line := ls[i]
			start := bytes.Index(line, []byte(`"payload":`)) + len(`"payload":`)
			if start < len(`"payload":`) {
				start = bytes.Index(line, []byte(`"payload_base64":`)) + len(`"payload_base64":`)
			}
			j := start + rng.IntN(len(line)-1-start)
			c := cloneLines(ls)
			c[i] = bytes.Clone(line)
			c[i][j] ^= byte(1 + rng.IntN(255))
			_, err := VerifyExport(context.Background(), bytes.NewReader(join(c)), opts)
			var be *BreakError
			if !errors.As(err, &be) {
				t.Fatalf("byte %d of line %d changed: verify says %v", j, i, err)
			}
			if be.Line != i+1 {
				t.Fatalf("byte %d of line %d changed: break named line %d: %v", j, i+1, be.Line, be)
			}
		}
	})
}

func cloneLines(ls [][]byte) [][]byte { return append([][]byte(nil), ls...) }

// reseal re-appends events to a fresh store, recomputing every hash.
func reseal(t *testing.T, events []domain.Event) *memory.Store {
	t.Helper()
	s := memory.New()
	for _, e := range events {
		if _, err := s.Append(context.Background(), e.Stream, eventstore.Any(), []domain.Event{e}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// renumber exports the log without event i, leaves renumbered and the
// trailer recomputed.
func renumber(t *testing.T, events []domain.Event, i int) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(`{"format":"taskledger-export/1","exported_at":"2025-01-01T00:00:00Z"}` + "\n")
	var b Builder
	var leaf uint64
	var head uint64
	for j := range events {
		if j == i {
			continue
		}
		line, err := appendExportLine(nil, leaf, &events[j])
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(line)
		b.Append(LeafHash(events[j].Hash))
		leaf++
		head = events[j].Position
	}
	root := b.Root()
	buf.WriteString(`{"end":{"events":` + itoa(leaf) + `,"head":` + itoa(head) + `,"root":"` + root.String() + `"}}` + "\n")
	return buf.Bytes()
}

func itoa(v uint64) string { return string(appendUint(nil, v)) }

func appendUint(b []byte, v uint64) []byte {
	if v >= 10 {
		b = appendUint(b, v/10)
	}
	return append(b, byte('0'+v%10))
}

// TestBoltByteFlips damages payload bytes in a bolt file and checks that
// each is caught, by verify or by the store refusing to read.
func TestBoltByteFlips(t *testing.T) {
	events := demoEvents(t)
	dir := t.TempDir()
	s, err := bolt.OpenDir(dir, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if _, err := s.Append(context.Background(), e.Stream, eventstore.Exact(e.Version-1), []domain.Event{e}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := VerifyStore(context.Background(), s, VerifyOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	path := filepath.Join(dir, bolt.FileName)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A record ends with the event's 32-byte hash and then its payload
	// (docs: eventstore/bolt). Find stored hashes and flip a byte just
	// after one: a payload byte, or its compressed form.
	// The streams bucket keeps the hash of each stream's last event too, so
	// those are left out.
	lastOf := map[string]uint64{}
	for _, e := range events {
		lastOf[e.Stream] = e.Version
	}
	// bbolt copies pages on write and the freed copies stay in the file,
	// so a record may appear more than once; the flip is made in every copy
	// (only the live one matters, and which one is live is bbolt's affair).
	var targets [][]int
	for i := 0; i < len(events); i += 7 {
		if events[i].Version == lastOf[events[i].Stream] || len(events[i].Payload) <= 16 {
			continue
		}
		var offs []int
		for off := 0; ; {
			j := bytes.Index(orig[off:], events[i].Hash[:])
			if j < 0 {
				break
			}
			offs = append(offs, off+j+32)
			off += j + 32
		}
		if len(offs) > 0 {
			targets = append(targets, offs)
		}
	}
	if len(targets) < 100 {
		t.Fatalf("found %d stored hashes in the file", len(targets))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var byVerify, byStore int
	for k := range 40 {
		offs := targets[rng.IntN(len(targets))]
		delta := rng.IntN(8)
		damaged := bytes.Clone(orig)
		for _, off := range offs {
			damaged[off+delta] ^= 0x01
		}
		off := offs[0] + delta
		p := filepath.Join(t.TempDir(), "ledger.db")
		if err := os.WriteFile(p, damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		ds, err := bolt.Open(p, bolt.Options{NoSync: true})
		if err != nil {
			byStore++
			continue
		}
		_, err = VerifyStore(context.Background(), ds, VerifyOptions{})
		ds.Close()
		var be *BreakError
		switch {
		case errors.As(err, &be):
			byVerify++
		case err != nil:
			byStore++
		default:
			t.Fatalf("flip %d at byte %d went unnoticed", k, off)
		}
	}
	t.Logf("40 flipped payload bytes: %d caught by verify, %d by the store refusing to read", byVerify, byStore)
}

// TestAsOfTrailIsReplay checks that a trail at a cut equals the trail of a
// ledger holding only the events up to that cut.
func TestAsOfTrailIsReplay(t *testing.T) {
	events := demoEvents(t)
	full := storeOf(t, events)
	reg := domain.DefaultRegistry()
	for _, f := range []Filter{{Task: 10}, {Unit: "bureau.ecology-environment"}, {Task: 3, Unit: "county.ningcheng"}} {
		for _, cut := range []int{len(events) / 3, len(events) * 2 / 3} {
			atTrail, err := BuildTrail(context.Background(), full, reg, f, events[cut-1].Position, time.Time{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			prefixTrail, err := BuildTrail(context.Background(), storeOf(t, events[:cut]), reg, f, 0, time.Time{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			at, prefix := atTrail.Entries(), prefixTrail.Entries()
			if !atTrail.Intact() || !prefixTrail.Intact() {
				t.Fatalf("%+v at %d: the trail's chain is not intact", f, cut)
			}
			if len(at) == 0 || !reflect.DeepEqual(at, prefix) {
				t.Fatalf("%+v at %d: %d entries as of the cut, %d replaying the prefix", f, cut, len(at), len(prefix))
			}
		}
		allTrail, err := BuildTrail(context.Background(), full, reg, f, 0, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		count := map[Flag]int{}
		for _, e := range allTrail.Entries() {
			for _, fl := range e.Flags {
				count[fl]++
			}
		}
		t.Logf("%+v: %d entries, flags %v", f, len(allTrail.Entries()), count)
	}
}

// forgedExport writes an export of events exactly as given (sealed here,
// each the first of its own stream), with a consistent trailer: what a
// forger, or a store that let the caller set recorded times, would produce.
func forgedExport(t *testing.T, times []time.Time) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(`{"format":"taskledger-export/1","exported_at":"2025-07-01T00:00:00Z"}` + "\n")
	var b Builder
	for i, at := range times {
		e := domain.Event{
			ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(i)}), Type: "ProgressReported", SchemaVersion: 1,
			RecordedAt: at, EffectiveAt: at, Actor: "forger", Payload: []byte(`{"note":"forged"}`),
		}
		e.Seal(fmt.Sprintf("stream-%d", i), 1, domain.Hash{})
		e.Position = uint64(i + 1)
		line, err := appendExportLine(nil, uint64(i), &e)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(line)
		b.Append(LeafHash(e.Hash))
	}
	root := b.Root()
	buf.WriteString(`{"end":{"events":` + itoa(uint64(len(times))) + `,"head":` + itoa(uint64(len(times))) + `,"root":"` + root.String() + `"}}` + "\n")
	return buf.Bytes()
}

// TestVerifyRecordedTimeOrder: every hash and chain of these exports is
// intact; verify still fails, naming the first event whose recorded time
// goes backwards along the log (or is missing).
func TestVerifyRecordedTimeOrder(t *testing.T) {
	t0 := time.Date(2025, 6, 30, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		times []time.Time
		pos   uint64 // 0: intact
	}{
		{"Increasing", []time.Time{t0, t0.Add(time.Hour), t0.Add(2 * time.Hour)}, 0},
		{"EqualTimes", []time.Time{t0, t0, t0}, 0},
		{"BackwardsAtThird", []time.Time{t0, t0.Add(2 * time.Hour), t0.Add(time.Hour), t0.Add(3 * time.Hour)}, 3},
		{"BackwardsByOneNanosecond", []time.Time{t0, t0.Add(-time.Nanosecond)}, 2},
		{"ZeroTime", []time.Time{t0, {}, t0}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			exp := forgedExport(t, c.times)
			if c.pos == 0 {
				if _, err := VerifyExport(context.Background(), bytes.NewReader(exp), VerifyOptions{}); err != nil {
					t.Fatalf("an intact export: %v", err)
				}
				return
			}
			be := wantBreak(t, c.name, exp, VerifyOptions{}, BreakTime, c.pos)
			if be.Line != int(c.pos)+1 || be.Leaf != c.pos-1 {
				t.Fatalf("break names line %d leaf %d, want line %d leaf %d: %v", be.Line, be.Leaf, c.pos+1, c.pos-1, be)
			}
			t.Log(be)
		})
	}
}
