package main

import (
	"strings"
	"testing"
)

// A refusal prints its catalogue text in Chinese, then English, with its
// class and code; --lang prints one language, and an English locale puts
// English first.
func TestRefusalsPrintTheCatalogueInTheChosenLanguage(t *testing.T) {
	store := importedLedger(t)
	create := []string{"account", "create", "wangfang", "--name", "王芳", "--role", "admin", "--store", store}
	if code, _, stderr := runCLI(t, clock, create...); code != 0 {
		t.Fatalf("create: exit %d\n%s", code, stderr)
	}
	const (
		zh  = `登录名“wangfang”已被使用`
		en  = `the login name "wangfang" is taken`
		tag = "[CONFLICT] (account.login_taken)"
	)
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"both, Chinese first", nil, nil, "taskledger account create: " + zh + " " + tag + "\n" + en + "\n"},
		{"an English locale", map[string]string{"LANG": "en_US.UTF-8"}, nil, "taskledger account create: " + en + " " + tag + "\n" + zh + "\n"},
		{"LC_ALL before LANG", map[string]string{"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, nil, "taskledger account create: " + zh + " " + tag + "\n" + en + "\n"},
		{"--lang en", nil, []string{"--lang", "en"}, "taskledger account create: " + en + " " + tag + "\n"},
		{"--lang zh", map[string]string{"LANG": "en_US.UTF-8"}, []string{"--lang", "zh"}, "taskledger account create: " + zh + " " + tag + "\n"},
	}
	for _, c := range cases {
		code, _, stderr := runCLIWith(testCLI(c.env), append(append([]string{}, create...), c.args...)...)
		if code != 1 || stderr != c.want {
			t.Errorf("%s: exit %d\n%q\nwant\n%q", c.name, code, stderr, c.want)
		}
	}
	if code, _, stderr := runCLI(t, clock, "status", "--lang", "fr", "--store", store); code != 2 || !strings.Contains(stderr, "--lang") {
		t.Errorf("--lang fr: exit %d\n%s", code, stderr)
	}
}

// A store the CLI cannot open is named from the catalogue too, with its
// cause on a last line.
func TestStoreRefusalsComeFromTheCatalogue(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(t, clock, "status", "--store", dir)
	want := "taskledger status: " + dir + " 中没有账本：可先用 taskledger import 或 taskledger demo 创建 [NOT_FOUND] (store.no_ledger)\n" +
		"store " + dir + " holds no ledger: make one with taskledger import or taskledger demo\nno ledger there\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d\n%q\nwant\n%q", code, stderr, want)
	}
	code, _, stderr = runCLI(t, clock, "status", "--lang", "en", "--store", dir)
	if want := "taskledger status: store " + dir + " holds no ledger: make one with taskledger import or taskledger demo [NOT_FOUND] (store.no_ledger)\nno ledger there\n"; code != 1 || stderr != want {
		t.Errorf("--lang en: exit %d\n%q\nwant\n%q", code, stderr, want)
	}
}
