package dedup

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/zeebo/xxh3"
)

// The clusters phase is split in two steps so that several machines can
// share its sorting work:
//
//  1. Edges (one call per part P of N, on any machine that sees OUTDIR)
//     reads every "minhash" side row, keeps the exact-hash groups and the
//     (band, band hash) buckets whose key falls in part P (partOfExact,
//     partOfBand: a mix of the key modulo N, so N may exceed the number
//     of bands and the parts get about the same number of records), sorts
//     them with the external sorter and writes the part's edges to
//     OUTDIR/.dedup/edges/:
//
//     part-PPPPP-of-NNNNN.exact  exact edges, 8 bytes each (first, other)
//     part-PPPPP-of-NNNNN.band   band edges, 8 bytes each (first, other)
//     part-PPPPP-of-NNNNN.json   the manifest (edgeManifest)
//
//     An edge is two little-endian uint32 document ordinals: the first
//     (smallest) member of a group or bucket and one other member. Each
//     file is written at a temporary name, synced and renamed; the
//     manifest is renamed last, so a part is complete exactly when its
//     manifest is there and the data files have the sizes and digests
//     it records.
//
//  2. The merge (the clusters phase of Run) checks that parts 0..N-1 are
//     all present and were computed with this config over these shards,
//     reads every part's exact edges (exact representative: the first
//     member), then every part's band edges (a pair with one exact
//     representative is skipped, every other one is a candidate pair, as
//     in one process), and goes on with union-find, verification and
//     survivors. The decisions depend only on the set of edges, so any N
//     gives the same bytes. Without edge files, Run computes part 0 of 1
//     itself first: one process and N machines share this code.

// edgesDirName is the folder under OUTDIR/.dedup holding edge parts.
const edgesDirName = "edges"

// partitionScheme names partOfExact and partOfBand; it is part of the
// edges key, so parts cut by another function are refused.
const partitionScheme = "splitmix64-mod/v1"

// edgeSize is the size in bytes of one edge on disk.
const edgeSize = 8

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// partOfExact is the part, in [0, parts), of the exact-hash group (hi, lo).
func partOfExact(hi, lo uint64, parts int) int {
	return int(mix64(hi^mix64(lo)) % uint64(parts))
}

// partOfBand is the part, in [0, parts), of the LSH bucket (band, hash).
func partOfBand(band int, h uint64, parts int) int {
	return int(mix64(h^mix64(uint64(band)+0x9e3779b97f4a7c15)) % uint64(parts))
}

// edgesKey identifies everything the edges depend on: the side-row
// parameters (MinHash, ExactNorm), Exact, Near and the partition
// function. Survivor, Verify, TagOnly, Lines and MemoryBytes do not change
// the edges, so parts computed under another value of those are reused.
func edgesKey(c Config) string {
	s := strings.Join([]string{"edges/v1", partitionScheme,
		strconv.FormatUint(uint64(paramsFingerprint(c)), 16),
		strconv.FormatBool(c.Exact), strconv.FormatBool(c.Near)}, ",")
	return strconv.FormatUint(xxh3.HashString(s), 16)
}

// edgeManifest describes one complete edge part.
type edgeManifest struct {
	Part  int    `json:"part"`
	Parts int    `json:"parts"`
	Key   string `json:"key"`
	// Documents is the number of side rows read (all shards).
	Documents int64        `json:"documents"`
	Shards    []shardStamp `json:"shards"`
	Exact     edgeFileInfo `json:"exact"`
	Band      edgeFileInfo `json:"band"`
}

// shardStamp identifies a shard the part read: its name and the sizes of
// its document shard and "minhash" side file. A rerun of the pass or a
// dedup rewrite changes them.
type shardStamp struct {
	Name          string `json:"name"`
	DocumentBytes int64  `json:"document_bytes"`
	SideBytes     int64  `json:"side_bytes"`
}

// edgeFileInfo is the count and xxh3-64 digest of one edge file.
type edgeFileInfo struct {
	Edges  int64  `json:"edges"`
	XXH3   string `json:"xxh3"`
	digest uint64
}

// EdgesOptions says which part of the buckets Edges computes.
type EdgesOptions struct {
	// Dir is the run's OUTDIR (merged, if the run had ranks).
	Dir string
	// Config is the minhash step's config, as for Run.
	Config Config
	// Part is in [0, Parts); Parts ≥ 1 is the number of parts the merge
	// expects.
	Part, Parts int
}

// EdgesResult counts what one part wrote.
type EdgesResult struct {
	Part, Parts int
	// Documents and Shards are the side rows and shards read (all of
	// them: every part reads every side row and keeps its own keys).
	Documents int64
	Shards    int
	// ExactEdges and BandEdges are the edges written: one per member of
	// an exact-hash group or LSH bucket of this part besides its first.
	ExactEdges, BandEdges int64
}

// Edges computes the edges of part opts.Part of opts.Parts of the dedup
// phase's exact-hash groups and LSH buckets and writes them, with their
// manifest, to Dir/.dedup/edges/ (see the comment at the top of edges.go
// for the layout). Run on a Dir holding all the parts merges them instead
// of sorting everything itself.
//
// Memory is bounded by Config.MemoryBytes as for Run: the part's exact
// sort buffers up to MemoryBytes/16 and its band sort MemoryBytes/4 (each
// spills sorted runs to a temporary folder under Dir/.dedup/edges/, of
// about 1/Parts of the corpus's 24 bytes per band and per document), plus
// fixed I/O buffers. A part starts by removing the spill folders that
// killed copies of the same part left (see newSpill). Every part reads all side rows (134 bytes per
// document at 14 bands); the sort work and the edges are split.
//
// A rerun of the same part over the same shards rewrites the same bytes;
// parts may run at once, on several machines, and so may two copies of
// one part (every file is written at a unique temporary name and renamed).
// An interrupted part leaves no file under a final name. Errors: Part out
// of range, a missing or misaligned side file, side rows signed with other
// parameters, I/O errors.
func Edges(ctx context.Context, opts EdgesOptions) (*EdgesResult, error) {
	cfg := opts.Config
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Parts < 1 || opts.Part < 0 || opts.Part >= opts.Parts {
		return nil, fmt.Errorf("dedup: edges part %d of %d: want 0 ≤ part < parts", opts.Part, opts.Parts)
	}
	if fi, err := os.Stat(opts.Dir); err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("dedup: %s is not a directory", opts.Dir)
	}
	r := &runner{ctx: ctx, dir: opts.Dir, cfg: cfg, state: filepath.Join(opts.Dir, ".dedup")}
	// Past the clusters phase the parts are no longer read (and removed):
	// after the rewrite they would describe other shards.
	if b, err := os.ReadFile(r.path("done")); err == nil && slices.Contains(strings.Split(string(b), "\n"), PhaseClusters) {
		return nil, fmt.Errorf("dedup: the dedup phase in %s is past its clusters phase and needs no edge parts; finish it with winnow dedup", opts.Dir)
	}
	m, err := r.edges(opts.Part, opts.Parts)
	if err != nil {
		return nil, err
	}
	return &EdgesResult{Part: m.Part, Parts: m.Parts, Documents: m.Documents, Shards: len(m.Shards),
		ExactEdges: m.Exact.Edges, BandEdges: m.Band.Edges}, nil
}

func (r *runner) edgesDir() string { return filepath.Join(r.state, edgesDirName) }

func partBase(part, parts int) string { return fmt.Sprintf("part-%05d-of-%05d", part, parts) }

// stampShards returns the stamps of the current shards.
func (r *runner) stampShards(shards []string) ([]shardStamp, error) {
	out := make([]shardStamp, 0, len(shards))
	for _, sh := range shards {
		d, err := os.Stat(filepath.Join(r.dir, "documents", sh+docExt))
		if err != nil {
			return nil, fmt.Errorf("dedup: %w", err)
		}
		sp := filepath.Join(r.dir, "side", SideMinHash, sh+".bin")
		s, err := os.Stat(sp)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("dedup: %s is missing: the run must end with the %q stage", sp, StageName)
		} else if err != nil {
			return nil, fmt.Errorf("dedup: %w", err)
		}
		out = append(out, shardStamp{Name: sh, DocumentBytes: d.Size(), SideBytes: s.Size()})
	}
	return out, nil
}

// edges computes and writes one part; see Edges.
func (r *runner) edges(part, parts int) (*edgeManifest, error) {
	shards, err := shardNames(r.dir)
	if err != nil {
		return nil, err
	}
	stamps, err := r.stampShards(shards)
	if err != nil {
		return nil, err
	}
	dir := r.edgesDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	base := partBase(part, parts)
	tmp, release, err := newSpill(dir, base)
	if err != nil {
		return nil, err
	}
	defer release()
	exactS := newSorter(tmp, "exact", r.cfg.MemoryBytes/16)
	bandS := newSorter(tmp, "band", r.cfg.MemoryBytes/4)
	defer exactS.cleanup()
	defer bandS.cleanup()
	fp := paramsFingerprint(r.cfg)
	var bandsBuf []uint64
	var n int64
	err = r.forEachSide(shards, SideMinHash, func(ord uint32, row []byte) error {
		sr, err := parseSideRow(row, bandsBuf)
		if err != nil {
			return err
		}
		bandsBuf = sr.bands
		if sr.fp != fp {
			return fmt.Errorf("dedup: the minhash side rows were written with other MinHash parameters than the dedup config gives (ngram %d, bands %d, rows %d, seed %d, exact_norm %s); use the config the run used (without --config and --preset, winnow dedup takes it from stats.json)",
				r.cfg.MinHash.NGram, r.cfg.MinHash.Bands, r.cfg.MinHash.Rows, r.cfg.MinHash.Seed, r.cfg.ExactNorm)
		}
		if sr.hasSig && len(sr.bands) != r.cfg.MinHash.Bands {
			return fmt.Errorf("dedup: side row has %d bands, config %d", len(sr.bands), r.cfg.MinHash.Bands)
		}
		n = int64(ord) + 1
		if r.cfg.Exact && partOfExact(sr.exact[0], sr.exact[1], parts) == part {
			if err := exactS.add(rec{sr.exact[0], sr.exact[1], uint64(ord)}); err != nil {
				return err
			}
		}
		if r.cfg.Near {
			for j, b := range sr.bands {
				if partOfBand(j, b, parts) != part {
					continue
				}
				if err := bandS.add(rec{uint64(j), b, uint64(ord)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Every file is complete under its temporary name before any rename.
	// The edge files are written in the spill folder too, so that what a
	// killed part leaves goes with it; they are renamed into dir.
	exactTmp, exactInfo, err := writeEdges(tmp, base+".exact", exactS)
	if err != nil {
		return nil, err
	}
	defer os.Remove(exactTmp)
	bandTmp, bandInfo, err := writeEdges(tmp, base+".band", bandS)
	if err != nil {
		return nil, err
	}
	defer os.Remove(bandTmp)
	m := &edgeManifest{Part: part, Parts: parts, Key: edgesKey(r.cfg), Documents: n, Shards: stamps,
		Exact: exactInfo, Band: bandInfo}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	mTmp, err := writeTemp(tmp, base+".json", mb)
	if err != nil {
		return nil, err
	}
	defer os.Remove(mTmp)
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	for _, mv := range [][2]string{{exactTmp, base + ".exact"}, {bandTmp, base + ".band"}, {mTmp, base + ".json"}} {
		if err := os.Rename(mv[0], filepath.Join(dir, mv[1])); err != nil {
			return nil, fmt.Errorf("dedup: %w", err)
		}
	}
	syncDir(dir)
	return m, nil
}

// writeEdges drains the sorter s into a temporary file in dir named after
// name: for each run of records with equal (A, B), one edge (first C,
// other C) per record after the first. It returns the file's path, count
// and digest.
func writeEdges(dir, name string, s *sorter) (string, edgeFileInfo, error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-")
	if err != nil {
		return "", edgeFileInfo{}, fmt.Errorf("dedup: %w", err)
	}
	// readable by the merge on another machine, as os.Create would make it
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", edgeFileInfo{}, fmt.Errorf("dedup: %w", err)
	}
	h := xxh3.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<16)
	var info edgeFileInfo
	var prev rec
	var first uint32
	started := false
	var b [edgeSize]byte
	err = s.each(func(x rec) error {
		if started && x.A == prev.A && x.B == prev.B {
			binary.LittleEndian.PutUint32(b[0:], first)
			binary.LittleEndian.PutUint32(b[4:], uint32(x.C))
			info.Edges++
			_, err := w.Write(b[:])
			return err
		}
		first = uint32(x.C)
		prev, started = x, true
		return nil
	})
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err != nil {
		os.Remove(f.Name())
		return "", edgeFileInfo{}, fmt.Errorf("dedup: %w", err)
	}
	info.digest = h.Sum64()
	info.XXH3 = strconv.FormatUint(info.digest, 16)
	return f.Name(), info, nil
}

// writeTemp writes b to a synced temporary file in dir and returns its path.
func writeTemp(dir, name string, b []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-")
	if err != nil {
		return "", fmt.Errorf("dedup: %w", err)
	}
	err = f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(b)
	}
	if err == nil {
		err = f.Sync()
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("dedup: %w", err)
	}
	return f.Name(), nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// loadParts returns the manifests of the complete edge parts in
// .dedup/edges, in part order, after checking that they form one whole
// for this config and these shards; nil when there is none. Errors name
// every missing or mismatching part.
func (r *runner) loadParts(stamps []shardStamp) ([]*edgeManifest, error) {
	dir := r.edgesDir()
	names, err := filepath.Glob(filepath.Join(dir, "part-*-of-*.json"))
	if err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	if len(names) == 0 {
		return nil, nil
	}
	var ms []*edgeManifest
	counts := map[int][]int{}
	for _, p := range names {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("dedup: %w", err)
		}
		m := &edgeManifest{}
		if err := json.Unmarshal(b, m); err != nil {
			return nil, fmt.Errorf("dedup: %s: %w", p, err)
		}
		if filepath.Base(p) != partBase(m.Part, m.Parts)+".json" || m.Parts < 1 || m.Part < 0 || m.Part >= m.Parts {
			return nil, fmt.Errorf("dedup: %s does not describe the part its name says", p)
		}
		ms = append(ms, m)
		counts[m.Parts] = append(counts[m.Parts], m.Part)
	}
	if len(counts) > 1 {
		var groups []string
		for _, n := range slices.Sorted(maps.Keys(counts)) {
			ps := slices.Sorted(slices.Values(counts[n]))
			files := make([]string, len(ps))
			for i, p := range ps {
				files[i] = partBase(p, n) + ".json"
			}
			groups = append(groups, fmt.Sprintf("--parts %d: %s", n, strings.Join(files, ", ")))
		}
		return nil, fmt.Errorf("dedup: %s holds edge parts computed for different --parts (%s); remove the parts of the wrong count (their .json, .exact and .band files) or the folder", dir, strings.Join(groups, "; "))
	}
	parts := ms[0].Parts
	slices.SortFunc(ms, func(a, b *edgeManifest) int { return a.Part - b.Part })
	var missing []string
	have := map[int]bool{}
	for _, m := range ms {
		have[m.Part] = true
	}
	for p := range parts {
		if !have[p] {
			missing = append(missing, strconv.Itoa(p))
		}
	}
	switch {
	case len(missing) == 1:
		return nil, fmt.Errorf("dedup: %s: edge part %s (of parts 0..%d) is missing; run winnow dedup edges %s --part %s --parts %d", dir, missing[0], parts-1, filepath.Dir(filepath.Dir(dir)), missing[0], parts)
	case len(missing) > 1:
		return nil, fmt.Errorf("dedup: %s: edge parts %s (of parts 0..%d) are missing; run winnow dedup edges %s --parts %d with each missing --part", dir, strings.Join(missing, ", "), parts-1, filepath.Dir(filepath.Dir(dir)), parts)
	}
	key := edgesKey(r.cfg)
	// a side row takes at least sideHeader bytes and a length byte: this
	// bounds the per-document arrays the merge allocates
	var sideBytes int64
	for _, s := range stamps {
		sideBytes += s.SideBytes
	}
	var bad []string
	for _, m := range ms {
		id := fmt.Sprintf("part %d of %d", m.Part, m.Parts)
		switch {
		case m.Key != key:
			bad = append(bad, id+" was computed with another dedup config")
		case !slices.Equal(m.Shards, stamps):
			bad = append(bad, id+" was computed for other shards ("+stampDiff(m.Shards, stamps)+")")
		case m.Documents < 0 || m.Documents > min(sideBytes/(sideHeader+1), math.MaxUint32) || m.Documents != ms[0].Documents:
			bad = append(bad, fmt.Sprintf("%s claims %d documents", id, m.Documents))
		default:
			base := filepath.Join(dir, partBase(m.Part, m.Parts))
			for _, f := range []struct {
				ext  string
				info *edgeFileInfo
			}{{".exact", &m.Exact}, {".band", &m.Band}} {
				fi, err := os.Stat(base + f.ext)
				if err != nil {
					bad = append(bad, id+": "+err.Error())
					break
				}
				d, err := strconv.ParseUint(f.info.XXH3, 16, 64)
				if fi.Size() != f.info.Edges*edgeSize || err != nil {
					bad = append(bad, fmt.Sprintf("%s: %s holds %d bytes, its manifest says %d edges", id, filepath.Base(base+f.ext), fi.Size(), f.info.Edges))
					break
				}
				f.info.digest = d
			}
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("dedup: %s: %s; rerun those parts with winnow dedup edges (or remove the folder to dedup in one process)", dir, strings.Join(bad, "; "))
	}
	return ms, nil
}

// stampDiff names the first difference between two shard lists.
func stampDiff(was, now []shardStamp) string {
	for i := range max(len(was), len(now)) {
		switch {
		case i >= len(was):
			return "shard " + now[i].Name + " is new"
		case i >= len(now):
			return "shard " + was[i].Name + " is gone"
		case was[i] != now[i]:
			return fmt.Sprintf("shard %s was %d+%d bytes, is %d+%d", was[i].Name, was[i].DocumentBytes, was[i].SideBytes, now[i].DocumentBytes, now[i].SideBytes)
		}
	}
	return "same shards"
}

// eachEdge calls fn for every edge of one part's file (ext ".exact" or
// ".band") and checks the file's digest at its end.
func (r *runner) eachEdge(m *edgeManifest, ext string, info edgeFileInfo, n uint32, fn func(a, b uint32)) error {
	path := filepath.Join(r.edgesDir(), partBase(m.Part, m.Parts)+ext)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("dedup: %w", err)
	}
	defer f.Close()
	h := xxh3.New()
	br := bufio.NewReaderSize(io.TeeReader(f, h), 1<<16)
	var b [edgeSize]byte
	for i := int64(0); ; i++ {
		if _, err := io.ReadFull(br, b[:]); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("dedup: %s: %w", path, err)
		}
		x, y := binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint32(b[4:])
		if x >= n || y >= n {
			return fmt.Errorf("dedup: %s: edge (%d, %d) past the %d documents", path, x, y, n)
		}
		fn(x, y)
		if i&0xfffff == 0 {
			if err := r.ctx.Err(); err != nil {
				return err
			}
		}
	}
	if h.Sum64() != info.digest {
		return fmt.Errorf("dedup: %s does not match the digest in its manifest; rerun edge part %d of %d", path, m.Part, m.Parts)
	}
	return nil
}
