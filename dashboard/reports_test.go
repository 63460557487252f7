package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/export"
	"taskledger/graphql"
	"taskledger/projections"
	"taskledger/reportsheet"
)

// reportEnv is a real (not simulated) ledger holding the Chifeng plan,
// served with the report template and uploads switched on.
type reportEnv struct {
	http   *httptest.Server
	runner *projections.Runner
	tokens map[string]string
}

func newReportEnv(t *testing.T) *reportEnv {
	t.Helper()
	l := newLedger(t, ledgerSpec{
		tokens: map[string]auth.Spec{
			"county":    {Role: auth.County, Unit: "county.ningcheng"},
			"hongshan":  {Role: auth.County, Unit: "county.hongshan"},
			"inspector": {Role: auth.Inspector, Name: "测试督查"},
		},
		handler: func(c *Config, srv *graphql.Server) { c.Reports, c.Authenticate = srv.App(), srv.Authenticate },
	})
	return &reportEnv{http: l.http, runner: l.runner, tokens: l.tokens}
}

// do sends a request as the named role ("" for none) with extra headers.
func (e *reportEnv) do(t *testing.T, role, method, path string, body []byte, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, e.http.URL+path, bytes.NewReader(body))
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// multipartFile is a form with the file in field file.
func multipartFile(t *testing.T, name string, file []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(file)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

type uploadAnswer struct {
	Recorded, Duplicates, Skipped int
	Position                      uint64
	Error                         struct {
		Code, Message, MessageZH string
		Problems                 []struct {
			Row               int
			Column, MessageZH string
		}
	}
}

// A county downloads its template, fills two rows, uploads it through
// the dashboard and sees the notes in its 台账; the same file again
// records nothing; a bad file names each bad cell.
func TestReportTemplateAndUpload(t *testing.T) {
	e := newReportEnv(t)
	resp, body := e.do(t, "county", http.MethodGet, "/export/template.xlsx?plan=chifeng-air", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType {
		t.Fatalf("template: %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	cd := resp.Header.Get("Content-Disposition")
	day := time.Now().In(domain.Shanghai()).Format("20060102")
	if !strings.HasPrefix(cd, `attachment; filename="report-template-`+day+`.xlsx"`) ||
		!strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("宁城县-任务进展报送表-"+day+".xlsx")) {
		t.Errorf("Content-Disposition %q", cd)
	}
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	r := reportsheet.FirstDataRow
	for row, cells := range map[int][]any{r: {45, "已完成全县排查"}, r + 1: {20, "方案已印发"}} {
		x.SetCellValue(reportsheet.SheetName, "H"+itoa(row), cells[0])
		x.SetCellValue(reportsheet.SheetName, "I"+itoa(row), cells[1])
	}
	var filled bytes.Buffer
	x.WriteTo(&filled)

	form, ct := multipartFile(t, "宁城县.xlsx", filled.Bytes())
	resp, body = e.do(t, "county", http.MethodPost, "/import/reports", form, map[string]string{"Content-Type": ct, "Origin": e.http.URL, "Sec-Fetch-Site": "same-origin"})
	var ans uploadAnswer
	json.Unmarshal(body, &ans)
	if resp.StatusCode != 200 || ans.Recorded != 2 || ans.Position == 0 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	if err := e.runner.WaitFor(context.Background(), ans.Position); err != nil {
		t.Fatal(err)
	}

	// The 台账 shows the notes, under its title rows, in the plan's order.
	resp, body = e.do(t, "county", http.MethodGet, "/export/obligations.xlsx", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("ledger: %d %s", resp.StatusCode, body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("任务落实台账-宁城县-"+day+".xlsx")) {
		t.Errorf("ledger Content-Disposition %q", cd)
	}
	l, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rows, _ := l.GetRows(export.SheetObligations)
	if len(rows) < 5 || !strings.Contains(rows[0][0], "任务落实台账") || !strings.Contains(rows[1][0], "宁城县") || rows[2][0] != "序号" || rows[3][0] != "1" || !strings.HasPrefix(rows[3][1], "（") {
		t.Fatalf("ledger rows %q", rows[:min(4, len(rows))])
	}
	notes := flat(rows)
	if !strings.Contains(notes, "已完成全县排查") || !strings.Contains(notes, "方案已印发") {
		t.Errorf("the ledger lacks the notes:\n%s", notes)
	}

	// The same file again, as the raw body: nothing new.
	resp, body = e.do(t, "county", http.MethodPost, "/import/reports", filled.Bytes(), map[string]string{"Content-Type": xlsxType})
	ans = uploadAnswer{}
	json.Unmarshal(body, &ans)
	if resp.StatusCode != 200 || ans.Recorded != 0 || ans.Duplicates != 2 {
		t.Fatalf("second upload: %d %s", resp.StatusCode, body)
	}

	// A bad percent is named by row and column, in Chinese; nothing is recorded.
	x.SetCellValue(reportsheet.SheetName, "H"+itoa(r+2), 150)
	var bad bytes.Buffer
	x.WriteTo(&bad)
	resp, body = e.do(t, "county", http.MethodPost, "/import/reports", bad.Bytes(), nil)
	ans = uploadAnswer{}
	json.Unmarshal(body, &ans)
	if resp.StatusCode != 400 || ans.Error.Code != "INVALID_ARGUMENT" || len(ans.Error.Problems) != 1 ||
		ans.Error.Problems[0].MessageZH != "第 6 行「进展百分比」：应为 0 到 100 的整数" || !strings.Contains(ans.Error.MessageZH, "未记录任何内容") {
		t.Fatalf("bad upload: %d %s", resp.StatusCode, body)
	}
}

// Uploads from another origin, without a valid token, from a role that
// does not report, or of another unit's template are refused.
func TestUploadRefusals(t *testing.T) {
	e := newReportEnv(t)
	_, other := e.do(t, "hongshan", http.MethodGet, "/export/template.xlsx", nil, nil)
	x, err := excelize.OpenReader(bytes.NewReader(other))
	if err != nil {
		t.Fatal(err)
	}
	x.SetCellValue(reportsheet.SheetName, "H"+itoa(reportsheet.FirstDataRow), 10)
	var filled bytes.Buffer
	x.WriteTo(&filled)
	x.Close()
	for _, c := range []struct {
		name, role, method, path string
		header                   map[string]string
		status                   int
		code, zh                 string
	}{
		{"cross origin", "county", "POST", "/import/reports", map[string]string{"Origin": "https://evil.example"}, 403, "FORBIDDEN", "本站"},
		{"cross site", "county", "POST", "/import/reports", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "FORBIDDEN", "本站"},
		{"no token", "", "POST", "/import/reports", nil, 401, "UNAUTHENTICATED", "令牌"},
		{"token in url", "county", "POST", "/import/reports?token=x", nil, 400, "INVALID_ARGUMENT", "请求头"},
		{"inspector", "inspector", "POST", "/import/reports", nil, 403, "FORBIDDEN", "督查人员角色无权报送进展"},
		{"another unit's rows", "county", "POST", "/import/reports", nil, 400, "INVALID_ARGUMENT", "第 4 行：这一行是其他单位的任务责任"},
		{"GET", "county", "GET", "/import/reports", nil, 405, "INVALID_ARGUMENT", "POST"},
		{"template without token", "", "GET", "/export/template.xlsx", nil, 401, "UNAUTHENTICATED", "令牌"},
		{"another unit's template", "county", "GET", "/export/template.xlsx?unit=county.hongshan", nil, 403, "FORBIDDEN", "本单位"},
		{"a malformed plan id", "county", "GET", "/export/template.xlsx?plan=" + url.QueryEscape("不是 id"), nil, 400, "INVALID_ARGUMENT", "不是 id"},
		{"an unknown plan", "county", "GET", "/export/template.xlsx?plan=no-such-plan", nil, 404, "NOT_FOUND", "no-such-plan"},
	} {
		resp, body := e.do(t, c.role, c.method, c.path, filled.Bytes(), c.header)
		var ans uploadAnswer
		json.Unmarshal(body, &ans)
		if resp.StatusCode != c.status || ans.Error.Code != c.code || !strings.Contains(ans.Error.MessageZH, c.zh) {
			t.Errorf("%s: %d %s, want %d %s %q", c.name, resp.StatusCode, body, c.status, c.code, c.zh)
		}
	}
	// A raw body whose declared type its content contradicts.
	resp, body := e.do(t, "county", http.MethodPost, "/import/reports", []byte("编号,进展百分比\n"), map[string]string{"Content-Type": xlsxType})
	var ans uploadAnswer
	json.Unmarshal(body, &ans)
	if resp.StatusCode != 400 || !strings.Contains(ans.Error.MessageZH, "文件内容是 CSV，与所选格式 XLSX 不符") {
		t.Errorf("mismatched type: %d %s", resp.StatusCode, body)
	}
	// Without Reports the endpoints are not there.
	h := Handler(Config{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/import/reports", nil))
	if rec.Code != 404 {
		t.Errorf("without Reports: %d", rec.Code)
	}
}

// Every export download is named in Chinese with an ASCII fallback.
func TestContentDisposition(t *testing.T) {
	got := ContentDisposition("2025年度旗县区考核得分.xlsx", "scorecard-2025-county.xlsx")
	want := `attachment; filename="scorecard-2025-county.xlsx"; filename*=UTF-8''2025%E5%B9%B4%E5%BA%A6%E6%97%97%E5%8E%BF%E5%8C%BA%E8%80%83%E6%A0%B8%E5%BE%97%E5%88%86.xlsx`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := ContentDisposition("a b(1).csv", "a\"b\\c.csv"); got != `attachment; filename="a_b_c.csv"; filename*=UTF-8''a%20b%281%29.csv` {
		t.Errorf("got %s", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
