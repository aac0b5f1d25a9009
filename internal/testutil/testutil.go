// Package testutil holds helpers shared by winnow's tests.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the repository root: the nearest parent of the working
// directory that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testutil: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Shared returns the absolute path of rel inside the shared test material
// that lies beside the repository (../shared). It fails the test when the
// path does not exist: CI always has the material, so a missing file is an
// error, never a skip.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(filepath.Dir(Root(t)), "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testutil: shared test material missing: %v", err)
	}
	return p
}
