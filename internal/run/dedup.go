package run

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"winnow/internal/config"
	"winnow/internal/dedup"
)

// Dedup reasons folded into Stats.Documents.DroppedByReason.
var (
	reasonExact = "dedup/" + dedup.RuleExact
	reasonNear  = "dedup/" + dedup.RuleNear
	reasonLines = "dedup/" + dedup.RuleRepeatedLines
)

// DedupConfig returns the config of the pipeline's minhash step, and
// false when the pipeline has none (and so no dedup phase).
func DedupConfig(cfg *config.Config) (dedup.Config, bool) {
	s, ok := cfg.Step(dedup.StageName)
	if !ok {
		return dedup.Config{}, false
	}
	c, ok := s.Config.(*dedup.Config)
	if !ok {
		return dedup.Config{}, false
	}
	return *c, true
}

// CheckDedup refuses, before any input is read, the outputs the dedup
// phase cannot rewrite: it reads and writes zstd shards only, and it
// rewrites documents/ and side/ but not stand-off attribute shards, so
// dropping documents would misalign them.
func CheckDedup(cfg *config.Config) error {
	dc, ok := DedupConfig(cfg)
	if !ok {
		return nil
	}
	if cfg.Output.Format == "parquet" {
		return fmt.Errorf("run: the dedup phase (step %s) reads and rewrites JSONL shards; output.format parquet is not supported with it", dedup.StageName)
	}
	if cfg.Output.Compression != "zst" {
		return fmt.Errorf("run: the dedup phase (step %s) needs output.compression zst, got %s", dedup.StageName, cfg.Output.Compression)
	}
	if cfg.Output.StandoffAttributes && !dc.TagOnly {
		return fmt.Errorf("run: the dedup phase (step %s) can drop documents only with inline attributes; set its tag_only or turn standoff_attributes off", dedup.StageName)
	}
	return nil
}

// FoldDedup records the dedup phase's result in s: Dedup holds it, kept
// and dropped counts and drops by reason (dedup/exact,
// dedup/near_duplicate, dedup/repeated_lines) include it, and BytesOut
// becomes the rewritten shards' size. A result folded
// earlier (a rerun of the phase) is taken out first, so the figures count
// each document once. In tag-only mode nothing is dropped.
func (s *Stats) FoldDedup(res *dedup.Result) {
	s.foldDedup(s.Dedup, -1)
	s.Dedup = res
	s.foldDedup(res, 1)
	if res != nil {
		s.BytesOut = res.BytesOut // the shards were rewritten
	}
}

func (s *Stats) foldDedup(res *dedup.Result, sign int64) {
	if res == nil {
		return
	}
	dropped := res.Documents - res.Kept
	s.Documents.Kept -= sign * dropped
	s.Documents.Dropped += sign * dropped
	for reason, n := range map[string]int64{reasonExact: res.ExactDuplicates, reasonNear: res.NearDuplicates, reasonLines: res.EmptiedDocuments} {
		if dropped == 0 {
			break // tag-only: the duplicates are counted in Dedup, not dropped
		}
		s.Documents.DroppedByReason[reason] += sign * n
		if s.Documents.DroppedByReason[reason] == 0 {
			delete(s.Documents.DroppedByReason, reason)
		}
	}
}

// Dedup runs the dedup phase on the output of a finished run in dir with
// the minhash step's config cfg, and folds its counts into dir/stats.json
// (rewritten atomically). The phase resumes where an interrupted one
// stopped (see dedup.Run). When dir/.dedup/edges holds edge parts
// (DedupEdges), its clusters phase merges them instead of sorting every
// bucket itself, and refuses them unless all parts are there and were
// computed with this config over these shards. Errors: no stats.json (the
// run did not finish), a config that does not match the side files,
// missing or mismatching edge parts, I/O errors. The rewrite stages
// runtime.GOMAXPROCS(0) shards at once; DedupWorkers sets that number.
func Dedup(ctx context.Context, dir string, cfg dedup.Config) (*Stats, error) {
	return DedupWorkers(ctx, dir, cfg, 0)
}

// DedupWorkers is Dedup with the rewrite staged by workers goroutines, one
// shard each at a time (0: runtime.GOMAXPROCS(0); see
// dedup.Options.Workers). The output does not depend on workers.
func DedupWorkers(ctx context.Context, dir string, cfg dedup.Config, workers int) (*Stats, error) {
	path := filepath.Join(dir, "stats.json")
	st, err := readStats(dir)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := dedup.Run(ctx, dedup.Options{Dir: dir, Config: cfg, Workers: workers})
	if err != nil {
		return nil, err
	}
	st.FoldDedup(res)
	if err := st.recordStepConfig(dedup.StageName, cfg); err != nil {
		return nil, err
	}
	st.DedupSeconds = time.Since(start).Seconds()
	if err := st.writeFile(path); err != nil {
		return nil, err
	}
	return st, nil
}

// DedupEdges computes part part of parts of the dedup phase's edges over
// dir, the output of a finished (and, after ranks, merged) run, with the
// minhash step's config cfg; see dedup.Edges. Once every part is written,
// Dedup over dir merges them. Each part's memory is bounded by
// cfg.MemoryBytes. Errors: rank folders in dir (the parts may run at once
// on several machines, and a merge must not race with itself: run Merge
// first), no stats.json (the run did not finish), a dedup phase that
// already finished (stats.json holds its counts), the errors of
// dedup.Edges.
func DedupEdges(ctx context.Context, dir string, cfg dedup.Config, part, parts int) (*dedup.EdgesResult, error) {
	if err := CheckMerged(dir); err != nil {
		return nil, err
	}
	if err := CheckPassFinished(dir); err != nil {
		return nil, err
	}
	st, err := readStats(dir)
	if err != nil {
		return nil, err
	}
	if st.Dedup != nil {
		return nil, fmt.Errorf("run: the dedup phase in %s already finished: its shards are rewritten and an edge part of them would describe other documents", dir)
	}
	return dedup.Edges(ctx, dedup.EdgesOptions{Dir: dir, Config: cfg, Part: part, Parts: parts})
}

// CheckMerged returns an error naming "winnow merge" when dir holds the
// rank folders of a shard-parallel run (RankDir), nil otherwise. The
// edge parts of the dedup phase refuse such a folder rather than merge
// it themselves: parts started at once on several machines would race
// on one merge.
func CheckMerged(dir string) error {
	if ranks, _ := filepath.Glob(filepath.Join(dir, "rank-*")); len(ranks) > 0 {
		return fmt.Errorf("run: %s holds the rank folders of a shard-parallel run (%s, ...): run winnow merge %s first, once, before the edge parts", dir, filepath.Base(ranks[0]), dir)
	}
	return nil
}

// RunPhases is a whole `winnow run`: the per-document pass (Run), then,
// when the pipeline has a minhash step, the dedup phase on its output
// (DedupWorkers, its rewrite on the config's workers), whose counts are
// folded into stats.json. Output that the dedup
// phase could not rewrite is refused before any input is read. A run that
// fails in the dedup phase leaves the stats.json of the per-document pass
// and the phase's state in OUTDIR/.dedup; `winnow dedup OUTDIR` or
// RunPhases with Options.Resume resumes it.
//
// With Options.Resume, a run whose per-document pass finished goes on
// with the dedup phase where it stopped, and a run that finished returns
// its stats.json with ErrFinished. With Options.WorldSize > 0 (a rank
// run, world size 1 too) only the rank's per-document pass runs: the
// dedup phase needs every rank's output (Merge, then Dedup). A rank run
// refuses an OUTDIR that holds a plain run's or another run's merged
// output unless Options.Overwrite (which removes it), and returns the
// rank's counts with a *MergedError (an ErrFinished) when OUTDIR holds
// the merge of the same run.
func RunPhases(ctx context.Context, opt Options) (*Stats, error) {
	cfg := opt.Config
	if cfg == nil {
		cfg = config.Default()
		opt.Config = cfg
	}
	if err := CheckDedup(cfg); err != nil {
		return nil, err
	}
	if err := checkRank(opt.Rank, opt.WorldSize); err != nil {
		return nil, err
	}
	dir := opt.OutDir
	if opt.WorldSize > 0 {
		dir = RankDir(opt.OutDir, opt.Rank)
		hash, err := configHash(cfg, opt.Added)
		if err != nil {
			return nil, err
		}
		if st, err := checkRankOut(opt.OutDir, opt.Rank, opt.WorldSize, hash, opt.Overwrite); err != nil {
			return st, err
		}
	}
	dc, hasDedup := DedupConfig(cfg)
	hasDedup = hasDedup && opt.WorldSize == 0

	var st *Stats
	if ck, err := loadCheckpoint(dir); opt.Resume && err == nil && ck != nil && ck.Finished != finishedNone {
		hash, err := configHash(cfg, opt.Added)
		if err != nil {
			return nil, err
		}
		if what := ck.differs(runID{Config: hash, Added: opt.Added, Rank: opt.Rank, WorldSize: opt.WorldSize}, false); what != "" {
			return nil, fmt.Errorf("run: %s holds another finished run: %s; start over with --overwrite", dir, what)
		}
		if err := removeTemps(dir); err != nil {
			return nil, err
		}
		if st, err = readStats(dir); err != nil {
			return nil, err
		}
		// Cheap: the shards stats.json lists exist (the dedup phase
		// rewrites them under the same names, so sizes are not checked).
		for _, sh := range st.Shards {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(sh))); err != nil {
				return nil, fmt.Errorf("run: cannot resume %s: document shard %s of the finished pass is missing; restore it or start over with --overwrite", dir, sh)
			}
		}
		// Until the dedup phase renames rewritten shards over the pass's,
		// every file of the pass is as its last checkpoint recorded it.
		if ck.Finished == finishedPass && !dedupRewriteStarted(dir) {
			if err := ck.verify(dir); err != nil {
				return nil, err
			}
		}
		if ck.Finished == finishedDone {
			return st, fmt.Errorf("%w: %s", ErrFinished, dir)
		}
	} else {
		opt.passStats = hasDedup
		if st, err = Run(ctx, opt); err != nil {
			return nil, err
		}
		if hasDedup {
			// The shards are new: state of an earlier dedup phase in OUTDIR (a
			// run with --overwrite) must not be resumed over them.
			if err := os.RemoveAll(filepath.Join(dir, ".dedup")); err != nil {
				return nil, fmt.Errorf("run: %w", err)
			}
		}
	}
	if hasDedup {
		var err error
		if st, err = DedupWorkers(ctx, dir, dc, cfg.Workers); err != nil {
			return nil, err
		}
		// stats.json now holds the pass's figures with the phase's.
		if err := os.Remove(filepath.Join(dir, runDir, passStatsFile)); err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("run: %w", err)
		}
	}
	if err := setFinished(dir, finishedDone); err != nil {
		return nil, err
	}
	return st, nil
}

// passStatsFile is where, under OUTDIR/.run, the per-document pass of a
// run with a dedup phase leaves its stats until the phase has finished
// and written OUTDIR/stats.json.
const passStatsFile = "stats.json"

// StatsPath returns the stats a dedup phase over dir starts from:
// dir/stats.json, or when that does not exist the stats that the
// per-document pass of a run interrupted in its dedup phase left in
// dir/.run/stats.json. The second result is false when neither exists.
func StatsPath(dir string) (string, bool) {
	for _, p := range []string{filepath.Join(dir, "stats.json"), filepath.Join(dir, runDir, passStatsFile)} {
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
	return filepath.Join(dir, "stats.json"), false
}

// CheckPassFinished returns nil when dir holds the stats of a finished
// per-document pass (see StatsPath), which the dedup phase starts from.
// Otherwise the error says that the run in dir has not finished its
// per-document pass and how to finish it (a checkpoint is there), or
// that dir holds no finished run at all.
func CheckPassFinished(dir string) error {
	if _, ok := StatsPath(dir); ok {
		return nil
	}
	if ck, err := loadCheckpoint(dir); err == nil && ck != nil {
		return fmt.Errorf("run: the run in %s has not finished its per-document pass; finish it with winnow run ... --resume (the same arguments)", dir)
	}
	return fmt.Errorf("run: %s holds no finished run (no stats.json)", dir)
}

// readStats reads dir/stats.json, or the per-document pass's stats of a
// run stopped in its dedup phase (see StatsPath).
func readStats(dir string) (*Stats, error) {
	if err := CheckPassFinished(dir); err != nil {
		return nil, err
	}
	path, _ := StatsPath(dir)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	st := newStats("")
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("run: %s: %w", path, err)
	}
	if st.Documents.DroppedByReason == nil {
		st.Documents.DroppedByReason = map[string]int64{}
	}
	return st, nil
}

// recordStepConfig writes c as the settings of the step named name in
// s.Config, in the form config.Config.Map gives them, so that stats.json
// names the settings the dedup phase ran with when `winnow dedup
// --config` gave other ones (survivor, verify_jaccard...) than the pass.
func (s *Stats) recordStepConfig(name string, c any) error {
	b, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	steps, _ := s.Config["steps"].([]any)
	for _, step := range steps {
		if sm, ok := step.(map[string]any); ok {
			if _, ok := sm[name]; ok {
				sm[name] = m
			}
		}
	}
	return nil
}

// dedupRewriteStarted reports whether the dedup phase in dir staged its
// rewrite (dedup.PhaseStaged in .dedup/done), after which it renames new
// shards over the pass's under the same names.
func dedupRewriteStarted(dir string) bool {
	b, _ := os.ReadFile(filepath.Join(dir, ".dedup", "done"))
	return slices.Contains(strings.Split(string(b), "\n"), dedup.PhaseStaged)
}
