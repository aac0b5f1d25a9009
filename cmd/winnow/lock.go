package main

import (
	"errors"
	"os"

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
		return lockDir(dir, false)
	}
	rd := run.RankDir(dir, rank)
	if err := os.MkdirAll(rd, 0o755); err != nil {
		return nil, err
	}
	top, err := lockDir(dir, true)
	if err != nil {
		return nil, err
	}
	mine, err := lockDir(rd, false)
	if err != nil {
		top()
		return nil, err
	}
	return func() { mine(); top() }, nil
}

// lockDir takes dir's lock (see run.Lock) when dir exists; a missing
// folder is left to the command to report.
func lockDir(dir string, shared bool) (func(), error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return func() {}, nil
	}
	l, err := run.Lock(dir, shared)
	if err != nil {
		return nil, err
	}
	return func() { l.Unlock() }, nil
}
