package dashboard

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A refused login answers with the catalogue's code, the message in the
// request's language (Chinese by default) and the Chinese text.
func TestRefusalsCarryTheirCodeInTheRequestsLanguage(t *testing.T) {
	e := demoServer(t)
	const zh, en = "登录名或密码错误，或账号已停用", "wrong login name or password, or the account is disabled"
	for _, c := range []struct{ lang, want string }{{"", zh}, {"zh-CN", zh}, {"en-GB,en;q=0.9", en}} {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/session/login", strings.NewReader(`{"login":"nobody.here","password":"wrong-password"}`))
		req.Header.Set("Content-Type", "application/json")
		if c.lang != "" {
			req.Header.Set("Accept-Language", c.lang)
		}
		resp, err := e.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Error reportError }
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%q: %d %v", c.lang, resp.StatusCode, err)
		}
		got := out.Error
		if got.Code != "UNAUTHENTICATED" || got.MessageCode != "auth.login_failed" || got.Message != c.want || got.MessageZH != zh {
			t.Errorf("%q: %+v", c.lang, got)
		}
	}
}

// getLang is get with an Accept-Language header.
func (e *demoEnv) getLang(t *testing.T, role, path, lang string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
	req.Header.Set("Accept-Language", lang)
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// An export refused by the API says why in the request's language.
func TestExportRefusalsSpeakTheRequestsLanguage(t *testing.T) {
	e := demoServer(t)
	for lang, want := range map[string]string{"": "考核委员会角色无权查看审计记录", "en": "the committee role may not read audit trails"} {
		resp, body := e.getLang(t, "committee", "/export/audit.csv?task=10", lang)
		var out exportRefusal
		_ = json.Unmarshal(body, &out)
		if resp.StatusCode != http.StatusForbidden || out.Error.Message != want {
			t.Errorf("%q: %d %s, want %q", lang, resp.StatusCode, body, want)
		}
	}
}
