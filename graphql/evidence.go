package graphql

import (
	"strings"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/app"
	"taskledger/domain"
)

// evidenceInput is an EvidenceInput: an uploaded file's handle.
type evidenceInput struct {
	SHA256 string
	Name   string
}

// handles turns a mutation's attachments into the application layer's
// handles.
func handles(in *[]evidenceInput) []app.EvidenceHandle {
	if in == nil {
		return nil
	}
	out := make([]app.EvidenceHandle, len(*in))
	for i, h := range *in {
		out[i] = app.EvidenceHandle{SHA256: h.SHA256, Name: h.Name}
	}
	return out
}

// evidenceResolver is an Evidence.
type evidenceResolver struct{ a domain.Attachment }

func (r *evidenceResolver) SHA256() string     { return r.a.SHA256.String() }
func (r *evidenceResolver) Name() string       { return r.a.Name }
func (r *evidenceResolver) MediaType() string  { return r.a.MediaType }
func (r *evidenceResolver) Size() int32        { return int32(min(r.a.Size, 1<<31-1)) }
func (r *evidenceResolver) URL() string        { return EvidencePath + r.a.SHA256.String() }
func (r *evidenceResolver) AttachedTo() string { return strings.ToUpper(string(r.a.To)) }
func (r *evidenceResolver) Milestone() *string { return strOrNil(string(r.a.Milestone)) }
func (r *evidenceResolver) EventID() gql.ID    { return gql.ID(r.a.EventID.String()) }
func (r *evidenceResolver) RecordedAt() gql.Time {
	return gql.Time{Time: r.a.RecordedAt}
}
func (r *evidenceResolver) Finding() *int32 {
	if r.a.Finding == 0 {
		return nil
	}
	n := int32(r.a.Finding)
	return &n
}

// EvidencePath is the path evidence files are downloaded under (GET
// EvidencePath + sha256), served beside the API (package dashboard).
const EvidencePath = "/evidence/"

// evidenceResolvers resolves the attachments that keep pred, never nil.
func evidenceResolvers(all []domain.Attachment, keep func(domain.Attachment) bool) []*evidenceResolver {
	out := []*evidenceResolver{}
	for _, a := range all {
		if keep(a) {
			out = append(out, &evidenceResolver{a: a})
		}
	}
	return out
}

// Evidence resolves Obligation.evidence.
func (r *obligationResolver) Evidence() []*evidenceResolver {
	return evidenceResolvers(r.view.Evidence, func(domain.Attachment) bool { return true })
}

// Evidence resolves Report.evidence: the files its event carried.
func (r *reportResolver) Evidence() []*evidenceResolver {
	id := string(r.EventID)
	return evidenceResolvers(r.attachments, func(a domain.Attachment) bool {
		return a.To == domain.AttachedToReport && a.EventID.String() == id
	})
}
