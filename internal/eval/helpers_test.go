package eval

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var gzCount int

// writeGz writes s gzip-compressed to a new file in a temporary folder.
func writeGz(t *testing.T, s string) string {
	t.Helper()
	gzCount++
	p := filepath.Join(t.TempDir(), strconv.Itoa(gzCount)+".html.gz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}
