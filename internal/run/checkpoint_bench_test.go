package run

import (
	"encoding/json"
	"fmt"
	"testing"
)

// BenchmarkCheckpointSave measures one checkpoint write (JSON, fsync of
// the file, rename, fsync of the folder) of a run with 1000 committed
// document shards; bytes are the checkpoint's size.
func BenchmarkCheckpointSave(b *testing.B) {
	ck := newCheckpoint(runID{Config: "0123456789abcdef", Inputs: make([]string, 200)})
	for i := range ck.Inputs {
		ck.Inputs[i] = fmt.Sprintf("/data/crawl/CC-MAIN-2024-10/segments/%04d/warc/CC-MAIN-%05d.warc.gz", i/10, i)
	}
	for i := range 1000 {
		ck.DocShards = append(ck.DocShards, fmt.Sprintf("documents/%05d.jsonl.zst", i))
	}
	st := newStats("v")
	st.Documents.DroppedByReason = map[string]int64{"gopher_quality/min_words": 12345, "language/language": 67890}
	ck.Stats, _ = json.Marshal(st)
	size, _ := json.MarshalIndent(ck, "", " ")
	dir := b.TempDir()
	b.SetBytes(int64(len(size)))
	for b.Loop() {
		if err := ck.save(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShare measures the split of 100 000 input files among 64
// ranks (each rank computes its own share; bytes: 8 per file size).
func BenchmarkShare(b *testing.B) {
	sizes := make([]int64, 100_000)
	for i := range sizes {
		sizes[i] = int64(1<<30 + (i*7919)%(1<<20))
	}
	b.SetBytes(int64(8 * len(sizes)))
	for b.Loop() {
		share(sizes, 17, 64)
	}
}
