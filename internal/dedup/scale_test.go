package dedup

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"winnow"
	"winnow/internal/format/jsonl"
)

// TestScale is the end-to-end measurement behind docs/bench.md, opt-in:
//
//	WINNOW_DEDUP_SCALE=DIR          a make-corpus output (docs.jsonl.gz)
//	WINNOW_DEDUP_SCALE_OUT=OUTDIR   where the run's output goes
//	WINNOW_DEDUP_SCALE_MODE=sign    stream the documents through the stage
//	                                into shards and side files
//	WINNOW_DEDUP_SCALE_MODE=dedup   run the dedup phase on OUTDIR
//	WINNOW_DEDUP_SCALE_MEM=BYTES    Config.MemoryBytes for the phase
//
// Each mode logs its wall time and the process's peak RSS (getrusage), so
// running the two modes as separate processes measures each on its own.
func TestScale(t *testing.T) {
	src, out := os.Getenv("WINNOW_DEDUP_SCALE"), os.Getenv("WINNOW_DEDUP_SCALE_OUT")
	if src == "" || out == "" {
		t.Skip("opt-in measurement: set WINNOW_DEDUP_SCALE and WINNOW_DEDUP_SCALE_OUT")
	}
	cfg := DefaultConfig()
	if m := os.Getenv("WINNOW_DEDUP_SCALE_MEM"); m != "" {
		v, err := strconv.ParseInt(m, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		cfg.MemoryBytes = v
	}
	start := time.Now()
	switch os.Getenv("WINNOW_DEDUP_SCALE_MODE") {
	case "sign":
		r, err := jsonl.Open(filepath.Join(src, "docs.jsonl.gz"), jsonl.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		w, err := jsonl.NewShardWriter(filepath.Join(out, "documents"), jsonl.ShardOptions{MaxShardBytes: 32 << 20, SideDir: filepath.Join(out, "side")})
		if err != nil {
			t.Fatal(err)
		}
		st, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var batch []*winnow.Doc
		var n, textBytes int64
		var signTime, signCPU time.Duration
		// CPU time of this thread only: the machine may be shared, and
		// wall time then understates the stage's speed per core.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		flush := func() {
			t0, c0 := time.Now(), threadCPU()
			if _, err := st.Process(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			signTime += time.Since(t0)
			signCPU += threadCPU() - c0
			for _, d := range batch {
				if err := w.Write(d); err != nil {
					t.Fatal(err)
				}
			}
			batch = batch[:0]
		}
		for {
			d, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			textBytes += int64(len(d.Text))
			batch = append(batch, d)
			if len(batch) == 1000 {
				flush()
			}
		}
		flush()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("signed %d documents, %.1f MB of text: stage %.2fs wall, %.2fs CPU (%.1f MB/s per core), read+sign+write %.2fs, peak RSS %d MiB",
			n, float64(textBytes)/1e6, signTime.Seconds(), signCPU.Seconds(), float64(textBytes)/1e6/signCPU.Seconds(), time.Since(start).Seconds(), peakRSS()>>20)
	case "dedup":
		res, err := Run(context.Background(), Options{Dir: out, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("dedup phase: %d documents, %d exact, %d near, %d clusters, %d candidate pairs, kept %d: %.2fs, peak RSS %d MiB (memory cap %d MiB)",
			res.Documents, res.ExactDuplicates, res.NearDuplicates, res.Clusters, res.CandidatePairs, res.Kept,
			time.Since(start).Seconds(), peakRSS()>>20, cfg.MemoryBytes>>20)
	default:
		t.Fatal("WINNOW_DEDUP_SCALE_MODE must be sign or dedup")
	}
}

// threadCPU is the user+system CPU time of the calling OS thread
// (getrusage RUSAGE_THREAD, Linux).
func threadCPU() time.Duration {
	const rusageThread = 1
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Maxrss << 10 // kilobytes on Linux
}
