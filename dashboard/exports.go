package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"taskledger/domain"
	"taskledger/export"
	"taskledger/internal/apiclient"
	"taskledger/internal/msg"
)

// maxObligationPages bounds how many pages an obligations export reads; a
// longer ledger is refused rather than cut short.
const maxObligationPages = 40

// obligationPageSize is how many obligations an export asks for at a time:
// the API's largest page.
const obligationPageSize = 500

// exportError is an export refused or failed, written as JSON with the
// GraphQL error's code.
type exportError struct {
	status  int
	code    string
	message string
}

func (e *exportError) Error() string { return e.message }

// query runs a GraphQL query through the API handler with the caller's
// Authorization header and language (ctx's) and decodes data into out.
func (h *handler) query(ctx context.Context, authz, q string, vars map[string]any, out any) error {
	if h.api == nil {
		return &exportError{http.StatusServiceUnavailable, "INTERNAL", "no API"}
	}
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", string(msg.LangOf(ctx)))
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	h.api.ServeHTTP(rec, req)
	err = apiclient.Decode(rec.status, rec.body.Bytes(), out)
	var ae *apiclient.Error
	if errors.As(err, &ae) {
		return &exportError{statusFor(ae.Status, ae.Code), ae.Code, ae.Message}
	}
	return err
}

// statusFor maps a GraphQL error code to the export's HTTP status.
func statusFor(status int, code string) int {
	if status != http.StatusOK {
		return status
	}
	switch code {
	case "UNAUTHENTICATED":
		return http.StatusUnauthorized
	case "FORBIDDEN":
		return http.StatusForbidden
	case "NOT_FOUND":
		return http.StatusNotFound
	case "INVALID_ARGUMENT":
		return http.StatusBadRequest
	case "CONFLICT":
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// recorder is an in-memory http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int) {
	if !r.wrote {
		r.status, r.wrote = s, true
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

// serveExport is /export/{scorecard,published,obligations,audit}.{csv,xlsx}.
func (h *handler) serveExport(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeExportError(w, &exportError{http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "use GET"})
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/export/")
	base, format, _ := strings.Cut(name, ".")
	if format != "csv" && format != "xlsx" {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Has("token") || r.URL.Query().Has("access_token") {
		writeExportError(w, &exportError{http.StatusBadRequest, "INVALID_ARGUMENT", "send the token in the Authorization header, not in the URL"})
		return
	}
	authz := r.Header.Get("Authorization")
	var (
		buf      bytes.Buffer
		filename string // the ASCII fallback
		zhName   string // the name a person sees
		err      error
	)
	switch base {
	case "scorecard", "published":
		var sc export.Scorecard
		sc, err = h.scorecard(r.Context(), authz, r.URL.Query(), base == "published")
		if err == nil {
			filename, zhName = fmt.Sprintf("scorecard-%d-%s", sc.Year, sc.Kind), sc.Title()
			if sc.Published {
				filename = fmt.Sprintf("published-%d-%s", sc.Year, sc.Kind)
			}
			if format == "csv" {
				err = export.ScorecardCSV(&buf, sc)
			} else {
				err = export.ScorecardXLSX(&buf, sc)
			}
		}
	case "obligations":
		var ob export.Obligations
		ob, err = h.obligations(r.Context(), authz, r.URL.Query())
		if err == nil {
			filename = "obligations"
			if ob.Unit != "" {
				filename += "-" + ob.Unit
			}
			filename += "-" + ob.AsOf.Format("20060102")
			zhName = ledgerFilename(ob)
			if format == "csv" {
				err = export.ObligationsCSV(&buf, ob)
			} else {
				err = export.ObligationsXLSX(&buf, ob)
			}
		}
	case "audit":
		var at export.AuditTrail
		at, err = h.auditTrail(r.Context(), authz, r.URL.Query())
		if err == nil {
			filename, zhName = auditFilename(at), auditFilenameZH(at)
			if format == "csv" {
				err = export.AuditCSV(&buf, at)
			} else {
				err = export.AuditXLSX(&buf, at)
			}
		}
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		var ee *exportError
		if !errors.As(err, &ee) {
			h.logger.Error("export failed", "path", r.URL.Path, "err", err)
			ee = &exportError{http.StatusInternalServerError, "INTERNAL", "the export failed"}
		}
		writeExportError(w, ee)
		return
	}
	ct := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	writeDownload(w, ct, zhName, filename, format, buf.Bytes())
}

// writeDownload writes a file to save: its type, its name in Chinese
// (RFC 5987 filename*) with an ASCII fallback (filename), no caching.
func writeDownload(w http.ResponseWriter, contentType, name, fallback, ext string, body []byte) {
	if name == "" {
		name = fallback
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", ContentDisposition(name+"."+ext, fallback+"."+ext))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// ContentDisposition is an attachment's header value: the name as UTF-8
// (RFC 5987 filename*, which browsers prefer) and an ASCII fallback for
// clients that read only filename.
func ContentDisposition(name, fallback string) string {
	return fmt.Sprintf("attachment; filename=\"%s\"; filename*=UTF-8''%s", asciiName(fallback), rfc5987(name))
}

// rfc5987 percent-encodes every byte outside RFC 5987's attr-char.
func rfc5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// ledgerFilename is a 台账's name: 任务落实台账, the unit (or 全部单位) and
// the as-of date.
func ledgerFilename(ob export.Obligations) string {
	unit := ob.Unit
	if unit == "" {
		unit = "全部单位"
	}
	return safeName("任务落实台账-" + unit + "-" + ob.AsOf.In(domain.Shanghai()).Format("20060102"))
}

// safeName keeps a file name to one path element.
func safeName(s string) string { return strings.NewReplacer("/", "_", "\\", "_").Replace(s) }

// asciiName replaces what is not printable ASCII for the plain filename
// parameter.
func asciiName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, s)
}

func writeExportError(w http.ResponseWriter, e *exportError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="taskledger"`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"message": e.message, "code": e.code}})
}

// yearKind reads ?year= and ?kind=.
func yearKind(q url.Values) (int, string, error) {
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil || year < 1900 || year > 9999 {
		return 0, "", &exportError{http.StatusBadRequest, "INVALID_ARGUMENT", "year must be a year such as 2025"}
	}
	kind := strings.ToUpper(q.Get("kind"))
	if kind == "" {
		kind = "BUREAU"
	}
	if kind != "BUREAU" && kind != "COUNTY" {
		return 0, "", &exportError{http.StatusBadRequest, "INVALID_ARGUMENT", "kind must be bureau or county"}
	}
	return year, kind, nil
}

// scorecard fetches a year's scorecards (or the latest published ones).
func (h *handler) scorecard(ctx context.Context, authz string, q url.Values, published bool) (export.Scorecard, error) {
	year, kind, err := yearKind(q)
	if err != nil {
		return export.Scorecard{}, err
	}
	vars := map[string]any{"year": year, "kind": kind}
	if published {
		return h.published(ctx, authz, year, kind)
	}
	if a := q.Get("asOf"); a != "" {
		vars["asOf"] = a
	}
	var data apiclient.ScorecardAnswer
	if err := h.query(ctx, authz, apiclient.ScorecardQuery, vars, &data); err != nil {
		return export.Scorecard{}, err
	}
	return data.Scorecard.Export(deref(data.Ledger.Notice)), nil
}

// published fetches the latest published scorecards of a year and kind
// (BUREAU or COUNTY).
func (h *handler) published(ctx context.Context, authz string, year int, kind string) (export.Scorecard, error) {
	var data struct {
		Ledger apiclient.Ledger `json:"ledger"`
		Pub    struct {
			Nodes []struct {
				Plan          string           `json:"plan"`
				Scheme        string           `json:"scheme"`
				SchemeVersion int              `json:"schemeVersion"`
				AsOf          *time.Time       `json:"asOf"`
				Digest        string           `json:"digest"`
				Cards         []apiclient.Card `json:"cards"`
			} `json:"nodes"`
		} `json:"publishedScorecards"`
	}
	vars := map[string]any{"year": year, "kind": kind}
	if err := h.query(ctx, authz, apiclient.PublishedQuery, vars, &data); err != nil {
		return export.Scorecard{}, err
	}
	kind = strings.ToLower(kind)
	if len(data.Pub.Nodes) == 0 {
		return export.Scorecard{}, &exportError{http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("no %s scorecards have been published for %d", kind, year)}
	}
	p := data.Pub.Nodes[0] // newest first
	sc := export.Scorecard{Plan: p.Plan, Year: year, Kind: kind, Scheme: p.Scheme, SchemeVersion: p.SchemeVersion, Digest: p.Digest, Published: true, Notice: deref(data.Ledger.Notice)}
	if p.AsOf != nil {
		sc.AsOf = *p.AsOf
	}
	for _, c := range p.Cards {
		sc.Cards = append(sc.Cards, c.Export())
	}
	return sc, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// obligations fetches every obligation the token may see (one unit's with
// ?unit=), page by page.
func (h *handler) obligations(ctx context.Context, authz string, q url.Values) (export.Obligations, error) {
	const gq = `query($unit: ID, $asOf: Time, $after: String, $first: Int) { ledger { notice }
  obligations(unit: $unit, asOf: $asOf, first: $first, after: $after) { asOf pageInfo { hasNextPage endCursor } nodes {
    id plan task taskTitle unit unitName role status light progress reports nextDue slips findings lastReport { note }
    milestones { what due completion overdue }
    pendingExtension { milestone currentDue requestedDue reason } } } }`
	size := h.obligationPage
	if size <= 0 {
		size = obligationPageSize
	}
	vars := map[string]any{"first": size}
	if u := q.Get("unit"); u != "" {
		vars["unit"] = u
	}
	if a := q.Get("asOf"); a != "" {
		vars["asOf"] = a
	}
	var out export.Obligations
	units := map[string]bool{}
	for page := 0; ; page++ {
		if page == maxObligationPages {
			return export.Obligations{}, &exportError{http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf(
				"the ledger holds more than %d obligations, more than one export takes: export one unit at a time (?unit=)", maxObligationPages*size)}
		}
		var data struct {
			Ledger struct {
				Notice *string `json:"notice"`
			} `json:"ledger"`
			O struct {
				AsOf     time.Time `json:"asOf"`
				PageInfo struct {
					HasNextPage bool    `json:"hasNextPage"`
					EndCursor   *string `json:"endCursor"`
				} `json:"pageInfo"`
				Nodes []struct {
					ID         string `json:"id"`
					Plan       string `json:"plan"`
					Task       int    `json:"task"`
					TaskTitle  string `json:"taskTitle"`
					Unit       string `json:"unit"`
					UnitName   string `json:"unitName"`
					Role       string `json:"role"`
					Status     string `json:"status"`
					Light      string `json:"light"`
					Progress   int    `json:"progress"`
					Reports    int    `json:"reports"`
					NextDue    string `json:"nextDue"`
					Slips      int    `json:"slips"`
					Findings   int    `json:"findings"`
					Milestones []struct {
						What       string `json:"what"`
						Due        string `json:"due"`
						Completion string `json:"completion"`
						Overdue    bool   `json:"overdue"`
					} `json:"milestones"`
					LastReport *struct {
						Note string `json:"note"`
					} `json:"lastReport"`
					Pending *struct {
						Milestone    string `json:"milestone"`
						CurrentDue   string `json:"currentDue"`
						RequestedDue string `json:"requestedDue"`
						Reason       string `json:"reason"`
					} `json:"pendingExtension"`
				} `json:"nodes"`
			} `json:"obligations"`
		}
		if err := h.query(ctx, authz, gq, vars, &data); err != nil {
			return export.Obligations{}, err
		}
		if page == 0 {
			out.AsOf, out.Notice = data.O.AsOf, deref(data.Ledger.Notice)
		}
		for _, it := range data.O.Nodes {
			ob := export.Obligation{ID: it.ID, Plan: it.Plan, Task: it.Task, TaskTitle: it.TaskTitle, Unit: it.Unit, UnitName: it.UnitName, Role: it.Role,
				Status: it.Status, Light: it.Light, Progress: it.Progress, Reports: it.Reports, NextDue: it.NextDue, Slips: it.Slips, Findings: it.Findings}
			var ms []string
			for _, m := range it.Milestones {
				s := m.Due + " " + m.What
				switch {
				case m.Completion == "VERIFIED":
					s += "（已核验）"
				case m.Completion == "CLAIMED":
					s += "（已申报完成）"
				case m.Overdue:
					s += "（逾期）"
				}
				ms = append(ms, s)
			}
			ob.Milestones = strings.Join(ms, "\n")
			if it.LastReport != nil {
				ob.Note = it.LastReport.Note
			}
			if p := it.Pending; p != nil {
				ob.PendingExtension = fmt.Sprintf("%s → %s：%s", p.CurrentDue, p.RequestedDue, p.Reason)
			}
			units[it.UnitName] = true
			out.Items = append(out.Items, ob)
		}
		if !data.O.PageInfo.HasNextPage || data.O.PageInfo.EndCursor == nil {
			break
		}
		vars["after"] = *data.O.PageInfo.EndCursor
	}
	if len(units) == 1 {
		for u := range units {
			out.Unit = u
		}
	}
	return out, h.planWording(ctx, authz, &out)
}

// planWording fills in what the 台账 prints of its plans: each task's label
// (（三）) and, when every item is of one plan, the plan's title.
func (h *handler) planWording(ctx context.Context, authz string, out *export.Obligations) error {
	var data struct {
		Plans struct {
			Nodes []struct {
				ID    string `json:"id"`
				Title string `json:"title"`
				Tasks []struct {
					Number int     `json:"number"`
					Label  *string `json:"label"`
				} `json:"tasks"`
			} `json:"nodes"`
		} `json:"plans"`
	}
	if err := h.query(ctx, authz, `{ plans(first: 500) { nodes { id title tasks { number label } } } }`, nil, &data); err != nil {
		return err
	}
	titles, labels, used := map[string]string{}, map[string]string{}, map[string]bool{}
	for _, p := range data.Plans.Nodes {
		titles[p.ID] = p.Title
		for _, t := range p.Tasks {
			labels[p.ID+"\x00"+strconv.Itoa(t.Number)] = deref(t.Label)
		}
	}
	for i := range out.Items {
		it := &out.Items[i]
		it.TaskLabel = labels[it.Plan+"\x00"+strconv.Itoa(it.Task)]
		used[it.Plan] = true
	}
	if len(used) == 1 {
		for id := range used {
			out.Plan = titles[id]
		}
	}
	return nil
}
