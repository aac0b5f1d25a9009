package fixtext

import (
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

func FuzzFix(f *testing.F) {
	for _, s := range []string{"cafÃ©", "â€œ", "\xed\xa0\xbd", "&#x110000;", "Ã ", "\x1a\u0085", "ГўВЂВ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Fix(s, FTFYOptions())
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		_ = Fix(s, DefaultOptions())
		_ = FixEncoding(s)
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
