package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"taskledger/internal/msg"
)

// postLang is post with an Accept-Language header.
func (e *env) postLang(role, lang, query string, vars map[string]any) gqlResult {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", lang)
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	return e.do(req)
}

// TestRefusalsSpeakTheRequestsLanguage checks that an API refusal carries
// its catalogue code, a message in the language the request asks for
// (Chinese by default) and the Chinese text in messageZH.
func TestRefusalsSpeakTheRequestsLanguage(t *testing.T) {
	e := newEnv(t, envOptions{})
	// The office may not report progress: a refusal from the catalogue.
	q := `mutation { reportProgress(input: {obligation: {task: 1, unit: "county.a", role: IMPLEMENTING}, percent: 10, note: "x", idempotencyKey: "k1"}) { position } }`
	const zhText = "督查督办办公室角色无权报送进展"
	for _, c := range []struct{ lang, want string }{
		{"", zhText},
		{"zh-CN,zh;q=0.9", zhText},
		{"fr-FR,en;q=0.5", "the coordinator role may not report progress"},
		{"en-US,en;q=0.8", "the coordinator role may not report progress"},
	} {
		r := e.postLang("coordinator", c.lang, q, nil)
		if len(r.Errors) == 0 {
			t.Fatalf("%q: no error: %s", c.lang, r.Raw)
		}
		ext := r.Errors[0].Extensions
		if r.code() != "FORBIDDEN" || ext["messageCode"] != "auth.role_forbidden" {
			t.Errorf("%q: code %v, messageCode %v: %s", c.lang, r.code(), ext["messageCode"], r.Raw)
		}
		if r.Errors[0].Message != c.want {
			t.Errorf("%q: message %q does not say %q", c.lang, r.Errors[0].Message, c.want)
		}
		if zh, _ := ext["messageZH"].(string); zh != zhText {
			t.Errorf("%q: messageZH %q", c.lang, zh)
		}
	}
}

// A refusal of a mutation's input, answered in its payload's userErrors,
// carries its catalogue code and both texts whatever the request's language.
func TestUserErrorsCarryTheCatalogueCode(t *testing.T) {
	e := newEnv(t, envOptions{})
	q := `mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 10, note: "x", idempotencyKey: "k1", wait: true}) { position } }`
	e.ok("county", q, nil)
	again := `mutation { reportProgress(input: {obligation: {task: 1, role: IMPLEMENTING}, percent: 20, note: "y", idempotencyKey: "k1"}) { userErrors { code message messageEn messageCode } position } }`
	for _, lang := range []string{"", "en"} {
		r := e.postLang("county", lang, again, nil)
		ue := r.userErrors()
		if len(ue) != 1 {
			t.Fatalf("%q: a reused key with another request: %s", lang, r.Raw)
		}
		code, _ := path(ue[0], "messageCode").(string)
		zh, _ := path(ue[0], "message").(string)
		en, _ := path(ue[0], "messageEn").(string)
		if code == "" || !strings.ContainsFunc(zh, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) || en == "" || en == zh {
			t.Errorf("%q: messageCode %q, message %q, messageEn %q", lang, code, zh, en)
		}
	}
}

// The API's own argument checks speak the request's language too.
func TestArgumentChecksSpeakTheRequestsLanguage(t *testing.T) {
	e := newEnv(t, envOptions{})
	q := `{ airQuality(year: 1800) { unit } }`
	zh := e.postLang("coordinator", "", q, nil)
	en := e.postLang("coordinator", "en", q, nil)
	if len(zh.Errors) == 0 || len(en.Errors) == 0 {
		t.Fatalf("no errors: %s / %s", zh.Raw, en.Raw)
	}
	if zh.Errors[0].Message != "年份 1800 不在 1990–2100 之间" || en.Errors[0].Message != "year 1800 is outside 1990–2100" {
		t.Errorf("messages: %q / %q", zh.Errors[0].Message, en.Errors[0].Message)
	}
	for _, r := range []gqlResult{zh, en} {
		if r.code() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["messageCode"] != "api.year_range" || r.Errors[0].Extensions["messageZH"] != "年份 1800 不在 1990–2100 之间" {
			t.Errorf("extensions: %s", r.Raw)
		}
	}
}

// An internal failure reads the same whether the transport, a panic or a
// resolver reports it: the catalogue's message in the reader's language.
func TestInternalMessageIsTheCatalogues(t *testing.T) {
	for _, lang := range []msg.Lang{msg.ZH, msg.EN} {
		qe := panicHandler{}.MakePanicError(msg.WithLang(context.Background(), lang), "boom")
		if qe.Message != msg.Text(lang, msg.LedgerInternal, nil) || qe.Extensions["code"] != string(CodeInternal) || qe.Extensions["messageCode"] != string(msg.LedgerInternal) {
			t.Errorf("%s: a panic reads %q %v", lang, qe.Message, qe.Extensions)
		}
	}
	e, internal := classify(errors.New("disk on fire"), msg.ZH)
	if !internal || e.code != CodeInternal || e.msg != msg.Text(msg.ZH, msg.LedgerInternal, nil) || strings.Contains(e.msg, "disk") {
		t.Errorf("%+v", e)
	}
}
