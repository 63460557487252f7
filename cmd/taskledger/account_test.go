package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The operator makes, lists, resets and disables accounts; refusals say
// what is wrong in Chinese and exit 1; the file keeps no password.
func TestAccountCommands(t *testing.T) {
	store := importedLedger(t)
	code, out, stderr := runCLI(t, clock, "account", "create", "wangfang", "--name", "王芳", "--role", "reporter,leader", "--unit", "宁城县", "--store", store)
	password := strings.TrimSpace(out)
	if code != 0 || len(password) < 10 || !strings.Contains(stderr, "已创建账号 wangfang") {
		t.Fatalf("create: exit %d\n%s\n%s", code, out, stderr)
	}
	b, err := os.ReadFile(filepath.Join(store, "accounts.json"))
	if err != nil || strings.Contains(string(b), password) || !strings.Contains(string(b), "$argon2id$v=19$") {
		t.Fatalf("accounts.json: %v\n%s", err, b)
	}
	if code, _, stderr := runCLI(t, clock, "account", "create", "WANGFANG", "--name", "另一个", "--role", "admin", "--store", store); code != 1 || !strings.Contains(stderr, "已被使用") {
		t.Fatalf("a taken login name: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, clock, "account", "create", "zhao", "--name", "赵", "--role", "reporter", "--store", store); code != 1 || !strings.Contains(stderr, "须指明所属单位") {
		t.Fatalf("a reporter without a unit: exit %d\n%s", code, stderr)
	}
	code, out, _ = runCLI(t, clock, "account", "list", "--store", store)
	if code != 0 || !strings.Contains(out, "wangfang") || !strings.Contains(out, "宁城县") || strings.Contains(out, "county.ningcheng") {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, clock, "account", "reset-password", "wangfang", "--store", store)
	if fresh := strings.TrimSpace(out); code != 0 || fresh == password || len(fresh) < 10 {
		t.Fatalf("reset-password: exit %d %q", code, out)
	}
	if code, out, _ := runCLI(t, clock, "account", "disable", "wangfang", "--store", store); code != 0 || !strings.Contains(out, "已停用") {
		t.Fatalf("disable: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, clock, "account", "list", "--store", store); code != 0 || !strings.Contains(out, "已停用") {
		t.Fatalf("list after disable: %s", out)
	}
	if code, _, stderr := runCLI(t, clock, "account", "disable", "nobody", "--store", store); code != 1 || !strings.Contains(stderr, "NOT_FOUND") {
		t.Fatalf("disable an unknown account: exit %d\n%s", code, stderr)
	}
}
