package langid

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"winnow"
	"winnow/internal/fasttext"
	"winnow/internal/testutil"
)

func TestCode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"en", "en"}, {"__label__en", "en"}, {"__label__eng_Latn", "en"}, {"deu", "de"},
		{"cmn", "zh"}, {"__label__cmn_Hani", "zh"}, {"arb", "ar"}, {"pes", "fa"}, {"nob", "nb"},
		{"nno", "nn"}, {"hrv", "hr"}, {"bos", "bs"}, {"srp_Cyrl", "sr"}, {"yid", "yi"},
		{"ceb", "ceb"}, {"pt-BR", "pt"}, {"", "und"}, {"__label__", "und"}, {"EN", "en"},
		{"xqz", "xqz"},
	} {
		if got := Code(c.in); got != c.want {
			t.Errorf("Code(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Every whatlang language maps to a 2- or 3-letter code.
	for l, c := range whatlangCodes {
		if len(c) < 2 || len(c) > 3 {
			t.Errorf("whatlang %v -> %q", l, c)
		}
	}
	if len(whatlangCodes) != 84 {
		t.Errorf("%d whatlang languages, want 84", len(whatlangCodes))
	}
}

func TestPrepare(t *testing.T) {
	for _, c := range []struct {
		in     string
		prefix int
		want   string
	}{
		{"a\nb\n", 0, "a b "},
		{"héllo", 2, "h"}, // not inside the two-byte é
		{"héllo", 3, "hé"},
		{"abc", 10, "abc"},
	} {
		if got := Prepare(c.in, c.prefix); got != c.want {
			t.Errorf("Prepare(%q, %d) = %q, want %q", c.in, c.prefix, got, c.want)
		}
	}
}

func sentence(t testing.TB, lang string, i int) string {
	t.Helper()
	b, err := os.ReadFile(testutil.Shared(t, "corpus/langid/lingua-testdata/sentences/"+lang+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(b), "\n")[i]
}

func TestLanguageStage(t *testing.T) {
	de := sentence(t, "de", 0) + "\n" + sentence(t, "de", 1)
	en := sentence(t, "en", 2)
	ru := sentence(t, "ru", 3)
	sk := longText(t, "sk", 500)
	cases := []struct {
		name     string
		cfg      func(*Config)
		text     string
		wantLang string
		wantRule string // "" = kept
		// wantDetail is the drop's Detail; a trailing space stands for
		// the score, checked against the drop's Value to two decimals.
		wantDetail string
	}{
		{"german kept", nil, de, "de", "", ""},
		{"english kept", nil, en, "en", "", ""},
		{"russian kept", nil, ru, "ru", "", ""},
		{"keep-list drops german", func(c *Config) { c.Languages = []string{"en", "fra"} }, de, "de", "language", "de"},
		{"keep-list in 639-3 keeps english", func(c *Config) { c.Languages = []string{"eng"} }, en, "en", "", ""},
		{"empty text is und", nil, "", Und, "low_score", "und 0.00"},
		{"symbols are und", nil, "!!! ??? 123 456", Und, "low_score", "und 0.00"},
		// whatlang has no Slovak: it names Czech, unsure.
		{"slovak is czech below the threshold", nil, sk, Und, "low_score", "cs "},
		{"tag only keeps und", func(c *Config) { c.TagOnly = true }, "", Und, "", ""},
		{"threshold 1 makes und", func(c *Config) { c.Threshold = 1.01 }, "", Und, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			if err := cfg.Validate(); err != nil {
				if c.name == "threshold 1 makes und" {
					return // out of range thresholds are refused
				}
				t.Fatal(err)
			}
			st, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			d := &winnow.Doc{Text: c.text}
			out, err := st.Process(context.Background(), []*winnow.Doc{d})
			if err != nil || len(out) != 1 {
				t.Fatalf("Process = %d docs, %v", len(out), err)
			}
			if got := d.Attributes["language"]; got != c.wantLang {
				t.Errorf("language = %v, want %s", got, c.wantLang)
			}
			score, ok := d.Attributes["language_score"].(float64)
			if !ok || score < 0 || score > 1 {
				t.Errorf("language_score = %v", d.Attributes["language_score"])
			}
			if c.wantLang != Und && d.Metadata.Language != c.wantLang {
				t.Errorf("Metadata.Language = %q, want %q", d.Metadata.Language, c.wantLang)
			}
			gotRule := ""
			if d.Drop != nil {
				gotRule = d.Drop.Rule
				if d.Drop.Stage != "language" {
					t.Errorf("drop stage %q", d.Drop.Stage)
				}
			}
			if gotRule != c.wantRule {
				t.Errorf("drop rule %q, want %q", gotRule, c.wantRule)
			}
			if d.Drop != nil {
				want := c.wantDetail
				if strings.HasSuffix(want, " ") {
					if d.Drop.Value <= 0 || d.Drop.Value >= cfg.Threshold {
						t.Errorf("drop value %g, want in (0, %g)", d.Drop.Value, cfg.Threshold)
					}
					want += fmt.Sprintf("%.2f", d.Drop.Value)
				}
				if d.Drop.Detail != want {
					t.Errorf("drop detail %q, want %q", d.Drop.Detail, want)
				}
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{Backend: "nope", Threshold: 0.5},
		{Backend: "fasttext", Threshold: 0.5},
		{Backend: "lingua", Threshold: 0.5},
		{Backend: "whatlang", Threshold: 2},
		{Backend: "whatlang", Prefix: -1},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", c)
		}
	}
	if !LinguaBuilt {
		if _, err := New(Config{Backend: "lingua", LinguaLanguages: []string{"en", "de"}}); err == nil {
			t.Error("lingua backend without the build tag: no error")
		}
	}
}

// trainModel trains a tiny fastText model with Debian's fasttext binary on
// lines "__label__<label> <text>" and returns its path.
func trainModel(t testing.TB, lines []string) string {
	t.Helper()
	bin, err := exec.LookPath("fasttext")
	if err != nil {
		t.Fatalf("the fasttext binary (Debian package fasttext) is required: %v", err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "train.txt")
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "model")
	cmd := exec.Command(bin, "supervised", "-input", in, "-output", out, "-dim", "16", "-epoch", "25",
		"-lr", "1.0", "-bucket", "20000", "-minn", "2", "-maxn", "4", "-wordNgrams", "2",
		"-thread", "1", "-seed", "3", "-verbose", "0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fasttext supervised: %v\n%s", err, b)
	}
	return out + ".bin"
}

func lidLines(t testing.TB, langs []string, n int, glot bool) []string {
	var lines []string
	for _, l := range langs {
		b, err := os.ReadFile(testutil.Shared(t, "corpus/langid/lingua-testdata/sentences/"+l+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		label := l
		if glot { // GlotLID-style labels: ISO 639-3 plus script
			label = map[string]string{"en": "eng_Latn", "de": "deu_Latn", "fr": "fra_Latn", "ru": "rus_Cyrl"}[l]
		}
		for _, s := range strings.Split(string(b), "\n")[:n] {
			lines = append(lines, "__label__"+label+" "+s)
		}
	}
	return lines
}

func TestFastTextBackend(t *testing.T) {
	langs := []string{"en", "de", "fr", "ru"}
	for _, glot := range []bool{false, true} {
		t.Run(fmt.Sprintf("glotlid-labels=%v", glot), func(t *testing.T) {
			path := trainModel(t, lidLines(t, langs, 200, glot))
			st, err := New(Config{Backend: "fasttext", Model: path, Threshold: 0.5, Languages: []string{"de"}})
			if err != nil {
				t.Fatal(err)
			}
			m, err := fasttext.LoadShared(path)
			if err != nil {
				t.Fatal(err)
			}
			var docs []*winnow.Doc
			for _, l := range langs {
				for i := 900; i < 910; i++ {
					docs = append(docs, &winnow.Doc{ID: l, Text: sentence(t, l, i) + "\n" + sentence(t, l, i+20)})
				}
			}
			if _, err := st.Process(context.Background(), docs); err != nil {
				t.Fatal(err)
			}
			correct := 0
			for _, d := range docs {
				// The stage reports the model's own best label for the
				// text with newlines replaced by spaces.
				p := m.Predict(strings.ReplaceAll(d.Text[:min(len(d.Text), 2048)], "\n", " "), 1, 0)
				want := Code(p[0].Label)
				if float64(p[0].Prob) < 0.5 {
					want = Und
				}
				if got := d.Attributes["language"]; got != want {
					t.Errorf("%s document: language %v, model says %s", d.ID, got, want)
				}
				if got := d.Attributes["language_score"].(float64); math.Abs(got-min(float64(p[0].Prob), 1)) > 1e-9 {
					t.Errorf("%s document: score %v, model says %v", d.ID, got, p[0].Prob)
				}
				if d.Attributes["language"] == d.ID {
					correct++
				}
				if kept := d.Drop == nil; kept != (d.Attributes["language"] == "de") {
					t.Errorf("%s document labelled %v: kept = %v", d.ID, d.Attributes["language"], kept)
				}
			}
			if correct < len(docs)*9/10 {
				t.Errorf("%d of %d held-out documents labelled correctly, want at least 90%%", correct, len(docs))
			}
		})
	}
}

func TestClassifierStage(t *testing.T) {
	var lines []string
	for _, l := range lidLines(t, []string{"en", "de"}, 200, false) {
		lines = append(lines, strings.Replace(strings.Replace(l, "__label__en", "__label__hq", 1), "__label__de", "__label__lq", 1))
	}
	path := trainModel(t, lines)
	if _, err := NewClassifier(ClassifierConfig{Model: path, Label: "__label__nope"}); err == nil {
		t.Error("unknown label: no error")
	}
	if _, err := NewClassifier(ClassifierConfig{Label: "hq"}); err == nil {
		t.Error("no model: no error")
	}
	st, err := NewClassifier(ClassifierConfig{Model: path, Label: "hq", Threshold: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := fasttext.LoadShared(path)
	en := &winnow.Doc{Text: sentence(t, "en", 950)}
	de := &winnow.Doc{Text: sentence(t, "de", 950)}
	if _, err := st.Process(context.Background(), []*winnow.Doc{en, de}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d    *winnow.Doc
		kept bool
	}{{en, true}, {de, false}} {
		got, ok := c.d.Attributes["classifier/hq"].(float64)
		want := min(float64(m.Prob(c.d.Text, "__label__hq")), 1)
		if !ok || math.Abs(got-want) > 1e-9 {
			t.Errorf("classifier/hq = %v, model says %v", c.d.Attributes["classifier/hq"], want)
		}
		if (c.d.Drop == nil) != c.kept {
			t.Errorf("score %v: kept = %v, want %v", got, c.d.Drop == nil, c.kept)
		}
		if c.d.Drop != nil && c.d.Drop.Reason() != "classifier/low_score" {
			t.Errorf("drop reason %q", c.d.Drop.Reason())
		}
	}
}

// TestWhatlangTieIsDeterministic: a Common Crawl page (dolma sample,
// romajidesu.com) whose Latin trigrams are at the same distance from the
// Afrikaans and English profiles. whatlanggo returns either language with
// confidence 0, by Go's map order (before the fix 200 calls gave af 86
// times and en 114 times); the stage must write the same drop detail
// every time: no language, score 0.
func TestWhatlangTieIsDeterministic(t *testing.T) {
	text := "Meaning of オートモビル in Japanese\n\n  1. Words\n\nDefinition of オートモビル\n\nオートモビル(ootomobiru) · オートモービル(ootomoobiru)\n  1. (n) automobile\nBack to top"
	st, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		d := &winnow.Doc{Text: text}
		if _, err := st.Process(context.Background(), []*winnow.Doc{d}); err != nil {
			t.Fatal(err)
		}
		if d.Drop == nil || d.Drop.Rule != "low_score" || d.Drop.Detail != "und 0.00" || d.Attributes["language"] != Und {
			t.Fatalf("call %d: drop %+v, language %v; want low_score \"und 0.00\", und", i, d.Drop, d.Attributes["language"])
		}
	}
}
