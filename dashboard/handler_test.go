package dashboard

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"taskledger/domain"
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

// exportRefusal is the JSON body of a refused export.
type exportRefusal struct {
	Error struct{ Code, Message string }
}

func TestAuditExport(t *testing.T) {
	e := demoServer(t)

	// An inspector's XLSX of task 10 as of the end of 30 June.
	resp, body := e.get(t, "inspector", "/export/audit.xlsx?task=10&asOf=2025-06-30")
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("xlsx Content-Type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "audit-task10-20250630.xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(export.SheetAudit)
	if len(rows) < 10 || strings.Join(rows[0], ",") != strings.Join(export.AuditHeaders, ",") {
		t.Fatalf("audit rows: %d %q", len(rows), rows[:min(2, len(rows))])
	}
	end := time.Date(2025, 7, 1, 0, 0, 0, 0, domain.Shanghai())
	var simulated bool
	for i, r := range rows[1:] {
		if len(r) < 10 || r[4] == "" || r[4] == r[5] || !strings.Contains(r[4], "第10项") && r[5] != "UnitRegistered" {
			t.Fatalf("row %d has no summary of a task-10 event: %q", i+2, r)
		}
		rec, err := time.ParseInLocation("2006-01-02 15:04:05", r[1], domain.Shanghai())
		if err != nil || !rec.Before(end) {
			t.Fatalf("row %d recorded %q, not before the end of 30 June: %v", i+2, r[1], err)
		}
		if strings.HasPrefix(r[3], "demo:") {
			simulated = true
			if !strings.Contains(r[7], "模拟") {
				t.Errorf("row %d: a simulated event's flags %q", i+2, r[7])
			}
		}
	}
	if !simulated {
		t.Error("no simulated event in the demo trail")
	}
	for _, ref := range []string{"A2", "B2", "C2"} {
		if typ, _ := f.GetCellType(export.SheetAudit, ref); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s is not a number: %v", ref, typ)
		}
	}
	about, _ := f.GetRows(export.SheetAbout)
	for _, w := range []string{"第10项任务审计轨迹", "2025-06-30 23:59:59", "哈希链|完整", "模拟", fmt.Sprintf("事件数|%d", len(rows)-1)} {
		if !strings.Contains(flat(about), w) {
			t.Errorf("说明 lacks %q:\n%s", w, flat(about))
		}
	}
	f.Close()

	// Read in pages of 40, the trail is the same, and still intact across
	// the pages' seams.
	small := Handler(Config{API: e.api}).(*handler)
	small.auditPage = 40
	paged := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens["inspector"])
		rec := httptest.NewRecorder()
		small.ServeHTTP(rec, req)
		return rec
	}
	rec := paged("/export/audit.csv?task=10&asOf=2025-06-30")
	_, whole := e.get(t, "inspector", "/export/audit.csv?task=10&asOf=2025-06-30")
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), whole) {
		t.Errorf("in pages of 40: %d, %d bytes; in one page %d bytes", rec.Code, rec.Body.Len(), len(whole))
	}
	if rec = paged("/export/audit.xlsx?task=10&asOf=2025-06-30"); rec.Code != 200 {
		t.Fatalf("xlsx in pages of 40: %d %s", rec.Code, rec.Body)
	}
	if f, err = excelize.OpenReader(rec.Body); err != nil {
		t.Fatal(err)
	}
	if about, _ := f.GetRows(export.SheetAbout); !strings.Contains(flat(about), "哈希链|完整") {
		t.Errorf("in pages of 40 the trail is not intact:\n%s", flat(about))
	}
	f.Close()
	recs, err := csv.NewReader(bytes.NewReader(whole[3:])).ReadAll()
	if err != nil || len(recs) != len(rows) {
		t.Fatalf("csv: %v, %d rows, xlsx %d", err, len(recs), len(rows))
	}
	if len(rows) <= 80 {
		t.Errorf("only %d rows: the pages of 40 were not exercised", len(rows))
	}

	// The obligations ledger in pages of 5: a county's 28 come out as in
	// one page; the whole ledger is more than 40 pages take, and is refused
	// rather than cut short.
	small.obligationPage = 5
	obl := func(role string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/export/obligations.csv", nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
		rec := httptest.NewRecorder()
		small.ServeHTTP(rec, req)
		return rec
	}
	_, oneCounty := e.get(t, "county", "/export/obligations.csv")
	if rec := obl("county"); rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), oneCounty) {
		t.Errorf("a county's obligations in pages of 5: %d, %d bytes; in one page %d bytes", rec.Code, rec.Body.Len(), len(oneCounty))
	}
	if rec := obl("coordinator"); rec.Code != 400 || !strings.Contains(rec.Body.String(), "more than 200 obligations") {
		t.Errorf("the whole ledger in pages of 5: %d %s", rec.Code, rec.Body)
	}

	// A county exports its own unit's trail, and one of its streams.
	resp, body = e.get(t, "county", "/export/audit.csv?unit=county.ningcheng&asOf=2025-06-30T18:00:00%2B08:00")
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("\ufeff日志位置,")) {
		t.Fatalf("county csv: %d %.200s", resp.StatusCode, body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("审计轨迹-宁城县-20250630.csv")) {
		t.Errorf("county Content-Disposition %q", cd)
	}
	recs, err = csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("county csv: %v, %d rows", err, len(recs))
	}
	stream := ""
	for _, r := range recs[1:] {
		if !strings.Contains(r[4], "宁城县") {
			t.Errorf("宁城县's trail holds %q", r)
		}
		if strings.HasPrefix(r[6], "obligation-") && stream == "" {
			stream = r[6]
		}
	}
	resp, body = e.get(t, "county", "/export/audit.xlsx?stream="+url.QueryEscape(stream))
	if resp.StatusCode != 200 {
		t.Fatalf("county stream %s: %d %s", stream, resp.StatusCode, body)
	}

	// Refusals: the auditTrail query's role rule, the export's token rule,
	// the parameters.
	other := strings.Replace(stream, "county.ningcheng", "county.aohan", 1)
	for _, c := range []struct {
		role, path string
		status     int
		code, msg  string
	}{
		{"committee", "/export/audit.xlsx?task=10", 403, "FORBIDDEN", "may not read audit trails"},
		{"coordinator", "/export/audit.csv?task=10", 403, "FORBIDDEN", "may not read audit trails"},
		{"county", "/export/audit.csv?task=10", 403, "FORBIDDEN", "not of a whole task"},
		{"county", "/export/audit.csv?unit=county.aohan", 403, "FORBIDDEN", "only for unit county.ningcheng"},
		{"county", "/export/audit.csv?stream=" + url.QueryEscape(other), 403, "FORBIDDEN", "own unit"},
		{"", "/export/audit.csv?task=10", 401, "UNAUTHENTICATED", "authentication required"},
		{"inspector", "/export/audit.csv?task=10&token=" + e.tokens["inspector"], 400, "INVALID_ARGUMENT", "Authorization header"},
		{"", "/export/audit.xlsx?task=10&access_token=tl_x", 400, "INVALID_ARGUMENT", "Authorization header"},
		{"inspector", "/export/audit.csv", 400, "INVALID_ARGUMENT", "exactly one of task"},
		{"inspector", "/export/audit.csv?task=10&unit=county.ningcheng", 400, "INVALID_ARGUMENT", "exactly one of task"},
		{"inspector", "/export/audit.csv?task=ten", 400, "INVALID_ARGUMENT", "task must be a task number"},
		{"inspector", "/export/audit.csv?task=-3", 400, "INVALID_ARGUMENT", "task must be a task number"},
		{"inspector", "/export/audit.csv?task=10&asOf=yesterday", 400, "INVALID_ARGUMENT", "asOf must be a date"},
		{"inspector", "/export/audit.csv?unit=county.ningcheng&plan=chifeng-air", 400, "INVALID_ARGUMENT", "plan goes with task"},
		{"inspector", "/export/audit.csv?stream=nonsense", 400, "INVALID_ARGUMENT", "nonsense"},
		{"inspector", "/export/audit.csv?unit=不存在县", 404, "NOT_FOUND", "不存在县"},
	} {
		resp, body := e.getLang(t, c.role, c.path, "en")
		var out exportRefusal
		_ = json.Unmarshal(body, &out)
		if resp.StatusCode != c.status || out.Error.Code != c.code || !strings.Contains(out.Error.Message, c.msg) {
			t.Errorf("%s as %q: %d %s, want %d %s %q", c.path, c.role, resp.StatusCode, body, c.status, c.code, c.msg)
		}
	}
}
