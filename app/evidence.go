package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/evidence"
	"taskledger/internal/msg"
)

// UploadInput is one evidence file (佐证材料) to keep: the name its unit
// gave it and its bytes. The name is only shown; what the file is, is
// judged from its bytes.
type UploadInput struct {
	Name string
	Data []byte
}

// EvidenceFile describes a stored evidence file. Its SHA256 and Name form
// the handle a report, claim or rectification attaches (EvidenceHandle).
type EvidenceFile struct {
	// SHA256 is the lower-case hex SHA-256 of the bytes: the file's name
	// in the evidence store.
	SHA256    string
	Name      string
	MediaType string
	Size      int64
	// Created is false when the store held the same bytes already.
	Created bool
}

// Handle returns the file's handle, to attach it.
func (f EvidenceFile) Handle() EvidenceHandle { return EvidenceHandle{SHA256: f.SHA256, Name: f.Name} }

// EvidenceHandle names an uploaded evidence file for a report, claim or
// rectification: its SHA-256 (hex) and the name to show for it.
type EvidenceHandle struct {
	SHA256 string
	Name   string
}

// UploadEvidence keeps an evidence file and returns its handle. A bureau
// or county principal (or the operator) may upload; the file's size is
// bounded (Config.EvidenceMaxSize) and its kind, judged from its content
// alone, must be one evidence.Kinds lists. Uploading the same bytes again
// stores nothing new and returns the same handle. Nothing is stored on a
// refusal.
func (s *Service) UploadEvidence(ctx context.Context, p auth.Principal, in UploadInput) (EvidenceFile, error) {
	if err := s.authorize(ctx, p, UploadEvidence); err != nil {
		return EvidenceFile{}, err
	}
	if err := s.evidenceKept(); err != nil {
		return EvidenceFile{}, err
	}
	name, err := fileName(in.Name)
	if err != nil {
		return EvidenceFile{}, err
	}
	got, err := evidence.Check(in.Data, s.maxEvidence)
	if err != nil {
		return EvidenceFile{}, s.refusedFile(name, err)
	}
	sum := evidence.Sum(in.Data)
	created, err := s.blobs.Put(ctx, sum, in.Data)
	if err != nil {
		return EvidenceFile{}, fmt.Errorf("upload evidence %s: %w", name, err)
	}
	s.logger.Info("evidence uploaded", "sha256", sum.String(), "size", got.Size, "type", got.MediaType, "new", created, "actor", p.Actor())
	return EvidenceFile{SHA256: sum.String(), Name: name, MediaType: got.MediaType, Size: got.Size, Created: created}, nil
}

// evidenceKept refuses evidence use cases on a ledger that keeps none.
func (s *Service) evidenceKept() error {
	if s.blobs != nil {
		return nil
	}
	return fail(msg.EvidenceNoStore, nil)
}

// fileName checks the name a file is shown under (the input's name): its
// last path element, NFC, one line, at most domain.MaxFileNameLen bytes.
func fileName(name string) (string, error) {
	name = filepath.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	if err := cleanFields(nameText("name", "文件名", &name)); err != nil {
		return "", err
	}
	if name == "" || name == "." || name == "/" || len(name) > domain.MaxFileNameLen || !utf8.ValidString(name) {
		return "", fail(msg.EvidenceNameInvalid, msg.Args{"Name": name, "Max": domain.MaxFileNameLen}).at("name")
	}
	return name, nil
}

// refusedFile explains why a file's content is refused.
func (s *Service) refusedFile(name string, err error) error {
	switch {
	case errors.Is(err, evidence.ErrEmpty):
		return fail(msg.EvidenceEmpty, msg.Args{"Name": name})
	case errors.Is(err, evidence.ErrTooLarge):
		return fail(msg.EvidenceTooLarge, msg.Args{"Name": name, "Max": sizeText(s.maxEvidence)})
	case errors.Is(err, evidence.ErrUnsupported):
		return fail(msg.EvidenceKind, msg.Args{"Name": name, "Reason": err.Error()})
	}
	return err
}

// sizeText writes a byte count in MiB or KiB.
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 {
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// EvidenceRefs turns handles into the references an event records,
// checking that each names a file the evidence store holds (NOT_FOUND
// otherwise) and taking its media type and size from the stored bytes,
// never from the caller, and that no file is attached twice. A refusal of
// one handle names its place in the list and its field (["0", "sha256"]);
// callers put the name of their list above it. Nil handles give nil
// references. Reports and
// claims call it; so should the rectification use case, for
// domain.CompleteRectification.Attachments.
func (s *Service) EvidenceRefs(ctx context.Context, handles []EvidenceHandle) ([]domain.EvidenceRef, error) {
	if len(handles) == 0 {
		return nil, nil
	}
	if err := s.evidenceKept(); err != nil {
		return nil, err
	}
	if len(handles) > domain.MaxAttachments {
		return nil, fail(msg.EvidenceTooMany, msg.Args{"Count": len(handles), "Max": domain.MaxAttachments})
	}
	refs := make([]domain.EvidenceRef, 0, len(handles))
	for i, h := range handles {
		ref, err := s.evidenceRef(ctx, h)
		if err != nil {
			return nil, inField(err, strconv.Itoa(i))
		}
		refs = append(refs, ref)
	}
	return refs, domain.ValidateAttachments(refs)
}

// evidenceRef resolves one handle against the store.
func (s *Service) evidenceRef(ctx context.Context, h EvidenceHandle) (domain.EvidenceRef, error) {
	sum, err := parseSum(h.SHA256)
	if err != nil {
		return domain.EvidenceRef{}, inField(err, "sha256")
	}
	name, err := fileName(h.Name)
	if err != nil {
		return domain.EvidenceRef{}, err
	}
	data, err := s.blobs.Get(ctx, sum)
	if errors.Is(err, evidence.ErrNotFound) {
		return domain.EvidenceRef{}, fail(msg.EvidenceNotUploaded, msg.Args{"Name": name, "Sum": sum}).at("sha256")
	}
	if err != nil {
		return domain.EvidenceRef{}, fmt.Errorf("evidence %s: %w", sum, err)
	}
	if evidence.Sum(data) != sum {
		s.logger.Error("evidence store: a file no longer hashes to its name", "sha256", sum.String())
		return domain.EvidenceRef{}, fail(msg.EvidenceDamaged, msg.Args{"Name": name, "Sum": sum})
	}
	// The size was judged at upload, under the limit of that time.
	got, err := evidence.Check(data, int64(len(data)))
	if err != nil {
		return domain.EvidenceRef{}, s.refusedFile(name, err)
	}
	return domain.EvidenceRef{SHA256: sum, Name: name, MediaType: got.MediaType, Size: got.Size}, nil
}

// parseSum reads a hex SHA-256.
func parseSum(hex string) (domain.Hash, error) {
	sum, err := domain.ParseHash(strings.ToLower(strings.TrimSpace(hex)))
	if err != nil || sum.IsZero() {
		return domain.Hash{}, fail(msg.EvidenceBadDigest, msg.Args{"Hex": hex})
	}
	return sum, nil
}

// EvidenceDownload is an evidence file to hand out.
type EvidenceDownload struct {
	EvidenceFile
	Data []byte
}

// DownloadEvidence returns an evidence file under the access rules of the
// obligations it is attached to: a bureau or county principal only a file
// attached to its own unit's obligations (FORBIDDEN for any other, stored
// or not, so it learns nothing of others' files); the plan office,
// inspectors, the committee and the operator any stored file. The name
// and media type are those the attaching event recorded (for a file not
// attached yet, its hash and the type of its content).
func (s *Service) DownloadEvidence(ctx context.Context, p auth.Principal, sha256 string) (EvidenceDownload, error) {
	if err := s.authorize(ctx, p, ReadEvidence); err != nil {
		return EvidenceDownload{}, err
	}
	if err := s.evidenceKept(); err != nil {
		return EvidenceDownload{}, err
	}
	sum, err := parseSum(sha256)
	if err != nil {
		return EvidenceDownload{}, err
	}
	if err := s.views.Sync(ctx, 0); err != nil {
		return EvidenceDownload{}, fmt.Errorf("download evidence %s: %w", sum, err)
	}
	ref, attached := s.attachedFor(p, sum)
	if !attached && p.Role.UnitBound() {
		return EvidenceDownload{}, fail(msg.EvidenceOtherUnit, msg.Args{"Role": p.Role, "RoleZH": roleZH(p.Role)})
	}
	data, err := s.blobs.Get(ctx, sum)
	if errors.Is(err, evidence.ErrNotFound) {
		return EvidenceDownload{}, fail(msg.EvidenceNotStored, msg.Args{"Sum": sum})
	}
	if err != nil {
		return EvidenceDownload{}, fmt.Errorf("download evidence %s: %w", sum, err)
	}
	if !attached {
		ref = domain.EvidenceRef{SHA256: sum, Name: sum.String(), MediaType: mediaTypeOf(data), Size: int64(len(data))}
	}
	return EvidenceDownload{Data: data, EvidenceFile: EvidenceFile{SHA256: sum.String(), Name: ref.Name, MediaType: ref.MediaType, Size: int64(len(data))}}, nil
}

// attachedFor finds the file among the attachments of the obligations the
// principal may read: its own unit's for a bureau or county principal,
// every one otherwise.
func (s *Service) attachedFor(p auth.Principal, sum domain.Hash) (domain.EvidenceRef, bool) {
	for _, o := range s.current().Obligations.All() {
		if p.Role.UnitBound() && o.Key.Unit != p.Unit {
			continue
		}
		for _, a := range o.Evidence {
			if a.SHA256 == sum {
				return a.EvidenceRef, true
			}
		}
	}
	return domain.EvidenceRef{}, false
}

// mediaTypeOf is the accepted type of a stored file's content, or a
// generic binary type for one no longer accepted.
func mediaTypeOf(data []byte) string {
	if got, err := evidence.Check(data, int64(len(data))); err == nil {
		return got.MediaType
	}
	return "application/octet-stream"
}
