package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/domain"
	"taskledger/eventstore/postgres/pgtest"
	"taskledger/evidence"
	"taskledger/evidence/evidencetest"
	"taskledger/projections"
)

// claimWith records, as the holder of token, a claim of its unit's first
// implementing duty carrying the file sum.
func claimWith(t *testing.T, store, token, sum string) {
	t.Helper()
	ctx := context.Background()
	a := &cli{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }, now: func() time.Time { return clock }, token: token}
	l, err := a.openLedger(store, mustExist)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d, err := l.open(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	views, err := l.views(ctx, projections.Cut{}, a.logger())
	if err != nil {
		t.Fatal(err)
	}
	var k domain.ObligationKey
	for _, ob := range views.Obligations.All() {
		if ob.Key.Unit == d.who.Unit && ob.Key.Role == domain.RoleImplementing {
			k = ob.Key
			break
		}
	}
	if _, err := d.svc.ClaimCompletion(ctx, d.who, app.ClaimInput{Obligation: app.ObligationRef{Task: int(k.Task), Role: string(k.Role)},
		IdempotencyKey: "claim-1", Attachments: []app.EvidenceHandle{{SHA256: sum, Name: "验收报告.pdf"}}}); err != nil {
		t.Fatal(err)
	}
}

// An operator puts a file in, a county claims with it, gets it back, and
// verify notices when the file is altered or lost.
func TestEvidencePutGetAndVerify(t *testing.T) {
	store := importedLedger(t)
	county := newToken(t, store, "--role", "county", "--unit", "宁城县")
	other := newToken(t, store, "--role", "county", "--unit", "敖汉旗")
	pdf := evidencetest.PDF("宁城县验收")
	file := filepath.Join(t.TempDir(), "scan.png")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := evidence.Sum(pdf).String()
	code, out, stderr := runCLI(t, clock, "evidence", "put", file, "--store", store, "--token", county)
	if code != 0 || !strings.HasPrefix(out, sum+"\tscan.png\tapplication/pdf\t") {
		t.Fatalf("evidence put: exit %d\n%s\n%s", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(store, "evidence", sum[:2], sum[2:])); err != nil {
		t.Fatalf("the file is not beside the ledger: %v", err)
	}
	exe := filepath.Join(t.TempDir(), "报告.pdf")
	if err := os.WriteFile(exe, evidencetest.Exe(), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := cliCode(t, clock, "evidence", "put", exe, "--store", store); got != "INVALID_ARGUMENT" {
		t.Fatalf("a program named .pdf: %s", got)
	}

	claimWith(t, store, county, sum)
	got := filepath.Join(t.TempDir(), "out.pdf")
	if code, out, stderr := runCLI(t, clock, "evidence", "get", sum, "-o", got, "--store", store, "--token", county); code != 0 || !strings.Contains(out, "验收报告.pdf") {
		t.Fatalf("evidence get: exit %d\n%s\n%s", code, out, stderr)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, pdf) {
		t.Fatal("evidence get wrote other bytes")
	}
	if c := cliCode(t, clock, "evidence", "get", sum, "-o", got, "--store", store, "--token", other); c != "FORBIDDEN" {
		t.Fatalf("another county's get: %s", c)
	}

	if code, out, stderr := runCLI(t, clock, "verify", "--store", store); code != 0 || !strings.Contains(out, "the 1 evidence files the events name are present and intact") {
		t.Fatalf("verify: exit %d\n%s\n%s", code, out, stderr)
	}
	// A migrated ledger takes its evidence along.
	copied := filepath.Join(t.TempDir(), "copy")
	if code, out, stderr := runCLI(t, clock, "migrate", "--from", store, "--to", copied); code != 0 || !strings.Contains(out, "copied 1 evidence files (0 were already there)") {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, clock, "verify", "--store", copied); code != 0 || !strings.Contains(out, "the 1 evidence files the events name are present and intact") {
		t.Fatalf("verify of the copy: exit %d\n%s\n%s", code, out, stderr)
	}
	blob := filepath.Join(store, "evidence", sum[:2], sum[2:])
	if err := os.Chmod(blob, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blob, evidencetest.PDF("改过的"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, clock, "verify", "--store", store); code != 1 || !strings.Contains(stderr, "evidence-altered: "+sum) {
		t.Fatalf("verify of an altered file: exit %d\n%s", code, stderr)
	}
	if err := os.Remove(blob); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, clock, "verify", "--store", store); code != 1 || !strings.Contains(stderr, "evidence-missing: "+sum) {
		t.Fatalf("verify of a lost file: exit %d\n%s", code, stderr)
	}
}

// A PostgreSQL ledger keeps its evidence in its own schema: a file put
// through one command is there for the next.
func TestEvidenceInPostgres(t *testing.T) {
	chdirRepo(t)
	t.Setenv(stateEnv, t.TempDir())
	pg := pgtest.URL(t)
	if code, _, stderr := runCLI(t, clock, "import", "--store", pg, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	pdf := evidencetest.PDF("postgres")
	file := filepath.Join(t.TempDir(), "整改报告.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := evidence.Sum(pdf).String()
	if code, out, stderr := runCLI(t, clock, "evidence", "put", file, "--store", pg); code != 0 || !strings.HasPrefix(out, sum) {
		t.Fatalf("evidence put: exit %d\n%s\n%s", code, out, stderr)
	}
	got := filepath.Join(t.TempDir(), "back.pdf")
	if code, _, stderr := runCLI(t, clock, "evidence", "get", sum, "-o", got, "--store", pg); code != 0 {
		t.Fatalf("evidence get: exit %d\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, pdf) {
		t.Fatal("evidence get wrote other bytes")
	}
}
