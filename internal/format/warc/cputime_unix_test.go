//go:build unix

package warc

import (
	"syscall"
	"time"
)

// cpuTime is the process's user plus system CPU time. On a shared machine
// bytes per CPU second says more about per-core speed than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
