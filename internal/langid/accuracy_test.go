package langid

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"winnow/internal/testutil"
)

// Accuracy on the lingua accuracy-report test data
// (../shared/corpus/langid/lingua-testdata: 1,000 sentences, word pairs
// and single words per language, from the Leipzig corpora). A sample is
// correct when the top label equals the file's language; "und" counts as
// wrong.

var granularities = []string{"sentences", "word-pairs", "single-words"}

func samples(t testing.TB, gran, lang string) []string {
	t.Helper()
	b, err := os.ReadFile(testutil.Shared(t, filepath.Join("corpus/langid/lingua-testdata", gran, lang+".txt")))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range strings.Split(string(b), "\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// tally counts predicted codes for one language and granularity.
type tally struct {
	n, correct, und int
	pred            map[string]int
}

func evaluate(t testing.TB, id func(string) (string, float64), threshold float64, gran, lang string, limit int) tally {
	r := tally{pred: map[string]int{}}
	ss := samples(t, gran, lang)
	if limit > 0 && len(ss) > limit {
		ss = ss[:limit]
	}
	for _, s := range ss {
		code, score := id(s)
		if score < threshold || code == "" {
			code = Und
		}
		r.n++
		r.pred[code]++
		switch code {
		case lang:
			r.correct++
		case Und:
			r.und++
		}
	}
	return r
}

func whatlangID(s string) (string, float64) { return whatlang{}.detect(Prepare(s, 2048)) }

// TestAccuracyFloor checks whatlang on the first 200 sentences and word
// pairs of twelve languages against floors a little below the measured
// accuracy (measured: see docs/bench.md).
func TestAccuracyFloor(t *testing.T) {
	floors := map[string][2]float64{ // sentences, word pairs; measured minus 0.03
		"en": {0.93, 0.30}, "de": {0.94, 0.56}, "fr": {0.94, 0.52}, "es": {0.88, 0.27},
		"it": {0.92, 0.47}, "pt": {0.91, 0.48}, "nl": {0.78, 0.33}, "pl": {0.87, 0.56},
		"ru": {0.68, 0.53}, "uk": {0.91, 0.73}, "ja": {0.93, 0.97}, "ko": {0.96, 0.97},
	}
	for lang, f := range floors {
		for i, gran := range granularities[:2] {
			r := evaluate(t, whatlangID, 0, gran, lang, 200)
			acc := float64(r.correct) / float64(r.n)
			t.Logf("%s %s: %.3f", lang, gran, acc)
			if acc < f[i] {
				t.Errorf("%s %s: whatlang accuracy %.3f below the floor %.2f", lang, gran, acc, f[i])
			}
		}
	}
}

// closePairs are the confusable groups the report breaks down.
var closePairs = [][]string{
	{"bs", "hr", "sr"}, {"nb", "nn", "da"}, {"ms", "id"}, {"ru", "uk", "bg"}, {"es", "gl", "pt"},
}

// TestAccuracyReport prints the per-language table and the confusion
// summary for docs/bench.md. It reads all 237 files: run it with
// WINNOW_LANGID_EVAL=1.
func TestAccuracyReport(t *testing.T) {
	if os.Getenv("WINNOW_LANGID_EVAL") == "" {
		t.Skip("set WINNOW_LANGID_EVAL=1 for the full accuracy report")
	}
	entries, err := os.ReadDir(testutil.Shared(t, "corpus/langid/lingua-testdata/sentences"))
	if err != nil {
		t.Fatal(err)
	}
	var langs []string
	for _, e := range entries {
		langs = append(langs, strings.TrimSuffix(e.Name(), ".txt"))
	}
	sort.Strings(langs)
	supported := map[string]bool{}
	for _, c := range whatlangCodes {
		supported[c] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| lang | whatlang | sentences | word pairs | single words | sentences und at 0.65 | 10-sentence documents | documents und at 0.65 |\n|---|---|---|---|---|---|---|---|\n")
	results := map[string][3]tally{}
	var sum [3]float64
	var nsup int
	for _, lang := range langs {
		var row [3]tally
		for i, gran := range granularities {
			row[i] = evaluate(t, whatlangID, 0, gran, lang, 0)
		}
		results[lang] = row
		und := evaluate(t, whatlangID, 0.65, "sentences", lang, 0)
		sup := "no"
		if supported[lang] {
			sup = "yes"
			nsup++
			for i := range row {
				sum[i] += pct(row[i])
			}
		}
		docs := evaluateDocs(t, whatlangID, 0.65, lang)
		fmt.Fprintf(&b, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", lang, sup, pct(row[0]), pct(row[1]), pct(row[2]),
			100*float64(und.und)/float64(und.n), pct(docs), 100*float64(docs.und)/float64(docs.n))
	}
	fmt.Fprintf(&b, "| **mean over %d supported** | | **%.1f** | **%.1f** | **%.1f** | | | |\n\n", nsup,
		sum[0]/float64(nsup), sum[1]/float64(nsup), sum[2]/float64(nsup))

	fmt.Fprintf(&b, "Confusion among close languages (sentences; %% of each row's samples):\n\n")
	fmt.Fprintf(&b, "| true | predicted |\n|---|---|\n")
	for _, group := range closePairs {
		for _, lang := range group {
			r := results[lang][0]
			if r.n == 0 {
				fmt.Fprintf(&b, "| %s | not in lingua-testdata |\n", lang)
				continue
			}
			var parts []string
			other := r.n
			for _, p := range group {
				parts = append(parts, fmt.Sprintf("%s %.1f", p, 100*float64(r.pred[p])/float64(r.n)))
				other -= r.pred[p]
			}
			other -= r.pred[Und]
			top := topOther(r.pred, group)
			parts = append(parts, fmt.Sprintf("und %.1f", 100*float64(r.pred[Und])/float64(r.n)),
				fmt.Sprintf("other %.1f%s", 100*float64(other)/float64(r.n), top))
			fmt.Fprintf(&b, "| %s | %s |\n", lang, strings.Join(parts, ", "))
		}
	}
	t.Log("\n" + b.String())
}

// evaluateDocs identifies documents of 10 consecutive sentences (about
// 1.1 KB, the size of a short web page's main text), 100 per language.
func evaluateDocs(t testing.TB, id func(string) (string, float64), threshold float64, lang string) tally {
	r := tally{pred: map[string]int{}}
	ss := samples(t, "sentences", lang)
	for i := 0; i+10 <= len(ss); i += 10 {
		code, score := id(strings.Join(ss[i:i+10], "\n"))
		if score < threshold || code == "" {
			code = Und
		}
		r.n++
		r.pred[code]++
		switch code {
		case lang:
			r.correct++
		case Und:
			r.und++
		}
	}
	return r
}

func pct(r tally) float64 { return 100 * float64(r.correct) / float64(r.n) }

// topOther names the most frequent prediction outside group.
func topOther(pred map[string]int, group []string) string {
	best, n := "", 0
	for c, k := range pred {
		if c != Und && !slices.Contains(group, c) && (k > n || k == n && c < best) {
			best, n = c, k
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (mostly %s)", best)
}

// TestAccuracyReportLingua compares whatlang and lingua (built with -tags
// lingua) on the languages of the close groups, lingua restricted to
// exactly that subset: WINNOW_LANGID_EVAL=1 go test -tags lingua.
func TestAccuracyReportLingua(t *testing.T) {
	if os.Getenv("WINNOW_LANGID_EVAL") == "" || !LinguaBuilt {
		t.Skip("set WINNOW_LANGID_EVAL=1 and build with -tags lingua")
	}
	var subset []string
	for _, lang := range append(slices.Concat(closePairs...), "en", "de", "fr") {
		// gl is neither in the test data nor in lingua.
		if _, err := os.Stat(filepath.Join(testutil.Shared(t, "corpus/langid/lingua-testdata/sentences"), lang+".txt")); err == nil {
			subset = append(subset, lang)
		}
	}
	st, err := New(Config{Backend: "lingua", LinguaLanguages: subset})
	if err != nil {
		t.Fatal(err)
	}
	det := st.(*languageStage).det
	lin := func(s string) (string, float64) { return det.detect(Prepare(s, 2048)) }
	var b strings.Builder
	fmt.Fprintf(&b, "| lang | whatlang sentences | lingua sentences | whatlang word pairs | lingua word pairs | whatlang single words | lingua single words |\n|---|---|---|---|---|---|---|\n")
	conf := map[string]tally{}
	for _, lang := range subset {
		fmt.Fprintf(&b, "| %s ", lang)
		for _, gran := range granularities {
			w := evaluate(t, whatlangID, 0, gran, lang, 0)
			l := evaluate(t, lin, 0, gran, lang, 0)
			if gran == "sentences" {
				conf[lang] = l
			}
			fmt.Fprintf(&b, "| %.1f | %.1f ", pct(w), pct(l))
		}
		b.WriteString("|\n")
	}
	fmt.Fprintf(&b, "\nlingua confusion (sentences, %%):\n\n| true | predicted |\n|---|---|\n")
	for _, group := range closePairs {
		for _, lang := range group {
			r := conf[lang]
			if r.n == 0 {
				continue
			}
			var parts []string
			for _, p := range group {
				parts = append(parts, fmt.Sprintf("%s %.1f", p, 100*float64(r.pred[p])/float64(r.n)))
			}
			fmt.Fprintf(&b, "| %s | %s |\n", lang, strings.Join(parts, ", "))
		}
	}
	t.Log("\n" + b.String())
}
