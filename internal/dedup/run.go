package dedup

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zeebo/xxh3"

	"winnow"
)

// Options says where and how the dedup phase runs.
type Options struct {
	// Dir is the run's OUTDIR: documents/, side/ and rejects/ live in it,
	// and the phase keeps its state in Dir/.dedup.
	Dir string
	// Config must be the config the "minhash" stage ran with (the
	// MinHash, ExactNorm and Lines parameters are checked against the
	// side rows).
	Config Config
	// Workers is the number of shards the rewrite stages at once, each
	// with its own shard reader and writer (memory grows with Workers,
	// not with the number of shards); 0 means runtime.GOMAXPROCS(0).
	// The output does not depend on it. Negative is an error.
	Workers int
}

// Result counts what the dedup phase did. Documents = Kept +
// ExactDuplicates + NearDuplicates + EmptiedDocuments in drop mode; in
// tag-only mode Kept = Documents.
type Result struct {
	Documents int64 `json:"documents"`
	Shards    int   `json:"shards"`
	// Clusters is the number of connected components with two or more
	// documents.
	Clusters        int64 `json:"clusters"`
	ClusteredDocs   int64 `json:"clustered_documents"`
	ExactDuplicates int64 `json:"exact_duplicates"`
	NearDuplicates  int64 `json:"near_duplicates"`
	// CandidatePairs counts LSH band collisions (pairs (first of the
	// bucket, other member)); with verification, distinct pairs checked.
	CandidatePairs int64 `json:"candidate_pairs"`
	// RejectedPairs are candidate pairs whose Jaccard similarity was
	// below Config.Verify.
	RejectedPairs int64 `json:"rejected_pairs"`
	// LinesRemoved counts lines removed (or, in tag-only mode, that would
	// be) because an earlier document has them.
	LinesRemoved     int64 `json:"lines_removed"`
	EmptiedDocuments int64 `json:"emptied_documents"`
	Kept             int64 `json:"kept"`
	// BytesOut is the uncompressed JSON size of the documents the rewrite
	// wrote: the run's bytes_out after the phase.
	BytesOut int64 `json:"bytes_out"`
	// Resumed lists the phases that were already done and skipped.
	Resumed []string `json:"resumed,omitempty"`
}

// Phase names, in order, as recorded in Dir/.dedup/done.
const (
	PhaseClusters = "clusters"
	PhaseLines    = "lines"
	PhaseStaged   = "rewrite-staged"
	PhaseRewrite  = "rewrite"
)

// Rejected documents carry Drop{Stage: "dedup", Rule: one of these}.
const (
	RuleExact         = "exact"
	RuleNear          = "near_duplicate"
	RuleRepeatedLines = "repeated_lines"
)

// Attributes set on clustered documents (tag-only mode: on all of them;
// drop mode: on the rejected ones) and, for lines, on edited documents.
const (
	AttrClusterID     = "dedup/cluster_id"
	AttrClusterSize   = "dedup/cluster_size"
	AttrIsDuplicate   = "dedup/is_duplicate"
	AttrRepeatedLines = "dedup/repeated_lines"
)

// Run is the dedup phase on the output of a run in opts.Dir; see the
// package doc. Phases: clusters (the edges of the exact-hash groups and
// LSH buckets: the parts that Edges wrote to .dedup/edges, all of them,
// for this config and these shards, or else part 0 of 1 computed here by
// an external sort of the side rows; then union-find over the edges,
// verification, survivors → .dedup/decisions.bin), lines
// (when enabled: external sort of line hashes → .dedup/lines.bin),
// rewrite (new shards staged in .dedup/stage by opts.Workers goroutines,
// one shard each at a time, then renamed over the old ones). A rerun with the same config skips the finished phases; with a
// different config it starts over (edge parts are kept, and used if they
// fit the new config). Once the clusters phase is recorded the edge parts
// are removed.
//
// Memory: the sorts of part 0 of 1 are bounded by Config.MemoryBytes as
// described on Edges; merging holds the union-find and exact
// representatives (12 bytes per document) and, with verification, the
// candidate pairs (8 bytes each) and their shingle sets; the rewrite, one
// shard reader and writer per worker. Errors: a
// missing or misaligned side file, side rows signed with other
// parameters, edge parts that are incomplete or were computed with
// another config or over other shards (the error names them), I/O
// errors.
func Run(ctx context.Context, opts Options) (*Result, error) {
	cfg := opts.Config
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Workers < 0 {
		return nil, fmt.Errorf("dedup: workers must be at least 0, got %d", opts.Workers)
	}
	if fi, err := os.Stat(opts.Dir); err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("dedup: %s is not a directory", opts.Dir)
	}
	r := &runner{ctx: ctx, dir: opts.Dir, cfg: cfg, state: filepath.Join(opts.Dir, ".dedup"), workers: opts.Workers}
	return r.run()
}

type runner struct {
	ctx     context.Context
	dir     string
	cfg     Config
	state   string
	workers int // goroutines of the rewrite stage; 0: GOMAXPROCS
	done    map[string]bool
	res     Result
}

func (r *runner) path(name string) string { return filepath.Join(r.state, name) }

func (r *runner) run() (*Result, error) {
	if err := r.loadState(); err != nil {
		return nil, err
	}
	steps := []struct {
		name string
		fn   func() error
		skip bool
	}{
		{PhaseClusters, r.clusters, false},
		{PhaseLines, r.lines, !r.cfg.Lines.Enabled},
		{PhaseStaged, r.stage, false},
		{PhaseRewrite, r.commit, false},
	}
	for _, s := range steps {
		if s.skip {
			continue
		}
		if r.done[s.name] {
			r.res.Resumed = append(r.res.Resumed, s.name)
			continue
		}
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
		if err := s.fn(); err != nil {
			return nil, err
		}
		if err := r.markDone(s.name); err != nil {
			return nil, err
		}
		if s.name == PhaseClusters {
			// The decisions are recorded; the edges describe shards the
			// rewrite is about to replace.
			os.RemoveAll(r.edgesDir())
		}
	}
	os.RemoveAll(r.path("tmp"))
	os.RemoveAll(r.edgesDir())
	res := r.res
	return &res, nil
}

// configKey identifies the config in the done file.
func (r *runner) configKey() string {
	b, _ := json.Marshal(r.cfg)
	return strconv.FormatUint(xxh3.Hash(b), 16)
}

func (r *runner) loadState() error {
	r.done = map[string]bool{}
	b, err := os.ReadFile(r.path("done"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("dedup: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines[1:] {
		r.done[l] = true
	}
	if err == nil && lines[0] == "config "+r.configKey() && len(r.done) > 0 {
		rb, err := os.ReadFile(r.path("result.json"))
		if err != nil {
			return fmt.Errorf("dedup: %w", err)
		}
		if err := json.Unmarshal(rb, &r.res); err != nil {
			return fmt.Errorf("dedup: %s: %w", r.path("result.json"), err)
		}
		r.res.Resumed = nil
		return nil
	}
	// A fresh start, or another config: forget the old state, unless a
	// rewrite was staged and not committed (the output is then half
	// renamed, and only the same config can finish it).
	if r.done[PhaseStaged] && !r.done[PhaseRewrite] {
		return fmt.Errorf("dedup: %s holds an uncommitted rewrite made with another config; rerun with that config", r.state)
	}
	r.done = map[string]bool{}
	// Edge parts are kept: Edges may have computed them for this phase
	// (the clusters phase checks that they fit the config and shards).
	ents, err := os.ReadDir(r.state)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("dedup: %w", err)
	}
	for _, e := range ents {
		if e.Name() == edgesDirName {
			continue
		}
		if err := os.RemoveAll(filepath.Join(r.state, e.Name())); err != nil {
			return fmt.Errorf("dedup: %w", err)
		}
	}
	if err := os.MkdirAll(r.path("tmp"), 0o755); err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	return os.WriteFile(r.path("done"), []byte("config "+r.configKey()+"\n"), 0o644)
}

func (r *runner) markDone(phase string) error {
	rb, _ := json.Marshal(r.res)
	if err := writeFileAtomic(r.path("result.json"), rb); err != nil {
		return err
	}
	f, err := os.OpenFile(r.path("done"), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	if _, err := f.WriteString(phase + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("dedup: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("dedup: %w", err)
	}
	r.done[phase] = true
	return f.Close()
}

func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	return nil
}

// forEachSide calls fn(ordinal, row) for every row of side/<key> in shard
// order; it checks nothing about alignment (the rewrite does).
func (r *runner) forEachSide(shards []string, key string, fn func(ord uint32, row []byte) error) error {
	var ord uint32
	for _, sh := range shards {
		p := filepath.Join(r.dir, "side", key, sh+".bin")
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("dedup: %s is missing: the run must end with the %q stage (with lines.enabled for line dedup)", p, StageName)
		}
		sr, err := openSide(p)
		if err != nil {
			return err
		}
		for {
			row, err := sr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				sr.close()
				return err
			}
			if err := fn(ord, row); err != nil {
				sr.close()
				return fmt.Errorf("%w (shard %s)", err, sh)
			}
			if ord == math.MaxUint32 {
				sr.close()
				return errors.New("dedup: more than 2^32-1 documents")
			}
			ord++
		}
		sr.close()
		if err := r.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// decision is what the clusters phase decided for one clustered document.
type decision struct {
	ord     uint32
	cluster uint32 // smallest ordinal of the connected component
	size    uint32
	dup     bool
	exact   bool
}

func (d decision) rec() rec {
	flags := uint64(0)
	if d.dup {
		flags |= 1
	}
	if d.exact {
		flags |= 2
	}
	return rec{uint64(d.ord), uint64(d.cluster), uint64(d.size)<<8 | flags}
}

func decisionOf(x rec) decision {
	return decision{ord: uint32(x.A), cluster: uint32(x.B), size: uint32(x.C >> 8), dup: x.C&1 != 0, exact: x.C&2 != 0}
}

// clusters is the first phase: the edges of every exact-hash group and
// LSH bucket (the parts in .dedup/edges written by Edges, or when there
// are none part 0 of 1 computed here), merged by union-find, then
// verification, survivors and decisions. The merge holds the union-find
// and the exact representatives (12 bytes per document), with
// verification the candidate pairs (8 bytes each), and streams the edges.
func (r *runner) clusters() error {
	shards, err := shardNames(r.dir)
	if err != nil {
		return err
	}
	stamps, err := r.stampShards(shards)
	if err != nil {
		return err
	}
	parts, err := r.loadParts(stamps)
	if err != nil {
		return err
	}
	if parts == nil {
		m, err := r.edges(0, 1)
		if err != nil {
			return err
		}
		parts = []*edgeManifest{m}
	}
	n := uint32(parts[0].Documents) // loadParts checked it against the side files
	r.res = Result{Documents: int64(n), Shards: len(shards)}
	uf := newUnionFind(int(n))
	exactRep := make([]uint32, n)
	for i := range exactRep {
		exactRep[i] = uint32(i)
	}
	// Exact edges first: every group lies in one part, and its edges all
	// start at its first (smallest) member, the exact representative.
	for _, m := range parts {
		err := r.eachEdge(m, ".exact", m.Exact, n, func(first, o uint32) {
			exactRep[o] = first
			uf.union(first, o)
		})
		if err != nil {
			return err
		}
	}
	var pairs []uint64 // (a<<32 | b), only with verification
	for _, m := range parts {
		err := r.eachEdge(m, ".band", m.Band, n, func(first, o uint32) {
			if exactRep[o] == exactRep[first] {
				return
			}
			r.res.CandidatePairs++
			if r.cfg.Verify > 0 {
				pairs = append(pairs, uint64(first)<<32|uint64(o))
			} else {
				uf.union(first, o)
			}
		})
		if err != nil {
			return err
		}
	}
	if r.cfg.Verify > 0 {
		if err := r.verify(shards, pairs, uf); err != nil {
			return err
		}
	}
	// survivors
	policy, attr, _ := parseSurvivor(r.cfg.Survivor)
	var keys map[uint32]float64
	if policy != policyFirst {
		keys, err = r.survivorKeys(shards, uf, policy, attr)
		if err != nil {
			return err
		}
	}
	type comp struct{ min, survivor, size uint32 }
	comps := map[uint32]*comp{}
	for i := range n {
		root := uf.find(i)
		if uf.size[root] < 2 {
			continue
		}
		c := comps[root]
		if c == nil {
			// ordinals are visited in increasing order: i is the smallest
			c = &comp{min: i, survivor: i, size: uf.size[root]}
			comps[root] = c
			r.res.Clusters++
			continue
		}
		if policy != policyFirst && better(policy, keys[i], keys[c.survivor]) {
			c.survivor = i
		}
	}
	dw, err := createRecFile(r.path("decisions.bin"))
	if err != nil {
		return err
	}
	for i := range n {
		root := uf.find(i)
		c := comps[root]
		if c == nil {
			continue
		}
		d := decision{ord: i, cluster: c.min, size: c.size, dup: i != c.survivor}
		d.exact = d.dup && r.cfg.Exact && exactRep[i] == exactRep[c.survivor]
		r.res.ClusteredDocs++
		if d.dup && d.exact {
			r.res.ExactDuplicates++
		} else if d.dup {
			r.res.NearDuplicates++
		}
		if err := dw.write(d.rec()); err != nil {
			return err
		}
	}
	return dw.close()
}

// better reports whether key a beats key b under the policy (strictly:
// ties keep the earlier document).
func better(policy int, a, b float64) bool {
	if policy == policyOldest {
		return a < b
	}
	return a > b
}

// survivorKeys reads the documents of clusters from the output shards and
// returns their policy key: `created` as Unix seconds (missing or
// unparsable: +Inf) for "oldest", the attribute's numeric value (missing
// or not a number: −Inf) for "attribute:<name>".
func (r *runner) survivorKeys(shards []string, uf *unionFind, policy int, attr string) (map[uint32]float64, error) {
	keys := map[uint32]float64{}
	err := r.forEachDoc(shards, func(ord uint32, d *winnow.Doc) error {
		if uf.size[uf.find(ord)] < 2 {
			return nil
		}
		keys[ord] = policyKey(d, policy, attr)
		return nil
	})
	return keys, err
}

// SurvivorKey is d's key under the survivor setting s (Config.Survivor):
// `created` in Unix seconds (+Inf when missing or unparsable) for
// "oldest", where the smallest key survives, and the attribute's numeric
// value (−Inf when missing or not a number) for "attribute:<name>", where
// the largest survives; ties keep the earlier document. ok is false for
// "first", which orders by position alone, and for a setting that
// Config.Validate refuses.
func SurvivorKey(d *winnow.Doc, s string) (key float64, ok bool) {
	policy, attr, err := parseSurvivor(s)
	if err != nil || policy == policyFirst {
		return 0, false
	}
	return policyKey(d, policy, attr), true
}

// policyKey is d's survivor key: `created` in Unix seconds (+Inf when
// missing or unparsable) for "oldest", the attribute's value (−Inf when
// missing or not a number) for "attribute:<name>".
func policyKey(d *winnow.Doc, policy int, attr string) float64 {
	if policy == policyOldest {
		if t, err := time.Parse(time.RFC3339Nano, d.Created); err == nil {
			return float64(t.UnixNano()) / 1e9
		}
		return math.Inf(1)
	}
	if v, ok := toFloat(d.Attributes[attr]); ok {
		return v
	}
	return math.Inf(-1)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x)
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// verify computes the exact Jaccard similarity of each distinct candidate
// pair's shingle sets and unions the pairs at or above Config.Verify. The
// shingle sets of the documents in pairs are held in memory (8 bytes per
// distinct shingle of each such document).
func (r *runner) verify(shards []string, pairs []uint64, uf *unionFind) error {
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)
	r.res.CandidatePairs = int64(len(pairs))
	need := map[uint32][]uint64{}
	for _, p := range pairs {
		need[uint32(p>>32)] = nil
		need[uint32(p)] = nil
	}
	h, err := NewHasher(r.cfg.MinHash)
	if err != nil {
		return err
	}
	err = r.forEachDoc(shards, func(ord uint32, d *winnow.Doc) error {
		if _, ok := need[ord]; ok {
			need[ord] = h.Shingles(nil, d.Text)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range pairs {
		a, b := uint32(p>>32), uint32(p)
		if Jaccard(need[a], need[b]) >= r.cfg.Verify {
			uf.union(a, b)
		} else {
			r.res.RejectedPairs++
		}
	}
	return nil
}

// forEachDoc calls fn for every document of the output shards in order.
func (r *runner) forEachDoc(shards []string, fn func(ord uint32, d *winnow.Doc) error) error {
	var ord uint32
	for _, sh := range shards {
		dr, err := openDocs(filepath.Join(r.dir, "documents", sh+docExt))
		if err != nil {
			return err
		}
		for {
			d, err := dr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				dr.close()
				return err
			}
			if err := fn(ord, d); err != nil {
				dr.close()
				return err
			}
			ord++
		}
		dr.close()
		if err := r.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// lines is the repeated-lines phase: every (line hash, document) of the
// documents that survive document dedup goes through an external sort;
// the first document of each hash owns the line, every later one gets a
// removal record (document, hash), sorted by document into
// .dedup/lines.bin.
func (r *runner) lines() error {
	shards, err := shardNames(r.dir)
	if err != nil {
		return err
	}
	tmp := r.path("tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	dropped, err := r.droppedSet()
	if err != nil {
		return err
	}
	// Line owners follow the survivor policy: the rank of a document is
	// its ordinal for "first", else its policy key (8 bytes per document).
	var ranks []uint64
	if policy, attr, _ := parseSurvivor(r.cfg.Survivor); policy != policyFirst {
		if ranks, err = r.policyRanks(shards, policy, attr); err != nil {
			return err
		}
	}
	lineS := newSorter(tmp, "line", r.cfg.MemoryBytes/4)
	defer lineS.cleanup()
	lfp := linesFingerprint(r.cfg)
	var hs []uint64
	err = r.forEachSide(shards, SideLines, func(ord uint32, row []byte) error {
		var fp uint32
		var err error
		hs, fp, err = parseLinesRow(row, hs[:0])
		if err != nil {
			return err
		}
		if fp != lfp {
			return errors.New("dedup: lines side row written with other line parameters than the dedup config")
		}
		if dropped[ord] {
			return nil
		}
		rank := uint64(ord)
		if ranks != nil {
			rank = ranks[ord]
		}
		for _, h := range hs {
			if err := lineS.add(rec{h, rank, uint64(ord)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	remS := newSorter(tmp, "linerm", r.cfg.MemoryBytes/4)
	defer remS.cleanup()
	var prev uint64
	started := false
	err = lineS.each(func(x rec) error {
		if started && x.A == prev {
			return remS.add(rec{x.C, x.A, 0})
		}
		prev, started = x.A, true
		return nil
	})
	if err != nil {
		return err
	}
	w, err := createRecFile(r.path("lines.bin"))
	if err != nil {
		return err
	}
	if err := remS.each(w.write); err != nil {
		w.close()
		return err
	}
	return w.close()
}

// policyRanks returns, for every document, a rank that sorts the best
// survivor first: the policy key (see survivorKeys) as an order-preserving
// integer, negated for attributes (highest first). Ties sort by ordinal
// later, in the sort record.
func (r *runner) policyRanks(shards []string, policy int, attr string) ([]uint64, error) {
	ranks := make([]uint64, r.res.Documents)
	err := r.forEachDoc(shards, func(ord uint32, d *winnow.Doc) error {
		if int64(ord) >= r.res.Documents {
			return errors.New("dedup: the shards hold more documents than the side files")
		}
		k := policyKey(d, policy, attr)
		if policy == policyAttribute {
			k = -k
		}
		ranks[ord] = orderedBits(k)
		return nil
	})
	return ranks, err
}

// orderedBits maps a float64 to a uint64 with the same order (−Inf first).
func orderedBits(f float64) uint64 {
	b := math.Float64bits(f)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// droppedSet returns the ordinals that the rewrite drops as duplicates.
func (r *runner) droppedSet() (map[uint32]bool, error) {
	out := map[uint32]bool{}
	if r.cfg.TagOnly {
		return out, nil
	}
	err := eachRecFile(r.path("decisions.bin"), func(x rec) error {
		if d := decisionOf(x); d.dup {
			out[d.ord] = true
		}
		return nil
	})
	return out, err
}

// recFile writes recs (24 bytes each) to a file.
type recFile struct {
	f *os.File
	w *bufio.Writer
	b [recSize]byte
}

func createRecFile(path string) (*recFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	return &recFile{f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

func (w *recFile) write(x rec) error {
	binary.LittleEndian.PutUint64(w.b[0:], x.A)
	binary.LittleEndian.PutUint64(w.b[8:], x.B)
	binary.LittleEndian.PutUint64(w.b[16:], x.C)
	_, err := w.w.Write(w.b[:])
	return err
}

func (w *recFile) close() error {
	err := w.w.Flush()
	if e := w.f.Sync(); err == nil {
		err = e
	}
	if e := w.f.Close(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	return nil
}

// recStream reads a rec file sequentially.
type recStream struct {
	f   *os.File
	rr  *runReader
	ok  bool
	err error
}

func openRecStream(path string) (*recStream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	s := &recStream{f: f, rr: &runReader{f: f, r: bufio.NewReaderSize(f, 1<<16)}}
	s.ok, s.err = s.rr.next()
	return s, s.err
}

// openRecStreamAt opens a rec file sorted by A at its first record with
// A >= a, found by binary search on the fixed-size records.
func openRecStreamAt(path string, a uint32) (*recStream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("dedup: %w", err)
	}
	var b [8]byte
	var rerr error
	i := sort.Search(int(fi.Size()/recSize), func(i int) bool {
		if rerr != nil {
			return true
		}
		if _, err := f.ReadAt(b[:], int64(i)*recSize); err != nil {
			rerr = err
			return true
		}
		return binary.LittleEndian.Uint64(b[:]) >= uint64(a)
	})
	if rerr == nil {
		_, rerr = f.Seek(int64(i)*recSize, io.SeekStart)
	}
	if rerr != nil {
		f.Close()
		return nil, fmt.Errorf("dedup: %s: %w", path, rerr)
	}
	s := &recStream{f: f, rr: &runReader{f: f, r: bufio.NewReaderSize(f, 1<<16)}}
	if s.ok, s.err = s.rr.next(); s.err != nil {
		f.Close()
		return nil, s.err
	}
	return s, nil
}

// peek returns the current record and whether there is one.
func (s *recStream) peek() (rec, bool) { return s.rr.cur, s.ok }

func (s *recStream) advance() error {
	s.ok, s.err = s.rr.next()
	return s.err
}

func eachRecFile(path string, fn func(rec) error) error {
	s, err := openRecStream(path)
	if err != nil {
		return err
	}
	defer s.f.Close()
	for {
		x, ok := s.peek()
		if !ok {
			return nil
		}
		if err := fn(x); err != nil {
			return err
		}
		if err := s.advance(); err != nil {
			return err
		}
	}
}
