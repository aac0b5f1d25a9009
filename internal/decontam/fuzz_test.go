package decontam

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize: Normalize never panics; its output has no leading or
// trailing spaces, and no doubled ones unless a removed combining mark
// stood between two (as in datatrove, where NFD comes last: punctuation
// such as U+037E, which decomposes to ';', survives too); a text always
// contains its own n-grams.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "Hello, World!", "3.50€ 1,000,000", "e\u0301", "\xff\xfe", "١٢٣.٤", "a\x00b", " \u0301 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") {
			t.Fatalf("Normalize(%q) = %q has edge spaces", s, n)
		}
		if strings.Contains(n, "  ") && !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x300 }) {
			t.Fatalf("Normalize(%q) = %q has doubled spaces", s, n)
		}
		if !utf8.ValidString(s) {
			return
		}
		ix := NewIndex(2)
		ix.Add(s)
		if m, _ := ix.Matches(s); ix.Len() > 0 && m == 0 {
			t.Fatalf("%q does not contain its own n-grams", s)
		}
	})
}
