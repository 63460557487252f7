// Package gqldoc parses GraphQL executable documents (queries, mutations,
// subscriptions and fragments) far enough for the transport to decide
// before execution: which operation a request runs and of what type, which
// root fields it selects, and how many fields it selects once fragments
// are expanded. Full validation stays with the GraphQL engine.
package gqldoc

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokKind is a lexical token's kind.
type tokKind int

const (
	tokEOF tokKind = iota
	tokPunct
	tokName
	tokInt
	tokFloat
	tokString
)

type token struct {
	kind tokKind
	text string // punctuator, name, number literal or decoded string
	pos  int    // byte offset
}

// Error is a syntax error with its line and column (1-based).
type Error struct {
	Msg          string
	Line, Column int
}

func (e *Error) Error() string {
	return fmt.Sprintf("syntax error at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

type lexer struct {
	src string
	pos int
}

func (l *lexer) errAt(pos int, format string, args ...any) *Error {
	line, col := 1, 1
	for i, r := range l.src {
		if i >= pos {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &Error{Msg: fmt.Sprintf(format, args...), Line: line, Column: col}
}

// skip passes over ignored tokens: white space, line terminators, commas,
// comments and a byte order mark.
func (l *lexer) skip() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			l.pos++
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' && l.src[l.pos] != '\r' {
				l.pos++
			}
		case strings.HasPrefix(l.src[l.pos:], "\uFEFF"):
			l.pos += len("\uFEFF")
		default:
			return
		}
	}
}

func isNameStart(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isNameCont(c byte) bool  { return isNameStart(c) || c >= '0' && c <= '9' }
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }

// next returns the next token.
func (l *lexer) next() (token, error) {
	l.skip()
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	switch {
	case strings.IndexByte("!$&():=@[]{}|", c) >= 0:
		l.pos++
		return token{kind: tokPunct, text: string(c), pos: start}, nil
	case c == '.':
		if strings.HasPrefix(l.src[l.pos:], "...") {
			l.pos += 3
			return token{kind: tokPunct, text: "...", pos: start}, nil
		}
		return token{}, l.errAt(start, "unexpected %q (did you mean \"...\"?)", ".")
	case isNameStart(c):
		for l.pos < len(l.src) && isNameCont(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tokName, text: l.src[start:l.pos], pos: start}, nil
	case c == '-' || isDigit(c):
		return l.number()
	case c == '"':
		if strings.HasPrefix(l.src[l.pos:], `"""`) {
			return l.blockString()
		}
		return l.str()
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	return token{}, l.errAt(start, "unexpected character %q", r)
}

func (l *lexer) number() (token, error) {
	start := l.pos
	float := false
	if l.src[l.pos] == '-' {
		l.pos++
	}
	digits := func() int {
		n := 0
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
			n++
		}
		return n
	}
	intStart := l.pos
	n := digits()
	if n == 0 {
		return token{}, l.errAt(l.pos, "a number needs a digit")
	}
	if n > 1 && l.src[intStart] == '0' {
		return token{}, l.errAt(intStart, "a number may not start with 0")
	}
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		float = true
		l.pos++
		if digits() == 0 {
			return token{}, l.errAt(l.pos, "a number needs digits after '.'")
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		float = true
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.pos++
		}
		if digits() == 0 {
			return token{}, l.errAt(l.pos, "a number needs digits in its exponent")
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == '.' || isNameStart(l.src[l.pos])) {
		return token{}, l.errAt(l.pos, "unexpected %q after a number", l.src[l.pos])
	}
	kind := tokInt
	if float {
		kind = tokFloat
	}
	return token{kind: kind, text: l.src[start:l.pos], pos: start}, nil
}

func (l *lexer) str() (token, error) {
	start := l.pos
	l.pos++ // opening quote
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.pos++
			return token{kind: tokString, text: b.String(), pos: start}, nil
		case c == '\n' || c == '\r':
			return token{}, l.errAt(l.pos, "unterminated string")
		case c == '\\':
			if l.pos+1 >= len(l.src) {
				return token{}, l.errAt(l.pos, "unterminated string")
			}
			e := l.src[l.pos+1]
			l.pos += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, err := l.unicodeEscape()
				if err != nil {
					return token{}, err
				}
				b.WriteRune(r)
			default:
				return token{}, l.errAt(l.pos-2, "invalid escape \\%c", e)
			}
		case c < 0x20 && c != '\t':
			return token{}, l.errAt(l.pos, "invalid character in string")
		default:
			r, size := utf8.DecodeRuneInString(l.src[l.pos:])
			b.WriteRune(r)
			l.pos += size
		}
	}
	return token{}, l.errAt(start, "unterminated string")
}

// unicodeEscape reads the part after \u: four hex digits or {hex…}.
func (l *lexer) unicodeEscape() (rune, error) {
	hex := func(s string) (rune, bool) {
		var r rune
		if s == "" {
			return 0, false
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			var d byte
			switch {
			case c >= '0' && c <= '9':
				d = c - '0'
			case c >= 'a' && c <= 'f':
				d = c - 'a' + 10
			case c >= 'A' && c <= 'F':
				d = c - 'A' + 10
			default:
				return 0, false
			}
			r = r*16 + rune(d)
			if r > utf8.MaxRune {
				return 0, false
			}
		}
		return r, true
	}
	if l.pos < len(l.src) && l.src[l.pos] == '{' {
		end := strings.IndexByte(l.src[l.pos:], '}')
		if end < 0 {
			return 0, l.errAt(l.pos, "invalid unicode escape")
		}
		r, ok := hex(l.src[l.pos+1 : l.pos+end])
		if !ok {
			return 0, l.errAt(l.pos, "invalid unicode escape")
		}
		l.pos += end + 1
		return r, nil
	}
	if l.pos+4 > len(l.src) {
		return 0, l.errAt(l.pos, "invalid unicode escape")
	}
	r, ok := hex(l.src[l.pos : l.pos+4])
	if !ok {
		return 0, l.errAt(l.pos, "invalid unicode escape")
	}
	l.pos += 4
	return r, nil
}

func (l *lexer) blockString() (token, error) {
	start := l.pos
	l.pos += 3
	var b strings.Builder
	for l.pos < len(l.src) {
		switch {
		case strings.HasPrefix(l.src[l.pos:], `\"""`):
			b.WriteString(`"""`)
			l.pos += 4
		case strings.HasPrefix(l.src[l.pos:], `"""`):
			l.pos += 3
			return token{kind: tokString, text: b.String(), pos: start}, nil
		default:
			b.WriteByte(l.src[l.pos])
			l.pos++
		}
	}
	return token{}, l.errAt(start, "unterminated block string")
}
