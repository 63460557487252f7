package planparse

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/longbridgeapp/opencc"
)

// WarnTraditional: the text was written in traditional characters (a
// reprint such as 責任單位、牽頭) and was read in simplified ones.
const WarnTraditional = "traditional-converted"

// Thresholds for reading a text as traditional: at least minTraditional
// characters change under conversion, and at least one in
// traditionalShare of its Han characters. A simplified text with a stray
// variant character is left as written.
const (
	minTraditional   = 5
	traditionalShare = 200
)

// traditionalHints are traditional characters common in plans (单位, 牵头,
// 责任, 区县, 发展, 实现…) that simplified texts never use: a text without
// any is not converted at all, which spares simplified texts the
// dictionary pass.
const traditionalHints = "單頭責區縣發實與為個們這國會關機產業務動點員時過對經辦環進現並門"

// t2s is OpenCC's traditional-to-simplified converter, built once: loading
// its dictionaries is slow, and the converter is read-only afterwards.
var t2s = sync.OnceValues(func() (*opencc.OpenCC, error) { return opencc.New("t2s") })

// simplifyTraditional returns s in simplified characters when it is
// written in traditional ones, with a warning saying so; otherwise s as it
// is. Units, roles and labels (责任单位, 牵头) are read in simplified
// characters, and the ledger names units that way.
func simplifyTraditional(s string) (string, []Warning, error) {
	han := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			han++
		}
	}
	if han == 0 || !strings.ContainsAny(s, traditionalHints) {
		return s, nil, nil
	}
	c, err := t2s()
	if err != nil {
		return "", nil, fmt.Errorf("load the traditional-to-simplified dictionary: %w", err)
	}
	out, err := c.Convert(s)
	if err != nil {
		return "", nil, fmt.Errorf("convert traditional characters: %w", err)
	}
	changed := changedRunes(s, out)
	if changed < minTraditional || changed*traditionalShare < han {
		return s, nil, nil
	}
	return out, []Warning{{Code: WarnTraditional,
		Message:   fmt.Sprintf("the text is written in traditional characters; %d of its %d Chinese characters were read in simplified form", changed, han),
		MessageZH: fmt.Sprintf("原文为繁体字，全文 %d 个汉字中有 %d 个已按简体字读取", han, changed)}}, nil
}

// changedRunes counts the runes at which a and b differ, position by
// position, plus the difference in their lengths.
func changedRunes(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	n := 0
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if ra[i] != rb[i] {
			n++
		}
	}
	if d := len(ra) - len(rb); d > 0 {
		n += d
	} else {
		n -= d
	}
	return n
}
