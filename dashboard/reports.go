package dashboard

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/msg"
	"taskledger/reportsheet"
)

// Reports is the application layer's bulk reporting, as the dashboard's
// template download and upload call it (app.Service implements it).
type Reports interface {
	ReportTemplate(ctx context.Context, p auth.Principal, in app.TemplateInput) (reportsheet.Template, error)
	BulkReport(ctx context.Context, p auth.Principal, in app.BulkReportInput) (app.BulkReportResult, error)
}

// maxUploadOverhead is what a multipart upload may add to the file's own
// limit (boundaries, part headers, the plan field).
const maxUploadOverhead = 64 << 10

// xlsxType is the content type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// reportError is a refused template download or upload, as JSON: the code,
// the message in English and Chinese and, for a refused file, each bad row
// and cell.
type reportError struct {
	Code string `json:"code"`
	// MessageCode is the message's code in docs/errors.md, where it has
	// one.
	MessageCode string       `json:"messageCode,omitempty"`
	Message     string       `json:"message"`
	MessageZH   string       `json:"messageZH"`
	Problems    []rowProblem `json:"problems,omitempty"`
	Recorded    int          `json:"recorded,omitempty"`
}

type rowProblem struct {
	Row       int    `json:"row"`
	Column    string `json:"column,omitempty"`
	Message   string `json:"message"`
	MessageZH string `json:"messageZH"`
}

// authenticate returns the principal of the request's bearer token,
// refusing a token in the URL; ok is false when a refusal was written.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	if r.URL.Query().Has("token") || r.URL.Query().Has("access_token") {
		writeReportError(w, http.StatusBadRequest, catalogued(r, msg.HTTPTokenInURL, nil))
		return auth.Principal{}, false
	}
	if p, ok := auth.SessionOf(r.Context()); ok && r.Header.Get("Authorization") == "" {
		return p, true
	}
	p, err := h.auth(r.Header.Get("Authorization"))
	switch {
	case errors.Is(err, auth.ErrInvalidToken) || (err == nil && !p.Authenticated()):
		w.Header().Set("WWW-Authenticate", `Bearer realm="taskledger"`)
		writeReportError(w, http.StatusUnauthorized, catalogued(r, msg.HTTPTokenInvalid, nil))
		return auth.Principal{}, false
	case err != nil:
		h.logger.Error("token lookup failed", "err", err)
		writeReportError(w, http.StatusInternalServerError, catalogued(r, msg.LedgerInternal, nil))
		return auth.Principal{}, false
	}
	return p, true
}

// serveTemplate is GET /export/template.xlsx[?plan=ID][&unit=ID]: the
// caller's unit's report template (another unit's for readers who may see
// it).
func (h *handler) serveTemplate(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeReportError(w, http.StatusMethodNotAllowed, catalogued(r, msg.HTTPUseMethod, msg.Args{"Method": http.MethodGet}))
		return
	}
	p, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	tpl, err := h.reports.ReportTemplate(r.Context(), p, app.TemplateInput{Plan: q.Get("plan"), Unit: q.Get("unit")})
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := reportsheet.WriteXLSX(&buf, tpl); err != nil {
		h.writeAppError(w, r, err)
		return
	}
	day := tpl.AsOf.In(domain.Shanghai()).Format("20060102")
	writeDownload(w, xlsxType, safeName(tpl.Unit+"-任务进展报送表-"+day), "report-template-"+day, "xlsx", buf.Bytes())
}

// acceptUpload checks what every upload needs before its body is read: a
// POST, from the dashboard's own origin, by an authenticated principal;
// and it bounds the body to limit bytes of file plus the form's overhead.
// ok is false when a refusal was written.
func (h *handler) acceptUpload(w http.ResponseWriter, r *http.Request, limit int64) (auth.Principal, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeReportError(w, http.StatusMethodNotAllowed, catalogued(r, msg.HTTPUseMethod, msg.Args{"Method": http.MethodPost}))
		return auth.Principal{}, false
	}
	if !sameOrigin(r) {
		writeReportError(w, http.StatusForbidden, catalogued(r, msg.HTTPUploadCrossSite, nil))
		return auth.Principal{}, false
	}
	p, ok := h.authenticate(w, r)
	if !ok {
		return auth.Principal{}, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+maxUploadOverhead)
	return p, true
}

// serveImport is POST /import/reports[?plan=ID]: a filled template, as a
// multipart form (field file, optionally plan) or as the raw body (XLSX
// or CSV by its Content-Type or content). It answers JSON: what was
// recorded, or every bad row and cell.
func (h *handler) serveImport(w http.ResponseWriter, r *http.Request) {
	p, ok := h.acceptUpload(w, r, reportsheet.MaxBytes)
	if !ok {
		return
	}
	in, rerr := readUpload(r)
	if rerr != nil {
		rerr.write(w, r)
		return
	}
	res, err := h.reports.BulkReport(r.Context(), p, in)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"recorded": res.Recorded, "duplicates": res.Duplicates, "skipped": res.Skipped,
		"position": res.Position, "summary": res.Summary})
}

// sameOrigin refuses a cross-site request: an Origin header naming
// another origin, or a browser's Sec-Fetch-Site other than same-origin
// (none: typed or from a tool). Requests from tools carry neither.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// uploadError is an upload refused before the application layer sees it:
// a catalogue message, worded when it is written.
type uploadError struct {
	status int
	key    msg.Key
	args   msg.Args
}

func badUpload(status int, key msg.Key, args msg.Args) *uploadError {
	return &uploadError{status, key, args}
}

// write sends the refusal in r's language.
func (e *uploadError) write(w http.ResponseWriter, r *http.Request) {
	writeReportError(w, e.status, catalogued(r, e.key, e.args))
}

// readUpload reads the file, its declared format and the plan. The format
// is declared by ?format= (or a form field format), else by a raw body's
// Content-Type; a form's file part is told by its content alone (browsers
// guess its type from the file's name).
func readUpload(r *http.Request) (app.BulkReportInput, *uploadError) {
	q := r.URL.Query()
	in := app.BulkReportInput{Plan: q.Get("plan"), Format: q.Get("format")}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var body io.Reader = r.Body
	if ct == "multipart/form-data" {
		part, fields, err := filePart(multipart.NewReader(r.Body, params["boundary"]))
		if err != nil {
			return in, err
		}
		body = part
		in.Plan = cmp.Or(fields["plan"], in.Plan)
		in.Format = cmp.Or(fields["format"], in.Format)
	} else if in.Format == "" {
		in.Format = declaredFormat(ct)
	}
	b, err := io.ReadAll(body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || len(b) > reportsheet.MaxBytes:
		return in, badUpload(http.StatusRequestEntityTooLarge, msg.ReportFileTooLarge, msg.Args{"MiB": reportsheet.MaxBytes >> 20})
	case err != nil:
		return in, badUpload(http.StatusBadRequest, msg.UploadUnreadable, msg.Args{"Reason": err.Error()})
	}
	in.File = b
	return in, nil
}

// filePart finds the form's file field (named file), reading the short
// fields (plan, format) met before it.
func filePart(mr *multipart.Reader) (*multipart.Part, map[string]string, *uploadError) {
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, nil, badUpload(http.StatusBadRequest, msg.UploadNoFile, nil)
		}
		switch name := part.FormName(); name {
		case "file":
			return part, fields, nil
		case "plan", "format":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			fields[name] = strings.TrimSpace(string(b))
		}
	}
}

// declaredFormat is the format a raw body's content type declares; ""
// leaves it to the content.
func declaredFormat(ct string) string {
	switch ct {
	case xlsxType:
		return reportsheet.XLSX
	case "text/csv":
		return reportsheet.CSV
	}
	return ""
}

// writeAppError writes an application-layer or domain refusal with its
// HTTP status, and an internal failure as 500.
func (h *handler) writeAppError(w http.ResponseWriter, r *http.Request, err error) {
	ae := app.Explain(err)
	if ae == nil || ae.Code == app.Code(msg.Internal) {
		h.logger.Error("bulk reporting failed", "err", err)
		writeReportError(w, http.StatusInternalServerError, catalogued(r, msg.LedgerInternal, nil))
		return
	}
	code := ae.Code
	body := refusalBody(r, ae)
	var be *app.BulkReportError
	if errors.As(err, &be) {
		body.Recorded = be.Recorded
		for _, p := range be.Problems {
			body.Problems = append(body.Problems, rowProblem{Row: p.Row, Column: p.Column, Message: p.English(), MessageZH: p.Chinese()})
		}
	}
	writeReportError(w, statusFor(http.StatusOK, string(code)), body)
}

func writeReportError(w http.ResponseWriter, status int, e reportError) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}
