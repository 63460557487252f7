package auth

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func clock() time.Time { return time.Date(2025, 3, 1, 1, 0, 0, 0, time.UTC) }

func TestFileTokens(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir, rand.Reader, clock)
	if err != nil {
		t.Fatal(err)
	}
	tok, rec, err := a.Create(Spec{Role: "County", Unit: "county.ningcheng"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, TokenPrefix) || rec.Name != "county@county.ningcheng" || rec.Role != County {
		t.Fatalf("token %q record %+v", tok, rec)
	}
	path := filepath.Join(dir, FileName)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v", info.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), tok) || strings.Contains(string(raw), strings.TrimPrefix(tok, TokenPrefix)) {
		t.Fatal("the token file holds the token itself")
	}
	// Another process (here: another Tokens on the same file) adds a
	// token; the first sees it without restarting.
	b, err := Open(dir, rand.Reader, clock)
	if err != nil {
		t.Fatal(err)
	}
	tok2, _, err := b.Create(Spec{Role: Inspector, Name: "张督查"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Lookup(tok2)
	if err != nil || p.Role != Inspector || p.Name != "张督查" {
		t.Fatalf("lookup of a token made elsewhere: %+v %v", p, err)
	}
	if p, err := a.Lookup(tok); err != nil || p.Unit != "county.ningcheng" || p.Actor() != "county@county.ningcheng#"+rec.ID {
		t.Fatalf("lookup: %+v %v", p, err)
	}
	if _, err := a.Lookup(tok + "x"); err != ErrInvalidToken {
		t.Errorf("a wrong token: %v", err)
	}
	list, err := a.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left %s", e.Name())
		}
	}
}

func TestConcurrentCreateLosesNothing(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk, err := Open(dir, rand.Reader, clock)
			if err != nil {
				t.Error(err)
				return
			}
			if _, _, err := tk.Create(Spec{Role: Committee}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	tk, _ := Open(dir, rand.Reader, clock)
	if list, _ := tk.List(); len(list) != 8 {
		t.Errorf("%d tokens recorded, want 8", len(list))
	}
}

func TestSpecValidation(t *testing.T) {
	tk := InMemory(rand.Reader, clock)
	for _, s := range []Spec{
		{Role: "admin"},
		{Role: Public},
		{Role: Bureau},
		{Role: Coordinator, Unit: "bureau.eco"},
		{Role: County, Unit: "Not An ID"},
		{Role: Inspector, Name: "a#b"},
		{Role: Inspector, Name: strings.Repeat("长", MaxNameLen+1)},
	} {
		if _, _, err := tk.Create(s); err == nil {
			t.Errorf("%+v was accepted", s)
		}
	}
}

func TestTokensExpireAndCanBeRevoked(t *testing.T) {
	now := clock()
	tick := func() time.Time { return now }
	dir := t.TempDir()
	a, err := Open(dir, rand.Reader, tick)
	if err != nil {
		t.Fatal(err)
	}
	short, rec, err := a.Create(Spec{Role: Inspector, TTL: 48 * time.Hour})
	if err != nil || !rec.ExpiresAt.Equal(now.Add(48*time.Hour)) {
		t.Fatalf("a two-day token expires at %s, err %v", rec.ExpiresAt, err)
	}
	long, longRec, err := a.Create(Spec{Role: Committee})
	if err != nil || !longRec.Expiry().Equal(now.Add(DefaultTTL)) {
		t.Fatalf("a default token expires at %s, err %v", longRec.Expiry(), err)
	}
	if _, _, err := a.Create(Spec{Role: Committee, TTL: MaxTTL + time.Hour}); err == nil {
		t.Fatal("a token valid for more than five years was made")
	}
	now = now.Add(49 * time.Hour)
	if _, err := a.Lookup(short); !errors.Is(err, ErrTokenExpired) || !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("an expired token: %v", err)
	}
	if _, err := a.Lookup(long); err != nil {
		t.Fatalf("a valid token: %v", err)
	}
	if _, err := a.Revoke("nope"); !errors.Is(err, ErrNoSuchToken) {
		t.Fatalf("revoking an unknown id: %v", err)
	}
	revoked, err := a.Revoke(longRec.ID)
	if err != nil || revoked.RevokedAt.IsZero() {
		t.Fatalf("revoke: %+v, %v", revoked, err)
	}
	// Another process sees the revocation in the file.
	b, err := Open(dir, rand.Reader, tick)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lookup(long); !errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("a revoked token read from the file: %v", err)
	}
	recs, _ := b.List()
	states := map[string]string{}
	for _, r := range recs {
		states[r.ID] = r.State(now)
	}
	if states[rec.ID] != "expired" || states[longRec.ID] != "revoked" {
		t.Fatalf("states %v", states)
	}
	// A record made before expiry existed expires a year after it was made.
	legacy := Record{CreatedAt: clock()}
	if !legacy.Expiry().Equal(clock().Add(DefaultTTL)) {
		t.Fatalf("legacy expiry %s", legacy.Expiry())
	}
}
