package fixtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Expected outputs written by hand from each fix's definition.
func TestFixes(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"utf8 as latin-1", "cafÃ©", "café"},
		{"double encoding", "cafÃƒÂ©", "café"},
		{"restore byte a0", "voilÃ  le travail", "voilà le travail"},
		{"c1 as windows-1252", "parlé\u0085 Tu", "parlé… Tu"},
		{"html entity", "Fish &amp; chips &eacute;t&#233;", "Fish & chips été"},
		{"no entities inside markup", "<b>&amp;</b>", "<b>&amp;</b>"},
		{"terminal escape", "\x1b[31mred\x1b[0m text", "red text"},
		{"control chars", "a\x00b\x07c\ufeffd\u200be", "abcde"},
		{"zwj emoji kept", "👨\u200d👩", "👨\u200d👩"},
		{"zwj alone removed", "a\u200d b", "a b"},
		{"cesu-8 pair", "x\xed\xa0\xbd\xed\xb8\x80y", "x😀y"},
		{"lone surrogate", "x\xed\xa0\xbdy", "x\uFFFDy"},
		{"invalid byte", "x\xffy", "x\uFFFDy"},
		{"crlf", "a\r\nb\rc", "a\nb\nc"},
		{"correct text unchanged", "naïve café — “quoted” ½ × 2", "naïve café — “quoted” ½ × 2"},
		{"cjk unchanged", "ＡＢＣ株式会社", "ＡＢＣ株式会社"},
	} {
		if got := Fix(tc.in, DefaultOptions()); got != tc.want {
			t.Errorf("%s: Fix(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
	opt := FTFYOptions()
	for _, tc := range []struct{ in, want string }{
		{"“quoted” ﬁne ＡＢＣ", "\"quoted\" fine ABC"},
		{"e\u0301", "é"},
	} {
		if got := Fix(tc.in, opt); got != tc.want {
			t.Errorf("ftfy options: Fix(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// checkByteScans holds the byte-level pre-checks to the rune-level
// definitions they replace.
func checkByteScans(t *testing.T, s string) {
	t.Helper()
	for _, c1 := range []bool{false, true} {
		breaks := "\r\u2028\u2029\u0085"
		if c1 {
			breaks = "\r\u2028\u2029"
		}
		if got, want := hasBreak(s, c1), strings.ContainsAny(s, breaks); got != want {
			t.Errorf("hasBreak(%q, %v) = %v, want %v", s, c1, got, want)
		}
	}
	if got, want := hasC1(s), strings.ContainsFunc(s, isC1); got != want {
		t.Errorf("hasC1(%q) = %v, want %v", s, got, want)
	}
	want := strings.ContainsFunc(s, func(r rune) bool { return isControl(r) || r == 0x200c || r == 0x200d })
	if got := hasControlOrJoiner(s); got != want {
		t.Errorf("hasControlOrJoiner(%q) = %v, want %v", s, got, want)
	}
}

func TestByteScans(t *testing.T) {
	for _, s := range []string{"", "plain", "a\rb", "a\u2028", "\u2029", "x\u0085", "\u2027\u202a", "\xe2\x80", "\xe2\u2028",
		"\x00", "\t\n\f", "\x7f", "\u200b", "\u200c", "\u200d", "\u200e", "\u2060", "\u2061", "\u206a", "\u206f", "\u2070",
		"\ufeff", "\ufff8", "\ufff9", "\ufffc", "\ufffd", "\xef\xbb", "’“”—", "\u0080", "\u009f", "\u00a0", "\xc2"} {
		checkByteScans(t, s)
	}
}

func FuzzFix(f *testing.F) {
	for _, s := range []string{"cafÃ©", "â€œ", "\xed\xa0\xbd", "&#x110000;", "Ã ", "\x1a\u0085", "ГўВЂВ", "a\u2028\u200b\ufeff\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Fix(s, FTFYOptions())
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		_ = Fix(s, DefaultOptions())
		_ = FixEncoding(s)
		checkByteScans(t, s)
	})
}

func BenchmarkFix(b *testing.B) {
	s := []byte{}
	for range 200 {
		s = append(s, "The cafÃ© on the corner serves “coffee” and tea — every day.\n"...)
	}
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Fix(string(s), DefaultOptions())
	}
}

// BenchmarkFixNoRepair measures Fix on text that needs no repair: the
// first 200 documents of the dolma sample (Common Crawl web text,
// mostly English with some accented and non-Latin text).
func BenchmarkFixNoRepair(b *testing.B) {
	texts := loadDolma(b)[:200]
	n := 0
	for _, s := range texts {
		n += len(s)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, s := range texts {
			Fix(s, DefaultOptions())
		}
	}
}
