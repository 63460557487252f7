package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// steppingClock moves on by step at every reading, so that each report
// of a meter is due.
type steppingClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *steppingClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// callSlow runs a command line whose clock moves on by 10 s at every
// reading, and returns its stderr.
func callSlow(t *testing.T, args ...string) string {
	t.Helper()
	clk := &steppingClock{t: clock, step: 10 * time.Second}
	var out, errOut bytes.Buffer
	a := &cli{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, now: clk.now}
	if _, err := execute(context.Background(), a, args); err != nil {
		t.Fatalf("%v: %v\n%s%s", args, err, out.String(), errOut.String())
	}
	return errOut.String()
}

// TestProgressLinesWhenNotATerminal: long work on a stderr that is not a
// terminal writes plain periodic lines, Chinese first, and a last one when
// done; no bar's control characters.
func TestProgressLinesWhenNotATerminal(t *testing.T) {
	chdirRepo(t)
	store := filepath.Join(t.TempDir(), "ledger")
	imp := callSlow(t, "import", "--store", store, "examples/chifeng-air-quality-plan.txt")
	if !strings.Contains(imp, "导入计划：事件 ") || !strings.Contains(imp, "完成，用时") || !strings.Contains(imp, "import: events 1024, done, ") {
		t.Errorf("import progress:\n%s", imp)
	}
	rebuild := callSlow(t, "rebuild", "--store", store)
	for _, want := range []string{
		"重建读模型：位置 512/1024（50%），用时 ",
		" · rebuild: position 512/1024 (50%), ",
		"重建读模型：位置 1024/1024（100%），完成，用时 ",
	} {
		if !strings.Contains(rebuild, want) {
			t.Errorf("rebuild progress lacks %q:\n%s", want, rebuild)
		}
	}
	verify := callSlow(t, "verify", "--store", store)
	if !strings.Contains(verify, "校验台账：位置 1024/1024（100%），完成") {
		t.Errorf("verify progress:\n%s", verify)
	}
	key := filepath.Join(filepath.Dir(store), "key")
	mustCall(t, "checkpoint", "--new-key", key)
	cp := callSlow(t, "checkpoint", "--store", store, "--key", key, "--out", filepath.Join(filepath.Dir(store), "cp"))
	if !strings.Contains(cp, "校验台账：位置 1024/1024（100%），完成") {
		t.Errorf("checkpoint progress:\n%s", cp)
	}
	for _, s := range []string{imp, rebuild, verify, cp} {
		if strings.ContainsAny(s, "\r\x1b") {
			t.Errorf("a bar's control characters on a stderr that is not a terminal: %q", s)
		}
	}
	// At the normal pace the same work is quick and says nothing.
	if err, _, errOut := call(t, "rebuild", "--store", store); err != nil || strings.Contains(errOut, "重建读模型") {
		t.Errorf("a quick rebuild wrote progress: %v %q", err, errOut)
	}
}
