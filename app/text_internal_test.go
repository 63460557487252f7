package app

import (
	"errors"
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	good := []struct {
		in, want  string
		multiline bool
	}{
		{"进展顺利", "进展顺利", false},
		{"e\u0301cole", "\u00e9cole", false}, // NFC
		{"line one\r\nline two\tend", "line one\nline two\tend", true},
		{"", "", false},
		{"\u200f right-to-left mark is not an override", "\u200f right-to-left mark is not an override", true},
	}
	for _, tc := range good {
		got, err := cleanText("note", "备注", tc.in, tc.multiline)
		if err != nil || got != tc.want {
			t.Errorf("cleanText(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	bad := []struct {
		in        string
		multiline bool
		en, zh    string
	}{
		{"bell\a", true, "control character U+0007 at character 5", "控制字符 U+0007"},
		{"a\x00b", true, "U+0000", "控制字符"},
		{"lone\rreturn", true, "U+000D", "控制字符"},
		{"two\nlines", false, "U+000A", "不能包含控制字符"},
		{"tab\there", false, "U+0009", "控制字符"},
		{"\u0085next line", true, "U+0085", "控制字符"},
		{"abc\u202Efed", true, "bidirectional control character U+202E at character 4", "双向文本控制符 U+202E"},
		{"\u2066isolate\u2069", false, "U+2066", "双向"},
		{"\u202Aembed", true, "U+202A", "双向"},
		{"bad \xff utf-8", true, "not valid UTF-8", "UTF-8"},
	}
	for _, tc := range bad {
		_, err := cleanText("note", "备注", tc.in, tc.multiline)
		var ae *Error
		if !errors.As(err, &ae) || ae.Code != InvalidArgument || !strings.Contains(ae.Msg, tc.en) || !strings.HasPrefix(ae.Msg, "note ") ||
			!strings.Contains(ae.MsgZH, tc.zh) || !strings.HasPrefix(ae.MsgZH, "备注") {
			t.Errorf("cleanText(%q): %#v", tc.in, err)
		}
	}
}
