package dedup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"winnow"
)

// partsFixture: 30 base texts of 120 words in a shuffled order with, for
// every third base, a white-space variant (an exact duplicate), for every
// third base a copy with one word changed (5-gram Jaccard ≈ 0.92, a near
// duplicate), and for every fifth base a copy with every 12th word
// changed (Jaccard ≈ 0.4-0.6: an LSH candidate under 20 bands × 2 rows
// that a 0.8 verification rejects). Every document gets a distinct
// `created` time, copies often older than their originals, so that
// "oldest" keeps other survivors than "first".
func partsFixture() []*winnow.Doc {
	rng := rand.New(rand.NewPCG(3, 7))
	var docs []*winnow.Doc
	for i := range 30 {
		base := sentence(rng, 120)
		docs = append(docs, &winnow.Doc{ID: fmt.Sprintf("b%02d", i), Text: base})
		switch i % 3 {
		case 0:
			docs = append(docs, &winnow.Doc{ID: fmt.Sprintf("b%02d-ws", i), Text: " " + strings.ReplaceAll(base, " ", "\n") + " "})
		case 1:
			w := strings.Fields(base)
			w[60] = "changed"
			docs = append(docs, &winnow.Doc{ID: fmt.Sprintf("b%02d-near", i), Text: strings.Join(w, " ")})
		}
		if i%5 == 0 {
			w := strings.Fields(base)
			for k := 0; k < len(w); k += 12 {
				w[k] = "mid"
			}
			docs = append(docs, &winnow.Doc{ID: fmt.Sprintf("b%02d-mid", i), Text: strings.Join(w, " ")})
		}
	}
	rng.Shuffle(len(docs), func(i, j int) { docs[i], docs[j] = docs[j], docs[i] })
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, d := range docs {
		d.Created = t0.Add(time.Duration(rng.IntN(1000)*1000+i) * time.Second).Format(time.RFC3339)
	}
	docs = append(docs, &winnow.Doc{ID: "empty", Text: ""})
	return docs
}

// partsConfigs are the configs the parts must not change the result of.
func partsConfigs() map[string]Config {
	def := DefaultConfig()
	verify := DefaultConfig()
	verify.MinHash.Bands, verify.MinHash.Rows = 20, 2
	verify.Verify = 0.8
	oldest := DefaultConfig()
	oldest.Survivor = "oldest"
	lines := DefaultConfig()
	lines.Lines.Enabled = true
	lines.TagOnly = true
	return map[string]Config{"default": def, "verify": verify, "oldest": oldest, "lines+tag_only": lines}
}

// runParts computes parts of the output in dir in the given order and
// returns what each wrote.
func runParts(t *testing.T, dir string, cfg Config, order []int, parts int) []*EdgesResult {
	t.Helper()
	var out []*EdgesResult
	for _, p := range order {
		res, err := Edges(context.Background(), EdgesOptions{Dir: dir, Config: cfg, Part: p, Parts: parts})
		if err != nil {
			t.Fatalf("part %d of %d: %v", p, parts, err)
		}
		if res.Part != p || res.Parts != parts || res.Documents != int64(len(partsFixture())) {
			t.Fatalf("part %d of %d: result %+v", p, parts, res)
		}
		out = append(out, res)
	}
	return out
}

func TestEdgesPartsMatchOneProcess(t *testing.T) {
	for name, cfg := range partsConfigs() {
		t.Run(name, func(t *testing.T) {
			ref := t.TempDir()
			writeOutput(t, ref, cfg, partsFixture(), 16, 7)
			want, err := Run(context.Background(), Options{Dir: ref, Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			if want.ExactDuplicates+want.NearDuplicates == 0 || want.Clusters < 10 {
				t.Fatalf("fixture finds too little: %+v", want)
			}
			if name == "verify" && (want.RejectedPairs == 0 || want.CandidatePairs <= want.RejectedPairs) {
				t.Fatalf("verification rejects no candidate pair, or all: %+v", want)
			}
			wantSnap := snapshot(t, ref)
			for _, parts := range []int{1, 2, 3, 5, 20} {
				dir := t.TempDir()
				writeOutput(t, dir, cfg, partsFixture(), 16, 7)
				// parts in reverse order: the merge must not depend on it
				var order []int
				for p := parts - 1; p >= 0; p-- {
					order = append(order, p)
				}
				res := runParts(t, dir, cfg, order, parts)
				var withBand int
				var exact, band int64
				for _, r := range res {
					exact += r.ExactEdges
					band += r.BandEdges
					if r.BandEdges > 0 {
						withBand++
					}
				}
				if parts > 1 && withBand < 2 {
					t.Errorf("%d parts: band edges in %d part(s) only", parts, withBand)
				}
				if cfg.Exact && exact == 0 || band == 0 {
					t.Errorf("%d parts: %d exact and %d band edges", parts, exact, band)
				}
				got, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
				if err != nil {
					t.Fatalf("%d parts: %v", parts, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%d parts: result %+v, one process %+v", parts, got, want)
				}
				if !bytes.Equal(snapshot(t, dir), wantSnap) {
					t.Errorf("%d parts: output differs from one process", parts)
				}
				if _, err := os.Stat(filepath.Join(dir, ".dedup", edgesDirName)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%d parts: the edges are left after the phase: %v", parts, err)
				}
			}
		})
	}
}

// The one-process result checked against a direct computation from the
// side rows: documents are linked when their exact hashes are equal or
// they share a (band, band hash); the kept documents are the smallest
// ordinal of every component. Candidate pairs: for every bucket, each
// member after the first whose exact group differs from the first's.
func TestEdgesAgainstDirectGrouping(t *testing.T) {
	cfg := DefaultConfig()
	docs := partsFixture()
	dir := t.TempDir()
	writeOutput(t, dir, cfg, docs, 16, 7)
	type key struct {
		band int
		h    uint64
	}
	exactOf := map[[2]uint64][]int{}
	buckets := map[key][]int{}
	for i, d := range docs {
		sr, err := parseSideRow(d.Side[SideMinHash], nil)
		if err != nil {
			t.Fatal(err)
		}
		exactOf[sr.exact] = append(exactOf[sr.exact], i)
		for j, b := range sr.bands {
			buckets[key{j, b}] = append(buckets[key{j, b}], i)
		}
	}
	comp := make([]int, len(docs))
	for i := range comp {
		comp[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		if comp[x] != x {
			comp[x] = find(comp[x])
		}
		return comp[x]
	}
	link := func(a, b int) {
		a, b = find(a), find(b)
		comp[max(a, b)] = min(a, b) // the root is the smallest ordinal
	}
	rep := make([]int, len(docs))
	for _, g := range exactOf {
		for _, o := range g {
			rep[o] = g[0]
			link(g[0], o)
		}
	}
	var candidates int64
	for _, g := range buckets {
		for _, o := range g[1:] {
			if rep[o] != rep[g[0]] {
				candidates++
				link(g[0], o)
			}
		}
	}
	var wantKept []string
	for i, d := range docs {
		if find(i) == i {
			wantKept = append(wantKept, d.ID)
		}
	}
	res, err := Run(context.Background(), Options{Dir: dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	kept, _ := readDir(t, dir)
	if got := ids(kept); !slices.Equal(got, wantKept) {
		t.Errorf("kept %v, want %v", got, wantKept)
	}
	if res.CandidatePairs != candidates {
		t.Errorf("candidate pairs %d, want %d", res.CandidatePairs, candidates)
	}
	// 10 white-space copies and 10 one-word copies of the 30 bases
	if res.ExactDuplicates != 10 || res.NearDuplicates < 10 {
		t.Errorf("result %+v", res)
	}
}

func TestEdgesErrors(t *testing.T) {
	cfg := DefaultConfig()
	ctx := context.Background()
	setup := func() string {
		dir := t.TempDir()
		writeOutput(t, dir, cfg, partsFixture(), 16, 7)
		return dir
	}
	expectRunErr := func(dir string, want ...string) {
		t.Helper()
		before := snapshot(t, dir)
		_, err := Run(ctx, Options{Dir: dir, Config: cfg})
		if err == nil {
			t.Fatalf("no error, want %q", want)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
		if !bytes.Equal(snapshot(t, dir), before) {
			t.Errorf("the failed phase changed the output")
		}
	}

	t.Run("missing parts", func(t *testing.T) {
		dir := setup()
		runParts(t, dir, cfg, []int{0, 2}, 5)
		expectRunErr(dir, ": edge parts 1, 3, 4 (of parts 0..4) are missing; run winnow dedup edges "+dir+" --parts 5 with each missing --part")
		// once computed, the merge goes through
		runParts(t, dir, cfg, []int{1, 3, 4}, 5)
		if _, err := Run(ctx, Options{Dir: dir, Config: cfg}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("another config", func(t *testing.T) {
		dir := setup()
		other := cfg
		other.Exact = false
		runParts(t, dir, cfg, []int{0, 2}, 3)
		runParts(t, dir, other, []int{1}, 3)
		expectRunErr(dir, "part 1 of 3 was computed with another dedup config")
		// a config that changes only what follows the edges reuses them
		oldest := cfg
		oldest.Survivor = "oldest"
		runParts(t, dir, cfg, []int{1}, 3)
		if _, err := Run(ctx, Options{Dir: dir, Config: oldest}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("shards changed", func(t *testing.T) {
		dir := setup()
		runParts(t, dir, cfg, []int{0, 1}, 2)
		// the pass is redone with one more document in the last shard
		docs := append(partsFixture(), &winnow.Doc{ID: "late", Text: "a late document"})
		writeOutput(t, dir, cfg, docs, 16, 7)
		expectRunErr(dir, "part 0 of 2 was computed for other shards (shard 00008 was", "part 1 of 2 was computed for other shards")
	})

	t.Run("different part counts", func(t *testing.T) {
		dir := setup()
		runParts(t, dir, cfg, []int{0, 1}, 2)
		runParts(t, dir, cfg, []int{0}, 3)
		expectRunErr(dir, "holds edge parts computed for different --parts (--parts 2: part-00000-of-00002.json, part-00001-of-00002.json; --parts 3: part-00000-of-00003.json); remove the parts of the wrong count")
	})

	t.Run("damaged edge file", func(t *testing.T) {
		dir := setup()
		runParts(t, dir, cfg, []int{0, 1}, 2)
		p := filepath.Join(dir, ".dedup", edgesDirName, "part-00001-of-00002.band")
		b, err := os.ReadFile(p)
		if err != nil || len(b) < 8 {
			t.Fatalf("%v (%d bytes)", err, len(b))
		}
		b[0] ^= 1 // the same size, another first ordinal
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		expectRunErr(dir, "part-00001-of-00002.band does not match the digest")
		if err := os.WriteFile(p, b[:len(b)-8], 0o644); err != nil {
			t.Fatal(err)
		}
		expectRunErr(dir, "part 1 of 2: part-00001-of-00002.band holds")
	})

	t.Run("damaged manifest", func(t *testing.T) {
		dir := setup()
		runParts(t, dir, cfg, []int{0, 1}, 2)
		p := filepath.Join(dir, ".dedup", edgesDirName, "part-00000-of-00002.json")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		n := fmt.Sprintf(`"documents": %d,`, len(partsFixture()))
		if !bytes.Contains(b, []byte(n)) {
			t.Fatalf("manifest lacks %s:\n%s", n, b)
		}
		// a document count past what the side files can hold: refused
		// before the merge allocates its per-document arrays
		if err := os.WriteFile(p, bytes.Replace(b, []byte(n), []byte(`"documents": 1099511627776,`), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		expectRunErr(dir, "part 0 of 2 claims 1099511627776 documents")
		if err := os.WriteFile(p, []byte("{"), 0o644); err != nil {
			t.Fatal(err)
		}
		expectRunErr(dir, "part-00000-of-00002.json: unexpected end of JSON input")
	})

	t.Run("bad part numbers", func(t *testing.T) {
		dir := setup()
		for _, pp := range [][2]int{{2, 2}, {-1, 2}, {0, 0}} {
			if _, err := Edges(ctx, EdgesOptions{Dir: dir, Config: cfg, Part: pp[0], Parts: pp[1]}); err == nil || !strings.Contains(err.Error(), "want 0 ≤ part < parts") {
				t.Errorf("part %d of %d: %v", pp[0], pp[1], err)
			}
		}
	})
}

// partFiles maps the files of the edges folder to their bytes.
func partFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, ".dedup", edgesDirName))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, ".dedup", edgesDirName, e.Name()))
		out[e.Name()] = string(b)
	}
	return out
}

func TestEdgesRerunIsIdempotent(t *testing.T) {
	cfg := DefaultConfig()
	dir := t.TempDir()
	writeOutput(t, dir, cfg, partsFixture(), 16, 7)
	runParts(t, dir, cfg, []int{1}, 3)
	first := partFiles(t, dir)
	if len(first) != 3 {
		t.Fatalf("files %v, want the part's .exact, .band and .json", slices.Collect(mapKeys(first)))
	}
	runParts(t, dir, cfg, []int{1}, 3)
	if again := partFiles(t, dir); !reflect.DeepEqual(again, first) {
		t.Errorf("a rerun of the part changed its files")
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// stopAfter is a context whose Err turns to Canceled at its n-th call: a
// part interrupted at each point where it looks at its context.
type stopAfter struct {
	context.Context
	n, calls atomic.Int64
}

func (c *stopAfter) Err() error {
	if c.calls.Add(1) >= c.n.Load() {
		return context.Canceled
	}
	return nil
}

func TestEdgesInterruptedLeavesNoFile(t *testing.T) {
	cfg := DefaultConfig()
	ref := t.TempDir()
	writeOutput(t, ref, cfg, partsFixture(), 16, 7)
	if _, err := Run(context.Background(), Options{Dir: ref, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, ref)

	dir := t.TempDir()
	writeOutput(t, dir, cfg, partsFixture(), 16, 7)
	runParts(t, dir, cfg, []int{0}, 2)
	complete := partFiles(t, dir)
	interrupts := 0
	for n := int64(1); ; n++ {
		ctx := &stopAfter{Context: context.Background()}
		ctx.n.Store(n)
		_, err := Edges(ctx, EdgesOptions{Dir: dir, Config: cfg, Part: 1, Parts: 2})
		if err == nil {
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		interrupts++
		// part 0 is untouched, part 1 has no file, and no temporary is left
		if got := partFiles(t, dir); !reflect.DeepEqual(got, complete) {
			t.Fatalf("interrupted at check %d: edges folder holds %v", n, slices.Collect(mapKeys(got)))
		}
		if _, err := Run(context.Background(), Options{Dir: dir, Config: cfg}); err == nil || !strings.Contains(err.Error(), ": edge part 1 (of parts 0..1) is missing; run winnow dedup edges "+dir+" --part 1 --parts 2") {
			t.Fatalf("merge after an interrupted part: %v", err)
		}
	}
	// every shard boundary and the check before the renames
	if interrupts < 7 {
		t.Errorf("the part was interrupted at %d points only", interrupts)
	}
	if _, err := Run(context.Background(), Options{Dir: dir, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snapshot(t, dir), want) {
		t.Errorf("output after interrupted parts differs from one process")
	}
}

// TestEdgesAfterClusters: once the dedup phase recorded its clusters
// phase (the parts were merged and removed, the rewrite follows), a part
// is refused and writes nothing.
func TestEdgesAfterClusters(t *testing.T) {
	cfg := DefaultConfig()
	dir := t.TempDir()
	writeOutput(t, dir, cfg, partsFixture(), 16, 7)
	if _, err := Run(context.Background(), Options{Dir: dir, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err := Edges(context.Background(), EdgesOptions{Dir: dir, Config: cfg, Part: 0, Parts: 2})
	want := "dedup: the dedup phase in " + dir + " is past its clusters phase and needs no edge parts; finish it with winnow dedup"
	if err == nil || err.Error() != want {
		t.Errorf("part after the phase: %v, want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, ".dedup", "edges")); !os.IsNotExist(err) {
		t.Errorf("the refused part made .dedup/edges: %v", err)
	}
	if !bytes.Equal(snapshot(t, dir), before) {
		t.Error("the refused part changed the output")
	}
}
