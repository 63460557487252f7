package msg

import (
	"bytes"
	"context"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/errors.md from the catalogue")

const docPath = "../../docs/errors.md"

// TestDocMatchesCatalogue fails when docs/errors.md and the catalogue
// differ; -update rewrites the document.
func TestDocMatchesCatalogue(t *testing.T) {
	want := Default().Markdown()
	if *update {
		if err := os.WriteFile(docPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("docs/errors.md: %v (run go test ./internal/msg -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/errors.md differs from the catalogue: run go test ./internal/msg -update")
	}
}

// TestTableIsSound checks each entry: a unique code, a known class, both
// texts, and every placeholder of the Chinese text in the English one too
// (Name in English matching Name or NameZH in Chinese). The English text
// may name technical detail the Chinese one leaves out (an id, the English
// name of a role or field).
func TestTableIsSound(t *testing.T) {
	seen := map[Key]bool{}
	classes := map[Class]bool{InvalidArgument: true, NotFound: true, Conflict: true, Forbidden: true,
		Unauthenticated: true, IdempotencyConflict: true, LockedOut: true, Internal: true,
		OwnWork: true, NotLead: true, SignOffPending: true, Damaged: true, NewerFormat: true, Unavailable: true}
	for _, e := range allEntries() {
		if seen[e.Key] {
			t.Errorf("%s: listed twice", e.Key)
		}
		seen[e.Key] = true
		if !classes[e.Class] {
			t.Errorf("%s: unknown class %q", e.Key, e.Class)
		}
		if strings.TrimSpace(e.ZH) == "" || strings.TrimSpace(e.EN) == "" {
			t.Errorf("%s: a text is empty", e.Key)
		}
		if missing := minus(placeholders(e.ZH), placeholders(e.EN)); len(missing) > 0 {
			t.Errorf("%s: the English text lacks the Chinese one's placeholders %v", e.Key, missing)
		}
		if !hanRE.MatchString(e.ZH) {
			t.Errorf("%s: the Chinese text holds no Chinese", e.Key)
		}
		if hanRE.MatchString(e.EN) {
			t.Errorf("%s: the English text holds Chinese", e.Key)
		}
	}
}

var (
	placeholderRE = regexp.MustCompile(`\{\{\s*\.([A-Za-z]+)\s*\}\}`)
	hanRE         = regexp.MustCompile(`\p{Han}`)
)

// placeholders returns a text's placeholder names, without a trailing ZH.
func placeholders(s string) map[string]bool {
	set := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		set[strings.TrimSuffix(m[1], "ZH")] = true
	}
	return set
}

// minus lists the names in a and not in b, sorted.
func minus(a, b map[string]bool) []string {
	var out []string
	for n := range a {
		if !b[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// TestEveryKeyHasAnEntry parses the package's Key constants and checks
// that each has an entry, and each entry a constant.
func TestEveryKeyHasAnEntry(t *testing.T) {
	consts := keyConstants(t, ".")
	c := Default()
	for name, key := range consts {
		if _, ok := c.Lookup(key); !ok {
			t.Errorf("%s (%s) has no entry in the catalogue", name, key)
		}
	}
	declared := map[Key]bool{}
	for _, k := range consts {
		declared[k] = true
	}
	for _, e := range Default().Entries() {
		if !declared[e.Key] {
			t.Errorf("entry %s has no constant", e.Key)
		}
	}
}

// keyConstants returns the constants of type Key declared in dir.
func keyConstants(t *testing.T, dir string) map[string]Key {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Key{}
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Key" {
					continue
				}
				for i, n := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s: not a string literal", n.Name)
					}
					v, _ := strconv.Unquote(lit.Value)
					out[n.Name] = Key(v)
				}
			}
		}
	}
	return out
}

// TestCodeUsesOnlyCataloguedCodes walks the module's Go files: a code
// written as a string (msg.Key("…")) must be in the catalogue, and so must
// every msg.Name the code refers to.
func TestCodeUsesOnlyCataloguedCodes(t *testing.T) {
	names := keyConstants(t, ".")
	c := Default()
	fset := token.NewFileSet()
	err := filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		if !importsMsg(f) {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && isPkg(sel.X, "msg") && sel.Sel.Name == "Key" && len(n.Args) == 1 {
					if lit, ok := n.Args[0].(*ast.BasicLit); ok {
						v, _ := strconv.Unquote(lit.Value)
						if _, known := c.Lookup(Key(v)); !known {
							t.Errorf("%s: code %q is not in the catalogue", fset.Position(n.Pos()), v)
						}
					}
				}
			case *ast.SelectorExpr:
				if isPkg(n.X, "msg") && strings.ContainsAny(n.Sel.Name[:1], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && looksLikeKey(n.Sel.Name) {
					if _, ok := names[n.Sel.Name]; !ok {
						t.Errorf("%s: msg.%s is not a catalogued code", fset.Position(n.Pos()), n.Sel.Name)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// importsMsg reports whether f imports this package under its own name.
func importsMsg(f *ast.File) bool {
	for _, im := range f.Imports {
		if im.Path.Value == `"taskledger/internal/msg"` && (im.Name == nil || im.Name.Name == "msg") {
			return true
		}
	}
	return false
}

func isPkg(x ast.Expr, name string) bool {
	id, ok := x.(*ast.Ident)
	return ok && id.Name == name
}

// looksLikeKey tells a code constant from the package's other exported
// names (types, functions, classes, languages).
func looksLikeKey(name string) bool {
	switch name {
	case "Key", "Class", "Lang", "Args", "Entry", "Catalogue", "Default", "Text", "Langs", "Parse", "WithLang", "LangOf",
		"FromAcceptLanguage", "FromLocale", "ZH", "EN",
		"InvalidArgument", "NotFound", "Conflict", "Forbidden", "Unauthenticated",
		"IdempotencyConflict", "LockedOut", "Internal", "OwnWork", "NotLead", "SignOffPending", "Damaged", "NewerFormat", "Unavailable":
		return false
	}
	return true
}

func TestTextFillsPlaceholdersInEachLanguage(t *testing.T) {
	c := Default()
	if got := c.Text(ZH, AccountLoginTaken, Args{"Login": "wangfang"}); got != `登录名“wangfang”已被使用` {
		t.Errorf("zh: %q", got)
	}
	if got := c.Text(EN, AccountLoginTaken, Args{"Login": "wangfang"}); got != `the login name "wangfang" is taken` {
		t.Errorf("en: %q", got)
	}
	// Numbers are printed as they are, not grouped: a year stays 2025.
	if got := c.Text(ZH, PlanAmbiguous, Args{"Count": 2025}); !strings.Contains(got, "2025") {
		t.Errorf("zh number: %q", got)
	}
	if got := c.Text(EN, Key("no.such_code"), nil); got != "[no.such_code]" {
		t.Errorf("unknown code: %q", got)
	}
	if c.ClassOf(Key("no.such_code")) != Internal || c.ClassOf(AuthLockedOut) != LockedOut {
		t.Error("ClassOf")
	}
}

func TestLanguageChoice(t *testing.T) {
	for header, want := range map[string]Lang{
		"":                           ZH,
		"en-US,en;q=0.9":             EN,
		"zh-CN,zh;q=0.9,en;q=0.8":    ZH,
		"fr-FR,en;q=0.5":             EN,
		"en;q=0.3,zh-Hans;q=0.9":     ZH,
		"de":                         ZH,
		"this is not a language tag": ZH,
	} {
		if got := FromAcceptLanguage(header); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", header, got, want)
		}
	}
	for locale, want := range map[string]Lang{"en_US.UTF-8": EN, "zh_CN.UTF-8": ZH, "C.UTF-8": "", "": "", "POSIX": ""} {
		if got := FromLocale(locale); got != want {
			t.Errorf("locale %q: %q, want %q", locale, got, want)
		}
	}
	if l, ok := Parse(" EN "); !ok || l != EN {
		t.Error("Parse EN")
	}
	if _, ok := Parse("fr"); ok {
		t.Error("Parse fr accepted")
	}
}

func TestLangTravelsInTheContext(t *testing.T) {
	if LangOf(context.Background()) != ZH {
		t.Error("the default is not Chinese")
	}
	if LangOf(WithLang(context.Background(), EN)) != EN {
		t.Error("English was lost")
	}
}
