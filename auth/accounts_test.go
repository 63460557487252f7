package auth_test

import (
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"taskledger/auth"
)

func TestPasswordsHashToVersionedPHCStrings(t *testing.T) {
	pp := auth.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}
	h1, err := auth.HashPassword("一个足够长的密码 secret", pp, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := auth.HashPassword("一个足够长的密码 secret", pp, rand.Reader)
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=64,t=1,p=1$") || h1 == h2 {
		t.Fatalf("hashes %q and %q: want argon2id PHC strings with distinct salts", h1, h2)
	}
	if ok, err := auth.CheckPassword(h1, "一个足够长的密码 secret"); !ok || err != nil {
		t.Fatalf("the right password: %v, %v", ok, err)
	}
	if ok, _ := auth.CheckPassword(h1, "一个足够长的密码 secreT"); ok {
		t.Fatal("a wrong password matched")
	}
	for _, bad := range []string{"", "$2a$10$abc", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$", "$argon2id$v=19$m=0,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$c29tZXNhbHRzb21lc2FsdA"} {
		if _, err := auth.CheckPassword(bad, "x"); err == nil {
			t.Fatalf("%q was read as a hash", bad)
		}
	}
}

func TestAccountsLiveInAPrivateFileThatOtherRunsSee(t *testing.T) {
	dir := t.TempDir()
	now := func() time.Time { return time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) }
	a, err := auth.OpenAccounts(dir, rand.Reader, now)
	if err != nil {
		t.Fatal(err)
	}
	a.WithParams(auth.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1})
	acc, err := a.Create(auth.NewAccount{Login: "li.lei", Name: "李雷", Roles: []auth.AccountRole{auth.InspectorAccount}, Password: "0123456789ab"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Create(auth.NewAccount{Login: "LI.LEI", Name: "x", Roles: []auth.AccountRole{auth.Admin}, Password: "0123456789ab"}); err == nil {
		t.Fatal("a second account took the same login name in other case")
	}
	info, err := os.Stat(a.Path())
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("account file: %v, %v; want mode 0600", info, err)
	}
	b, _ := os.ReadFile(a.Path())
	if strings.Contains(string(b), "0123456789ab") {
		t.Fatal("the file holds the password")
	}
	other, err := auth.OpenAccounts(dir, rand.Reader, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Disable(acc.ID); err != nil {
		t.Fatal(err)
	}
	got, err := a.ByLogin("li.lei")
	if err != nil || !got.Disabled() {
		t.Fatalf("the first handle did not see the other's change: %+v, %v", got, err)
	}
	if p := got.Principal(); p.Role != auth.Inspector || p.Person.Name != "李雷" || !strings.HasSuffix(p.Actor(), "#acct:"+acc.ID) {
		t.Fatalf("principal %+v, actor %q", p, p.Actor())
	}
}
