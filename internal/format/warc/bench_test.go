package warc

import (
	"bytes"
	"io"
	"os"
	"testing"

	"winnow/internal/testutil"
)

// BenchmarkReader reads a whole WARC file from memory. The input is
// $WINNOW_BENCH_WARC when set (the pages.warc.gz that
// `python3 ../shared/bench/make-corpus --out /tmp/bench --skip-docs`
// writes), else resiliparse/warcfile.warc.gz. Bytes are the compressed
// file size, so MB/s is input throughput.
//
// Measured on pages.warc.gz (52.0 MB gzip, 268.7 MB decompressed, 2000
// HTML responses): 52 MB/cpu-s of input, about 270 MB/cpu-s decompressed,
// 2000 docs/cpu-s; a CPU profile puts 78% of the time in klauspost's
// inflate, so the framer itself is not the bottleneck. Allocation is about
// one copy of the decompressed payloads: each document owns its payload.
func BenchmarkReader(b *testing.B) {
	path := os.Getenv("WINNOW_BENCH_WARC")
	if path == "" {
		path = testutil.Shared(b, "corpus/warc/resiliparse/warcfile.warc.gz")
	}
	in, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	docs := 0
	start := cpuTime()
	for b.Loop() {
		r := NewReader(bytes.NewReader(in), path)
		for {
			d, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			_ = d
			docs++
		}
	}
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
	// Per CPU second (all threads, GC included): wall time on a shared
	// machine hides per-core speed.
	if cpu := (cpuTime() - start).Seconds(); cpu > 0 {
		b.ReportMetric(float64(len(in))*float64(b.N)/1e6/cpu, "MB/cpu-s")
		b.ReportMetric(float64(docs)/cpu, "docs/cpu-s")
	}
}
