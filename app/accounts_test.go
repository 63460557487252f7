package app_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/projections"
)

// cheap are hashing parameters fast enough for tests.
var cheap = auth.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}

// withAccounts returns an imported fixture whose service keeps accounts
// and sessions in memory on the fixture's clock.
func withAccounts(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, store: memory.New(), now: time.Date(2025, 3, 10, 9, 0, 0, 0, shanghai)}
	clock := func() time.Time { return f.now }
	reg := domain.DefaultRegistry()
	runner := projections.NewRunner(f.store, reg, projections.NewViews(projections.Config{}), projections.RunnerConfig{})
	f.views = app.PulledViews{Runner: runner}
	svc, err := app.New(app.Config{Store: f.store, Registry: reg, Views: f.views, Clock: app.ClockFunc(clock),
		Accounts: auth.InMemoryAccounts(rand.Reader, clock).WithParams(cheap), Sessions: auth.NewSessions(rand.Reader, clock, 0),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	t.Cleanup(func() { f.store.Close() })
	if _, err := f.svc.ImportPlan(context.Background(), operator, app.ImportInput{Text: chifengText(t), Plan: "chifeng-air"}); err != nil {
		t.Fatalf("import: %v", err)
	}
	f.sync()
	return f
}

const goodPassword = "correct horse battery"

func (f *fixture) account(login, unit string, roles ...string) app.AccountView {
	f.t.Helper()
	v, _, err := f.svc.CreateAccount(context.Background(), operator, app.AccountInput{Login: login, Name: "王芳", Unit: unit, Roles: roles, Password: goodPassword})
	if err != nil {
		f.t.Fatalf("create account %s: %v", login, err)
	}
	return v
}

func (f *fixture) login(login, password string) (app.LoginResult, error) {
	return f.svc.Login(context.Background(), app.LoginInput{Login: login, Password: password})
}

func TestAPersonsReportRecordsThePersonAndTheirUnit(t *testing.T) {
	f := withAccounts(t)
	acc := f.account("wangfang", "宁城县", "reporter", "leader")
	res, err := f.login("WangFang", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	p := res.Principal
	if p.Role != auth.County || p.Unit != "county.ningcheng" || !p.Leader || p.Person.ID != acc.ID || !res.MustChange {
		t.Fatalf("a reporter and leader of 宁城县 logged in as %+v (must change %v)", p, res.MustChange)
	}
	k := f.duty()
	rec, err := f.svc.ReportProgress(context.Background(), p, app.ReportInput{
		Obligation: app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}, Percent: 30, Note: "已部署", IdempotencyKey: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	want := "王芳@county.ningcheng#acct:" + acc.ID
	if got := rec.Events[0].Actor; got != want {
		t.Fatalf("the report's actor is %q, want %q", got, want)
	}
}

func TestAccountRolesMapOntoPrincipals(t *testing.T) {
	f := withAccounts(t)
	ctx := context.Background()
	cases := []struct {
		unit  string
		roles []string
		role  auth.Role
	}{
		{"生态环境局", []string{"reporter"}, auth.Bureau},
		{"", []string{"inspector"}, auth.Inspector},
		{"", []string{"committee"}, auth.Committee},
		{"", []string{"admin"}, auth.Coordinator},
	}
	for i, c := range cases {
		login := "user" + string(rune('a'+i))
		f.account(login, c.unit, c.roles...)
		res, err := f.login(login, goodPassword)
		if err != nil || res.Principal.Role != c.role || res.Principal.Leader {
			t.Fatalf("%v: logged in as %+v, %v; want role %s without leader", c.roles, res.Principal, err, c.role)
		}
	}
	bad := []app.AccountInput{
		{Login: "x1x", Name: "甲", Roles: []string{"reporter"}},                        // no unit
		{Login: "x2x", Name: "甲", Unit: "宁城县", Roles: []string{"inspector"}},          // unit on a non-unit role
		{Login: "x3x", Name: "甲", Roles: []string{"inspector", "admin"}},              // two principal roles
		{Login: "x4x", Name: "甲", Roles: []string{"mayor"}},                           // unknown role
		{Login: "x5x", Name: "甲", Roles: []string{"admin"}, Password: "short"},        // weak password
		{Login: "a b", Name: "甲", Roles: []string{"admin"}},                           // bad login
		{Login: "usera", Name: "甲", Roles: []string{"admin"}, Password: goodPassword}, // taken
	}
	for _, in := range bad {
		if _, _, err := f.svc.CreateAccount(ctx, operator, in); app.CodeOf(err) == "" {
			t.Fatalf("%+v was accepted (%v)", in, err)
		}
	}
	if _, _, err := f.svc.CreateAccount(ctx, ningcheng, app.AccountInput{Login: "zzz", Name: "甲", Roles: []string{"admin"}}); app.CodeOf(err) != app.Forbidden {
		t.Fatalf("a county token created an account: %v", err)
	}
}

func TestTheSixthWrongPasswordLocksEvenTheRightOneUntilTheWindowPasses(t *testing.T) {
	f := withAccounts(t)
	f.account("wangfang", "宁城县", "reporter")
	for i := 0; i < app.LockoutMax; i++ {
		if _, err := f.login("wangfang", "wrong password"); app.CodeOf(err) != app.Unauthenticated {
			t.Fatalf("wrong password %d: %v", i+1, err)
		}
		f.now = f.now.Add(time.Minute)
	}
	if _, err := f.login("wangfang", goodPassword); app.CodeOf(err) != app.LockedOut {
		t.Fatalf("after %d failures the right password got %v, want LOCKED_OUT", app.LockoutMax, err)
	}
	// The first failure was at +0; the lock ends when it is a window old.
	f.now = f.now.Add(app.LockoutWindow - time.Duration(app.LockoutMax)*time.Minute - time.Second)
	if _, err := f.login("wangfang", goodPassword); app.CodeOf(err) != app.LockedOut {
		t.Fatalf("a second before the window passed: %v, want LOCKED_OUT", err)
	}
	f.now = f.now.Add(time.Second)
	if _, err := f.login("wangfang", goodPassword); err != nil {
		t.Fatalf("after the window the right password was refused: %v", err)
	}
}

func TestSessionsRefuseUnsafeRequestsWithoutTheirCSRFToken(t *testing.T) {
	f := withAccounts(t)
	ctx := context.Background()
	f.account("wangfang", "宁城县", "reporter")
	res, err := f.login("wangfang", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Session.ID
	if _, _, err := f.svc.Session(ctx, app.SessionCheck{ID: id, Unsafe: true}); app.CodeOf(err) != app.Forbidden {
		t.Fatalf("a POST without the CSRF token: %v, want FORBIDDEN", err)
	}
	if _, _, err := f.svc.Session(ctx, app.SessionCheck{ID: id, Unsafe: true, CSRF: id}); app.CodeOf(err) != app.Forbidden {
		t.Fatalf("a POST with the session id as CSRF token: %v, want FORBIDDEN", err)
	}
	p, _, err := f.svc.Session(ctx, app.SessionCheck{ID: id, Unsafe: true, CSRF: res.Session.CSRF})
	if err != nil || p.Person.ID == "" {
		t.Fatalf("a POST with the token: %+v, %v", p, err)
	}
	f.now = f.now.Add(auth.DefaultSessionTTL)
	if _, _, err := f.svc.Session(ctx, app.SessionCheck{ID: id}); app.CodeOf(err) != app.Unauthenticated {
		t.Fatalf("an expired session: %v, want UNAUTHENTICATED", err)
	}
}

func TestAdministratorsDisableAndResetPeopleChangeTheirOwn(t *testing.T) {
	f := withAccounts(t)
	ctx := context.Background()
	f.account("wangfang", "宁城县", "reporter")
	res, err := f.login("wangfang", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	p := res.Principal
	if err := f.svc.ChangePassword(ctx, p, app.ChangePasswordInput{Old: "not the password", New: "a brand new secret"}); app.CodeOf(err) != app.InvalidArgument {
		t.Fatalf("a change with the wrong old password: %v", err)
	}
	if err := f.svc.ChangePassword(ctx, p, app.ChangePasswordInput{Old: goodPassword, New: "a brand new secret"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.login("wangfang", goodPassword); err == nil {
		t.Fatal("the old password still logs in")
	}
	_, pw, err := f.svc.ResetPassword(ctx, operator, "wangfang", "")
	if err != nil || len(pw) < auth.MinPasswordLen {
		t.Fatalf("reset: %q, %v", pw, err)
	}
	res, err = f.login("wangfang", pw)
	if err != nil || !res.MustChange {
		t.Fatalf("login with the reset password: %+v, %v", res, err)
	}
	if _, err := f.svc.DisableAccount(ctx, operator, "wangfang"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Session(ctx, app.SessionCheck{ID: res.Session.ID}); app.CodeOf(err) != app.Unauthenticated {
		t.Fatalf("a disabled account's session still works: %v", err)
	}
	if _, err := f.login("wangfang", pw); app.CodeOf(err) != app.Unauthenticated {
		t.Fatalf("a disabled account logged in: %v", err)
	}
	list, err := f.svc.ListAccounts(ctx, operator)
	if err != nil || len(list) != 1 || !list[0].Disabled {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if strings.Contains(list[0].Login, "$argon2id") {
		t.Fatal("the list shows a hash")
	}
}
