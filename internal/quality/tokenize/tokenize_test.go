package tokenize

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitLinesMatchesPython(t *testing.T) {
	// Expected values are Python 3's str.splitlines().
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a"}},
		{"a\n\nb", []string{"a", "", "b"}},
		{"a\r\nb\rc", []string{"a", "b", "c"}},
		{"a\r\rb", []string{"a", "", "b"}},
		{"a\vb\fc\x1cd\x1de\x1ef\x1fg", []string{"a", "b", "c", "d", "e", "f\x1fg"}},
		{"a\u0085b\u2028c\u2029d", []string{"a", "b", "c", "d"}},
		{"\n", []string{""}},
	}
	for _, tt := range tests {
		if got := SplitLines(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitLines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFieldsMatchesPython(t *testing.T) {
	// Python: "a\x1cb\u00a0c\u3000d\u200be".split() == ['a', 'b', 'c', 'd\u200be']
	if got, want := Fields("a\x1cb\u00a0c\u3000d\u200be"), []string{"a", "b", "c", "d\u200be"}; !slices.Equal(got, want) {
		t.Errorf("Fields = %q, want %q", got, want)
	}
	if CountFields(" a  b\tc\n") != 3 || CountFields("") != 0 {
		t.Error("CountFields")
	}
	if TrimSpace("\x1f a \u2029") != "a" {
		t.Error("TrimSpace")
	}
}

func TestIsAlpha(t *testing.T) {
	// Python str.isalpha: letters of every script, not digits, marks or
	// punctuation.
	for _, r := range "aZéßΩж日本ひカ한ไ" {
		if !IsAlpha(r) {
			t.Errorf("IsAlpha(%q) = false", r)
		}
	}
	for _, r := range "1١_ .,!\u0301。" {
		if IsAlpha(r) {
			t.Errorf("IsAlpha(%q) = true", r)
		}
	}
}

func TestTreebankNLTKDoctests(t *testing.T) {
	// From NLTK 3.8.1 nltk/tokenize/destructive.py NLTKWordTokenizer.tokenize
	// and span_tokenize doctests, and nltk/tokenize/__init__.py.
	s := "Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks."
	want := []string{"Good", "muffins", "cost", "$", "3.88", "(", "roughly", "3,36",
		"euros", ")", "in", "New", "York.", "Please", "buy", "me", "two",
		"of", "them.", "Thanks", "."}
	if got := Treebank(s); !slices.Equal(got, want) {
		t.Errorf("Treebank:\n got %q\nwant %q", got, want)
	}
	s = "Good muffins cost $3.88\nin New (York).  Please (buy) me\ntwo of them.\n(Thanks)."
	want = []string{"Good", "muffins", "cost", "$", "3.88", "in", "New", "(", "York", ")", ".",
		"Please", "(", "buy", ")", "me", "two", "of", "them.", "(", "Thanks", ")", "."}
	if got := Treebank(s); !slices.Equal(got, want) {
		t.Errorf("Treebank:\n got %q\nwant %q", got, want)
	}
	// word_tokenize doctest (nltk/tokenize/__init__.py): sentence split first.
	s = "Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\n\nThanks."
	want = []string{"Good", "muffins", "cost", "$", "3.88", "in", "New", "York", ".",
		"Please", "buy", "me", "two", "of", "them", ".", "Thanks", "."}
	if got := Words(s); !slices.Equal(got, want) {
		t.Errorf("Words:\n got %q\nwant %q", got, want)
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ", nil},
		{"One. Two.", []string{"One.", "Two."}},
		{"Mr. Smith went. He left!", []string{"Mr. Smith went.", "He left!"}},
		{"The U.S. is big. Yes?  \"Quoted.\" Next", []string{"The U.S. is big.", "Yes?", "\"Quoted.\"", "Next"}},
		{"Wait... what", []string{"Wait... what"}},
		{"J. R. R. Tolkien wrote.\nNew line", []string{"J. R. R. Tolkien wrote.", "New line"}},
		{"end.)  Then", []string{"end.)", "Then"}},
	}
	for _, tt := range tests {
		if got := Sentences(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnicode(t *testing.T) {
	got := Unicode("東京は、 Hello world! 3.5 カタカナ 안녕하세요 ไทย")
	want := []string{"東", "京", "は", "、", "Hello", "world", "!", "3.5", "カタカナ", "안녕하세요", "ไ", "ท", "ย"}
	if !slices.Equal(got, want) {
		t.Errorf("Unicode = %q, want %q", got, want)
	}
}

// checkTokens asserts the invariants of any tokenization of s: no token is
// empty or holds whitespace, and, when s has no double quote (which NLTK
// rewrites to “ or ”) and no ” (which may become “), the tokens concatenate to s without whitespace.
func checkTokens(t *testing.T, s string, toks []string) {
	for _, tok := range toks {
		if tok == "" || strings.IndexFunc(tok, IsSpace) >= 0 {
			t.Fatalf("bad token %q in %q", tok, toks)
		}
	}
	if strings.Contains(s, `"`) || strings.Contains(s, "''") || !utf8.ValidString(s) {
		return
	}
	var b strings.Builder
	for _, r := range s {
		if !IsSpace(r) {
			b.WriteRune(r)
		}
	}
	if got := strings.Join(toks, ""); got != b.String() {
		t.Fatalf("tokens of %q lose text: %q", s, toks)
	}
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{
		"Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.",
		"They'll say I can't. 'Tis gonna be, d'ye hear? wanna go",
		"\"Hello,\" she said 'a b. ``x'' «y» “z” ‘w’",
		"U.S. ... i.e. 1,000.5 -- a--b {c} <d> [e] f: g; h@i #j $k %l &m *n",
		"東京は日本の首都です。", "\x00\xff\xfe", "'", "''", "' '", ".", "..", " . ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkTokens(t, s, Words(s))
		checkTokens(t, s, Treebank(s))
		checkTokens(t, s, Fields(s))
		for _, tok := range Unicode(s) {
			if strings.TrimFunc(tok, IsSpace) == "" {
				t.Fatalf("whitespace token %q", tok)
			}
		}
		var chunks []string
		for _, sent := range Sentences(s) {
			if sent == "" || sent != TrimSpace(sent) {
				t.Fatalf("sentence %q not trimmed", sent)
			}
			chunks = append(chunks, Fields(sent)...)
		}
		if !slices.Equal(chunks, Fields(s)) {
			t.Fatalf("sentences of %q lose text", s)
		}
		_ = SplitLines(s)
	})
}

var benchText = strings.Repeat("The committee reviewed the proposal (see p. 3) with care; it's \"final\" -- they said. ", 200)

func BenchmarkWords(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		Words(benchText)
	}
}

func BenchmarkFields(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		Fields(benchText)
	}
}

func BenchmarkUnicode(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		Unicode(benchText)
	}
}
