package dashboard

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/bulletin"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
)

// bulletinServer serves the small plan with one bulletin issued (2025年第1期,
// June 2025). Tokens: "Bearer co" (coordinator), "Bearer cn" (county.a);
// anything else is refused.
func bulletinServer(t *testing.T) *httptest.Server {
	t.Helper()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	b := ledgertest.New(t, store, ledgertest.Shanghai(2025, time.March, 1, 9))
	b.SmallPlan()
	reg := domain.DefaultRegistry()
	runner := projections.NewRunner(store, reg, projections.NewViews(projections.Config{}), projections.RunnerConfig{})
	now := ledgertest.Shanghai(2025, time.July, 2, 9)
	svc, err := app.New(app.Config{Store: store, Registry: reg, Views: app.PulledViews{Runner: runner}, Clock: app.ClockFunc(func() time.Time { return now }),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runner.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.IssueBulletin(context.Background(), auth.Principal{TokenID: "co", Role: auth.Coordinator}, app.BulletinInput{Period: "2025-06", IdempotencyKey: "b"}); err != nil {
		t.Fatal(err)
	}
	principals := map[string]auth.Principal{
		"Bearer co": {TokenID: "co", Role: auth.Coordinator},
		"Bearer cn": {TokenID: "cn", Role: auth.County, Unit: "county.a"},
	}
	h := Handler(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Bulletins: svc, Authenticate: func(header string) (auth.Principal, error) {
		if p, ok := principals[header]; ok {
			return p, nil
		}
		if header == "" {
			return auth.Anonymous(), nil
		}
		return auth.Principal{}, auth.ErrInvalidToken
	}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func getWith(t *testing.T, url, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestBulletinDownloads(t *testing.T) {
	srv := bulletinServer(t)
	resp := getWith(t, srv.URL+"/bulletin/p/2025-1.pdf", "cn")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("PDF: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("通报-2025年第1期-2025年6月.pdf")) {
		t.Fatalf("Content-Disposition %q", cd)
	}
	again := getWith(t, srv.URL+"/bulletin/p/2025-1.pdf", "co")
	body2, _ := io.ReadAll(again.Body)
	if !bytes.Equal(body, body2) || bulletin.Digest(body) != bulletin.Digest(body2) {
		t.Fatal("two downloads of the same bulletin differ")
	}
	page := getWith(t, srv.URL+"/bulletin/p/2025-1.html", "cn")
	html, _ := io.ReadAll(page.Body)
	if page.StatusCode != http.StatusOK || !strings.Contains(string(html), "测试方案落实情况通报") || !strings.Contains(string(html), "2025年第1期") {
		t.Fatalf("print page: %d %s", page.StatusCode, html)
	}
	for _, c := range []struct {
		path, token string
		status      int
	}{
		{"/bulletin/p/2025-1.pdf", "", http.StatusUnauthorized},
		{"/bulletin/p/2025-1.pdf", "wrong", http.StatusUnauthorized},
		{"/bulletin/p/2025-2.pdf", "co", http.StatusNotFound},
		{"/bulletin/p/2025-1.exe", "co", http.StatusNotFound},
	} {
		if r := getWith(t, srv.URL+c.path, c.token); r.StatusCode != c.status {
			t.Errorf("%s with %q: %d, want %d", c.path, c.token, r.StatusCode, c.status)
		}
	}
	if r := getWith(t, srv.URL+"/bulletin/p/2025-1.pdf?token=co", "co"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a token in the URL: %d", r.StatusCode)
	}
}
