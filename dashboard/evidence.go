package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/evidence"
	"taskledger/internal/msg"
)

// Evidence is the application layer's evidence use cases, as POST
// /evidence and GET /evidence/{sha256} call them (app.Service implements
// it).
type Evidence interface {
	UploadEvidence(ctx context.Context, p auth.Principal, in app.UploadInput) (app.EvidenceFile, error)
	DownloadEvidence(ctx context.Context, p auth.Principal, sha256 string) (app.EvidenceDownload, error)
}

// evidenceHandle is the JSON answer to an upload: the handle to attach
// (sha256 and name) and what the file was found to be.
type evidenceHandle struct {
	SHA256    string `json:"sha256"`
	Name      string `json:"name"`
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"`
	Created   bool   `json:"created"`
	URL       string `json:"url"`
}

// EvidenceURL is where an evidence file is downloaded from.
func EvidenceURL(sha256 string) string { return "/evidence/" + sha256 }

// serveEvidenceUpload is POST /evidence: one file, as a multipart form
// (field file, its file name) or as the raw body with ?name=FILE. It
// answers the JSON handle, or the refusal in Chinese and English. What
// the file is and whether it is small enough is the application layer's
// to judge; this only stops reading a little past the limit.
func (h *handler) serveEvidenceUpload(w http.ResponseWriter, r *http.Request) {
	p, ok := h.acceptUpload(w, r, h.evidenceMax+1)
	if !ok {
		return
	}
	in, rerr := h.readEvidence(r)
	if rerr != nil {
		rerr.write(w, r)
		return
	}
	f, err := h.evidence.UploadEvidence(r.Context(), p, in)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if f.Created {
		status = http.StatusCreated
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(evidenceHandle{SHA256: f.SHA256, Name: f.Name, MediaType: f.MediaType, Size: f.Size, Created: f.Created, URL: EvidenceURL(f.SHA256)})
}

// readEvidence reads the uploaded file and its name, at most one byte
// past the limit (so the application layer sees and refuses a larger one).
func (h *handler) readEvidence(r *http.Request) (app.UploadInput, *uploadError) {
	in := app.UploadInput{Name: r.URL.Query().Get("name")}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var body io.Reader = r.Body
	if ct == "multipart/form-data" {
		part, _, err := filePart(multipart.NewReader(r.Body, params["boundary"]))
		if err != nil {
			return in, err
		}
		body = part
		if n := part.FileName(); n != "" {
			in.Name = n
		}
	}
	b, err := io.ReadAll(io.LimitReader(body, h.evidenceMax+1))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return in, badUpload(http.StatusRequestEntityTooLarge, msg.UploadTooLarge, nil)
	case err != nil:
		return in, badUpload(http.StatusBadRequest, msg.UploadUnreadable, msg.Args{"Reason": err.Error()})
	}
	in.Data = b
	return in, nil
}

// serveEvidenceDownload is GET /evidence/{sha256}: the file, if the
// token's holder may read an obligation it is attached to, under its
// recorded name (RFC 5987) and media type; never sniffed, never shown
// inline as a page of this site.
func (h *handler) serveEvidenceDownload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeReportError(w, http.StatusMethodNotAllowed, catalogued(r, msg.HTTPUseMethod, msg.Args{"Method": http.MethodGet}))
		return
	}
	p, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	f, err := h.evidence.DownloadEvidence(r.Context(), p, path.Base(r.URL.Path))
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.MediaType)
	hd.Set("Content-Disposition", ContentDisposition(f.Name, evidenceFallback(f)))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Length", strconv.Itoa(len(f.Data)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(f.Data)
}

// evidenceFallback is the ASCII name of a download for clients that read
// only filename: the hash's first twelve digits and the file's extension.
func evidenceFallback(f app.EvidenceDownload) string {
	ext := strings.ToLower(path.Ext(f.Name))
	if len(ext) > 8 {
		ext = ""
	}
	return fmt.Sprintf("evidence-%s%s", f.SHA256[:12], ext)
}

// evidenceLimit is the reading limit of uploads: the configured size or
// evidence.DefaultMaxSize.
func evidenceLimit(n int64) int64 {
	if n <= 0 {
		return evidence.DefaultMaxSize
	}
	return n
}
