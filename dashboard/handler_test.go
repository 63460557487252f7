package dashboard

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"taskledger/export"
)

// stubAPI records what reached the API handler.
type stubAPI struct{ paths []string }

func (s *stubAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.paths = append(s.paths, r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"data":{}}`))
}

func TestStaticFiles(t *testing.T) {
	api := &stubAPI{}
	srv := httptest.NewServer(Handler(Config{API: api}))
	defer srv.Close()
	cases := []struct {
		path, ctype string
		status      int
		contains    string
	}{
		{"/", "text/html; charset=utf-8", 200, `<script src="/assets/app.js"`},
		{"/index.html", "text/html; charset=utf-8", 200, "taskledger"},
		{"/assets/app.js", "text/javascript; charset=utf-8", 200, "publishedScorecards"},
		{"/assets/app.css", "text/css; charset=utf-8", 200, "@media print"},
		{"/assets/icon.svg", "image/svg+xml", 200, "<svg"},
		{"/assets/missing.js", "", 404, ""},
		{"/assets/../dashboard.go", "", 404, ""},
		{"/nope", "", 404, ""},
		{"/static/index.html", "", 404, ""},
		{"/export/unknown.csv", "", 404, ""},
		{"/export/scorecard.pdf", "", 404, ""},
	}
	for _, c := range cases {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.path, resp.StatusCode, c.status)
			continue
		}
		if c.status != 200 {
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if !strings.Contains(b.String(), c.contains) {
			t.Errorf("%s: body lacks %q", c.path, c.contains)
		}
		if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: security headers missing", c.path)
		}
	}
	resp, err := http.Post(srv.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status %d, want 405", resp.StatusCode)
	}
	if len(api.paths) != 0 {
		t.Errorf("dashboard paths reached the API: %v", api.paths)
	}
	for _, p := range []string{"/graphql", "/healthz", "/metrics"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if strings.Join(api.paths, " ") != "/graphql /healthz /metrics" {
		t.Errorf("API saw %v", api.paths)
	}
}

func TestExportEndpoints(t *testing.T) {
	e := demoServer(t)

	// The committee's scorecard as XLSX: opens, Chinese names, numbers.
	resp, body := e.get(t, "committee", "/export/scorecard.xlsx?year=2025&kind=county")
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("xlsx Content-Type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "scorecard-2025-county.xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(export.SheetRanking)
	if len(rows) != 13 || rows[0][0] != "名次" || rows[1][0] != "1" {
		t.Fatalf("ranking rows: %d %q", len(rows), rows[:min(2, len(rows))])
	}
	names := map[string]bool{}
	for _, r := range rows[1:] {
		names[r[1]] = true
	}
	if !names["宁城县"] || !names["红山区"] {
		t.Errorf("county names missing: %v", names)
	}
	if typ, _ := f.GetCellType(export.SheetRanking, "D2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("total is not a number: %v", typ)
	}
	about, _ := f.GetRows(export.SheetAbout)
	if !strings.Contains(flat(about), "模拟") {
		t.Errorf("the 说明 sheet does not say the data is simulated")
	}
	f.Close()

	// CSV with a BOM.
	resp, body = e.get(t, "inspector", "/export/scorecard.csv?year=2025&kind=bureau")
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("\ufeff名次,单位")) {
		t.Fatalf("csv: %d %.80q", resp.StatusCode, body)
	}
	if _, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll(); err != nil {
		t.Fatal(err)
	}

	// A county's ledger holds only its own obligations.
	resp, body = e.get(t, "county", "/export/obligations.csv")
	if resp.StatusCode != 200 {
		t.Fatalf("obligations: %d %s", resp.StatusCode, body)
	}
	recs, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("obligations csv: %v %d rows", err, len(recs))
	}
	for _, r := range recs[1:] {
		if r[3] != "county.ningcheng" {
			t.Fatalf("a county's ledger holds %s", r[3])
		}
	}
	resp, body = e.get(t, "coordinator", "/export/obligations.xlsx")
	if resp.StatusCode != 200 {
		t.Fatalf("obligations xlsx: %d %s", resp.StatusCode, body)
	}

	// The published ranking needs no token.
	resp, body = e.get(t, "", "/export/published.xlsx?year=2025&kind=bureau")
	if resp.StatusCode != 200 {
		t.Fatalf("published: %d %s", resp.StatusCode, body)
	}

	// Refusals carry the API's code.
	for _, c := range []struct {
		role, path string
		status     int
		code       string
	}{
		{"county", "/export/scorecard.xlsx?year=2025&kind=county", 403, "FORBIDDEN"},
		{"", "/export/scorecard.csv?year=2025&kind=county", 401, "UNAUTHENTICATED"},
		{"", "/export/obligations.csv", 401, "UNAUTHENTICATED"},
		{"committee", "/export/scorecard.csv?year=abc", 400, "INVALID_ARGUMENT"},
		{"committee", "/export/scorecard.csv?year=2025&kind=city", 400, "INVALID_ARGUMENT"},
		{"", "/export/published.csv?year=2025&kind=county", 404, "NOT_FOUND"},
		{"", "/export/published.csv?year=2025&kind=bureau&token=tl_x", 400, "INVALID_ARGUMENT"},
	} {
		resp, body := e.get(t, c.role, c.path)
		var out struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal(body, &out)
		if resp.StatusCode != c.status || out.Error.Code != c.code || out.Error.Message == "" {
			t.Errorf("%s as %q: %d %s, want %d %s", c.path, c.role, resp.StatusCode, body, c.status, c.code)
		}
	}
}

func flat(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|"))
		b.WriteByte('\n')
	}
	return b.String()
}
