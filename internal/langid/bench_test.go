package langid

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"winnow/internal/fasttext"
	"winnow/internal/testutil"
)

// benchDoc is n bytes of English sentences with a newline between them.
func benchDoc(b *testing.B, n int) string {
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		sb.WriteString(sentence(b, "en", i))
		sb.WriteByte('\n')
	}
	return sb.String()[:n]
}

func benchStage(b *testing.B, c Config, size int) {
	st, err := New(c)
	if err != nil {
		b.Fatal(err)
	}
	ls := st.(*languageStage)
	doc := benchDoc(b, size)
	b.SetBytes(int64(len(doc)))
	start, cpu := time.Now(), testutil.CPUTime()
	for b.Loop() {
		ls.Identify(doc)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "docs/s")
	testutil.ReportCPU(b, cpu, len(doc))
}

// The whatlang backend reads only the first 2048 bytes (Prefix), so MB/s
// grows with the document; docs/s is the figure to compare.
func BenchmarkWhatlang1KB(b *testing.B)  { benchStage(b, DefaultConfig(), 1<<10) }
func BenchmarkWhatlang10KB(b *testing.B) { benchStage(b, DefaultConfig(), 10<<10) }

func lidModel(b *testing.B) string {
	return trainModel(b, lidLines(b, []string{"en", "de", "fr", "ru"}, 200, false))
}

// The fastText backend on the whole text (Prefix 0, as datatrove) with a
// 4-language model: dim 16, subwords 2-4, word bigrams, 20,000 buckets.
func BenchmarkFastText1KB(b *testing.B) {
	benchStage(b, Config{Backend: "fasttext", Model: lidModel(b), Threshold: 0.65}, 1<<10)
}

func BenchmarkFastText10KB(b *testing.B) {
	benchStage(b, Config{Backend: "fasttext", Model: lidModel(b), Threshold: 0.65}, 10<<10)
}

func rssKB() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n
		}
	}
	return 0
}

// BenchmarkLoadLid176Shape loads a model shaped like lid.176.bin (dim 16,
// 2,000,000 buckets, minn 2, maxn 4: a 128 MB file) trained here on a few
// sentences, and reports the load time and the growth of the resident
// set.
func BenchmarkLoadLid176Shape(b *testing.B) {
	bin, err := exec.LookPath("fasttext")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	in := filepath.Join(dir, "train.txt")
	if err := os.WriteFile(in, []byte(strings.Join(lidLines(b, []string{"en", "de"}, 50, false), "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "big")
	if o, err := exec.Command(bin, "supervised", "-input", in, "-output", out, "-dim", "16", "-epoch", "1",
		"-bucket", "2000000", "-minn", "2", "-maxn", "4", "-thread", "1", "-verbose", "0").CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, o)
	}
	var rss int
	cpu := testutil.CPUTime()
	for b.Loop() {
		runtime.GC()
		debug.FreeOSMemory()
		before := rssKB()
		m, err := fasttext.Load(out + ".bin")
		if err != nil {
			b.Fatal(err)
		}
		rss = rssKB() - before
		runtime.KeepAlive(m)
	}
	testutil.ReportCPU(b, cpu, 0)
	b.ReportMetric(float64(rss)/1024, "MB-RSS")
}
