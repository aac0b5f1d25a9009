package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"winnow/internal/blob"
	"winnow/internal/format"
	"winnow/internal/run"
)

// lockRun takes the locks of a run writing into dir: dir exclusively,
// or, for rank rank of worldSize ≥ 1, its rank folder exclusively and dir
// shared (so that a merge or dedup of dir waits for every rank). Both
// folders are created. The returned function releases them and removes a
// .run folder that holds nothing but the lock (and dir, when it made
// it), and a rank folder it created that holds nothing but its lock (a rank that was
// refused, or found its share merged, leaves no folder for the next
// merge to trip on).
func lockRun(dir string, rank, worldSize int) (func(), error) {
	if worldSize <= 0 {
		_, statErr := os.Stat(dir)
		created := errors.Is(statErr, fs.ErrNotExist)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		unlock, err := lock(dir, false)
		if err != nil {
			return nil, err
		}
		// A run that wrote nothing (refused, or no input to read) leaves
		// no .run folder, which would make a folder walk take dir for an
		// output, nor a folder it created.
		return func() {
			run.DropLock(dir, created)
			unlock()
		}, nil
	}
	rd := run.RankDir(dir, rank)
	_, statErr := os.Stat(rd)
	created := errors.Is(statErr, fs.ErrNotExist)
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
	return func() {
		if created && run.OnlyLock(rd) {
			os.RemoveAll(rd)
		}
		mine()
		top()
	}, nil
}

// lockDir takes the lock of dir, the folder of a dedup, merge or edge
// part, when dir holds winnow output (a .run folder, stats.json beside
// documents/, or rank folders): a folder that holds none is left to the
// command to refuse, and gets no .run folder (which would make a folder
// walk pass over it as output).
func lockDir(dir string, shared bool) (func(), error) {
	if err := needLocal(dir); err != nil {
		return nil, err
	}
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

// needLocal refuses an s3:// or gs:// OUTDIR for the commands that work on
// a local output folder (dedup, edges, merge, report), naming the URL
// without its query.
func needLocal(dir string) error {
	if !blob.IsURL(dir) {
		return nil
	}
	return fmt.Errorf("%s is an object storage prefix: this command works on a local output folder (run winnow run -o URL --staging DIR, then give it DIR)", blob.Plain(dir))
}
