package planparse

import (
	"go/ast"
	goparser "go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// roleGapsPlan gives the warnings the documents in testdata do not: units
// named without a role, a date that does not exist, a repeated task number.
const roleGapsPlan = `某市试点工作实施方案
一、重点任务
（一）建设示范基地。2025年2月30日前建成示范基地10个。（市农牧局牵头，市财政局配合。市商务局、市科技局）
（二）完善补贴政策。（市财政局负责）
（二）加强督查。（市农牧局负责）
（五）加强宣传。（市农牧局负责）
`

// Every warning the parser gives on the documents of testdata (heldout/
// and unseen/ included), read with no registry and with Chifeng's, carries
// its detail in Chinese as well as in English; between them the documents
// give every kind of warning the catalogue lists.
func TestEveryWarningHasChineseDetail(t *testing.T) {
	docs := map[string][]byte{"roleGapsPlan": []byte(roleGapsPlan)}
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".txt" {
			return err
		}
		src, err := os.ReadFile(path)
		docs[path] = src
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 30 {
		t.Fatalf("read only %d documents from testdata", len(docs))
	}
	seen := map[string]bool{}
	for name, src := range docs {
		for _, opts := range []Options{{}, {Registry: ChifengRegistry()}} {
			p, err := ParseBytes(src, opts)
			if err != nil {
				t.Logf("%s: not parsed: %v", name, err)
				continue
			}
			for _, w := range p.Warnings {
				seen[w.Code] = true
				if !hasHan(w.MessageZH) {
					t.Errorf("%s line %d %s: no Chinese detail: %q (English %q)", name, w.Line, w.Code, w.MessageZH, w.Message)
				}
				if w.Message == "" {
					t.Errorf("%s line %d %s: no English detail", name, w.Line, w.Code)
				}
			}
		}
	}
	for _, k := range WarningKinds() {
		if !seen[k.Code] {
			t.Errorf("no document gives a %s warning, so its Chinese detail goes unchecked", k.Code)
		}
	}
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// Every place in the package that builds a warning with an English message
// gives the Chinese one beside it, so that a warning no document in
// testdata happens to give is not left in English alone.
func TestEveryWarningSiteHasChinese(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	sites := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := goparser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			keys := map[string]bool{}
			for _, e := range lit.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok {
						keys[id.Name] = true
					}
				}
			}
			if keys["Code"] && keys["Message"] {
				sites++
				if !keys["MessageZH"] {
					t.Errorf("%s: a warning with no MessageZH", fset.Position(lit.Pos()))
				}
			}
			return true
		})
	}
	if sites < 20 {
		t.Errorf("found only %d places that build a warning", sites)
	}
}

// The document's words are quoted the Chinese way, with quotation marks
// inside them turned into single ones.
func TestQuoteZH(t *testing.T) {
	cases := map[string]string{
		"各有关部门": "“各有关部门”",
		"省推进“三地一区”建设领导小组成员单位": "“省推进‘三地一区’建设领导小组成员单位”",
	}
	for in, want := range cases {
		if got := quoteZH(in); got != want {
			t.Errorf("quoteZH(%q) = %q, want %q", in, got, want)
		}
	}
	if got := quotedZH([]string{"说明", "备注"}); got != "“说明”“备注”" {
		t.Errorf("quotedZH = %q", got)
	}
}

// A deadline that names no real date and one that names no year are told
// apart in Chinese as in English.
func TestDateErrorZH(t *testing.T) {
	noYear := &dateError{phrase: "5月底前", noYear: true}
	noDate := &dateError{phrase: "2025年2月30日前"}
	if got := dateErrorZH(noYear); got != "时限“5月底前”未写年份，方案年份也不明" {
		t.Errorf("no year: %q", got)
	}
	if got := dateErrorZH(noDate); got != "时限“2025年2月30日前”不是有效日期" {
		t.Errorf("no date: %q", got)
	}
	if !strings.Contains(noDate.Error(), "names no real date") {
		t.Errorf("English: %q", noDate.Error())
	}
}
