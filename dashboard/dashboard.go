// Package dashboard serves taskledger's web dashboard: static HTML, CSS and
// JavaScript embedded in the binary (no build step, no network access
// needed), which talk to the ledger through the GraphQL API; download
// endpoints that export scorecards, the obligations ledger (台账) and audit
// trails as CSV or XLSX; and a unit's report template (报送模板) with its
// upload, which call the application layer (Config.Reports) directly.
//
// Handler mounts the dashboard at / beside an API handler (the GraphQL
// server's /graphql, /healthz and /metrics). The export endpoints run their
// GraphQL queries through that same API handler with the caller's bearer
// token, so they see exactly what the token may see:
//
//	GET /export/scorecard.csv|xlsx?year=2025&kind=bureau|county[&asOf=TIME]   committee, inspector
//	GET /export/published.csv|xlsx?year=2025&kind=bureau|county               anyone (published rankings)
//	GET /export/obligations.csv|xlsx[?unit=ID][&asOf=TIME]                     any token (bureau/county: own unit)
//	GET /export/audit.csv|xlsx?task=N|unit=ID|stream=S[&plan=P][&asOf=DATE|TIME] inspector; bureau/county (own unit)
//	GET /export/template.xlsx[?plan=ID][&unit=ID]                              a unit's report template (报送模板)
//	POST /import/reports[?plan=ID]   (multipart field file, or the raw body)   bureau/county: record a filled template
//	GET /bulletin/{plan}/{year}-{number}.pdf|html                              any token: an issued bulletin (通报), PDF or print page
//
// Every download is named in Chinese (RFC 5987 filename*) with an ASCII
// fallback. Uploads are refused from another origin (Origin or
// Sec-Fetch-Site) and answer JSON: what was recorded, or each bad row and
// cell in Chinese and English.
//
// Authorise with the header Authorization: Bearer <token>; tokens in URLs
// are not accepted (they end up in logs and browser history). The
// dashboard downloads with fetch and saves the response as a file.
package dashboard

import (
	"embed"

	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"taskledger/auth"
	"taskledger/internal/msg"
)

//go:embed static
var static embed.FS

// Config is what the dashboard needs.
type Config struct {
	// API serves /graphql, /healthz and /metrics (graphql.Server.Handler).
	API http.Handler
	// Logger receives export failures; nil means slog.Default().
	Logger *slog.Logger
	// Reports serves GET /export/template.xlsx and POST /import/reports
	// (the application layer's ReportTemplate and BulkReport); nil leaves
	// both out (404).
	Reports Reports
	// Authenticate returns the principal of an Authorization header
	// (graphql.Server.Authenticate): who a template download or an upload
	// acts as. Required with Reports.
	Authenticate func(header string) (auth.Principal, error)
	// Evidence serves POST /evidence and GET /evidence/{sha256} (the
	// application layer's UploadEvidence and DownloadEvidence); nil, or no
	// Authenticate, leaves them out (404). EvidenceMaxSize is how much of
	// an upload is read (zero: evidence.DefaultMaxSize); the application
	// layer's own limit decides.
	Evidence        Evidence
	EvidenceMaxSize int64
	// Bulletins serves GET /bulletin/{plan}/{year}-{number}.pdf|html (the
	// application layer's Bulletin); nil leaves them out (404). It needs
	// Authenticate.
	Bulletins Bulletins
	// Accounts serves password login and dashboard sessions (/session…,
	// and the session cookie on every other path); nil leaves them out.
	Accounts Accounts
	// OIDC, with Accounts, adds login through an identity provider
	// (/session/oidc/start and /session/oidc/callback); nil leaves it out.
	OIDC *OIDCLogin
}

// apiPaths are the paths passed to the API handler unchanged.
var apiPaths = map[string]bool{"/graphql": true, "/healthz": true, "/metrics": true}

// handler routes requests between the API, the static files and exports.
type handler struct {
	api    http.Handler
	files  fs.FS
	logger *slog.Logger
	// auditPage is the page size of audit-trail exports; 0 means
	// auditPageSize (tests make it small).
	auditPage int
	// obligationPage is the page size of obligations exports; 0 means
	// obligationPageSize (tests make it small).
	obligationPage int
	// reports and auth serve the report template and uploads; nil
	// reports leaves them out.
	reports Reports
	auth    func(header string) (auth.Principal, error)
	// evidence serves evidence uploads and downloads, reading at most
	// evidenceMax bytes of a file; nil leaves them out.
	evidence    Evidence
	evidenceMax int64
	// bulletins serves issued bulletins; nil leaves them out.
	bulletins Bulletins
	// accounts serves sessions; nil: tokens only.
	accounts Accounts
	oidc     *OIDCLogin
}

// Handler returns an http.Handler that serves the API's paths through
// cfg.API and everything else as the dashboard: / (the single page),
// /assets/… (scripts, styles, icons) and /export/… (downloads). Other
// paths are 404.
func Handler(cfg Config) http.Handler {
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	h := &handler{api: cfg.API, files: files, logger: cfg.Logger, reports: cfg.Reports, auth: cfg.Authenticate, accounts: cfg.Accounts, oidc: cfg.OIDC}
	h.evidence, h.evidenceMax = cfg.Evidence, evidenceLimit(cfg.EvidenceMaxSize)
	h.bulletins = cfg.Bulletins
	if h.auth == nil {
		h.reports, h.evidence, h.bulletins = nil, nil, nil
	}
	if h.logger == nil {
		h.logger = slog.Default()
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if p == "/session" || strings.HasPrefix(p, "/session/") {
		h.serveSession(w, r)
		return
	}
	r, ok := h.withSession(w, r)
	if !ok {
		return
	}
	r = r.WithContext(msg.WithLang(r.Context(), requestLang(r)))
	if apiPaths[p] || strings.HasPrefix(p, "/graphql/") {
		if h.api == nil {
			http.NotFound(w, r)
			return
		}
		h.api.ServeHTTP(w, r)
		return
	}
	switch {
	case (p == "/export/template.xlsx" || p == "/import/reports") && h.reports == nil:
		http.NotFound(w, r)
	case p == "/export/template.xlsx":
		h.serveTemplate(w, r)
	case p == "/import/reports":
		h.serveImport(w, r)
	case strings.HasPrefix(p, "/export/"):
		h.serveExport(w, r)
	case (p == "/evidence" || strings.HasPrefix(p, "/evidence/")) && h.evidence == nil:
		http.NotFound(w, r)
	case p == "/evidence":
		h.serveEvidenceUpload(w, r)
	case strings.HasPrefix(p, "/evidence/"):
		h.serveEvidenceDownload(w, r)
	case strings.HasPrefix(p, "/bulletin/"):
		h.serveBulletin(w, r)
	case p == "/" || p == "/index.html":
		h.serveFile(w, r, "index.html")
	case strings.HasPrefix(p, "/assets/"):
		name := strings.TrimPrefix(path.Clean(p), "/")
		h.serveFile(w, r, name)
	default:
		http.NotFound(w, r)
	}
}

// securityHeaders keeps the page to its own scripts and styles and the
// API of its own origin.
func securityHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
}

// serveFile writes one embedded file with its content type.
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	b, err := fs.ReadFile(h.files, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".html":
		ct = "text/html; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", ct)
	// The files change with the binary: revalidate every time.
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(b)
	}
}
