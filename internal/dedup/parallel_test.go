package dedup

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"winnow"
)

// Boilerplate lines that several documents end with.
var footers = []string{
	"subscribe to our newsletter for weekly updates from the editors",
	"copyright example corporation all rights reserved worldwide",
	"share this article with your friends and family today",
}

// manyShards is the fixture of the worker tests: 132 documents, 22
// shards of 6. Originals have three unique lines of 40 words, a third of
// them a footer too; every 11th document (from 5) is an exact copy of an
// earlier original, every 11th (from 8) a near copy (one word of 120
// changed: Jaccard ≈ 0.95), every 17th (from 16) a footer and a line of
// an earlier original (so every line of it was seen: emptied by line
// dedup), and shard 00010 holds only exact copies of document 0. The
// second result is the ordinals that document dedup drops (first
// survivor policy), with their rule.
func manyShards() ([]*winnow.Doc, map[int]string) {
	rng := rand.New(rand.NewPCG(31, 31))
	const n = 132
	docs := make([]*winnow.Doc, 0, n)
	dropped := map[int]string{}
	var originals []int
	lines := map[int][]string{}
	for i := range n {
		var text string
		switch {
		case i >= 60 && i < 66:
			text = docs[0].Text
			dropped[i] = RuleExact
		case i%11 == 5 && len(originals) > 0:
			text = docs[originals[rng.IntN(len(originals))]].Text
			dropped[i] = RuleExact
		case i%11 == 8 && len(originals) > 0:
			o := originals[rng.IntN(len(originals))]
			ls := slices.Clone(lines[o])
			w := strings.Fields(ls[1])
			w[20] = fmt.Sprintf("changed%d", i)
			ls[1] = strings.Join(w, " ")
			text = strings.Join(ls, "\n")
			dropped[i] = RuleNear
		case i%17 == 16 && len(originals) > 0:
			o := originals[rng.IntN(len(originals))]
			text = lines[o][rng.IntN(3)] + "\n" + footers[i%len(footers)]
		default:
			ls := []string{sentence(rng, 40), sentence(rng, 40), sentence(rng, 40)}
			if i%3 == 0 {
				ls = append(ls, footers[(i/3)%len(footers)])
			}
			lines[i] = ls
			originals = append(originals, i)
			text = strings.Join(ls, "\n")
		}
		docs = append(docs, &winnow.Doc{ID: fmt.Sprintf("d%03d", i), Text: text, Source: "test"})
	}
	return docs, dropped
}

// expectedLines counts, in document order, the lines of the documents
// not in dropped that an earlier such document had (lines compared as
// trimmed lowercase strings, which is what cc_net's normalisation gives
// for this fixture's ASCII words), and the documents all of whose lines
// were seen.
func expectedLines(docs []*winnow.Doc, dropped map[int]string) (removed, emptied int64) {
	seen := map[string]bool{}
	for i, d := range docs {
		if _, ok := dropped[i]; ok {
			continue
		}
		var mine []string
		left := 0
		for l := range strings.SplitSeq(d.Text, "\n") {
			k := strings.ToLower(strings.TrimSpace(l))
			if k == "" {
				continue
			}
			if seen[k] {
				removed++
				continue
			}
			left++
			mine = append(mine, k)
		}
		if left == 0 {
			emptied++
		}
		for _, k := range mine {
			seen[k] = true
		}
	}
	return removed, emptied
}

// filesUnder returns every file under dir (path relative to dir → bytes),
// skipping the directory named skip.
func filesUnder(t *testing.T, dir, skip string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && e.Name() == skip && p != dir {
			return filepath.SkipDir
		}
		if !e.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = b
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	for name, b := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: %s missing", what, name)
		} else if !bytes.Equal(g, b) {
			t.Errorf("%s: %s differs (%d bytes, want %d)", what, name, len(g), len(b))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: unexpected %s", what, name)
		}
	}
}

// The rewrite staged by 1, 2 or 7 workers gives the same staged files,
// the same committed output and the same counts, which match the
// fixture's construction.
func TestStageWorkersSameOutput(t *testing.T) {
	lines := DefaultConfig()
	lines.Lines.Enabled = true
	tagOnly := lines
	tagOnly.TagOnly = true
	configs := []struct {
		name string
		cfg  Config
	}{{"drop", DefaultConfig()}, {"drop+lines", lines}, {"tag-only+lines", tagOnly}}
	for _, tc := range configs {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			docs, dropped := manyShards()
			var exact, near int64
			for _, rule := range dropped {
				if rule == RuleExact {
					exact++
				} else {
					near++
				}
			}
			want := Result{Documents: int64(len(docs)), Shards: 22, ExactDuplicates: exact, NearDuplicates: near}
			if cfg.TagOnly {
				want.Kept = want.Documents
				if cfg.Lines.Enabled {
					want.LinesRemoved, _ = expectedLines(docs, nil)
				}
			} else {
				if cfg.Lines.Enabled {
					want.LinesRemoved, want.EmptiedDocuments = expectedLines(docs, dropped)
				}
				want.Kept = want.Documents - exact - near - want.EmptiedDocuments
			}
			if exact < 10 || near < 5 || (cfg.Lines.Enabled && !cfg.TagOnly && want.EmptiedDocuments < 3) {
				t.Fatalf("fixture too small: %+v", want)
			}

			var refStaged, refOut map[string][]byte
			var refRes *Result
			for _, workers := range []int{1, 2, 7} {
				dir := t.TempDir()
				docs, _ := manyShards()
				writeOutput(t, dir, cfg, docs, 16, 6)
				r := &runner{ctx: context.Background(), dir: dir, cfg: cfg, state: filepath.Join(dir, ".dedup"), workers: workers}
				if err := r.loadState(); err != nil {
					t.Fatal(err)
				}
				phases := []struct {
					name string
					fn   func() error
				}{{PhaseClusters, r.clusters}, {PhaseLines, r.lines}, {PhaseStaged, r.stage}}
				for _, p := range phases {
					if p.name == PhaseLines && !cfg.Lines.Enabled {
						continue
					}
					if err := p.fn(); err != nil {
						t.Fatal(err)
					}
					if err := r.markDone(p.name); err != nil {
						t.Fatal(err)
					}
				}
				staged := filesUnder(t, r.path("stage"), "")
				// the commit, by a later process
				res, err := Run(context.Background(), Options{Dir: dir, Config: cfg, Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				out := filesUnder(t, dir, ".dedup")
				res.Resumed = nil
				if workers == 1 {
					refStaged, refOut, refRes = staged, out, res
					// every shard is staged, the one of duplicates only
					// as an empty shard with empty side files
					for s := range 22 {
						name := filepath.Join("documents", fmt.Sprintf("%05d", s)+docExt)
						if _, ok := staged[name]; !ok {
							t.Errorf("%s not staged", name)
						}
					}
					if !cfg.TagOnly {
						if kept := readShard(t, filepath.Join(dir, "documents", "00010"+docExt)); len(kept) != 0 {
							t.Errorf("shard 00010 keeps %v, want none", ids(kept))
						}
						if b := out[filepath.Join("side", SideMinHash, "00010.bin")]; b == nil || len(b) != 0 {
							t.Errorf("side/minhash/00010.bin: %d bytes, want an empty file", len(b))
						}
					}
					kept, rej := readDir(t, dir)
					if int64(len(kept)) != want.Kept || int64(len(rej)) != want.Documents-want.Kept {
						t.Errorf("%d kept and %d rejected, want %d and %d", len(kept), len(rej), want.Kept, want.Documents-want.Kept)
					}
					got := *res
					got.Clusters, got.ClusteredDocs, got.CandidatePairs, got.RejectedPairs, got.BytesOut = 0, 0, 0, 0, 0
					if !reflect.DeepEqual(got, want) {
						t.Errorf("result %+v, want %+v", got, want)
					}
					continue
				}
				sameFiles(t, fmt.Sprintf("%d workers, staged", workers), staged, refStaged)
				sameFiles(t, fmt.Sprintf("%d workers, output", workers), out, refOut)
				if !reflect.DeepEqual(res, refRes) {
					t.Errorf("%d workers: result %+v, want %+v", workers, *res, *refRes)
				}
			}
		})
	}
}

// dropLastRow rewrites the side file at path without its last row.
func dropLastRow(t *testing.T, path string) {
	t.Helper()
	sr, err := openSide(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]byte
	for {
		row, err := sr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, bytes.Clone(row))
	}
	sr.close()
	sw, err := createSide(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[:len(rows)-1] {
		if err := sw.write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.close(); err != nil {
		t.Fatal(err)
	}
}

// A side file (minhash or lines) one row short in a middle shard fails
// the parallel rewrite with an error naming it, and leaves the output as
// it was; a rerun fails the same way.
func TestStageWorkersShortSideFile(t *testing.T) {
	for _, key := range []string{SideMinHash, SideLines} {
		t.Run(key, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Lines.Enabled = true
			dir := t.TempDir()
			docs, _ := manyShards()
			writeOutput(t, dir, cfg, docs, 16, 6)
			dropLastRow(t, filepath.Join(dir, "side", key, "00011.bin"))
			before := filesUnder(t, dir, ".dedup")
			want := fmt.Sprintf("side/%s/00011.bin has fewer rows than the shard", key)
			for _, workers := range []int{3, 7} {
				_, err := Run(context.Background(), Options{Dir: dir, Config: cfg, Workers: workers})
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("%d workers: err = %v, want %q", workers, err, want)
				}
				sameFiles(t, "output after the failed rewrite", filesUnder(t, dir, ".dedup"), before)
			}
		})
	}
}

// A cancelled context stops the rewrite with its error.
func TestStageWorkersCancelled(t *testing.T) {
	cfg := DefaultConfig()
	dir := t.TempDir()
	docs, _ := manyShards()
	writeOutput(t, dir, cfg, docs, 16, 6)
	r := &runner{ctx: context.Background(), dir: dir, cfg: cfg, state: filepath.Join(dir, ".dedup"), workers: 4}
	if err := r.loadState(); err != nil {
		t.Fatal(err)
	}
	if err := r.clusters(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.ctx = ctx
	if err := r.stage(); err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestOpenRecStreamAt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recs.bin")
	w, err := createRecFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// ordinals 3, 3, 5, 9, 9, 9, 12
	as := []uint64{3, 3, 5, 9, 9, 9, 12}
	for i, a := range as {
		if err := w.write(rec{a, uint64(i), 0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at    uint32
		first int // index of the first record read, len(as) for none
	}{{0, 0}, {3, 0}, {4, 2}, {5, 2}, {6, 3}, {9, 3}, {10, 6}, {12, 6}, {13, 7}, {1 << 31, 7}} {
		s, err := openRecStreamAt(path, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for x, ok := s.peek(); ok; x, ok = s.peek() {
			got = append(got, x.B)
			if err := s.advance(); err != nil {
				t.Fatal(err)
			}
		}
		s.f.Close()
		var want []uint64
		for i := tt.first; i < len(as); i++ {
			want = append(want, uint64(i))
		}
		if !slices.Equal(got, want) {
			t.Errorf("at %d: records %v, want %v", tt.at, got, want)
		}
	}
	// a missing file and an empty one
	if _, err := openRecStreamAt(filepath.Join(t.TempDir(), "none"), 0); err == nil {
		t.Error("no error for a missing file")
	}
	empty := filepath.Join(t.TempDir(), "empty.bin")
	os.WriteFile(empty, nil, 0o644)
	s, err := openRecStreamAt(empty, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.peek(); ok {
		t.Error("a record in an empty file")
	}
	s.f.Close()
}
