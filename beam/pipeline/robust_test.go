package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/options/jobopts"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/flink"

	"winnow/internal/config"
	"winnow/internal/run"
)

// shardConfig writes one document (or rejects row) per shard: every row
// is larger than max_shard_bytes.
const shardConfig = `
batch_size: 64
output: {max_shard_bytes: 1}
steps: [clean]
`

// manyRowsInput writes a JSONL file of docs documents (ids prefix0000,
// ...) and bad lines that do not parse, each a bad record.
func manyRowsInput(t *testing.T, path, prefix string, docs, bad int) map[string]bool {
	t.Helper()
	var b strings.Builder
	ids := map[string]bool{}
	for i := range docs {
		id := fmt.Sprintf("%s%04d", prefix, i)
		ids[id] = true
		fmt.Fprintf(&b, "{\"id\":%q,\"text\":\"document %s of the test\"}\n", id, id)
	}
	for range bad {
		b.WriteString("{not json\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return ids
}

// shardFiles lists the names in dir/sub that end in .jsonl.zst.
func shardFiles(t *testing.T, dir, sub string) map[string]bool {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, sub))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".jsonl.zst") {
			out[e.Name()] = true
		}
	}
	return out
}

func shardSet(numbers ...int) map[string]bool {
	out := map[string]bool{}
	for _, n := range numbers {
		out[fmt.Sprintf("%05d.jsonl.zst", n)] = true
	}
	return out
}

func seq(from, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = from + i
	}
	return out
}

// TestManyShardsPerInput: an input file that needs 1001 document shards
// and 1001 rejects shards (one row each) is written whole, and the next
// file's shards start at 1,000,000 (the stride), where no shard of the
// first can be.
func TestManyShardsPerInput(t *testing.T) {
	tmp := t.TempDir()
	a, b := filepath.Join(tmp, "a.jsonl"), filepath.Join(tmp, "b.jsonl")
	want := manyRowsInput(t, a, "a", 1001, 1001)
	for id := range manyRowsInput(t, b, "b", 2, 0) {
		want[id] = true
	}
	out := filepath.Join(tmp, "out")
	if err := Run(t.Context(), "prism", Options{Inputs: []string{a, b}, OutDir: out, Config: []byte(shardConfig), ConfigName: "test.yaml"}); err != nil {
		t.Fatal(err)
	}
	docs := readDocs(t, out)
	if len(docs) != len(want) {
		t.Errorf("%d documents written, want %d", len(docs), len(want))
	}
	for id := range want {
		if _, ok := docs[id]; !ok {
			t.Errorf("document %s missing", id)
		}
	}
	if got, want := shardFiles(t, out, "documents"), shardSet(append(seq(0, 1001), 1_000_000, 1_000_001)...); !reflect.DeepEqual(got, want) {
		t.Errorf("documents shards: %d names, want 00000…01000, 1000000, 1000001", len(got))
	}
	if got, want := shardFiles(t, out, "rejects"), shardSet(seq(0, 1001)...); !reflect.DeepEqual(got, want) {
		t.Errorf("rejects shards: %d names, want 00000…01000", len(got))
	}
	if rows := rejectLines(t, out, "rejects/*.jsonl.zst"); len(rows) != 1001 {
		t.Errorf("%d rejects rows, want 1001", len(rows))
	}
	st := readStats(t, out)
	if st.Documents.Kept != 1003 || st.Rejected.Total != 1001 || len(st.Shards) != 1003 {
		t.Fatalf("stats: kept %d, rejected %d, %d shards; want 1003, 1001, 1003", st.Documents.Kept, st.Rejected.Total, len(st.Shards))
	}
	// by number, not as strings
	if st.Shards[1000] != "documents/01000.jsonl.zst" || st.Shards[1001] != "documents/1000000.jsonl.zst" || st.Shards[1002] != "documents/1000001.jsonl.zst" {
		t.Errorf("stats.json shards end with %q, want documents/01000, 1000000, 1000001", st.Shards[1000:])
	}
}

// TestShardStrideCap lowers the stride to 4: a file of 10 documents and
// 10 bad records, one row per shard by max_shard_bytes, writes exactly 4
// documents shards and 4 rejects shards (the rows cut into runs, the last
// one taking the rest), every row once, and the next file's shards keep
// their own numbers from 4.
func TestShardStrideCap(t *testing.T) {
	saved := shardsPerInput
	shardsPerInput = 4
	t.Cleanup(func() { shardsPerInput = saved })
	tmp := t.TempDir()
	a, b := filepath.Join(tmp, "a.jsonl"), filepath.Join(tmp, "b.jsonl")
	want := manyRowsInput(t, a, "a", 10, 10)
	for id := range manyRowsInput(t, b, "b", 3, 0) {
		want[id] = true
	}
	out := filepath.Join(tmp, "out")
	if err := Run(t.Context(), "prism", Options{Inputs: []string{a, b}, OutDir: out, Config: []byte(shardConfig), ConfigName: "test.yaml"}); err != nil {
		t.Fatal(err)
	}
	docs := readDocs(t, out) // fails on a document written twice
	if len(docs) != len(want) {
		t.Errorf("%d documents written, want %d", len(docs), len(want))
	}
	for id := range want {
		if _, ok := docs[id]; !ok {
			t.Errorf("document %s missing", id)
		}
	}
	if got, want := shardFiles(t, out, "documents"), shardSet(0, 1, 2, 3, 4, 5, 6); !reflect.DeepEqual(got, want) {
		t.Errorf("documents shards %v, want %v", got, want)
	}
	if got, want := shardFiles(t, out, "rejects"), shardSet(0, 1, 2, 3); !reflect.DeepEqual(got, want) {
		t.Errorf("rejects shards %v, want %v", got, want)
	}
	if rows := rejectLines(t, out, "rejects/*.jsonl.zst"); len(rows) != 10 {
		t.Errorf("%d rejects rows, want 10", len(rows))
	}
	// the first three runs hold one row each, the last the other seven
	for i, want := range []int{1, 1, 1, 7} {
		for _, sub := range []string{"documents", "rejects"} {
			if n := len(rejectLines(t, out, fmt.Sprintf("%s/%05d.jsonl.zst", sub, i))); n != want {
				t.Errorf("%s/%05d.jsonl.zst holds %d rows, want %d", sub, i, n, want)
			}
		}
	}
}

func TestShardRuns(t *testing.T) {
	size := func(int) int64 { return 10 }
	for _, c := range []struct {
		n     int
		max   int64
		limit int
		want  [][2]int
	}{
		{5, 25, 10, [][2]int{{0, 2}, {2, 4}, {4, 5}}}, // as the writer rotates: 2 rows of 10 fit in 25
		{5, 1, 10, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}},
		{5, 1, 3, [][2]int{{0, 1}, {1, 2}, {2, 5}}}, // the last run takes the rest
		{0, 1, 3, nil},
	} {
		if got := shardRuns(c.n, size, c.max, c.limit); !reflect.DeepEqual(got, c.want) {
			t.Errorf("shardRuns(%d, max %d, limit %d) = %v, want %v", c.n, c.max, c.limit, got, c.want)
		}
	}
}

// TestOverwriteWhenJobRuns: with Overwrite, a job the runner refuses (the
// flink runner without --endpoint) leaves the earlier output as it
// was; a job that runs removes it (a stale shard of the earlier output
// is gone, stats.json is the new one) and keeps the lock file.
func TestOverwriteWhenJobRuns(t *testing.T) {
	tmp := t.TempDir()
	in := filepath.Join(tmp, "a.jsonl")
	manyRowsInput(t, in, "a", 3, 0)
	out := filepath.Join(tmp, "out")
	stale := filepath.Join(out, "documents", "00007.jsonl.zst")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	old := map[string]string{stale: "earlier shard", filepath.Join(out, "stats.json"): "{}\n"}
	for p, c := range old {
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opt := Options{Inputs: []string{in}, OutDir: out, Overwrite: true, Config: []byte("steps: [clean]\n"), ConfigName: "test.yaml"}
	// an earlier Prism job of this process points the endpoint flag at
	// its own job server
	saved := *jobopts.Endpoint
	*jobopts.Endpoint = ""
	err := Run(t.Context(), "flink", opt)
	*jobopts.Endpoint = saved
	if err == nil || !strings.Contains(err.Error(), "endpoint") {
		t.Fatalf("flink runner without an endpoint: %v, want a refusal naming the endpoint", err)
	}
	for p, c := range old {
		if b, err := os.ReadFile(p); err != nil || string(b) != c {
			t.Errorf("after a refused job %s holds %q (%v), want %q", p, b, err, c)
		}
	}
	if err := Run(t.Context(), "prism", opt); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the earlier shard survived the overwrite: %v", err)
	}
	if st := readStats(t, out); st.Documents.Kept != 3 {
		t.Errorf("stats.json kept %d, want 3", st.Documents.Kept)
	}
	if docs := readDocs(t, out); len(docs) != 3 {
		t.Errorf("%d documents, want 3", len(docs))
	}
	if _, err := os.Stat(filepath.Join(out, ".run", "lock")); err != nil {
		t.Errorf("lock file: %v", err)
	}
}

// TestLockedOutput: Run refuses an output folder whose lock another
// holder has (as winnow run takes it), naming the holder, and writes
// nothing.
func TestLockedOutput(t *testing.T) {
	tmp := t.TempDir()
	in := filepath.Join(tmp, "a.jsonl")
	manyRowsInput(t, in, "a", 1, 0)
	out := filepath.Join(tmp, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := run.Lock(out, false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	err = Run(t.Context(), "prism", Options{Inputs: []string{in}, OutDir: out})
	if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("Run over a locked folder: %v, want an in-use error naming pid %d", err, os.Getpid())
	}
	if _, err := os.Stat(filepath.Join(out, "stats.json")); !os.IsNotExist(err) {
		t.Errorf("stats.json written under a held lock: %v", err)
	}
}

// TestSkippedFilesAsWinnowRun: the inputs section of stats.json (total,
// unreadable inputs and their reasons, skipped_files by extension,
// skipped_outputs) is the same from Beam as from winnow run, for a
// folder holding a JSONL file, two files of no input format, an earlier
// output folder and a broken gzip file, plus a path that does not
// exist.
func TestSkippedFilesAsWinnowRun(t *testing.T) {
	tmp := t.TempDir()
	in := filepath.Join(tmp, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	manyRowsInput(t, filepath.Join(in, "a.jsonl"), "a", 2, 0)
	files := map[string]string{
		"README.txt":            "notes\n",
		"crawl.arc.gz":          "not read\n",
		"broken.jsonl.gz":       "this is not gzip",
		"old/stats.json":        "{}\n",
		"old/documents/x.jsonl": "{\"id\":\"x\",\"text\":\"earlier output\"}\n",
		"sub/b.jsonl":           "{\"id\":\"b\",\"text\":\"a document\"}\n",
	}
	for name, c := range files {
		p := filepath.Join(in, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inputs := []string{in, filepath.Join(tmp, "missing.jsonl")}
	cfgText := "steps: [clean]\n"
	cfg, err := config.Parse("test.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(tmp, "local")
	if _, err := run.RunPhases(context.Background(), run.Options{Inputs: inputs, OutDir: local, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	beamOut := filepath.Join(tmp, "beam")
	if err := Run(t.Context(), "prism", Options{Inputs: inputs, OutDir: beamOut, Config: []byte(cfgText), ConfigName: "test.yaml"}); err != nil {
		t.Fatal(err)
	}
	want, got := readStats(t, local), readStats(t, beamOut)
	// by hand: 3 input files (a, broken, sub/b) and the missing
	// path; README.txt and crawl.arc.gz passed over; old/ not entered
	if want.Inputs.Total != 4 || want.Inputs.Unreadable != 2 || want.Inputs.SkippedOutputs != 1 ||
		!reflect.DeepEqual(want.Inputs.SkippedFiles, map[string]int64{".txt": 1, ".arc.gz": 1}) {
		t.Fatalf("winnow run inputs %+v, want total 4, unreadable 2, skipped .txt and .arc.gz, 1 output", want.Inputs)
	}
	if !reflect.DeepEqual(got.Inputs, want.Inputs) {
		t.Errorf("beam inputs %+v\nwinnow run inputs %+v", got.Inputs, want.Inputs)
	}
}
