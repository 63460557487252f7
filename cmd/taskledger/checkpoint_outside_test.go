package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"taskledger/audit"
)

// outsideProof is what an outside checker reads from an inclusion proof
// file: plain JSON with hex hashes (docs/ledger-format.md).
type outsideProof struct {
	LeafIndex uint64   `json:"leaf_index"`
	TreeSize  uint64   `json:"tree_size"`
	Position  uint64   `json:"position"`
	EventHash string   `json:"event_hash"`
	Path      []string `json:"path"`
}

// outsideVerify plays a checker who holds only the published verifier key,
// the checkpoint text, the proof and the event's hash, and uses the public
// libraries directly, none of this ledger's code.
func outsideVerify(vkey string, origin string, checkpoint, proofJSON []byte, eventHash string) error {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return err
	}
	cp, _, _, err := log.ParseCheckpoint(checkpoint, origin, v)
	if err != nil {
		return err
	}
	var p outsideProof
	if err := json.Unmarshal(proofJSON, &p); err != nil {
		return err
	}
	if p.EventHash != eventHash {
		return errMismatch("the proof is about another event")
	}
	if p.TreeSize != cp.Size {
		return errMismatch("the proof is for another tree size")
	}
	ev, err := hex.DecodeString(eventHash)
	if err != nil {
		return err
	}
	path := make([][]byte, len(p.Path))
	for i, h := range p.Path {
		if path[i], err = hex.DecodeString(h); err != nil {
			return err
		}
	}
	return proof.VerifyInclusion(rfc6962.DefaultHasher, p.LeafIndex, cp.Size, rfc6962.DefaultHasher.HashLeaf(ev), path, cp.Hash)
}

type errMismatch string

func (e errMismatch) Error() string { return string(e) }

// exportedHash returns the hash of the event at a log position, as the
// export file states it.
func exportedHash(t *testing.T, exp string, pos uint64) string {
	t.Helper()
	f, err := os.Open(exp)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Position uint64 `json:"position"`
			Hash     string `json:"hash"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Position == pos && line.Hash != "" {
			return line.Hash
		}
	}
	t.Fatalf("no event at position %d in the export", pos)
	return ""
}

// TestOutsideCheckerVerifiesInclusion: with only the published verifier
// key, the checkpoint text and an inclusion proof, an outside checker
// verifies an event's inclusion with golang.org/x/mod/sumdb/note,
// github.com/transparency-dev/formats/log and
// github.com/transparency-dev/merkle; a changed checkpoint, proof or event
// or another key fails.
func TestOutsideCheckerVerifiesInclusion(t *testing.T) {
	chdirRepo(t)
	tmp := t.TempDir()
	store := filepath.Join(tmp, "ledger")
	key := filepath.Join(tmp, "key")
	const origin = "ledger.example.gov.cn/chifeng-air"
	mustCall(t, "import", "--store", store, "examples/chifeng-air-quality-plan.txt")
	mustCall(t, "checkpoint", "--new-key", key, "--origin", origin)
	cpFile := filepath.Join(tmp, "cp.checkpoint")
	mustCall(t, "checkpoint", "--store", store, "--key", key, "--origin", origin, "--out", cpFile)
	incl := filepath.Join(tmp, "incl.json")
	mustCall(t, "proof", "inclusion", "--store", store, "--position", "7", "--checkpoint", cpFile, "--out", incl)
	exp := filepath.Join(tmp, "ledger.jsonl")
	mustCall(t, "export", "--store", store, "--out", exp)

	vkey, cp, pr := readFile(t, key+".vkey"), readFile(t, cpFile), readFile(t, incl)
	if !bytes.HasPrefix(cp, []byte(origin+"\n")) || !strings.HasPrefix(string(vkey), origin+"+") {
		t.Fatalf("checkpoint or verifier key not for %s:\n%s\n%s", origin, cp, vkey)
	}
	hash := exportedHash(t, exp, 7)
	if err := outsideVerify(string(vkey), origin, cp, pr, hash); err != nil {
		t.Fatalf("the outside checker rejects a good proof: %v\n%s", err, cp)
	}

	other := filepath.Join(tmp, "other")
	mustCall(t, "checkpoint", "--new-key", other, "--origin", origin)
	otherHash := exportedHash(t, exp, 8)
	badRoot := bytes.Replace(cp, []byte("\n"+strings.Split(string(cp), "\n")[2]+"\n"), []byte("\n"+strings.Repeat("A", 43)+"=\n"), 1)
	badPath := bytes.Replace(pr, []byte(`"path": [`+"\n"+`    "`), []byte(`"path": [`+"\n"+`    "00`), 1)
	for name, c := range map[string]func() error{
		"another key":    func() error { return outsideVerify(string(readFile(t, other+".vkey")), origin, cp, pr, hash) },
		"another origin": func() error { return outsideVerify(string(vkey), "elsewhere.example/log", cp, pr, hash) },
		"a changed root": func() error { return outsideVerify(string(vkey), origin, badRoot, pr, hash) },
		"a changed path": func() error { return outsideVerify(string(vkey), origin, cp, badPath, hash) },
		"another event": func() error {
			return outsideVerify(string(vkey), origin, cp, bytes.ReplaceAll(pr, []byte(hash), []byte(otherHash)), otherHash)
		},
		"a truncated note": func() error { return outsideVerify(string(vkey), origin, cp[:len(cp)-10], pr, hash) },
	} {
		if c() == nil {
			t.Errorf("the outside checker accepts %s", name)
		}
	}
	if bytes.Equal(badPath, pr) || bytes.Equal(badRoot, cp) {
		t.Fatal("the damaged copies are not damaged")
	}

	// taskledger's own proof verify takes the verifier key as well as the PEM.
	if out := mustCall(t, "proof", "verify", "--proof", incl, "--checkpoint", cpFile, "--pubkey", key+".vkey"); !strings.HasPrefix(out, "OK") {
		t.Fatalf("proof verify with the verifier key: %s", out)
	}
	if err, _, _ := call(t, "proof", "verify", "--proof", incl, "--checkpoint", cpFile, "--pubkey", other+".vkey"); err == nil {
		t.Fatal("proof verify accepts another verifier key")
	}

	// Our own reader agrees on the same files.
	ours, err := audit.ParseCheckpoint(cp)
	if err != nil || ours.Format != audit.NoteFormat || ours.Origin != origin || ours.Position == 0 {
		t.Fatalf("ParseCheckpoint: %+v %v", ours, err)
	}

	// A legacy JSON checkpoint in the ledger's folder: read as the latest
	// until checkpoint migrate re-signs it as a note the outside checker
	// accepts.
	dir := filepath.Join(store, audit.CheckpointDir)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	priv, err := audit.ReadPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := audit.SaveCheckpoint(dir, audit.Sign(priv, ours.Size, ours.Position, ours.Root, ours.Time)); err != nil {
		t.Fatal(err)
	}
	if out := mustCall(t, "checkpoint", "migrate", "--store", store, "--key", key, "--origin", origin); !strings.Contains(out, "1 re-signed") {
		t.Fatalf("migrate: %s", out)
	}
	latest, err := audit.LatestCheckpoint(dir)
	if err != nil || latest.Format != audit.NoteFormat {
		t.Fatalf("latest after migrate: %+v %v", latest, err)
	}
	if err := outsideVerify(string(vkey), origin, latest.Note, pr, hash); err != nil {
		t.Fatalf("the outside checker rejects a migrated checkpoint: %v", err)
	}
	if err, _, _ := call(t, "checkpoint", "migrate", "--store", store, "--key", other, "--origin", origin); err != nil {
		t.Fatalf("a second migrate has nothing to do, yet fails: %v", err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCheckpointOriginChecked: an origin that cannot name a key is a usage
// error and no key file is made.
func TestCheckpointOriginChecked(t *testing.T) {
	key := filepath.Join(t.TempDir(), "key")
	err, _, _ := call(t, "checkpoint", "--new-key", key, "--origin", "two words")
	if !errors.Is(err, errUsage) {
		t.Fatalf("a bad origin: %v", err)
	}
	if _, serr := os.Stat(key); !os.IsNotExist(serr) {
		t.Fatalf("a key file was made for a refused origin: %v", serr)
	}
}
