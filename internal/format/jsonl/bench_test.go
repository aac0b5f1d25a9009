package jsonl

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"winnow"
	"winnow/internal/testutil"
)

// benchInput is /tmp/bench/docs.jsonl.gz when it exists (made by
// `python3 ../shared/bench/make-corpus --out /tmp/bench --skip-warc`),
// else dolma's CC-MAIN-2019-30 sample.
func benchInput(b *testing.B) []byte {
	b.Helper()
	path := "/tmp/bench/docs.jsonl.gz"
	if _, err := os.Stat(path); err != nil {
		path = testutil.Shared(b, "corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("input %s", path)
	return raw
}

// BenchmarkJSONLRead measures decoding gzip JSONL into documents; bytes
// are the uncompressed JSON.
func BenchmarkJSONLRead(b *testing.B) {
	raw := benchInput(b)
	plain := gunzip(b, raw)
	for _, c := range []struct {
		name string
		in   []byte
	}{{"gz", raw}, {"plain", plain}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(plain)))
			b.ReportAllocs()
			defer reportCPU(b, int64(len(plain)), cpuTime())
			for b.Loop() {
				r := NewReader(bytes.NewReader(c.in), "bench", Options{})
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				r.Close()
			}
		})
	}
}

// BenchmarkShardWrite measures encoding and compressing documents into
// shards; bytes are the uncompressed JSON written.
func BenchmarkShardWrite(b *testing.B) {
	raw := benchInput(b)
	r := NewReader(bytes.NewReader(raw), "bench", Options{})
	var docs []*winnow.Doc
	for {
		d, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d)
	}
	for _, comp := range []string{"zst", "gz"} {
		b.Run(comp, func(b *testing.B) {
			var n int64
			start := cpuTime()
			for b.Loop() {
				w, err := NewShardWriter(b.TempDir(), ShardOptions{Compression: comp, MaxShardBytes: 32 << 20})
				if err != nil {
					b.Fatal(err)
				}
				for _, d := range docs {
					if err := w.Write(d); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				_, n = w.Written()
			}
			b.SetBytes(n)
			reportCPU(b, n, start)
		})
	}
}

// reportCPU adds MB per CPU second (all threads, GC included) for n bytes
// per iteration since start.
func reportCPU(b *testing.B, n int64, start time.Duration) {
	if cpu := cpuTime() - start; cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}
