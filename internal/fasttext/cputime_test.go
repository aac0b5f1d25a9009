package fasttext

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. On a shared machine the
// wall-clock ns/op of a benchmark includes waiting for a core; CPU time
// per operation does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports CPU ns per operation and the MB/s and docs/s that
// CPU time gives, from start (a cpuTime value) and bytes per operation.
func reportCPU(b *testing.B, start time.Duration, bytes int) {
	cpu := cpuTime() - start
	if cpu <= 0 || b.N == 0 {
		return
	}
	per := float64(cpu.Nanoseconds()) / float64(b.N)
	b.ReportMetric(per, "cpu-ns/op")
	b.ReportMetric(1e9/per, "cpu-docs/s")
	if bytes > 0 {
		b.ReportMetric(float64(bytes)*1e3/per, "cpu-MB/s")
	}
}
