package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"go.yaml.in/yaml/v3"

	"winnow/internal/config"
	"winnow/internal/format"
	"winnow/internal/run"
	"winnow/internal/steps"
	"winnow/internal/testutil"
)

// winnow runs the command in-process and returns its exit code and
// stderr.
func winnow(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := execute(context.Background(), args, &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

// shardDocs reads every document of OUTDIR/documents (or rejects) in
// shard order.
func shardRows(t *testing.T, dir string) []map[string]any {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(dir, "*.jsonl.zst"))
	var rows []map[string]any
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			rows = append(rows, m)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		zr.Close()
		f.Close()
	}
	return rows
}

// writeConfig writes a pipeline config into a temporary folder.
func writeConfig(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pipeline.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// extractOnly is the pipeline of the tests that count records: every
// HTML page becomes a document and nothing is filtered.
const extractOnly = "steps: [extract]\n"

func readStats(t *testing.T, out string) *run.Stats {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st run.Stats
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

// countHTMLResponses scans an uncompressed WARC on its own terms: each
// record is a header block up to CRLF CRLF with a Content-Length, then
// that many bytes. It counts response records whose HTTP status is 2xx
// and whose first Content-Type header says text/html.
func countHTMLResponses(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for len(data) > 0 {
		data = bytes.TrimLeft(data, "\r\n")
		if len(data) == 0 {
			break
		}
		end := bytes.Index(data, []byte("\r\n\r\n"))
		if end < 0 {
			t.Fatal("unterminated WARC header")
		}
		var typ string
		length := -1
		for _, l := range strings.Split(string(data[:end]), "\r\n")[1:] {
			k, v, _ := strings.Cut(l, ":")
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "warc-type":
				typ = strings.TrimSpace(v)
			case "content-length":
				length, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		block := data[end+4 : end+4+length]
		data = data[end+4+length:]
		if typ != "response" {
			continue
		}
		httpHead, _, _ := bytes.Cut(block, []byte("\r\n\r\n"))
		lines := strings.Split(string(httpHead), "\r\n")
		status := strings.Fields(lines[0])[1]
		for _, l := range lines[1:] {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, "content-type") {
				if status[0] == '2' && strings.Contains(strings.ToLower(v), "text/html") {
					n++
				}
				break
			}
		}
	}
	return n
}

func TestRunResiliparseWARC(t *testing.T) {
	want := countHTMLResponses(t, testutil.Shared(t, "corpus/warc/resiliparse/warcfile.warc"))
	if want != 16 { // 16 of the file's 16 response records are HTML 200s (checked by hand with a scan of the .warc)
		t.Fatalf("independent scan found %d HTML responses", want)
	}
	warc := testutil.Shared(t, "corpus/warc/resiliparse/warcfile.warc.gz")
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := winnow(t, "run", "-q", "--config", writeConfig(t, extractOnly), warc, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	docs := shardRows(t, filepath.Join(out, "documents"))
	if len(docs) != want {
		t.Errorf("%d documents, want one per HTML response record: %d", len(docs), want)
	}
	for _, d := range docs {
		if strings.TrimSpace(d["text"].(string)) == "" {
			t.Errorf("document %v has no text", d["id"])
		}
		if d["source"] != "warcfile" || d["added"] == "" {
			t.Errorf("document %v: source %v added %v", d["id"], d["source"], d["added"])
		}
	}
	st := readStats(t, out)
	if st.Documents.Kept != int64(want) || st.Incomplete() {
		t.Errorf("stats = %+v", st.Documents)
	}

	// The default pipeline keeps every readable document: one per HTML
	// response record, with text and a language label.
	out = filepath.Join(t.TempDir(), "default")
	code, _, stderr = winnow(t, "run", "-q", warc, "-o", out)
	if code != 0 {
		t.Fatalf("default pipeline: exit %d: %s", code, stderr)
	}
	st = readStats(t, out)
	kept := shardRows(t, filepath.Join(out, "documents"))
	if len(kept) != want || st.Documents.Kept != int64(want) || st.Documents.Dropped != 0 {
		t.Errorf("default pipeline: %d kept, want every one of the %d pages (stats %+v)", len(kept), want, st.Documents)
	}
	for _, d := range kept {
		attrs, _ := d["attributes"].(map[string]any)
		if strings.TrimSpace(d["text"].(string)) == "" || attrs["language"] == nil || attrs["language"] == "" {
			t.Errorf("document %v: empty text or no language label (attributes %v)", d["id"], attrs)
		}
	}

	// The fineweb preset filters: every page is either kept or has a
	// reject row naming the stage and rule, and filtering alone exits 0.
	out = filepath.Join(t.TempDir(), "fineweb")
	code, _, stderr = winnow(t, "run", "-q", "--preset", "fineweb", warc, "-o", out)
	if code != 0 {
		t.Fatalf("fineweb preset: exit %d: %s", code, stderr)
	}
	st = readStats(t, out)
	kept = shardRows(t, filepath.Join(out, "documents"))
	rejects := shardRows(t, filepath.Join(out, "rejects"))
	if int64(len(kept)) != st.Documents.Kept || int64(len(rejects)) != st.Documents.Dropped || len(kept)+len(rejects) != want {
		t.Errorf("fineweb preset: %d kept + %d dropped, want %d pages (stats %+v)", len(kept), len(rejects), want, st.Documents)
	}
	if st.Dedup == nil || st.Dedup.Documents != st.Documents.Kept {
		t.Errorf("fineweb preset: dedup phase %+v, want it over the %d kept documents", st.Dedup, st.Documents.Kept)
	}
	var byReason int64
	for _, n := range st.Documents.DroppedByReason {
		byReason += n
	}
	if byReason != st.Documents.Dropped {
		t.Errorf("dropped_by_reason sums to %d, dropped is %d", byReason, st.Documents.Dropped)
	}
	for _, r := range rejects {
		if r["stage"] == "" || r["rule"] != strings.TrimPrefix(r["reason"].(string), r["stage"].(string)+"/") || r["text"] == nil {
			t.Errorf("reject row does not explain itself: %v", r)
		}
	}
}

func TestRunWholeWARCCorpus(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := winnow(t, "run", "-q", "--config", writeConfig(t, extractOnly), testutil.Shared(t, "corpus/warc"), "-o", out)
	if code != 3 {
		t.Fatalf("exit %d, want 3 (finished with unreadable records): %s", code, stderr)
	}
	st := readStats(t, out)
	rejects := shardRows(t, filepath.Join(out, "rejects"))
	badRows := map[string]int{}
	for _, r := range rejects {
		if r["reason"] == "read/parse_error" {
			badRows[filepath.Base(r["file"].(string))]++
		}
	}
	var total int
	for _, n := range badRows {
		total += n
	}
	if int64(total) != st.Rejected.Total+int64(st.Inputs.Unreadable) {
		t.Errorf("%d parse-error rows, stats say %d rejected + %d unreadable", total, st.Rejected.Total, st.Inputs.Unreadable)
	}
	// Broken on purpose (corpus/warc/SOURCES.md): each must have a row.
	for _, f := range []string{"clipped.warc.gz", "corrupted-mid-record.warc.gz.open", "example-trunc.warc"} {
		if badRows[f] == 0 {
			t.Errorf("no reject row for the broken file %s (rows: %v)", f, badRows)
		}
	}
	docs := shardRows(t, filepath.Join(out, "documents"))
	if int64(len(docs)) != st.Documents.Kept || len(docs) == 0 {
		t.Errorf("%d documents on disk, %d kept in stats", len(docs), st.Documents.Kept)
	}
	// The readable real crawl is all there: 16 HTML responses in each of
	// warcfile.warc and warcfile.warc.gz (and .lz4 when readable), and
	// every line of the dolma JSONL files.
	bySource := map[string]int{}
	for _, d := range docs {
		bySource[d["source"].(string)]++
	}
	if bySource["warcfile"] < 32 {
		t.Errorf("%d documents from warcfile.*, want at least 2×16", bySource["warcfile"])
	}
	// dolma's files name their sources: "test_gz" (697 lines, 27 of them
	// with empty or blank text, dropped as run/empty_text; counted with
	// Python's str.strip) and "common-crawl" (10 lines in each of three
	// files).
	for src, n := range map[string]int{"test_gz": 697 - 27, "common-crawl": 30} {
		if bySource[src] != n {
			t.Errorf("%d documents from %s, want %d", bySource[src], src, n)
		}
	}
}

func gzLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

func TestRoundTripJSONL(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join(testutil.Shared(t, "corpus/warc/dolma/jsonl"), "*.jsonl.gz"))
	inputs = append(inputs, testutil.Shared(t, "seed/seed.jsonl"))
	if len(inputs) != 4 {
		t.Fatalf("inputs %v", inputs)
	}
	want := 0
	for _, in := range inputs {
		n := gzLines(t, in)
		if strings.HasSuffix(in, "seed.jsonl") && n == 0 {
			n = 1 // the seed is one line without a final newline
		}
		want += n
	}
	if want != 697+10+10+1 {
		t.Fatalf("line count %d", want)
	}
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := winnow(t, append([]string{"run", "-q", "--config", writeConfig(t, "steps: []\n"), "-o", out}, inputs...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Every line is a document; the 27 lines of the CC-MAIN file whose
	// text is empty or blank (Python's str.strip) are dropped as
	// run/empty_text, the others kept.
	docs := shardRows(t, filepath.Join(out, "documents"))
	if len(docs) != want-27 {
		t.Errorf("%d documents, want %d (one per line with text)", len(docs), want-27)
	}
	if st := readStats(t, out); st.Documents.Read != int64(want) || st.Documents.DroppedByReason["run/empty_text"] != 27 {
		t.Errorf("read %d, dropped %v; want %d read, 27 run/empty_text", st.Documents.Read, st.Documents.DroppedByReason, want)
	}
	var seed map[string]any
	for _, d := range docs {
		if d["id"] == "seed-000" {
			seed = d
		}
	}
	raw, _ := os.ReadFile(inputs[3])
	var in map[string]any
	json.Unmarshal(raw, &in)
	if seed == nil || seed["text"] != in["text"] || seed["source"] != "seed" {
		t.Errorf("seed document did not round-trip")
	}
}

// TestSample runs the default pipeline over testdata/sample, the
// README's first run. The sample's texts were written for it: five
// English documents long enough for the quality rules, a French page and
// a German document (not English: dropped by the language step) and a
// page of navigation links (dropped by a quality rule).
func TestSample(t *testing.T) {
	sample := filepath.Join(testutil.Root(t), "testdata", "sample")
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := winnow(t, "run", "-q", sample, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st := readStats(t, out)
	// 4 HTML pages (the CSS response is not a document) + 5 JSONL lines,
	// all kept by the default pipeline, which only labels the language.
	if st.Documents.Read != 9 || st.Documents.Kept != 9 || st.Documents.Dropped != 0 {
		t.Errorf("documents %+v, want 9 read, 9 kept", st.Documents)
	}
	docs := shardRows(t, filepath.Join(out, "documents"))
	var texts []string
	langs := map[string]any{}
	for _, d := range docs {
		texts = append(texts, d["text"].(string))
		url, _ := d["metadata"].(map[string]any)["url"].(string)
		langs[url+d["id"].(string)] = d["attributes"].(map[string]any)["language"]
	}
	all := strings.Join(texts, "\n")
	for _, w := range []string{"wild yeast and lactic acid bacteria", "waggle dance", "Lighthouses once burned whale oil"} {
		if !strings.Contains(all, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	// mksample wrote sample-4 in German and the café menu in French.
	for key, want := range map[string]string{"sample-4": "de", "http://cafe.example.org/menu": "fr", "sample-1": "en"} {
		found := false
		for k, got := range langs {
			if strings.HasPrefix(k, key) || strings.HasSuffix(k, key) {
				found = true
				if got != want {
					t.Errorf("%s labelled %v, want %s", key, got, want)
				}
			}
		}
		if !found {
			t.Errorf("%s not in the output (%v)", key, langs)
		}
	}

	// The fineweb preset keeps 6: the German and French documents fail
	// its English filter, the navigation page a Gopher repetition rule.
	out = filepath.Join(t.TempDir(), "fineweb")
	if code, _, stderr := winnow(t, "run", "-q", "--preset", "fineweb", sample, "-o", out); code != 0 {
		t.Fatalf("fineweb: exit %d: %s", code, stderr)
	}
	st = readStats(t, out)
	if st.Documents.Read != 9 || st.Documents.Kept != 6 || st.Documents.Dropped != 3 {
		t.Errorf("fineweb: documents %+v, want 9 read, 6 kept, 3 dropped", st.Documents)
	}
	reasons := map[string]string{}
	for _, r := range shardRows(t, filepath.Join(out, "rejects")) {
		reasons[r["url"].(string)+r["id"].(string)] = r["reason"].(string)
	}
	for key, want := range map[string]string{
		"sample-4":                     "language/language",
		"http://cafe.example.org/menu": "language/language",
	} {
		found := false
		for k, got := range reasons {
			if strings.HasPrefix(k, key) || strings.HasSuffix(k, key) {
				found = true
				if got != want {
					t.Errorf("%s dropped for %s, want %s", key, got, want)
				}
			}
		}
		if !found {
			t.Errorf("%s was not dropped (rejects %v)", key, reasons)
		}
	}
	if r := reasons["sample-5"]; !strings.HasPrefix(r, "gopher_") {
		t.Errorf("the navigation page was dropped for %q, want a Gopher rule", r)
	}
}

// TestDefaultPipeline checks that the default pipeline is extract, clean
// and a language step that labels without dropping, every stage of it
// registered in this build.
func TestDefaultPipeline(t *testing.T) {
	c := config.Default()
	var names []string
	for _, s := range c.Steps {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "extract,clean,language" || strings.Join(config.DefaultSteps, ",") != "extract,clean,language" {
		t.Errorf("default steps %v (DefaultSteps %v), want extract, clean, language", names, config.DefaultSteps)
	}
	m, err := c.Map()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := yaml.Marshal(m["steps"])
	for _, w := range []string{"tag_only: true", "languages: []"} {
		if !strings.Contains(string(b), w) {
			t.Errorf("default options lack %q:\n%s", w, b)
		}
	}
	if _, err := c.NewPipeline(); err != nil {
		t.Errorf("default pipeline cannot be built: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notWARC := filepath.Join(dir, "notes.warc.gz")
	os.WriteFile(notWARC, []byte("these are not the records you are looking for\n"), 0o644)
	good := testutil.Shared(t, "seed/seed.jsonl")
	missing := filepath.Join(dir, "missing.warc.gz")

	t.Run("only a missing path", func(t *testing.T) {
		code, _, stderr := winnow(t, "run", "-q", missing, "-o", filepath.Join(t.TempDir(), "o"))
		if code != 1 || !strings.Contains(stderr, missing) {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("missing path among good ones", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "o")
		code, _, stderr := winnow(t, "run", missing, good, "-o", out)
		if code != 3 || !strings.Contains(stderr, missing) {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		if st := readStats(t, out); st.Documents.Kept != 1 || st.Inputs.Unreadable != 1 {
			t.Errorf("stats %+v %+v", st.Inputs, st.Documents)
		}
	})
	t.Run("not a WARC", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "o")
		code, _, stderr := winnow(t, "run", "-q", notWARC, good, "-o", out)
		if code != 3 {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		st := readStats(t, out)
		if st.Documents.Kept != 1 || st.Inputs.Unreadable+int(st.Rejected.Total) == 0 {
			t.Errorf("stats %+v %+v %+v", st.Inputs, st.Documents, st.Rejected)
		}
	})
	t.Run("config errors together", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "p.yaml")
		os.WriteFile(cfg, []byte("wrkers: 2\nsteps:\n  - extrat\n  - clean: {nope_option_x: 1}\noutput: {compression: zstd}\n"), 0o644)
		out := filepath.Join(t.TempDir(), "o")
		code, _, stderr := winnow(t, "run", "--config", cfg, good, "-o", out)
		if code != 1 {
			t.Errorf("exit %d", code)
		}
		for _, w := range []string{
			cfg + `:1: unknown key "wrkers"; did you mean workers?`,
			cfg + `:3: unknown step "extrat"`,
			cfg + `:4: unknown option of step clean "nope_option_x"`,
			cfg + `:5: output.compression: unknown compression "zstd"`,
			"did you mean zst?",
		} {
			if !strings.Contains(stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, stderr)
			}
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("a bad config must fail before any output is written")
		}
	})
	t.Run("bad flags", func(t *testing.T) {
		if code, _, _ := winnow(t, "run", good); code != 1 {
			t.Errorf("missing -o: exit %d", code)
		}
		if code, _, stderr := winnow(t, "run", good, "-o", t.TempDir(), "--compression", "lz4"); code != 1 || !strings.Contains(stderr, "compression") {
			t.Errorf("bad compression: exit %d %s", code, stderr)
		}
		if code, _, _ := winnow(t, "frobnicate"); code != 1 {
			t.Errorf("unknown command: exit %d", code)
		}
	})
}

// TestMetamorphicWorkers runs the same inputs with 1 and 3 workers and a
// small batch size, so batches finish out of order, and compares the
// shard bytes.
func TestMetamorphicWorkers(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(cfg, []byte("batch_size: 5\nmax_in_flight: 4\n"), 0o644)
	inputs := []string{
		testutil.Shared(t, "corpus/warc/resiliparse/warcfile.warc.gz"),
		testutil.Shared(t, "corpus/warc/dolma/jsonl/cc_en_head-0091.jsonl.gz"),
		testutil.Shared(t, "corpus/warc/resiliparse/clipped.warc.gz"),
	}
	outputs := map[int]string{}
	for _, w := range []int{1, 3} {
		out := filepath.Join(t.TempDir(), "o")
		args := append([]string{"run", "-q", "--config", cfg, "--workers", strconv.Itoa(w), "-o", out}, inputs...)
		if code, _, stderr := winnow(t, args...); code != 0 && code != 3 {
			t.Fatalf("%d workers: exit %d %s", w, code, stderr)
		}
		outputs[w] = out
	}
	for _, name := range []string{"documents/00000.jsonl.zst", "rejects/00000.jsonl.zst"} {
		a, err1 := os.ReadFile(filepath.Join(outputs[1], name))
		b, err2 := os.ReadFile(filepath.Join(outputs[3], name))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between 1 and 3 workers", name)
		}
	}
}

func TestStepsAndVersion(t *testing.T) {
	code, stdout, _ := winnow(t, "steps")
	if code != 0 || !regexp.MustCompile(`(?m)^# default pipeline: \[`).MatchString(stdout) {
		t.Errorf("steps: exit %d\n%s", code, stdout)
	}
	for _, s := range steps.All() {
		if !strings.Contains(stdout, "# "+s.Name+": "+s.Doc+"\n"+s.Name+":") {
			t.Errorf("steps output lacks %s", s.Name)
		}
	}
	code, stdout, _ = winnow(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "winnow ") {
		t.Errorf("version: %d %q", code, stdout)
	}
}

// TestRegisteredDefaultsParse writes every registered stage with its
// default options as a config and parses it back: each stage's defaults
// must survive known-fields decoding. (A stage whose defaults do not
// validate on their own, such as a classifier without a model path, is
// left out.)
func TestRegisteredDefaultsParse(t *testing.T) {
	var list []map[string]any
	for _, s := range steps.All() {
		cfg := s.Config()
		if v, ok := cfg.(steps.Validator); ok && v.Validate() != nil {
			continue
		}
		list = append(list, map[string]any{s.Name: cfg})
	}
	src, err := yaml.Marshal(map[string]any{"steps": list})
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Parse("all.yaml", src)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	if len(c.Steps) != len(list) {
		t.Errorf("%d steps parsed, %d written", len(c.Steps), len(list))
	}
}

// TestFlagsOverrideConfig checks that flags win over the config file and
// reach the output: shard size, compression, workers, fields, added.
func TestFlagsOverrideConfig(t *testing.T) {
	cfg := writeConfig(t, "workers: 1\noutput: {compression: zst, max_shard_bytes: 100000000}\nsteps: []\n")
	in := filepath.Join(t.TempDir(), "in.jsonl")
	var lines []string
	for i := 0; i < 20; i++ {
		lines = append(lines, fmt.Sprintf(`{"uid":"u%02d","body":"document number %d with some words in it"}`, i, i))
	}
	os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	out := filepath.Join(t.TempDir(), "o")
	code, _, stderr := winnow(t, "run", "-q", "--config", cfg, "--workers", "2", "--max-shard-bytes", "500",
		"--compression", "gz", "--text-field", "body", "--id-field", "uid", "--added", "2020-01-02T03:04:05Z", in, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st := readStats(t, out)
	if st.Config["workers"] != 2.0 || st.Config["output"].(map[string]any)["compression"] != "gz" {
		t.Errorf("effective config %v", st.Config)
	}
	if len(st.Shards) < 3 || !strings.HasSuffix(st.Shards[0], ".jsonl.gz") {
		t.Errorf("shards %v, want several gzip shards of at most 500 bytes", st.Shards)
	}
	var n int
	for _, sh := range st.Shards {
		f, err := os.Open(filepath.Join(out, sh))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			var d map[string]any
			json.Unmarshal(sc.Bytes(), &d)
			if d["id"] != fmt.Sprintf("u%02d", n) || d["added"] != "2020-01-02T03:04:05Z" || !strings.HasPrefix(d["text"].(string), "document number") {
				t.Errorf("document %d = %v", n, d)
			}
			n++
		}
		f.Close()
	}
	if n != 20 {
		t.Errorf("%d documents in the shards, want 20", n)
	}
}

// TestParquetOutput: --output-format parquet writes the same documents as
// the JSONL shards, readable back through the Parquet reader; options the
// Parquet layout cannot honour are refused before any input is read.
func TestParquetOutput(t *testing.T) {
	in := testutil.Shared(t, "corpus/warc/resiliparse/warcfile.warc.gz")
	cfg := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(cfg, []byte("steps: [extract]\n"), 0o644)
	jsonOut := filepath.Join(t.TempDir(), "j")
	if code, _, stderr := winnow(t, "run", "-q", "-c", cfg, "-o", jsonOut, in); code != 0 {
		t.Fatalf("jsonl run: exit %d %s", code, stderr)
	}
	pqOut := filepath.Join(t.TempDir(), "p")
	if code, _, stderr := winnow(t, "run", "-q", "-c", cfg, "--output-format", "parquet", "-o", pqOut, in); code != 0 {
		t.Fatalf("parquet run: exit %d %s", code, stderr)
	}
	want := shardRows(t, filepath.Join(jsonOut, "documents"))
	r, err := format.Open(filepath.Join(pqOut, "documents", "00000.parquet"), format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	for ; ; n++ {
		d, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n >= len(want) || d.ID != want[n]["id"] || d.Text != want[n]["text"] {
			t.Fatalf("parquet row %d (%s) differs from JSONL document", n, d.ID)
		}
	}
	if n != len(want) || n != 16 {
		t.Errorf("parquet rows = %d, jsonl documents = %d, want 16", n, len(want))
	}
	code, _, stderr := winnow(t, "run", "-q", "--output-format", "parquet", "--standoff", "-o", filepath.Join(t.TempDir(), "x"), in)
	if code != 1 || !strings.Contains(stderr, "standoff_attributes") {
		t.Errorf("parquet with --standoff: exit %d %s", code, stderr)
	}
}
