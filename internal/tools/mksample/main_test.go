package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"winnow/internal/testutil"
)

// TestCommittedSampleIsCurrent regenerates the sample into a temporary
// folder and compares it with testdata/sample byte for byte, so the
// committed files always match this generator.
func TestCommittedSampleIsCurrent(t *testing.T) {
	dir := t.TempDir()
	os.Args = []string{"mksample", "-out", dir}
	main()
	for _, name := range []string{"sample.warc.gz", "sample.jsonl"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(testutil.Root(t), "testdata", "sample", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output; run go run ./internal/tools/mksample", name)
		}
	}
}
