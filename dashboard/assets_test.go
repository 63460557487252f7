package dashboard

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every script and style index.html names is served from the binary with
// its type, ECharts included, so that the page works offline.
func TestIndexAssetsServed(t *testing.T) {
	srv := httptest.NewServer(Handler(Config{}))
	defer srv.Close()
	index, err := os.ReadFile(filepath.Join("static", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(string(index), -1)
	paths := []string{"/assets/vendor/echarts.min.js"}
	for _, m := range refs {
		paths = append(paths, m[1])
	}
	if len(paths) < 7 {
		t.Fatalf("index.html names only %v", paths)
	}
	for _, p := range paths {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("GET %s: %d, %d bytes", p, resp.StatusCode, len(body))
			continue
		}
		ct := resp.Header.Get("Content-Type")
		switch {
		case strings.HasSuffix(p, ".js") && !strings.HasPrefix(ct, "text/javascript"),
			strings.HasSuffix(p, ".css") && !strings.HasPrefix(ct, "text/css"):
			t.Errorf("GET %s: Content-Type %q", p, ct)
		}
	}
}

// The embedded ECharts is the one package-lock.json pins: after npm ci
// (make dashboard-deps) the committed copy must equal the package's.
func TestVendoredECharts(t *testing.T) {
	fromNPM, err := os.ReadFile(filepath.Join("web", "node_modules", "echarts", "dist", "echarts.min.js"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ECharts is not installed (%v), and under CI=true the embedded copy must be checked: make dashboard-deps", err)
		}
		t.Skipf("ECharts is not installed from npm (%v): run make dashboard-deps to check the embedded copy", err)
	}
	embedded, err := os.ReadFile(filepath.Join("static", "assets", "vendor", "echarts.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromNPM, embedded) {
		t.Error("static/assets/vendor/echarts.min.js differs from the npm package's: run make dashboard-deps and commit the copy")
	}
}
