package quality_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"winnow"
	"winnow/internal/config"
	"winnow/internal/quality"
	"winnow/internal/run"
	"winnow/internal/testutil"
)

const ccSample = "corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"

func runConfig(t *testing.T, yaml string) (string, *run.Stats) {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	st, err := run.Run(t.Context(), run.Options{Inputs: []string{testutil.Shared(t, ccSample)}, OutDir: out, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return out, st
}

func readRows(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rows = append(rows, m)
	}
	return rows
}

// TestRunTagOnlyStandoff runs the four filters in tag-only mode inside the
// executor with stand-off attributes: no filter drops, and every
// stage's attribute shard has one row per document row, in the same order.
func TestRunTagOnlyStandoff(t *testing.T) {
	out, st := runConfig(t, `
workers: 2
output: {compression: none, standoff_attributes: true}
steps:
  - gopher_repetition: {tag_only: true}
  - gopher_quality: {tag_only: true, profile: dolma}
  - c4_quality: {tag_only: true}
  - fineweb_quality: {tag_only: true}
`)
	// The filters drop nothing; the executor drops the file's 27 lines
	// whose text is blank (counted with Python: not text.strip()), as it
	// does for every run.
	if st.Documents.Read != 697 || st.Documents.Dropped != 27 || st.Documents.DroppedByReason["run/empty_text"] != 27 {
		t.Fatalf("read %d dropped %d (%v), want 697 and 27 run/empty_text", st.Documents.Read, st.Documents.Dropped, st.Documents.DroppedByReason)
	}
	docs := readRows(t, filepath.Join(out, "documents", "00000.jsonl"))
	if len(docs) != 670 {
		t.Fatalf("%d document rows", len(docs))
	}
	for _, stage := range []string{"gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality"} {
		rows := readRows(t, filepath.Join(out, "attributes", stage, "00000.jsonl"))
		if len(rows) != len(docs) {
			t.Fatalf("%s: %d attribute rows for %d documents", stage, len(rows), len(docs))
		}
		for i, r := range rows {
			if r["id"] != docs[i]["id"] {
				t.Fatalf("%s row %d: id %v, document row has %v", stage, i, r["id"], docs[i]["id"])
			}
			attrs, _ := r["attributes"].(map[string]any)
			if len(attrs) == 0 {
				t.Fatalf("%s row %d: no attributes", stage, i)
			}
			for k := range attrs {
				if !strings.HasPrefix(k, stage+"/") {
					t.Fatalf("%s row %d: foreign attribute %s", stage, i, k)
				}
			}
		}
	}
}

// TestRunDropsCountedPerRule runs gopher_quality as a filter and checks
// that stats.json counts the drops per rule exactly as the stage decides
// them document by document.
func TestRunDropsCountedPerRule(t *testing.T) {
	_, st := runConfig(t, "workers: 2\noutput: {compression: none}\nsteps:\n  - gopher_quality\n")
	stage, err := quality.NewGopherQuality(quality.DefaultGopherQualityConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, line := range readDocs(t, testutil.Shared(t, ccSample)) {
		text, _ := line["text"].(string)
		_, rule, err := quality.Measure(stage, &winnow.Doc{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if rule != "" {
			want["gopher_quality/"+rule]++
		}
	}
	if len(want) < 3 {
		t.Fatalf("only %d rules fire on the sample: %v", len(want), want)
	}
	got := st.Documents.DroppedByReason
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: stats.json counts %d, want %d", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("stats.json reasons %v, want %v", got, want)
	}
}

// readDocs reads a gzipped JSONL file. (The executor imports this package
// through the stage list, so this test lives outside it and cannot share
// the package's own helper.)
func readDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var out []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
