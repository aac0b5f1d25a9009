package eval

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hello, world!", []string{"Hello", "world"}},
		{"snake_case x2 3.14", []string{"snake_case", "x2", "3", "14"}},
		{"café naïve Ærø", []string{"café", "naïve", "Ærø"}},
		// A combining mark is not \w in Python: "e\u0301" splits.
		{"cafe\u0301 bar", []string{"cafe", "bar"}},
		{"東京は晴れ。明日", []string{"東京は晴れ", "明日"}},
		{"x\xffy", []string{"x", "y"}},
		{"Ⅻ ½ ٣", []string{"Ⅻ", "½", "٣"}}, // Nl, No, Nd
		{"don't — e-mail", []string{"don", "t", "e", "mail"}},
	}
	for _, tc := range tests {
		if got := Words(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Words(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestShingleCounts(t *testing.T) {
	// By hand from evaluate.py's definition.
	tests := []struct {
		name        string
		truth, pred string
		want        Counts
		prec, rec   float64
	}{
		// truth shingles {abcd, bcde}, pred {abcd}: 1, 0, 1 → /2.
		{"prefix", "a b c d e", "a b c d", Counts{0.5, 0, 0.5}, 1, 0.5},
		// Short texts give one shorter shingle; punctuation is not a token.
		{"short equal", "x, y", "x y", Counts{1, 0, 0}, 1, 1},
		{"short differ", "x y", "x z", Counts{0, 0.5, 0.5}, 0, 0},
		// Empty prediction: no shingle at all (tp = fp = 0).
		{"empty pred", "a b c d", "", Counts{0, 0, 1}, 0, 0},
		{"both empty", "", "", Counts{0, 0, 0}, 1, 1},
		// Multisets: "a b c d a b c d" has abcd twice, bcda, cdab, dabc.
		// pred "a b c d": abcd once → tp 1, fn 4 → 1/5, 0, 4/5.
		{"multiset", "a b c d a b c d", "a b c d", Counts{0.2, 0, 0.8}, 1, 0.2},
		// Extra text: pred has 5 shingles, 2 shared → tp 2, fp 3, fn 0.
		{"extra", "p q r s t", "p q r s t u v w", Counts{0.4, 0.6, 0}, 0.4, 1},
		// Case matters (no lower-casing in evaluate.py).
		{"case", "A b c d", "a b c d", Counts{0, 0.5, 0.5}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ShingleCounts(tc.truth, tc.pred)
			if !near(c.TP, tc.want.TP) || !near(c.FP, tc.want.FP) || !near(c.FN, tc.want.FN) {
				t.Errorf("counts %+v, want %+v", c, tc.want)
			}
			if !near(c.Precision(), tc.prec) || !near(c.Recall(), tc.rec) {
				t.Errorf("P %v R %v, want %v %v", c.Precision(), c.Recall(), tc.prec, tc.rec)
			}
		})
	}
}

func TestShingleScore(t *testing.T) {
	// Doc 1 perfect; doc 2 empty prediction (counts only in recall, as 0);
	// doc 3 half extra. P = mean(1, 0.4) = 0.7 over docs with tp+fp > 0;
	// R = mean(1, 0, 1) = 2/3; F1 = 2·0.7·(2/3)/(0.7+2/3).
	docs := []Counts{{1, 0, 0}, {0, 0, 1}, {0.4, 0.6, 0}}
	s := ShingleScore(docs, []bool{true, false, false})
	wantF1 := 2 * 0.7 * (2.0 / 3) / (0.7 + 2.0/3)
	if !near(s.Precision, 0.7) || !near(s.Recall, 2.0/3) || !near(s.F1, wantF1) || !near(s.Accuracy, 1.0/3) {
		t.Errorf("got %+v, want P 0.7 R 0.667 F1 %.4f acc 0.333", s, wantF1)
	}
	if s := ShingleScore(nil, nil); s != (Score{}) {
		t.Errorf("no documents: %+v", s)
	}
}

func TestCountSnippets(t *testing.T) {
	with := []string{"the  quick\nbrown", "lazy dog", "missing part"}
	without := []string{"Impressum", "cookie"}
	text := "The the quick brown fox\n\n jumps over the lazy\tdog. Impressum"
	c := CountSnippets(with, without, text, true)
	if c != (Confusion{TP: 2, FN: 1, FP: 1, TN: 1}) {
		t.Errorf("got %+v", c)
	}
	// A failed extraction misses every with snippet and has no without.
	if c := CountSnippets(with, without, "", false); c != (Confusion{FN: 3, TN: 2}) {
		t.Errorf("failed extraction: %+v", c)
	}
	var all Confusion
	all.Add(Confusion{TP: 2, FP: 1, FN: 1, TN: 1})
	all.Add(Confusion{TP: 3, FP: 0, FN: 1, TN: 2})
	// TP 5, FP 1, FN 2, TN 3: P 5/6, R 5/7, acc 8/11, F1 10/13.
	s := all.Score()
	if !near(s.Precision, 5.0/6) || !near(s.Recall, 5.0/7) || !near(s.Accuracy, 8.0/11) || !near(s.F1, 10.0/13) {
		t.Errorf("score %+v", s)
	}
	if s := (Confusion{}).Score(); s != (Score{}) {
		t.Errorf("empty confusion %+v", s)
	}
}

func TestWordF1(t *testing.T) {
	tests := []struct {
		name, pred, ref string
		p, r, f1        float64
	}{
		// Lower-cased bags: pred {the:2, cat, sat}, ref {the, cat, ran}:
		// overlap the+cat = 2; P 2/4, R 2/3, F1 4/7.
		{"bags", "The cat sat, the.", "the CAT ran", 0.5, 2.0 / 3, 4.0 / 7},
		{"both empty", "", "  ", 1, 1, 1},
		{"empty ref", "text", "", 0, 0, 0},
		{"empty pred", "", "text", 0, 0, 0},
		{"no overlap", "a", "b", 0, 0, 0},
		// Python lowers U+0130 to "i\u0307", which \w splits: "İzmir"
		// gives "i" and "zmir", so it does not match "izmir".
		{"dotted capital I", "İzmir", "izmir", 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, r, f1 := WordF1(tc.pred, tc.ref)
			if !near(p, tc.p) || !near(r, tc.r) || !near(f1, tc.f1) {
				t.Errorf("got %v %v %v, want %v %v %v", p, r, f1, tc.p, tc.r, tc.f1)
			}
		})
	}
	if got := SnippetRate("Hello World and more", []string{"hello world", "MORE", "absent"}); !near(got, 2.0/3) {
		t.Errorf("SnippetRate = %v, want 2/3", got)
	}
	if got := SnippetRate("x", nil); got != 1 {
		t.Errorf("SnippetRate of no snippets = %v, want 1", got)
	}
}

func TestWCXBPageType(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"page_type":{"primary":"forum","confidence":"verified"}}`, "forum"},
		{`{"page_type":"listing"}`, "listing"},
		{`{"page_type":{"primary":"category"}}`, "collection"},
		{`{"page_type":{}}`, "article"},
		{`{}`, "article"},
		{``, "article"},
	}
	for _, tc := range tests {
		if got := wcxbPageType([]byte(tc.in)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// pyWordRE is the reference for Words: Python's \w is \p{L}, \p{N} or _.
var pyWordRE = regexp.MustCompile(`[\p{L}\p{N}_]+`)

// FuzzWords checks Words against the regular expression on valid UTF-8
// and that it never panics on any input.
func FuzzWords(f *testing.F) {
	for _, s := range []string{"", "a b", "café\u0301 東京 Ⅻ_x", "x\xffy", "ǅemal İzmir", "12.5%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Words(s)
		if !utf8.ValidString(s) {
			return
		}
		if want := pyWordRE.FindAllString(s, -1); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, regexp %q", s, got, want)
		}
		_, _, _ = WordF1(s, s[len(s)/2:])
		c := ShingleCounts(s, s)
		if len(got) > 0 && (c.TP != 1 || c.FP != 0 || c.FN != 0) {
			t.Errorf("a text against itself: %+v", c)
		}
	})
}

// FuzzNormSpace checks normSpace against Python's re.sub(r"\s+", " ",
// s).strip() written with Go's regexp over the same white-space set.
func FuzzNormSpace(f *testing.F) {
	for _, s := range []string{"", "  a \n\t b  ", "a\u00a0b\u3000c", "x\u200by"} {
		f.Add(s)
	}
	re := regexp.MustCompile(`[\t\n\v\f\r \x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+`)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		want := strings.Trim(re.ReplaceAllString(s, " "), " ")
		if got := normSpace(s); got != want {
			t.Errorf("normSpace(%q) = %q, want %q", s, got, want)
		}
	})
}
