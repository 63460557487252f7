package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/evidence"
)

// The codes of an evidence problem.
const (
	// EvidenceMissing: an event names a file the evidence store does not hold.
	EvidenceMissing = "evidence-missing"
	// EvidenceAltered: the stored bytes no longer hash to the file's name.
	EvidenceAltered = "evidence-altered"
)

// EvidenceProblem is an evidence file that an event names and that is not
// intact in the evidence store: the first event that named it.
type EvidenceProblem struct {
	Code     string
	SHA256   domain.Hash
	Name     string
	Stream   string
	Position uint64
	EventID  uuid.UUID
}

func (p EvidenceProblem) String() string {
	what := "不在附件存储中 (missing from the evidence store)"
	if p.Code == EvidenceAltered {
		what = "内容已被改动，与其 SHA-256 不符 (its bytes no longer hash to its name)"
	}
	return fmt.Sprintf("%s: %s「%s」%s; first named by event %s at position %d of %s",
		p.Code, p.SHA256, p.Name, what, p.EventID, p.Position, p.Stream)
}

// EvidenceResult is what CheckEvidence found.
type EvidenceResult struct {
	// Files is how many distinct files the log's events name.
	Files int
	// Problems lists the files missing or altered, in the order the log
	// first names them.
	Problems []EvidenceProblem
}

// CheckEvidence reads every event of s that can carry evidence and checks
// each file it names, once: that the evidence store holds it and that its
// bytes still hash to its name. The hashes are in the hash-chained events,
// so an intact chain and no problems here mean the evidence is exactly
// what was attached.
func CheckEvidence(ctx context.Context, s eventstore.Store, reg *domain.Registry, blobs evidence.Store) (EvidenceResult, error) {
	var res EvidenceResult
	err := EachEvidence(ctx, s, reg, func(r domain.EvidenceRef, e *domain.Event) error {
		res.Files++
		code, err := blobState(ctx, blobs, r.SHA256)
		if err != nil {
			return err
		}
		if code != "" {
			res.Problems = append(res.Problems, EvidenceProblem{Code: code, SHA256: r.SHA256, Name: r.Name, Stream: e.Stream, Position: e.Position, EventID: e.ID})
		}
		return nil
	})
	return res, err
}

// EachEvidence calls fn once for every distinct evidence file the events
// of s name, in the order the log first names them, with that event.
func EachEvidence(ctx context.Context, s eventstore.Store, reg *domain.Registry, fn func(domain.EvidenceRef, *domain.Event) error) error {
	seen := map[domain.Hash]bool{}
	return scanStore(ctx, s, func(e *domain.Event) error {
		refs, err := attachmentsOf(reg, e)
		if err != nil {
			return err
		}
		for _, r := range refs {
			if seen[r.SHA256] {
				continue
			}
			seen[r.SHA256] = true
			if err := fn(r, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// attachmentsOf decodes the evidence an event carries; events of other
// types are not decoded.
func attachmentsOf(reg *domain.Registry, e *domain.Event) ([]domain.EvidenceRef, error) {
	switch e.Type {
	case "ProgressReported", "CompletionClaimed", "RectificationCompleted":
	default:
		return nil, nil
	}
	data, err := reg.Decode(e)
	if err != nil {
		return nil, fmt.Errorf("check evidence: %w", err)
	}
	switch d := data.(type) {
	case domain.ProgressReported:
		return d.Attachments, nil
	case domain.CompletionClaimed:
		return d.Attachments, nil
	case domain.RectificationCompleted:
		return d.Attachments, nil
	}
	return nil, nil
}

// blobState is "" for an intact blob, else its problem's code.
func blobState(ctx context.Context, blobs evidence.Store, sum domain.Hash) (string, error) {
	data, err := blobs.Get(ctx, sum)
	switch {
	case errors.Is(err, evidence.ErrNotFound):
		return EvidenceMissing, nil
	case err != nil:
		return "", fmt.Errorf("check evidence %s: %w", sum, err)
	case evidence.Sum(data) != sum:
		return EvidenceAltered, nil
	}
	return "", nil
}

// evidenceNote is the part of an event's summary that lists its evidence
// files with their SHA-256, so audit trails and their exports name the
// exact bytes; "" without evidence.
func evidenceNote(refs []domain.EvidenceRef) string {
	if len(refs) == 0 {
		return ""
	}
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = fmt.Sprintf("%s（sha256:%s）", r.Name, r.SHA256)
	}
	return "；佐证材料：" + strings.Join(parts, "、")
}
