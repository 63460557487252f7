package msg

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCallsFillEveryPlaceholder walks the module for calls that pass a
// code and then its arguments (fail(msg.X, msg.Args{…}), refuse,
// catalogued, noticef…): the arguments must name exactly the placeholders
// of the code's texts, so that no message shows "<no value>" and no
// argument is silently dropped.
func TestCallsFillEveryPlaceholder(t *testing.T) {
	names := keyConstants(t, ".")
	c := Default()
	fset := token.NewFileSet()
	calls := 0
	err := filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "../.." && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil || !importsMsg(f) {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			for i := 0; i+1 < len(call.Args); i++ {
				sel, ok := call.Args[i].(*ast.SelectorExpr)
				if !ok || !isPkg(sel.X, "msg") {
					continue
				}
				key, ok := names[sel.Sel.Name]
				if !ok {
					continue
				}
				given, ok := argNames(call.Args[i+1])
				if !ok {
					continue
				}
				calls++
				e, _ := c.Lookup(key)
				want := map[string]bool{}
				for _, m := range placeholderRE.FindAllStringSubmatch(e.ZH+" "+e.EN, -1) {
					want[m[1]] = true
				}
				if missing, extra := minus(want, given), minus(given, want); len(missing)+len(extra) > 0 {
					t.Errorf("%s: %s: missing %v, unused %v", fset.Position(call.Pos()), key, missing, extra)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 100 {
		t.Errorf("only %d calls with a code and its arguments were found: the walk missed them", calls)
	}
}

// argNames reads the names an argument list gives: nil gives none, a
// msg.Args literal with constant keys gives its keys; ok is false for
// anything else (a variable), which the test cannot read.
func argNames(x ast.Expr) (map[string]bool, bool) {
	if id, ok := x.(*ast.Ident); ok && id.Name == "nil" {
		return map[string]bool{}, true
	}
	lit, ok := x.(*ast.CompositeLit)
	if !ok {
		return nil, false
	}
	if sel, ok := lit.Type.(*ast.SelectorExpr); !ok || !isPkg(sel.X, "msg") || sel.Sel.Name != "Args" {
		return nil, false
	}
	out := map[string]bool{}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			return nil, false
		}
		b, ok := kv.Key.(*ast.BasicLit)
		if !ok {
			return nil, false
		}
		k, err := strconv.Unquote(b.Value)
		if err != nil {
			return nil, false
		}
		out[k] = true
	}
	return out, true
}
