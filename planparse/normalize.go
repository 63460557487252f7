package planparse

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// srcLine is one normalised source line.
type srcLine struct {
	no   int    // 1-based line number in the input
	text string // normalised text, trimmed
	// cells are the normalised cells of a line with two or more tabs (a
	// table row flattened to text), nil for any other line.
	cells []string
}

// markupRE matches stray word-processor markup such as "[bookmark: _GoBack]".
var markupRE = regexp.MustCompile(`\[[A-Za-z_]+:[^\]\n]*\]`)

// normalizeText turns raw input into normalised lines. It rejects input that
// is not UTF-8. Normalisation: CRLF and CR become LF; a byte-order mark is
// dropped; markup like "[bookmark: _GoBack]" is removed (with a warning);
// full-width digits, Latin letters, "．" and "﹒", "％" and "／" become ASCII; control
// characters are dropped; spaces (ASCII, ideographic, no-break) are kept
// only between two ASCII letters or digits; an ASCII double quote becomes
// “ or ” so that quotes pair up; lines starting with "#" are comments.
func normalizeText(src []byte) ([]srcLine, []Warning, error) {
	if !utf8.Valid(src) {
		off := 0
		for off < len(src) {
			r, n := utf8.DecodeRune(src[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		line := 1 + strings.Count(string(src[:off]), "\n")
		return nil, nil, fmt.Errorf("%w: invalid byte 0x%02x at offset %d (line %d)", ErrNotUTF8, src[off], off, line)
	}
	s := string(src)
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s, warn, err := simplifyTraditional(s)
	if err != nil {
		return nil, nil, err
	}
	var out []srcLine
	for i, raw := range strings.Split(s, "\n") {
		no := i + 1
		if strings.HasPrefix(strings.TrimSpace(raw), "#") {
			continue
		}
		if m := markupRE.FindAllString(raw, -1); len(m) > 0 {
			raw = markupRE.ReplaceAllString(raw, "")
			warn = append(warn, Warning{Code: WarnMarkup, Line: no,
				Message:   fmt.Sprintf("removed stray markup %s", strings.Join(m, " ")),
				MessageZH: fmt.Sprintf("已删除残留的排版标记 %s", strings.Join(m, " "))})
		}
		t := normalizeLine(raw)
		if t == "" {
			continue
		}
		out = append(out, srcLine{no: no, text: t, cells: tableCells(raw)})
	}
	return out, warn, nil
}

// normalizeLine maps one line's runes (see normalizeText).
func normalizeLine(raw string) string {
	rs := make([]rune, 0, len(raw))
	for _, r := range raw {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ':
			r = 'A' + (r - 'Ａ')
		case r >= 'ａ' && r <= 'ｚ':
			r = 'a' + (r - 'ａ')
		case r == '．', r == '﹒':
			r = '.'
		case r == '％':
			r = '%'
		case r == '／':
			r = '/'
		case r == '\t', r == '\u3000', r == '\u00a0', r == '\u2002', r == '\u2003', r == '\u2009', r == '\u200b', r == '\ufeff':
			r = ' '
		case r == utf8.RuneError, unicode.IsControl(r):
			continue
		}
		rs = append(rs, r)
	}
	// Spaces survive only between two ASCII letters or digits.
	kept := rs[:0:0]
	for i, r := range rs {
		if r != ' ' {
			kept = append(kept, r)
			continue
		}
		var prev, next rune
		if len(kept) > 0 {
			prev = kept[len(kept)-1]
		}
		for j := i + 1; j < len(rs); j++ {
			if rs[j] != ' ' {
				next = rs[j]
				break
			}
		}
		if isASCIIAlnum(prev) && isASCIIAlnum(next) && prev != ' ' {
			kept = append(kept, ' ')
		}
	}
	// ASCII double quotes pair up with the curly ones around them.
	open := false
	for i, r := range kept {
		switch r {
		case '“':
			open = true
		case '”':
			open = false
		case '"':
			if open {
				kept[i] = '”'
			} else {
				kept[i] = '“'
			}
			open = !open
		}
	}
	return strings.TrimSpace(string(kept))
}

func isASCIIAlnum(r rune) bool {
	return r < utf8.RuneSelf && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
}

// cnDigit maps a Chinese numeral character to its value.
func cnDigit(r rune) (int, bool) {
	switch r {
	case '零', '〇':
		return 0, true
	case '一':
		return 1, true
	case '二', '两':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

// parseCN reads a Chinese numeral below 1000 ("三" 3, "十" 10, "二十七" 27,
// "一百零五" 105).
func parseCN(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	total, cur := 0, 0
	seenUnit := false
	for _, r := range s {
		if d, ok := cnDigit(r); ok {
			cur = d
			continue
		}
		switch r {
		case '十':
			if cur == 0 {
				cur = 1
			}
			total += cur * 10
			cur = 0
			seenUnit = true
		case '百':
			if cur == 0 {
				cur = 1
			}
			total += cur * 100
			cur = 0
			seenUnit = true
		default:
			return 0, false
		}
	}
	total += cur
	if !seenUnit && utf8.RuneCountInString(s) > 1 {
		// "二三" is not a numeral.
		return 0, false
	}
	return total, total > 0
}

// formatCN writes n (1…999) as a Chinese numeral.
func formatCN(n int) string {
	const digits = "零一二三四五六七八九"
	d := []rune(digits)
	if n <= 0 || n > 999 {
		return fmt.Sprint(n)
	}
	var b strings.Builder
	h, t, u := n/100, n/10%10, n%10
	if h > 0 {
		b.WriteRune(d[h])
		b.WriteRune('百')
		if t == 0 && u != 0 {
			b.WriteRune('零')
		}
	}
	if t > 0 {
		if !(t == 1 && h == 0) {
			b.WriteRune(d[t])
		}
		b.WriteRune('十')
	}
	if u > 0 {
		b.WriteRune(d[u])
	}
	return b.String()
}
