package run

import (
	"fmt"
	"math/big"
	"path/filepath"
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
