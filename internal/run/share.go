package run

import (
	"fmt"
	"math/bits"
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
// size: rank r starts at the first file whose preceding files hold at
// least r/world of the bytes. Every rank computes the same split from
// the same sorted list and sizes; a rank may get no file.
func share(sizes []int64, rank, world int) (lo, hi int) {
	if world <= 1 {
		return 0, len(sizes)
	}
	var total int64
	for _, s := range sizes {
		total += max(s, 1) // an empty file still has to be read
	}
	start := func(r int) int {
		if r >= world {
			return len(sizes)
		}
		// the first i with prefix(i) * world >= r * total
		var prefix int64
		for i, s := range sizes {
			if !less128(uint64(prefix), uint64(world), uint64(r), uint64(total)) {
				return i
			}
			prefix += max(s, 1)
		}
		return len(sizes)
	}
	return start(rank), start(rank + 1)
}

// less128 reports a*b < c*d without overflow.
func less128(a, b, c, d uint64) bool {
	h1, l1 := bits.Mul64(a, b)
	h2, l2 := bits.Mul64(c, d)
	return h1 < h2 || (h1 == h2 && l1 < l2)
}
