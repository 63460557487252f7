package msg

import (
	"bytes"
	"fmt"
	"strings"
)

// Markdown renders the catalogue as docs/errors.md: every code with its
// class and both texts, grouped by area (the code's first part).
func (c *Catalogue) Markdown() []byte {
	var b bytes.Buffer
	b.WriteString("# Error and message codes\n\n")
	b.WriteString("<!-- Generated from internal/msg by `go test ./internal/msg -update`; do not edit by hand. -->\n\n")
	b.WriteString("Every refusal of the application layer, and of the dashboard's own HTTP\n")
	b.WriteString("checks, has a code from one catalogue (`internal/msg`), with a Chinese and an\n")
	b.WriteString("English text, and so has every GraphQL request error (syntax, validation,\n")
	b.WriteString("limits, cost: the `api.*` codes, beside `extensions.kind`; the engine's own\n")
	b.WriteString("English wording stays inside them as `{{.Detail}}`). The API returns it as\n")
	b.WriteString("`extensions.messageCode` beside the class in `extensions.code`, with `message`\n")
	b.WriteString("in the language the request asks for (`Accept-Language`; Chinese by default)\n")
	b.WriteString("and `extensions.messageZH` in Chinese; the CLI prints the Chinese text with\n")
	b.WriteString("the class and the code (`… [CONFLICT] (account.login_taken)`), then the\n")
	b.WriteString("English one (`--lang zh|en` prints one language, an English `LANG` puts\n")
	b.WriteString("English first); the dashboard's JSON errors carry `messageCode`, `message`\n")
	b.WriteString("and `messageZH`. The English text of a `domain.*` code is the general one:\n")
	b.WriteString("the doors show the domain's more specific English sentence in its place,\n")
	b.WriteString("and after the Chinese text in parentheses when it names what was refused.\n\n")
	b.WriteString("`{{.Name}}` marks a placeholder filled in when the message is shown.\n")
	area := ""
	for _, e := range c.Entries() {
		if a, _, _ := strings.Cut(string(e.Key), "."); a != area {
			area = a
			fmt.Fprintf(&b, "\n## %s\n\n| code | class | 中文 | English |\n|---|---|---|---|\n", area)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", e.Key, e.Class, cell(e.ZH), cell(e.EN))
	}
	return b.Bytes()
}

// cell escapes a text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "<", "&lt;")
	return strings.ReplaceAll(s, "\n", " ")
}
