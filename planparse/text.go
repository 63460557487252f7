package planparse

import (
	"strings"
	"unicode/utf8"
)

// span is a half-open byte range [start, end) of a string.
type span struct{ start, end int }

// bracketSpan is a top-level parenthesised group of a string: start is the
// offset of the opening （, ( or 〔, end the offset just past the closing
// one.
type bracketSpan struct {
	start, end int
	inner      string
}

// isOpenParen reports an opening bracket: （, ( or the tortoise-shell 〔
// some plans write attributions in ("〔责任单位：…〕").
func isOpenParen(r rune) bool { return r == '（' || r == '(' || r == '〔' }

// isCloseParen reports a closing bracket: ）, ) or 〕.
func isCloseParen(r rune) bool { return r == '）' || r == ')' || r == '〕' }

// topBrackets returns the top-level bracket groups of s. Groups nest; a
// group left open at a line break or at the end is dropped, and a stray
// closing bracket is ignored.
func topBrackets(s string) []bracketSpan {
	var (
		out     []bracketSpan
		depth   int
		start   int
		openLen int
	)
	for i, r := range s {
		switch {
		case r == '\n':
			depth = 0
		case isOpenParen(r):
			if depth == 0 {
				start, openLen = i, utf8.RuneLen(r)
			}
			depth++
		case isCloseParen(r):
			if depth == 0 {
				continue
			}
			depth--
			if depth == 0 {
				end := i + utf8.RuneLen(r)
				inner := s[start+openLen : i]
				out = append(out, bracketSpan{start: start, end: end, inner: inner})
			}
		}
	}
	return out
}

// scanner tracks nesting so that splitting happens only at the top level:
// outside brackets, quotes and book-title marks.
type scanner struct {
	paren, book int
	quote       bool
}

func (sc *scanner) step(r rune) {
	switch {
	case isOpenParen(r):
		sc.paren++
	case isCloseParen(r):
		if sc.paren > 0 {
			sc.paren--
		}
	case r == '《':
		sc.book++
	case r == '》':
		if sc.book > 0 {
			sc.book--
		}
	case r == '“':
		sc.quote = true
	case r == '”':
		sc.quote = false
	case r == '\n':
		*sc = scanner{}
	}
}

func (sc *scanner) top() bool { return sc.paren == 0 && sc.book == 0 && !sc.quote }

// sentences splits s into sentences at top-level 。！？ and at line breaks.
// A sentence span includes its terminator; empty sentences are skipped.
func sentences(s string) []span {
	var (
		out   []span
		sc    scanner
		start int
	)
	for i, r := range s {
		if r == '\n' {
			if strings.TrimSpace(s[start:i]) != "" {
				out = append(out, span{start, i})
			}
			start = i + 1
			sc = scanner{}
			continue
		}
		sc.step(r)
		if sc.top() && (r == '。' || r == '！' || r == '？') {
			end := i + utf8.RuneLen(r)
			if strings.TrimSpace(s[start:i]) != "" {
				out = append(out, span{start, end})
			}
			start = end
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, span{start, len(s)})
	}
	return out
}

// clauses splits the sentence sp of s at top-level ，；： and drops the
// separators and a closing 。！？.
func clauses(s string, sp span) []span {
	var (
		out   []span
		sc    scanner
		start = sp.start
	)
	add := func(a, b int) {
		for a < b {
			r, n := utf8.DecodeRuneInString(s[a:])
			if r != ' ' {
				break
			}
			a += n
		}
		out = append(out, span{a, b})
	}
	for i, r := range s[sp.start:sp.end] {
		i += sp.start
		sc.step(r)
		if !sc.top() {
			continue
		}
		switch r {
		case '，', '；', '：', ',', ';':
			add(start, i)
			start = i + utf8.RuneLen(r)
		case '。', '！', '？':
			add(start, i)
			start = i + utf8.RuneLen(r)
		}
	}
	if start < sp.end {
		add(start, sp.end)
	}
	return out
}

// splitTop splits s at top-level occurrences of any of the separator runes.
func splitTop(s string, seps string) []string {
	var (
		out   []string
		sc    scanner
		start int
	)
	for i, r := range s {
		sc.step(r)
		if sc.top() && strings.ContainsRune(seps, r) {
			out = append(out, s[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(out, s[start:])
}

// firstSentence returns s up to its first top-level 。 (exclusive), or all
// of its first line if there is none, trimmed of a trailing ：；，.
func firstSentence(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	var sc scanner
	for i, r := range s {
		sc.step(r)
		if sc.top() && (r == '。' || r == '！' || r == '？') {
			return trimPunct(s[:i])
		}
	}
	return trimPunct(s)
}

// trimPunct trims spaces and clause punctuation from both ends of s.
func trimPunct(s string) string {
	return strings.Trim(s, " ，、；：,;:。")
}

// runeLen is the number of runes in s.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// lastRune returns the last rune of s, or 0.
func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	if r == utf8.RuneError {
		return 0
	}
	return r
}

// firstRune returns the first rune of s, or 0.
func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return 0
	}
	return r
}
