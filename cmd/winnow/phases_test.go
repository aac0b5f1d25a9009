package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"winnow/internal/config"
	"winnow/internal/run"
	"winnow/internal/testutil"
	"winnow/presets"
)

// readJSONL returns the "text" of every line of a JSONL file by id.
func readJSONL(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var d struct{ ID, Text string }
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		out[d.ID] = d.Text
	}
	return out
}

// shingles is the set of word 5-grams of text split on white space: an
// independent check that a crafted near-duplicate is one.
func shingles(text string) map[string]bool {
	w := strings.Fields(text)
	s := map[string]bool{}
	for i := 0; i+5 <= len(w); i++ {
		s[strings.Join(w[i:i+5], " ")] = true
	}
	return s
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// dupCorpus writes a JSONL of six documents: three distinct ones and, in
// between, an exact copy of b, a copy of a that differs only in white
// space (exact after the default whitespace normalisation), and a copy
// of a with one word changed (a near-duplicate).
func dupCorpus(t *testing.T) (path string, want map[string]string) {
	t.Helper()
	a := readJSONL(t, testutil.Shared(t, "seed/seed.jsonl"))["seed-000"]
	sample := readJSONL(t, filepath.Join(testutil.Root(t), "testdata", "sample", "sample.jsonl"))
	b, c := sample["sample-1"], sample["sample-2"]
	if a == "" || b == "" || c == "" {
		t.Fatal("test texts missing")
	}
	words := strings.Fields(a)
	words[len(words)/2] = "zebra"
	near := strings.Join(words, " ")
	if j := jaccard(shingles(a), shingles(near)); j < 0.95 || j == 1 {
		t.Fatalf("crafted near-duplicate has Jaccard similarity %.3f", j)
	}
	docs := []struct{ id, text string }{
		{"a", a},
		{"b", b},
		{"a-space", "  " + strings.ReplaceAll(a, ". ", ".\n\n ") + "\n"},
		{"c", c},
		{"a-near", near},
		{"b-copy", b},
	}
	var buf bytes.Buffer
	for _, d := range docs {
		line, _ := json.Marshal(map[string]string{"id": d.id, "text": d.text})
		buf.Write(append(line, '\n'))
	}
	path = filepath.Join(t.TempDir(), "dups.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// expected reason per dropped id; a, b and c survive (policy "first")
	return path, map[string]string{"a-space": "dedup/exact", "a-near": "dedup/near_duplicate", "b-copy": "dedup/exact"}
}

const minhashOnly = "batch_size: 2\nmax_in_flight: 4\nsteps: [minhash]\n"

func ids(rows []map[string]any) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r["id"].(string))
	}
	return out
}

// checkDeduped asserts the output of a dedup over dupCorpus.
func checkDeduped(t *testing.T, out string, want map[string]string) {
	t.Helper()
	if got := ids(shardRows(t, filepath.Join(out, "documents"))); strings.Join(got, ",") != "a,b,c" {
		t.Errorf("kept %v, want a, b, c", got)
	}
	got := map[string]string{}
	for _, r := range shardRows(t, filepath.Join(out, "rejects", "dedup")) {
		got[r["id"].(string)] = r["reason"].(string)
		if !strings.HasPrefix(r["detail"].(string), "cluster ") || r["text"] == "" {
			t.Errorf("reject row %v lacks its cluster or text", r)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dedup rejects %v, want %v", got, want)
	}
	st := readStats(t, out)
	if st.Documents.Read != 6 || st.Documents.Kept != 3 || st.Documents.Dropped != 3 ||
		!reflect.DeepEqual(st.Documents.DroppedByReason, map[string]int64{"dedup/exact": 2, "dedup/near_duplicate": 1}) {
		t.Errorf("stats documents %+v", st.Documents)
	}
	if d := st.Dedup; d == nil || d.Documents != 6 || d.ExactDuplicates != 2 || d.NearDuplicates != 1 || d.Kept != 3 || d.Clusters != 2 {
		t.Errorf("stats dedup %+v", st.Dedup)
	}
}

// snapshot reads every file under dir; stats.json without its wall-time
// fields.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == filepath.Join(".run", "lock") {
			return nil // who held the folder, not output
		}
		if rel == "stats.json" {
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				return err
			}
			for _, k := range []string{"wall_seconds", "docs_per_second", "mb_per_second", "dedup_seconds"} {
				delete(m, k)
			}
			// the worker count is recorded; it is not an output
			delete(m["config"].(map[string]any), "workers")
			b, _ = json.Marshal(m)
		}
		files[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestDedupPhase(t *testing.T) {
	in, want := dupCorpus(t)
	cfg := writeConfig(t, minhashOnly)
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := winnow(t, "run", "--config", cfg, "--workers", "1", in, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	checkDeduped(t, out, want)
	for _, w := range []string{"dedup documents", "exact duplicates", "near duplicates", "dedup/near_duplicate"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("summary lacks %q:\n%s", w, stderr)
		}
	}
	first := snapshot(t, out)
	if first["side/minhash/00000.bin"] == "" || first["rejects/dedup/00000.jsonl.zst"] == "" {
		t.Fatalf("output lacks side or dedup rejects: %v", reflect.ValueOf(first).MapKeys())
	}

	// The same run again over the same folder (--overwrite: the earlier
	// dedup state must not be resumed over the new shards), and with 3
	// workers elsewhere: byte-identical output.
	if code, _, stderr := winnow(t, "run", "-q", "--overwrite", "--config", cfg, "--workers", "1", in, "-o", out); code != 0 {
		t.Fatalf("rerun: exit %d: %s", code, stderr)
	}
	out3 := filepath.Join(t.TempDir(), "out3")
	if code, _, stderr := winnow(t, "run", "-q", "--config", cfg, "--workers", "3", in, "-o", out3); code != 0 {
		t.Fatalf("3 workers: exit %d: %s", code, stderr)
	}
	for name, other := range map[string]map[string]string{"rerun": snapshot(t, out), "3 workers": snapshot(t, out3)} {
		if len(other) != len(first) {
			t.Errorf("%s: %d files, first run %d", name, len(other), len(first))
		}
		for f, b := range first {
			if other[f] != b {
				t.Errorf("%s: %s differs from the first run", name, f)
			}
		}
	}
	checkDeduped(t, out3, want)
}

// TestDedupCommand runs the per-document pass alone, then winnow dedup on
// its output twice: the second finds the phases done and counts nothing
// twice.
func TestDedupCommand(t *testing.T) {
	in, want := dupCorpus(t)
	c, err := config.Parse("p.yaml", []byte(minhashOnly))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if _, err := run.Run(context.Background(), run.Options{Inputs: []string{in}, OutDir: out, Config: c}); err != nil {
		t.Fatal(err)
	}
	if n := len(shardRows(t, filepath.Join(out, "documents"))); n != 6 {
		t.Fatalf("the per-document pass kept %d documents, want all 6", n)
	}
	code, _, stderr := winnow(t, "dedup", out)
	if code != 0 {
		t.Fatalf("dedup: exit %d: %s", code, stderr)
	}
	checkDeduped(t, out, want)
	code, _, stderr = winnow(t, "dedup", "-q", out)
	if code != 0 {
		t.Fatalf("second dedup: exit %d: %s", code, stderr)
	}
	checkDeduped(t, out, want)
	if st := readStats(t, out); len(st.Dedup.Resumed) == 0 {
		t.Errorf("second dedup did not resume: %+v", st.Dedup)
	}

	// Errors: no stats.json, a pipeline without minhash.
	if code, _, stderr := winnow(t, "dedup", t.TempDir()); code != 1 || !strings.Contains(stderr, "stats.json") {
		t.Errorf("dedup of an empty folder: exit %d: %s", code, stderr)
	}
	if code, _, stderr := winnow(t, "dedup", "--config", writeConfig(t, "steps: [clean]\n"), out); code != 1 || !strings.Contains(stderr, "no minhash step") {
		t.Errorf("dedup without minhash: exit %d: %s", code, stderr)
	}
}

func TestDedupRefusesUnrewritableOutput(t *testing.T) {
	in, _ := dupCorpus(t)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--compression", "gz"}, "compression zst"},
		{[]string{"--standoff"}, "tag_only"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"run", "-q", "--config", writeConfig(t, minhashOnly), in, "-o", out}, tc.args...)
		code, _, stderr := winnow(t, args...)
		if code != 1 || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d: %s", tc.args, code, stderr)
		}
		if _, err := os.Stat(filepath.Join(out, "documents")); err == nil {
			t.Errorf("%v: documents written before the refusal", tc.args)
		}
	}
}

func TestPresetCommand(t *testing.T) {
	code, stdout, _ := winnow(t, "preset", "list")
	if code != 0 {
		t.Fatalf("list: exit %d", code)
	}
	for _, n := range []string{"c4", "dolma", "fineweb", "gopher"} {
		if !strings.Contains(stdout, n+" ") {
			t.Errorf("preset list lacks %s:\n%s", n, stdout)
		}
	}
	src, _ := presets.Source("fineweb")
	code, stdout, _ = winnow(t, "preset", "show", "fineweb")
	if code != 0 || stdout != string(src) {
		t.Errorf("show fineweb: exit %d, %d bytes, want the %d bytes of the YAML", code, len(stdout), len(src))
	}
	if code, _, stderr := winnow(t, "preset", "show", "finweb"); code != 1 || !strings.Contains(stderr, "unknown preset") {
		t.Errorf("show finweb: exit %d: %s", code, stderr)
	}
	in, _ := dupCorpus(t)
	code, _, stderr := winnow(t, "run", "-q", "--preset", "fineweb", "--config", writeConfig(t, minhashOnly), in, "-o", filepath.Join(t.TempDir(), "o"))
	if code != 1 || !strings.Contains(stderr, "exclude each other") {
		t.Errorf("--preset with --config: exit %d: %s", code, stderr)
	}
}

// TestTagOnly runs the fineweb preset with --tag-only --standoff: no
// document is dropped (without the flag three of the sample's nine are),
// and every attribute set is a shard aligned row for row with the
// documents.
func TestTagOnly(t *testing.T) {
	sample := filepath.Join(testutil.Root(t), "testdata", "sample")
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := winnow(t, "run", "-q", "--preset", "fineweb", "--tag-only", "--standoff", sample, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st := readStats(t, out)
	if st.Documents.Read != 9 || st.Documents.Kept != 9 || st.Documents.Dropped != 0 {
		t.Errorf("documents %+v, want all 9 kept", st.Documents)
	}
	docs := ids(shardRows(t, filepath.Join(out, "documents")))
	sets, _ := filepath.Glob(filepath.Join(out, "attributes", "*"))
	names := map[string]bool{}
	for _, s := range sets {
		names[filepath.Base(s)] = true
		rows := shardRows(t, s)
		if got := ids(rows); !reflect.DeepEqual(got, docs) {
			t.Errorf("attributes/%s ids %v, documents %v", filepath.Base(s), got, docs)
		}
	}
	// the filters that would have dropped documents wrote their signals
	for _, n := range []string{"gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality"} {
		if !names[n] {
			t.Errorf("no attributes/%s (sets %v)", n, names)
		}
	}
	for _, d := range shardRows(t, filepath.Join(out, "documents")) {
		if d["attributes"] != nil {
			t.Errorf("document %v has inline attributes with --standoff", d["id"])
		}
	}
	// Every stage config with a tag_only option got it.
	m := st.Config["steps"].([]any)
	tagged := 0
	for _, s := range m {
		for name, opts := range s.(map[string]any) {
			o, _ := opts.(map[string]any)
			if v, ok := o["tag_only"]; ok {
				tagged++
				if v != true {
					t.Errorf("step %s tag_only %v", name, v)
				}
			}
		}
	}
	if tagged != 7 { // language, 4 quality filters, minhash, pii
		t.Errorf("%d steps with tag_only, want 7", tagged)
	}
}

func TestExplain(t *testing.T) {
	seed := testutil.Shared(t, "seed/seed.jsonl")
	code, stdout, stderr := winnow(t, "explain", seed, "--id", "seed-000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// the script fragment is shown removed, with its rule, in the marked
	// text and in the list of edits
	for _, w := range []string{
		"document seed-000",
		"== step clean",
		`[-var script = document.createElement("script"); -]{code}`,
		"\tcode\t[",
		"== kept",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("explain output lacks %q", w)
		}
	}
	out := stdout[strings.LastIndex(stdout, "== output"):]
	if strings.Contains(out, "var script") {
		t.Error("the output still holds the script fragment")
	}

	// A dropped document names its stage and rule.
	jsonl := filepath.Join(testutil.Root(t), "testdata", "sample", "sample.jsonl")
	code, stdout, stderr = winnow(t, "explain", jsonl, "--id", "sample-4", "--preset", "fineweb")
	if code != 0 || !strings.Contains(stdout, "== dropped: language/language") || strings.Contains(stdout, "== kept") {
		t.Errorf("explain sample-4 under fineweb: exit %d %s\n%s", code, stderr, stdout)
	}
	if code, _, stderr := winnow(t, "explain", jsonl, "--id", "nope"); code != 1 || !strings.Contains(stderr, `no document with id "nope"`) {
		t.Errorf("unknown id: exit %d: %s", code, stderr)
	}
}

func TestRunExplainFlag(t *testing.T) {
	seed := testutil.Shared(t, "seed/seed.jsonl")
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := winnow(t, "run", "-q", "--explain", seed, "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	docs := shardRows(t, filepath.Join(out, "documents"))
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	edits, _ := docs[0]["attributes"].(map[string]any)["clean/edits"].([]any)
	// two code fragments: the script line and a cookie function
	var spans []int
	for _, e := range edits {
		e := e.([]any)
		if e[2] == "code" {
			spans = append(spans, int(e[1].(float64))-int(e[0].(float64)))
		}
	}
	want := []int{len(`var script = document.createElement("script"); `), len(`var setNptTechAdblockerCookie = function(adblocker) { `)}
	if !reflect.DeepEqual(spans, want) {
		t.Errorf("code edits span %v bytes, want %v (clean/edits %v)", spans, want, edits)
	}
	code, _, stderr := winnow(t, "run", "-q", "--explain", "--config", writeConfig(t, minhashOnly), seed, "-o", filepath.Join(t.TempDir(), "o"))
	if code != 1 || !strings.Contains(stderr, "clean step") {
		t.Errorf("--explain without clean: exit %d: %s", code, stderr)
	}
}

// passOnly runs the per-document pass of the minhash-only pipeline over
// in into a new folder, without the dedup phase.
func passOnly(t *testing.T, in, out string) string {
	t.Helper()
	c, err := config.Parse("p.yaml", []byte(minhashOnly))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Run(context.Background(), run.Options{Inputs: []string{in}, OutDir: out, Config: c}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDedupEdgesCommand: the edges step on 1, 2, 3, 5 and 20 parts, then winnow
// dedup, gives the output of a one-process winnow dedup, file for file.
func TestDedupEdgesCommand(t *testing.T) {
	in, want := dupCorpus(t)
	one := passOnly(t, in, filepath.Join(t.TempDir(), "one"))
	if code, _, stderr := winnow(t, "dedup", "-q", one); code != 0 {
		t.Fatalf("dedup: exit %d: %s", code, stderr)
	}
	checkDeduped(t, one, want)
	ref := outputSnapshot(t, one)
	for _, parts := range []int{1, 2, 3, 5, 20} {
		dir := passOnly(t, in, filepath.Join(t.TempDir(), "out"))
		for p := range parts {
			code, _, stderr := winnow(t, "dedup", "edges", dir, "--part", strconv.Itoa(p), "--parts", strconv.Itoa(parts))
			if code != 0 {
				t.Fatalf("part %d of %d: exit %d: %s", p, parts, code, stderr)
			}
			if w := fmt.Sprintf("edges part %d of %d: 6 documents in 1 shards", p, parts); !strings.Contains(stderr, w) {
				t.Errorf("summary %q lacks %q", stderr, w)
			}
		}
		if code, _, stderr := winnow(t, "dedup", "-q", dir); code != 0 {
			t.Fatalf("dedup over %d parts: exit %d: %s", parts, code, stderr)
		}
		checkDeduped(t, dir, want)
		if d := diffSnapshots(ref, outputSnapshot(t, dir)); len(d) > 0 {
			t.Errorf("%d parts: output differs from one process: %v", parts, d)
		}
	}

	// Errors: a missing part, a part out of range, no --parts.
	dir := passOnly(t, in, filepath.Join(t.TempDir(), "out"))
	if code, _, stderr := winnow(t, "dedup", "edges", "-q", dir, "--part", "1", "--parts", "3"); code != 0 {
		t.Fatalf("part 1 of 3: exit %d: %s", code, stderr)
	}
	if code, _, stderr := winnow(t, "dedup", dir); code != 1 || !strings.Contains(stderr, ": edge parts 0, 2 (of parts 0..2) are missing") {
		t.Errorf("dedup with parts missing: exit %d: %s", code, stderr)
	}
	if code, _, stderr := winnow(t, "dedup", "edges", dir, "--part", "3", "--parts", "3"); code != 1 || !strings.Contains(stderr, "part 3 of 3") {
		t.Errorf("part 3 of 3: exit %d: %s", code, stderr)
	}
	if code, _, stderr := winnow(t, "dedup", "edges", dir, "--part", "0"); code == 0 || !strings.Contains(stderr, "parts") {
		t.Errorf("no --parts: exit %d: %s", code, stderr)
	}
}

// A folder named edges: "winnow dedup edges" is the edges step and says
// how to name the folder; "winnow dedup ./edges" dedups it, and
// "winnow dedup edges edges" computes its parts.
func TestDedupFolderNamedEdges(t *testing.T) {
	in, want := dupCorpus(t)
	wd := t.TempDir()
	t.Chdir(wd)
	passOnly(t, in, "edges")
	if code, _, stderr := winnow(t, "dedup", "edges"); code != 1 || !strings.Contains(stderr, `"winnow dedup ./edges"`) {
		t.Errorf("dedup edges: exit %d: %s", code, stderr)
	}
	if code, _, stderr := winnow(t, "dedup", "edges", "-q", "edges", "--part", "0", "--parts", "1"); code != 0 {
		t.Fatalf("dedup edges edges: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(wd, "edges", ".dedup", "edges", "part-00000-of-00001.json")); err != nil {
		t.Errorf("the part was not written: %v", err)
	}
	if code, _, stderr := winnow(t, "dedup", "-q", "./edges"); code != 0 {
		t.Fatalf("dedup ./edges: exit %d: %s", code, stderr)
	}
	checkDeduped(t, filepath.Join(wd, "edges"), want)
}

// The flow after ranks: winnow merge, the edge parts, winnow dedup. The
// parts refuse an unmerged folder and point to winnow merge.
func TestDedupEdgesAfterRanks(t *testing.T) {
	path, want := dupCorpus(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// two inputs, so the two ranks get three documents each and the exact
	// copy of b lies in the other rank
	lines := strings.SplitAfter(string(b), "\n")
	in := t.TempDir()
	writeFile(t, in, "1.jsonl", []byte(strings.Join(lines[:3], "")))
	writeFile(t, in, "2.jsonl", []byte(strings.Join(lines[3:], "")))
	cfg := writeConfig(t, minhashOnly)
	out := filepath.Join(t.TempDir(), "out")
	for r := range 2 {
		if code, _, stderr := winnow(t, "run", "-q", "--config", cfg, in, "-o", out, "--rank", strconv.Itoa(r), "--world-size", "2"); code != 0 {
			t.Fatalf("rank %d: exit %d: %s", r, code, stderr)
		}
	}
	code, _, stderr := winnow(t, "dedup", "edges", out, "--part", "0", "--parts", "2")
	if code != 1 || !strings.Contains(stderr, "run winnow merge "+out+" first") {
		t.Errorf("edges before merge: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, ".dedup")); !os.IsNotExist(err) {
		t.Errorf("the refused part wrote state: %v", err)
	}
	if code, _, stderr := winnow(t, "merge", "-q", out); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	for p := range 2 {
		if code, _, stderr := winnow(t, "dedup", "edges", "-q", out, "--part", strconv.Itoa(p), "--parts", "2"); code != 0 {
			t.Fatalf("part %d: exit %d: %s", p, code, stderr)
		}
	}
	if code, _, stderr := winnow(t, "dedup", "-q", out); code != 0 {
		t.Fatalf("dedup: exit %d: %s", code, stderr)
	}
	checkDeduped(t, out, want)
}

// winnow dedup --workers stages the rewrite on that many workers; the
// output of a pass written as one shard per document is the same with 1
// and 3 workers, and a negative count is refused.
func TestDedupWorkersFlag(t *testing.T) {
	in, want := dupCorpus(t)
	c, err := config.Parse("p.yaml", []byte(minhashOnly+"output:\n  max_shard_bytes: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, w := range []string{"1", "3"} {
		out := filepath.Join(t.TempDir(), "out")
		if _, err := run.Run(context.Background(), run.Options{Inputs: []string{in}, OutDir: out, Config: c}); err != nil {
			t.Fatal(err)
		}
		if names, _ := filepath.Glob(filepath.Join(out, "documents", "*.jsonl.zst")); len(names) != 6 {
			t.Fatalf("the pass wrote %d shards, want one per document (6)", len(names))
		}
		if code, _, stderr := winnow(t, "dedup", "-q", "--workers", w, out); code != 0 {
			t.Fatalf("dedup --workers %s: exit %d: %s", w, code, stderr)
		}
		checkDeduped(t, out, want)
		outs = append(outs, out)
	}
	for _, sub := range []string{"documents", "side/minhash", "rejects/dedup"} {
		names, _ := filepath.Glob(filepath.Join(outs[0], sub, "*"))
		if len(names) == 0 {
			t.Fatalf("nothing in %s", sub)
		}
		for _, n := range names {
			a, _ := os.ReadFile(n)
			b, err := os.ReadFile(filepath.Join(outs[1], sub, filepath.Base(n)))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("%s/%s differs between 1 and 3 workers (%v)", sub, filepath.Base(n), err)
			}
		}
	}
	if code, _, stderr := winnow(t, "dedup", "--workers", "-1", outs[0]); code != 1 || !strings.Contains(stderr, "--workers must be at least 1") {
		t.Errorf("dedup --workers -1: exit %d: %s", code, stderr)
	}
}
