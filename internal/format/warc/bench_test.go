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
}
