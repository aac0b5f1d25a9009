package decontam

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"winnow"
)

// Expected outputs come from datatrove's simplify_text (current
// src/datatrove/utils/text.py) run with Python 3.11, with re's \d (Unicode
// Nd) in place of the regex module's \p{Nd}.
func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello world"},
		{"  The café costs 3.50€ — or 1,000,000 yen…\n\tOK?", "the cafe costs 0€ or 0 0 yen ok"},
		{"Don't STOP (believing)", "don t stop believing"},
		{"İstanbul Straße ÉTÉ", "istanbul straße ete"},
		{"x١٢٣y 12:30 v2.0.0.1", "x0y 0 0 v0 0"},
		{"“Quoted” «text» 「括弧」。", "quoted text 括弧"},
		{"a\x00b\x7fc\u00a0d", "a b c d"},
		{"tab\there\nnew  line", "tab here new line"},
		{"e\u0301 n\u0303", "e n"},
		{"", ""},
		{"...", ""},
		{"3.", "0"},
		{"1.2.3", "0 0"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEachNGram(t *testing.T) {
	var got []string
	full := eachNGram("a b c d", 3, func(g string) bool { got = append(got, g); return true })
	if !full || strings.Join(got, "|") != "a b c|b c d" {
		t.Errorf("3-grams of a b c d: %q %v", got, full)
	}
	got = nil
	if eachNGram("a b", 3, func(g string) bool { got = append(got, g); return true }) || got != nil {
		t.Errorf("short text gave %q", got)
	}
	got = nil
	eachNGram("x y", 1, func(g string) bool { got = append(got, g); return true })
	if strings.Join(got, "|") != "x|y" {
		t.Errorf("1-grams: %q", got)
	}
}

// The expected counts come from a Python script that follows datatrove's
// definition (simplify_text, whitespace words, 13-grams joined by " ")
// over testdata/eval.jsonl and these documents.
func TestMatches(t *testing.T) {
	ix, err := ReadIndex("testdata/eval.jsonl", "text", 13)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Texts != 4 || ix.Short != 1 || ix.Len() != 31 {
		t.Fatalf("index: %d texts, %d short, %d n-grams; want 4, 1, 31", ix.Texts, ix.Short, ix.Len())
	}
	tests := []struct {
		name, text string
		n          int
		first      string
	}{
		{"clean", "A completely different story about gardening, tomatoes and the summer rain in the valley, told by a retired teacher.", 0, ""},
		{"copy", "Intro text. THE QUICK BROWN FOX -- jumps over the LAZY dog, while the farmer watches from the porch at noon!! More text follows.", 6, "the quick brown fox jumps over the lazy dog while the farmer watches"},
		{"exactly 13 words", "the quick brown fox jumps over the lazy dog while the farmer watches", 1, "the quick brown fox jumps over the lazy dog while the farmer watches"},
		{"14 words", "the quick brown fox jumps over the lazy dog while the farmer watches from", 2, "the quick brown fox jumps over the lazy dog while the farmer watches"},
		{"12 words", "the quick brown fox jumps over the lazy dog while the farmer", 0, ""},
		{"numbers normalised", "Reporters said: cafe owners in Zurich reported that the new tram line opened on 7 April 1999 doubled the number of morning customers within weeks, again.", 1, "cafe owners in zurich reported that the new tram line opened on 0"},
		{"qa", "Quiz! Question — what is 99 plus 1? answer: The sum of twelve and thirty is forty two as every pupil", 7, "question what is 0 plus 0 answer the sum of twelve and thirty"},
		{"short eval text", "too short to count", 0, ""},
	}
	for _, tt := range tests {
		n, first := ix.Matches(tt.text)
		if n != tt.n || first != tt.first {
			t.Errorf("%s: Matches = %d %q, want %d %q", tt.name, n, first, tt.n, tt.first)
		}
	}
}

func TestStage(t *testing.T) {
	c := DefaultConfig()
	c.EvalFile = "testdata/eval.jsonl"
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	docs := []*winnow.Doc{
		{ID: "a", Text: "nothing in common with the evaluation set at all, surely"},
		// 16 words, all four 13-grams from the first evaluation text.
		{ID: "b", Text: "THE QUICK BROWN FOX -- jumps over the LAZY dog, while the farmer watches from the porch"},
	}
	out, err := s.Process(context.Background(), docs)
	if err != nil || len(out) != 2 {
		t.Fatal(err)
	}
	if out[0].Drop != nil || out[0].Attributes[AttrMatch] != 0 {
		t.Errorf("a: %+v", out[0])
	}
	if d := out[1].Drop; d == nil || d.Reason() != "decontam/ngram" || d.Value != 4 || out[1].Attributes[AttrMatch] != 4 {
		t.Errorf("b: %+v %v", d, out[1].Attributes)
	}
	s2, _ := New(c)
	if s2.(*stage).ix != s.(*stage).ix {
		t.Error("workers do not share the index")
	}

	c.MinMatches = 5
	s, _ = New(c)
	d := &winnow.Doc{Text: docs[1].Text}
	s.Process(context.Background(), []*winnow.Doc{d})
	if d.Drop != nil || d.Attributes[AttrMatch] != 4 {
		t.Errorf("min_matches 5: %+v", d)
	}
	c.MinMatches, c.TagOnly = 1, true
	s, _ = New(c)
	d = &winnow.Doc{Text: docs[1].Text}
	s.Process(context.Background(), []*winnow.Doc{d})
	if d.Drop != nil || d.Attributes[AttrMatch] != 4 {
		t.Errorf("tag_only: %+v", d)
	}
}

func TestBadInput(t *testing.T) {
	if err := DefaultConfig().Validate(); err == nil || !strings.Contains(err.Error(), "eval_file is required") {
		t.Errorf("Validate without file: %v", err)
	}
	c := Config{EvalFile: "testdata/missing.jsonl", N: 0, MinMatches: 0}
	err := c.Validate()
	for _, want := range []string{"missing.jsonl", "text_field", "n 0", "min_matches"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v lacks %q", err, want)
		}
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"notjson":   "{\"text\": \"ok\"}\nnot json\n",
		"nofield":   "{\"question\": \"x\"}\n",
		"notstring": "{\"text\": 3}\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := ReadIndex(p, "text", 13); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	p := filepath.Join(dir, "q.jsonl")
	os.WriteFile(p, []byte("{\"question\": \"one two three\"}\n"), 0o644)
	ix, err := ReadIndex(p, "question", 2)
	if err != nil || ix.Len() != 2 {
		t.Errorf("text_field question: %v, %d n-grams", err, ix.Len())
	}
}
