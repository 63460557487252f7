package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"taskledger/auth"
	"taskledger/domain"
	"taskledger/internal/msg"
)

// Login lockout: LockoutMax failed logins within LockoutWindow lock an
// account (or a login name that names none) until the window passes.
const (
	LockoutMax    = 5
	LockoutWindow = 15 * time.Minute
)

// AccountInput asks for a new personal account.
type AccountInput struct {
	// Login is the name the person logs in with: letters, digits, '.',
	// '_' and '-', 3 to 64 characters, unique regardless of case.
	Login string
	// Name is the display name events record (e.g. 王芳).
	Name string
	// Unit is the unit a reporter or leader acts for: an id, name or alias
	// of a registered unit. Other roles take none.
	Unit string
	// Roles are reporter and/or leader (with Unit), or exactly one of
	// inspector, committee, admin.
	Roles []string
	// Password is the first password; empty means one is generated and
	// returned. The person is asked to change it either way.
	Password string
}

// AccountView is an account as the doors show it: never the hash.
type AccountView struct {
	ID, Login, Name string
	Unit            domain.UnitID
	Roles           []auth.AccountRole
	Disabled        bool
	MustChange      bool
	CreatedAt       time.Time
}

func viewAccount(a auth.Account) AccountView {
	return AccountView{ID: a.ID, Login: a.Login, Name: a.Name, Unit: a.Unit, Roles: a.Roles,
		Disabled: a.Disabled(), MustChange: a.MustChange, CreatedAt: a.CreatedAt}
}

// CreateAccount makes a personal account. It returns the account and its
// first password (the one given, or a generated one shown only now).
func (s *Service) CreateAccount(ctx context.Context, p auth.Principal, in AccountInput) (AccountView, string, error) {
	if err := cleanFields(nameText("name", "姓名", &in.Name), nameText("login", "登录名", &in.Login)); err != nil {
		return AccountView{}, "", err
	}
	if err := s.accountDesk(ctx, p); err != nil {
		return AccountView{}, "", err
	}
	n, err := s.newAccount(in)
	if err != nil {
		return AccountView{}, "", err
	}
	acc, err := s.accounts.Create(n)
	if errors.Is(err, auth.ErrAccountExists) {
		return AccountView{}, "", fail(msg.AccountLoginTaken, msg.Args{"Login": n.Login}).at("login")
	}
	if err != nil {
		return AccountView{}, "", fmt.Errorf("create account: %w", err)
	}
	s.logger.Info("account created", "account", acc.ID, "by", p.Actor())
	return viewAccount(acc), n.Password, nil
}

// newAccount validates an account input into what the store records.
func (s *Service) newAccount(in AccountInput) (auth.NewAccount, error) {
	n := auth.NewAccount{Login: in.Login, Name: in.Name, Password: in.Password, MustChange: true}
	if err := checkLogin(in.Login); err != nil {
		return n, err
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > auth.MaxNameLen || strings.Contains(in.Name, "#") {
		return n, fail(msg.AccountNameInvalid, msg.Args{"Max": auth.MaxNameLen}).at("name")
	}
	roles, err := parseAccountRoles(in.Roles)
	if err != nil {
		return n, err
	}
	n.Roles = roles
	if n.Unit, n.UnitRole, err = s.accountUnit(roles, in.Unit); err != nil {
		return n, err
	}
	if n.Password == "" {
		if n.Password, err = generatePassword(); err != nil {
			return n, err
		}
	}
	return n, inField(checkPassword(n.Password, in.Login), "password")
}

// checkLogin checks a login name's form.
func checkLogin(login string) error {
	ok := len(login) >= 3 && len(login) <= 64
	for _, r := range login {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			ok = false
		}
	}
	if !ok {
		return fail(msg.AccountLoginInvalid, msg.Args{"Login": login}).at("login")
	}
	return nil
}

// parseAccountRoles parses the roles and checks that they map onto one
// principal role: reporter and leader together, or one other role alone.
func parseAccountRoles(in []string) ([]auth.AccountRole, error) {
	var out []auth.AccountRole
	unitRoles := 0
	for _, r := range in {
		role := auth.AccountRole(strings.ToLower(strings.TrimSpace(r)))
		known := false
		for _, k := range auth.AccountRoles() {
			known = known || k == role
		}
		if !known {
			return nil, fail(msg.AccountRoleUnknown, msg.Args{"Role": r}).at("roles")
		}
		if role == auth.Reporter || role == auth.Leader {
			unitRoles++
		}
		if !hasRole(out, role) {
			out = append(out, role)
		}
	}
	if len(out) == 0 || unitRoles != len(out) && len(out) > 1 {
		return nil, fail(msg.AccountRolesInvalid, nil).at("roles")
	}
	return out, nil
}

func hasRole(rs []auth.AccountRole, r auth.AccountRole) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// accountUnit resolves a unit account's unit and its principal role
// (county for a county government, bureau for any other unit).
func (s *Service) accountUnit(roles []auth.AccountRole, ref string) (domain.UnitID, auth.Role, error) {
	unitBound := hasRole(roles, auth.Reporter) || hasRole(roles, auth.Leader)
	switch {
	case !unitBound && ref != "":
		return "", "", fail(msg.AccountUnitNotAllowed, nil).at("unit")
	case !unitBound:
		return "", "", nil
	case ref == "":
		return "", "", fail(msg.AccountUnitRequired, nil).at("unit")
	}
	u, err := s.current().Catalog.ResolveUnit(ref)
	if err != nil {
		return "", "", fail(msg.UnitNotInLedger, msg.Args{"Unit": ref}).at("unit")
	}
	if u.Kind == domain.KindCounty {
		return u.ID, auth.County, nil
	}
	return u.ID, auth.Bureau, nil
}

// checkPassword checks a new password's length and that it is not the
// login name.
func checkPassword(password, login string) error {
	n := utf8.RuneCountInString(password)
	if n < auth.MinPasswordLen || len(password) > auth.MaxPasswordLen || strings.EqualFold(password, login) {
		return fail(msg.AccountPasswordWeak, msg.Args{"Min": auth.MinPasswordLen, "Max": auth.MaxPasswordLen})
	}
	return nil
}

// generatePassword returns 16 random characters (96 bits).
func generatePassword() (string, error) {
	var b [12]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// accountDesk authorizes account administration and checks the ledger
// keeps accounts.
func (s *Service) accountDesk(ctx context.Context, p auth.Principal) error {
	if err := s.authorize(ctx, p, ManageAccounts); err != nil {
		return err
	}
	if s.accounts == nil {
		return fail(msg.AccountNoneKept, nil)
	}
	return nil
}

// ListAccounts returns the accounts in order of login name.
func (s *Service) ListAccounts(ctx context.Context, p auth.Principal) ([]AccountView, error) {
	if err := s.accountDesk(ctx, p); err != nil {
		return nil, err
	}
	all, err := s.accounts.List()
	if err != nil {
		return nil, err
	}
	out := make([]AccountView, len(all))
	for i, a := range all {
		out[i] = viewAccount(a)
	}
	return out, nil
}

// DisableAccount disables the account with this login name and ends its
// sessions: it can no longer log in.
func (s *Service) DisableAccount(ctx context.Context, p auth.Principal, login string) (AccountView, error) {
	acc, err := s.administered(ctx, p, login)
	if err != nil {
		return AccountView{}, err
	}
	if acc, err = s.accounts.Disable(acc.ID); err != nil {
		return AccountView{}, fmt.Errorf("disable account: %w", err)
	}
	if s.sessions != nil {
		s.sessions.EndAccount(acc.ID)
	}
	s.logger.Info("account disabled", "account", acc.ID, "by", p.Actor())
	return viewAccount(acc), nil
}

// ResetPassword sets a new password on the account with this login name
// (password, or a generated one when empty), ends its sessions and clears
// its lockout; the person is asked to change it. It returns the password.
func (s *Service) ResetPassword(ctx context.Context, p auth.Principal, login, password string) (AccountView, string, error) {
	acc, err := s.administered(ctx, p, login)
	if err != nil {
		return AccountView{}, "", err
	}
	if password == "" {
		if password, err = generatePassword(); err != nil {
			return AccountView{}, "", err
		}
	}
	if err := checkPassword(password, acc.Login); err != nil {
		return AccountView{}, "", err
	}
	if acc, err = s.accounts.SetPassword(acc.ID, password, true); err != nil {
		return AccountView{}, "", fmt.Errorf("reset password: %w", err)
	}
	s.endSessions(acc)
	s.logger.Info("password reset", "account", acc.ID, "by", p.Actor())
	return viewAccount(acc), password, nil
}

// administered authorizes account administration and finds the account.
func (s *Service) administered(ctx context.Context, p auth.Principal, login string) (auth.Account, error) {
	if err := s.accountDesk(ctx, p); err != nil {
		return auth.Account{}, err
	}
	acc, err := s.accounts.ByLogin(login)
	if errors.Is(err, auth.ErrNoSuchAccount) {
		return acc, fail(msg.AccountNotFound, msg.Args{"Login": login})
	}
	return acc, err
}

func (s *Service) endSessions(acc auth.Account) {
	if s.sessions != nil {
		s.sessions.EndAccount(acc.ID)
	}
	s.lockout.Clear(lockoutKey(acc.Login))
}

// ChangePasswordInput is a person changing their own password.
type ChangePasswordInput struct {
	Old, New string
}

// ChangePassword changes the logged-in person's own password; the old one
// is required. Their other sessions end.
func (s *Service) ChangePassword(ctx context.Context, p auth.Principal, in ChangePasswordInput) error {
	if p.Person.ID == "" || s.accounts == nil {
		return fail(msg.AccountPasswordByPerson, nil)
	}
	acc, err := s.accounts.ByID(p.Person.ID)
	if err != nil {
		return fail(msg.AccountGone, nil)
	}
	if ok, err := auth.CheckPassword(acc.PasswordHash, in.Old); err != nil || !ok {
		return fail(msg.AccountPasswordWrong, nil).at("old")
	}
	if err := checkPassword(in.New, acc.Login); err != nil {
		return inField(err, "new")
	}
	if in.New == in.Old {
		return fail(msg.AccountPasswordSame, nil).at("new")
	}
	if _, err := s.accounts.SetPassword(acc.ID, in.New, false); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	s.logger.Info("password changed", "account", acc.ID)
	return nil
}

// LoginInput is a login with a password.
type LoginInput struct {
	Login, Password string
}

// LoginResult is an open session and who it acts as.
type LoginResult struct {
	Session   auth.Session
	Principal auth.Principal
	// MustChange asks the person to choose a new password.
	MustChange bool
}

// Login checks a login name and password and opens a session. Wrong
// names and passwords get the same answer; LockoutMax failures within
// LockoutWindow lock the name until the window passes, whatever password
// is then given (LOCKED_OUT).
func (s *Service) Login(ctx context.Context, in LoginInput) (LoginResult, error) {
	if s.accounts == nil || s.sessions == nil {
		return LoginResult{}, fail(msg.AuthNoAccountsUseToken, nil)
	}
	key := lockoutKey(in.Login)
	if until, locked := s.lockout.LockedUntil(key); locked {
		return LoginResult{}, errLockedOut(until)
	}
	acc, ok := s.verify(in)
	if !ok {
		s.lockout.Fail(key)
		s.logger.Warn("login failed", "login", in.Login)
		return LoginResult{}, fail(msg.AuthLoginFailed, nil)
	}
	return s.open(acc)
}

// verify checks the password of an enabled account in constant time; an
// unknown name still costs a hash, so timing does not tell names apart.
func (s *Service) verify(in LoginInput) (auth.Account, bool) {
	acc, err := s.accounts.ByLogin(in.Login)
	if err != nil || len(in.Password) > auth.MaxPasswordLen {
		_, _ = auth.CheckPassword(dummyHash, in.Password)
		return acc, false
	}
	ok, err := auth.CheckPassword(acc.PasswordHash, in.Password)
	return acc, err == nil && ok && !acc.Disabled()
}

// dummyHash is checked for unknown names: the password "x" under the
// default parameters.
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$N8Yb7qL5yCqzq1o3mC8b8m2YxvJ5D2u0C3vX0kqg0lQ"

// open starts a session for a verified account.
func (s *Service) open(acc auth.Account) (LoginResult, error) {
	ses, err := s.sessions.Start(acc.ID)
	if err != nil {
		return LoginResult{}, err
	}
	s.lockout.Clear(lockoutKey(acc.Login))
	s.logger.Info("login", "account", acc.ID)
	return LoginResult{Session: ses, Principal: acc.Principal(), MustChange: acc.MustChange}, nil
}

func lockoutKey(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

func errLockedOut(until time.Time) *Error {
	at := until.In(domain.Shanghai()).Format("15:04")
	return fail(msg.AuthLockedOut, msg.Args{"Until": at})
}

// SessionCheck is a request made with a session cookie.
type SessionCheck struct {
	// ID is the session cookie's value.
	ID string
	// CSRF is the anti-forgery token the request carried (header
	// X-CSRF-Token); required when Unsafe.
	CSRF string
	// Unsafe marks a request that may change something (any POST).
	Unsafe bool
}

// Session returns who a session acts as. The account must still be
// enabled; an unsafe request must carry the session's CSRF token, or it
// is refused (FORBIDDEN) before anything runs.
func (s *Service) Session(ctx context.Context, in SessionCheck) (auth.Principal, auth.Session, error) {
	if s.sessions == nil || s.accounts == nil || in.ID == "" {
		return auth.Principal{}, auth.Session{}, errNoSession()
	}
	ses, err := s.sessions.Get(in.ID)
	if err != nil {
		return auth.Principal{}, auth.Session{}, errNoSession()
	}
	acc, err := s.accounts.ByID(ses.AccountID)
	if err != nil || acc.Disabled() {
		s.sessions.End(in.ID)
		return auth.Principal{}, auth.Session{}, errNoSession()
	}
	if in.Unsafe && !ses.CheckCSRF(in.CSRF) {
		return auth.Principal{}, auth.Session{}, fail(msg.AuthCSRFMissing, nil)
	}
	return acc.Principal(), ses, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, sessionID string) {
	if s.sessions != nil {
		s.sessions.End(sessionID)
	}
}

func errNoSession() *Error {
	return fail(msg.AuthSessionExpired, nil)
}

// UnitNames maps each registered unit's id to its name, for doors that
// show accounts to people (who read names, not ids).
func (s *Service) UnitNames() map[domain.UnitID]string {
	out := map[domain.UnitID]string{}
	for _, u := range s.current().Catalog.Units() {
		out[u.ID] = u.Name
	}
	return out
}

// ExternalLoginInput is a person another system authenticated (an OIDC
// identity provider): Login is the local login name it vouches for.
type ExternalLoginInput struct {
	Login string
	// Via names the system, for the log.
	Via string
}

// LoginExternal opens a session for the enabled account whose login name
// an identity provider vouched for. The provider, not a password, proved
// who the person is; an unknown or disabled account is refused
// (UNAUTHENTICATED), so an administrator still decides who has an
// account and what it may do.
func (s *Service) LoginExternal(ctx context.Context, in ExternalLoginInput) (LoginResult, error) {
	if s.accounts == nil || s.sessions == nil {
		return LoginResult{}, fail(msg.AuthNoAccounts, nil)
	}
	acc, err := s.accounts.ByLogin(in.Login)
	if err != nil || acc.Disabled() {
		s.logger.Warn("external login refused", "login", in.Login, "via", in.Via)
		return LoginResult{}, fail(msg.AuthSSONoAccount, msg.Args{"Login": in.Login})
	}
	res, err := s.open(acc)
	res.MustChange = false // no password was used
	return res, err
}
