package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
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
	"syscall"
	"time"
	"unicode/utf8"

	"taskledger/domain"
)

// FileName is the name of the token file inside a store directory.
const FileName = "tokens.json"

// TokenPrefix starts every token, so that a leaked one is recognisable.
const TokenPrefix = "tl_"

// MaxNameLen bounds a token's name, in characters.
const MaxNameLen = 100

// ErrInvalidToken is returned by Lookup for a token that is not on record,
// and wrapped by ErrTokenExpired and ErrTokenRevoked: every one of them
// means the request is not authenticated.
var ErrInvalidToken = errors.New("invalid token")

// ErrTokenExpired is returned by Lookup for a token past its expiry.
var ErrTokenExpired = fmt.Errorf("%w: it has expired; ask for a new one (令牌已过期，请重新申请)", ErrInvalidToken)

// ErrTokenRevoked is returned by Lookup for a revoked token.
var ErrTokenRevoked = fmt.Errorf("%w: it was revoked (令牌已被撤销)", ErrInvalidToken)

// ErrNoSuchToken is returned by Revoke for an id that is not on record.
var ErrNoSuchToken = errors.New("no token with that id")

// DefaultTTL is how long a token is valid when its spec says nothing: one
// year. Tokens recorded before expiry existed expire one year after they
// were made.
const DefaultTTL = 365 * 24 * time.Hour

// MaxTTL bounds the validity a token can be given.
const MaxTTL = 5 * 365 * 24 * time.Hour

// Record is what the ledger keeps of a token: never the token itself.
type Record struct {
	ID        string        `json:"id"`
	Role      Role          `json:"role"`
	Unit      domain.UnitID `json:"unit,omitempty"`
	Name      string        `json:"name"`
	CreatedAt time.Time     `json:"created_at"`
	// ExpiresAt is when the token stops being valid; zero (a token made
	// before expiry existed) means CreatedAt plus DefaultTTL.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// RevokedAt is when the token was revoked; zero while it is not.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// SHA256 is the hex SHA-256 of the token.
	SHA256 string `json:"sha256"`
}

// Expiry returns when the token stops being valid.
func (r Record) Expiry() time.Time {
	if r.ExpiresAt.IsZero() {
		return r.CreatedAt.Add(DefaultTTL)
	}
	return r.ExpiresAt
}

// State says whether the token is valid at now: "valid", "expired" or
// "revoked".
func (r Record) State(now time.Time) string {
	switch {
	case !r.RevokedAt.IsZero():
		return "revoked"
	case !now.Before(r.Expiry()):
		return "expired"
	}
	return "valid"
}

// check returns nil for a record valid at now, else why it is not.
func (r Record) check(now time.Time) error {
	switch r.State(now) {
	case "revoked":
		return ErrTokenRevoked
	case "expired":
		return ErrTokenExpired
	}
	return nil
}

// Principal returns the principal the token names.
func (r Record) Principal() Principal {
	return Principal{TokenID: r.ID, Role: r.Role, Unit: r.Unit, Name: r.Name}
}

type fileFormat struct {
	Version int      `json:"version"`
	Tokens  []Record `json:"tokens"`
}

// Tokens is a set of token records, kept in a file or in memory. It is safe
// for concurrent use.
type Tokens struct {
	path   string // empty: memory only
	random io.Reader
	now    func() time.Time

	mu     sync.RWMutex
	byHash map[string]Record
	all    []Record
	stamp  fileStamp
}

type fileStamp struct {
	mod  time.Time
	size int64
	info os.FileInfo
}

// Open returns the tokens kept in dir/tokens.json (the file need not
// exist yet). random is the source of new tokens (crypto/rand.Reader in
// production) and now the clock that dates them.
func Open(dir string, random io.Reader, now func() time.Time) (*Tokens, error) {
	t := &Tokens{path: filepath.Join(dir, FileName), random: random, now: now, byHash: map[string]Record{}}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.reloadLocked(true); err != nil {
		return nil, err
	}
	return t, nil
}

// InMemory returns an empty token set that is never written anywhere, for
// throwaway ledgers and tests.
func InMemory(random io.Reader, now func() time.Time) *Tokens {
	return &Tokens{random: random, now: now, byHash: map[string]Record{}}
}

// Path returns the token file, or "" for an in-memory set.
func (t *Tokens) Path() string { return t.path }

// reloadLocked rereads the file when it changed since the last read. The
// caller holds the write lock.
func (t *Tokens) reloadLocked(force bool) error {
	if t.path == "" {
		return nil
	}
	info, err := os.Stat(t.path)
	if errors.Is(err, os.ErrNotExist) {
		t.byHash, t.all, t.stamp = map[string]Record{}, nil, fileStamp{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	if !force && t.stamp.info != nil && os.SameFile(info, t.stamp.info) && info.ModTime().Equal(t.stamp.mod) && info.Size() == t.stamp.size {
		return nil
	}
	b, err := os.ReadFile(t.path)
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	var f fileFormat
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("tokens: %s is not a token file: %w", t.path, err)
	}
	t.setLocked(f.Tokens)
	t.stamp = fileStamp{mod: info.ModTime(), size: info.Size(), info: info}
	return nil
}

// changed reports whether the file may differ from what was read last.
func (t *Tokens) changed() bool {
	if t.path == "" {
		return false
	}
	t.mu.RLock()
	st := t.stamp
	t.mu.RUnlock()
	info, err := os.Stat(t.path)
	if err != nil {
		return st.info != nil || !errors.Is(err, os.ErrNotExist)
	}
	return st.info == nil || !os.SameFile(info, st.info) || !info.ModTime().Equal(st.mod) || info.Size() != st.size
}

// HashToken returns the hex SHA-256 of a token, the form the ledger keeps.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Lookup returns the principal a token names, or ErrInvalidToken.
func (t *Tokens) Lookup(token string) (Principal, error) {
	if t.changed() {
		t.mu.Lock()
		err := t.reloadLocked(false)
		t.mu.Unlock()
		if err != nil {
			return Principal{}, err
		}
	}
	h := HashToken(token)
	t.mu.RLock()
	r, ok := t.byHash[h]
	t.mu.RUnlock()
	if !ok {
		return Principal{}, ErrInvalidToken
	}
	if err := r.check(t.now()); err != nil {
		return Principal{}, err
	}
	return r.Principal(), nil
}

// List returns the token records, oldest first.
func (t *Tokens) List() ([]Record, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.reloadLocked(false); err != nil {
		return nil, err
	}
	out := append([]Record(nil), t.all...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

// Spec says what token to make.
type Spec struct {
	Role Role
	// Unit is required for bureau and county tokens and refused for others.
	Unit domain.UnitID
	// Name labels the holder; empty means DefaultName.
	Name string
	// TTL is how long the token is valid; zero means DefaultTTL.
	TTL time.Duration
}

// Validate checks a spec.
func (s Spec) Validate() error {
	if _, err := ParseRole(string(s.Role)); err != nil {
		return err
	}
	switch {
	case s.Role.UnitBound() && s.Unit == "":
		return fmt.Errorf("a %s token acts for one unit: give its unit id", s.Role)
	case !s.Role.UnitBound() && s.Unit != "":
		return fmt.Errorf("a %s token does not act for a unit; only bureau and county tokens take one", s.Role)
	}
	if s.Unit != "" {
		if err := s.Unit.Validate(); err != nil {
			return fmt.Errorf("unit: %w", err)
		}
	}
	if s.TTL < 0 || s.TTL > MaxTTL {
		return fmt.Errorf("a token is valid for at most %s, not %s", MaxTTL, s.TTL)
	}
	if !utf8.ValidString(s.Name) || utf8.RuneCountInString(s.Name) > MaxNameLen || strings.ContainsAny(s.Name, "#\n\r\t") {
		return fmt.Errorf("name must be valid UTF-8 of at most %d characters without '#', tabs or line breaks", MaxNameLen)
	}
	return nil
}

// Create makes a token, records its hash and returns the token — the only
// time it is shown — with its record.
func (t *Tokens) Create(s Spec) (string, Record, error) {
	s.Role = Role(strings.ToLower(strings.TrimSpace(string(s.Role))))
	s.Name = strings.TrimSpace(s.Name)
	if err := s.Validate(); err != nil {
		return "", Record{}, fmt.Errorf("create token: %w", err)
	}
	if s.Name == "" {
		s.Name = DefaultName(s.Role, s.Unit)
	}
	var secret [32]byte
	var id [5]byte
	if _, err := io.ReadFull(t.random, secret[:]); err != nil {
		return "", Record{}, fmt.Errorf("create token: %w", err)
	}
	if _, err := io.ReadFull(t.random, id[:]); err != nil {
		return "", Record{}, fmt.Errorf("create token: %w", err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(secret[:])
	if s.TTL == 0 {
		s.TTL = DefaultTTL
	}
	now := t.now().UTC()
	rec := Record{ID: hex.EncodeToString(id[:]), Role: s.Role, Unit: s.Unit, Name: s.Name, CreatedAt: now, ExpiresAt: now.Add(s.TTL), SHA256: HashToken(token)}
	if err := t.update(func(all []Record) ([]Record, error) { return append(all, rec), nil }); err != nil {
		return "", Record{}, err
	}
	return token, rec, nil
}

// Revoke revokes the token with this id: from now on it is refused. It
// returns the revoked record; revoking a revoked token changes nothing.
func (t *Tokens) Revoke(id string) (Record, error) {
	var out Record
	err := t.update(func(all []Record) ([]Record, error) {
		for i := range all {
			if all[i].ID != id {
				continue
			}
			if all[i].RevokedAt.IsZero() {
				all[i].RevokedAt = t.now().UTC()
			}
			out = all[i]
			return all, nil
		}
		return nil, fmt.Errorf("revoke %q: %w", id, ErrNoSuchToken)
	})
	return out, err
}

// update replaces the records with what change makes of a copy of them,
// under the file lock for a file-backed set, so that two runs cannot lose
// each other's changes.
func (t *Tokens) update(change func([]Record) ([]Record, error)) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.path == "" {
		all, err := change(append([]Record(nil), t.all...))
		if err != nil {
			return err
		}
		t.setLocked(all)
		return nil
	}
	unlock, err := lockFile(t.path + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	if err := t.reloadLocked(true); err != nil {
		return err
	}
	all, err := change(append([]Record(nil), t.all...))
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(fileFormat{Version: 1, Tokens: all}, "", "  ")
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	if err := writeAtomic(t.path, append(b, '\n')); err != nil {
		return err
	}
	return t.reloadLocked(true)
}

// setLocked replaces the records; the caller holds the write lock.
func (t *Tokens) setLocked(all []Record) {
	byHash := make(map[string]Record, len(all))
	for _, r := range all {
		byHash[r.SHA256] = r
	}
	t.byHash, t.all = byHash, all
}

// lockFile takes an exclusive advisory lock, so that two `token create`
// runs cannot lose each other's token.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("tokens: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("tokens: lock: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// writeAtomic writes b to path through a synced temporary file renamed
// over it, then syncs the directory: a crash leaves the old file or the
// new one, never a torn one.
func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tokens-*.tmp")
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("tokens: %w", err)
	}
	if _, err := io.Copy(tmp, bytes.NewReader(b)); err != nil {
		tmp.Close()
		return fmt.Errorf("tokens: write: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("tokens: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("tokens: sync dir: %w", err)
	}
	return nil
}
