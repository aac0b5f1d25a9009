//go:build unix

package quality

import (
	"syscall"
	"testing"
	"time"

	"winnow"
	"winnow/internal/testutil"
)

// benchDocs are the 697 documents of the dolma CC-MAIN-2019-30 sample.
func benchDocs(b *testing.B) ([]*winnow.Doc, int64) {
	b.Helper()
	raw := readJSONLGz(b, testutil.Shared(b, "corpus/warc/dolma/jsonl/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"))
	var docs []*winnow.Doc
	var n int64
	for _, m := range raw {
		text, _ := m["text"].(string)
		id, _ := m["id"].(string)
		docs = append(docs, &winnow.Doc{ID: id, Text: text})
		n += int64(len(text))
	}
	return docs, n
}

// cpuTime is the process's user plus system CPU time. The benchmark
// machine is shared, so besides wall-clock MB/s the benchmarks report
// MB per CPU-second ("cpu-MB/s"), which load from other processes does not
// deflate (it includes this process's GC work).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration, bytes int64) {
	if cpu := cpuTime() - start; cpu > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/1e6/cpu.Seconds(), "cpu-MB/s")
	}
}

func benchStage(b *testing.B, name string, p Profile) {
	docs, n := benchDocs(b)
	st := newStages(b, p)[name]
	b.SetBytes(n)
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		for _, d := range docs {
			Measure(st, d)
		}
	}
	reportCPU(b, start, n)
}

func BenchmarkGopherQuality(b *testing.B)         { benchStage(b, "gopher_quality", Datatrove) }
func BenchmarkGopherQualityDolma(b *testing.B)    { benchStage(b, "gopher_quality", Dolma) }
func BenchmarkGopherRepetition(b *testing.B)      { benchStage(b, "gopher_repetition", Datatrove) }
func BenchmarkGopherRepetitionDolma(b *testing.B) { benchStage(b, "gopher_repetition", Dolma) }
func BenchmarkC4Quality(b *testing.B)             { benchStage(b, "c4_quality", Datatrove) }
func BenchmarkFineWebQuality(b *testing.B)        { benchStage(b, "fineweb_quality", Datatrove) }
func BenchmarkFineWebQualityDolma(b *testing.B)   { benchStage(b, "fineweb_quality", Dolma) }

// BenchmarkCascade runs the FineWeb order (Gopher repetition, Gopher
// quality, C4, FineWeb) as a pipeline with drops, on fresh copies.
func BenchmarkCascade(b *testing.B) {
	docs, n := benchDocs(b)
	ss := newStages(b, Datatrove)
	p := winnow.Pipeline{ss["gopher_repetition"], ss["gopher_quality"], ss["c4_quality"], ss["fineweb_quality"]}
	batch := make([]*winnow.Doc, len(docs))
	copies := make([]winnow.Doc, len(docs))
	b.SetBytes(n)
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		for i, d := range docs {
			copies[i] = *d
			batch[i] = &copies[i]
		}
		if _, _, err := p.Process(b.Context(), batch, nil); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start, n)
}
