package app

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"taskledger/internal/msg"
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
	name      string   // the field's name in messages, in English
	nameZH    string   // the same in Chinese
	path      []string // the input field it is (Error.Field); default [name]
	s         *string  // the value, replaced by its clean form
	multiline bool     // free text (newlines and tabs allowed), not a name
}

// freeText is a free-text field: newlines and tabs allowed.
func freeText(name, nameZH string, s *string) textField {
	return textField{name: name, nameZH: nameZH, path: []string{name}, s: s, multiline: true}
}

// nameText is a name: one line, no tabs.
func nameText(name, nameZH string, s *string) textField {
	return textField{name: name, nameZH: nameZH, path: []string{name}, s: s}
}

// at says which input field f is, where messages call it otherwise (a
// note that a rejection words as its reason).
func (f textField) at(path ...string) textField {
	f.path = path
	return f
}

// cleanFields cleans every field in place (cleanText), stopping at the
// first it refuses, which names that field (Error.Field).
func cleanFields(fields ...textField) error {
	for _, f := range fields {
		clean, err := cleanText(f.name, f.nameZH, *f.s, f.multiline)
		if err != nil {
			return inField(err, f.path...)
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
		return "", fail(msg.TextNotUTF8, msg.Args{"Field": field, "FieldZH": fieldZH})
	}
	if multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	i := 0
	for _, r := range s {
		i++
		switch {
		case isBidiControl(r):
			return "", fail(msg.TextBidi, msg.Args{"Field": field, "FieldZH": fieldZH, "At": i, "Char": fmt.Sprintf("U+%04X", r)})
		case multiline && (r == '\n' || r == '\t'):
		case unicode.IsControl(r):
			return "", fail(controlKey(multiline), msg.Args{"Field": field, "FieldZH": fieldZH, "At": i, "Char": fmt.Sprintf("U+%04X", r)})
		}
	}
	return norm.NFC.String(s), nil
}

// isBidiControl reports whether r is a bidirectional embedding, override
// (U+202A–U+202E) or isolate (U+2066–U+2069).
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// controlKey is the refusal of a control character in free text
// (multiline) or in a name.
func controlKey(multiline bool) msg.Key {
	if multiline {
		return msg.TextControlInText
	}
	return msg.TextControl
}
