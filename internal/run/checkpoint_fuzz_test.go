package run

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzCheckpoint feeds arbitrary bytes as OUTDIR/.run/checkpoint.json: a
// damaged or foreign file is an error or a checkpoint that resume checks
// and cleans up after, never a panic, and clean removes nothing outside
// the output folders.
func FuzzCheckpoint(f *testing.F) {
	f.Add([]byte(`{"version":2,"config":"x","inputs":["a"],"rank":0,"world_size":0,"mark":{"pos":{"file":0,"items":3},"docs_read":3},"skip_rejects":1,"skip_docs":2,"doc_next":4,"reject_next":1,"doc_shards":["documents/00000.jsonl.zst"],"bytes_out":10}`))
	f.Add([]byte(`{"version":2,"config":"x","inputs":["a"],"doc_next":1,"files":{"documents/00000.jsonl.zst":10,"../../etc/passwd":3,"rejects/00000.jsonl.zst":-1}}`))
	f.Add([]byte(`{"version":1,"finished":"pass","doc_next":-5,"reject_next":99999999999}`))
	f.Add([]byte(`{"stats":{"documents":{"kept":"x"}}}`))
	f.Add([]byte(`{"version":1,"config":"x","inputs":["a"],"mark":{"pos":{"file":0,"items":9},"docs_read":7,"at":{"offset":120,"base":400,"record":30,"items":8,"skipped":{"type:request":3}},"size":5000,"mod_time":"2024-05-06T07:08:09Z"}}`))
	f.Add([]byte(`{"mark":{"pos":{"file":7,"items":-1},"at":{"offset":-5,"items":99}}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, runDir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, runDir, checkpointFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		keep := filepath.Join(dir, "input.jsonl")
		if err := os.WriteFile(keep, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		ck, err := loadCheckpoint(dir)
		if err != nil || ck == nil {
			return
		}
		_ = ck.matches(dir, runID{Config: "x", Inputs: []string{"a"}})
		// A seek point into a file that is not the one it was taken from
		// is refused, never trusted.
		if ck.Mark.At != nil {
			if err := ck.Mark.checkInput([]string{keep}); err == nil && (ck.Mark.Size != 3 || ck.Mark.Pos.File != 0) {
				t.Fatalf("checkInput accepted mark %+v for a 3-byte file", ck.Mark)
			}
		}
		// verify only stats files; a name outside dir is refused
		if err := ck.verify(dir); err == nil {
			for rel := range ck.Files {
				if !filepath.IsLocal(filepath.FromSlash(rel)) {
					t.Fatalf("verify accepted a file outside the folder: %q", rel)
				}
			}
		}
		_, _ = ck.restoreStats("v")
		if err := ck.clean(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(keep); err != nil {
			t.Fatalf("clean removed a file outside the output folders: %v", err)
		}
	})
}

func TestShardIndex(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		ok   bool
	}{
		{"00007.jsonl.zst", 7, true},
		{"00012.bin", 12, true},
		{"123456.parquet", 123456, true},
		{".00003.jsonl.zst.tmp", 0, false},
		{"x.jsonl", 0, false},
		{"-1.jsonl", 0, false},
		{"", 0, false},
	} {
		n, ok := shardIndex(tc.name)
		if ok != tc.ok || (ok && n != tc.n) {
			t.Errorf("shardIndex(%q) = %d, %v; want %d, %v", tc.name, n, ok, tc.n, tc.ok)
		}
	}
}
