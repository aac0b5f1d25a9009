package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"winnow/internal/config"
	"winnow/internal/dedup"
	"winnow/internal/format"
	"winnow/internal/run"
)

// fourModeInputs writes the hand-made inputs into dir and returns the
// input arguments: the dolma JSONL sample (a glob) and three JSONL files
// whose documents duplicate each other across files:
//
//	a-orig.jsonl  dup-orig (300 words of prose), uniq-1, short (too short
//	              for the Gopher rules), copy-0..2: the texts of the first
//	              three records of the dolma file cc_en_head-0174 under
//	              other ids (exact duplicates across files and, with three
//	              ranks, across ranks)
//	b-dups.jsonl  dup-exact (dup-orig's text), dup-space (every space
//	              doubled: an exact duplicate after whitespace
//	              normalisation), uniq-2
//	c-near.jsonl  dup-near (dup-orig with one word changed: Jaccard
//	              similarity of the 5-gram shingle sets about 0.97, by hand
//	              (300 − 5) / (300 + 5)), a broken line (a bad record),
//	              dup-far (dup-orig with 10 words changed: about 0.71 by
//	              hand, (300 − 50) / (300 + 50), and an LSH candidate of
//	              dup-orig in 2 of its 14 bands), uniq-3
//
// Each document has a created time; dup-far is the oldest, then
// dup-near; dup-space has none (it ranks last under "oldest").
// copies maps copy-N to the id of the record it copies.
func fourModeInputs(t *testing.T, dir string) (inputs []string, copies map[string]string) {
	t.Helper()
	dolma := shared(t, "corpus/warc/dolma/jsonl")
	rd, err := format.Open(filepath.Join(dolma, "cc_en_head-0174.jsonl.gz"), format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	copies = map[string]string{}
	type doc struct{ id, text, created string }
	a := []doc{
		{"dup-orig", prose(1, 300), "2021-06-01T00:00:00Z"},
		{"uniq-1", prose(2, 250), "2021-06-02T00:00:00Z"},
		{"short", "too short to keep", "2021-06-03T00:00:00Z"},
	}
	for i := range 3 {
		d, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("copy-%d", i)
		copies[id] = d.ID
		a = append(a, doc{id, d.Text, "2021-06-04T00:00:00Z"})
	}
	rd.Close()
	base := prose(1, 300)
	near := strings.Replace(base, "miller", "baker", 1)
	if near == base {
		t.Fatal("near copy equals the original")
	}
	b := []doc{
		{"dup-exact", base, "2022-01-01T00:00:00Z"},
		{"dup-space", strings.ReplaceAll(base, " ", "  "), ""},
		{"uniq-2", prose(3, 280), "2022-01-02T00:00:00Z"},
	}
	c := []doc{
		{"dup-near", near, "2019-03-01T00:00:00Z"},
		{"", "", ""}, // the broken line
		{"dup-far", nearCopy(base, 10), "2018-01-01T00:00:00Z"},
		{"uniq-3", prose(4, 260), "2019-03-02T00:00:00Z"},
	}
	write := func(name string, docs []doc) string {
		var sb strings.Builder
		for _, d := range docs {
			if d.id == "" {
				sb.WriteString(`{"id":"broken","text":` + "\n")
				continue
			}
			m := map[string]any{"id": d.id, "text": d.text, "metadata": map[string]any{"url": "https://example.org/" + d.id}}
			if d.created != "" {
				m["created"] = d.created
			}
			line, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			sb.Write(line)
			sb.WriteByte('\n')
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The dolma files are copied beside the hand-made ones so that the
	// sorted input list, and so each rank's share, does not depend on
	// where the temporary folder and ../shared are.
	copied := filepath.Join(dir, "dolma")
	if err := os.MkdirAll(copied, 0o755); err != nil {
		t.Fatal(err)
	}
	matches, err := filepath.Glob(filepath.Join(dolma, "*.jsonl.gz"))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no dolma sample in %s: %v", dolma, err)
	}
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(copied, filepath.Base(m)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inputs = []string{
		filepath.Join(copied, "*.jsonl.gz"),
		write("a-orig.jsonl", a),
		write("b-dups.jsonl", b),
		write("c-near.jsonl", c),
	}
	return inputs, copies
}

// mode is one way of running the same job, with its output folder and
// stats.json.
type mode struct {
	name string
	dir  string
	st   *run.Stats
}

const fourModeAdded = "2024-01-02T03:04:05Z"

// runModes runs the config cfgText over inputs in the modes named in
// which ("1 worker", "3 workers", "3 ranks", "beam"), each into its own
// folder under tmp, and returns them in that order.
func runModes(t *testing.T, tmp string, inputs []string, cfgText string, which ...string) []mode {
	t.Helper()
	ctx := context.Background()
	parse := func(workers int) *config.Config {
		cfg, err := config.Parse("test.yaml", []byte(cfgText))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Workers = workers
		return cfg
	}
	var out []mode
	for _, name := range which {
		dir := filepath.Join(tmp, strings.ReplaceAll(name, " ", "-"))
		switch name {
		case "1 worker", "3 workers":
			w := 1
			if name == "3 workers" {
				w = 3
			}
			if _, err := run.RunPhases(ctx, run.Options{Inputs: inputs, OutDir: dir, Config: parse(w), Added: fourModeAdded}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		case "3 ranks":
			// what `winnow run --rank R --world-size 3` for each rank,
			// then `winnow dedup OUTDIR` do
			for r := range 3 {
				if _, err := run.RunPhases(ctx, run.Options{Inputs: inputs, OutDir: dir, Config: parse(1), Added: fourModeAdded, Rank: r, WorldSize: 3}); err != nil {
					t.Fatalf("rank %d: %v", r, err)
				}
				if st := readStats(t, run.RankDir(dir, r)); st.Documents.Kept == 0 {
					t.Fatalf("rank %d kept no document: the test wants every rank to write", r)
				}
			}
			if _, err := run.Merge(dir); err != nil {
				t.Fatal(err)
			}
			cfg := parse(1)
			dc, ok := run.DedupConfig(cfg)
			if !ok {
				t.Fatal("the config has no minhash step")
			}
			if err := run.CheckDedup(cfg); err != nil {
				t.Fatal(err)
			}
			if _, err := run.Dedup(ctx, dir, dc); err != nil {
				t.Fatal(err)
			}
		case "beam":
			if err := Run(ctx, "prism", Options{Inputs: inputs, OutDir: dir, Config: []byte(cfgText), ConfigName: "test.yaml", Added: fourModeAdded}); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("unknown mode %q", name)
		}
		out = append(out, mode{name: name, dir: dir, st: readStats(t, dir)})
	}
	return out
}

// rejectLines returns the rows of the rejects shards matching pattern
// under dir, sorted, each with the named fields left out.
func rejectLines(t *testing.T, dir, pattern string, drop ...string) []string {
	t.Helper()
	shards, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sh := range shards {
		f, err := os.Open(sh)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		zr.Close()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", sh, err)
		}
		for line := range strings.Lines(string(b)) {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("%s: %v", sh, err)
			}
			for _, k := range drop {
				delete(m, k)
			}
			l, _ := json.Marshal(m)
			out = append(out, string(l))
		}
	}
	slices.Sort(out)
	return out
}

// rejectRows returns the rows of the rejects shards matching pattern
// under dir by id (rows without an id left out).
func rejectRows(t *testing.T, dir, pattern string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, l := range rejectLines(t, dir, pattern) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		if id, _ := m["id"].(string); id != "" {
			out[id] = m
		}
	}
	return out
}

// dedupRowVaries are the fields of a rejects/dedup row that legitimately
// differ between modes: `winnow run` names the duplicate's row in its
// output shard (documents/NNNNN.jsonl.zst, offset -1, record), and the
// shards are cut differently by ranks; the Beam pipeline names its place
// in the input.
var dedupRowVaries = []string{"file", "offset", "record"}

// compareModes checks every mode against the first: the same multiset of
// document lines, of rejects rows (rejects/ whole, rejects/dedup without
// dedupRowVaries) and the same counts (documents read, kept and dropped,
// drops by reason, bad records by file, input files).
func compareModes(t *testing.T, modes []mode) {
	t.Helper()
	ref := modes[0]
	refDocs := readDocs(t, ref.dir)
	if int64(len(refDocs)) != ref.st.Documents.Kept {
		t.Errorf("%s: shards hold %d documents, stats.json says %d", ref.name, len(refDocs), ref.st.Documents.Kept)
	}
	refLines := slices.Sorted(maps.Values(refDocs))
	refRejects := rejectLines(t, ref.dir, "rejects/*.jsonl.zst")
	refDedup := rejectLines(t, ref.dir, "rejects/dedup/*.jsonl.zst", dedupRowVaries...)
	if int64(len(refRejects)+len(refDedup)) != ref.st.Documents.Dropped+ref.st.Rejected.Total {
		t.Errorf("%s: %d + %d rejects rows, stats.json says %d dropped and %d bad records", ref.name, len(refRejects), len(refDedup),
			ref.st.Documents.Dropped, ref.st.Rejected.Total)
	}
	for _, m := range modes[1:] {
		if got := rejectLines(t, m.dir, "rejects/*.jsonl.zst"); !slices.Equal(got, refRejects) {
			t.Errorf("%s: %d rows of rejects/ differ from %s's %d", m.name, len(got), ref.name, len(refRejects))
			diffLines(t, m.name, got, refRejects)
		}
		if got := rejectLines(t, m.dir, "rejects/dedup/*.jsonl.zst", dedupRowVaries...); !slices.Equal(got, refDedup) {
			t.Errorf("%s: %d rows of rejects/dedup differ from %s's %d", m.name, len(got), ref.name, len(refDedup))
			diffLines(t, m.name, got, refDedup)
		}
		docs := readDocs(t, m.dir)
		if lines := slices.Sorted(maps.Values(docs)); !slices.Equal(lines, refLines) {
			t.Errorf("%s: %d document lines differ from %s's %d", m.name, len(lines), ref.name, len(refLines))
			diffDocs(t, m.name, docs, refDocs)
		}
		if !reflect.DeepEqual(m.st.Documents, ref.st.Documents) {
			t.Errorf("%s: documents %+v, %s %+v", m.name, m.st.Documents, ref.name, ref.st.Documents)
		}
		if got, want := comparableDedup(m.st.Dedup), comparableDedup(ref.st.Dedup); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: stats.json dedup %+v, %s %+v", m.name, got, ref.name, want)
		}
		if !reflect.DeepEqual(m.st.Rejected, ref.st.Rejected) {
			t.Errorf("%s: rejected records %+v, %s %+v", m.name, m.st.Rejected, ref.name, ref.st.Rejected)
		}
		if m.st.Inputs.Total != ref.st.Inputs.Total || m.st.Inputs.Unreadable != ref.st.Inputs.Unreadable {
			t.Errorf("%s: inputs %d (unreadable %d), %s %d (%d)", m.name, m.st.Inputs.Total, m.st.Inputs.Unreadable,
				ref.name, ref.st.Inputs.Total, ref.st.Inputs.Unreadable)
		}
	}
}

// dedupVaries are the fields of stats.json's dedup section that
// legitimately differ between modes: shards counts the output shards the
// dedup phase of `winnow run` read, cut differently by ranks, and the
// Beam pipeline reads no shards (it dedups inside the pipeline);
// resumed lists the phases a rerun of `winnow dedup` skipped.
var dedupVaries = []string{"shards", "resumed"}

// comparableDedup returns the dedup section without dedupVaries (nil
// when there is none).
func comparableDedup(res *dedup.Result) *dedup.Result {
	if res == nil {
		return nil
	}
	c := *res
	c.Shards, c.Resumed = 0, nil
	return &c
}

// diffLines reports up to five lines in only one of two sorted lists.
func diffLines(t *testing.T, name string, got, want []string) {
	t.Helper()
	n := 0
	for _, l := range got {
		if _, ok := slices.BinarySearch(want, l); !ok && n < 5 {
			t.Errorf("%s has extra line %s", name, trunc(l))
			n++
		}
	}
	for _, l := range want {
		if _, ok := slices.BinarySearch(got, l); !ok && n < 10 {
			t.Errorf("%s lacks line %s", name, trunc(l))
			n++
		}
	}
}

// diffDocs reports up to five documents that differ between got and
// want, by id.
func diffDocs(t *testing.T, name string, got, want map[string]string) {
	t.Helper()
	n := 0
	for _, id := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[id]
		switch {
		case !ok:
			t.Errorf("%s lacks document %s", name, id)
		case g != want[id]:
			t.Errorf("%s: document %s differs:\n got  %s\n want %s", name, id, g[max(0, len(g)-300):], want[id][max(0, len(want[id])-300):])
		default:
			continue
		}
		if n++; n >= 5 {
			return
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s has extra document %s", name, id)
			if n++; n >= 5 {
				return
			}
		}
	}
}

// TestMetamorphicFourModes is the metamorphic test of scale-out: for the
// same input and config (clean, gopher_quality, minhash), one worker,
// three workers, three ranks (per-rank runs, Merge, then the dedup phase,
// as `winnow dedup OUTDIR` does) and the Beam pipeline on Prism give the
// same multiset of output documents and the same counts. The input is
// checked to exercise every path compared: exact and near duplicates
// (within a file, across files and across ranks), quality drops and a
// bad record.
func TestMetamorphicFourModes(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	inputs, copies := fourModeInputs(t, tmp)
	modes := runModes(t, tmp, inputs, testConfig, "1 worker", "3 workers", "3 ranks", "beam")
	ref := modes[0].st

	// The input exercises every path.
	if ref.Documents.Read < 700 {
		t.Errorf("read %d documents, want the whole dolma sample (over 700)", ref.Documents.Read)
	}
	for _, reason := range []string{"dedup/exact", "dedup/near_duplicate"} {
		if ref.Documents.DroppedByReason[reason] == 0 {
			t.Errorf("no document dropped for %s", reason)
		}
	}
	if !hasPrefixKey(ref.Documents.DroppedByReason, "gopher_quality/") {
		t.Errorf("no document dropped by gopher_quality: %v", ref.Documents.DroppedByReason)
	}
	if ref.Rejected.Total != 1 || ref.Rejected.ByFile[filepath.Join(tmp, "c-near.jsonl")] != 1 {
		t.Errorf("bad records %+v, want the one broken line of c-near.jsonl", ref.Rejected)
	}
	docs := readDocs(t, modes[0].dir)
	for _, id := range []string{"dup-orig", "uniq-1", "uniq-2", "uniq-3"} {
		if _, ok := docs[id]; !ok {
			t.Errorf("dropped %s", id)
		}
	}
	for _, id := range []string{"dup-exact", "dup-space", "dup-near", "dup-far", "short"} {
		if _, ok := docs[id]; ok {
			t.Errorf("kept %s", id)
		}
	}
	// dup-orig survives a cluster of five (itself, the exact copy, the
	// whitespace variant and the two near copies) and is tagged.
	if g := docs["dup-orig"]; !strings.Contains(g, `"dedup/cluster_size":5`) || !strings.Contains(g, `"dedup/is_duplicate":false`) {
		t.Errorf("the survivor dup-orig is not tagged: %s", trunc(g))
	}
	// Of each copy and its dolma original at most one is kept, and at
	// least one pair passed the quality filter.
	pairs := 0
	for cp, orig := range copies {
		_, c := docs[cp]
		_, o := docs[orig]
		if c && o {
			t.Errorf("kept both %s and its original %s", cp, orig)
		}
		if c || o {
			pairs++
		}
	}
	if pairs == 0 {
		t.Error("no copied dolma record passed the quality filter: no duplicate across ranks")
	}

	// The rejects hold the broken line and the duplicates.
	rej := rejectLines(t, modes[0].dir, "rejects/*.jsonl.zst", "text")
	if !slices.ContainsFunc(rej, func(l string) bool { return strings.Contains(l, `"reason":"read/parse_error"`) }) {
		t.Error("rejects/ lack the broken line")
	}
	if r := rejectRows(t, modes[0].dir, "rejects/*.jsonl.zst")["short"]; r == nil || !strings.HasPrefix(r["reason"].(string), "gopher_quality/") {
		t.Errorf("rejects/ row of short: %v, want a gopher_quality reason", r)
	}
	dups := rejectRows(t, modes[0].dir, "rejects/dedup/*.jsonl.zst")
	for id, reason := range map[string]string{"dup-exact": "dedup/exact", "dup-space": "dedup/exact", "dup-near": "dedup/near_duplicate", "dup-far": "dedup/near_duplicate"} {
		if got := dups[id]["reason"]; got != reason {
			t.Errorf("rejects/dedup row of %s has reason %v, want %s", id, got, reason)
		}
	}

	// stats.json's dedup section adds up as dedup.Result says, in every
	// mode (compareModes compares them)
	for _, m := range modes {
		d := m.st.Dedup
		if d == nil {
			t.Fatalf("%s: stats.json has no dedup section", m.name)
		}
		if d.Documents != d.Kept+d.ExactDuplicates+d.NearDuplicates+d.EmptiedDocuments || d.Kept != m.st.Documents.Kept ||
			d.ExactDuplicates != m.st.Documents.DroppedByReason["dedup/exact"] || d.Clusters < 1 || d.CandidatePairs < 1 {
			t.Errorf("%s: dedup %+v does not add up with documents %+v", m.name, d, m.st.Documents)
		}
	}
	compareModes(t, modes)
	t.Logf("read %d, kept %d, drops %v", ref.Documents.Read, ref.Documents.Kept, ref.Documents.DroppedByReason)
}

// nearCopy returns text with k of its space-separated words, evenly
// spaced, replaced by "lantern" (a word of no prose vocabulary).
func nearCopy(text string, k int) string {
	words := strings.Split(text, " ")
	for i := range k {
		words[3+i*(len(words)-4)/k] = "lantern"
	}
	return strings.Join(words, " ")
}

// oldestVerifyConfig is testConfig with the survivor policy "oldest" and
// Jaccard verification at 0.8: between dup-near's 0.97 and dup-far's 0.71.
const oldestVerifyConfig = `
batch_size: 64
steps:
  - clean
  - gopher_quality: {profile: datatrove}
  - minhash: {survivor: oldest, verify_jaccard: 0.8}
`

// TestMetamorphicOldestVerified runs the four modes with survivor
// "oldest" and verify_jaccard. By hand: verification rejects the LSH
// candidate pair of dup-far (Jaccard 0.71 < 0.8), which stays, although
// it is the oldest of all; the cluster {dup-orig, dup-exact, dup-space,
// dup-near} keeps dup-near, the oldest (2019), so the other three are
// dropped as near duplicates of it (their exact hash is not dup-near's),
// and the cluster id is still that of dup-orig, its first document.
func TestMetamorphicOldestVerified(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	inputs, _ := fourModeInputs(t, tmp)
	modes := runModes(t, tmp, inputs, oldestVerifyConfig, "1 worker", "3 workers", "3 ranks", "beam")
	docs := readDocs(t, modes[0].dir)
	for _, id := range []string{"dup-near", "dup-far", "uniq-1"} {
		if _, ok := docs[id]; !ok {
			t.Errorf("dropped %s", id)
		}
	}
	for _, id := range []string{"dup-orig", "dup-exact", "dup-space"} {
		if _, ok := docs[id]; ok {
			t.Errorf("kept %s", id)
		}
	}
	if g := docs["dup-near"]; !strings.Contains(g, `"dedup/cluster_size":4`) || !strings.Contains(g, `"dedup/is_duplicate":false`) {
		t.Errorf("the survivor dup-near is not tagged: %s", trunc(g))
	}
	if g := docs["dup-far"]; strings.Contains(g, `"dedup/`) {
		t.Errorf("dup-far is in a cluster: %s", trunc(g))
	}
	// dup-far's candidate pair is verified and rejected, in Beam too
	if d := modes[3].st.Dedup; d == nil || d.RejectedPairs < 1 || d.CandidatePairs <= d.RejectedPairs {
		t.Errorf("beam: dedup %+v, want a rejected candidate pair", d)
	}
	dups := rejectRows(t, modes[0].dir, "rejects/dedup/*.jsonl.zst")
	for _, id := range []string{"dup-orig", "dup-exact", "dup-space"} {
		if got := dups[id]["reason"]; got != "dedup/near_duplicate" {
			t.Errorf("rejects/dedup row of %s has reason %v, want dedup/near_duplicate", id, got)
		}
		// every row of the cluster names the same cluster
		if got, want := dups[id]["detail"], dups["dup-orig"]["detail"]; got != want {
			t.Errorf("rejects/dedup row of %s has detail %v, dup-orig's %v", id, got, want)
		}
	}
	compareModes(t, modes)
}

// tagOnlyConfig is testConfig with the minhash step in tag_only mode:
// no document is dropped as a duplicate, every member of a cluster is
// kept with dedup/cluster_id, dedup/cluster_size and dedup/is_duplicate.
const tagOnlyConfig = `
batch_size: 64
steps:
  - clean
  - gopher_quality: {profile: datatrove}
  - minhash: {tag_only: true}
`

// TestMetamorphicTagOnly runs the four modes with the minhash step in
// tag_only mode. By hand: the cluster of dup-orig (dup-orig, dup-exact,
// dup-space, dup-near, dup-far: five documents, as in
// TestMetamorphicFourModes) is kept whole; dup-orig, its first document,
// is the survivor (is_duplicate false), the other four are tagged as
// duplicates with dup-orig's cluster id and size 5. Nothing is dropped
// for a dedup reason and rejects/dedup is empty.
func TestMetamorphicTagOnly(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	inputs, _ := fourModeInputs(t, tmp)
	modes := runModes(t, tmp, inputs, tagOnlyConfig, "1 worker", "3 workers", "3 ranks", "beam")
	ref := modes[0].st
	if hasPrefixKey(ref.Documents.DroppedByReason, "dedup/") {
		t.Errorf("tag_only dropped documents: %v", ref.Documents.DroppedByReason)
	}
	docs := readDocs(t, modes[0].dir)
	var orig map[string]any
	if err := json.Unmarshal([]byte(docs["dup-orig"]), &orig); err != nil {
		t.Fatalf("dup-orig: %v", err)
	}
	origAttrs, _ := orig["attributes"].(map[string]any)
	clusterID := origAttrs["dedup/cluster_id"]
	if clusterID == nil || origAttrs["dedup/cluster_size"] != 5.0 || origAttrs["dedup/is_duplicate"] != false {
		t.Errorf("dup-orig attributes %v, want a cluster id, size 5, is_duplicate false", origAttrs)
	}
	for _, id := range []string{"dup-exact", "dup-space", "dup-near", "dup-far"} {
		var d map[string]any
		if err := json.Unmarshal([]byte(docs[id]), &d); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		a, _ := d["attributes"].(map[string]any)
		if a["dedup/cluster_id"] != clusterID || a["dedup/cluster_size"] != 5.0 || a["dedup/is_duplicate"] != true {
			t.Errorf("%s attributes %v, want cluster %v, size 5, is_duplicate true", id, a, clusterID)
		}
	}
	if _, ok := docs["uniq-1"]; !ok || strings.Contains(docs["uniq-1"], `"dedup/`) {
		t.Errorf("uniq-1 missing or tagged: %s", trunc(docs["uniq-1"]))
	}
	if rows := rejectLines(t, modes[0].dir, "rejects/dedup/*.jsonl.zst"); len(rows) != 0 {
		t.Errorf("tag_only wrote %d rejects/dedup rows", len(rows))
	}
	compareModes(t, modes)
}
