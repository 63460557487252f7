package termtable

import (
	"strings"
	"testing"
)

func TestWidth(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "生态环境局": 10, "（十）": 6, "PM2.5≤25": 8, "宁城县 A": 8} {
		if got := Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestColumnsAlignWithChineseText(t *testing.T) {
	tab := New("单位", "得分").AlignRight(1)
	tab.Row("生态环境局", "92.5")
	tab.Row("red-hill", "8")
	var b strings.Builder
	if err := tab.Write(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	for _, l := range lines {
		if Width(l) != Width(lines[0]) {
			t.Fatalf("line %q is %d columns, header %d:\n%s", l, Width(l), Width(lines[0]), b.String())
		}
	}
}
