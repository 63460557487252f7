package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxAttachments bounds the evidence files one report, claim or
// rectification may carry; MaxFileNameLen bounds a file name in bytes.
const (
	MaxAttachments = 20
	MaxFileNameLen = 255
)

// EvidenceRef names one evidence file (佐证材料) an event carries: the
// SHA-256 of its bytes, under which the ledger's evidence store keeps it,
// the name the unit gave it, its media type as judged from its content,
// and its size. The hash is part of the event, so the hash chain, exports
// and proofs cover which bytes were meant.
type EvidenceRef struct {
	SHA256    Hash   `json:"sha256"`
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
}

// Validate checks the reference's own fields.
func (r EvidenceRef) Validate() error {
	switch {
	case r.SHA256.IsZero():
		return errorf(ErrInvalidArgument, "evidence: the sha256 is missing")
	case strings.TrimSpace(r.Name) == "" || len(r.Name) > MaxFileNameLen || !utf8.ValidString(r.Name) ||
		strings.ContainsAny(r.Name, "/\\\x00\r\n"):
		return errorf(ErrInvalidArgument, "evidence %s: file name %q is empty, too long or not a plain file name", r.SHA256, r.Name)
	case r.MediaType == "":
		return errorf(ErrInvalidArgument, "evidence %s: the media type is missing", r.SHA256)
	case r.Size <= 0:
		return errorf(ErrInvalidArgument, "evidence %s: size %d is not positive", r.SHA256, r.Size)
	}
	return nil
}

// ValidateAttachments checks a command's evidence list: at most
// MaxAttachments valid references, none twice.
func ValidateAttachments(refs []EvidenceRef) error {
	if len(refs) > MaxAttachments {
		return errorf(ErrInvalidArgument, "%d evidence files; at most %d", len(refs), MaxAttachments)
	}
	seen := make(map[Hash]bool, len(refs))
	for _, r := range refs {
		if err := r.Validate(); err != nil {
			return err
		}
		if seen[r.SHA256] {
			return errorf(ErrInvalidArgument, "evidence %s is attached twice", r.SHA256)
		}
		seen[r.SHA256] = true
	}
	return nil
}

// AttachedTo says what an evidence file was sent with.
type AttachedTo string

// What evidence is attached to.
const (
	AttachedToReport        AttachedTo = "report"
	AttachedToClaim         AttachedTo = "claim"
	AttachedToRectification AttachedTo = "rectification"
)

// Attachment is one evidence file as the obligation holds it: the file
// and the event that carried it.
type Attachment struct {
	EvidenceRef
	// To is what the file was sent with; Milestone the claimed milestone
	// (empty: the whole duty, or not a claim); Finding the rectified
	// finding's number (0: not a rectification).
	To        AttachedTo
	Milestone MilestoneID
	Finding   int
	// EventID is the event that carried the file, RecordedAt when the
	// ledger recorded it.
	EventID    uuid.UUID
	RecordedAt time.Time
}

// foldAttachments records the evidence files an event carried.
func (o *Obligation) foldAttachments(to AttachedTo, refs []EvidenceRef, ms MilestoneID, finding int, s stamp) {
	for _, r := range refs {
		o.Evidence = append(o.Evidence, Attachment{EvidenceRef: r, To: to, Milestone: ms, Finding: finding, EventID: s.id, RecordedAt: s.recorded})
	}
}

// HasEvidence reports whether any event of the obligation carried the
// file with hash sum.
func (o *Obligation) HasEvidence(sum Hash) bool {
	for _, a := range o.Evidence {
		if a.SHA256 == sum {
			return true
		}
	}
	return false
}
