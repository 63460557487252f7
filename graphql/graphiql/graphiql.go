// Package graphiql serves GraphiQL, the GraphQL IDE, for browsers that
// open /graphql: the page and its assets are embedded in the binary
// (graphiql and react from npm, pinned in fetch-assets.sh; no CDN).
package graphiql

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Prefix is the path the assets are served under.
const Prefix = "/graphql/graphiql/"

//go:embed assets
var assets embed.FS

// csp keeps the page to its own scripts and the API of its own origin;
// GraphiQL's components set inline styles, and its fonts are data: URIs.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// WantsHTML reports whether r is a browser asking to see /graphql: a GET
// whose Accept header names text/html before any JSON type (GraphQL
// clients ask for application/json or application/graphql-response+json).
func WantsHTML(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch {
		case mt == "text/html":
			return true
		case strings.Contains(mt, "json"):
			return false
		}
	}
	return false
}

// Page writes GraphiQL's HTML page.
func Page(w http.ResponseWriter, r *http.Request) { serve(w, r, "index.html") }

// Assets serves the files under Prefix.
func Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "use GET", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, Prefix)
		if name == "" || name == "index.html" || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		serve(w, r, name)
	})
}

// serve writes one asset; a file stored as name.gz goes out compressed to
// clients that accept gzip and decompressed to the others.
func serve(w http.ResponseWriter, r *http.Request, name string) {
	body, gz, err := open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Vary", "Accept-Encoding")
	if name == "index.html" {
		h.Set("Content-Security-Policy", csp)
		h.Set("Cache-Control", "no-cache")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	if gz {
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
		} else if body, err = gunzip(body); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// open reads an embedded asset, or its gzip-compressed form.
func open(name string) (body []byte, gz bool, err error) {
	if body, err = assets.ReadFile("assets/" + name); err == nil {
		return body, false, nil
	}
	if body, err = assets.ReadFile("assets/" + name + ".gz"); err == nil {
		return body, true, nil
	}
	return nil, false, fmt.Errorf("graphiql: no asset %q", name)
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("graphiql: gunzip: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("graphiql: gunzip: %w", err)
	}
	return out, nil
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".html"):
		return "text/html; charset=utf-8"
	case strings.HasSuffix(name, ".js"):
		return "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".css"):
		return "text/css; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}
