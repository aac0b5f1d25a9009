//go:build unix

package run

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// flock takes f's flock without waiting: false when another open file
// holds it in a conflicting mode.
func flock(f *os.File, shared bool) (bool, error) {
	how := unix.LOCK_EX
	if shared {
		how = unix.LOCK_SH
	}
	for {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, unix.EINTR):
			continue
		}
		return false, err
	}
}
