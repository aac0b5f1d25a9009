package layout

import "testing"

func TestOwned(t *testing.T) {
	for rel, want := range map[string]bool{
		"stats.json":                          true,
		"report.html":                         true,
		"report/histograms.json":              true,
		"report/sample.jsonl.zst":             true,
		"report/notes.md":                     false,
		"report/sub/x.json":                   false,
		"documents/0000.json.gz":              false,
		"documents/00001.json.gz":             false,
		"documents/0001.jsonl.zst":            false,
		"attributes/ent/00001.json.gz":        false,
		"documents/.00004.jsonl.zst.tmp":      true,
		"documents/.hidden":                   false,
		"stats.json.bak":                      false,
		"documents/00000.parquet":             true,
		"documents/00000.jsonl":               true,
		".dedup/done":                         true,
		".run/checkpoint.json":                true,
		".run/lock":                           false,
		"documents/00000.jsonl.zst":           true,
		"documents/1000000.jsonl.zst":         true,
		"documents/00003-00001.parquet":       true,
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
