package main

import (
	"os"
	"strings"
	"testing"
)

// Usage errors print like other refusals: the Chinese text with the class
// and the catalogue code, then the English one; they still exit 2.
func TestUsageErrorsComeFromTheCatalogue(t *testing.T) {
	cases := []struct {
		name      string
		args      []string
		zh, en    string
		code, tag string
	}{
		{"unknown flag", []string{"status", "--no-such-flag"},
			"taskledger status: 没有这个选项：unknown flag: --no-such-flag", "unknown flag: --no-such-flag", "cli.unknown_flag", ""},
		{"bad flag value", []string{"scorecard", "--store", "memory", "--year", "many"},
			"选项的值无效：invalid argument \"many\" for \"--year\" flag", "bad flag value: invalid argument \"many\"", "cli.flag_value_invalid", ""},
		{"flag without its value", []string{"status", "--store"},
			"选项缺少值：flag needs an argument: --store", "flag needs an argument: --store", "cli.flag_needs_value", ""},
		{"unknown command", []string{"statsu"},
			"taskledger 没有“statsu”这个命令；是否要用 status？", `unknown command "statsu" for "taskledger"; did you mean status?`, "cli.unknown_command", ""},
		{"too many arguments", []string{"import", "a.txt", "b.txt"},
			"taskledger import 的参数个数不对（应为 one plan file），却给了 2 个", "taskledger import takes one plan file, got 2 arguments", "cli.argument_count", ""},
		{"no arguments wanted", []string{"status", "extra"},
			"taskledger status 不接受参数，却给了“extra”", `taskledger status takes no arguments, got "extra"`, "cli.takes_no_arguments", ""},
		{"a group without its subcommand", []string{"token"},
			"taskledger token 需要一个子命令：", "taskledger token needs a subcommand: ", "cli.needs_subcommand", ""},
		{"a usage error of a command's own", []string{"scorecard", "--store", "memory"},
			"用法有误：", "--year", "cli.usage", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, clock, c.args...)
			lines := strings.Split(stderr, "\n")
			var first, second string
			for i, l := range lines {
				if strings.Contains(l, "("+c.code+")") && i+1 < len(lines) {
					first, second = l, lines[i+1]
					break
				}
			}
			if code != 2 || !strings.Contains(first, c.zh) || !strings.Contains(first, "[INVALID_ARGUMENT] ("+c.code+")") ||
				!strings.Contains(second, c.en) || !strings.Contains(stderr, "--help' for usage") {
				t.Errorf("exit %d; stderr:\n%s\nwant Chinese %q with (%s), then English %q", code, stderr, c.zh, c.code, c.en)
			}
		})
	}
	code, _, stderr := runCLI(t, clock, "status", "--lang", "en", "--no-such-flag")
	if code != 2 || !strings.HasPrefix(stderr, "taskledger status: unknown flag: --no-such-flag [INVALID_ARGUMENT] (cli.unknown_flag)\n") || strings.Contains(stderr, "没有") {
		t.Errorf("--lang en: exit %d\n%s", code, stderr)
	}
}

// A --password-env naming an unset variable is a usage error from the
// catalogue, and no account is made.
func TestPasswordEnvUnset(t *testing.T) {
	const name = "TASKLEDGER_TEST_PASSWORD_NEVER_SET"
	if _, set := os.LookupEnv(name); set {
		t.Fatalf("%s is set in this environment", name)
	}
	store := importedLedger(t)
	code, _, stderr := runCLI(t, clock, "account", "create", "lihua", "--name", "李华", "--role", "admin", "--password-env", name, "--store", store)
	want := "环境变量 " + name + " 未设置或为空 [INVALID_ARGUMENT] (cli.password_env_unset)\nenvironment variable " + name + " is not set\n"
	if code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d\n%s\nwant\n%s", code, stderr, want)
	}
	if code, out, _ := runCLI(t, clock, "account", "list", "--store", store); code != 0 || strings.Contains(out, "lihua") {
		t.Errorf("account list: exit %d\n%s", code, out)
	}
}
