package graphql

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"taskledger/audit"
	"taskledger/domain"
	"taskledger/internal/ledgertest"
)

func TestCheckpointAndProofsOverTheAPI(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, envOptions{checkpoints: dir})
	// Nothing signed yet: the checkpoint is null, proofs use the whole log.
	if d := e.ok("", `{ checkpoint { size } }`, nil); d["checkpoint"] != nil {
		t.Fatalf("a checkpoint before any was made: %v", d)
	}
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	x := &audit.Index{}
	if _, err := x.Sync(context.Background(), e.store); err != nil {
		t.Fatal(err)
	}
	cp, err := x.MakeCheckpoint(key, audit.DefaultOrigin, e.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := audit.SaveCheckpoint(dir, cp); err != nil {
		t.Fatal(err)
	}
	// More events after the checkpoint.
	e.builder.Do(domain.ReportProgress{ObligationKey: e.keys[1], ActingUnit: e.keys[1].Unit, Percent: 20}, "county.a")

	d := e.ok("", `{ checkpoint { format origin note size position root keyId signature signedText } }`, nil)
	got := path(d, "checkpoint")
	if path(got, "root") != cp.Root.String() || int(path(got, "size").(float64)) != int(cp.Size) {
		t.Fatalf("checkpoint %v, want size %d root %s", got, cp.Size, cp.Root)
	}
	sig, _ := base64.StdEncoding.DecodeString(path(got, "signature").(string))
	if !ed25519.Verify(pub, []byte(path(got, "signedText").(string)), sig) {
		t.Fatal("the checkpoint's signature does not verify with the public key")
	}
	// The note is a C2SP signed note that the sumdb note package opens with
	// the verifier key alone.
	vkey, _ := note.NewEd25519VerifierKey(audit.DefaultOrigin, pub)
	v, _ := note.NewVerifier(vkey)
	if n, err := note.Open([]byte(path(got, "note").(string)), note.VerifierList(v)); err != nil || n.Text != path(got, "signedText") ||
		path(got, "format") != audit.NoteFormat || path(got, "origin") != audit.DefaultOrigin {
		t.Fatalf("checkpoint note: %v %v", got, err)
	}

	// An inclusion proof of the third event against the checkpoint verifies
	// with the checkpoint alone; against a wrong root it does not.
	d = e.ok("", `{ inclusionProof(position: 3) { leafIndex treeSize eventHash path root } }`, nil)
	ip := path(d, "inclusionProof")
	var hashes []domain.Hash
	for _, h := range path(ip, "path").([]any) {
		p, _ := domain.ParseHash(h.(string))
		hashes = append(hashes, p)
	}
	eh, _ := domain.ParseHash(path(ip, "eventHash").(string))
	leaf, size := uint64(path(ip, "leafIndex").(float64)), uint64(path(ip, "treeSize").(float64))
	if size != cp.Size {
		t.Fatalf("proof against size %d, the checkpoint has %d", size, cp.Size)
	}
	if err := audit.VerifyInclusion(leaf, size, audit.LeafHash(eh), hashes, cp.Root); err != nil {
		t.Fatalf("inclusion proof does not verify: %v", err)
	}
	if audit.VerifyInclusion(leaf, size, audit.LeafHash(eh), hashes, audit.LeafHash(eh)) == nil {
		t.Fatal("an inclusion proof verified against a wrong root")
	}

	// The checkpoint is consistent with the log as it grew since.
	if r := e.post("", `{ consistencyProof(from: 5, to: 100000) { from } }`, nil); len(r.Errors) != 1 || r.code() != string(CodeInvalidArgument) {
		t.Fatalf("a proof to a size beyond the log: %s", r.Raw)
	}
	head, _ := e.store.Head(context.Background())
	d = e.ok("", `query($n: Int) { consistencyProof(from: 5, to: $n) { from to fromRoot toRoot path } }`, map[string]any{"n": head})
	cpath := path(d, "consistencyProof")
	var chain []domain.Hash
	for _, h := range path(cpath, "path").([]any) {
		p, _ := domain.ParseHash(h.(string))
		chain = append(chain, p)
	}
	r1, _ := domain.ParseHash(path(cpath, "fromRoot").(string))
	r2, _ := domain.ParseHash(path(cpath, "toRoot").(string))
	if err := audit.VerifyConsistency(5, head, r1, r2, chain); err != nil {
		t.Fatalf("consistency proof does not verify: %v", err)
	}
	if r := e.post("", `{ inclusionProof(eventId: "not-a-uuid") { root } }`, nil); r.code() != string(CodeInvalidArgument) {
		t.Fatalf("a bad event id: %s", r.Raw)
	}
}

func TestAuditTrailFlagsLateReversedSuperseded(t *testing.T) {
	e := newEnv(t, envOptions{})
	ca, cb := e.keys[1], e.keys[2]
	e.builder.At(ledgertest.Shanghai(2025, time.March, 10, 9))
	e.builder.Do(domain.ReportProgress{ObligationKey: ca, ActingUnit: ca.Unit, Percent: 10}, "county.a")
	e.builder.Do(domain.ReportProgress{ObligationKey: ca, ActingUnit: ca.Unit, Percent: 20}, "county.a") // same month: supersedes
	e.builder.Do(domain.RequestExtension{ObligationKey: cb, ActingUnit: cb.Unit, Milestone: "m1", Due: ledgertest.Date(2025, time.December, 31), Reason: "资金"}, "county.b")
	e.builder.Do(domain.RefuseExtension{ObligationKey: cb, Reason: "理由不足"}, "office") // reverses the request
	e.builder.At(ledgertest.Shanghai(2025, time.July, 5, 9))
	e.builder.Do(domain.ClaimCompletion{ObligationKey: ca, ActingUnit: ca.Unit}, "county.a") // after the June due date: late
	head, _ := e.store.Head(context.Background())
	if err := e.runner.WaitFor(context.Background(), head); err != nil {
		t.Fatal(err)
	}
	d := e.ok("inspector", `{ auditTrail(task: 1, first: 500) { events { type flags summary } } }`, nil)
	seen := map[string][]string{}
	summaries := map[string]bool{}
	for _, ev := range path(d, "auditTrail", "events").([]any) {
		typ := path(ev, "type").(string)
		summaries[path(ev, "summary").(string)] = true
		for _, f := range path(ev, "flags").([]any) {
			seen[typ] = append(seen[typ], f.(string))
		}
	}
	// Each event says what it records in a line of Chinese, with the units
	// by name.
	for _, w := range []string{"甲县（落实）第1项报告2025-03进度20%（原10%）", "乙县（落实）第1项申请"} {
		found := false
		for s := range summaries {
			found = found || strings.HasPrefix(s, w)
		}
		if !found {
			t.Errorf("no event summary starts with %q: %v", w, summaries)
		}
	}
	want := map[string]string{"ProgressReported": "superseded", "ExtensionRequested": "reversed", "CompletionClaimed": "late"}
	for typ, flag := range want {
		found := false
		for _, f := range seen[typ] {
			found = found || f == flag
		}
		if !found {
			t.Errorf("%s carries flags %v, want %s", typ, seen[typ], flag)
		}
	}
}
