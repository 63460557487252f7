package domain

import (
	"strings"
	"testing"
)

var (
	pdfRef = EvidenceRef{SHA256: Hash{0xab, 0xcd}, Name: "验收报告.pdf", MediaType: "application/pdf", Size: 1024}
	pngRef = EvidenceRef{SHA256: Hash{0x12, 0x34}, Name: "现场照片.png", MediaType: "image/png", Size: 2048}
)

// attachmentSamples are the events that carry evidence, with evidence: the
// golden file keeps their encoding after that of every other sample.
func attachmentSamples() []EventData {
	return []EventData{
		ProgressReported{ObligationKey: kCounty, Percent: 40, Previous: 30, Period: YearMonth{2025, 6}, Note: "进展", Attachments: []EvidenceRef{pdfRef}},
		CompletionClaimed{ObligationKey: kCounty, Milestone: "2025", Evidence: "验收报告", Attachments: []EvidenceRef{pdfRef, pngRef}},
		RectificationCompleted{ObligationKey: kCounty, Finding: 1, Note: "已整改", Attachments: []EvidenceRef{pngRef}},
	}
}

func TestEvidenceTravelsFromCommandToEventToObligation(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "report with evidence", given: []any{assigned}, cmd: ReportProgress{ObligationKey: kCounty, Percent: 10, Attachments: []EvidenceRef{pdfRef}},
			events: []EventData{ProgressReported{ObligationKey: kCounty, Percent: 10, Period: YearMonthOf(base), Attachments: []EvidenceRef{pdfRef}}}},
		{name: "claim with evidence", given: []any{assigned, m2025}, cmd: ClaimCompletion{ObligationKey: kCounty, Milestone: "2025", Attachments: []EvidenceRef{pdfRef, pngRef}},
			events: []EventData{CompletionClaimed{ObligationKey: kCounty, Milestone: "2025", Attachments: []EvidenceRef{pdfRef, pngRef}}}},
		{name: "rectification with evidence", given: []any{assigned, finding1}, cmd: CompleteRectification{ObligationKey: kCounty, Finding: 1, Attachments: []EvidenceRef{pngRef}},
			events: []EventData{RectificationCompleted{ObligationKey: kCounty, Finding: 1, Attachments: []EvidenceRef{pngRef}}}},
		{name: "the same file twice", given: []any{assigned}, cmd: ReportProgress{ObligationKey: kCounty, Percent: 10, Attachments: []EvidenceRef{pdfRef, pdfRef}}, want: ErrInvalidArgument},
		{name: "no hash", given: []any{assigned}, cmd: ReportProgress{ObligationKey: kCounty, Percent: 10, Attachments: []EvidenceRef{{Name: "a.pdf", MediaType: "application/pdf", Size: 1}}}, want: ErrInvalidArgument},
		{name: "a path for a name", given: []any{assigned}, cmd: ClaimCompletion{ObligationKey: kCounty, Attachments: []EvidenceRef{{SHA256: Hash{1}, Name: "../etc/passwd", MediaType: "text/plain", Size: 1}}}, want: ErrInvalidArgument},
	})
	o := given(t, kCounty.Stream(), assigned, m2025, finding1,
		ProgressReported{ObligationKey: kCounty, Percent: 10, Attachments: []EvidenceRef{pdfRef}},
		CompletionClaimed{ObligationKey: kCounty, Milestone: "2025", Attachments: []EvidenceRef{pngRef}},
		RectificationCompleted{ObligationKey: kCounty, Finding: 1, Attachments: []EvidenceRef{pngRef}},
	).(*Obligation)
	var got []string
	for _, a := range o.Evidence {
		got = append(got, string(a.To)+":"+a.Name+":"+string(a.Milestone))
	}
	if want := "report:验收报告.pdf:,claim:现场照片.png:2025,rectification:现场照片.png:"; strings.Join(got, ",") != want {
		t.Fatalf("evidence %v, want %s", got, want)
	}
	if !o.HasEvidence(pdfRef.SHA256) || o.HasEvidence(Hash{9}) {
		t.Fatal("HasEvidence does not follow the attachments")
	}
}

func TestTooManyAttachmentsAreRefused(t *testing.T) {
	refs := make([]EvidenceRef, MaxAttachments+1)
	for i := range refs {
		refs[i] = EvidenceRef{SHA256: Hash{byte(i + 1)}, Name: "f.pdf", MediaType: "application/pdf", Size: 1}
	}
	if err := ValidateAttachments(refs); CodeOf(err) != InvalidArgument {
		t.Fatalf("%d attachments: %v", len(refs), err)
	}
	if err := ValidateAttachments(refs[:MaxAttachments]); err != nil {
		t.Fatalf("%d attachments: %v", MaxAttachments, err)
	}
}
