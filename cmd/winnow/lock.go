package main

import (
	"os"
	"path/filepath"

	"winnow/internal/format"
	"winnow/internal/run"
)

// lockRun takes the locks of a run writing into dir: dir exclusively,
// or, for rank rank of worldSize > 1, its rank folder exclusively and dir
// shared (so that a merge or dedup of dir waits for every rank). Both
// folders are created. The returned function releases them.
func lockRun(dir string, rank, worldSize int) (func(), error) {
	if worldSize <= 1 {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		return lock(dir, false)
	}
	rd := run.RankDir(dir, rank)
	if err := os.MkdirAll(rd, 0o755); err != nil {
		return nil, err
	}
	top, err := lock(dir, true)
	if err != nil {
		return nil, err
	}
	mine, err := lock(rd, false)
	if err != nil {
		top()
		return nil, err
	}
	return func() { mine(); top() }, nil
}

// lockDir takes the lock of dir, the folder of a dedup, merge or edge
// part, when dir holds winnow output (a .run folder, stats.json beside
// documents/, or rank folders): a folder that holds none is left to the
// command to refuse, and gets no .run folder (which would make a folder
// walk pass over it as output).
func lockDir(dir string, shared bool) (func(), error) {
	ranks, _ := filepath.Glob(filepath.Join(dir, "rank-*"))
	if !format.IsOutputDir(dir) && len(ranks) == 0 {
		return func() {}, nil
	}
	return lock(dir, shared)
}

func lock(dir string, shared bool) (func(), error) {
	l, err := run.Lock(dir, shared)
	if err != nil {
		return nil, err
	}
	return func() { l.Unlock() }, nil
}
