package format

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSkipKey(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"a.arc.gz", ".arc.gz"},
		{"CC-MAIN-1.warc.gz.bad", ".bad"},
		{"x.warc.LZ4", ".warc.lz4"},
		{"y.wat.gz", ".wat.gz"},
		{"z.test", ".test"},
		{"README", "(none)"},
		{"notes.txt", ".txt"},
		{"plain.gz", ".gz"},
	} {
		if got := SkipKey(tc.name); got != tc.want {
			t.Errorf("SkipKey(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestExpandWithOutputs: a walk does not enter the excluded folder nor a
// folder below the walked one that holds a winnow output, and counts the
// files whose names it does not know.
func TestExpandWithOutputs(t *testing.T) {
	root := t.TempDir()
	touch := func(rel string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	in := touch("in.jsonl")
	touch("notes.txt")
	touch("a.arc.gz")
	touch("b.arc.gz")
	touch(".tmp-123") // hidden: neither read nor counted
	// an earlier run's output: stats.json beside documents/
	touch("out/stats.json")
	touch("out/documents/00000.jsonl.zst")
	// an unfinished run: .run/ only
	touch("half/.run/checkpoint.json")
	touch("half/documents/00000.jsonl.zst")
	// the run's own output folder, not yet a winnow output
	touch("new/stray.jsonl")
	// a folder with stats.json but no documents/ is read
	other := touch("other/stats.json")

	ex, err := ExpandWith([]string{root}, ExpandOptions{Exclude: []string{filepath.Join(root, "new")}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{in, other}; !reflect.DeepEqual(ex.Files, want) {
		t.Errorf("files %v, want %v", ex.Files, want)
	}
	if want := map[string]int64{".txt": 1, ".arc.gz": 2}; !reflect.DeepEqual(ex.SkippedFiles, want) {
		t.Errorf("skipped files %v, want %v", ex.SkippedFiles, want)
	}
	if ex.SkippedOutputs != 3 {
		t.Errorf("skipped outputs %d, want 3 (out, half, new)", ex.SkippedOutputs)
	}
	// A file named directly inside the excluded folder is not an input
	// either; of an output folder named as the walked root only the
	// documents shards are read.
	ex, err = ExpandWith([]string{filepath.Join(root, "new", "stray.jsonl"), filepath.Join(root, "out")}, ExpandOptions{Exclude: []string{filepath.Join(root, "new")}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(root, "out", "documents", "00000.jsonl.zst")}; !reflect.DeepEqual(ex.Files, want) {
		t.Errorf("files %v, want %v", ex.Files, want)
	}
	// Files a glob matches inside an earlier output: its document shards
	// only; its stats.json and rejects are no documents.
	touch("out/rejects/00000.jsonl.zst")
	ex, err = ExpandWith([]string{filepath.Join(root, "out", "*", "*"), filepath.Join(root, "*", "stats.json")}, ExpandOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{other, filepath.Join(root, "out", "documents", "00000.jsonl.zst")}; !reflect.DeepEqual(ex.Files, want) || ex.SkippedOutputs != 1 {
		t.Errorf("glob files %v, skipped outputs %d; want %v and 1 (out)", ex.Files, ex.SkippedOutputs, want)
	}
}

// FuzzSkipKey: any name gives "(none)" or a lower-case key that starts
// with "." and ends the lower-cased name.
func FuzzSkipKey(f *testing.F) {
	for _, s := range []string{"a.arc.gz", "x.warc.gz.bad", ".gz", "..", "a..gz", "README", "ß.ÄRC.GZ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		k := SkipKey(name)
		if k == "(none)" {
			return
		}
		if !strings.HasPrefix(k, ".") || !strings.HasSuffix(strings.ToLower(name), k) {
			t.Fatalf("SkipKey(%q) = %q", name, k)
		}
	})
}
