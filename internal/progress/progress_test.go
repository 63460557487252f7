package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by step on every reading.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

func TestPlainLinesWhenNotATerminal(t *testing.T) {
	var out bytes.Buffer
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), step: time.Second}
	m := New(Config{W: &out, Task: "重建读模型", TaskEN: "rebuild", Unit: "位置", UnitEN: "position", Total: 1000, Every: 3 * time.Second, Now: clk.now})
	for n := int64(100); n <= 1000; n += 100 {
		m.Set(n)
	}
	m.Finish()
	m.Finish()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	// Ten calls a second apart, a line at most every three seconds, and the
	// last one when done.
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), out.String())
	}
	if want := "重建读模型：位置 300/1000（30%），用时 3s · rebuild: position 300/1000 (30%), 3s"; lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	if want := "重建读模型：位置 1000/1000（100%），完成，用时 11s · rebuild: position 1000/1000 (100%), done, 11s"; lines[3] != want {
		t.Errorf("last line %q, want %q", lines[3], want)
	}
	if strings.Contains(out.String(), "\r") || strings.Contains(out.String(), "\x1b") {
		t.Error("a bar's control characters in plain output")
	}
}

func TestPlainLinesWithoutTotal(t *testing.T) {
	var out bytes.Buffer
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), step: 10 * time.Second}
	m := New(Config{W: &out, Task: "演示数据", TaskEN: "demo", Unit: "事件", UnitEN: "events", Now: clk.now})
	m.Add(500)
	m.Add(250)
	m.Finish()
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"演示数据：事件 500，用时 10s · demo: events 500, 10s",
		"演示数据：事件 750，用时 20s · demo: events 750, 20s",
		"演示数据：事件 750，完成，用时 30s · demo: events 750, done, 30s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestQuietWhenQuick: work done within the first interval writes nothing,
// and progress never goes back.
func TestQuietWhenQuick(t *testing.T) {
	var out bytes.Buffer
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), step: time.Second}
	m := New(Config{W: &out, Task: "导入", TaskEN: "import", Unit: "事件", UnitEN: "events", Now: clk.now})
	m.Set(40)
	m.Set(10)
	m.Finish()
	if out.Len() != 0 {
		t.Fatalf("quick work wrote %q", out.String())
	}
	if m.n != 40 {
		t.Fatalf("progress went back to %d", m.n)
	}
}

func TestBarOnATerminal(t *testing.T) {
	var out bytes.Buffer
	m := New(Config{W: &out, Terminal: true, Task: "校验", TaskEN: "verify", Unit: "事件", UnitEN: "events", Total: 10})
	m.Set(10)
	m.Finish()
	if !strings.Contains(out.String(), "校验 verify") || !strings.Contains(out.String(), "100%") {
		t.Fatalf("bar output: %q", out.String())
	}
	if IsTerminal(&out) {
		t.Fatal("a buffer is not a terminal")
	}
}
