package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"taskledger/auth"
	"taskledger/evidence"
	"taskledger/evidence/evidencetest"
	"taskledger/graphql"
	"taskledger/projections"
)

// newEvidenceEnv is newReportEnv's ledger with an evidence store that
// accepts files of at most maxSize bytes, and a committee token.
func newEvidenceEnv(t *testing.T, maxSize int64) (*reportEnv, *evidence.Memory) {
	t.Helper()
	blobs := evidence.NewMemory()
	l := newLedger(t, ledgerSpec{
		tokens: map[string]auth.Spec{
			"county":    {Role: auth.County, Unit: "county.ningcheng"},
			"hongshan":  {Role: auth.County, Unit: "county.hongshan"},
			"inspector": {Role: auth.Inspector, Name: "测试督查"},
			"committee": {Role: auth.Committee, Name: "考核委员会"},
		},
		api: func(c *graphql.Config) { c.Evidence, c.EvidenceMaxSize = blobs, maxSize },
		handler: func(c *Config, srv *graphql.Server) {
			c.Authenticate, c.Evidence, c.EvidenceMaxSize = srv.Authenticate, srv.App(), maxSize
		},
	})
	return &reportEnv{http: l.http, runner: l.runner, tokens: l.tokens}, blobs
}

type evidenceAnswer struct {
	SHA256, Name, MediaType, URL string
	Size                         int64
	Created                      bool
	Error                        struct{ Code, MessageZH string }
}

func (e *reportEnv) upload(t *testing.T, role, name string, file []byte) (int, evidenceAnswer) {
	t.Helper()
	body, ct := multipartFile(t, name, file)
	resp, b := e.do(t, role, "POST", "/evidence", body, map[string]string{"Content-Type": ct})
	var a evidenceAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("POST /evidence answered %d %s", resp.StatusCode, b)
	}
	return resp.StatusCode, a
}

// gql posts a GraphQL request as role and returns its data, failing on errors.
func (e *reportEnv) gql(t *testing.T, role, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, b := e.do(t, role, "POST", "/graphql", body, map[string]string{"Content-Type": "application/json"})
	var out struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out.Errors) > 0 || resp.StatusCode != 200 || strings.Contains(string(b), `"userErrors":[{`) {
		t.Fatalf("graphql %d: %s", resp.StatusCode, b)
	}
	return out.Data
}

// A county uploads a file, reports with it through GraphQL, sees it on
// its obligation and downloads it under its Chinese name; another county
// may not; an inspector may.
func TestEvidenceRoundTrip(t *testing.T) {
	e, _ := newEvidenceEnv(t, 0)
	pdf := evidencetest.PDF("宁城县 2025 年 6 月进展")
	status, up := e.upload(t, "county", "现场照片.png", pdf)
	if status != http.StatusCreated || up.MediaType != "application/pdf" || up.Name != "现场照片.png" || up.URL != "/evidence/"+up.SHA256 {
		t.Fatalf("upload: %d %+v", status, up)
	}
	if status, again := e.upload(t, "county", "现场照片.png", pdf); status != http.StatusOK || again.SHA256 != up.SHA256 || again.Created {
		t.Fatalf("the same file again: %d %+v; want 200 and the same handle", status, again)
	}
	ob := e.runner.Views().Obligations.Views(projections.Filter{Unit: "county.ningcheng"}, time.Now(), 7)[0]
	data := e.gql(t, "county", `mutation($o: ObligationInput!, $a: [EvidenceInput!]) {
		reportProgress(input: {obligation: $o, percent: 30, idempotencyKey: "ev-1", attachments: $a, wait: true}) { userErrors { code field message messageEn } position } }`,
		map[string]any{"o": map[string]any{"task": ob.Task, "role": string(ob.Role)}, "a": []map[string]any{{"sha256": up.SHA256, "name": "施工现场.pdf"}}})
	if data["reportProgress"] == nil {
		t.Fatalf("reportProgress: %v", data)
	}
	got := e.gql(t, "county", `query($u: ID) { obligations(unit: $u, first: 100) { nodes { id lastReport { evidence { name sha256 url mediaType size attachedTo } } evidence { name attachedTo } } } }`,
		map[string]any{"u": "county.ningcheng"})
	b, _ := json.Marshal(got)
	want := fmt.Sprintf(`"evidence":[{"attachedTo":"REPORT","mediaType":"application/pdf","name":"施工现场.pdf","sha256":"%s","size":%d,"url":"/evidence/%s"}]`, up.SHA256, len(pdf), up.SHA256)
	if !strings.Contains(string(b), want) || !strings.Contains(string(b), `"evidence":[{"attachedTo":"REPORT","name":"施工现场.pdf"}]`) {
		t.Fatalf("the obligation does not show its evidence:\n%s\nwant %s", b, want)
	}

	for _, role := range []string{"county", "inspector", "committee"} {
		resp, body := e.do(t, role, "GET", up.URL, nil, nil)
		if resp.StatusCode != 200 || string(body) != string(pdf) {
			t.Fatalf("%s download: %d %q", role, resp.StatusCode, body)
		}
		h := resp.Header
		if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Content-Disposition"), "filename*=UTF-8''"+url.PathEscape("施工现场.pdf")) {
			t.Fatalf("%s download headers: %v", role, h)
		}
	}
	if resp, body := e.do(t, "hongshan", "GET", up.URL, nil, nil); resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "FORBIDDEN") {
		t.Fatalf("another county's download: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.do(t, "", "GET", up.URL, nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a download without a token: %d", resp.StatusCode)
	}
}

func TestEvidenceUploadRefusals(t *testing.T) {
	e, blobs := newEvidenceEnv(t, 1024)
	ctx := context.Background()
	cases := []struct {
		name, role, file string
		data             []byte
		status           int
		code             string
	}{
		{"a program named .pdf", "county", "验收报告.pdf", evidencetest.Exe(), http.StatusBadRequest, "INVALID_ARGUMENT"},
		{"over the limit", "county", "大.pdf", evidencetest.PDF(strings.Repeat("x", 2048)), http.StatusBadRequest, "INVALID_ARGUMENT"},
		{"no token", "", "a.pdf", evidencetest.PDF("a"), http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"an inspector", "inspector", "a.pdf", evidencetest.PDF("b"), http.StatusForbidden, "FORBIDDEN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, a := e.upload(t, c.role, c.file, c.data)
			if status != c.status || a.Error.Code != c.code || a.Error.MessageZH == "" {
				t.Fatalf("%d %+v; want %d %s with a Chinese message", status, a, c.status, c.code)
			}
			if ok, _ := blobs.Has(ctx, evidence.Sum(c.data)); ok {
				t.Fatal("a refused file was stored")
			}
		})
	}
	// A raw body names its file with ?name=.
	resp, b := e.do(t, "county", "POST", "/evidence?name="+url.QueryEscape("说明.txt"), []byte("整改说明"), map[string]string{"Content-Type": "application/octet-stream"})
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(b), `"name":"说明.txt"`) || !strings.Contains(string(b), `"mediaType":"text/plain"`) {
		t.Fatalf("raw upload: %d %s", resp.StatusCode, b)
	}
}

// A client of the GraphQL multipart request spec sends the file with the
// mutation: it fills the EvidenceInput variable it is mapped to.
func TestEvidenceThroughTheGraphQLMultipartRequestSpec(t *testing.T) {
	e, blobs := newEvidenceEnv(t, 0)
	ob := e.runner.Views().Obligations.Views(projections.Filter{Unit: "county.ningcheng"}, time.Now(), 7)[0]
	ops, _ := json.Marshal(map[string]any{
		"query": `mutation($o: ObligationInput!, $files: [EvidenceInput!]) {
			claimCompletion(input: {obligation: $o, attachments: $files, idempotencyKey: "mp-1", wait: true}) { userErrors { code field message messageEn } position } }`,
		"variables": map[string]any{"o": map[string]any{"task": ob.Task, "role": string(ob.Role)}, "files": []any{nil}},
	})
	send := func(role string, file []byte) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("operations", string(ops))
		mw.WriteField("map", `{"0": ["variables.files.0"]}`)
		fw, _ := mw.CreateFormFile("0", "整改报告.docx")
		fw.Write(file)
		mw.Close()
		resp, b := e.do(t, role, "POST", "/graphql", buf.Bytes(), map[string]string{"Content-Type": mw.FormDataContentType()})
		return resp.StatusCode, string(b)
	}
	if status, body := send("county", evidencetest.Exe()); status != http.StatusBadRequest || !strings.Contains(body, "INVALID_ARGUMENT") {
		t.Fatalf("a program through the multipart spec: %d %s", status, body)
	}
	if status, body := send("inspector", evidencetest.Docx()); status != http.StatusForbidden || !strings.Contains(body, "FORBIDDEN") {
		t.Fatalf("an inspector's upload through the multipart spec: %d %s", status, body)
	}
	docx := evidencetest.Docx()
	if ok, _ := blobs.Has(context.Background(), evidence.Sum(docx)); ok {
		t.Fatal("a refused upload was stored")
	}
	if status, body := send("county", docx); status != 200 || !strings.Contains(body, `"position"`) {
		t.Fatalf("claim with a file through the multipart spec: %d %s", status, body)
	}
	got := e.gql(t, "county", `query($u: ID) { obligations(unit: $u, first: 100) { nodes { evidence { name attachedTo sha256 mediaType } } } }`, map[string]any{"u": "county.ningcheng"})
	b, _ := json.Marshal(got)
	if want := fmt.Sprintf(`{"attachedTo":"CLAIM","mediaType":"application/vnd.openxmlformats-officedocument.wordprocessingml.document","name":"整改报告.docx","sha256":"%s"}`, evidence.Sum(docx)); !strings.Contains(string(b), want) {
		t.Fatalf("the claim's evidence: %s\nwant %s", b, want)
	}
}

// A malformed multipart request is refused before its operation runs, in
// the reader's language (Chinese unless the request asks for English),
// with the catalogue code of what is wrong.
func TestMultipartRefusalsAreWordedForTheReader(t *testing.T) {
	e, _ := newEvidenceEnv(t, 0)
	ops := `{"query": "mutation($f: [EvidenceInput!]) { __typename }", "variables": {"files": [null]}}`
	cases := []struct {
		name, role, token, mapField string
		status                      int
		code, messageCode           string
	}{
		{"map is not an object", "county", "", `["0"]`, http.StatusBadRequest, "INVALID_ARGUMENT", "api.upload_map"},
		{"a mapped file is missing", "county", "", `{"0": ["variables.files.0"], "1": ["variables.files.1"]}`, http.StatusBadRequest, "INVALID_ARGUMENT", "api.upload_missing"},
		{"a path that is not a null", "county", "", `{"0": ["query"]}`, http.StatusBadRequest, "INVALID_ARGUMENT", "api.upload_path"},
		{"a wrong token", "", "tl_not-a-token", `{"0": ["variables.files.0"]}`, http.StatusUnauthorized, "UNAUTHENTICATED", "api.token_invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("operations", ops)
			mw.WriteField("map", c.mapField)
			fw, _ := mw.CreateFormFile("0", "整改报告.docx")
			fw.Write(evidencetest.Docx())
			mw.Close()
			for _, lang := range []string{"", "en"} {
				headers := map[string]string{"Content-Type": mw.FormDataContentType()}
				if lang != "" {
					headers["Accept-Language"] = lang
				}
				if c.token != "" {
					headers["Authorization"] = "Bearer " + c.token
				}
				resp, b := e.do(t, c.role, "POST", "/graphql", buf.Bytes(), headers)
				var got struct {
					Errors []struct {
						Message    string
						Extensions struct{ Code, MessageCode, MessageZH string }
					}
				}
				if err := json.Unmarshal(b, &got); err != nil || len(got.Errors) != 1 {
					t.Fatalf("%d %s: %v", resp.StatusCode, b, err)
				}
				g := got.Errors[0]
				chinese := strings.ContainsFunc(g.Message, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff })
				if resp.StatusCode != c.status || g.Extensions.Code != c.code || g.Extensions.MessageCode != c.messageCode ||
					g.Extensions.MessageZH == "" || chinese != (lang == "") {
					t.Fatalf("Accept-Language %q: %d %s; want %d %s %s, Chinese %v", lang, resp.StatusCode, b, c.status, c.code, c.messageCode, lang == "")
				}
			}
		})
	}
}
