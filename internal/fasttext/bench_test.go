package fasttext

import (
	"path/filepath"
	"strings"
	"testing"

	"winnow/internal/testutil"
)

// benchText returns n bytes of English sentences from the shared corpus,
// cut at a space, on one line.
func benchText(b *testing.B, n int) string {
	lines := readLines(b, filepath.Join(testutil.Shared(b, "corpus/langid/lingua-testdata/sentences"), "en.txt"))
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		sb.WriteString(lines[i%len(lines)])
		sb.WriteByte(' ')
	}
	s := sb.String()[:n]
	return s
}

func benchPredict(b *testing.B, size int) {
	m, err := Load(trainedModel(b))
	if err != nil {
		b.Fatal(err)
	}
	text := benchText(b, size)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	start := testutil.CPUTime()
	for b.Loop() {
		m.Predict(text, 1, 0)
	}
	testutil.ReportCPU(b, start, len(text))
}

// BenchmarkPredict1KB and 10KB: a softmax model with dim 16, subwords
// 2-4 and word bigrams (10 labels), on one document of English text.
func BenchmarkPredict1KB(b *testing.B)  { benchPredict(b, 1<<10) }
func BenchmarkPredict10KB(b *testing.B) { benchPredict(b, 10<<10) }

func BenchmarkLoad(b *testing.B) {
	path := trainedModel(b)
	start := testutil.CPUTime()
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
	testutil.ReportCPU(b, start, 0)
}
