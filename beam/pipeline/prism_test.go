package pipeline

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"

	"winnow/internal/config"
	"winnow/internal/format/jsonl"
	"winnow/internal/run"
)

func TestMain(m *testing.M) {
	flag.Parse()
	beam.Init()
	m.Run()
}

// testConfig has cleaning, a quality filter and MinHash dedup, with a
// small batch size so that a file spans several batches.
const testConfig = `
batch_size: 64
steps:
  - clean
  - gopher_quality: {profile: datatrove}
  - minhash
`

// prose returns n words of English-looking prose that passes the Gopher
// quality rules (stop words, word lengths, alphabetic words), varied by
// seed so that different seeds share few 5-gram shingles.
func prose(seed, n int) string {
	words := strings.Fields(`the river runs past an old mill where farmers bring grain
		each autumn and the miller weighs every sack before he grinds it into flour
		that bakers in the town use for bread which they sell at the market with
		cheese from the hills and honey from small farms along the valley road`)
	var b strings.Builder
	for i := range n {
		if i > 0 {
			if i%12 == 0 {
				b.WriteString(".\n")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(words[(i*7+seed*13+i/len(words)*seed)%len(words)])
	}
	b.WriteString(".")
	return b.String()
}

// writeDupInput writes a JSONL file with, besides unique documents, an
// exact copy (same text, other id), a whitespace-only variant (an exact
// duplicate after whitespace normalisation), a near copy (one word of
// 300 changed: Jaccard of the 5-gram shingle sets ≈ 0.97, well above the
// ≈0.72 LSH threshold of 14 bands × 8 rows) and a short document the
// quality filter drops.
func writeDupInput(t *testing.T, dir string) string {
	t.Helper()
	base := prose(1, 300)
	near := strings.Replace(base, "miller", "baker", 1)
	if near == base {
		t.Fatal("near copy equals the original")
	}
	docs := []struct{ id, text string }{
		{"dup-orig", base},
		{"uniq-1", prose(2, 250)},
		{"dup-exact", base},
		{"dup-space", strings.ReplaceAll(base, " ", "  ")},
		{"dup-near", near},
		{"short", "too short to keep"},
		{"uniq-2", prose(3, 280)},
	}
	var b strings.Builder
	for _, d := range docs {
		line, err := json.Marshal(map[string]any{"id": d.id, "text": d.text, "metadata": map[string]any{"url": "https://example.org/" + d.id}})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	p := filepath.Join(dir, "dups.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readDocs reads every document shard under dir/documents and returns
// the documents' JSON lines keyed by id.
func readDocs(t *testing.T, dir string) map[string]string {
	t.Helper()
	shards, err := filepath.Glob(filepath.Join(dir, "documents", "*.jsonl.zst"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, sh := range shards {
		r, err := jsonl.Open(sh, jsonl.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for {
			d, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", sh, err)
			}
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if _, dup := out[d.ID]; dup {
				t.Fatalf("document %s written twice", d.ID)
			}
			out[d.ID] = string(b)
		}
		r.Close()
	}
	return out
}

func readStats(t *testing.T, dir string) *run.Stats {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	st := &run.Stats{}
	if err := json.Unmarshal(b, st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestPrismMatchesRun is the metamorphic test of the Beam mode: for the
// same inputs and config, the pipeline on Prism writes the same multiset
// of documents as `winnow run` (internal/run.RunPhases, the per-document
// pass and the dedup phase) and the same drop counts by reason.
func TestPrismMatchesRun(t *testing.T) {
	dolma := shared(t, "corpus/warc/dolma/jsonl")
	tmp := t.TempDir()
	inputs := []string{filepath.Join(dolma, "*.jsonl.gz"), writeDupInput(t, tmp)}
	cfg, err := config.Parse("test.yaml", []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 2
	const added = "2024-01-02T03:04:05Z"

	runDir := filepath.Join(tmp, "run")
	want, err := run.RunPhases(context.Background(), run.Options{Inputs: inputs, OutDir: runDir, Config: cfg, Added: added})
	if err != nil {
		t.Fatal(err)
	}
	beamDir := filepath.Join(tmp, "beam")
	if err := Run(context.Background(), "prism", Options{Inputs: inputs, OutDir: beamDir, Config: []byte(testConfig), ConfigName: "test.yaml", Added: added}); err != nil {
		t.Fatal(err)
	}
	got := readStats(t, beamDir)

	// The input must exercise every path being compared.
	if want.Documents.Read < 700 {
		t.Errorf("run read %d documents, want the whole dolma sample (over 700)", want.Documents.Read)
	}
	for _, reason := range []string{"dedup/exact", "dedup/near_duplicate"} {
		if want.Documents.DroppedByReason[reason] == 0 {
			t.Errorf("run dropped no document for %s", reason)
		}
	}
	if !hasPrefixKey(want.Documents.DroppedByReason, "gopher_quality/") {
		t.Errorf("run dropped no document for gopher_quality: %v", want.Documents.DroppedByReason)
	}

	if got.Documents.Read != want.Documents.Read || got.Documents.Kept != want.Documents.Kept || got.Documents.Dropped != want.Documents.Dropped {
		t.Errorf("beam read/kept/dropped %d/%d/%d, run %d/%d/%d", got.Documents.Read, got.Documents.Kept, got.Documents.Dropped,
			want.Documents.Read, want.Documents.Kept, want.Documents.Dropped)
	}
	if !maps.Equal(got.Documents.DroppedByReason, want.Documents.DroppedByReason) {
		t.Errorf("drops by reason:\nbeam %v\nrun  %v", got.Documents.DroppedByReason, want.Documents.DroppedByReason)
	}
	if got.Rejected.Total != want.Rejected.Total || got.Inputs.Total != want.Inputs.Total {
		t.Errorf("beam rejected %d of %d inputs, run %d of %d", got.Rejected.Total, got.Inputs.Total, want.Rejected.Total, want.Inputs.Total)
	}

	wantDocs, gotDocs := readDocs(t, runDir), readDocs(t, beamDir)
	if int64(len(wantDocs)) != want.Documents.Kept || int64(len(gotDocs)) != got.Documents.Kept {
		t.Errorf("shards hold %d (run) and %d (beam) documents, stats say %d and %d", len(wantDocs), len(gotDocs), want.Documents.Kept, got.Documents.Kept)
	}
	for _, id := range []string{"dup-orig", "uniq-1", "uniq-2"} {
		if _, ok := wantDocs[id]; !ok {
			t.Errorf("run dropped %s", id)
		}
	}
	for _, id := range []string{"dup-exact", "dup-space", "dup-near", "short"} {
		if _, ok := gotDocs[id]; ok {
			t.Errorf("beam kept %s", id)
		}
	}
	// dup-orig survives a cluster of four (itself, the exact copy, the
	// whitespace variant and the near copy): the dedup phase tags it.
	if g := gotDocs["dup-orig"]; !strings.Contains(g, `"dedup/cluster_size":4`) || !strings.Contains(g, `"dedup/is_duplicate":false`) {
		t.Errorf("beam did not tag the survivor dup-orig: %s", trunc(g))
	}
	ids := slices.Sorted(maps.Keys(wantDocs))
	diffs := 0
	for _, id := range ids {
		g, ok := gotDocs[id]
		switch {
		case !ok:
			t.Errorf("beam lacks document %s", id)
		case g != wantDocs[id]:
			t.Errorf("document %s differs:\nbeam %s\nrun  %s", id, g[max(0, len(g)-400):], wantDocs[id][max(0, len(wantDocs[id])-400):])
		default:
			continue
		}
		if diffs++; diffs > 5 {
			t.Fatal("too many differences")
		}
	}
	for id := range gotDocs {
		if _, ok := wantDocs[id]; !ok {
			t.Errorf("beam has extra document %s", id)
		}
	}
	t.Logf("read %d, kept %d, drops %v", got.Documents.Read, got.Documents.Kept, got.Documents.DroppedByReason)
}

// shared returns the absolute path of rel in the shared test material
// beside the repository (the folder holding the go.mod of module winnow,
// one level above this module), failing the test when it is missing:
// CI always has it, so a missing corpus is an error, never a skip.
func shared(t *testing.T, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module winnow\n") {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("pipeline: no go.mod of module winnow above the working directory")
		}
		dir = parent
	}
	p := filepath.Join(filepath.Dir(dir), "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("pipeline: shared test material missing: %v", err)
	}
	return p
}

func hasPrefixKey(m map[string]int64, prefix string) bool {
	for k, v := range m {
		if strings.HasPrefix(k, prefix) && v > 0 {
			return true
		}
	}
	return false
}

func trunc(s string) string {
	if len(s) > 300 {
		return s[:300] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}
