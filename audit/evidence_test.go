package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/evidence"
	"taskledger/evidence/evidencetest"
)

// evidenceLedger records a duty, a report carrying two files and a claim
// carrying one of them again, with the files in blobs.
func evidenceLedger(t *testing.T) (*memory.Store, *evidence.Memory, []domain.EvidenceRef) {
	t.Helper()
	ctx := context.Background()
	s := memory.New()
	t.Cleanup(func() { s.Close() })
	h := command.NewHandler(s, domain.DefaultRegistry())
	blobs := evidence.NewMemory()
	var refs []domain.EvidenceRef
	for i, f := range []struct {
		name string
		data []byte
	}{{"验收报告.pdf", evidencetest.PDF("验收")}, {"现场照片.png", evidencetest.PNG()}} {
		sum := evidence.Sum(f.data)
		if _, err := blobs.Put(ctx, sum, f.data); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, domain.EvidenceRef{SHA256: sum, Name: f.name, MediaType: []string{"application/pdf", "image/png"}[i], Size: int64(len(f.data))})
	}
	k := domain.ObligationKey{Plan: "chifeng-air", Task: 10, Unit: "county.ningcheng", Role: domain.RoleImplementing}
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, domain.Shanghai())
	for i, cmd := range []domain.Command{
		domain.AssignResponsibility{ObligationKey: k},
		domain.ReportProgress{ObligationKey: k, Percent: 50, Attachments: refs},
		domain.ClaimCompletion{ObligationKey: k, Attachments: refs[:1]},
	} {
		if _, err := command.Dispatch(ctx, h, cmd, domain.Meta{Actor: "test", Now: now.Add(time.Duration(i) * time.Minute), IdempotencyKey: string(rune('a' + i))}); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	return s, blobs, refs
}

func TestCheckEvidenceFindsMissingAndAlteredFiles(t *testing.T) {
	ctx := context.Background()
	s, blobs, refs := evidenceLedger(t)
	reg := domain.DefaultRegistry()
	res, err := CheckEvidence(ctx, s, reg, blobs)
	if err != nil || res.Files != 2 || len(res.Problems) != 0 {
		t.Fatalf("an intact ledger: %+v, %v; want 2 files and no problem", res, err)
	}
	blobs.Replace(refs[0].SHA256, []byte("%PDF-1.4 forged"))
	blobs.Delete(refs[1].SHA256)
	res, err = CheckEvidence(ctx, s, reg, blobs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, p.Code+" "+p.Name)
	}
	if want := "evidence-altered 验收报告.pdf,evidence-missing 现场照片.png"; strings.Join(got, ",") != want {
		t.Fatalf("problems %v, want %s", got, want)
	}
	if p := res.Problems[1]; p.Stream == "" || p.Position == 0 || !strings.Contains(p.String(), p.SHA256.String()) {
		t.Fatalf("a problem does not say where: %+v", p)
	}
}

func TestSummariesNameTheEvidenceHashes(t *testing.T) {
	_, _, refs := evidenceLedger(t)
	k := domain.ObligationKey{Plan: "chifeng-air", Task: 10, Unit: "county.ningcheng", Role: domain.RoleImplementing}
	s := Summarize(domain.CompletionClaimed{ObligationKey: k, Attachments: refs}, Names{Unit: func(domain.UnitID) string { return "宁城县" }})
	for _, r := range refs {
		if !strings.Contains(s, r.Name+"（sha256:"+r.SHA256.String()+"）") {
			t.Fatalf("summary %q does not name %s with its hash", s, r.Name)
		}
	}
	if plain := Summarize(domain.CompletionClaimed{ObligationKey: k}, Names{Unit: func(domain.UnitID) string { return "宁城县" }}); strings.Contains(plain, "佐证材料") {
		t.Fatalf("a claim without evidence mentions evidence: %q", plain)
	}
}
