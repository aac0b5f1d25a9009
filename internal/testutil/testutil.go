// Package testutil holds helpers shared by winnow's tests.
package testutil

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Root returns the repository root: the nearest parent of the working
// directory that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testutil: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Shared returns the absolute path of rel inside the shared test material
// that lies beside the repository (../shared). It fails the test when the
// path does not exist: CI always has the material, so a missing file is an
// error, never a skip.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(filepath.Dir(Root(t)), "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testutil: shared test material missing: %v", err)
	}
	return p
}

// CPUTime is the process's user+system CPU time. On a shared machine the
// wall-clock ns/op of a benchmark includes waiting for a core; CPU time
// per operation does not.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU reports CPU ns per operation and the MB/s and docs/s that
// CPU time gives, from start (a CPUTime value) and bytes per operation.
func ReportCPU(b *testing.B, start time.Duration, bytes int) {
	cpu := CPUTime() - start
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
