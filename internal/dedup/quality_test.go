package dedup

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"winnow"
	"winnow/internal/format/jsonl"
	"winnow/internal/testutil"
)

// benchDocs is the size of the generated bench corpus: 2,000 documents by
// default (real documents only; generating them costs make-corpus' fixed
// ~6 s of pool loading), or WINNOW_BENCH_DOCS (20000 for the full default
// corpus).
func benchDocs(t *testing.T) int {
	if s := os.Getenv("WINNOW_BENCH_DOCS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 {
			t.Fatalf("WINNOW_BENCH_DOCS=%q: want a number ≥ 100", s)
		}
		return n
	}
	return 2000
}

type score struct {
	F1        float64 `json:"f1"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
}

type scoreReport struct {
	Duplicates   int   `json:"duplicates"`
	Removed      int   `json:"removed"`
	ClusterAware score `json:"cluster_aware"`
	Strict       score `json:"strict"`
	RecallByEdit map[string]struct {
		Copies  int     `json:"copies"`
		Removed int     `json:"removed"`
		Recall  float64 `json:"recall"`
	} `json:"recall_by_edit"`
	RecallBySim map[string]struct {
		Copies int     `json:"copies"`
		Recall float64 `json:"recall"`
	} `json:"recall_by_sim"`
}

// TestBenchCorpusF1 generates the bench corpus with make-corpus, runs the
// stage and the dedup phase at the default config, and scores the removed
// ids with score-dedup against the truth file: cluster-aware F1 ≥ 0.9 and
// precision ≥ 0.99 (the corpus has no hard negatives above Jaccard 0.4).
func TestBenchCorpusF1(t *testing.T) {
	bench := testutil.Shared(t, "bench")
	n := benchDocs(t)
	gen := t.TempDir()
	cmd := exec.Command("python3", filepath.Join(bench, "make-corpus"), "--out", gen, "--skip-warc", "--docs", strconv.Itoa(n))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make-corpus: %v\n%s", err, out)
	}
	docs := readJSONL(t, filepath.Join(gen, "docs.jsonl.gz"))
	if len(docs) != n {
		t.Fatalf("%d documents generated, want %d", len(docs), n)
	}
	dir := t.TempDir()
	cfg := DefaultConfig()
	writeOutput(t, dir, cfg, docs, 256, 1000)
	res, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	_, rej := readDir(t, dir)
	var removed strings.Builder
	for _, r := range rej {
		removed.WriteString(r.ID + "\n")
	}
	removedPath := filepath.Join(gen, "removed.txt")
	if err := os.WriteFile(removedPath, []byte(removed.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("python3", filepath.Join(bench, "score-dedup"), filepath.Join(gen, "truth.jsonl"), removedPath, "--json").Output()
	if err != nil {
		t.Fatalf("score-dedup: %v", err)
	}
	var rep scoreReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}
	ca := rep.ClusterAware
	t.Logf("%d docs: exact %d, near %d, clusters %d, candidate pairs %d", res.Documents, res.ExactDuplicates, res.NearDuplicates, res.Clusters, res.CandidatePairs)
	t.Logf("cluster-aware P %.4f R %.4f F1 %.4f (TP %d FP %d FN %d); strict F1 %.4f", ca.Precision, ca.Recall, ca.F1, ca.TP, ca.FP, ca.FN, rep.Strict.F1)
	kinds := make([]string, 0, len(rep.RecallByEdit))
	for k := range rep.RecallByEdit {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		v := rep.RecallByEdit[k]
		t.Logf("recall %-28s %5d copies  %.4f", k, v.Copies, v.Recall)
	}
	for k, v := range rep.RecallBySim {
		t.Logf("recall sim %-12s %5d copies  %.4f", k, v.Copies, v.Recall)
	}
	if ca.F1 < 0.9 {
		t.Errorf("cluster-aware F1 %.4f below 0.9", ca.F1)
	}
	if ca.Precision < 0.99 {
		t.Errorf("cluster-aware precision %.4f below 0.99", ca.Precision)
	}
	if e := rep.RecallByEdit["exact"]; e.Copies == 0 || e.Recall != 1 {
		t.Errorf("exact copies: %d, recall %.4f, want all removed", e.Copies, e.Recall)
	}
	if int64(rep.Removed) != res.ExactDuplicates+res.NearDuplicates {
		t.Errorf("scored %d removed, the phase reports %d", rep.Removed, res.ExactDuplicates+res.NearDuplicates)
	}
}

func readJSONL(t *testing.T, path string) []*winnow.Doc {
	r, err := jsonl.Open(path, jsonl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var docs []*winnow.Doc
	for {
		d, err := r.Next()
		if err == io.EOF {
			return docs
		}
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
}

// TestNearDupCorpus runs the default config in tag-only mode on the
// Clough & Stevenson corpus of plagiarised short answers (100 texts; each
// answer is paired with the Wikipedia source of its task) and reports, per
// category, the share of answers put in the same cluster as their source,
// next to the exact 5-gram Jaccard similarity of each pair. The answers
// are excerpts and rewrites, not whole-document copies: most cut answers
// have Jaccard below 0.5 with their source, so at the LSH threshold of
// ≈0.72 only the near-complete copies are found. Asserted: every pair of
// Jaccard ≥ 0.85 is found, none below 0.4 is, and no independently written
// answer is.
func TestNearDupCorpus(t *testing.T) {
	base := testutil.Shared(t, "corpus/neardup/clough-stevenson-short-answers")
	f, err := os.Open(filepath.Join(base, "file_information.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var docs []*winnow.Doc
	task := map[string]string{}
	cat := map[string]string{}
	text := map[string]string{}
	for _, r := range rows[1:] {
		b, err := os.ReadFile(filepath.Join(base, r[0]))
		if err != nil {
			t.Fatal(err)
		}
		// the files are Latin-1/ASCII; keep valid UTF-8 text
		text[r[0]] = strings.ToValidUTF8(string(b), "\uFFFD")
		docs = append(docs, &winnow.Doc{ID: r[0], Text: text[r[0]]})
		task[r[0]], cat[r[0]] = r[1], r[2]
	}
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.TagOnly = true
	writeOutput(t, dir, cfg, docs, 100, 100)
	if _, err := Run(context.Background(), Options{Dir: dir, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	kept, _ := readDir(t, dir)
	cluster := map[string]any{}
	for _, d := range kept {
		cluster[d.ID] = d.Attributes[AttrClusterID]
	}
	h, _ := NewHasher(cfg.MinHash)
	found, total := map[string]int{}, map[string]int{}
	for id, c := range cat {
		if c == "orig" {
			continue
		}
		total[c]++
		srcID := "orig_task" + task[id] + ".txt"
		src := cluster[srcID]
		hit := src != nil && cluster[id] == src
		if hit {
			found[c]++
		}
		j := Jaccard(h.Shingles(nil, text[id]), h.Shingles(nil, text[srcID]))
		if j >= 0.85 && !hit || j < 0.4 && hit {
			t.Errorf("%s (%s): Jaccard %.2f with its source, clustered with it: %v", id, c, j, hit)
		}
	}
	var report []string
	for _, c := range []string{"cut", "light", "heavy", "non"} {
		report = append(report, fmt.Sprintf("%s %d/%d", c, found[c], total[c]))
	}
	t.Logf("answers clustered with their source: %s", strings.Join(report, ", "))
	if total["cut"] != 19 || total["non"] != 38 {
		t.Fatalf("categories %v, want 19 cut and 38 non", total)
	}
	if found["non"] != 0 {
		t.Errorf("%d independently written answers clustered with the source", found["non"])
	}
	if found["cut"] < found["heavy"] || found["cut"] == 0 {
		t.Errorf("cut %d found, heavy %d: copy-paste must be found more often than paraphrase", found["cut"], found["heavy"])
	}
}
