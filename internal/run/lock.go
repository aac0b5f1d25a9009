package run

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// lockFile is the advisory lock of an output folder, in its .run
// folder. It is never removed with the run's state (see clearRunDir), so
// that every process locks the same file.
const lockFile = "lock"

// InUseError is returned by Lock when another process holds the lock of
// the output folder Dir. PID and Started are what that process wrote
// into the lock file (0 and "" when it could not be read); they are for
// the message only: the lock, not the file's content, decides.
type InUseError struct {
	Dir     string
	PID     int
	Started string
}

func (e *InUseError) Error() string {
	who := "pid unknown"
	if e.PID > 0 {
		who = "pid " + strconv.Itoa(e.PID)
	}
	if e.Started != "" {
		who += ", started " + e.Started
	}
	return fmt.Sprintf("%s is in use by another winnow (%s); wait for it or stop it", e.Dir, who)
}

// DirLock is a held lock of an output folder; Unlock releases it.
type DirLock struct {
	f *os.File
}

// Lock takes the advisory lock of the output folder dir (a file
// dir/.run/lock; dir must exist), without waiting. Exclusive (shared
// false) is for a process that writes the folder (a run with its dedup
// phase, a dedup, a merge); shared is for processes that may work on it
// at once (dedup edge parts), and excludes the exclusive holders. When
// the lock is taken, the process's pid and start time are written into
// the file for the message of the others. Errors: *InUseError when
// another process holds the lock in a conflicting mode, I/O errors. The
// lock is flock(2): on NFS it works only where the NFS lock service does
// (Lustre: mount with -o flock); on systems without flock it is not
// taken (Unlock does nothing).
func Lock(dir string, shared bool) (*DirLock, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("run: %s is not a folder", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, runDir), 0o755); err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	path := filepath.Join(dir, runDir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	ok, err := flock(f, shared)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("run: lock %s: %w", path, err)
	}
	if !ok {
		e := &InUseError{Dir: dir}
		if b, err := os.ReadFile(path); err == nil {
			e.PID, e.Started = parseLockInfo(string(b))
		}
		f.Close()
		return nil, e
	}
	info := fmt.Sprintf("pid %d\nstarted %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	// Shared holders overwrite each other's line: any holder is a fine
	// name for the message.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(info), 0)
	}
	return &DirLock{f: f}, nil
}

// Unlock releases the lock; the lock file stays.
func (l *DirLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the last descriptor releases a flock
	l.f = nil
	if err != nil {
		return fmt.Errorf("run: unlock: %w", err)
	}
	return nil
}

// parseLockInfo reads "pid N" and "started T" lines of a lock file.
func parseLockInfo(s string) (pid int, started string) {
	for line := range strings.Lines(s) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "pid":
			pid, _ = strconv.Atoi(v)
		case "started":
			started = v
		}
	}
	return pid, started
}

// clearRunDir removes the run's state in dir/.run, all but the lock file
// (which other processes may hold or wait to take).
func clearRunDir(dir string) error {
	ents, err := os.ReadDir(filepath.Join(dir, runDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	for _, e := range ents {
		if e.Name() == lockFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, runDir, e.Name())); err != nil {
			return fmt.Errorf("run: %w", err)
		}
	}
	return nil
}

// OnlyLock reports whether dir holds nothing but the lock file in its
// .run folder: what a process that took the lock and wrote nothing
// leaves.
func OnlyLock(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) != 1 || ents[0].Name() != runDir {
		return false
	}
	state, err := os.ReadDir(filepath.Join(dir, runDir))
	return err == nil && len(state) == 1 && state[0].Name() == lockFile
}

// DropLock removes what a process that took the lock of dir and wrote
// nothing leaves there (see OnlyLock): the .run folder, and dir itself
// when created (it did not exist before). Call it while holding the
// lock, before Unlock. It does nothing when dir holds anything else.
func DropLock(dir string, created bool) {
	if !OnlyLock(dir) {
		return
	}
	os.RemoveAll(filepath.Join(dir, runDir))
	if created {
		os.Remove(dir)
	}
}
