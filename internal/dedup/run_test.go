package dedup

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"winnow"
)

// writeOutput signs docs with the stage (batches of batch documents, as
// the executor would) and writes them as a run's output: shards of
// perShard documents and their side files.
func writeOutput(t testing.TB, dir string, cfg Config, docs []*winnow.Doc, batch, perShard int) {
	t.Helper()
	st, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(docs); i += batch {
		if _, err := st.Process(context.Background(), docs[i:min(i+batch, len(docs))]); err != nil {
			t.Fatal(err)
		}
	}
	for s := 0; s*perShard < len(docs); s++ {
		name := fmt.Sprintf("%05d", s)
		w, err := createDocs(filepath.Join(dir, "documents", name+docExt))
		if err != nil {
			t.Fatal(err)
		}
		sides := map[string]*sideWriter{}
		for _, d := range docs[s*perShard : min((s+1)*perShard, len(docs))] {
			if err := w.write(d); err != nil {
				t.Fatal(err)
			}
			for k, v := range d.Side {
				if sides[k] == nil {
					if sides[k], err = createSide(filepath.Join(dir, "side", k, name+".bin")); err != nil {
						t.Fatal(err)
					}
				}
				if err := sides[k].write(v); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.close(); err != nil {
			t.Fatal(err)
		}
		for _, sw := range sides {
			if err := sw.close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// readDir returns the documents of dir/documents and the rows of
// dir/rejects/dedup.
func readDir(t testing.TB, dir string) (kept []*winnow.Doc, rejects []rejected) {
	t.Helper()
	shards, err := shardNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range shards {
		kept = append(kept, readShard(t, filepath.Join(dir, "documents", sh+docExt))...)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "rejects", "dedup"))
	for _, e := range ents {
		f, err := os.Open(filepath.Join(dir, "rejects", "dedup", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		z, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(z)
		for {
			var r rejected
			if err := dec.Decode(&r); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			rejects = append(rejects, r)
		}
		z.Close()
		f.Close()
	}
	return kept, rejects
}

// rejected is a row of the reject shards (internal/format/jsonl).
type rejected struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
	Text   string `json:"text"`
}

func readShard(t testing.TB, path string) []*winnow.Doc {
	t.Helper()
	r, err := openDocs(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	var out []*winnow.Doc
	for {
		d, err := r.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
}

func ids(docs []*winnow.Doc) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.ID)
	}
	return out
}

// sentence returns a pseudo-random English-like sentence of n words.
func sentence(rng *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = "wd" + letters(rng.IntN(100000))
	}
	return strings.Join(w, " ")
}

// fixture: a1 original, a2 exact copy with other white space, a3 a near
// copy (one word of 200 changed: Jaccard ≈ 0.95), b1 unrelated, b2 a copy
// of b1 with half its words changed (not a duplicate), c1/c2 exact copies.
func fixture() []*winnow.Doc {
	rng := rand.New(rand.NewPCG(11, 11))
	a := sentence(rng, 200)
	aw := strings.Fields(a)
	aw[100] = "changed"
	b := sentence(rng, 200)
	bw := strings.Fields(b)
	for i := 0; i < len(bw); i += 2 {
		bw[i] = "other"
	}
	c := sentence(rng, 50)
	mk := func(id, text string) *winnow.Doc {
		return &winnow.Doc{ID: id, Text: text, Source: "test"}
	}
	return []*winnow.Doc{
		mk("a1", a),
		mk("b1", b),
		mk("a2", "  "+strings.ReplaceAll(a, " ", " \n ")+"\t"),
		mk("c1", c),
		mk("a3", strings.Join(aw, " ")),
		mk("b2", strings.Join(bw, " ")),
		mk("c2", c),
		mk("e1", ""),
	}
}

func TestRunDropsDuplicates(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	writeOutput(t, dir, cfg, fixture(), 3, 3)
	res, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	kept, rej := readDir(t, dir)
	if got, want := ids(kept), []string{"a1", "b1", "c1", "b2", "e1"}; !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	want := map[string]string{"a2": "dedup/exact", "a3": "dedup/near_duplicate", "c2": "dedup/exact"}
	// the cluster id is the smallest ordinal of the component
	wantDetail := map[string]string{"a2": "cluster 0", "a3": "cluster 0", "c2": "cluster 3"}
	if len(rej) != len(want) {
		t.Fatalf("%d rejects, want %d", len(rej), len(want))
	}
	for _, r := range rej {
		if r.Reason != want[r.ID] || r.Detail != wantDetail[r.ID] {
			t.Errorf("%s: reason %q detail %q, want %q %q", r.ID, r.Reason, r.Detail, want[r.ID], wantDetail[r.ID])
		}
	}
	if res.Documents != 8 || res.ExactDuplicates != 2 || res.NearDuplicates != 1 || res.Kept != 5 || res.Clusters != 2 {
		t.Errorf("result %+v", res)
	}
	// side files stay aligned with the rewritten shards
	for _, sh := range []string{"00000", "00001", "00002"} {
		docs := readShard(t, filepath.Join(dir, "documents", sh+docExt))
		sr, err := openSide(filepath.Join(dir, "side", SideMinHash, sh+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			if _, err := sr.next(); err != nil {
				break
			}
			n++
		}
		sr.close()
		if n != len(docs) {
			t.Errorf("shard %s: %d side rows for %d documents", sh, n, len(docs))
		}
	}
}

func TestRunTagOnly(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.TagOnly = true
	writeOutput(t, dir, cfg, fixture(), 8, 8)
	res, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	kept, rej := readDir(t, dir)
	if len(kept) != 8 || len(rej) != 0 || res.Kept != 8 {
		t.Fatalf("tag-only kept %d, rejected %d", len(kept), len(rej))
	}
	type tag struct {
		cluster, size float64
		dup           bool
	}
	want := map[string]tag{"a1": {0, 3, false}, "a2": {0, 3, true}, "a3": {0, 3, true}, "c1": {3, 2, false}, "c2": {3, 2, true}}
	for _, d := range kept {
		w, ok := want[d.ID]
		if !ok {
			if _, has := d.Attributes[AttrClusterID]; has {
				t.Errorf("%s: unexpected cluster attributes %v", d.ID, d.Attributes)
			}
			continue
		}
		got := tag{d.Attributes[AttrClusterID].(float64), d.Attributes[AttrClusterSize].(float64), d.Attributes[AttrIsDuplicate].(bool)}
		if got != w {
			t.Errorf("%s: %+v, want %+v", d.ID, got, w)
		}
	}
}

func TestRunSurvivorPolicies(t *testing.T) {
	tests := []struct {
		policy string
		want   []string // kept ids
	}{
		{"first", []string{"a1", "b1", "c1", "b2", "e1"}},
		// created: a3 is the oldest of cluster a, c2 of cluster c
		{"oldest", []string{"b1", "a3", "b2", "c2", "e1"}},
		// quality: a2 highest of cluster a; c1 and c2 tie -> c1
		{"attribute:quality", []string{"b1", "a2", "c1", "b2", "e1"}},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			docs := fixture()
			created := map[string]string{"a1": "2024-03-01T00:00:00Z", "a2": "2024-02-01T00:00:00Z", "a3": "2023-12-31T23:59:59Z", "c1": "", "c2": "2020-01-01T00:00:00Z"}
			quality := map[string]float64{"a1": 0.2, "a2": 0.9, "a3": 0.5, "c1": 0.7, "c2": 0.7}
			for _, d := range docs {
				d.Created = created[d.ID]
				if q, ok := quality[d.ID]; ok {
					d.SetAttr("quality", q)
				}
			}
			dir := t.TempDir()
			cfg := DefaultConfig()
			cfg.Survivor = tt.policy
			writeOutput(t, dir, cfg, docs, 8, 4)
			if _, err := Run(context.Background(), Options{Dir: dir, Config: cfg}); err != nil {
				t.Fatal(err)
			}
			kept, _ := readDir(t, dir)
			if got := ids(kept); !slices.Equal(got, tt.want) {
				t.Errorf("kept %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRunVerifyRemovesFalsePositives(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	base := strings.Fields(sentence(rng, 300))
	var docs []*winnow.Doc
	docs = append(docs, &winnow.Doc{ID: "orig", Text: strings.Join(base, " ")})
	// Jaccard ≈ 0.68 copy: one word in 25 changed (each change breaks up
	// to 5 shingles) — often an LSH candidate, below a 0.8 verification.
	mid := slices.Clone(base)
	for i := 0; i < len(mid); i += 25 {
		mid[i] = "zz"
	}
	docs = append(docs, &winnow.Doc{ID: "mid", Text: strings.Join(mid, " ")})
	h, _ := NewHasher(DefaultConfig().MinHash)
	j := Jaccard(h.Shingles(nil, docs[0].Text), h.Shingles(nil, docs[1].Text))
	if j >= 0.8 || j < 0.5 {
		t.Fatalf("fixture Jaccard %.3f not in [0.5, 0.8)", j)
	}
	for _, v := range []float64{0, 0.8, j - 0.01} {
		dir := t.TempDir()
		cfg := DefaultConfig()
		cfg.MinHash.Bands, cfg.MinHash.Rows = 20, 2 // threshold ≈ 0.22: surely a candidate
		cfg.Verify = v
		writeOutput(t, dir, cfg, slices.Clone(docs), 2, 2)
		res, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		wantDup := v < j
		if got := res.NearDuplicates == 1; got != wantDup {
			t.Errorf("verify %.3f (Jaccard %.3f): near duplicates %d, rejected pairs %d", v, j, res.NearDuplicates, res.RejectedPairs)
		}
		for _, d := range docs {
			d.Side = nil
		}
	}
}

func TestRunLines(t *testing.T) {
	docs := []*winnow.Doc{
		{ID: "d1", Text: "Welcome to the site\nThe first article is about birds.\nCopyright 2021 Example"},
		{ID: "d2", Text: "welcome to the SITE!\nA second article about fish.\nCopyright 2024 Example\n"},
		{ID: "d3", Text: "Copyright 1999 Example\n  Welcome to the site  "},
		{ID: "d4", Text: "An unrelated text.\n\nWith an empty line.\n\n"},
	}
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Lines.Enabled = true
	writeOutput(t, dir, cfg, docs, 4, 2)
	res, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	kept, rej := readDir(t, dir)
	// "welcome to the site!" keeps "!" (cc_net removes only its Unicode
	// punctuation list), so it is a different line; digits normalise to 0.
	want := map[string]string{
		"d1": "Welcome to the site\nThe first article is about birds.\nCopyright 2021 Example",
		"d2": "welcome to the SITE!\nA second article about fish.\n",
		"d4": "An unrelated text.\n\nWith an empty line.\n\n",
	}
	if len(kept) != 3 {
		t.Fatalf("kept %v", ids(kept))
	}
	for _, d := range kept {
		if d.Text != want[d.ID] {
			t.Errorf("%s: text %q, want %q", d.ID, d.Text, want[d.ID])
		}
	}
	if len(rej) != 1 || rej[0].ID != "d3" || rej[0].Reason != "dedup/repeated_lines" || res.EmptiedDocuments != 1 || res.LinesRemoved != 3 {
		t.Errorf("rejects %d, result %+v", len(rej), res)
	}
}

// Two identical runs give byte-identical output, and the stage gives the
// same result whatever the batch size (1 worker or N workers see
// different batches).
func TestRunDeterministic(t *testing.T) {
	var outs [][]byte
	for i, batch := range []int{1, 3, 8, 8} {
		dir := t.TempDir()
		cfg := DefaultConfig()
		cfg.Lines.Enabled = i%2 == 1
		cfg.Lines.Enabled = true
		writeOutput(t, dir, cfg, fixture(), batch, 3)
		if _, err := Run(context.Background(), Options{Dir: dir, Config: cfg}); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, snapshot(t, dir))
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Fatalf("run %d differs from run 0", i)
		}
	}
}

// snapshot concatenates every file under dir except the phase state.
func snapshot(t *testing.T, dir string) []byte {
	var b bytes.Buffer
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if e.IsDir() && e.Name() == ".dedup" {
			return filepath.SkipDir
		}
		if !e.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "%s %d\n", rel, len(data))
			b.Write(data)
		}
		return nil
	})
	return b.Bytes()
}

func TestRunResumes(t *testing.T) {
	cfg := DefaultConfig()
	fresh := t.TempDir()
	writeOutput(t, fresh, cfg, fixture(), 8, 3)
	if _, err := Run(context.Background(), Options{Dir: fresh, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, fresh)

	// Interrupted after the clusters phase and after staging the rewrite.
	for _, upto := range []string{PhaseClusters, PhaseStaged} {
		dir := t.TempDir()
		writeOutput(t, dir, cfg, fixture(), 8, 3)
		r := &runner{ctx: context.Background(), dir: dir, cfg: cfg, state: filepath.Join(dir, ".dedup")}
		if err := r.loadState(); err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			name string
			fn   func() error
		}{{PhaseClusters, r.clusters}, {PhaseStaged, r.stage}} {
			if err := p.fn(); err != nil {
				t.Fatal(err)
			}
			if err := r.markDone(p.name); err != nil {
				t.Fatal(err)
			}
			if p.name == upto {
				break
			}
		}
		res, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Resumed) == 0 || res.Resumed[len(res.Resumed)-1] != upto {
			t.Errorf("resumed %v, want up to %s", res.Resumed, upto)
		}
		if !bytes.Equal(snapshot(t, dir), want) {
			t.Errorf("resuming after %s gives another output", upto)
		}
		// A finished run is not redone.
		res, err = Run(context.Background(), Options{Dir: dir, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Resumed) != 3 || res.ExactDuplicates != 2 || res.NearDuplicates != 1 {
			t.Errorf("rerun: %+v", res)
		}
	}
}

func TestRunRejectsForeignSignatures(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	writeOutput(t, dir, cfg, fixture(), 8, 8)
	other := cfg
	other.MinHash.Seed = 42
	if _, err := Run(context.Background(), Options{Dir: dir, Config: other}); err == nil ||
		!strings.Contains(err.Error(), "other MinHash parameters than the dedup config gives (ngram 5, bands 14, rows 8, seed 42, exact_norm whitespace)") {
		t.Fatalf("err = %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.MinHash.Bands = 0
	c.Survivor = "best"
	c.ExactNorm = "nfc"
	err := c.Validate()
	for _, s := range []string{"bands", "survivor", "exact_norm"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("Validate() = %v, want a %s problem", err, s)
		}
	}
}

func TestSorterSpills(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	s := newSorter(t.TempDir(), "t", 1) // 1024 records per run
	var want []rec
	for range 10_000 {
		x := rec{rng.Uint64N(50), rng.Uint64(), rng.Uint64N(3)}
		want = append(want, x)
		if err := s.add(x); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.runs) != 9 {
		t.Errorf("%d runs spilled, want 9", len(s.runs))
	}
	slices.SortFunc(want, cmpRec)
	var got []rec
	if err := s.each(func(x rec) error { got = append(got, x); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatal("merged order differs from an in-memory sort")
	}
}

func FuzzParseSideRow(f *testing.F) {
	cfg := DefaultConfig()
	st, _ := newStage(cfg)
	f.Add(st.sign(nil, "a valid row of some text for the fuzzer to start from"))
	f.Add(st.sign(nil, ""))
	f.Add([]byte{1, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseSideRow(b, nil)
		if err == nil && len(r.bands) != int(b[21]) {
			t.Fatalf("%d bands parsed, header says %d", len(r.bands), b[21])
		}
		parseLinesRow(b, nil)
	})
}

// FuzzSideFile feeds arbitrary bytes to the side-file reader: it returns
// rows or an error, never panics, and never returns more bytes than the
// file holds.
func FuzzSideFile(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{3, 'a', 'b', 'c', 0, 1, 'x'})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{5, 'a'})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "x.bin")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		sr, err := openSide(p)
		if err != nil {
			t.Fatal(err)
		}
		defer sr.close()
		total := 0
		for {
			row, err := sr.next()
			if err != nil {
				break
			}
			total += len(row) + 1
			if total > len(b) {
				t.Fatalf("rows hold %d bytes, the file %d", total, len(b))
			}
		}
	})
}

func TestRunWithoutSignatures(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	docs := fixture()
	writeOutput(t, dir, cfg, docs, 8, 8)
	if err := os.RemoveAll(filepath.Join(dir, "side", SideMinHash)); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
	if err == nil || !strings.Contains(err.Error(), "must end with the \"minhash\" stage") {
		t.Fatalf("err = %v", err)
	}
	// the output is untouched
	kept, _ := readDir(t, dir)
	if len(kept) != len(docs) {
		t.Fatalf("%d documents left of %d", len(kept), len(docs))
	}
}

// BenchmarkRun measures the dedup phase on a fixed synthetic output: 2,000
// documents of 300 words, a tenth exact copies and a tenth near copies
// (one word in 50 changed), in 4 shards. Bytes are the documents' text.
func BenchmarkRun(b *testing.B) {
	rng := rand.New(rand.NewPCG(21, 21))
	var docs []*winnow.Doc
	var textBytes int64
	for i := range 2000 {
		var text string
		switch {
		case i >= 10 && i%10 == 0:
			text = docs[rng.IntN(i)].Text
		case i >= 10 && i%10 == 5:
			w := strings.Fields(docs[rng.IntN(i)].Text)
			for k := 0; k < len(w); k += 50 {
				w[k] = "edit"
			}
			text = strings.Join(w, " ")
		default:
			text = sentence(rng, 300)
		}
		textBytes += int64(len(text))
		docs = append(docs, &winnow.Doc{ID: fmt.Sprintf("d%05d", i), Text: text})
	}
	cfg := DefaultConfig()
	src := b.TempDir()
	writeOutput(b, src, cfg, docs, 256, 500)
	b.SetBytes(textBytes)
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "out")
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := Run(context.Background(), Options{Dir: dir, Config: cfg}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStage signs 64 documents of 300 words per batch, as the
// executor would call it.
func BenchmarkStage(b *testing.B) {
	rng := rand.New(rand.NewPCG(22, 22))
	docs := make([]*winnow.Doc, 64)
	var n int64
	for i := range docs {
		docs[i] = &winnow.Doc{Text: sentence(rng, 300)}
		n += int64(len(docs[i].Text))
	}
	st, err := New(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	for b.Loop() {
		if _, err := st.Process(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
	}
}

// With survivor "oldest", the line's owner is the oldest document that
// has it, not the first.
func TestRunLinesSurvivorPolicy(t *testing.T) {
	docs := []*winnow.Doc{
		{ID: "new", Text: "Shared footer line\nnew body", Created: "2024-01-01T00:00:00Z"},
		{ID: "old", Text: "old body\nShared footer line", Created: "2020-01-01T00:00:00Z"},
		{ID: "undated", Text: "Shared footer line\nundated body"},
	}
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Lines.Enabled = true
	cfg.Survivor = "oldest"
	writeOutput(t, dir, cfg, docs, 3, 3)
	if _, err := Run(context.Background(), Options{Dir: dir, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	kept, _ := readDir(t, dir)
	want := []string{"new body", "old body\nShared footer line", "undated body"}
	var got []string
	for _, d := range kept {
		got = append(got, d.Text)
	}
	if !slices.Equal(got, want) {
		t.Errorf("texts %q, want %q", got, want)
	}
}

func TestRunEmptyOutput(t *testing.T) {
	dir := t.TempDir()
	res, err := Run(context.Background(), Options{Dir: dir, Config: DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents != 0 || res.Kept != 0 {
		t.Errorf("result %+v", res)
	}
	if _, err := Run(context.Background(), Options{Dir: filepath.Join(dir, "missing"), Config: DefaultConfig()}); err == nil {
		t.Error("no error for a missing OUTDIR")
	}
}

func TestRunLinesTagOnly(t *testing.T) {
	docs := []*winnow.Doc{
		{ID: "d1", Text: "Shared footer\nfirst"},
		{ID: "d2", Text: "second\nShared footer"},
	}
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Lines.Enabled = true
	cfg.TagOnly = true
	writeOutput(t, dir, cfg, docs, 2, 2)
	res, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := readDir(t, dir)
	if len(kept) != 2 || kept[1].Text != "second\nShared footer" || kept[1].Attributes[AttrRepeatedLines] != float64(1) ||
		kept[0].Attributes[AttrRepeatedLines] != nil || res.LinesRemoved != 1 {
		t.Errorf("tag-only lines: %+v / %+v, result %+v", kept[0], kept[1], res)
	}
}
