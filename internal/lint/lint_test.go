package lint

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"winnow/internal/testutil"
)

// goAllowed are the folders (relative to the repository root) where go
// statements belong: the executor and the command.
var goAllowed = []string{"internal/run", "cmd"}

// goDocumented lists files outside goAllowed whose go statements are
// unavoidable and documented at the statement, with the reason. Prefer a
// "//winnow:goroutine <reason>" comment on the line above the statement.
var goDocumented = map[string]string{
	// trafilatura cannot be interrupted, so a per-document time budget
	// needs the extraction on its own goroutine (bounded; see runBudget).
	"internal/extract/stage.go": "per-document extraction time budget",
}

type finding struct {
	pos  token.Position
	what string
}

// scan parses every .go file under root (skipping testdata, hidden
// folders and vendor) and reports os.Exit calls outside cmd/ folders and
// test files, and go statements outside goAllowed in non-test files.
func scan(t *testing.T, root string) []finding {
	t.Helper()
	var out []finding
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		// A command lives in a cmd/ folder at any depth (beam/cmd/...).
		inCmd := under(rel, "cmd") || strings.Contains(rel, "/cmd/")
		_, documented := goDocumented[rel]
		goOK := inCmd || documented || strings.HasSuffix(path, "_test.go")
		for _, a := range goAllowed {
			goOK = goOK || under(rel, a)
		}
		exempt := exemptLines(fset, f)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Exit" {
					// A test binary's TestMain ends with os.Exit(m.Run()).
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "os" && !inCmd && !strings.HasSuffix(path, "_test.go") {
						out = append(out, finding{fset.Position(n.Pos()), "os.Exit outside cmd/"})
					}
				}
			case *ast.GoStmt:
				p := fset.Position(n.Pos())
				if !goOK && !exempt[p.Line-1] {
					out = append(out, finding{p, "go statement outside the executor (mark an unavoidable one with //winnow:goroutine <reason> on the line above)"})
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func under(rel, dir string) bool { return rel == dir || strings.HasPrefix(rel, dir+"/") }

// exemptLines are the lines holding a //winnow:goroutine comment.
func exemptLines(fset *token.FileSet, f *ast.File) map[int]bool {
	m := map[int]bool{}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//winnow:goroutine ") {
				m[fset.Position(c.Pos()).Line] = true
			}
		}
	}
	return m
}

func TestHouseRules(t *testing.T) {
	for _, f := range scan(t, testutil.Root(t)) {
		t.Errorf("%s: %s", f.pos, f.what)
	}
}

// TestScanFindsViolations checks the scanner itself on a planted tree, so
// that TestHouseRules cannot pass by finding nothing.
func TestScanFindsViolations(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                       "module x\n",
		"internal/stage/s.go":          "package stage\nimport \"os\"\nfunc F() { go func(){}(); os.Exit(2) }\n",
		"internal/stage/ok.go":         "package stage\nfunc G() {\n\t//winnow:goroutine the C library blocks\n\tgo func(){}()\n}\n",
		"internal/stage/s_test.go":     "package stage\nfunc H() { go func(){}() }\n",
		"internal/run/r.go":            "package run\nfunc R() { go func(){}() }\n",
		"cmd/x/main.go":                "package main\nimport \"os\"\nfunc main() { go func(){}(); os.Exit(1) }\n",
		"internal/stage/testdata/t.go": "package t\nimport \"os\"\nfunc T() { os.Exit(1) }\n",
		"beam/cmd/y/main.go":           "package main\nimport \"os\"\nfunc main() { os.Exit(1) }\n",
		"beam/p/main_test.go":          "package p\nimport (\"os\"; \"testing\")\nfunc TestMain(m *testing.M) { os.Exit(m.Run()) }\n",
		"beam/p/p.go":                  "package p\nimport \"os\"\nfunc P() { os.Exit(1) }\n",
	}
	for name, src := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := scan(t, root)
	var lines []string
	for _, f := range got {
		rel, _ := filepath.Rel(root, f.pos.Filename)
		lines = append(lines, filepath.ToSlash(rel)+":"+f.what)
	}
	want := []string{"beam/p/p.go:os.Exit outside cmd/", "internal/stage/s.go:go statement outside the executor (mark an unavoidable one with //winnow:goroutine <reason> on the line above)", "internal/stage/s.go:os.Exit outside cmd/"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("findings\n got %q\nwant %q", lines, want)
	}
}
