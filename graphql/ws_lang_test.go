package graphql

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// A WebSocket's request errors speak the language of its upgrade
// request's Accept-Language, Chinese without one, with the catalogue code.
func TestWebSocketRefusalsInTheConnectionsLanguage(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, tc := range []struct {
		header http.Header
		prefix string
	}{
		{nil, "查询语句有语法错误："},
		{http.Header{"Accept-Language": {"en"}}, "invalid query: syntax error"},
	} {
		w, _, err := e.dialWS(t, tc.header)
		if err != nil {
			t.Fatal(err)
		}
		w.init(e.tokens["inspector"])
		w.send(map[string]any{"id": "s", "type": "subscribe", "payload": map[string]any{"query": `{ me { role }`}})
		m := w.expect("error")
		var errs []struct {
			Message    string
			Extensions map[string]any
		}
		if err := json.Unmarshal(m.Payload, &errs); err != nil || len(errs) != 1 {
			t.Fatalf("%v: %s %v", tc.header, m.Payload, err)
		}
		zh, _ := errs[0].Extensions["messageZH"].(string)
		if !strings.HasPrefix(errs[0].Message, tc.prefix) || errs[0].Extensions["messageCode"] != "api.query_syntax" ||
			errs[0].Extensions["kind"] != "syntax" || !strings.HasPrefix(zh, "查询语句有语法错误：") {
			t.Errorf("%v: %s", tc.header, m.Payload)
		}
	}
}
