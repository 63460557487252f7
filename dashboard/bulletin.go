package dashboard

import (
	"context"
	"net/http"
	"regexp"
	"strconv"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/bulletin"
	"taskledger/internal/msg"
)

// Bulletins renders issued bulletins again from their as-of points, as the
// dashboard's bulletin downloads call it (app.Service implements it).
type Bulletins interface {
	Bulletin(ctx context.Context, p auth.Principal, plan string, year, number int) (app.IssuedBulletin, bulletin.Bulletin, []byte, error)
}

// bulletinPath is /bulletin/{plan}/{year}-{number}.pdf|html.
var bulletinPath = regexp.MustCompile(`^/bulletin/([A-Za-z0-9._-]+)/([0-9]{4})-([0-9]{1,4})\.(pdf|html)$`)

// serveBulletin is GET /bulletin/{plan}/{year}-{number}.pdf (the PDF, named
// 通报-2026年第3期-2026年11月.pdf) or .html (the print page): an issued
// bulletin rendered again from its as-of point. A rendering whose digest
// differs from the recorded one is refused, never served.
func (h *handler) serveBulletin(w http.ResponseWriter, r *http.Request) {
	m := bulletinPath.FindStringSubmatch(r.URL.Path)
	if m == nil || h.bulletins == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	year, _ := strconv.Atoi(m[2])
	number, _ := strconv.Atoi(m[3])
	ib, b, pdf, err := h.bulletins.Bulletin(r.Context(), p, m[1], year, number)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	if !ib.Verified {
		h.logger.Error("bulletin does not reproduce", "plan", m[1], "year", year, "number", number)
		writeReportError(w, http.StatusInternalServerError, catalogued(r, msg.BulletinNotReproducing, nil))
		return
	}
	fallback := "bulletin-" + m[2] + "-" + m[3]
	if m[4] == "pdf" {
		writeDownload(w, "application/pdf", b.FileName()[:len(b.FileName())-len(".pdf")], fallback, "pdf", pdf)
		return
	}
	page, err := bulletin.HTML(b)
	if err != nil {
		h.writeAppError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	_, _ = w.Write(page)
}
