package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	bbolt "go.etcd.io/bbolt"

	"taskledger/eventstore/bolt"
	"taskledger/examples"
)

// tinyPlan is a plan of one task: a demo of it takes a second.
const tinyPlan = "测试方案\n二、重点任务\n（三）淘汰燃煤锅炉，2025年底前完成。（赤峰市生态环境局牵头，以下均需各旗县区人民政府落实）\n"

// writeFile writes a file in a test's temporary folder and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// importedLedger imports the bundled plan into a new ledger and returns
// its directory.
func importedLedger(t *testing.T) string {
	t.Helper()
	plan := writeFile(t, examples.ChifengPlanFile, string(examples.ChifengPlan()))
	store := filepath.Join(t.TempDir(), "ledger")
	if code, out, stderr := runCLI(t, clock, "import", plan, "--store", store); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, stderr)
	}
	return store
}

// Flags may come before or after the arguments, as the usage lines show.
func TestFlagsAfterArguments(t *testing.T) {
	plan := writeFile(t, "plan.txt", tinyPlan)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"import FILE --store", []string{"import", plan, "--store", filepath.Join(dir, "a")}, "TaskRegistered 1"},
		{"import --store FILE", []string{"import", "--store", filepath.Join(dir, "b"), plan}, "TaskRegistered 1"},
		{"import --store=DIR FILE --operator", []string{"import", "--store=" + filepath.Join(dir, "c"), plan, "--operator", "张三"}, "TaskRegistered 1"},
		{"plan parse FILE --format json", []string{"plan", "parse", plan, "--format", "json"}, `"tasks"`},
		{"plan parse FILE --json", []string{"plan", "parse", plan, "--json"}, `"tasks"`},
		{"global flag after the command", []string{"plan", "parse", plan, "--log-level", "debug"}, "1 tasks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, clock, tc.args...)
			if code != 0 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, want 0 and %q in\n%s\nstderr: %s", code, tc.want, out, stderr)
			}
		})
	}
}

// Help, asked for, goes to stdout and exits 0.
func TestHelpOnStdout(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"}, {"help", "import"}, {"import", "--help"}, {"token", "create", "--help"},
		{"proof", "--help"}, {"help", "proof", "verify"}, {"serve", "-h"}, {"completion", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, stderr := runCLI(t, clock, args...)
			if code != 0 || !strings.Contains(out, "Usage:") || stderr != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		code, out, _ := runCLI(t, clock, args...)
		if code != 0 || out != "taskledger "+version+"\n" {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "__start_taskledger",
		"zsh":  "#compdef taskledger",
		"fish": "complete -c taskledger",
	} {
		code, out, stderr := runCLI(t, clock, "completion", shell)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, %d bytes without %q; stderr %q", shell, code, len(out), want, stderr)
		}
	}
	// The shells ask the binary for candidates: subcommands and flag values.
	if code, out, _ := runCLI(t, clock, "__complete", "sta"); code != 0 || !strings.Contains(out, "status") {
		t.Errorf("completing sta: exit %d, %q", code, out)
	}
	if code, out, _ := runCLI(t, clock, "__complete", "scorecard", "--kind", ""); code != 0 || !strings.Contains(out, "county") {
		t.Errorf("completing --kind: exit %d, %q", code, out)
	}
}

// A command that fails says so on stderr and exits 1, also where an
// earlier version printed an empty result and exited 0.
func TestErrorsExitOne(t *testing.T) {
	store := importedLedger(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "--task", "99"}, "task not found"},
		{[]string{"audit", "--task", "10", "--plan", "no-such-plan"}, "plan not found"},
		{[]string{"audit", "--unit", "不存在局"}, "not found"},
		{[]string{"audit", "--task", "10", "--at-position", "999999"}, "past the end of the log"},
		{[]string{"obligations", "--unit", "不存在局"}, "not found"},
		{[]string{"obligations", "--unit", "宁城县", "--at-position", "999999"}, "past the end of the log"},
		{[]string{"scorecard", "--year", "2025", "--plan", "no-such-plan"}, "not found"},
		{[]string{"scorecard", "--year", "2025", "--unit", "不存在局"}, "not found"},
		{[]string{"scorecard", "--year", "2025", "--check-published"}, "no 2025 bureau scorecards were published"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, clock, append(tc.args, "--store", store)...)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q", code, stderr, tc.want)
			}
		})
	}
}

// Usage errors (unknown commands and flags, bad values, the wrong number
// of arguments) exit 2.
func TestMoreUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"--no-such-flag"},
		{"statsu"},
		{"help", "no-such-command"},
		{"import", "a.txt", "b.txt"},
		{"status", "extra"},
		{"token"},
		{"token", "bogus"},
		{"proof"},
		{"plan", "parse"},
		{"completion"},
		{"completion", "tcsh"},
		{"obligations", "--store", "memory", "--unit", "宁城县", "--status", "late"},
		{"obligations", "--store", "memory", "--unit", "宁城县", "--format", "xml"},
		{"status", "--store", "memory", "--log-level", "loud"},
		{"status", "--store", "memory", "--log-format", "xml"},
		{"audit", "--store", "memory", "--task", "-1"},
		// Neither recorded time nor actor is the caller's to choose.
		{"tick", "--store", "memory", "--now", "2029-01-01"},
		{"import", "a.txt", "--store", "memory", "--actor", "市长本人"},
		{"serve", "--store", "memory", "--tls-cert", "cert.pem"},
		{"serve", "--store", "memory", "--memory-limit", "-1"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, stderr := runCLI(t, clock, args...)
			if code != 2 || !strings.Contains(stderr, "usage") {
				t.Fatalf("exit %d, stderr %q, stdout %q; want 2 and a usage message", code, stderr, out)
			}
		})
	}
}

// A --store that holds no ledger is refused by every command that does not
// create one, naming the path, and nothing is made there.
func TestMissingStoreIsRefusedAndNotCreated(t *testing.T) {
	key := filepath.Join(t.TempDir(), "key")
	if code, _, stderr := runCLI(t, clock, "checkpoint", "--new-key", key); code != 0 {
		t.Fatalf("new key: %s", stderr)
	}
	for _, args := range [][]string{
		{"status"}, {"rebuild"}, {"tick"}, {"obligations", "--unit", "宁城县"}, {"scorecard", "--year", "2025"},
		{"audit", "--task", "10"}, {"export", "--out", "-"}, {"verify"}, {"checkpoint", "--key", key},
		{"token", "list"}, {"token", "create", "--role", "inspector"}, {"bench-read"}, {"serve", "--addr", "127.0.0.1:0"},
	} {
		t.Run(args[0], func(t *testing.T) {
			store := filepath.Join(t.TempDir(), "typo")
			code, _, stderr := runCLI(t, clock, append(args, "--store", store)...)
			if code != 1 || !strings.Contains(stderr, store) {
				t.Errorf("exit %d, stderr %q; want 1 and the path named", code, stderr)
			}
			if _, err := os.Stat(store); !os.IsNotExist(err) {
				t.Errorf("%s was created: %v", store, err)
			}
		})
	}
	// An existing folder that holds no ledger is refused and left empty.
	empty := t.TempDir()
	if code, _, stderr := runCLI(t, clock, "status", "--store", empty); code != 1 || !strings.Contains(stderr, "no ledger") {
		t.Errorf("status of an empty folder: exit %d, %q", code, stderr)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("status wrote into an empty folder: %v", entries)
	}
	if code, _, stderr := runCLI(t, clock, "migrate", "--from", filepath.Join(empty, "typo"), "--to", filepath.Join(empty, "copy")); code != 1 || !strings.Contains(stderr, "typo") {
		t.Errorf("migrate from nowhere: exit %d, %q", code, stderr)
	}
}

// A failed start of a command that creates a ledger leaves nothing behind:
// no new folder, and no new file in a folder that was there.
func TestFailedCreationLeavesNothing(t *testing.T) {
	tiny := writeFile(t, "tiny.txt", tinyPlan)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	existing := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		store string
	}{
		{"import of a missing file", []string{"import", "no/such/plan.txt"}, filepath.Join(t.TempDir(), "new", "ledger")},
		{"import of an unparsable file", []string{"import", writeFile(t, "empty.txt", "")}, filepath.Join(t.TempDir(), "ledger")},
		{"demo with a missing plan", []string{"demo", "--plan-file", "no/such/plan.txt"}, filepath.Join(t.TempDir(), "ledger")},
		{"demo with a bad year", []string{"demo", "--year", "1900"}, filepath.Join(t.TempDir(), "ledger")},
		{"serve --demo on a busy port", []string{"serve", "--demo", "--plan", tiny, "--addr", busy.Addr().String()}, filepath.Join(t.TempDir(), "a", "b")},
		{"serve --demo into an existing folder", []string{"serve", "--demo", "--plan", tiny, "--addr", busy.Addr().String()}, existing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, clock, append(tc.args, "--store", tc.store)...)
			if code == 0 {
				t.Fatalf("succeeded: %s", stderr)
			}
			if tc.store == existing {
				if entries, _ := os.ReadDir(existing); len(entries) != 0 {
					t.Fatalf("left %v in the folder", entries)
				}
				return
			}
			if _, err := os.Stat(tc.store); !os.IsNotExist(err) {
				t.Fatalf("%s is left behind (%v); stderr %s", tc.store, err, stderr)
			}
			if _, err := os.Stat(filepath.Dir(tc.store)); !os.IsNotExist(err) && filepath.Base(filepath.Dir(tc.store)) == "a" {
				t.Fatalf("the folder it made above the store is left behind")
			}
		})
	}
}

// demo works from any directory: the plan is embedded in the binary. Its
// ledger then shows JSON with the API's field names and no zero times.
func TestDemoFromAnotherDirectoryAndJSON(t *testing.T) {
	t.Chdir(t.TempDir())
	if code, out, stderr := runCLI(t, clock, "demo", "--store", "ledger"); code != 0 || !strings.Contains(out, "SIMULATED year 2025") {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, args := range [][]string{
		{"obligations", "--unit", "宁城县", "--format", "json"},
		{"obligations", "--unit", "生态环境局", "--format", "json", "--as-of", "2025-06-30"},
		{"scorecard", "--year", "2025", "--kind", "county", "--format", "json"},
		{"audit", "--task", "10", "--format", "json", "--as-of", "2025-06-30"},
		{"audit", "--unit", "宁城县", "--format", "json", "--at-position", "2000"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, stderr := runCLI(t, clock, append(args, "--store", "ledger")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			checkAPIJSON(t, out)
		})
	}
	// The richest fields are there under the API's names.
	_, out, _ := runCLI(t, clock, "obligations", "--unit", "宁城县", "--format", "json", "--store", "ledger")
	for _, want := range []string{`"unitName"`, `"milestones"`, `"lastReport"`, `"nextDue"`, `"recordedAt"`, `"originalDue"`, `"status": "`} {
		if !strings.Contains(out, want) {
			t.Errorf("obligations JSON lacks %s", want)
		}
	}
}

// checkAPIJSON fails unless out is JSON whose keys are all camelCase, as
// in the API, and holds no zero time.
func checkAPIJSON(t *testing.T, out string) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%.300s", err, out)
	}
	if strings.Contains(out, "0001-01-01") {
		t.Errorf("a zero time in %.300s", out[strings.Index(out, "0001-01-01")-100:])
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "" || !unicode.IsLower(rune(k[0])) || strings.Contains(k, "_") {
					t.Errorf("key %q is not camelCase", k)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
}

// A unit's obligations table speaks Chinese: statuses and lights in the
// dashboard's words, the unit by name, no internal id or code.
func TestObligationsTableInChinese(t *testing.T) {
	store := importedLedger(t)
	code, out, stderr := runCLI(t, clock, "obligations", "--unit", "宁城县", "--store", store)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"宁城县：责任 28 项", "推进中", "灯"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	for _, raw := range []string{"county.ningcheng", " open ", "green", "grey", "yellow"} {
		if strings.Contains(out, raw) {
			t.Errorf("the table shows %q:\n%s", raw, out)
		}
	}
}

// The scorecard tables speak Chinese: the ranking's heading names the
// units ranked and the scheme in words, and a unit's card explains each
// line without the rule's internal code.
func TestScorecardTablesInChinese(t *testing.T) {
	store := importedLedger(t)
	code, out, stderr := runCLI(t, clock, "scorecard", "--year", "2025", "--kind", "county", "--store", store)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.HasPrefix(out, "2025年度旗县区考核排名 · 标准评分办法（第") || strings.Contains(out, "default") {
		t.Errorf("the ranking's heading:\n%s", out)
	}
	code, out, stderr = runCLI(t, clock, "scorecard", "--year", "2025", "--kind", "county", "--unit", "宁城县", "--store", store)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(out, "宁城县  第") || !strings.Contains(out, "说明") || strings.Contains(out, "county.delivery") || strings.Contains(out, "规则") {
		t.Errorf("the unit's card:\n%s", out)
	}
}

// A ledger a newer taskledger wrote, in a format this build does not read,
// is refused by every command as newer, in Chinese and English with its
// code, not as damaged; the file and its journal are left byte-identical.
func TestNewerLedgerIsRefusedAsNewer(t *testing.T) {
	dir := importedLedger(t)
	file := filepath.Join(dir, bolt.FileName)
	db, err := bbolt.Open(file, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("format"), []byte("taskledger-bolt/5"))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	journal := file + bolt.JournalSuffix
	if err := os.WriteFile(journal, bytes.Repeat([]byte("frame "), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	before, journalBefore := readFile(t, file), readFile(t, journal)
	for _, args := range [][]string{{"verify"}, {"status"}, {"obligations", "--unit", "宁城县"}, {"import", writeFile(t, "p.txt", string(examples.ChifengPlan()))}} {
		t.Run(args[0], func(t *testing.T) {
			code, _, stderr := runCLI(t, clock, append(args, "--store", dir)...)
			for _, want := range []string{"更新版本的 taskledger", "taskledger-bolt/5", "[NEWER_FORMAT] (store.newer_format)", "written by a newer taskledger"} {
				if code != 1 || !strings.Contains(stderr, want) {
					t.Fatalf("exit %d; want 1 and %q:\n%s", code, want, stderr)
				}
			}
			if strings.Contains(stderr, "损坏") || strings.Contains(stderr, "damaged") {
				t.Fatalf("a newer ledger is called damaged:\n%s", stderr)
			}
			if !bytes.Equal(readFile(t, file), before) || !bytes.Equal(readFile(t, journal), journalBefore) {
				t.Fatal("the refused ledger or its journal changed")
			}
		})
	}
}

// A damaged ledger file is refused by every command, named, and left
// byte-identical.
func TestDamagedLedgerIsRefusedAndLeftUntouched(t *testing.T) {
	good := importedLedger(t)
	whole, err := os.ReadFile(filepath.Join(good, bolt.FileName))
	if err != nil {
		t.Fatal(err)
	}
	damages := map[string][]byte{
		"empty":     {},
		"truncated": whole[:len(whole)/2],
		"foreign":   bytes.Repeat([]byte("not a ledger "), 4096),
	}
	for name, content := range damages {
		for _, args := range [][]string{{"verify"}, {"status"}, {"obligations", "--unit", "宁城县"}, {"export", "--out", "-"}, {"import", writeFile(t, "p.txt", string(examples.ChifengPlan()))}} {
			t.Run(name+"/"+args[0], func(t *testing.T) {
				dir := t.TempDir()
				file := filepath.Join(dir, bolt.FileName)
				if err := os.WriteFile(file, content, 0o600); err != nil {
					t.Fatal(err)
				}
				code, _, stderr := runCLI(t, clock, append(args, "--store", dir)...)
				if code != 1 || !strings.Contains(stderr, file) || !strings.Contains(stderr, "damaged") {
					t.Fatalf("exit %d; want 1 and a message naming %s as damaged:\n%s", code, file, stderr)
				}
				after, err := os.ReadFile(file)
				if err != nil || !bytes.Equal(after, content) {
					t.Fatalf("the damaged file changed (err %v)", err)
				}
			})
		}
	}
}
