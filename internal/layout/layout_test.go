package layout

import "testing"

func TestOwned(t *testing.T) {
	for rel, want := range map[string]bool{
		"stats.json":                          true,
		"report.html":                         true,
		"report/index.html":                   true,
		".dedup/done":                         true,
		".run/checkpoint.json":                true,
		".run/lock":                           false,
		"documents/00000.jsonl.zst":           true,
		"documents/1000000.jsonl.zst":         true,
		"documents/00003-00001.parquet":       true,
		"documents/.00004.jsonl.zst.tmp":      true,
		"documents/README.md":                 false,
		"documents/sub/00000.jsonl.zst":       false,
		"rejects/00000.jsonl.zst":             true,
		"rejects/dedup/00002.jsonl.zst":       true,
		"rejects/notes.txt":                   false,
		"side/minhash/00000.bin":              true,
		"side/00000.bin":                      false,
		"attributes/clean/00000.jsonl.zst":    true,
		"in/cc.warc.gz":                       false,
		"in/documents/00000.jsonl.zst":        false,
		"00000.jsonl.zst":                     false,
		"documents/-1.jsonl.zst":              false,
		"documents/00000-00001-00002.jsonl.z": false,
	} {
		if got := Owned(rel); got != want {
			t.Errorf("Owned(%q) = %v, want %v", rel, got, want)
		}
	}
}
