package quality

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"winnow"
	"winnow/internal/quality/tokenize"
	"winnow/internal/testutil"
)

// golden.json is produced by testdata/reference/reference.py, which
// follows the reference definitions (datatrove, dolma, NLTK 3.8.1 regexes)
// in Python independently of this package. See that script's doc string
// to regenerate it.

type goldenFilter struct {
	Signals map[string]float64 `json:"signals"`
	Rule    *string            `json:"rule"`
	Text    *string            `json:"text"`
}

type goldenCase struct {
	Name      string                  `json:"name"`
	Text      string                  `json:"text"`
	File      string                  `json:"file"`
	Index     int                     `json:"index"`
	ID        string                  `json:"id"`
	Lang      string                  `json:"lang"`
	Tokens    []string                `json:"tokens"`
	Sentences int                     `json:"sentences"`
	Datatrove map[string]goldenFilter `json:"datatrove"`
	Dolma     map[string]goldenFilter `json:"dolma"`
}

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	docs := map[string][]map[string]any{}
	for i, c := range g.Cases {
		if c.File == "" {
			continue
		}
		if docs[c.File] == nil {
			docs[c.File] = readJSONLGz(t, testutil.Shared(t, filepath.Join("corpus/warc/dolma/jsonl", c.File)))
		}
		d := docs[c.File][c.Index]
		if d["id"] != c.ID {
			t.Fatalf("%s: document %d has id %v, golden says %s", c.File, c.Index, d["id"], c.ID)
		}
		g.Cases[i].Text, _ = d["text"].(string)
	}
	return g.Cases
}

func readJSONLGz(t testing.TB, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	br := bufio.NewReader(zr)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 1 {
			var m map[string]any
			if jerr := json.Unmarshal(line, &m); jerr != nil {
				t.Fatalf("%s: %v", path, jerr)
			}
			out = append(out, m)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// newStages builds the four per-document filters under profile p.
func newStages(t testing.TB, p Profile) map[string]winnow.Stage {
	t.Helper()
	gq := DefaultGopherQualityConfig()
	gq.Profile = p
	gr := DefaultGopherRepetitionConfig()
	gr.Profile = p
	fw := DefaultFineWebQualityConfig()
	fw.Profile = p
	c4c := DefaultC4QualityConfig()
	c4c.Profile = p
	out := map[string]winnow.Stage{}
	var err error
	if out["gopher_quality"], err = NewGopherQuality(gq); err != nil {
		t.Fatal(err)
	}
	if out["gopher_repetition"], err = NewGopherRepetition(gr); err != nil {
		t.Fatal(err)
	}
	if out["fineweb_quality"], err = NewFineWebQuality(fw); err != nil {
		t.Fatal(err)
	}
	if out["c4_quality"], err = NewC4Quality(c4c); err != nil {
		t.Fatal(err)
	}
	bw := DefaultC4BadWordsConfig()
	bw.Profile = p
	bw.WordLists = map[string]string{"en": "testdata/badwords-golden.txt"}
	if out["c4_badwords"], err = NewC4BadWords(bw); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGolden(t *testing.T) {
	cases := loadGolden(t)
	if len(cases) < 45 {
		t.Fatalf("golden file has %d cases, want at least 45", len(cases))
	}
	for _, prof := range []Profile{Datatrove, Dolma} {
		stages := newStages(t, prof)
		for _, c := range cases {
			want := c.Datatrove
			if prof == Dolma {
				want = c.Dolma
			}
			for name, st := range stages {
				t.Run(string(prof)+"/"+name+"/"+c.Name, func(t *testing.T) {
					gw, ok := want[name]
					if !ok {
						t.Fatalf("golden has no %s", name)
					}
					d := &winnow.Doc{ID: c.Name, Text: c.Text}
					d.SetAttr("language", c.Lang)
					sigs, rule, err := Measure(st, d)
					if err != nil {
						t.Fatal(err)
					}
					got := map[string]float64{}
					for _, s := range sigs {
						got[s.Name] = s.Value
					}
					for k, w := range gw.Signals {
						g, ok := got[k]
						if !ok {
							t.Errorf("signal %s missing (want %v)", k, w)
							continue
						}
						if math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
							t.Errorf("signal %s = %v, want %v", k, g, w)
						}
					}
					for k := range got {
						if _, ok := gw.Signals[k]; !ok {
							t.Errorf("unexpected signal %s = %v", k, got[k])
						}
					}
					wantRule := ""
					if gw.Rule != nil {
						wantRule = *gw.Rule
					}
					if rule != wantRule {
						t.Errorf("rule = %q, want %q", rule, wantRule)
					}
					if d.Text != c.Text {
						t.Errorf("Measure modified the document text")
					}
					if gw.Text != nil && wantRule == "" {
						// The filter edits the text: run it as a stage.
						d2 := &winnow.Doc{ID: c.Name, Text: c.Text}
						d2.SetAttr("language", c.Lang)
						if _, err := st.Process(t.Context(), []*winnow.Doc{d2}); err != nil {
							t.Fatal(err)
						}
						if d2.Drop != nil {
							t.Fatalf("dropped by %s", d2.Drop.Reason())
						}
						if d2.Text != *gw.Text {
							t.Errorf("text after filtering = %q, want %q", d2.Text, *gw.Text)
						}
					}
				})
			}
		}
	}
}

func TestGoldenTokens(t *testing.T) {
	n := 0
	for _, c := range loadGolden(t) {
		if got := len(tokenize.Sentences(c.Text)); got != c.Sentences {
			t.Errorf("%s: %d sentences, want %d", c.Name, got, c.Sentences)
		}
		if c.Tokens == nil {
			continue
		}
		n++
		got := tokenize.Words(c.Text)
		if len(got) == 0 && len(c.Tokens) == 0 {
			continue
		}
		if !slices.Equal(got, c.Tokens) {
			t.Errorf("%s:\n got %q\nwant %q", c.Name, got, c.Tokens)
		}
	}
	if n < 20 {
		t.Fatalf("only %d token cases", n)
	}
}

// TestGoldenRandomTokens compares the NLTK port with the Python regexes on
// 600 seeded random sentences built from tricky fragments (quotes,
// contractions, abbreviations, numbers, URLs, brackets, dashes).
func TestGoldenRandomTokens(t *testing.T) {
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Tokens []struct {
			Text     string   `json:"text"`
			Treebank []string `json:"treebank"`
			Words    []string `json:"words"`
		} `json:"tokens"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Tokens) < 500 {
		t.Fatalf("%d random token cases", len(g.Tokens))
	}
	bad := 0
	for _, c := range g.Tokens {
		if got := tokenize.Treebank(c.Text); !slices.Equal(got, c.Treebank) && (len(got)+len(c.Treebank) > 0) {
			bad++
			if bad < 10 {
				t.Errorf("Treebank(%q)\n got %q\nwant %q", c.Text, got, c.Treebank)
			}
		}
		if got := tokenize.Words(c.Text); !slices.Equal(got, c.Words) && (len(got)+len(c.Words) > 0) {
			bad++
			if bad < 10 {
				t.Errorf("Words(%q)\n got %q\nwant %q", c.Text, got, c.Words)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d mismatches", bad)
	}
}
