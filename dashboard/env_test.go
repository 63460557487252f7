package dashboard

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"taskledger/auth"
	"taskledger/command"
	"taskledger/demo"
	"taskledger/graphql"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
)

// demoEnv is the API and the dashboard over a memory store holding the
// Chifeng plan and the simulated 2025, with one token per role and the
// 2025 bureau scorecards published. Tests share one (building it takes a
// few seconds).
type demoEnv struct {
	http   *httptest.Server
	api    http.Handler      // the GraphQL server's handler behind http
	tokens map[string]string // coordinator, bureau, county, inspector, committee
	// passwords are the accounts' passwords by login name (accountSpecs).
	passwords map[string]string
	// accounts is the application layer's login, for handlers of a
	// test's own (OIDC).
	accounts Accounts
}

// accountSpecs are the personal accounts of the shared environment: a
// reporter of 宁城县, the leader of the ecology bureau (which leads most
// tasks), and an account for the lockout test alone.
var accountSpecs = []auth.NewAccount{
	{Login: "ningcheng.reporter", Name: "宁城填报员", Unit: "county.ningcheng", UnitRole: auth.County, Roles: []auth.AccountRole{auth.Reporter}},
	{Login: "eco.leader", Name: "生态局负责人", Unit: "bureau.ecology-environment", UnitRole: auth.Bureau, Roles: []auth.AccountRole{auth.Reporter, auth.Leader}},
	{Login: "lockout.victim", Name: "锁定测试", Unit: "county.ningcheng", UnitRole: auth.County, Roles: []auth.AccountRole{auth.Reporter}},
}

var (
	sharedOnce sync.Once
	shared     *demoEnv
	sharedErr  error
	sharedStop func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedStop != nil {
		sharedStop()
	}
	os.Exit(code)
}

// demoServer returns the shared demo environment.
func demoServer(t *testing.T) *demoEnv {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedStop, sharedErr = buildDemo() })
	if sharedErr != nil {
		t.Fatalf("demo ledger: %v", sharedErr)
	}
	return shared
}

func buildDemo() (*demoEnv, func(), error) {
	accounts := auth.InMemoryAccounts(rand.Reader, time.Now).WithParams(auth.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1})
	e := &demoEnv{passwords: map[string]string{}}
	for _, n := range accountSpecs {
		n.Password = "pw-" + n.Login
		if _, err := accounts.Create(n); err != nil {
			return nil, nil, err
		}
		e.passwords[n.Login] = n.Password
	}
	l, err := startLedger(ledgerSpec{
		tokens: map[string]auth.Spec{
			"coordinator": {Role: auth.Coordinator, Name: "测试计划办"},
			"bureau":      {Role: auth.Bureau, Unit: "bureau.ecology-environment"},
			"county":      {Role: auth.County, Unit: "county.ningcheng"},
			"inspector":   {Role: auth.Inspector, Name: "测试督查"},
			"committee":   {Role: auth.Committee, Name: "测试考核委员会"},
		},
		fill: func(ctx context.Context, h *command.Handler, views *projections.Views) error {
			_, err := demo.Generate(ctx, ledgertest.DirectLedger{H: h}, views, demo.Options{Seed: 1, Year: 2025, Plan: "chifeng-air"})
			return err
		},
		api: func(c *graphql.Config) {
			c.Mode, c.Accounts, c.Sessions = graphql.ModeDemo, accounts, auth.NewSessions(rand.Reader, time.Now, 0)
		},
		handler: func(c *Config, srv *graphql.Server) { c.Accounts = srv.App() },
	})
	if err != nil {
		return nil, nil, err
	}
	e.http, e.api, e.tokens, e.accounts = l.http, l.api.Handler(), l.tokens, l.api.App()
	stop := l.stop
	for _, q := range []string{
		`mutation { adoptScheme(input: {year: 2025, idempotencyKey: "test-adopt", wait: true}) { userErrors { code field message messageEn } position } }`,
		`mutation { publishScorecard(input: {year: 2025, kind: BUREAU, scheme: "default", schemeVersion: 3, idempotencyKey: "test-publish", wait: true}) { userErrors { code field message messageEn } position } }`,
	} {
		if _, err := e.gql("committee", q); err != nil {
			stop()
			return nil, nil, err
		}
	}
	return e, stop, nil
}

// gql runs one operation as the named role and returns the raw response.
func (e *demoEnv) gql(role, query string) (map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 {
		return out.Data, &apiErr{out.Errors[0].Message}
	}
	// A mutation's refusal of its input is in its payload's userErrors.
	for _, v := range out.Data {
		if m, ok := v.(map[string]any); ok {
			if ue, ok := m["userErrors"].([]any); ok && len(ue) > 0 {
				msg, _ := ue[0].(map[string]any)["messageEn"].(string)
				return out.Data, &apiErr{msg}
			}
		}
	}
	return out.Data, nil
}

type apiErr struct{ msg string }

func (e *apiErr) Error() string { return e.msg }

// get fetches a path as the named role ("" for none).
func (e *demoEnv) get(t *testing.T, role, path string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
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
