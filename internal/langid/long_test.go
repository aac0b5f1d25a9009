package langid

import (
	"math"
	"os"
	"strings"
	"testing"

	"winnow/internal/testutil"
)

// longText joins the lingua test sentences of lang up to n bytes, cut
// back to a UTF-8 boundary by Prepare.
func longText(t *testing.T, lang string, n int) string {
	t.Helper()
	b, err := os.ReadFile(testutil.Shared(t, "corpus/langid/lingua-testdata/sentences/"+lang+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, s := range strings.Split(string(b), "\n") {
		if sb.Len() >= n {
			break
		}
		sb.WriteString(s)
		sb.WriteByte('\n')
	}
	if sb.Len() < n {
		t.Fatalf("%s: only %d bytes of sentences, want %d", lang, sb.Len(), n)
	}
	return Prepare(sb.String(), n)
}

// TestWhatlangLongText is the regression test for long texts in
// languages with many distinct trigrams (Polish, Czech, Slovak,
// Hungarian, Lithuanian): whatlanggo's trigram distance grew past its
// maximum and the score went negative (-127.57 for 1,900 bytes of
// Polish), so the stage labelled them "und". Slovak is not among
// whatlang's 84 languages: its Slovak texts are labelled Czech, the
// closest it knows.
func TestWhatlangLongText(t *testing.T) {
	want := map[string]string{"pl": "pl", "cs": "cs", "sk": "cs", "hu": "hu", "lt": "lt"}
	for _, lang := range []string{"pl", "cs", "sk", "hu", "lt"} {
		for _, n := range []int{500, 1000, 2000, 4000, 10000} {
			text := longText(t, lang, n)
			code, score := whatlang{}.detect(text)
			if code != want[lang] || score < 0 || score > 1 {
				t.Errorf("%s, %d bytes: whatlang = %q %.4g, want %q with a score in [0, 1]", lang, n, code, score, want[lang])
			}
			// The stage on the whole text with the default threshold.
			st, err := New(Config{Backend: "whatlang", Threshold: 0.65})
			if err != nil {
				t.Fatal(err)
			}
			code, score = st.(*languageStage).Identify(text)
			if score < 0 || score > 1 {
				t.Errorf("%s, %d bytes: stage score %.4g outside [0, 1]", lang, n, score)
			}
			if lang != "sk" && (code != lang || score < 0.65) {
				t.Errorf("%s, %d bytes: stage = %q %.4g, want %q with a score of at least 0.65", lang, n, code, score, lang)
			}
		}
	}
}

func TestCapTrigrams(t *testing.T) {
	for _, c := range []struct {
		text string
		max  int
		want string
	}{
		// whatlanggo counts "abcabc" + " ": " ab", "abc", "bca", "cab",
		// "abc", "bc ": 5 distinct. A cut keeps max-1 from the text and
		// leaves one for the trailing space.
		{"abcabc", 10, "abcabc"},
		{"abcabc", 5, "abcabc"},
		{"abcabc", 4, "abca"}, // " ab", "abc", "bca" + "ca "
		{"abcabc", 3, "abc"},  // " ab", "abc" + "bc "
		// Lowercased when counted ("äbć äbć "), cut at a rune boundary:
		// " äb", "äbć" + "bć ".
		{"ÄBĆ ÄBĆ", 3, "ÄBĆ"},
		{"a, b. c", 100, "a, b. c"},
		{"", 5, ""},
	} {
		if got := capTrigrams(c.text, c.max); got != c.want {
			t.Errorf("capTrigrams(%q, %d) = %q, want %q", c.text, c.max, got, c.want)
		}
	}
}

func TestClamp01(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{-127.57, 0}, {0, 0}, {0.41, 0.41}, {1, 1}, {1.00001, 1}, {math.NaN(), 0}, {math.Inf(1), 1},
	} {
		if got := clamp01(c.in); got != c.want {
			t.Errorf("clamp01(%g) = %g, want %g", c.in, got, c.want)
		}
	}
}
