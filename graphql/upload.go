package graphql

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/evidence"
	"taskledger/internal/msg"
)

// The GraphQL multipart request spec
// (github.com/jaydenseric/graphql-multipart-request-spec): a POST of
// multipart/form-data to /graphql with the fields operations (the JSON
// request, files as null), map (which variable each file fills) and the
// files. Each file is uploaded through the application layer
// (UploadEvidence, as the token's holder) and its place in the variables
// gets its handle, {"sha256", "name"}: a file fills an EvidenceInput, so
// reportProgress(attachments: $files) takes files directly. The request
// then runs as an ordinary JSON one.

// maxMultipartFields bounds the operations and map fields of a multipart
// request.
const maxMultipartFields = 1 << 20

// multipartUploads serves multipart/form-data POSTs to /graphql as above
// and passes every other request to next unchanged.
func (s *Server) multipartUploads(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.Method != http.MethodPost || ct != "multipart/form-data" {
			next.ServeHTTP(w, r)
			return
		}
		body, fail := s.multipartRequest(w, r, params["boundary"])
		if fail != nil {
			fail.write(w, msg.FromAcceptLanguage(r.Header.Get("Accept-Language")))
			return
		}
		r2 := r.Clone(r.Context())
		r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		r2.Header.Set("Content-Type", "application/json")
		next.ServeHTTP(w, r2)
	})
}

// uploadFailure is a multipart request refused before it runs: an HTTP
// status and the error, worded in the request's language when written.
type uploadFailure struct {
	status int
	err    error // a catalogue refusal (refuse) or the application layer's
}

func (f *uploadFailure) write(w http.ResponseWriter, lang msg.Lang) {
	if f.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="taskledger"`)
	}
	e, _ := classify(f.err, lang)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(f.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": e.msg, "extensions": e.Extensions()}}})
}

// badMultipart refuses a malformed multipart request with a catalogue
// message.
func badMultipart(key msg.Key, args msg.Args) *uploadFailure {
	return &uploadFailure{http.StatusBadRequest, refuse(key, args)}
}

// internalFailure is an upload that failed on the server's side.
func internalFailure() *uploadFailure {
	return &uploadFailure{http.StatusInternalServerError, refuse(msg.LedgerInternal, nil)}
}

// multipartRequest reads a multipart request, uploads its files and
// returns the JSON request with their handles in place.
func (s *Server) multipartRequest(w http.ResponseWriter, r *http.Request, boundary string) ([]byte, *uploadFailure) {
	p, err := s.bearer(r.Header.Get("Authorization"))
	switch {
	case errors.Is(err, auth.ErrInvalidToken):
		return nil, &uploadFailure{http.StatusUnauthorized, refuse(msg.APITokenInvalid, nil)}
	case err != nil:
		s.logger.Error("token lookup failed", "err", err)
		return nil, internalFailure()
	}
	maxFile := s.evidenceMax()
	r.Body = http.MaxBytesReader(w, r.Body, 4*maxFile+maxMultipartFields)
	mr := multipart.NewReader(r.Body, boundary)
	ops, err := shortField(mr, "operations")
	if err != nil {
		return nil, badMultipart(msg.APIUploadMultipart, msg.Args{"Detail": err.Error()})
	}
	var req map[string]any
	if err := json.Unmarshal(ops, &req); err != nil {
		return nil, badMultipart(msg.APIUploadOperations, msg.Args{"Detail": err.Error()})
	}
	mapped, err := shortField(mr, "map")
	if err != nil {
		return nil, badMultipart(msg.APIUploadMultipart, msg.Args{"Detail": err.Error()})
	}
	var places map[string][]string
	if err := json.Unmarshal(mapped, &places); err != nil {
		return nil, badMultipart(msg.APIUploadMap, msg.Args{"Detail": err.Error()})
	}
	if err := s.fillFiles(r, p, mr, req, places, maxFile); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, internalFailure()
	}
	return body, nil
}

// evidenceMax is the largest evidence file the server accepts.
func (s *Server) evidenceMax() int64 {
	if s.cfg.EvidenceMaxSize > 0 {
		return s.cfg.EvidenceMaxSize
	}
	return evidence.DefaultMaxSize
}

// shortField reads the next part, which must be the named field.
func shortField(mr *multipart.Reader, name string) ([]byte, error) {
	part, err := mr.NextPart()
	if err != nil {
		return nil, fmt.Errorf("the %s field is missing: %w", name, err)
	}
	if part.FormName() != name {
		return nil, fmt.Errorf("the field %q came where %s was expected (operations, then map, then the files)", part.FormName(), name)
	}
	b, err := io.ReadAll(io.LimitReader(part, maxMultipartFields+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxMultipartFields {
		return nil, fmt.Errorf("the %s field is larger than %d bytes", name, maxMultipartFields)
	}
	return b, nil
}

// fillFiles uploads every file part the map names and puts its handle at
// each of its paths. Every mapped file must come.
func (s *Server) fillFiles(r *http.Request, p auth.Principal, mr *multipart.Reader, req map[string]any, places map[string][]string, maxFile int64) *uploadFailure {
	done := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return badMultipart(msg.APIUploadMultipart, msg.Args{"Detail": err.Error()})
		}
		paths, ok := places[part.FormName()]
		if !ok {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, maxFile+1))
		if err != nil {
			s.logger.Warn("evidence upload could not be read", "err", err)
			return &uploadFailure{http.StatusRequestEntityTooLarge, refuse(msg.APIUploadUnreadable, msg.Args{"Max": maxFile})}
		}
		f, err := s.app.UploadEvidence(r.Context(), p, app.UploadInput{Name: part.FileName(), Data: data})
		if err != nil {
			return s.appFailure(err)
		}
		for _, path := range paths {
			if err := setPath(req, path, map[string]any{"sha256": f.SHA256, "name": f.Name}); err != nil {
				return badMultipart(msg.APIUploadPath, msg.Args{"Detail": err.Error()})
			}
		}
		done++
	}
	if done != len(places) {
		return badMultipart(msg.APIUploadMissing, msg.Args{"Named": len(places), "Came": done})
	}
	return nil
}

// appFailure is an application-layer refusal of an upload, with the HTTP
// status of its class; an internal failure is logged.
func (s *Server) appFailure(err error) *uploadFailure {
	e, internal := classify(err, msg.EN)
	if internal {
		s.logger.Error("evidence upload failed", "err", err)
	}
	status := http.StatusBadRequest
	switch {
	case internal || e.code == CodeInternal:
		status = http.StatusInternalServerError
	case e.code == CodeUnauthenticated:
		status = http.StatusUnauthorized
	case e.code == CodeForbidden:
		status = http.StatusForbidden
	}
	return &uploadFailure{status, err}
}

// setPath puts v at a dotted path of the request ("variables.files.0"),
// where the operations field left a null.
func setPath(req map[string]any, path string, v any) error {
	keys := strings.Split(path, ".")
	if len(keys) < 2 || keys[0] != "variables" {
		return fmt.Errorf("path %q is not under variables", path)
	}
	var cur any = req
	for i, k := range keys {
		last := i == len(keys)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[k] = v
				return nil
			}
			cur = c[k]
		case []any:
			n, err := strconv.Atoi(k)
			if err != nil || n < 0 || n >= len(c) {
				return fmt.Errorf("path %q: %q is not an index of its list", path, k)
			}
			if last {
				c[n] = v
				return nil
			}
			cur = c[n]
		default:
			return fmt.Errorf("path %q leads nowhere at %q", path, k)
		}
	}
	return nil
}
