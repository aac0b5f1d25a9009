package pipeline

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"winnow/internal/dedup"
)

// TestBuildRefuses checks the problems Build reports before any worker
// starts, each with its message.
func TestBuildRefuses(t *testing.T) {
	tmp := t.TempDir()
	in := filepath.Join(tmp, "in.jsonl")
	if err := os.WriteFile(in, []byte(`{"id":"1","text":"a"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	used := filepath.Join(tmp, "used")
	if err := os.MkdirAll(filepath.Join(used, "documents"), 0o755); err != nil {
		t.Fatal(err)
	}
	// stand-off attributes of a winnow run: they would describe other
	// documents than the new ones
	standoff := filepath.Join(tmp, "standoff")
	if err := os.MkdirAll(filepath.Join(standoff, "attributes", "language"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opt  Options
		want string
	}{
		{"bad config", Options{Inputs: []string{in}, OutDir: filepath.Join(tmp, "o5"), Config: []byte("steps: [{no_such_step: {}}]")}, "no_such_step"},
		{"no input", Options{Inputs: []string{filepath.Join(tmp, "missing*.jsonl")}, OutDir: filepath.Join(tmp, "o6")}, "no input to read"},
		{"no output", Options{Inputs: []string{in}}, "no output folder"},
		{"bad added", Options{Inputs: []string{in}, OutDir: filepath.Join(tmp, "o7"), Added: "yesterday"}, "not RFC 3339"},
		{"output in use", Options{Inputs: []string{in}, OutDir: used}, "already holds output (documents); choose another folder or give --overwrite"},
		{"attributes of a run", Options{Inputs: []string{in}, OutDir: standoff}, "already holds output (attributes)"},
		{"parquet", Options{Inputs: []string{in}, OutDir: filepath.Join(tmp, "o8"), Config: []byte("output: {format: parquet}\nsteps: [clean]\n")}, "output.format parquet is not supported on beam"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, s := beam.NewPipelineWithRoot()
			err := Build(s, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Build error %v, want one containing %q", err, tc.want)
			}
		})
	}
	_, s := beam.NewPipelineWithRoot()
	if err := Build(s, Options{Inputs: []string{in}, OutDir: filepath.Join(tmp, "o1"), Config: []byte("steps: [{minhash: {lines: {enabled: true}, tag_only: true}}]")}); err != nil {
		t.Errorf("Build with repeated-line dedup: %v", err)
	}
	_, s = beam.NewPipelineWithRoot()
	if err := Build(s, Options{Inputs: []string{in}, OutDir: used, Overwrite: true}); err != nil {
		t.Errorf("Build with Overwrite: %v", err)
	}
	// the job's first step removes it, not Build
	if _, err := os.Stat(filepath.Join(used, "documents")); err != nil {
		t.Errorf("Build with Overwrite removed documents/: %v", err)
	}
	_, s = beam.NewPipelineWithRoot()
	if err := Build(s, Options{Inputs: []string{in}, OutDir: standoff, Overwrite: true}); err != nil {
		t.Errorf("Build with Overwrite over attributes: %v", err)
	}
	if _, err := os.Stat(filepath.Join(standoff, "attributes")); err != nil {
		t.Errorf("Build with Overwrite removed attributes/: %v", err)
	}
	if err := clearOut(t.Context(), standoff); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(standoff, "attributes")); !os.IsNotExist(err) {
		t.Errorf("clearOut left attributes/ in place: %v", err)
	}
}

func TestFoldCounts(t *testing.T) {
	k := func(parts ...string) string { return countKey(parts[0], parts[1:]...) }
	st, err := foldCounts([]string{
		k(cInputs) + "\t3",
		k(cUnreadable, "x.warc", "warc: bad") + "\t1",
		k(cRead) + "\t10",
		k(cRejected, "a.jsonl") + "\t2",
		k(cSkipped, "warc/request") + "\t4",
		k(cDropped, "gopher_quality/min_words") + "\t3",
		k(cDropped, "dedup/exact") + "\t1",
		k(cKept) + "\t6",
		k(cBytesOut) + "\t600",
		k(cShard, "documents/01000.jsonl.zst") + "\t1",
		k(cShard, "documents/00000.jsonl.zst") + "\t1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Inputs.Total != 3 || st.Inputs.Unreadable != 1 || st.Inputs.UnreadableFiles["x.warc"] != "warc: bad" ||
		st.Documents.Read != 10 || st.Documents.Kept != 6 || st.Documents.Dropped != 4 ||
		st.Documents.DroppedByReason["gopher_quality/min_words"] != 3 || st.Documents.DroppedByReason["dedup/exact"] != 1 ||
		st.Rejected.Total != 2 || st.Rejected.ByFile["a.jsonl"] != 2 || st.Skipped["warc/request"] != 4 || st.BytesOut != 600 ||
		strings.Join(st.Shards, ",") != "documents/00000.jsonl.zst,documents/01000.jsonl.zst" {
		t.Errorf("foldCounts = %+v", st)
	}
	if st.Dedup != nil {
		t.Errorf("foldCounts without dedup counts gave a dedup section %+v", st.Dedup)
	}
	// every dedup field by its JSON name, each count summed
	var dc []string
	for i, f := range dedupFields {
		dc = append(dc, k(cDedup, f)+"\t0", k(cDedup, f)+"\t"+strconv.Itoa(i+1))
	}
	st, err = foldCounts(dc)
	if err != nil {
		t.Fatal(err)
	}
	want := dedup.Result{Documents: 1, Clusters: 2, ClusteredDocs: 3, ExactDuplicates: 4, NearDuplicates: 5, CandidatePairs: 6,
		RejectedPairs: 7, LinesRemoved: 8, EmptiedDocuments: 9, Kept: 10}
	if st.Dedup == nil || !reflect.DeepEqual(*st.Dedup, want) {
		t.Errorf("foldCounts dedup = %+v, want %+v", st.Dedup, want)
	}
	if _, err := foldCounts([]string{k(cDedup, "shards") + "\t1"}); err == nil {
		t.Error("foldCounts took a dedup count of no field")
	}
	for _, bad := range []string{"read", "read\tx", "nonsense\t1"} {
		if _, err := foldCounts([]string{bad}); err == nil {
			t.Errorf("foldCounts(%q): no error", bad)
		}
	}
}

func BenchmarkDuplicates(b *testing.B) {
	// 10,000 documents in clusters of 10, each joined by 14 band edges
	// and one exact edge per member: the shape of componentsFn's input.
	var edges []edge
	for c := range 1000 {
		for m := 1; m < 10; m++ {
			a, d := orderKey(0, int64(c*10)), orderKey(0, int64(c*10+m))
			for range 14 {
				edges = append(edges, edge{A: a, B: d})
			}
			edges = append(edges, edge{A: a, B: d, Exact: m%2 == 0})
		}
	}
	b.SetBytes(int64(len(edges)) * 50)
	for b.Loop() {
		if got, err := duplicates(edges, policyFirst); err != nil || len(got) != 10000 {
			b.Fatal(len(got), err)
		}
	}
}

func BenchmarkParseMinHashRow(b *testing.B) {
	row := make([]byte, 22+8*14)
	row[0], row[21] = 1, 14
	b.SetBytes(int64(len(row)))
	for b.Loop() {
		if _, err := parseMinHashRow(row); err != nil {
			b.Fatal(err)
		}
	}
}

// TestOutputNotInput: nothing inside the output folder is an input, as in
// winnow run: a walk of a folder that holds the output folder, and a glob
// into it, leave its shards out.
func TestOutputNotInput(t *testing.T) {
	tmp := t.TempDir()
	in := filepath.Join(tmp, "in")
	out := filepath.Join(in, "out")
	for _, p := range []string{filepath.Join(in, "a.jsonl"), filepath.Join(out, "documents", "00000.jsonl")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(`{"id":"1","text":"a"}`+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, unreadable, _ := expandInputs([]string{in, filepath.Join(out, "documents", "*.jsonl")}, out)
	if len(files) != 1 || files[0] != filepath.Join(in, "a.jsonl") {
		t.Errorf("inputs %v, want only %s", files, filepath.Join(in, "a.jsonl"))
	}
	if len(unreadable) != 1 {
		t.Errorf("unreadable %v: the glob into the output folder names no input", unreadable)
	}
}
