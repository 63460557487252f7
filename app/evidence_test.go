package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/evidence"
	"taskledger/evidence/evidencetest"
	"taskledger/projections"
)

// withEvidence returns a fixture holding the Chifeng plan whose layer
// keeps evidence in blobs, with files of at most maxSize bytes.
func withEvidence(t *testing.T, blobs evidence.Store, maxSize int64) *fixture {
	t.Helper()
	f := &fixture{t: t, store: memory.New(), now: time.Date(2025, 3, 10, 9, 0, 0, 0, shanghai)}
	reg := domain.DefaultRegistry()
	runner := projections.NewRunner(f.store, reg, projections.NewViews(projections.Config{}), projections.RunnerConfig{})
	f.views = app.PulledViews{Runner: runner}
	tokens := auth.InMemory(strings.NewReader(strings.Repeat("0123456789abcdef", 64)), func() time.Time { return f.now })
	svc, err := app.New(app.Config{Store: f.store, Registry: reg, Views: f.views, Clock: app.ClockFunc(func() time.Time { return f.now }),
		Tokens: tokens, Logger: slog.New(slog.DiscardHandler), Evidence: blobs, EvidenceMaxSize: maxSize})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	t.Cleanup(func() { f.store.Close() })
	if _, err := f.svc.ImportPlan(context.Background(), operator, app.ImportInput{Text: chifengText(t), Plan: "chifeng-air"}); err != nil {
		t.Fatalf("import: %v", err)
	}
	f.sync()
	return f
}

func TestUploadJudgesTheContentNotTheName(t *testing.T) {
	blobs := evidence.NewMemory()
	f := withEvidence(t, blobs, 0)
	ctx := context.Background()
	pdf := evidencetest.PDF("整改报告")
	got, err := f.svc.UploadEvidence(ctx, ningcheng, app.UploadInput{Name: "现场照片.png", Data: pdf})
	if err != nil {
		t.Fatal(err)
	}
	if got.MediaType != "application/pdf" || got.Name != "现场照片.png" || got.Size != int64(len(pdf)) || !got.Created {
		t.Fatalf("a PDF named .png uploaded as %+v; want application/pdf, the given name, its size, new", got)
	}
	if ok, _ := blobs.Has(ctx, evidence.Sum(pdf)); !ok || got.SHA256 != evidence.Sum(pdf).String() {
		t.Fatalf("the store does not hold the upload under its SHA-256 %s", got.SHA256)
	}

	exe := evidencetest.Exe()
	_, err = f.svc.UploadEvidence(ctx, ningcheng, app.UploadInput{Name: "验收报告.pdf", Data: exe})
	f.refused(err, app.InvalidArgument, f.head())
	if ok, _ := blobs.Has(ctx, evidence.Sum(exe)); ok {
		t.Fatal("a refused program was stored")
	}
	if zh := err.(*app.Error).Chinese(); !strings.Contains(zh, "验收报告.pdf") || !strings.Contains(zh, "按文件内容判断") {
		t.Fatalf("the refusal does not say which file and why, in Chinese: %s", zh)
	}
}

func TestUploadRefusesFilesOverTheLimitAndKeepsNothing(t *testing.T) {
	blobs := evidence.NewMemory()
	data := evidencetest.PDF(strings.Repeat("页", 100))
	f := withEvidence(t, blobs, int64(len(data))-1)
	_, err := f.svc.UploadEvidence(context.Background(), ningcheng, app.UploadInput{Name: "大文件.pdf", Data: data})
	f.refused(err, app.InvalidArgument, f.head())
	if ok, _ := blobs.Has(context.Background(), evidence.Sum(data)); ok {
		t.Fatal("a file over the limit was stored")
	}
}

func TestUploadingTheSameFileAgainReturnsTheSameHandle(t *testing.T) {
	f := withEvidence(t, evidence.NewMemory(), 0)
	ctx := context.Background()
	data := evidencetest.Docx()
	first, err := f.svc.UploadEvidence(ctx, ningcheng, app.UploadInput{Name: `C:\材料\方案.docx`, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.UploadEvidence(ctx, bureau, app.UploadInput{Name: "方案.docx", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if first.Handle() != again.Handle() || !first.Created || again.Created {
		t.Fatalf("first %+v, again %+v: want one handle, stored once", first, again)
	}
	if first.Name != "方案.docx" {
		t.Fatalf("a Windows path kept as the name %q; want its last element", first.Name)
	}
}

func TestOnlyUnitsAndTheOperatorUpload(t *testing.T) {
	f := withEvidence(t, evidence.NewMemory(), 0)
	ctx := context.Background()
	in := app.UploadInput{Name: "a.pdf", Data: evidencetest.PDF("a")}
	_, err := f.svc.UploadEvidence(ctx, auth.Anonymous(), in)
	f.refused(err, app.Unauthenticated, f.head())
	_, err = f.svc.UploadEvidence(ctx, committee, in)
	f.refused(err, app.Forbidden, f.head())
	if _, err := f.svc.UploadEvidence(ctx, operator, in); err != nil {
		t.Fatalf("the operator's upload: %v", err)
	}
}

func TestReportsAndClaimsRecordTheEvidenceTheStoreHolds(t *testing.T) {
	f := withEvidence(t, evidence.NewMemory(), 0)
	ctx := context.Background()
	k := f.duty()
	ref := app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}
	up, err := f.svc.UploadEvidence(ctx, ningcheng, app.UploadInput{Name: "现场照片.png", Data: evidencetest.PNG()})
	if err != nil {
		t.Fatal(err)
	}

	start := f.head()
	missing := app.EvidenceHandle{SHA256: evidence.Sum([]byte("never uploaded")).String(), Name: "x.pdf"}
	_, err = f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 20, IdempotencyKey: "r0", Attachments: []app.EvidenceHandle{missing}})
	f.refused(err, app.NotFound, start)
	_, err = f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 20, IdempotencyKey: "r0", Attachments: []app.EvidenceHandle{{SHA256: "abc", Name: "x.pdf"}}})
	f.refused(err, app.InvalidArgument, start)

	// A caller cannot restate the type or size: they come from the bytes.
	res, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 20, IdempotencyKey: "r1", Attachments: []app.EvidenceHandle{up.Handle()}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := domain.DefaultRegistry().Decode(&res.Events[0])
	if err != nil {
		t.Fatal(err)
	}
	rep := data.(domain.ProgressReported)
	if len(rep.Attachments) != 1 || rep.Attachments[0].Name != "现场照片.png" || rep.Attachments[0].MediaType != "image/png" || rep.Attachments[0].SHA256.String() != up.SHA256 {
		t.Fatalf("recorded attachments %+v", rep.Attachments)
	}

	// The same key with the same evidence is the same request: nothing new.
	before := f.head()
	again, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 20, IdempotencyKey: "r1", Attachments: []app.EvidenceHandle{up.Handle()}})
	if err != nil || !again.Duplicate || f.head() != before {
		t.Fatalf("a repeated report: %+v, %v; want a duplicate recording nothing", again, err)
	}
	// The same key with other evidence is another request.
	other, _ := f.svc.UploadEvidence(ctx, ningcheng, app.UploadInput{Name: "b.pdf", Data: evidencetest.PDF("b")})
	_, err = f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: ref, Percent: 20, IdempotencyKey: "r1", Attachments: []app.EvidenceHandle{other.Handle()}})
	f.refused(err, app.IdempotencyConflict, before)

	if _, err := f.svc.ClaimCompletion(ctx, ningcheng, app.ClaimInput{Obligation: ref, IdempotencyKey: "c1", Attachments: []app.EvidenceHandle{up.Handle(), other.Handle()}}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	ob, _ := f.views.Views().Obligations.Get(k.Stream())
	if len(ob.Evidence) != 3 || ob.Evidence[0].To != domain.AttachedToReport || ob.Evidence[2].To != domain.AttachedToClaim {
		t.Fatalf("the obligation holds evidence %+v", ob.Evidence)
	}
}

func TestDownloadsFollowTheObligationsAccessRules(t *testing.T) {
	f := withEvidence(t, evidence.NewMemory(), 0)
	ctx := context.Background()
	k := f.duty()
	data := evidencetest.PDF("宁城县验收")
	up, err := f.svc.UploadEvidence(ctx, ningcheng, app.UploadInput{Name: "现场.pdf", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DownloadEvidence(ctx, ningcheng, up.SHA256); app.CodeOf(err) != app.Forbidden {
		t.Fatalf("an unattached file downloaded by a county: %v, want FORBIDDEN", err)
	}
	if _, err := f.svc.ClaimCompletion(ctx, ningcheng, app.ClaimInput{Obligation: app.ObligationRef{Task: int(k.Task), Role: string(k.Role)},
		IdempotencyKey: "c1", Attachments: []app.EvidenceHandle{{SHA256: up.SHA256, Name: "验收材料.pdf"}}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []auth.Principal{ningcheng, inspector, committee, operator, {TokenID: "t-co", Role: auth.Coordinator, Name: "office"}} {
		got, err := f.svc.DownloadEvidence(ctx, p, strings.ToUpper(up.SHA256))
		if err != nil {
			t.Fatalf("%s: %v", p.Role, err)
		}
		if !bytes.Equal(got.Data, data) || got.Name != "验收材料.pdf" || got.MediaType != "application/pdf" {
			t.Fatalf("%s downloaded %q as %s (%s)", p.Role, got.Data, got.Name, got.MediaType)
		}
	}
	for _, c := range []struct {
		p    auth.Principal
		code app.Code
	}{{county("county.aohan"), app.Forbidden}, {bureau, app.Forbidden}, {auth.Anonymous(), app.Unauthenticated}} {
		if _, err := f.svc.DownloadEvidence(ctx, c.p, up.SHA256); app.CodeOf(err) != c.code {
			t.Fatalf("%s (%s): %v, want %s", c.p.Role, c.p.Unit, err, c.code)
		}
	}
	if _, err := f.svc.DownloadEvidence(ctx, inspector, evidence.Sum([]byte("nothing")).String()); app.CodeOf(err) != app.NotFound {
		t.Fatalf("a file never stored: %v, want NOT_FOUND", err)
	}
}

func TestALedgerWithoutAnEvidenceStoreRefusesAttachments(t *testing.T) {
	f := imported(t)
	_, err := f.svc.UploadEvidence(context.Background(), ningcheng, app.UploadInput{Name: "a.pdf", Data: evidencetest.PDF("a")})
	f.refused(err, app.Conflict, f.head())
}

func TestAttachingADamagedFileIsRefused(t *testing.T) {
	blobs := evidence.NewMemory()
	f := withEvidence(t, blobs, 0)
	ctx := context.Background()
	up, err := f.svc.UploadEvidence(ctx, ningcheng, app.UploadInput{Name: "a.pdf", Data: evidencetest.PDF("a")})
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := domain.ParseHash(up.SHA256)
	blobs.Replace(sum, evidencetest.PDF("changed"))
	k := f.duty()
	start := f.head()
	_, err = f.svc.ClaimCompletion(ctx, ningcheng, app.ClaimInput{Obligation: app.ObligationRef{Task: int(k.Task), Role: string(k.Role)},
		IdempotencyKey: "c1", Attachments: []app.EvidenceHandle{up.Handle()}})
	f.refused(err, app.Conflict, start)
}
