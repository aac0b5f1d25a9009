package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
)

// RankDir is the output folder of rank r of a shard-parallel run into
// outDir: outDir/rank-RRRRR (five digits, more when needed). Each is a
// complete, resumable output folder until Merge moves its shards into
// outDir.
func RankDir(outDir string, r int) string {
	return filepath.Join(outDir, fmt.Sprintf("rank-%05d", r))
}

// checkRank validates --rank and --world-size.
func checkRank(rank, world int) error {
	if world < 0 || rank < 0 || (world == 0 && rank != 0) || (world > 0 && rank >= world) {
		return fmt.Errorf("run: rank %d is not in [0, world size %d)", rank, world)
	}
	return nil
}

// share returns the half-open range [lo, hi) of the sorted inputs that
// rank takes out of world: contiguous, so that the ranks' outputs taken
// in rank order hold the documents in the order one process would write
// them (the dedup phase keeps the same survivors), and balanced by file
// size: rank r starts at the file boundary whose preceding bytes are
// nearest to r/world of all bytes (ties: the earlier boundary; an empty
// file counts as one byte). Exact integer arithmetic, so every rank
// computes the same split from the same sorted list and sizes. A rank
// may get no file.
func share(sizes []int64, rank, world int) (lo, hi int) {
	if world <= 1 {
		return 0, len(sizes)
	}
	prefix := make([]*big.Int, len(sizes)+1)
	prefix[0] = new(big.Int)
	for i, s := range sizes {
		prefix[i+1] = new(big.Int).Add(prefix[i], big.NewInt(max(s, 1)))
	}
	total := prefix[len(sizes)]
	w := big.NewInt(int64(world))
	start := func(r int) int {
		if r <= 0 {
			return 0
		}
		if r >= world {
			return len(sizes)
		}
		// minimise |prefix(i)*world - r*total|
		target := new(big.Int).Mul(big.NewInt(int64(r)), total)
		best, bestDiff := 0, (*big.Int)(nil)
		for i, p := range prefix {
			d := new(big.Int).Mul(p, w)
			d.Sub(d, target).Abs(d)
			if bestDiff == nil || d.Cmp(bestDiff) < 0 {
				best, bestDiff = i, d
			}
		}
		return best
	}
	return start(rank), start(rank + 1)
}

// mergeFile is the record, under OUTDIR/.run, that Merge leaves in the
// folder it merged: which run it was and each rank's unreadable inputs
// and rejected records, so that a rank run requeued after the merge
// finds its share done (checkRankOut).
const mergeFile = "merged.json"

// mergeRecord is the content of mergeFile.
type mergeRecord struct {
	WorldSize int          `json:"world_size"`
	Config    string       `json:"config"` // the ranks' config hash (configHash)
	Ranks     []rankCounts `json:"ranks"`  // by rank
}

// rankCounts are the counts of one rank that decide its exit code.
type rankCounts struct {
	Unreadable int   `json:"unreadable"`
	Rejected   int64 `json:"rejected"`
}

func writeMergeRecord(dir string, rec *mergeRecord) error {
	if rec == nil {
		return nil // a plan of an older merge
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := writeSynced(filepath.Join(dir, runDir, mergeFile), append(b, '\n')); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	return nil
}

// loadMergeRecord returns the record of the merge of dir: the finished
// merge's mergeFile, else the plan of a merge under way; nil, nil when
// dir was not merged.
func loadMergeRecord(dir string) (*mergeRecord, error) {
	b, err := os.ReadFile(filepath.Join(dir, runDir, mergeFile))
	if errors.Is(err, os.ErrNotExist) {
		p, err := loadPlan(dir)
		if err != nil || p == nil {
			return nil, err
		}
		if p.Record == nil {
			return &mergeRecord{}, nil
		}
		return p.Record, nil
	}
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	rec := &mergeRecord{}
	if err := json.Unmarshal(b, rec); err != nil {
		return nil, fmt.Errorf("run: %s: %w", filepath.Join(dir, runDir, mergeFile), err)
	}
	return rec, nil
}

// MergedError says that a rank run found its rank already merged into
// OUTDIR (winnow merge ran, or is running): there is nothing to do. It
// matches ErrFinished with errors.Is.
type MergedError struct {
	Rank   int
	OutDir string
}

func (e *MergedError) Error() string {
	return fmt.Sprintf("run: rank %d was already merged into %s", e.Rank, e.OutDir)
}

// Is makes a MergedError an ErrFinished.
func (e *MergedError) Is(target error) bool { return target == ErrFinished }

// checkRankOut checks, before rank rank of world writes
// RankDir(outDir, rank), what outDir already holds:
//
//   - the output of a merge of the same run (same world size and config
//     hash): the rank is done; it returns the rank's counts as Stats with
//     a *MergedError, unless overwrite, which starts over;
//   - a merged run of another world size or config, or the output of a
//     plain run (a checkpoint, stats.json or shards in outDir itself): an
//     error naming it, unless overwrite, which removes that output (not
//     the rank folders of other ranks).
//
// Without this a rank run would write beside a plain run's shards, which
// the next merge overwrites, or redo a merged share, which the next
// merge deletes.
func checkRankOut(outDir string, rank, world int, hash string, overwrite bool) (*Stats, error) {
	rec, err := loadMergeRecord(outDir)
	if err != nil && !overwrite {
		return nil, err
	}
	if rec != nil && !overwrite {
		if rec.WorldSize != world || rec.Config != hash {
			return nil, fmt.Errorf("run: %s holds the merged output of another run (world size %d, config %s; this rank: world size %d, config %s); start over with --overwrite, or choose another folder",
				outDir, rec.WorldSize, short(rec.Config), world, short(hash))
		}
		st := newStats("")
		if rank < len(rec.Ranks) {
			st.Inputs.Unreadable = rec.Ranks[rank].Unreadable
			st.Rejected.Total = rec.Ranks[rank].Rejected
		}
		return st, &MergedError{Rank: rank, OutDir: outDir}
	}
	plain := rec != nil
	if ck, err := loadCheckpoint(outDir); err != nil || ck != nil {
		plain = true
	}
	owned, err := ownedOutput(outDir)
	if err != nil {
		return nil, err
	}
	var shown string
	for _, p := range owned {
		// .run's checkpoint was looked at above; a lock file alone is
		// not output
		if rel, _ := filepath.Rel(outDir, p); rel != runDir && !strings.HasPrefix(rel, runDir+string(filepath.Separator)) {
			plain = true
			// name a shard rather than stats.json or .dedup
			if rel, _ := filepath.Rel(outDir, p); shown == "" || (!strings.ContainsRune(shown, filepath.Separator) && strings.ContainsRune(rel, filepath.Separator)) {
				shown = rel
			}
		}
	}
	if !plain {
		return nil, nil
	}
	if !overwrite {
		what := "the output of a run without --rank and --world-size"
		if shown != "" {
			what += " (" + filepath.ToSlash(shown) + ")"
		}
		return nil, fmt.Errorf("run: %s holds %s; a rank run writes only rank folders beside it; start over with --overwrite (removes it), or choose another folder", outDir, what)
	}
	if err := prepareOut(outDir, true, false); err != nil {
		return nil, err
	}
	return nil, nil
}

// short is the first 8 hex digits of a config hash, enough to tell two
// configs apart in a message.
func short(hash string) string {
	if len(hash) > 8 {
		return hash[:8]
	}
	return hash
}
