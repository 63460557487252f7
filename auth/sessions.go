package auth

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// DefaultSessionTTL is how long a dashboard session lasts after login.
const DefaultSessionTTL = 8 * time.Hour

// ErrNoSession is returned for a session id that is unknown, ended or
// expired.
var ErrNoSession = errors.New("no such session (会话不存在或已过期)")

// Session is a logged-in person's dashboard session, kept on the server.
// The browser holds only ID, in an HttpOnly cookie.
type Session struct {
	// ID is 256 random bits, unpadded base64url.
	ID string
	// CSRF is the session's anti-forgery token: 256 other random bits the
	// page sends back in a header with every POST.
	CSRF string
	// AccountID is the account that logged in.
	AccountID string
	// Created and Expires bound the session.
	Created, Expires time.Time
}

// CheckCSRF reports whether token is the session's anti-forgery token,
// comparing in constant time.
func (s Session) CheckCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRF)) == 1
}

// Sessions is the server-side session store, in memory: a restart logs
// everyone out. It is safe for concurrent use.
type Sessions struct {
	random io.Reader
	now    func() time.Time
	ttl    time.Duration

	mu   sync.Mutex
	byID map[string]Session
}

// NewSessions returns an empty store whose sessions last ttl (zero:
// DefaultSessionTTL); random makes ids (crypto/rand.Reader in production).
func NewSessions(random io.Reader, now func() time.Time, ttl time.Duration) *Sessions {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	return &Sessions{random: random, now: now, ttl: ttl, byID: map[string]Session{}}
}

// Start opens a session for the account.
func (s *Sessions) Start(accountID string) (Session, error) {
	id, err := s.randomString()
	if err != nil {
		return Session{}, err
	}
	csrf, err := s.randomString()
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	ses := Session{ID: id, CSRF: csrf, AccountID: accountID, Created: now, Expires: now.Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	s.byID[id] = ses
	return ses, nil
}

// Get returns the live session with this id, or ErrNoSession.
func (s *Sessions) Get(id string) (Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ses, ok := s.byID[id]
	if !ok {
		return Session{}, ErrNoSession
	}
	if !s.now().Before(ses.Expires) {
		delete(s.byID, id)
		return Session{}, ErrNoSession
	}
	return ses, nil
}

// End ends the session (logout); ending an unknown one does nothing.
func (s *Sessions) End(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// EndAccount ends every session of the account (it was disabled or its
// password changed).
func (s *Sessions) EndAccount(accountID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ses := range s.byID {
		if ses.AccountID == accountID {
			delete(s.byID, id)
		}
	}
}

// pruneLocked drops expired sessions; the caller holds mu.
func (s *Sessions) pruneLocked(now time.Time) {
	for id, ses := range s.byID {
		if !now.Before(ses.Expires) {
			delete(s.byID, id)
		}
	}
}

func (s *Sessions) randomString() (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(s.random, b[:]); err != nil {
		return "", fmt.Errorf("session: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Lockout counts failed logins per account: after Max failures within
// Window the account is locked until the oldest of them is Window old,
// whatever password is tried. It is kept in memory.
type Lockout struct {
	// Max failures within Window lock the account.
	Max    int
	Window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewLockout returns a lockout of max failures per window, on the clock now.
func NewLockout(max int, window time.Duration, now func() time.Time) *Lockout {
	return &Lockout{Max: max, Window: window, now: now, failures: map[string][]time.Time{}}
}

// LockedUntil returns when the key's lock ends, and whether it is locked now.
func (l *Lockout) LockedUntil(key string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.recentLocked(key)
	if len(f) < l.Max {
		return time.Time{}, false
	}
	return f[len(f)-l.Max].Add(l.Window), true
}

// Fail records a failed login for key.
func (l *Lockout) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[key] = append(l.recentLocked(key), l.now())
}

// Clear forgets key's failures (after a successful login).
func (l *Lockout) Clear(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// recentLocked returns key's failures within the window; the caller holds mu.
func (l *Lockout) recentLocked(key string) []time.Time {
	now := l.now()
	f := l.failures[key]
	i := 0
	for i < len(f) && !now.Before(f[i].Add(l.Window)) {
		i++
	}
	f = f[i:]
	l.failures[key] = f
	return f
}
