package fasttext

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"winnow/internal/testutil"
)

// The reference tests train tiny supervised models with Debian's
// `fasttext` binary (0.9.2) and compare Predict with `fasttext
// predict-prob` line by line: the same labels in the same order and
// probabilities within 1e-4.

// refLangs are the training languages with unequal line counts, so that
// the hierarchical-softmax Huffman tree is not balanced.
var refLangs = []struct {
	code  string
	train int
}{
	{"en", 300}, {"de", 240}, {"fr", 200}, {"es", 160}, {"it", 120},
	{"nl", 90}, {"ru", 70}, {"pt", 50}, {"pl", 40}, {"tr", 30},
}

const heldOutFrom = 900 // lines 900..999 of each file are never trained on

func fasttextBinary(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("fasttext")
	if err != nil {
		t.Fatalf("the fasttext binary (Debian package fasttext) is required: %v", err)
	}
	return p
}

func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// refData writes train.txt and test.txt into dir and returns the test
// lines. The test lines include edge cases: empty and blank lines, tabs
// and carriage returns, a label token, out-of-vocabulary scripts.
func refData(t testing.TB, dir string) []string {
	t.Helper()
	base := testutil.Shared(t, "corpus/langid/lingua-testdata/sentences")
	var train, many, test strings.Builder
	var tests []string
	for _, l := range refLangs {
		lines := readLines(t, filepath.Join(base, l.code+".txt"))
		if len(lines) < 1000 {
			t.Fatalf("%s: %d lines, want 1000", l.code, len(lines))
		}
		for i, s := range lines[:l.train] {
			fmt.Fprintf(&train, "__label__%s %s\n", l.code, s)
			fmt.Fprintf(&many, "__label__%s_%c %s\n", l.code, 'a'+i%26, s)
		}
		tests = append(tests, lines[heldOutFrom:heldOutFrom+40]...)
	}
	tests = append(tests,
		"", "   ", "\t\t", "hello", "Hello world\r", "__label__de the house is red",
		"日本語のテキスト", "ελληνικά κείμενα", "🙂 🙃", "a\x00b c", "x\vy\fz",
		strings.Repeat("das ist ", 200))
	for _, s := range tests {
		test.WriteString(s + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "train.txt"), []byte(train.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "train-many.txt"), []byte(many.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "test.txt"), []byte(test.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return tests
}

func run(t testing.TB, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("fasttext %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return string(out)
}

// parsePredictions parses one line of `fasttext predict-prob` output.
func parsePredictions(t testing.TB, line string) []Prediction {
	t.Helper()
	f := strings.Fields(line)
	if len(f)%2 != 0 {
		t.Fatalf("odd predict-prob line %q", line)
	}
	var out []Prediction
	for i := 0; i < len(f); i += 2 {
		p, err := strconv.ParseFloat(f[i+1], 64)
		if err != nil {
			t.Fatalf("predict-prob line %q: %v", line, err)
		}
		out = append(out, Prediction{Label: f[i], Prob: float32(p)})
	}
	return out
}

type refModel struct {
	name  string
	many  bool     // 260 labels (language x letter), enough for -qout
	small bool     // -bucket 2000 -minCount 2, to keep quantization without -cutoff fast
	train []string // extra arguments to `fasttext supervised`
	quant []string // when set, quantize with these arguments and use the .ftz
}

var refModels = []refModel{
	{name: "softmax-w1", train: []string{"-loss", "softmax", "-wordNgrams", "1"}},
	{name: "softmax-w2-sub", train: []string{"-loss", "softmax", "-wordNgrams", "2", "-minn", "2", "-maxn", "4"}},
	{name: "hs-w1", train: []string{"-loss", "hs", "-wordNgrams", "1"}},
	{name: "hs-w2-sub", train: []string{"-loss", "hs", "-wordNgrams", "2", "-minn", "2", "-maxn", "4"}},
	{name: "ova-w1-sub", train: []string{"-loss", "ova", "-wordNgrams", "1", "-minn", "2", "-maxn", "4"}},
	{name: "ova-w2", train: []string{"-loss", "ova", "-wordNgrams", "2"}},
	{name: "ns-w2-sub", train: []string{"-loss", "ns", "-neg", "2", "-wordNgrams", "2", "-minn", "3", "-maxn", "5"}},
	{name: "quant-softmax", small: true, train: []string{"-loss", "softmax", "-wordNgrams", "2", "-minn", "2", "-maxn", "4"},
		quant: []string{"-dsub", "2"}},
	{name: "quant-pruned-qnorm-qout", many: true, train: []string{"-loss", "softmax", "-wordNgrams", "2", "-minn", "2", "-maxn", "4"},
		quant: []string{"-dsub", "4", "-cutoff", "3000", "-qnorm", "-qout"}},
	{name: "quant-hs-pruned", train: []string{"-loss", "hs", "-wordNgrams", "2", "-minn", "2", "-maxn", "4"},
		quant: []string{"-dsub", "2", "-cutoff", "2000", "-qnorm"}},
}

// trainRef trains m in dir and returns the model path. dim 16 (not a
// multiple of 3) and -dsub 4 with dim 18 exercise the short last
// sub-quantizer.
func trainRef(t testing.TB, bin, dir string, m refModel) string {
	t.Helper()
	out := filepath.Join(dir, m.name)
	dim := "16"
	if m.quant != nil {
		dim = "18" // not a multiple of -dsub 4: the last sub-quantizer is shorter
	}
	input, bucket, minCount := filepath.Join(dir, "train.txt"), "20000", "1"
	if m.many {
		input = filepath.Join(dir, "train-many.txt")
	}
	if m.small {
		bucket, minCount = "2000", "2"
	}
	args := append([]string{"supervised", "-input", input, "-output", out,
		"-dim", dim, "-epoch", "5", "-lr", "0.5", "-bucket", bucket, "-minCount", minCount,
		"-thread", "1", "-seed", "7", "-verbose", "0"}, m.train...)
	run(t, bin, args...)
	if m.quant == nil {
		return out + ".bin"
	}
	run(t, bin, append([]string{"quantize", "-input", input, "-output", out,
		"-verbose", "0"}, m.quant...)...)
	return out + ".ftz"
}

func TestPredictMatchesReference(t *testing.T) {
	bin := fasttextBinary(t)
	dir := t.TempDir()
	tests := refData(t, dir)
	testFile := filepath.Join(dir, "test.txt")
	for _, m := range refModels {
		t.Run(m.name, func(t *testing.T) {
			path := trainRef(t, bin, dir, m)
			model, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if m.name == "softmax-w2-sub" {
				t.Run("load-errors", func(t *testing.T) { checkLoadErrors(t, path) })
				t.Run("load-shared", func(t *testing.T) { checkLoadShared(t, path) })
			}
			if got, want := model.Quantized(), m.quant != nil; got != want {
				t.Errorf("Quantized() = %v, want %v", got, want)
			}
			quantArgs := strings.Join(m.quant, " ")
			if got, want := model.dict.pruneSize >= 0, strings.Contains(quantArgs, "-cutoff"); got != want {
				t.Errorf("pruned dictionary = %v (size %d), want %v", got, model.dict.pruneSize, want)
			}
			if _, got := model.output.(*quantMatrix); got != strings.Contains(quantArgs, "-qout") {
				t.Errorf("quantized output = %v, want the opposite", got)
			}
			if q, ok := model.input.(*quantMatrix); ok && (q.npq != nil) != strings.Contains(quantArgs, "-qnorm") {
				t.Errorf("quantized norms = %v, want the opposite", q.npq != nil)
			}
			for _, q := range []struct {
				k         int
				threshold float32
			}{{1, 0}, {-1, 0}, {4, 0.05}} {
				out := run(t, bin, "predict-prob", path, testFile, strconv.Itoa(q.k),
					strconv.FormatFloat(float64(q.threshold), 'g', -1, 32))
				want := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				if len(want) != len(tests) {
					t.Fatalf("k=%d: reference printed %d lines for %d test lines", q.k, len(want), len(tests))
				}
				bad := 0
				for i, line := range tests {
					ref := parsePredictions(t, want[i])
					got := model.Predict(line, q.k, q.threshold)
					if !samePredictions(got, ref) {
						bad++
						if bad <= 5 {
							t.Errorf("k=%d threshold=%g line %d %.40q:\n got %v\nwant %v", q.k, q.threshold, i, line, got, ref)
						}
					}
				}
				if bad > 0 {
					t.Errorf("k=%d threshold=%g: %d of %d lines differ", q.k, q.threshold, bad, len(tests))
				}
			}
		})
	}
}

func samePredictions(got, want []Prediction) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Label != want[i].Label || math.Abs(float64(got[i].Prob-want[i].Prob)) > 1e-4 {
			return false
		}
	}
	return true
}
