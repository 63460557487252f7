package app

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Free text (notes, reasons, evidence, summaries, bases) and names
// (token names, a plan's issuer, an indicator's source) are what people
// read in the ledger, its exports and its bulletins, long after they were
// written. So the application layer refuses, before anything is recorded,
// text that would show something other than what it holds: invalid UTF-8,
// control characters (free text may hold newlines and tabs; names may
// not) and the bidirectional overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) that reorder what a reader sees. Names and text are
// stored NFC-normalised, so that one name typed two ways is one name.

// textField is one free-text or name field of an input, checked and
// normalised in place by cleanFields.
type textField struct {
	name      string  // the input's field name, in English
	nameZH    string  // the same in Chinese
	s         *string // the value, replaced by its clean form
	multiline bool    // free text (newlines and tabs allowed), not a name
}

// freeText is a free-text field: newlines and tabs allowed.
func freeText(name, nameZH string, s *string) textField {
	return textField{name: name, nameZH: nameZH, s: s, multiline: true}
}

// nameText is a name: one line, no tabs.
func nameText(name, nameZH string, s *string) textField {
	return textField{name: name, nameZH: nameZH, s: s}
}

// cleanFields cleans every field in place (cleanText), stopping at the
// first it refuses.
func cleanFields(fields ...textField) error {
	for _, f := range fields {
		clean, err := cleanText(f.name, f.nameZH, *f.s, f.multiline)
		if err != nil {
			return err
		}
		*f.s = clean
	}
	return nil
}

// cleanText returns s NFC-normalised, with Windows line ends ("\r\n")
// made "\n" in free text, or an *Error (INVALID_ARGUMENT, in English and
// Chinese) naming the field and the first character it refuses: invalid
// UTF-8, a control character other than newline and tab in free text
// (multiline) or any control character in a name, or a bidirectional
// override or isolate.
func cleanText(field, fieldZH, s string, multiline bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", errorf(InvalidArgument,
			fmt.Sprintf("%s is not valid UTF-8 text", field),
			fmt.Sprintf("%s不是有效的 UTF-8 文本", fieldZH))
	}
	if multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	i := 0
	for _, r := range s {
		i++
		switch {
		case isBidiControl(r):
			return "", errorf(InvalidArgument,
				fmt.Sprintf("%s holds the bidirectional control character U+%04X at character %d, which changes the order in which text is shown: remove it", field, r, i),
				fmt.Sprintf("%s第 %d 个字符是双向文本控制符 U+%04X，会改变文字的显示顺序，请删除", fieldZH, i, r))
		case multiline && (r == '\n' || r == '\t'):
		case unicode.IsControl(r):
			allowed := "no control characters"
			allowedZH := "不能包含控制字符"
			if multiline {
				allowed, allowedZH = "only newlines and tabs among control characters", "控制字符中只允许换行和制表符"
			}
			return "", errorf(InvalidArgument,
				fmt.Sprintf("%s holds the control character U+%04X at character %d: it may hold %s", field, r, i, allowed),
				fmt.Sprintf("%s第 %d 个字符是控制字符 U+%04X：%s", fieldZH, i, r, allowedZH))
		}
	}
	return norm.NFC.String(s), nil
}

// isBidiControl reports whether r is a bidirectional embedding, override
// (U+202A–U+202E) or isolate (U+2066–U+2069).
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}
