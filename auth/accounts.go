package auth

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"taskledger/domain"
)

// AccountsFileName is the name of the account file inside a store's state
// directory, beside tokens.json.
const AccountsFileName = "accounts.json"

// AccountRole is what a person's account lets them do. Each maps onto a
// principal Role (see Account.Principal).
type AccountRole string

// The account roles.
const (
	// Reporter reports progress, requests extensions and claims completion
	// for the account's unit (a bureau or county principal).
	Reporter AccountRole = "reporter"
	// Leader is the unit's leader who signs off its reports: a bureau or
	// county principal with Principal.Leader set.
	Leader AccountRole = "leader"
	// InspectorAccount is an inspector (督查).
	InspectorAccount AccountRole = "inspector"
	// CommitteeAccount is a member of the assessment committee.
	CommitteeAccount AccountRole = "committee"
	// Admin is the plan office's administrator: a coordinator principal.
	Admin AccountRole = "admin"
)

// AccountRoles lists the account roles in a fixed order.
func AccountRoles() []AccountRole {
	return []AccountRole{Reporter, Leader, InspectorAccount, CommitteeAccount, Admin}
}

// ErrNoSuchAccount is returned for a login name or id not on record.
var ErrNoSuchAccount = errors.New("no account with that name")

// ErrAccountExists is returned by Create for a login name already taken.
var ErrAccountExists = errors.New("an account with that login name exists")

// Account is what the ledger keeps of a person's account: never the
// password, only its argon2id hash.
type Account struct {
	ID    string        `json:"id"`
	Login string        `json:"login"`
	Name  string        `json:"name"`
	Unit  domain.UnitID `json:"unit,omitempty"`
	// UnitRole is the principal role of a unit account: bureau or county,
	// by the kind of its unit when it was made.
	UnitRole  Role          `json:"unit_role,omitempty"`
	Roles     []AccountRole `json:"roles"`
	CreatedAt time.Time     `json:"created_at"`
	// DisabledAt is when an administrator disabled the account; zero while
	// it is enabled.
	DisabledAt time.Time `json:"disabled_at,omitzero"`
	// PasswordHash is the argon2id PHC string of the password.
	PasswordHash string `json:"password_hash"`
	// PasswordSetAt is when the password was last set.
	PasswordSetAt time.Time `json:"password_set_at"`
	// MustChange is set when an administrator set the password: the
	// person should choose their own.
	MustChange bool `json:"must_change,omitempty"`
}

// Has reports whether the account holds the role.
func (a Account) Has(r AccountRole) bool {
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Disabled reports whether the account is disabled.
func (a Account) Disabled() bool { return !a.DisabledAt.IsZero() }

// Principal returns the principal a logged-in account acts as: reporters
// and leaders act for their unit as bureau or county (leaders with Leader
// set), inspectors as Inspector, committee members as Committee, office
// administrators as Coordinator.
func (a Account) Principal() Principal {
	p := Principal{Name: a.Name, Person: Person{ID: a.ID, Name: a.Name}}
	switch {
	case a.Has(Admin):
		p.Role = Coordinator
	case a.Has(InspectorAccount):
		p.Role = Inspector
	case a.Has(CommitteeAccount):
		p.Role = Committee
	default:
		p.Role, p.Unit, p.Leader = a.UnitRole, a.Unit, a.Has(Leader)
	}
	return p
}

type accountFile struct {
	Version  int       `json:"version"`
	Accounts []Account `json:"accounts"`
}

// Accounts is the set of people's accounts, kept in a file (mode 0600,
// replaced atomically under a lock, reread when it changes) or in memory.
// It is safe for concurrent use.
type Accounts struct {
	path   string
	random io.Reader
	now    func() time.Time
	params PasswordParams

	mu    sync.Mutex
	all   []Account
	stamp fileStamp
}

// OpenAccounts returns the accounts kept in dir/accounts.json (the file
// need not exist yet), hashing new passwords with DefaultPasswordParams.
func OpenAccounts(dir string, random io.Reader, now func() time.Time) (*Accounts, error) {
	a := &Accounts{path: filepath.Join(dir, AccountsFileName), random: random, now: now, params: DefaultPasswordParams()}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.reloadLocked(); err != nil {
		return nil, err
	}
	return a, nil
}

// InMemoryAccounts returns an empty account set that is never written.
func InMemoryAccounts(random io.Reader, now func() time.Time) *Accounts {
	return &Accounts{random: random, now: now, params: DefaultPasswordParams()}
}

// WithParams sets the hashing parameters of new passwords (tests use
// cheap ones) and returns a.
func (a *Accounts) WithParams(pp PasswordParams) *Accounts {
	a.params = pp
	return a
}

// Path returns the account file, or "" for an in-memory set.
func (a *Accounts) Path() string { return a.path }

// reloadLocked rereads the file when it changed; the caller holds mu.
func (a *Accounts) reloadLocked() error {
	if a.path == "" {
		return nil
	}
	info, err := os.Stat(a.path)
	if errors.Is(err, os.ErrNotExist) {
		a.all, a.stamp = nil, fileStamp{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	if a.stamp.info != nil && os.SameFile(info, a.stamp.info) && info.ModTime().Equal(a.stamp.mod) && info.Size() == a.stamp.size {
		return nil
	}
	b, err := os.ReadFile(a.path)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	var f accountFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("accounts: %s is not an account file: %w", a.path, err)
	}
	a.all, a.stamp = f.Accounts, fileStamp{mod: info.ModTime(), size: info.Size(), info: info}
	return nil
}

// List returns the accounts in order of login name.
func (a *Accounts) List() ([]Account, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.reloadLocked(); err != nil {
		return nil, err
	}
	out := append([]Account(nil), a.all...)
	sort.Slice(out, func(i, j int) bool { return out[i].Login < out[j].Login })
	return out, nil
}

// ByLogin returns the account with this login name (case-insensitive).
func (a *Accounts) ByLogin(login string) (Account, error) {
	return a.find(func(x Account) bool { return strings.EqualFold(x.Login, strings.TrimSpace(login)) })
}

// ByID returns the account with this id.
func (a *Accounts) ByID(id string) (Account, error) {
	return a.find(func(x Account) bool { return x.ID == id })
}

func (a *Accounts) find(match func(Account) bool) (Account, error) {
	all, err := a.List()
	if err != nil {
		return Account{}, err
	}
	for _, x := range all {
		if match(x) {
			return x, nil
		}
	}
	return Account{}, ErrNoSuchAccount
}

// NewAccount says what account to make. The caller (the application
// layer) has validated it.
type NewAccount struct {
	Login    string
	Name     string
	Unit     domain.UnitID
	UnitRole Role
	Roles    []AccountRole
	Password string
	// MustChange asks the person to choose their own password.
	MustChange bool
}

// Create records a new account with its password hashed.
func (a *Accounts) Create(n NewAccount) (Account, error) {
	hash, err := HashPassword(n.Password, a.params, a.random)
	if err != nil {
		return Account{}, err
	}
	var id [6]byte
	if _, err := io.ReadFull(a.random, id[:]); err != nil {
		return Account{}, fmt.Errorf("create account: %w", err)
	}
	now := a.now().UTC()
	acc := Account{ID: hex.EncodeToString(id[:]), Login: strings.TrimSpace(n.Login), Name: n.Name, Unit: n.Unit, UnitRole: n.UnitRole,
		Roles: n.Roles, CreatedAt: now, PasswordHash: hash, PasswordSetAt: now, MustChange: n.MustChange}
	err = a.update(func(all []Account) ([]Account, error) {
		for _, x := range all {
			if strings.EqualFold(x.Login, acc.Login) {
				return nil, fmt.Errorf("create account %q: %w", acc.Login, ErrAccountExists)
			}
		}
		return append(all, acc), nil
	})
	return acc, err
}

// SetPassword replaces the account's password; mustChange marks a password
// an administrator set.
func (a *Accounts) SetPassword(id, password string, mustChange bool) (Account, error) {
	hash, err := HashPassword(password, a.params, a.random)
	if err != nil {
		return Account{}, err
	}
	return a.change(id, func(x *Account) {
		x.PasswordHash, x.PasswordSetAt, x.MustChange = hash, a.now().UTC(), mustChange
	})
}

// Disable disables the account: it can no longer log in. Disabling a
// disabled account changes nothing.
func (a *Accounts) Disable(id string) (Account, error) {
	return a.change(id, func(x *Account) {
		if x.DisabledAt.IsZero() {
			x.DisabledAt = a.now().UTC()
		}
	})
}

// change applies edit to the account with this id.
func (a *Accounts) change(id string, edit func(*Account)) (Account, error) {
	var out Account
	err := a.update(func(all []Account) ([]Account, error) {
		for i := range all {
			if all[i].ID == id {
				edit(&all[i])
				out = all[i]
				return all, nil
			}
		}
		return nil, ErrNoSuchAccount
	})
	return out, err
}

// update replaces the accounts with what change makes of a copy of them,
// under the file lock for a file-backed set.
func (a *Accounts) update(change func([]Account) ([]Account, error)) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.path == "" {
		all, err := change(append([]Account(nil), a.all...))
		if err == nil {
			a.all = all
		}
		return err
	}
	unlock, err := lockFile(a.path + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	a.stamp = fileStamp{}
	if err := a.reloadLocked(); err != nil {
		return err
	}
	all, err := change(append([]Account(nil), a.all...))
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(accountFile{Version: 1, Accounts: all}, "", "  ")
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	if err := writeAtomic(a.path, append(b, '\n')); err != nil {
		return err
	}
	a.stamp = fileStamp{}
	return a.reloadLocked()
}
