//go:build unix

package dedup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ownerExt ends the name of the owner file of a part's spill folder:
// .dedup/edges/.sort-part-PPPPP-of-MMMMM-<random> is owned by the
// process that holds an exclusive flock on
// .dedup/edges/.sort-part-PPPPP-of-MMMMM-<random>.owner.
const ownerExt = ".owner"

// newSpill creates the spill folder of the part named base in dir and
// returns it with release, which removes it. Before that it removes the
// spill folders that earlier copies of the same part (same part and
// parts) left when they were killed: those whose owner file nobody holds
// a lock on. A copy still running holds its lock and keeps its folder, on
// this machine or, on a file system whose locks span machines (NFS v4,
// Lustre mounted with flock), on another. Where locks are not supported
// nothing is removed; the dedup phase removes the edges folder at the
// end in any case. Folders of other parts are never touched.
func newSpill(dir, base string) (spill string, release func(), err error) {
	removeDeadSpills(dir, base)
	for range 3 {
		f, err := os.CreateTemp(dir, ".sort-"+base+"-*"+ownerExt)
		if err != nil {
			return "", nil, fmt.Errorf("dedup: %w", err)
		}
		locked := syscall.Flock(int(f.Fd()), syscall.LOCK_EX) == nil
		// A cleanup that locked the new file before us removed it: start
		// again with another name.
		if fi, err := os.Stat(f.Name()); err != nil || !sameFile(f, fi) {
			f.Close()
			continue
		}
		spill = strings.TrimSuffix(f.Name(), ownerExt)
		if err := os.Mkdir(spill, 0o755); err != nil {
			f.Close()
			os.Remove(f.Name())
			return "", nil, fmt.Errorf("dedup: %w", err)
		}
		_ = locked // without lock support the folder is only removed by release or the dedup phase
		return spill, func() {
			os.RemoveAll(spill)
			os.Remove(f.Name())
			f.Close()
		}, nil
	}
	return "", nil, errors.New("dedup: could not create a spill folder: its owner file kept being removed")
}

func sameFile(f *os.File, fi os.FileInfo) bool {
	own, err := f.Stat()
	return err == nil && os.SameFile(own, fi)
}

// removeDeadSpills removes the spill folders of part base in dir whose
// owner file no process holds locked, and their owner files.
func removeDeadSpills(dir, base string) {
	owners, _ := filepath.Glob(filepath.Join(dir, ".sort-"+base+"-*"+ownerExt))
	for _, o := range owners {
		f, err := os.OpenFile(o, os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			// the owner is gone; holding its lock, nobody else removes it
			if os.RemoveAll(strings.TrimSuffix(o, ownerExt)) == nil {
				os.Remove(o)
			}
		}
		f.Close()
	}
}
